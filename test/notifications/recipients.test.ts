/**
 * Recipients through the API (a firm manages its own, advisers any), the unsubscribe page,
 * and the scheduled job's start and stop.
 */
import cron from 'node-cron';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { createFirm } from '../../src/firms/repository.js';
import { unsubscribeToken } from '../../src/notifications/unsubscribe.js';
import { bearer } from '../helpers/auth.js';
import { tempStore, testConfig } from '../helpers/store.js';
import { smtpConfig } from './helpers.js';

describe('recipients API', () => {
  let t: ReturnType<typeof tempStore>;
  let app: App;
  let adviser: { authorization: string };
  let firm: { authorization: string };
  let other: { authorization: string };

  beforeEach(async () => {
    t = tempStore();
    createFirm(t.store.sqlite, { id: 'hanbit', name: 'Hanbit Solar', keywords: ['solar PV'] });
    createFirm(t.store.sqlite, { id: 'secu', name: 'SecuVision', keywords: ['CCTV'] });
    app = await buildApp({ config: testConfig(), store: t.store, sources: [] });
    adviser = bearer(t.store, 'adviser');
    firm = bearer(t.store, 'firm', 'hanbit');
    other = bearer(t.store, 'firm', 'secu');
  });
  afterEach(async () => {
    await app.close();
    t.cleanup();
  });

  const call = async (method: string, url: string, headers: object, payload?: object) => {
    const r = await app.inject({ method: method as 'GET', url, headers: headers as Record<string, string>, ...(payload ? { payload } : {}) });
    return { status: r.statusCode, body: r.body ? r.json() : null } as { status: number; body: any };
  };

  it('adds recipients with defaults, lists, changes and removes them', async () => {
    const created = await call('POST', '/firms/hanbit/recipients', firm, { email: 'Minji@Hanbit.EXAMPLE', name: '김민지' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ firmId: 'hanbit', email: 'minji@hanbit.example', name: '김민지', language: 'ko', cadence: 'daily', sendHour: 8, timeZone: 'Asia/Seoul', maxItems: 20 });
    const en = await call('POST', '/firms/hanbit/recipients', adviser, { email: 'jane@hanbit.example', language: 'en', cadence: 'weekly', sendHour: 7, timeZone: 'America/New_York', maxItems: 5 });
    expect(en.body).toMatchObject({ language: 'en', cadence: 'weekly', sendHour: 7, timeZone: 'America/New_York', maxItems: 5 });
    expect((await call('GET', '/firms/hanbit/recipients', firm)).body.items.map((r: any) => r.email)).toEqual(['minji@hanbit.example', 'jane@hanbit.example']);

    const patched = await call('PATCH', `/firms/hanbit/recipients/${en.body.id}`, firm, { cadence: 'instant', name: null });
    expect(patched.body).toMatchObject({ cadence: 'instant', name: null, language: 'en' });
    expect((await call('DELETE', `/firms/hanbit/recipients/${en.body.id}`, firm)).status).toBe(204);
    expect((await call('DELETE', `/firms/hanbit/recipients/${en.body.id}`, firm)).status).toBe(404);
    expect((await call('GET', '/firms/hanbit/recipients', adviser)).body.items).toHaveLength(1);
    const doc = (await app.inject({ url: '/docs/json' })).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/firms/{id}/recipients', '/firms/{id}/recipients/{recipientId}', '/unsubscribe/{token}']));
  });

  it("hides another firm's recipients (404, as if they did not exist)", async () => {
    const r = (await call('POST', '/firms/hanbit/recipients', adviser, { email: 'minji@hanbit.example' })).body;
    for (const [method, url, body] of [
      ['GET', '/firms/hanbit/recipients', undefined],
      ['POST', '/firms/hanbit/recipients', { email: 'spy@secu.example' }],
      ['PATCH', `/firms/hanbit/recipients/${r.id}`, { cadence: 'off' }],
      ['DELETE', `/firms/hanbit/recipients/${r.id}`, undefined],
    ] as const) {
      expect((await call(method, url, other, body)).status, `${method} ${url}`).toBe(404);
    }
    // Nor through its own firm's URL.
    expect((await call('PATCH', `/firms/secu/recipients/${r.id}`, other, { cadence: 'off' })).status).toBe(404);
    expect((await call('GET', '/firms/nope/recipients', adviser)).status).toBe(404);
    expect((await call('POST', '/firms/nope/recipients', adviser, { email: 'x@y.example' })).status).toBe(404);
  });

  it('refuses bad input, naming the field', async () => {
    await call('POST', '/firms/hanbit/recipients', firm, { email: 'minji@hanbit.example' });
    const dup = await call('POST', '/firms/hanbit/recipients', firm, { email: 'MINJI@hanbit.example' });
    expect(dup).toMatchObject({ status: 409, body: { statusCode: 409, error: 'Conflict' } });
    const zone = await call('POST', '/firms/hanbit/recipients', firm, { email: 'a@hanbit.example', timeZone: 'Mars/Olympus' });
    expect(zone.status).toBe(400);
    expect(zone.body.message).toContain('timeZone');
    for (const body of [{ email: 'not an email' }, { email: 'a@hanbit.example', sendHour: 24 }, { email: 'a@hanbit.example', language: 'fr' }, { email: 'a@hanbit.example', cadence: 'hourly' }, { email: 'a@hanbit.example', bogus: 1 }, { email: 'a@hanbit.example', maxItems: 0 }]) {
      expect((await call('POST', '/firms/hanbit/recipients', firm, body)).status, JSON.stringify(body)).toBe(400);
    }
  });

  it('starts a returning recipient from now, not from the day they left', async () => {
    const r = (await call('POST', '/firms/hanbit/recipients', firm, { email: 'minji@hanbit.example', cadence: 'off' })).body;
    t.store.sqlite.prepare(`INSERT INTO events (public_id, type, firm_id, payload, created_at) VALUES ('evt_x', 'alert.created', 'hanbit', '{}', '2099-01-01')`).run();
    await call('PATCH', `/firms/hanbit/recipients/${r.id}`, firm, { cadence: 'daily' });
    const row = t.store.sqlite.prepare(`SELECT digest_event_id AS d, notice_event_id AS n FROM recipients WHERE id = ?`).get(r.id) as { d: number; n: number };
    const max = (t.store.sqlite.prepare(`SELECT max(id) AS m FROM events`).get() as { m: number }).m;
    expect(row).toEqual({ d: max, n: max });
  });

  it('unsubscribe links stop working when the address changes', async () => {
    const r = (await call('POST', '/firms/hanbit/recipients', firm, { email: 'minji@hanbit.example', language: 'en' })).body;
    const token = unsubscribeToken(t.store.sqlite, app.config, r);
    await call('PATCH', `/firms/hanbit/recipients/${r.id}`, firm, { email: 'new@hanbit.example' });
    expect((await app.inject({ url: `/unsubscribe/${token}` })).statusCode).toBe(404);
    const fresh = unsubscribeToken(t.store.sqlite, app.config, { id: r.id, email: 'new@hanbit.example' });
    const page = await app.inject({ url: `/unsubscribe/${fresh}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('new@hanbit.example will no longer receive tender alert emails for Hanbit Solar');
    expect((await call('GET', '/firms/hanbit/recipients', firm)).body.items[0].cadence).toBe('off');
    expect((await app.inject({ url: '/unsubscribe/garbage' })).statusCode).toBe(404);
  });
});

describe('the scheduled notification job', () => {
  it('runs only in the server with NOTIFY on, and stops on close', async () => {
    const t = tempStore();
    try {
      const config = smtpConfig(2525, { NOTIFY: 'on' });
      const app = await buildApp({ config, store: t.store, sources: [], scheduler: true });
      await app.ready();
      expect([...cron.getTasks().values()].map((task) => task.name)).toContain('notify');
      await app.close();
      expect([...cron.getTasks().values()].map((task) => task.name)).not.toContain('notify');
      // Tests and the CLI build the app without the scheduler: no job.
      const quiet = await buildApp({ config, store: t.store, sources: [] });
      await quiet.ready();
      expect([...cron.getTasks().values()].map((task) => task.name)).not.toContain('notify');
      await quiet.close();
    } finally {
      t.cleanup();
    }
  });

  it('refuses to start without the SMTP settings, naming the variable', async () => {
    const t = tempStore();
    try {
      await expect(buildApp({ config: testConfig({ NOTIFY: 'on' }), store: t.store, sources: [], scheduler: true })).rejects.toThrow(/^SMTP_HOST: required/);
      await expect(buildApp({ config: testConfig({ NOTIFY: 'on', SMTP_HOST: '127.0.0.1' }), store: t.store, sources: [], scheduler: true })).rejects.toThrow(/^MAIL_FROM: required/);
    } finally {
      t.cleanup();
    }
  });
});
