/**
 * The webhook routes through the app: who may do what, secrets shown once, URLs refused, the
 * delivery log, retry, replay, rotation and ping (to a real receiver on 127.0.0.1). URLs are
 * address literals only: the app's resolver is the system one, and these tests ask no DNS.
 */
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { openStore, type Store } from '../../db/client.js';
import { buildApp, type App } from '../../src/app.js';
import { createApiKey, revokeKey } from '../../src/auth/keys.js';
import { recordEvent } from '../../src/events/events.js';
import { createEndpoint } from '../../src/webhooks/endpoints.js';
import { bearer } from '../helpers/auth.js';
import { startServer } from '../helpers/http-server.js';
import { tempStore, testConfig } from '../helpers/store.js';
import { seedFirms } from './helpers.js';

const config = () => testConfig({ WEBHOOK_ALLOW_NETWORKS: '127.0.0.0/8' });
type Receiver = Awaited<ReturnType<typeof startServer>>;

describe('webhook routes: authorization', () => {
  const CALLERS = ['admin', 'adviser', 'firm', 'otherFirm', 'none', 'revoked'] as const;
  type Caller = (typeof CALLERS)[number];
  type Expect = Record<Caller, number>;
  const any = (ok: number): Expect => ({ admin: ok, adviser: ok, firm: ok, otherFirm: ok, none: 401, revoked: 401 });
  const ownFirm = (ok: number): Expect => ({ admin: ok, adviser: ok, firm: ok, otherFirm: 404, none: 401, revoked: 401 });
  const advisersOnly = (ok: number, firms: number): Expect => ({ admin: ok, adviser: ok, firm: firms, otherFirm: firms, none: 401, revoked: 401 });

  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startServer(() => ({ status: 200, body: 'ok' }));
  });
  afterAll(() => receiver.close());

  async function fixture() {
    const store = openStore(':memory:');
    seedFirms(store, 'f1', 'f2');
    const own = createEndpoint(store.sqlite, { firmId: 'f1', url: `${receiver.url}/f1`, eventTypes: ['alert.created'] }).endpoint.id;
    const adviser = createEndpoint(store.sqlite, { firmId: null, url: `${receiver.url}/all`, eventTypes: ['tender.published'] }).endpoint.id;
    const ev = recordEvent(store.sqlite, { type: 'alert.created', firmId: 'f1', data: {} });
    const delivery = (store.sqlite.prepare('SELECT id FROM webhook_deliveries WHERE event_id = ?').get(ev.id) as { id: number }).id;
    const revoked = createApiKey(store.sqlite, { role: 'admin' });
    revokeKey(store.sqlite, revoked.record.id);
    const keys: Record<Caller, string | null> = {
      admin: createApiKey(store.sqlite, { role: 'admin' }).key,
      adviser: createApiKey(store.sqlite, { role: 'adviser' }).key,
      firm: createApiKey(store.sqlite, { role: 'firm', firmId: 'f1' }).key,
      otherFirm: createApiKey(store.sqlite, { role: 'firm', firmId: 'f2' }).key,
      none: null,
      revoked: revoked.key,
    };
    const app = await buildApp({ config: config(), store, sources: [] });
    return { app, store, keys, ids: { own, adviser, delivery } };
  }
  type Ids = Awaited<ReturnType<typeof fixture>>['ids'];

  const ROWS: { name: string; method: string; request: (i: Ids) => { url: string; body?: unknown }; expect: Expect }[] = [
    { name: 'GET /webhooks/event-types', method: 'GET', request: () => ({ url: '/webhooks/event-types' }), expect: any(200) },
    { name: "POST /webhooks (f1's)", method: 'POST', request: () => ({ url: '/webhooks', body: { url: `${receiver.url}/new`, eventTypes: ['alert.created'], firmId: 'f1' } }), expect: ownFirm(201) },
    { name: 'POST /webhooks (own firm implied)', method: 'POST', request: () => ({ url: '/webhooks', body: { url: `${receiver.url}/new`, eventTypes: ['alert.created'] } }), expect: any(201) },
    { name: 'POST /webhooks (adviser-level)', method: 'POST', request: () => ({ url: '/webhooks', body: { url: `${receiver.url}/new`, eventTypes: ['tender.published'], firmId: null } }), expect: advisersOnly(201, 403) },
    { name: 'GET /webhooks', method: 'GET', request: () => ({ url: '/webhooks' }), expect: any(200) },
    { name: 'GET /webhooks/:id', method: 'GET', request: (i) => ({ url: `/webhooks/${i.own}` }), expect: ownFirm(200) },
    { name: 'GET /webhooks/:id (adviser-level)', method: 'GET', request: (i) => ({ url: `/webhooks/${i.adviser}` }), expect: advisersOnly(200, 404) },
    { name: 'PATCH /webhooks/:id', method: 'PATCH', request: (i) => ({ url: `/webhooks/${i.own}`, body: { description: 'ours' } }), expect: ownFirm(200) },
    { name: 'PATCH /webhooks/:id (adviser-level)', method: 'PATCH', request: (i) => ({ url: `/webhooks/${i.adviser}`, body: { enabled: false } }), expect: advisersOnly(200, 404) },
    { name: 'DELETE /webhooks/:id', method: 'DELETE', request: (i) => ({ url: `/webhooks/${i.own}` }), expect: ownFirm(204) },
    { name: 'GET /webhooks/:id/deliveries', method: 'GET', request: (i) => ({ url: `/webhooks/${i.own}/deliveries` }), expect: ownFirm(200) },
    { name: 'POST /webhooks/:id/deliveries/:deliveryId/retry', method: 'POST', request: (i) => ({ url: `/webhooks/${i.own}/deliveries/${i.delivery}/retry` }), expect: ownFirm(202) },
    { name: 'POST /webhooks/:id/replay', method: 'POST', request: (i) => ({ url: `/webhooks/${i.own}/replay`, body: { from: '2000-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z' } }), expect: ownFirm(202) },
    { name: 'POST /webhooks/:id/rotate-secret', method: 'POST', request: (i) => ({ url: `/webhooks/${i.own}/rotate-secret`, body: { overlapSeconds: 60 } }), expect: ownFirm(200) },
    { name: 'POST /webhooks/:id/ping', method: 'POST', request: (i) => ({ url: `/webhooks/${i.own}/ping` }), expect: ownFirm(200) },
    { name: 'POST /webhooks/:id/ping (adviser-level)', method: 'POST', request: (i) => ({ url: `/webhooks/${i.adviser}/ping` }), expect: advisersOnly(200, 404) },
  ];

  it('has a row for every webhook route', async () => {
    const { app, store } = await fixture();
    const registered = app.routeTable.filter((r) => r.url.startsWith('/webhooks')).map((r) => `${r.method} ${r.url}`);
    await app.close();
    store.close();
    const covered = new Set(ROWS.map((r) => r.name.split(' ').slice(0, 2).join(' ')));
    expect(registered.length).toBe(11);
    expect(registered.filter((r) => !covered.has(r))).toEqual([]);
  });

  for (const row of ROWS) {
    it(row.name, async () => {
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
        if (r.statusCode >= 400) expect(r.json()).toMatchObject({ statusCode: r.statusCode, error: expect.any(String), message: expect.any(String) });
        await app.close();
        store.close();
      }
      expect(got).toEqual(row.expect);
    });
  }
});

describe('webhook routes', () => {
  let t: ReturnType<typeof tempStore>;
  let app: App;
  let store: Store;
  let receiver: Receiver;
  let adviser: { authorization: string };
  let firm: { authorization: string };
  const logs: string[] = [];

  beforeAll(async () => {
    t = tempStore();
    store = t.store;
    seedFirms(store, 'f1', 'f2');
    receiver = await startServer(() => ({ status: 200, body: 'ok' }));
    const sink = new Writable({ write: (chunk, _enc, cb) => (logs.push(String(chunk)), cb()) });
    app = await buildApp({ config: config(), store, sources: [], logger: { level: 'trace', stream: sink } });
    adviser = bearer(store, 'adviser');
    firm = bearer(store, 'firm', 'f1');
  });
  afterAll(async () => {
    await app.close();
    await receiver.close();
    t.cleanup();
  });
  afterEach(() => {
    receiver.requests.length = 0;
  });

  const call = async (method: string, url: string, headers: object, payload?: object) => {
    const r = await app.inject({ method: method as 'GET', url, headers: headers as Record<string, string>, ...(payload ? { payload } : {}) });
    return { status: r.statusCode, body: r.body ? r.json() : null, raw: r.body };
  };
  const create = (headers: object, body: object) => call('POST', '/webhooks', headers, body);

  it('creates an endpoint bound to the firm of a firm key, and shows its secret only then', async () => {
    const r = await create(firm, { url: `${receiver.url}/hook`, eventTypes: ['alert.created', 'alert.updated'], description: 'ERP' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ firmId: 'f1', enabled: true, eventTypes: ['alert.created', 'alert.updated'], disabledReason: null });
    expect(r.body.id).toMatch(/^wh_[0-9a-f]{24}$/);
    expect(r.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const secret = r.body.secret as string;
    const one = await call('GET', `/webhooks/${r.body.id}`, firm);
    const list = await call('GET', '/webhooks', adviser);
    const log = await call('GET', `/webhooks/${r.body.id}/deliveries`, firm);
    for (const x of [one, list, log]) {
      expect(x.status).toBe(200);
      expect(x.raw).not.toContain(secret.slice(6));
    }
    expect(one.body.secret).toBeUndefined();
    expect(logs.join('')).not.toContain(secret.slice(6));
  });

  it.each([
    ['https://10.0.0.1/hook', /private/],
    ['http://169.254.169.254/latest/meta-data/', /link-local/],
    ['http://[::ffff:127.0.0.1]/', /IPv4-mapped/],
    ['https://user:secret@127.0.0.1/', /credentials/],
    ['ftp://127.0.0.1/', /https/],
  ])('refuses to save %s', async (url, why) => {
    const r = await create(adviser, { url, eventTypes: ['alert.created'] });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(r.body.message).toMatch(/^body parameter url: /);
    expect(r.body.message).toMatch(why);
  });

  it('refuses loopback without WEBHOOK_ALLOW_NETWORKS, however it is spelt', async () => {
    const strict = await buildApp({ config: testConfig(), store, sources: [] });
    try {
      for (const url of ['http://2130706433/', 'http://127.0.0.1:8080/', 'http://0/', 'https://localhost./']) {
        const r = await strict.inject({ method: 'POST', url: '/webhooks', headers: adviser, payload: { url, eventTypes: ['alert.created'] } });
        expect(r.statusCode, url).toBe(400);
      }
    } finally {
      await strict.close();
    }
  });

  it('keeps tender.published for adviser-level endpoints, and firms to their own', async () => {
    expect((await create(firm, { url: receiver.url, eventTypes: ['tender.published'] })).status).toBe(400);
    expect((await create(adviser, { url: receiver.url, eventTypes: ['tender.published'], firmId: 'f2' })).status).toBe(400);
    expect((await create(firm, { url: receiver.url, eventTypes: ['alert.created'], firmId: 'f2' })).status).toBe(404);
    expect((await create(firm, { url: receiver.url, eventTypes: ['alert.created'], firmId: null })).status).toBe(403);
    expect((await create(adviser, { url: receiver.url, eventTypes: ['alert.created'], firmId: 'nope' })).status).toBe(400);
    const level = await create(adviser, { url: receiver.url, eventTypes: ['tender.published', 'alert.cancelled'] });
    expect(level.status).toBe(201);
    expect(level.body.firmId).toBeNull();
    const patch = await call('PATCH', `/webhooks/${(await create(firm, { url: receiver.url, eventTypes: ['alert.created'] })).body.id}`, firm, { eventTypes: ['tender.published'] });
    expect(patch.status).toBe(400);
    const mine = await call('GET', '/webhooks', firm);
    expect(mine.body.items.every((e: { firmId: string }) => e.firmId === 'f1')).toBe(true);
    const f2 = await call('GET', '/webhooks?firmId=f2', adviser);
    expect(f2.body.items).toEqual([]);
  });

  it('disables and re-enables by PATCH, saying why it is disabled', async () => {
    const { body } = await create(firm, { url: receiver.url, eventTypes: ['alert.created'] });
    const off = await call('PATCH', `/webhooks/${body.id}`, firm, { enabled: false });
    expect(off.body).toMatchObject({ enabled: false, disabledReason: expect.stringMatching(/disabled through the API/) });
    const on = await call('PATCH', `/webhooks/${body.id}`, firm, { enabled: true });
    expect(on.body).toMatchObject({ enabled: true, disabledReason: null, failingSince: null });
    expect((await call('PATCH', `/webhooks/${body.id}`, firm, { url: 'https://192.168.0.1/' })).status).toBe(400);
  });

  it('pings at once with a signed webhook.ping, and logs it', async () => {
    const { body } = await create(firm, { url: `${receiver.url}/ping`, eventTypes: ['alert.created'] });
    const r = await call('POST', `/webhooks/${body.id}/ping`, firm);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ delivered: true, statusCode: 200, error: null, eventId: expect.stringMatching(/^evt_/) });
    const req = receiver.requests[0];
    const payload = new Webhook(body.secret).verify(req.body, req.headers as Record<string, string>) as { type: string; data: { endpointId: string } };
    expect(payload).toMatchObject({ type: 'webhook.ping', data: { endpointId: body.id } });
    const log = await call('GET', `/webhooks/${body.id}/deliveries`, firm);
    expect(log.body.items[0]).toMatchObject({ eventType: 'webhook.ping', status: 'delivered', attempts: 1, log: [{ statusCode: 200, responseBody: 'ok' }] });
  });

  it('rotates the secret: answered once, both signing during the overlap', async () => {
    const { body } = await create(firm, { url: `${receiver.url}/rot`, eventTypes: ['alert.created'] });
    const r = await call('POST', `/webhooks/${body.id}/rotate-secret`, firm, { overlapSeconds: 600 });
    expect(r.status).toBe(200);
    expect(r.body.secret).toMatch(/^whsec_/);
    expect(r.body.secret).not.toBe(body.secret);
    expect(Date.parse(r.body.previousSecretExpiresAt)).toBeGreaterThan(Date.now() + 590_000);
    await call('POST', `/webhooks/${body.id}/ping`, firm);
    const req = receiver.requests[0];
    for (const s of [body.secret, r.body.secret]) expect(() => new Webhook(s).verify(req.body, req.headers as Record<string, string>)).not.toThrow();
    const empty = await app.inject({ method: 'POST', url: `/webhooks/${body.id}/rotate-secret`, headers: firm });
    expect(empty.statusCode).toBe(200);
    expect((await call('GET', `/webhooks/${body.id}`, firm)).body.previousSecretExpiresAt).toEqual(expect.any(String));
    expect(logs.join('')).not.toContain(r.body.secret.slice(6));
  });

  it('replays a time range in event order, and retries one delivery', async () => {
    const at = (d: string) => `2025-0${d}T00:00:00.000Z`;
    for (const [type, firmId, when] of [
      ['alert.created', 'f1', at('1-01')],
      ['alert.cancelled', 'f1', at('2-01')],
      ['alert.created', 'f2', at('2-02')],
      ['alert.updated', 'f1', at('2-03')],
      ['alert.created', 'f1', at('4-01')],
    ] as const) {
      recordEvent(store.sqlite, { type, firmId, data: {} }, when);
    }
    // Created after the events: only a replay brings them.
    const { body } = await create(firm, { url: `${receiver.url}/replay`, eventTypes: ['alert.created', 'alert.cancelled'] });
    const r = await call('POST', `/webhooks/${body.id}/replay`, firm, { from: '2025-01-15T00:00:00Z', to: '2025-04-01T00:00:00Z' });
    expect(r).toMatchObject({ status: 202, body: { enqueued: 1 } });
    const wide = await call('POST', `/webhooks/${body.id}/replay`, firm, { from: '2025-01-01T00:00:00Z', to: '2025-05-01T00:00:00Z' });
    expect(wide.body.enqueued).toBe(3);
    const log = await call('GET', `/webhooks/${body.id}/deliveries?status=pending`, firm);
    expect(log.body.items.map((d: { eventType: string }) => d.eventType)).toEqual(['alert.created', 'alert.cancelled', 'alert.created', 'alert.cancelled']);
    expect((await call('POST', `/webhooks/${body.id}/replay`, firm, { from: '2025-02-01T00:00:00Z', to: '2025-01-01T00:00:00Z' })).status).toBe(400);

    const dead = log.body.items[0].id as number;
    store.sqlite.prepare(`UPDATE webhook_deliveries SET status = 'dead', attempts = 8, next_attempt_at = NULL WHERE id = ?`).run(dead);
    const retry = await call('POST', `/webhooks/${body.id}/deliveries/${dead}/retry`, firm);
    expect(retry).toMatchObject({ status: 202, body: { id: dead, status: 'pending', attempts: 0 } });
    expect((await call('POST', `/webhooks/${body.id}/deliveries/999999/retry`, firm)).status).toBe(404);
  });

  it('runs the delivery worker only when asked (webhookWorker), from ready to close', async () => {
    // A store of its own, holding only a loopback endpoint: this worker dials with the real connector.
    const own = tempStore();
    try {
      seedFirms(own.store, 'f1');
      const { endpoint, secret } = createEndpoint(own.store.sqlite, { firmId: 'f1', url: `${receiver.url}/worker`, eventTypes: ['alert.created'] });
      const ev = recordEvent(own.store.sqlite, { type: 'alert.created', firmId: 'f1', data: { n: 1 } });
      const quiet = await buildApp({ config: config(), store: own.store, sources: [] });
      await quiet.ready();
      await new Promise((r) => setTimeout(r, 100));
      await quiet.close();
      expect(receiver.requests).toEqual([]); // the default app has no worker
      const served = await buildApp({ config: config(), store: own.store, sources: [], webhookWorker: true });
      await served.ready();
      try {
        const until = Date.now() + 5000;
        while (receiver.requests.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      } finally {
        await served.close();
      }
      expect(receiver.requests.map((r) => r.url)).toEqual(['/worker']);
      const got = receiver.requests[0];
      expect(new Webhook(secret).verify(got.body, got.headers as Record<string, string>)).toEqual(ev.payload);
      expect(own.store.sqlite.prepare('SELECT status FROM webhook_deliveries WHERE endpoint_id = ?').get(endpoint.id)).toEqual({ status: 'delivered' });
    } finally {
      own.cleanup();
    }
  });

  it('documents the event payloads in the OpenAPI document', async () => {
    const r = await app.inject({ method: 'GET', url: '/docs/json' });
    const doc = r.json();
    const byTitle = new Map(Object.values(doc.components.schemas as Record<string, { title?: string; properties: any }>).map((s) => [s.title, s])); // eslint-disable-line @typescript-eslint/no-explicit-any
    for (const type of ['alert.created', 'alert.updated', 'alert.cancelled', 'tender.published', 'webhook.ping']) {
      expect(byTitle.get(`${type} (v1)`)?.properties.type, type).toEqual({ type: 'string', enum: [type] });
    }
    expect(byTitle.get('alert.updated (v1)')!.properties.data.properties.change).toBeDefined();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/webhooks', '/webhooks/{id}', '/webhooks/{id}/ping', '/webhooks/event-types']));
    const types = await call('GET', '/webhooks/event-types', firm);
    expect(types.body.items.find((x: { type: string }) => x.type === 'tender.published')).toMatchObject({ firmEndpoints: false, version: 1, schema: { $id: 'WebhookTenderPublished' } });
  });
});
