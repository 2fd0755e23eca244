/**
 * The console's access rules and forms, through `inject`: who may sign in, CSRF on every form,
 * sessions ending with their key, escaping, and the form-to-profile conversion.
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { revokeKey } from '../../src/auth/keys.js';
import { highlight, matchedTokens, parseQueueFilters } from '../../src/console/data.js';
import { firmPatchFromForm } from '../../src/console/forms.js';
import { consoleFixture, type ConsoleFixture } from './fixture.js';

type Inject = ConsoleFixture['app']['inject'];

/** Console routes and how each is called; a console route without an entry fails the walk below. */
const PUBLIC_ROUTES = ['GET /console/login', 'POST /console/login', 'GET /console/assets/*', 'GET /console/vendor/*'];

async function signIn(inject: Inject, key: string, lang = 'en') {
  const page = await inject({ method: 'GET', url: '/console/login' });
  const loginCookie = String(page.headers['set-cookie']).split(';')[0];
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1];
  const r = await inject({ method: 'POST', url: '/console/login', headers: { cookie: loginCookie }, payload: { _csrf: csrf, key, lang, next: '/console/queue' } });
  const session = [r.headers['set-cookie']].flat().map(String).find((c) => c.startsWith('gpc_session=') && !c.startsWith('gpc_session=;'));
  return { response: r, cookie: session?.split(';')[0] ?? null, setCookie: session ?? null };
}

async function csrfOf(inject: Inject, cookie: string, url = '/console/queue') {
  const r = await inject({ method: 'GET', url, headers: { cookie } });
  return /name="_csrf" value="([^"]+)"/.exec(r.body)![1];
}

describe('adviser console: access', () => {
  let f: ConsoleFixture;
  beforeEach(async () => {
    f = await consoleFixture();
  });
  afterEach(async () => {
    await f.cleanup();
  });

  it('signs an adviser in with a secure, http-only, strict session cookie; only the hash is stored', async () => {
    const { response, cookie, setCookie } = await signIn(f.app.inject.bind(f.app), f.keys.adviser);
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/console/queue');
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Path=\/console/);
    const token = cookie!.split('=')[1];
    const stored = f.sqlite.prepare(`SELECT token_hash FROM console_sessions`).all() as { token_hash: string }[];
    expect(stored).toHaveLength(1);
    expect(stored[0].token_hash).not.toContain(token);
    const page = await f.app.inject({ method: 'GET', url: '/console/queue', headers: { cookie: cookie! } });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['cache-control']).toBe('no-store');
  });

  it('marks the cookie Secure when the request came over HTTPS through a trusted proxy', async () => {
    const { buildApp } = await import('../../src/app.js');
    const { testConfig } = await import('../helpers/store.js');
    const app = await buildApp({ config: testConfig({ TRUST_PROXY: 'on' }), store: f.store, sources: [] });
    const page = await app.inject({ method: 'GET', url: '/console/login', headers: { 'x-forwarded-proto': 'https' } });
    expect(String(page.headers['set-cookie'])).toMatch(/; Secure/);
    const plain = await app.inject({ method: 'GET', url: '/console/login' });
    expect(String(plain.headers['set-cookie'])).not.toMatch(/; Secure/);
    await app.close();
  });

  it('refuses a firm key, an unknown key and a revoked key at sign-in, and makes no session', async () => {
    const inject = f.app.inject.bind(f.app);
    const firm = await signIn(inject, f.keys.firm);
    expect(firm.response.statusCode).toBe(403);
    expect(firm.response.body).toContain('Firm keys cannot sign in');
    expect(firm.cookie).toBeNull();
    const bad = await signIn(inject, 'gpk_000000000000_' + 'x'.repeat(43));
    expect(bad.response.statusCode).toBe(401);
    revokeKey(f.sqlite, f.keys.adviserId);
    expect((await signIn(inject, f.keys.adviser)).response.statusCode).toBe(401);
    expect(f.sqlite.prepare(`SELECT count(*) AS n FROM console_sessions`).get()).toEqual({ n: 0 });
  });

  it('sends every signed-in page to sign-in without a session, and refuses every form without a session', async () => {
    const routes = f.app.routeTable.filter((r) => r.url.startsWith('/console'));
    const unknown = routes.map((r) => `${r.method} ${r.url}`).filter((r) => !PUBLIC_ROUTES.includes(r));
    expect(unknown.length).toBeGreaterThan(8);
    for (const r of unknown) {
      const url = r.split(' ')[1].replace(':id', r.includes('firms') ? 'hanbit' : String(f.tenderId('u1')));
      const res = await f.app.inject({ method: r.split(' ')[0] as 'GET', url, payload: r.startsWith('POST') ? {} : undefined });
      if (r.startsWith('GET')) {
        expect(res.statusCode, r).toBe(303);
        expect(res.headers.location, r).toMatch(/^\/console\/login\?next=/);
      } else {
        expect(res.statusCode, r).toBe(401);
      }
    }
  });

  it('refuses a form posted without the CSRF token, or with another session\'s token, and changes nothing', async () => {
    const inject = f.app.inject.bind(f.app);
    const a = (await signIn(inject, f.keys.adviser)).cookie!;
    const b = (await signIn(inject, f.keys.admin)).cookie!;
    const id = f.matchId('hanbit', 'u1')!;
    const without = await inject({ method: 'POST', url: '/console/queue/decide', headers: { cookie: a }, payload: { one: `approve:${id}` } });
    expect(without.statusCode).toBe(403);
    expect(without.body).toContain('The form expired or was not sent from this console');
    const foreign = await inject({ method: 'POST', url: '/console/queue/decide', headers: { cookie: a }, payload: { one: `approve:${id}`, _csrf: await csrfOf(inject, b) } });
    expect(foreign.statusCode).toBe(403);
    const viaHeader = await inject({ method: 'POST', url: '/console/queue/decide', headers: { cookie: a, 'x-csrf-token': 'forged' }, payload: { one: `approve:${id}` } });
    expect(viaHeader.statusCode).toBe(403);
    expect(f.sqlite.prepare(`SELECT state FROM matches WHERE id = ?`).get(id)).toEqual({ state: 'proposed' });
    // The sign-in form needs its token too.
    const login = await inject({ method: 'POST', url: '/console/login', payload: { key: f.keys.adviser } });
    expect(login.statusCode).toBe(403);
    // With the token, the same decision goes through.
    const ok = await inject({ method: 'POST', url: '/console/queue/decide', headers: { cookie: a }, payload: { one: `approve:${id}`, [`note-${id}`]: 'fits', _csrf: await csrfOf(inject, a) } });
    expect(ok.statusCode).toBe(303);
    expect(f.sqlite.prepare(`SELECT state, note, reviewer FROM matches WHERE id = ?`).get(id)).toEqual({ state: 'published', note: 'fits', reviewer: f.keys.adviserId });
  });

  it('ends the session when its key is revoked, and at sign-out', async () => {
    const inject = f.app.inject.bind(f.app);
    const cookie = (await signIn(inject, f.keys.adviser)).cookie!;
    expect((await inject({ method: 'GET', url: '/console/firms', headers: { cookie } })).statusCode).toBe(200);
    revokeKey(f.sqlite, f.keys.adviserId);
    expect((await inject({ method: 'GET', url: '/console/firms', headers: { cookie } })).statusCode).toBe(303);
    const admin = (await signIn(inject, f.keys.admin)).cookie!;
    const out = await inject({ method: 'POST', url: '/console/logout', headers: { cookie: admin }, payload: { _csrf: await csrfOf(inject, admin) } });
    expect(out.statusCode).toBe(303);
    expect((await inject({ method: 'GET', url: '/console/firms', headers: { cookie: admin } })).statusCode).toBe(303);
  });

  it('never redirects off the console after sign-in', async () => {
    const page = await f.app.inject({ method: 'GET', url: '/console/login' });
    const loginCookie = String(page.headers['set-cookie']).split(';')[0];
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1];
    for (const next of ['https://evil.example/', '//evil.example/console', '/console/../../x\\', '/consolex']) {
      const r = await f.app.inject({ method: 'POST', url: '/console/login', headers: { cookie: loginCookie }, payload: { _csrf: csrf, key: f.keys.adviser, next } });
      expect(r.headers.location, next).toBe('/console/queue');
    }
  });

  it('escapes what sources wrote, and answers an unknown tender or firm with a 404 page', async () => {
    f.sqlite.prepare(`UPDATE tenders SET title = ? WHERE source_id = 'u1'`).run('<script>alert(1)</script> solar PV');
    const cookie = (await signIn(f.app.inject.bind(f.app), f.keys.adviser)).cookie!;
    const q = await f.app.inject({ method: 'GET', url: '/console/queue', headers: { cookie } });
    expect(q.body).not.toContain('<script>alert(1)</script>');
    expect(q.body).toContain('&lt;script&gt;alert');
    const t = await f.app.inject({ method: 'GET', url: `/console/tenders/${f.tenderId('u1')}`, headers: { cookie } });
    expect(t.body).not.toContain('<script>alert(1)</script>');
    for (const url of ['/console/tenders/999999', '/console/tenders/abc', '/console/firms/nobody', '/console/nothing']) {
      const r = await f.app.inject({ method: 'GET', url, headers: { cookie } });
      expect(r.statusCode, url).toBe(404);
      expect(r.headers['content-type']).toMatch(/text\/html/);
    }
  });

  it('shows a tender with every version of its cluster and what changed', async () => {
    const cookie = (await signIn(f.app.inject.bind(f.app), f.keys.adviser)).cookie!;
    const r = await f.app.inject({ method: 'GET', url: `/console/tenders/${f.tenderId('u1')}`, headers: { cookie } });
    expect(r.statusCode).toBe(200);
    const versions = /<table id="tender-versions">([\s\S]*?)<\/table>/.exec(r.body)![1];
    expect(versions).toContain('<td>undp</td><td>2</td>');
    expect(versions).toContain('deadline');
    expect(r.body).toContain('https://example.org/notice/u1');
  });

  it('shows the interface in the adviser\'s language', async () => {
    const inject = f.app.inject.bind(f.app);
    const cookie = (await signIn(inject, f.keys.adviser, 'ko')).cookie!;
    const q = await inject({ method: 'GET', url: '/console/queue', headers: { cookie } });
    expect(q.body).toContain('<html lang="ko">');
    expect(q.body).toContain('검토 대기');
    await inject({ method: 'POST', url: '/console/lang', headers: { cookie }, payload: { lang: 'en', back: '/console/firms', _csrf: await csrfOf(inject, cookie) } });
    const again = await inject({ method: 'GET', url: '/console/queue', headers: { cookie } });
    expect(again.body).toContain('Proposed matches');
  });

  it('serves htmx and its own assets from the package', async () => {
    const htmx = await f.app.inject({ method: 'GET', url: '/console/vendor/htmx.min.js' });
    expect(htmx.statusCode).toBe(200);
    expect(htmx.body).toContain('htmx');
    expect((await f.app.inject({ method: 'GET', url: '/console/assets/console.css' })).statusCode).toBe(200);
    expect((await f.app.inject({ method: 'GET', url: '/console/vendor/htmx.js' })).statusCode).toBe(404);
    expect((await f.app.inject({ method: 'GET', url: '/console/assets/../plugin.ts' })).statusCode).toBe(404);
  });

  it('refuses a bulk decision that names no match, and an already decided match, with the reason on the page', async () => {
    const inject = f.app.inject.bind(f.app);
    const cookie = (await signIn(inject, f.keys.adviser)).cookie!;
    const none = await inject({ method: 'POST', url: '/console/queue/decide', headers: { cookie, 'hx-request': 'true' }, payload: { bulk: 'approve', _csrf: await csrfOf(inject, cookie) } });
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain('Select at least one match.');
    const id = f.matchId('secu', 'u3')!;
    await inject({ method: 'POST', url: '/console/queue/decide', headers: { cookie }, payload: { one: `reject:${id}`, _csrf: await csrfOf(inject, cookie) } });
    const twice = await inject({ method: 'POST', url: '/console/queue/decide', headers: { cookie, 'hx-request': 'true' }, payload: { one: `approve:${id}`, _csrf: await csrfOf(inject, cookie) } });
    expect(twice.statusCode).toBe(409);
    expect(twice.body).toContain(`match ${id} is already rejected`);
  });
});

describe('adviser console: hostile input', () => {
  it('answers random forms and query strings on every console route without a 5xx', { timeout: 120_000 }, async () => {
    const f = await consoleFixture();
    try {
      const inject = f.app.inject.bind(f.app);
      const cookie = (await signIn(inject, f.keys.adviser)).cookie!;
      const csrf = await csrfOf(inject, cookie);
      const routes = f.app.routeTable.filter((r) => r.url.startsWith('/console') && !r.url.includes('*') && r.url !== '/console/logout');
      const value = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('approve:1', 'reject:99999999', '', '0', '-1', '1e999', 'ko', 'en', 'hanbit', '2026-13-45', '<script>', "' OR 1=1 --", 'x'.repeat(3000)));
      const form = fc.dictionary(fc.constantFrom('one', 'bulk', 'ids', 'note-1', 'reason-1', 'bulkNote', 'bulkReason', 'back', 'firms', 'note', 'lang', 'name', 'keywords', 'countries', 'unspsc', 'minValueUsd', 'maxValueUsd', 'noticeTypes', 'categories', 'minDaysToDeadline', 'from', 'to', 'firm', 'band', 'within', 'designationYear', 'region', 'by', 'key', 'next'), fc.oneof(value, fc.array(value, { maxLength: 3 })));
      let requests = 0;
      for (const r of routes) {
        await fc.assert(
          fc.asyncProperty(form, fc.constantFrom('1', '999', 'abc', 'hanbit', 'nobody', '%00'), async (body, param) => {
            const url = r.url.replace(':id', param);
            const res = r.method === 'GET'
              ? await inject({ method: 'GET', url: `${url}?${new URLSearchParams(Object.entries(body).map(([k, v]) => [k, String(v)])).toString()}`, headers: { cookie } })
              : await inject({ method: 'POST', url, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams([...Object.entries(body).flatMap(([k, v]) => [v].flat().map((x) => [k, x] as [string, string])), ['_csrf', csrf]]).toString() });
            requests++;
            expect(res.statusCode, `${r.method} ${url} ${JSON.stringify(body).slice(0, 200)}: ${res.body.slice(0, 300)}`).toBeLessThan(500);
          }),
          { numRuns: 40, seed: 20261122 },
        );
      }
      expect(requests).toBeGreaterThan(400);
    } finally {
      await f.cleanup();
    }
  });
});

describe('console helpers', () => {
  it('marks every word whose analyzed form matched, across inflections, and escapes the rest', () => {
    const tokens = matchedTokens([{ keyword: 'water pump', phrase: 'water pump', lang: 'en' }]);
    expect(highlight('Supply of <b>Water</b> Pumps & pumping', tokens)).toBe('Supply of &lt;b&gt;<mark>Water</mark>&lt;/b&gt; <mark>Pumps</mark> &amp; <mark>pumping</mark>');
    expect(highlight('Énergie solaire', matchedTokens([{ keyword: 'énergie', phrase: 'energie', lang: 'fr' }]), Infinity, 'fr')).toBe('<mark>Énergie</mark> solaire');
    expect(highlight('a b c d e f', new Set(), 5)).toBe('a b c …');
  });

  it('reads the filter form defensively', () => {
    expect(parseQueueFilters({ firm: 'hanbit', band: 'high', country: 'ke', within: '14', sort: 'deadline' })).toMatchObject({ firm: 'hanbit', band: 'high', country: 'KE', withinDays: 14, sort: 'deadline' });
    expect(parseQueueFilters({ firm: "x' OR 1=1", band: 'huge', country: 'KEN', within: '-3', limit: '1e9' })).toEqual({ firm: undefined, band: undefined, source: undefined, country: undefined, withinDays: undefined, sort: 'score', limit: 100 });
  });

  it('turns a profile form into a patch, with every problem named by field', () => {
    const ok = firmPatchFromForm({ name: 'Hanbit', keywords: 'solar PV\r\n mini-grid \n\n', unspsc: '2610, 26101500', countries: 'KE, east-africa', minValueUsd: '1,000', maxValueUsd: '', noticeTypes: ['invitation_to_bid'], categories: 'goods', minDaysToDeadline: '7', gpassDesignated: 'on' });
    expect(ok.errors).toEqual([]);
    expect(ok.patch).toMatchObject({ name: 'Hanbit', keywords: ['solar PV', 'mini-grid'], unspsc: ['2610', '26101500'], countries: ['KE', 'east-africa'], minValueUsd: 1000, maxValueUsd: null, noticeTypes: ['invitation_to_bid'], categories: ['goods'], minDaysToDeadline: 7, gpassDesignated: true });
    const bad = firmPatchFromForm({ name: '', countries: 'ZZ', unspsc: '123', minValueUsd: 'lots', minDaysToDeadline: '2.5', contactEmail: 'not-an-email' });
    const fields = Object.fromEntries(bad.errors.map((e) => [e.field, e.message]));
    expect(Object.keys(fields).sort()).toEqual(['contactEmail', 'countries', 'minDaysToDeadline', 'minValueUsd', 'name', 'unspsc']);
    expect(fields.countries).toContain('"ZZ"');
    expect(fields.unspsc).toContain('"123"');
    expect(fields.minValueUsd).toBe('must be a number');
  });
});
