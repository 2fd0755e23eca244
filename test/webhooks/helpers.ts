import net from 'node:net';
import { buildConnector } from 'undici';
import type { Store } from '../../db/client.js';
import { recordEvent, type EventInput } from '../../src/events/events.js';
import { createFirm } from '../../src/firms/repository.js';
import { createEndpoint, type EndpointInput } from '../../src/webhooks/endpoints.js';
import { createUrlGuard, type Resolver } from '../../src/webhooks/ssrf.js';

/** A resolver that fails the test if anything asks DNS: these tests use address literals only. */
export const noDns: Resolver = async (host) => {
  throw new Error(`test asked DNS for ${host}`);
};

/** A base connector that dials only loopback, even if the guard above it were broken. */
export function loopbackOnly(): buildConnector.connector {
  const real = buildConnector({ timeout: 2000 });
  return (opts, cb) => {
    const ip = opts.hostname.replace(/^\[|\]$/g, '');
    const loopback = (net.isIPv4(ip) && ip.startsWith('127.')) || ip === '::1';
    if (!loopback) return cb(new Error(`test connector: refusing to dial ${opts.hostname}`), null);
    real(opts, cb);
  };
}

/** The test setting: 127.0.0.0/8 allowed (over http), no DNS. */
export const loopbackGuard = () => createUrlGuard({ allowNetworks: ['127.0.0.0/8'], allowHttp: false }, noDns);

export function seedFirms(store: Store, ...ids: string[]) {
  for (const id of ids) createFirm(store.sqlite, { id, name: `Firm ${id}` });
}

/** An endpoint written directly (the URL check belongs to the routes, tested there). */
export function endpoint(store: Store, input: Partial<EndpointInput> & { url: string }) {
  return createEndpoint(store.sqlite, { firmId: 'f1', eventTypes: ['alert.created', 'alert.updated', 'alert.cancelled'], ...input });
}

let n = 0;
/** An alert.created event for the firm (in a transaction, as the alerts service does). */
export function alertEvent(store: Store, firmId = 'f1', extra: Partial<EventInput> = {}, now?: string) {
  const i = ++n;
  return store.sqlite.transaction(() =>
    recordEvent(store.sqlite, { type: 'alert.created', firmId, tenderId: i, matchId: i, data: { alertId: i, firmId, seq: i }, ...extra }, now),
  )();
}

export async function waitFor(cond: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function deliveryRows(store: Store, endpointId: string) {
  return store.sqlite
    .prepare(`SELECT d.*, ev.public_id FROM webhook_deliveries d JOIN events ev ON ev.id = d.event_id WHERE endpoint_id = ? ORDER BY d.id`)
    .all(endpointId) as { id: number; status: string; attempts: number; next_attempt_at: string | null; public_id: string; last_error: string | null }[];
}
