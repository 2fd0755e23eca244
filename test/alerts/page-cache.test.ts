/**
 * The alert listing's page cache: a page is served again only while nothing it shows can have
 * changed (writes from this connection or another, the clock), and only to keys that may see
 * that firm. No timing is asserted; the clock is passed in where it matters.
 */
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../db/client.js';
import { buildApp, type App } from '../../src/app.js';
import { createAlertPageCache, notModified } from '../../src/alerts/page-cache.js';
import { ALERT_SELECT, alertsVersion, decide, viewsChangeAt } from '../../src/alerts/service.js';
import { createFirm } from '../../src/firms/repository.js';
import { afterRun } from '../../src/ingest/scrape.js';
import { createIngestor } from '../../src/ingest/ingest.js';
import { bearer } from '../helpers/auth.js';
import { fakeSource, raw, tender } from '../helpers/fake-source.js';
import { tempStore, testConfig } from '../helpers/store.js';

const FAR = { at: '2099-03-01T08:00:00.000Z', raw: '01-Mar-2099 12:30 (GMT 4.30)', zone: '+04:30', zoneKnown: true };
const ADVISER = { id: 'test', role: 'adviser' };

describe('alert page cache', () => {
  let t: ReturnType<typeof tempStore>;
  let other: Store;
  let app: App;
  let hanbit: { authorization: string };
  let secu: { authorization: string };
  let adviser: { authorization: string };
  const src = fakeSource('fake', () => []);

  const ingest = (items: ReturnType<typeof tender>[]) => {
    const ing = createIngestor(t.store.sqlite, src, { runId: null });
    ing.ingestBatch(items.map((x) => raw(x)));
    afterRun(t.store, { runId: 0, source: 'fake', status: 'success', pages: 1, counts: ing.counts, problems: 0, error: null, changed: ing.changed, startedAt: '', finishedAt: '' });
  };
  const proposed = (firmId: string) =>
    (t.store.sqlite.prepare(`SELECT id FROM matches WHERE firm_id = ? AND state = 'proposed' ORDER BY id`).all(firmId) as { id: number }[]).map((r) => r.id);
  const get = (url: string, headers: Record<string, string>) => app.inject({ method: 'GET', url, headers });
  const titles = async (url: string, headers: Record<string, string>) => ((await get(url, headers)).json().items as { tender: { title: string } }[]).map((a) => a.tender.title).sort();

  beforeEach(async () => {
    t = tempStore();
    // Another connection to the same file: the scheduler's worker, the CLI.
    other = openStore(t.file, { migrate: false });
    createFirm(t.store.sqlite, { id: 'hanbit', name: 'Hanbit Solar', keywords: ['solar PV', 'mini-grid'] });
    createFirm(t.store.sqlite, { id: 'secu', name: 'SecuVision', keywords: ['CCTV'] });
    app = await buildApp({ config: testConfig(), store: t.store, sources: [src] });
    hanbit = bearer(t.store, 'firm', 'hanbit');
    secu = bearer(t.store, 'firm', 'secu');
    adviser = bearer(t.store, 'adviser');
    ingest([
      tender({ sourceId: 'a', title: 'Supply of solar PV systems for clinics', description: null, deadline: FAR }),
      tender({ sourceId: 'b', title: 'Hybrid mini-grid for a health centre', description: null, deadline: FAR }),
      tender({ sourceId: 'c', title: 'CCTV for the ministry', description: null, deadline: FAR }),
    ]);
    decide(t.store.sqlite, [{ matchId: proposed('hanbit')[0], action: 'approve' }, { matchId: proposed('secu')[0], action: 'approve' }], ADVISER);
  });
  afterEach(async () => {
    await app.close();
    other.close();
    t.cleanup();
  });

  it('answers with an ETag, and 304 to a client that has the current page', async () => {
    const first = await get('/firms/hanbit/alerts', hanbit);
    expect(first.statusCode).toBe(200);
    expect(first.headers['cache-control']).toBe('private, no-cache');
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await get('/firms/hanbit/alerts', { ...hanbit, 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers.etag).toBe(etag);
    expect((await get('/firms/hanbit/alerts', { ...hanbit, 'if-none-match': `"x", W/${etag}` })).statusCode).toBe(304);
    expect((await get('/firms/hanbit/alerts', { ...hanbit, 'if-none-match': '"stale"' })).statusCode).toBe(200);
    // The same body as without the cache, byte for byte.
    expect((await get('/firms/hanbit/alerts', hanbit)).body).toBe(first.body);
  });

  it('sends the page gzipped to a client that accepts it, the same JSON, and answers 304 to its ETag', async () => {
    decide(t.store.sqlite, proposed('hanbit').map((matchId) => ({ matchId, action: 'approve' as const })), ADVISER);
    const plain = await get('/firms/hanbit/alerts', hanbit);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toBe('Accept-Encoding');
    expect(plain.body.length).toBeGreaterThan(1024);
    const gz = await get('/firms/hanbit/alerts', { ...hanbit, 'accept-encoding': 'gzip, deflate, br' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers['content-type']).toMatch(/^application\/json/);
    expect(gunzipSync(gz.rawPayload).toString()).toBe(plain.body);
    expect(gz.headers.etag).not.toBe(plain.headers.etag);
    expect((await get('/firms/hanbit/alerts', { ...hanbit, 'accept-encoding': 'gzip', 'if-none-match': gz.headers.etag as string })).statusCode).toBe(304);
    // The other representation's ETag does not match this one.
    expect((await get('/firms/hanbit/alerts', { ...hanbit, 'accept-encoding': 'gzip', 'if-none-match': plain.headers.etag as string })).statusCode).toBe(200);
  });

  it('shows a new published alert at once, whichever connection published it', async () => {
    const before = await get('/firms/hanbit/alerts', hanbit);
    expect(before.json().items).toHaveLength(1);
    // Published through another connection, as the scheduler's worker does.
    decide(other.sqlite, [{ matchId: proposed('hanbit')[0], action: 'approve', note: 'from the worker' }], ADVISER);
    const after = await get('/firms/hanbit/alerts', { ...hanbit, 'if-none-match': before.headers.etag as string });
    expect(after.statusCode).toBe(200);
    expect(after.json().items).toHaveLength(2);
    expect(after.headers.etag).not.toBe(before.headers.etag);
  });

  it('shows what changed on an alert or its tender, written anywhere', async () => {
    await get('/firms/hanbit/alerts', hanbit);
    const [alert] = (await get('/firms/hanbit/alerts', hanbit)).json().items;
    // The firm's own mark, through the API.
    await app.inject({ method: 'POST', url: `/firms/hanbit/alerts/${alert.id}/feedback`, headers: hanbit, payload: { state: 'interested' } });
    expect((await get('/firms/hanbit/alerts', hanbit)).json().items[0].firmState).toBe('interested');
    // The tender's title, from another connection.
    other.sqlite.prepare(`UPDATE tenders SET title = 'Renamed tender' WHERE id = ?`).run(alert.tender.id);
    expect(await titles('/firms/hanbit/alerts', hanbit)).toEqual(['Renamed tender']);
    // Its deadline, which moves the status and the days left.
    other.sqlite.prepare(`UPDATE tenders SET deadline_at = '2001-01-01T00:00:00.000Z' WHERE id = ?`).run(alert.tender.id);
    expect((await get('/firms/hanbit/alerts', hanbit)).json().items[0].tender.status).toBe('closed');
    // The alert withdrawn.
    other.sqlite.prepare(`DELETE FROM matches WHERE id = ?`).run(alert.id);
    expect((await get('/firms/hanbit/alerts', hanbit)).json().items).toEqual([]);
  });

  it('keeps firms apart: a key only ever gets its own firm’s pages', async () => {
    const own = await get('/firms/hanbit/alerts', hanbit);
    expect(await titles('/firms/secu/alerts', secu)).toEqual(['CCTV for the ministry']);
    // Hanbit's page is cached: another firm's key still can't reach it, not even its ETag.
    for (const headers of [secu, { ...secu, 'if-none-match': own.headers.etag as string }]) {
      const r = await get('/firms/hanbit/alerts', headers);
      expect(r.statusCode).toBe(404);
      expect(r.body).not.toContain('solar');
      expect(r.headers.etag).toBeUndefined();
    }
    expect(await titles('/firms/hanbit/alerts', hanbit)).toEqual(['Supply of solar PV systems for clinics']);
    // An adviser sees each firm's own page.
    expect(await titles('/firms/secu/alerts', adviser)).toEqual(['CCTV for the ministry']);
    expect((await get('/firms/hanbit/alerts', adviser)).body).toBe(own.body);
    // A revoked key gets nothing, though the page it asked for is cached.
    const key = hanbit.authorization.split('_')[1];
    expect((await app.inject({ method: 'DELETE', url: `/keys/${key}`, headers: bearer(t.store, 'admin') })).statusCode).toBe(204);
    expect((await get('/firms/hanbit/alerts', hanbit)).statusCode).toBe(401);
  });

  it('keys a page by the whole query', async () => {
    decide(t.store.sqlite, [{ matchId: proposed('hanbit')[0], action: 'approve' }], ADVISER);
    expect((await get('/firms/hanbit/alerts', hanbit)).json().items).toHaveLength(2);
    expect((await get('/firms/hanbit/alerts?limit=1', hanbit)).json().items).toHaveLength(1);
    expect((await get('/firms/hanbit/alerts?limit=1&offset=1', hanbit)).json().items).toHaveLength(1);
    expect((await get('/firms/hanbit/alerts?state=interested', hanbit)).json().items).toHaveLength(0);
    const newest = (await get('/firms/hanbit/alerts', hanbit)).json().items.map((a: { id: number }) => a.id);
    const byDeadline = (await get('/firms/hanbit/alerts?sort=deadline', hanbit)).json().items.map((a: { id: number }) => a.id);
    expect([...byDeadline].sort()).toEqual([...newest].sort());
  });

  it('follows a firm deleted and created again under the same id', async () => {
    expect((await get('/firms/hanbit/alerts', hanbit)).json().items).toHaveLength(1);
    other.sqlite.prepare(`DELETE FROM firms WHERE id = 'hanbit'`).run();
    expect((await get('/firms/hanbit/alerts', adviser)).statusCode).toBe(404);
    createFirm(other.sqlite, { id: 'hanbit', name: 'Hanbit again', keywords: ['solar PV'] });
    expect((await get('/firms/hanbit/alerts', adviser)).json().items).toEqual([]);
  });

  it('rebuilds the page when an alerted tender\'s description changes (snippets are cut from it on read)', async () => {
    const first = await get('/firms/hanbit/alerts', hanbit);
    const before = alertsVersion(t.store.sqlite, 'hanbit');
    const secuBefore = alertsVersion(t.store.sqlite, 'secu');
    const alerted = (first.json().items as { tender: { id: number } }[])[0].tender.id;
    expect(other.sqlite.prepare(`UPDATE tenders SET description = 'Lot 2: solar PV panels for the clinics' WHERE id = ?`).run(alerted).changes).toBe(1);
    expect(alertsVersion(t.store.sqlite, 'hanbit')).toBeGreaterThan(before!);
    // A firm not alerted to that tender keeps its pages.
    expect(alertsVersion(t.store.sqlite, 'secu')).toBe(secuBefore);
  });

  it('has a trigger watching every tender column the listing shows', () => {
    const shown = new Set([...ALERT_SELECT.matchAll(/\bt\.([a-z_]+)/g)].map((m) => m[1]));
    const trigger = (t.store.sqlite.prepare(`SELECT sql FROM sqlite_master WHERE name = 'alert_versions_tender_update'`).get() as { sql: string }).sql;
    const watched = new Set([...trigger.split(' ON `tenders`')[0].matchAll(/`([a-z_]+)`/g)].map((m) => m[1]));
    for (const column of shown) {
      expect(watched, `tenders.${column}`).toContain(column);
      expect(trigger, `tenders.${column}`).toContain(`OLD.${column} IS NOT NEW.${column}`);
    }
  });
});

describe('when a page stops being servable', () => {
  const DAY = 86_400_000;
  const at = (iso: string) => ({ tender: { deadline: { utc: iso } } });
  const now = Date.parse('2026-11-21T12:00:00.000Z');

  it('at the next change of a deadline’s days left, and never within a second of a deadline', () => {
    expect(viewsChangeAt([at('2026-11-23T00:00:00.000Z')], now)).toBe(Date.parse('2026-11-22T00:00:00.000Z'));
    expect(viewsChangeAt([at('2026-11-23T00:00:00.000Z'), at('2026-11-21T18:00:00Z')], now)).toBe(Date.parse('2026-11-21T18:00:00.000Z'));
    // Past deadlines count their days too.
    expect(viewsChangeAt([at('2026-11-20T06:00:00.000Z')], now)).toBe(Date.parse('2026-11-22T06:00:00.000Z'));
    expect(viewsChangeAt([at('2026-11-21T12:00:00.500Z')], now)).toBe(now);
    expect(viewsChangeAt([at('2026-11-21T11:59:59Z')], now)).toBe(now);
    expect(viewsChangeAt([at('not a date')], now)).toBe(now);
    expect(viewsChangeAt([{ tender: { deadline: null } }], now)).toBe(Infinity);
    expect(viewsChangeAt([at(new Date(now + 3 * DAY).toISOString())], now)).toBe(now);
  });

  it('when its version moves, when it expires, and least recently used first beyond the size', () => {
    const cache = createAlertPageCache(4000);
    const page = { firmId: 'f', version: 1, body: 'x'.repeat(900), validUntil: now + 10_000 };
    cache.set('a', page, now);
    expect(cache.get('a', 1, now)?.body.length).toBe(900);
    expect(cache.get('a', 2, now)).toBeNull();
    expect(cache.get('a', 1, now)).toBeNull();
    cache.set('a', page, now);
    expect(cache.get('a', 1, now + 10_000)).toBeNull();
    // Never kept past MAX_AGE_MS, whatever the clock-derived fields allow.
    cache.set('a', { ...page, validUntil: Infinity }, now);
    expect(cache.get('a', 1, now + 59_999)).not.toBeNull();
    expect(cache.get('a', 1, now + 60_000)).toBeNull();
    for (const k of ['a', 'b', 'c', 'd']) cache.set(k, page, now);
    cache.get('a', 1, now);
    cache.set('e', page, now);
    expect(cache.bytes).toBeLessThanOrEqual(4000);
    expect(cache.get('b', 1, now)).toBeNull();
    expect(cache.get('a', 1, now)).not.toBeNull();
    expect(cache.get('e', 1, now)).not.toBeNull();
  });

  it('gzips a page once for clients that accept it, with its own ETag, and counts its bytes', () => {
    const cache = createAlertPageCache(1_000_000);
    const body = JSON.stringify({ items: Array.from({ length: 40 }, (_, i) => ({ id: i, title: 'Supply of solar PV systems for clinics' })) });
    const page = cache.set('a', { firmId: 'f', version: 1, body, validUntil: now + 10_000 }, now);
    const before = cache.bytes;
    const plain = cache.representation(page, undefined);
    expect(plain).toEqual({ body: page.body, etag: page.etag, encoding: null });
    const gz = cache.representation(page, 'br;q=1, gzip;q=0.8');
    expect(gz.encoding).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(body);
    expect(gz.body.length).toBeLessThan(body.length / 4);
    expect(gz.etag).not.toBe(page.etag);
    expect(gz.etag).toMatch(/^"[\w-]+"$/);
    expect(cache.bytes).toBe(before + gz.body.length);
    // The second client gets the same bytes: compressed once.
    expect(cache.representation(page, 'gzip').body).toBe(gz.body);
    expect(cache.representation(page, 'gzip;q=0, identity').encoding).toBeNull();
    expect(cache.representation(page, 'br').encoding).toBeNull();
    // Too small to gain: as it is.
    const small = cache.set('b', { firmId: 'f', version: 1, body: '{"items":[]}', validUntil: now + 10_000 }, now);
    expect(cache.representation(small, 'gzip').encoding).toBeNull();
    // Dropped with its page: the count comes back down.
    cache.get('a', 2, now);
    expect(cache.bytes).toBe(small.body.length);
  });

  it('compares If-None-Match as RFC 9110 says', () => {
    expect(notModified('"abc"', '"abc"')).toBe(true);
    expect(notModified('W/"abc"', '"abc"')).toBe(true);
    expect(notModified('"x" , "abc"', '"abc"')).toBe(true);
    expect(notModified('*', '"abc"')).toBe(true);
    expect(notModified('"abcd"', '"abc"')).toBe(false);
    expect(notModified(undefined, '"abc"')).toBe(false);
  });
});
