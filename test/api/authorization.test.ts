/**
 * Walks every route of the API with each kind of caller and asserts the status. A route added
 * without a row here fails the test: access control is decided, never defaulted.
 */
import { describe, expect, it } from 'vitest';
import { openStore } from '../../db/client.js';
import { buildApp } from '../../src/app.js';
import { createApiKey, revokeKey } from '../../src/auth/keys.js';
import { rotateFeedToken } from '../../src/alerts/feeds.js';
import { decide } from '../../src/alerts/service.js';
import { createFirm } from '../../src/firms/repository.js';
import { createIngestor } from '../../src/ingest/ingest.js';
import { runMatch } from '../../src/matching/matcher.js';
import { createRecipient } from '../../src/notifications/recipients.js';
import { movePursuit } from '../../src/pipeline/service.js';
import { unsubscribeToken } from '../../src/notifications/unsubscribe.js';
import { createEndpoint } from '../../src/webhooks/endpoints.js';
import { fakeSource, raw, tender } from '../helpers/fake-source.js';
import { testConfig } from '../helpers/store.js';

const CALLERS = ['admin', 'adviser', 'firm', 'otherFirm', 'none', 'revoked'] as const;
type Caller = (typeof CALLERS)[number];
type Expect = Record<Caller, number>;

/** A store with two firms, a tender, alerts and a proposed match for each, and one key per caller. */
async function fixture() {
  const store = openStore(':memory:');
  const sqlite = store.sqlite;
  createFirm(sqlite, { id: 'f1', name: 'Solar One', keywords: ['solar PV'] });
  createFirm(sqlite, { id: 'f2', name: 'Solar Two', keywords: ['solar PV'] });
  const ing = createIngestor(sqlite, fakeSource('fake', () => []), { runId: null });
  ing.ingestBatch([
    raw(tender({ sourceId: 't1', title: 'Solar PV for clinics', deadline: { at: '2099-01-01T00:00:00.000Z', raw: '2099', zone: null, zoneKnown: false } })),
    raw(tender({ sourceId: 't2', title: 'Solar PV for schools', deadline: { at: '2099-01-01T00:00:00.000Z', raw: '2099', zone: null, zoneKnown: false } })),
  ]);
  runMatch(sqlite);
  const m = (firm: string, tid: number) => (sqlite.prepare('SELECT id FROM matches WHERE firm_id = ? AND tender_id = ?').get(firm, tid) as { id: number }).id;
  const admin = createApiKey(sqlite, { role: 'admin' });
  // Refused at send time under the test config (no allowed networks), so nothing is dialled.
  const webhook = createEndpoint(sqlite, { firmId: 'f1', url: 'http://127.0.0.1:9/hook', eventTypes: ['alert.created'] }).endpoint.id;
  decide(sqlite, [{ matchId: m('f1', 1), action: 'approve' }, { matchId: m('f2', 1), action: 'approve' }], { id: admin.record.id, role: 'admin' });
  const keys: Record<Caller, string | null> = {
    admin: admin.key,
    adviser: createApiKey(sqlite, { role: 'adviser' }).key,
    firm: createApiKey(sqlite, { role: 'firm', firmId: 'f1' }).key,
    otherFirm: createApiKey(sqlite, { role: 'firm', firmId: 'f2' }).key,
    none: null,
    revoked: null,
  };
  const revoked = createApiKey(sqlite, { role: 'admin' });
  revokeKey(sqlite, revoked.record.id);
  keys.revoked = revoked.key;
  const spareKey = createApiKey(sqlite, { role: 'adviser' }).record.id;
  const pursuit = movePursuit(sqlite, 'f1', m('f1', 1), { stage: 'interested' }, { id: admin.record.id, role: 'admin' }).pursuit.id;
  const feedToken = rotateFeedToken(sqlite, 'f1')!;
  const recipient = createRecipient(sqlite, 'f1', { email: 'bids@solar-one.example' });
  const unsubscribe = unsubscribeToken(sqlite, testConfig(), recipient);
  const app = await buildApp({ config: testConfig(), store, sources: [fakeSource('fake', () => [])] });
  const delivery = (sqlite.prepare('SELECT min(id) AS id FROM webhook_deliveries').get() as { id: number }).id;
  return { app, store, keys, ids: { alertF1: m('f1', 1), proposedF1: m('f1', 2), pursuit, spareKey, feedToken, webhook, delivery, recipient: recipient.id, unsubscribe } };
}
type Ids = Awaited<ReturnType<typeof fixture>>['ids'];

interface Row {
  method: string;
  url: string;
  /** Concrete request: path (f1's resources) and body. */
  request: (ids: Ids) => { url: string; body?: unknown };
  expect: Expect;
}

const any = (ok: number): Expect => ({ admin: ok, adviser: ok, firm: ok, otherFirm: ok, none: 401, revoked: 401 });
const advisers = (ok: number): Expect => ({ admin: ok, adviser: ok, firm: 403, otherFirm: 403, none: 401, revoked: 401 });
const adminOnly = (ok: number): Expect => ({ admin: ok, adviser: 403, firm: 403, otherFirm: 403, none: 401, revoked: 401 });
/** f1's own data: the other firm gets 404, exactly like an id that does not exist. */
const ownFirm = (ok: number): Expect => ({ admin: ok, adviser: ok, firm: ok, otherFirm: 404, none: 401, revoked: 401 });
const everyone = (ok: number): Expect => ({ admin: ok, adviser: ok, firm: ok, otherFirm: ok, none: ok, revoked: ok });

const ROWS: Row[] = [
  { method: 'GET', url: '/health', request: () => ({ url: '/health' }), expect: everyone(200) },
  { method: 'GET', url: '/metrics', request: () => ({ url: '/metrics' }), expect: everyone(200) },
  { method: 'GET', url: '/tenders', request: () => ({ url: '/tenders' }), expect: any(200) },
  { method: 'GET', url: '/tenders/:id', request: () => ({ url: '/tenders/1' }), expect: any(200) },
  { method: 'POST', url: '/tenders/:id/unlink', request: () => ({ url: '/tenders/1/unlink' }), expect: advisers(200) },
  { method: 'GET', url: '/sources', request: () => ({ url: '/sources' }), expect: any(200) },
  { method: 'POST', url: '/firms', request: () => ({ url: '/firms', body: { name: 'New Firm', keywords: ['pumps'] } }), expect: advisers(201) },
  { method: 'GET', url: '/firms', request: () => ({ url: '/firms' }), expect: any(200) },
  { method: 'GET', url: '/firms/:id', request: () => ({ url: '/firms/f1' }), expect: ownFirm(200) },
  { method: 'PATCH', url: '/firms/:id', request: () => ({ url: '/firms/f1', body: { keywords: ['solar PV', 'mini-grid'] } }), expect: ownFirm(200) },
  { method: 'DELETE', url: '/firms/:id', request: () => ({ url: '/firms/f1' }), expect: advisers(204) },
  { method: 'GET', url: '/keys', request: () => ({ url: '/keys' }), expect: adminOnly(200) },
  { method: 'POST', url: '/keys', request: () => ({ url: '/keys', body: { role: 'firm', firmId: 'f1' } }), expect: adminOnly(201) },
  { method: 'DELETE', url: '/keys/:id', request: (i) => ({ url: `/keys/${i.spareKey}` }), expect: adminOnly(204) },
  { method: 'GET', url: '/curation/queue', request: () => ({ url: '/curation/queue' }), expect: advisers(200) },
  { method: 'POST', url: '/curation/matches/:id/approve', request: (i) => ({ url: `/curation/matches/${i.proposedF1}/approve`, body: { note: 'good fit' } }), expect: advisers(200) },
  { method: 'POST', url: '/curation/matches/:id/reject', request: (i) => ({ url: `/curation/matches/${i.proposedF1}/reject`, body: { reasonCode: 'not_relevant' } }), expect: advisers(200) },
  { method: 'POST', url: '/curation/bulk', request: (i) => ({ url: '/curation/bulk', body: { decisions: [{ matchId: i.proposedF1, action: 'approve' }] } }), expect: advisers(200) },
  { method: 'POST', url: '/tenders/:id/recommend', request: () => ({ url: '/tenders/2/recommend', body: { firmIds: ['f2'], note: 'look' } }), expect: advisers(200) },
  { method: 'PUT', url: '/firms/:id/auto-publish', request: () => ({ url: '/firms/f1/auto-publish', body: { threshold: 0.9 } }), expect: advisers(200) },
  { method: 'GET', url: '/curation/actions', request: () => ({ url: '/curation/actions' }), expect: advisers(200) },
  { method: 'GET', url: '/firms/:id/alerts', request: () => ({ url: '/firms/f1/alerts' }), expect: ownFirm(200) },
  { method: 'GET', url: '/firms/:id/alerts/:alertId', request: (i) => ({ url: `/firms/f1/alerts/${i.alertF1}` }), expect: ownFirm(200) },
  { method: 'POST', url: '/firms/:id/alerts/:alertId/feedback', request: (i) => ({ url: `/firms/f1/alerts/${i.alertF1}/feedback`, body: { state: 'interested' } }), expect: ownFirm(200) },
  { method: 'POST', url: '/firms/:id/feed-token', request: () => ({ url: '/firms/f1/feed-token' }), expect: ownFirm(201) },
  { method: 'DELETE', url: '/firms/:id/feed-token', request: () => ({ url: '/firms/f1/feed-token' }), expect: ownFirm(204) },
  { method: 'GET', url: '/feeds/:token/alerts.atom', request: (i) => ({ url: `/feeds/${i.feedToken}/alerts.atom` }), expect: everyone(200) },
  { method: 'GET', url: '/feeds/:token/deadlines.ics', request: (i) => ({ url: `/feeds/${i.feedToken}/deadlines.ics` }), expect: everyone(200) },
  { method: 'GET', url: '/webhooks/event-types', request: () => ({ url: '/webhooks/event-types' }), expect: any(200) },
  { method: 'GET', url: '/webhooks', request: () => ({ url: '/webhooks' }), expect: any(200) },
  // An address literal: saving it asks no DNS and connects to nothing.
  { method: 'POST', url: '/webhooks', request: () => ({ url: '/webhooks', body: { url: 'https://93.184.216.34/hook', eventTypes: ['alert.created'], firmId: 'f1' } }), expect: ownFirm(201) },
  { method: 'GET', url: '/webhooks/:id', request: (i) => ({ url: `/webhooks/${i.webhook}` }), expect: ownFirm(200) },
  { method: 'PATCH', url: '/webhooks/:id', request: (i) => ({ url: `/webhooks/${i.webhook}`, body: { description: 'x' } }), expect: ownFirm(200) },
  { method: 'DELETE', url: '/webhooks/:id', request: (i) => ({ url: `/webhooks/${i.webhook}` }), expect: ownFirm(204) },
  { method: 'GET', url: '/webhooks/:id/deliveries', request: (i) => ({ url: `/webhooks/${i.webhook}/deliveries` }), expect: ownFirm(200) },
  { method: 'POST', url: '/webhooks/:id/deliveries/:deliveryId/retry', request: (i) => ({ url: `/webhooks/${i.webhook}/deliveries/${i.delivery}/retry` }), expect: ownFirm(202) },
  { method: 'POST', url: '/webhooks/:id/replay', request: (i) => ({ url: `/webhooks/${i.webhook}/replay`, body: { from: '2000-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z' } }), expect: ownFirm(202) },
  { method: 'POST', url: '/webhooks/:id/rotate-secret', request: (i) => ({ url: `/webhooks/${i.webhook}/rotate-secret`, body: { overlapSeconds: 60 } }), expect: ownFirm(200) },
  { method: 'POST', url: '/webhooks/:id/ping', request: (i) => ({ url: `/webhooks/${i.webhook}/ping` }), expect: ownFirm(200) },
  { method: 'GET', url: '/firms/:id/recipients', request: () => ({ url: '/firms/f1/recipients' }), expect: ownFirm(200) },
  { method: 'POST', url: '/firms/:id/recipients', request: () => ({ url: '/firms/f1/recipients', body: { email: 'tenders@solar-one.example', language: 'en' } }), expect: ownFirm(201) },
  { method: 'PATCH', url: '/firms/:id/recipients/:recipientId', request: (i) => ({ url: `/firms/f1/recipients/${i.recipient}`, body: { cadence: 'weekly' } }), expect: ownFirm(200) },
  { method: 'DELETE', url: '/firms/:id/recipients/:recipientId', request: (i) => ({ url: `/firms/f1/recipients/${i.recipient}` }), expect: ownFirm(204) },
  { method: 'GET', url: '/unsubscribe/:token', request: (i) => ({ url: `/unsubscribe/${i.unsubscribe}` }), expect: everyone(200) },
  { method: 'POST', url: '/unsubscribe/:token', request: (i) => ({ url: `/unsubscribe/${i.unsubscribe}` }), expect: everyone(200) },
  { method: 'GET', url: '/firms/:id/pipeline', request: () => ({ url: '/firms/f1/pipeline' }), expect: ownFirm(200) },
  { method: 'GET', url: '/pipeline', request: () => ({ url: '/pipeline?assignee=me' }), expect: advisers(200) },
  { method: 'POST', url: '/firms/:id/alerts/:alertId/pursuit', request: (i) => ({ url: `/firms/f1/alerts/${i.alertF1}/pursuit`, body: { stage: 'preparing', note: 'pricing with the partner' } }), expect: ownFirm(200) },
  { method: 'GET', url: '/firms/:id/pipeline/:pursuitId', request: (i) => ({ url: `/firms/f1/pipeline/${i.pursuit}` }), expect: ownFirm(200) },
  { method: 'POST', url: '/firms/:id/pipeline/:pursuitId/assign', request: (i) => ({ url: `/firms/f1/pipeline/${i.pursuit}/assign` }), expect: advisers(200) },
  { method: 'GET', url: '/firms/:id/report', request: () => ({ url: '/firms/f1/report?from=2026-01-01&to=2026-12-31' }), expect: ownFirm(200) },
  { method: 'GET', url: '/reports/pipeline', request: () => ({ url: '/reports/pipeline?firm=f1&format=csv' }), expect: ownFirm(200) },
];

/**
 * Routes that are not part of the API: the docs UI's static files, and the adviser console,
 * which answers to console sessions, not API keys (its own walk is in test/console/console.test.ts).
 */
const isDocs = (url: string) => url === '/docs' || url.startsWith('/docs/') || url === '/console' || url.startsWith('/console/');

describe('authorization of every route', () => {
  it('has a row for every route the app registers', async () => {
    const { app, store } = await fixture();
    const missing = app.routeTable
      .filter((r) => !isDocs(r.url))
      .filter((r) => !ROWS.some((row) => row.method === r.method && row.url === r.url))
      .map((r) => `${r.method} ${r.url}`);
    await app.close();
    store.close();
    expect(missing, 'routes without an authorization row').toEqual([]);
  });

  for (const row of ROWS) {
    it(`${row.method} ${row.url}`, async () => {
      const got: Partial<Expect> = {};
      for (const caller of CALLERS) {
        const { app, store, keys, ids } = await fixture();
        const req = row.request(ids);
        const key = keys[caller];
        const r = await app.inject({
          method: row.method as 'GET',
          url: req.url,
          headers: key ? { authorization: `Bearer ${key}` } : {},
          ...(req.body !== undefined ? { payload: req.body as object } : {}),
        });
        got[caller] = r.statusCode;
        if (r.statusCode >= 400) {
          // Every refusal has the one error shape.
          expect(r.json()).toMatchObject({ statusCode: r.statusCode, error: expect.any(String), message: expect.any(String) });
        }
        await app.close();
        store.close();
      }
      expect(got).toEqual(row.expect);
    });
  }
});
