/**
 * Delivery against a real receiver on 127.0.0.1 (allowed by the test setting), which verifies
 * every signature with the standardwebhooks library. Retries use short injected schedules or a
 * fake clock, so nothing waits minutes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { openStore } from '../../db/client.js';
import { recordEvent } from '../../src/events/events.js';
import { getEndpoint, rotateSecret, updateEndpoint } from '../../src/webhooks/endpoints.js';
import { enqueueDeliveries, listDeliveries } from '../../src/webhooks/outbox.js';
import { createGuardedDispatcher } from '../../src/webhooks/ssrf.js';
import { createDeliveryWorker, RETRY_SCHEDULE_MS, type WorkerOptions } from '../../src/webhooks/worker.js';
import { startServer } from '../helpers/http-server.js';
import { tempStore } from '../helpers/store.js';
import { alertEvent, deliveryRows, endpoint, loopbackGuard, loopbackOnly, seedFirms, waitFor } from './helpers.js';

type Receiver = Awaited<ReturnType<typeof startServer>>;

let t: ReturnType<typeof tempStore>;
let receiver: Receiver | null = null;
const cleanups: (() => Promise<void>)[] = [];

beforeEach(() => {
  t = tempStore();
  seedFirms(t.store, 'f1', 'f2');
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await receiver?.close();
  receiver = null;
  t.cleanup();
});

/** A worker over a loopback-only dispatcher; stopped after the test. */
function worker(opts: Partial<WorkerOptions> = {}, store = t.store) {
  const guard = loopbackGuard();
  const dispatcher = createGuardedDispatcher(guard, loopbackOnly());
  const w = createDeliveryWorker({ sqlite: store.sqlite, guard, dispatcher, pollIntervalMs: 10, ...opts });
  cleanups.push(async () => {
    await w.stop();
    await dispatcher.close();
  });
  return w;
}

/** A receiver that verifies each request with `secrets` (any one may match) and answers `status(n)` to call n. */
async function verifyingReceiver(secrets: () => string[], status: (n: number, msgId: string) => number = () => 204) {
  const got = { verified: [] as string[], failures: [] as string[], calls: [] as string[] };
  receiver = await startServer((req, body) => {
    const headers = req.headers as Record<string, string>;
    const msgId = headers['webhook-id'];
    got.calls.push(msgId);
    const ok = secrets().some((s) => {
      try {
        new Webhook(s).verify(body, headers);
        return true;
      } catch {
        return false;
      }
    });
    if (!ok) got.failures.push(msgId);
    const code = status(got.calls.length, msgId);
    if (ok && code >= 200 && code < 300) got.verified.push(msgId);
    return { status: code, body: code === 204 ? '' : `{"n":${got.calls.length}}` };
  });
  return got;
}

describe('webhook delivery', () => {
  it('signs every request per Standard Webhooks, with the event id as webhook-id and the payload as body', async () => {
    let secret = '';
    const got = await verifyingReceiver(() => [secret]);
    const ep = endpoint(t.store, { url: `${receiver!.url}/hook` });
    secret = ep.secret;
    const events = [alertEvent(t.store), alertEvent(t.store), alertEvent(t.store)];
    worker().start();
    await waitFor(() => deliveryRows(t.store, ep.endpoint.id).every((d) => d.status === 'delivered'), 10_000, 'three deliveries');
    expect(got.failures).toEqual([]);
    expect(got.verified).toEqual(events.map((e) => e.publicId));
    const req = receiver!.requests[0];
    expect(req.method).toBe('POST');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['webhook-timestamp']).toMatch(/^\d{10}$/);
    expect(req.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/=]+$/);
    expect(JSON.parse(req.body)).toEqual(events[0].payload);
    expect(deliveryRows(t.store, ep.endpoint.id).map((d) => d.status)).toEqual(['delivered', 'delivered', 'delivered']);
  });

  it('still delivers every event, in order, to a receiver that answers 500 to its first calls', async () => {
    let secret = '';
    const FAIL_FIRST = 5;
    const got = await verifyingReceiver(() => [secret], (n) => (n <= FAIL_FIRST ? 500 : 200));
    const ep = endpoint(t.store, { url: receiver!.url });
    secret = ep.secret;
    const events = Array.from({ length: 6 }, () => alertEvent(t.store));
    worker({ scheduleMs: [0, 5, 5, 5, 5, 5, 5, 5], jitter: 0 }).start();
    await waitFor(() => got.verified.length === events.length, 10_000, 'all events');
    expect(got.failures).toEqual([]);
    expect(got.verified).toEqual(events.map((e) => e.publicId));
    // Head-of-line: the first event was tried 6 times before any later one was sent.
    const order = events.map((e) => e.publicId);
    expect(got.calls.slice(0, FAIL_FIRST + 1).every((id) => id === order[0])).toBe(true);
    expect(got.calls.map((id) => order.indexOf(id))).toEqual([...got.calls.map((id) => order.indexOf(id))].sort((a, b) => a - b));
    const first = listDeliveries(t.store.sqlite, ep.endpoint.id, { id: deliveryRows(t.store, ep.endpoint.id)[0].id })[0];
    expect(first.attempts).toBe(FAIL_FIRST + 1);
    expect(first.log.map((a) => a.statusCode)).toEqual([500, 500, 500, 500, 500, 200]);
    expect(first.log.every((a) => a.latencyMs >= 0)).toBe(true);
    expect(getEndpoint(t.store.sqlite, ep.endpoint.id)!.failingSince).toBeNull();
  });

  it('delivers everything after a restart in the middle of a queue', async () => {
    let secret = '';
    const got = await verifyingReceiver(() => [secret], (n) => (n % 4 === 0 ? 503 : 200));
    const ep = endpoint(t.store, { url: receiver!.url });
    secret = ep.secret;
    const events = Array.from({ length: 30 }, () => alertEvent(t.store));
    const first = worker({ scheduleMs: [0, 5, 5, 5], jitter: 0 });
    first.start();
    await waitFor(() => got.verified.length >= 8, 10_000, 'some deliveries');
    await first.stop();
    t.store.close();
    const delivered = got.verified.length;
    expect(delivered).toBeLessThan(events.length);

    // A new process: a new connection to the same file, a new worker.
    const store = openStore(t.file);
    cleanups.push(async () => store.close());
    const pending = deliveryRows(store, ep.endpoint.id).filter((d) => d.status !== 'delivered');
    expect(pending.length).toBe(events.length - delivered);
    worker({ scheduleMs: [0, 5, 5, 5], jitter: 0 }, store).start();
    await waitFor(() => deliveryRows(store, ep.endpoint.id).every((d) => d.status === 'delivered'), 10_000, 'the rest');
    expect(got.failures).toEqual([]);
    expect(got.verified).toEqual(events.map((e) => e.publicId));
    expect(deliveryRows(store, ep.endpoint.id).every((d) => d.status === 'delivered')).toBe(true);
  });

  it('disables the endpoint on 410 Gone, and resumes its queue when it is re-enabled', async () => {
    let gone = true;
    const got = await verifyingReceiver(() => [ep.secret], () => (gone ? 410 : 200));
    const ep = endpoint(t.store, { url: receiver!.url });
    const e1 = alertEvent(t.store);
    const w = worker();
    await w.runDue();
    const disabled = getEndpoint(t.store.sqlite, ep.endpoint.id)!;
    expect(disabled.enabled).toBe(false);
    expect(disabled.disabledReason).toMatch(/410 Gone/);
    // A disabled endpoint gets no new deliveries and sends nothing.
    alertEvent(t.store);
    expect(await w.runDue()).toBe(0);
    expect(deliveryRows(t.store, ep.endpoint.id)).toHaveLength(1);
    gone = false;
    updateEndpoint(t.store.sqlite, ep.endpoint.id, { enabled: true });
    expect(getEndpoint(t.store.sqlite, ep.endpoint.id)!.disabledReason).toBeNull();
    await w.runDue();
    expect(got.verified).toEqual([e1.publicId]);
  });

  it('dead-letters a delivery after its last attempt, then delivers the next one', async () => {
    let clock = new Date();
    const [bad, good] = [alertEvent(t.store, 'f1', {}, clock.toISOString()), alertEvent(t.store, 'f1', {}, clock.toISOString())];
    const got = await verifyingReceiver(() => [ep.secret], (_n, id) => (id === bad.publicId ? 500 : 200));
    const ep = endpoint(t.store, { url: receiver!.url });
    // The endpoint was created after the events: replay them into its queue.
    enqueueDeliveries(t.store.sqlite, bad);
    enqueueDeliveries(t.store.sqlite, good);
    const w = worker({ now: () => clock, scheduleMs: [0, 1000, 2000], jitter: 0 });
    await w.runDue();
    expect(got.calls).toEqual([bad.publicId]);
    clock = new Date(clock.getTime() + 1000);
    await w.runDue();
    clock = new Date(clock.getTime() + 2000);
    await w.runDue();
    const rows = deliveryRows(t.store, ep.endpoint.id);
    expect(rows.map((d) => [d.status, d.attempts])).toEqual([
      ['dead', 3],
      ['delivered', 1],
    ]);
    expect(rows[0].last_error).toBe('HTTP 500');
    expect(got.calls).toEqual([bad.publicId, bad.publicId, bad.publicId, good.publicId]);
  });

  it('follows the documented schedule (immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h), with jitter', async () => {
    receiver = await startServer(() => ({ status: 500, body: 'no' }));
    const start = new Date();
    let clock = start;
    const ep = endpoint(t.store, { url: receiver.url });
    alertEvent(t.store, 'f1', {}, start.toISOString());
    const w = worker({ now: () => clock, random: () => 1, disableAfterMs: Number.POSITIVE_INFINITY }); // +20 %, the far edge
    for (let i = 0; i < 20; i++) {
      await w.runDue();
      const next = deliveryRows(t.store, ep.endpoint.id)[0].next_attempt_at;
      if (!next) break;
      clock = new Date(next);
    }
    const d = listDeliveries(t.store.sqlite, ep.endpoint.id)[0];
    expect(d.status).toBe('dead');
    expect(d.attempts).toBe(RETRY_SCHEDULE_MS.length);
    const gaps = d.log.slice(1).map((a, i) => Date.parse(a.at) - Date.parse(d.log[i].at));
    expect(gaps).toEqual(RETRY_SCHEDULE_MS.slice(1).map((ms) => Math.round(ms * 1.2)));
    expect(RETRY_SCHEDULE_MS).toEqual([0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
  });

  it('disables an endpoint whose deliveries failed continuously for more than 3 days, and says why', async () => {
    receiver = await startServer(() => ({ status: 502, body: 'bad gateway' }));
    const start = new Date('2026-11-01T00:00:00.000Z');
    let clock = start;
    const ep = endpoint(t.store, { url: receiver.url });
    for (let i = 0; i < 5; i++) alertEvent(t.store, 'f1', {}, start.toISOString());
    const w = worker({ now: () => clock, random: () => 0.5 });
    let disabledAt: Date | null = null;
    for (let i = 0; i < 100 && !disabledAt; i++) {
      await w.runDue();
      const e = getEndpoint(t.store.sqlite, ep.endpoint.id)!;
      if (!e.enabled) disabledAt = clock;
      // The head of the queue decides when the next attempt is.
      const next = deliveryRows(t.store, ep.endpoint.id).find((d) => d.status === 'pending' || d.status === 'failed')!.next_attempt_at!;
      clock = new Date(next);
    }
    expect(disabledAt).not.toBeNull();
    const e = getEndpoint(t.store.sqlite, ep.endpoint.id)!;
    expect(e.failingSince).toBe(start.toISOString());
    expect(e.disabledReason).toMatch(/failed continuously since 2026-11-01T00:00:00.000Z \(more than 3 days\); last error: HTTP 502/);
    expect(disabledAt!.getTime() - start.getTime()).toBeGreaterThan(3 * 86_400_000);
    // The two first were dead-lettered on the way (about 28 h each); the rest wait for re-enabling.
    expect(deliveryRows(t.store, ep.endpoint.id).map((d) => d.status)).toEqual(['dead', 'dead', 'failed', 'pending', 'pending']);
  });

  it('keeps deliveries verifiable through a secret rotation: both secrets sign during the overlap', async () => {
    let accept: string[] = [];
    const got = await verifyingReceiver(() => accept);
    const ep = endpoint(t.store, { url: receiver!.url });
    const old = ep.secret;
    const rotated = rotateSecret(t.store.sqlite, ep.endpoint.id, 3600)!;
    const w = worker();
    // A receiver still on the old secret, then one already on the new secret.
    accept = [old];
    const e1 = alertEvent(t.store);
    await w.runDue();
    accept = [rotated.secret];
    const e2 = alertEvent(t.store);
    await w.runDue();
    expect(got.failures).toEqual([]);
    expect(got.verified).toEqual([e1.publicId, e2.publicId]);
    expect(String(receiver!.requests[0].headers['webhook-signature']).split(' ')).toHaveLength(2);
    // Rotating again with no overlap: only the newest secret signs.
    const again = rotateSecret(t.store.sqlite, ep.endpoint.id, 0)!;
    accept = [rotated.secret];
    alertEvent(t.store);
    await w.runDue();
    expect(got.failures).toHaveLength(1);
    accept = [again.secret];
    expect(String(receiver!.requests.at(-1)!.headers['webhook-signature']).split(' ')).toHaveLength(1);
  });

  it('treats a redirect as a failure and does not follow it', async () => {
    receiver = await startServer(() => ({ status: 302, headers: { location: '/elsewhere' }, body: '' }));
    const ep = endpoint(t.store, { url: `${receiver.url}/hook` });
    alertEvent(t.store);
    await worker().runDue();
    expect(receiver.requests.map((r) => r.url)).toEqual(['/hook']);
    const d = listDeliveries(t.store.sqlite, ep.endpoint.id)[0];
    expect(d).toMatchObject({ status: 'failed', lastStatusCode: 302, lastError: 'HTTP 302 (redirects are not followed)' });
  });

  it('times out a slow receiver and keeps only the first 4 KB of an answer', async () => {
    receiver = await startServer(async (req) => {
      if (req.url === '/slow') await new Promise((r) => setTimeout(r, 1000));
      return { status: 500, body: 'x'.repeat(100_000) };
    });
    const slow = endpoint(t.store, { url: `${receiver.url}/slow` });
    const big = endpoint(t.store, { url: `${receiver.url}/big` });
    alertEvent(t.store);
    await worker({ timeoutMs: 200 }).runDue();
    expect(listDeliveries(t.store.sqlite, slow.endpoint.id)[0]).toMatchObject({ lastStatusCode: null, lastError: 'timed out after 0.2 s' });
    const d = listDeliveries(t.store.sqlite, big.endpoint.id)[0];
    expect(d.log[0].responseBody).toHaveLength(4096);
  });

  it('refuses at delivery time a URL that was stored but is not allowed, and dials nothing', async () => {
    const ep = endpoint(t.store, { url: 'https://10.0.0.1/hook' });
    alertEvent(t.store);
    const dialled: string[] = [];
    const guard = loopbackGuard();
    const dispatcher = createGuardedDispatcher(guard, (opts, cb) => {
      dialled.push(opts.hostname);
      cb(new Error('stub'), null);
    });
    cleanups.push(() => dispatcher.close());
    await worker({ dispatcher }).runDue();
    expect(dialled).toEqual([]);
    expect(listDeliveries(t.store.sqlite, ep.endpoint.id)[0].lastError).toMatch(/^refused: the address 10.0.0.1 is a private address/);
  });
});

describe('the outbox', () => {
  it("queues a firm's events for its own endpoints and adviser-level ones; tender.published for adviser-level only", () => {
    const sqlite = t.store.sqlite;
    const f1 = endpoint(t.store, { url: 'https://a.example/' }).endpoint.id;
    const f2 = endpoint(t.store, { url: 'https://b.example/', firmId: 'f2' }).endpoint.id;
    const adviser = endpoint(t.store, { url: 'https://c.example/', firmId: null, eventTypes: ['alert.created', 'tender.published'] }).endpoint.id;
    const onlyCancelled = endpoint(t.store, { url: 'https://d.example/', eventTypes: ['alert.cancelled'] }).endpoint.id;
    const disabled = endpoint(t.store, { url: 'https://e.example/', enabled: false }).endpoint.id;
    // A firm endpoint that somehow lists tender.published still never gets it.
    const sneaky = endpoint(t.store, { url: 'https://f.example/', eventTypes: ['tender.published', 'alert.created'] }).endpoint.id;
    const queued = (ev: { id: number }) =>
      (sqlite.prepare(`SELECT endpoint_id FROM webhook_deliveries WHERE event_id = ? ORDER BY endpoint_id`).all(ev.id) as { endpoint_id: string }[]).map((r) => r.endpoint_id);

    expect(queued(alertEvent(t.store, 'f1'))).toEqual([f1, adviser, sneaky].sort());
    expect(queued(alertEvent(t.store, 'f2'))).toEqual([f2, adviser].sort());
    expect(queued(alertEvent(t.store, 'f1', { type: 'alert.cancelled' }))).toEqual([f1, onlyCancelled].sort());
    const published = sqlite.transaction(() => recordEvent(sqlite, { type: 'tender.published', firmId: null, tenderId: 1, data: { tender: { id: 1 } } }))();
    expect(queued(published)).toEqual([adviser]);
    expect(queued(alertEvent(t.store, 'f1'))).not.toContain(disabled);
  });

  it('writes nothing when the event transaction rolls back', () => {
    endpoint(t.store, { url: 'https://a.example/' });
    const sqlite = t.store.sqlite;
    expect(() =>
      sqlite.transaction(() => {
        recordEvent(sqlite, { type: 'alert.created', firmId: 'f1', data: {} });
        throw new Error('the change failed');
      })(),
    ).toThrow('the change failed');
    expect(sqlite.prepare('SELECT count(*) AS n FROM webhook_deliveries').get()).toEqual({ n: 0 });
    expect(sqlite.prepare('SELECT count(*) AS n FROM events').get()).toEqual({ n: 0 });
  });
});
