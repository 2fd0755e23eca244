/**
 * A store with something behind every route — two firms, tenders, proposed and published
 * matches, a webhook endpoint with a delivery, a feed token, a recipient — and an API key for
 * every kind of caller, like test/api/authorization.test.ts. Rate limits are lifted: the
 * scenarios send thousands of requests a second from one key.
 */
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import type { FastifyServerOptions } from 'fastify';
import { openStore, schema } from '../../db/client.js';
import { buildApp } from '../../src/app.js';
import { rotateFeedToken } from '../../src/alerts/feeds.js';
import { decide } from '../../src/alerts/service.js';
import { createApiKey, revokeKey } from '../../src/auth/keys.js';
import type { Config } from '../../src/config.js';
import { createFirm } from '../../src/firms/repository.js';
import { createIngestor } from '../../src/ingest/ingest.js';
import { runMatch } from '../../src/matching/matcher.js';
import { createRecipient } from '../../src/notifications/recipients.js';
import { unsubscribeToken } from '../../src/notifications/unsubscribe.js';
import { createEndpoint } from '../../src/webhooks/endpoints.js';
import { fakeSource, raw, tender } from '../helpers/fake-source.js';
import { testConfig } from '../helpers/store.js';

export const CALLERS = ['admin', 'adviser', 'firm', 'otherFirm', 'revoked', 'malformed', 'none'] as const;
export type Caller = (typeof CALLERS)[number];

const FAR = { at: '2099-01-01T00:00:00.000Z', raw: '2099', zone: null, zoneKnown: false };

export interface FixtureOptions {
  /** A file path (load test, child processes) or `:memory:` (default). */
  file?: string;
  config?: Config;
  logger?: FastifyServerOptions['logger'];
  tenders?: number;
  /** Run the webhook delivery worker (off by default, as in every other test). */
  webhookWorker?: boolean;
}

export async function apiFixture(opts: FixtureOptions = {}) {
  const store = openStore(opts.file ?? ':memory:');
  const sqlite = store.sqlite;
  createFirm(sqlite, { id: 'f1', name: 'Solar One', keywords: ['solar PV'] });
  createFirm(sqlite, { id: 'f2', name: 'Solar Two', keywords: ['solar PV'] });
  const ing = createIngestor(sqlite, fakeSource('fake', () => []), { runId: null });
  const titles = ['Solar PV for clinics', 'Solar PV for schools', 'Water pumps for farms', 'LED street lighting'];
  const n = opts.tenders ?? 4;
  ing.ingestBatch(Array.from({ length: n }, (_, i) => raw(tender({ sourceId: `t${i + 1}`, title: `${titles[i % titles.length]} ${i + 1}`, deadline: FAR }))));
  runMatch(sqlite);
  const matchId = (firm: string, tid: number) => (sqlite.prepare('SELECT id FROM matches WHERE firm_id = ? AND tender_id = ?').get(firm, tid) as { id: number } | undefined)?.id ?? 1;
  const admin = createApiKey(sqlite, { role: 'admin' });
  const webhook = createEndpoint(sqlite, { firmId: 'f1', url: 'http://127.0.0.1:9/hook', eventTypes: ['alert.created'] });
  decide(sqlite, [{ matchId: matchId('f1', 1), action: 'approve' }, { matchId: matchId('f2', 1), action: 'approve' }], { id: admin.record.id, role: 'admin' });
  const keys: Record<Caller, string | null> = {
    admin: admin.key,
    adviser: createApiKey(sqlite, { role: 'adviser' }).key,
    firm: createApiKey(sqlite, { role: 'firm', firmId: 'f1' }).key,
    otherFirm: createApiKey(sqlite, { role: 'firm', firmId: 'f2' }).key,
    revoked: null,
    malformed: 'gpk_000000000000_not-a-secret',
    none: null,
  };
  const revoked = createApiKey(sqlite, { role: 'admin' });
  revokeKey(sqlite, revoked.record.id);
  keys.revoked = revoked.key;
  const spareKey = createApiKey(sqlite, { role: 'adviser' }).record.id;
  const feedToken = rotateFeedToken(sqlite, 'f1')!;
  const config = opts.config ?? testConfig({ RATE_LIMIT_PER_MINUTE: '1000000' });
  const recipient = createRecipient(sqlite, 'f1', { email: 'bids@solar-one.example' });
  const unsubscribe = unsubscribeToken(sqlite, config, recipient);
  const delivery = (sqlite.prepare('SELECT min(id) AS id FROM webhook_deliveries').get() as { id: number | null }).id ?? 1;
  const app = await buildApp({ config, store, sources: [fakeSource('fake', () => [])], logger: opts.logger, webhookWorker: opts.webhookWorker });
  await app.ready();
  const ids = {
    tenders: [1, 2],
    firms: ['f1', 'f2'],
    matches: [matchId('f1', 1), matchId('f1', 2), matchId('f2', 2)],
    alerts: [matchId('f1', 1)],
    keys: [spareKey],
    webhooks: [webhook.endpoint.id],
    deliveries: [delivery],
    recipients: [recipient.id],
    feedTokens: [feedToken],
    unsubscribeTokens: [unsubscribe],
  };
  /** Values that name something real, by route parameter: the fuzz mixes them with generated ones. */
  const realParam = (url: string, param: string): readonly (string | number)[] => {
    if (param === 'alertId') return ids.alerts;
    if (param === 'recipientId') return ids.recipients;
    if (param === 'deliveryId') return ids.deliveries;
    if (url.startsWith('/feeds/')) return ids.feedTokens;
    if (url.startsWith('/unsubscribe/')) return ids.unsubscribeTokens;
    if (url.startsWith('/tenders/')) return ids.tenders;
    if (url.startsWith('/firms/')) return ids.firms;
    if (url.startsWith('/webhooks/')) return ids.webhooks;
    if (url.startsWith('/keys/')) return ids.keys;
    if (url.startsWith('/curation/matches/')) return ids.matches;
    return [];
  };
  const template = opts.file ? null : sqlite.serialize();
  return {
    app,
    store,
    keys,
    ids,
    realParam,
    /**
     * Puts the in-memory store back as it was built, under the same app: every route reads
     * `app.store.sqlite` when it answers, so a fresh connection is all it takes.
     */
    reset() {
      if (!template) throw new Error('reset() needs an in-memory fixture');
      const fresh = new Database(template);
      fresh.pragma('foreign_keys = ON');
      const old = store.sqlite;
      Object.assign(store, { sqlite: fresh, db: drizzle(fresh, { schema }), close: () => fresh.close() });
      old.close();
      return fresh;
    },
    /** Secrets this fixture made: none may appear in a log or an error answer. */
    secrets: [...Object.values(keys).filter((k): k is string => k !== null && k.length > 40), webhook.secret],
    close: async () => {
      await app.close();
      store.close();
    },
  };
}

export type ApiFixture = Awaited<ReturnType<typeof apiFixture>>;
