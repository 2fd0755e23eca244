import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { createIngestor } from '../../src/ingest/ingest.js';
import { createFirm } from '../../src/firms/repository.js';
import { fakeSource, raw, tender } from '../helpers/fake-source.js';
import { bearer } from '../helpers/auth.js';
import { tempStore, testConfig } from '../helpers/store.js';

describe('tenders API', () => {
  let t: ReturnType<typeof tempStore>;
  let app: App;
  let auth: { authorization: string };
  beforeAll(async () => {
    t = tempStore();
    const src = fakeSource('fake', () => []);
    const ing = createIngestor(t.store.sqlite, src, { runId: null });
    ing.ingestBatch([
      raw(tender({ sourceId: 'solar', title: 'Supply and installation of solar PV systems', countries: ['AF'], publishedAt: '2026-10-01T00:00:00.000Z' })),
      raw(tender({ sourceId: 'water', title: 'Achat de purificateurs d\'eau', description: 'Fourniture de purificateurs d\'eau pour les écoles', language: 'fr', countries: ['BJ'], publishedAt: '2026-10-02T00:00:00.000Z' })),
      raw(tender({ sourceId: 'cctv', title: 'CCTV for the ministry', description: 'Video surveillance', countries: ['KE'], publishedAt: '2026-10-03T00:00:00.000Z', deadline: { at: '2026-01-01T00:00:00.000Z', raw: '01-Jan-2026', zone: null, zoneKnown: false } })),
      raw(tender({ sourceId: 'award', title: 'Contract award: solar mini-grid', noticeType: 'contract_award', status: 'awarded', countries: ['AF'], publishedAt: '2026-10-04T00:00:00.000Z' })),
    ]);
    // An amendment to make a version.
    ing.ingestBatch([raw(tender({ sourceId: 'solar', title: 'Supply and installation of solar PV systems', countries: ['AF'], publishedAt: '2026-10-01T00:00:00.000Z', deadline: { at: '2027-02-01T08:00:00.000Z', raw: '01-Feb-2027 08:00', zone: '+00:00', zoneKnown: true } }))]);
    app = await buildApp({ config: testConfig(), store: t.store, sources: [src] });
    auth = bearer(t.store, 'firm', createFirm(t.store.sqlite, { id: 'f1', name: 'F1' }).id);
  });
  afterAll(async () => {
    await app.close();
    t.cleanup();
  });

  const get = async (url: string) => {
    const r = await app.inject({ method: 'GET', url, headers: auth });
    return { status: r.statusCode, body: r.json() as any };
  };

  it('answers /health with the tender count', async () => {
    const r = await get('/health');
    expect(r).toMatchObject({ status: 200, body: { status: 'ok', tenders: 4 } });
  });

  it('lists every tender when unfiltered, newest first', async () => {
    const r = await get('/tenders');
    expect(r.status).toBe(200);
    expect(r.body.items.map((x: any) => x.sourceId)).toEqual(['award', 'cctv', 'water', 'solar']);
    expect(r.body.nextCursor).toBeNull();
  });

  it('derives status: awarded from the source, closed after the deadline, else open', async () => {
    const r = await get('/tenders?sort=published_desc');
    const status = Object.fromEntries(r.body.items.map((x: any) => [x.sourceId, x.status]));
    expect(status).toEqual({ award: 'awarded', cctv: 'closed', water: 'open', solar: 'open' });
    const open = await get('/tenders?status=open');
    expect(open.body.items.map((x: any) => x.sourceId).sort()).toEqual(['solar', 'water']);
  });

  it('filters by country, source and notice type', async () => {
    expect((await get('/tenders?country=af')).body.items.map((x: any) => x.sourceId).sort()).toEqual(['award', 'solar']);
    expect((await get('/tenders?country=BJ,KE')).body.items).toHaveLength(2);
    expect((await get('/tenders?noticeType=contract_award')).body.items.map((x: any) => x.sourceId)).toEqual(['award']);
    expect((await get('/tenders?source=other')).body.items).toHaveLength(0);
  });

  it('searches full text with the matcher analysis (accents and plurals folded)', async () => {
    const r = await get('/tenders?q=purificateur%20eau');
    expect(r.body.items.map((x: any) => x.sourceId)).toEqual(['water']);
    const solar = await get('/tenders?q=solar');
    expect(solar.body.items.map((x: any) => x.sourceId).sort()).toEqual(['award', 'solar']);
  });

  it('treats FTS syntax in q as plain words', async () => {
    const r = await get(`/tenders?q=${encodeURIComponent('solar" OR * NEAR(')}`);
    expect(r.status).toBe(200);
  });

  it('pages with a cursor without repeating or skipping', async () => {
    const first = await get('/tenders?limit=3');
    expect(first.body.items).toHaveLength(3);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await get(`/tenders?limit=3&cursor=${first.body.nextCursor}`);
    expect(second.body.items).toHaveLength(1);
    const ids = [...first.body.items, ...second.body.items].map((x: any) => x.id);
    expect(new Set(ids).size).toBe(4);
  });

  it('filters deadline and published ranges', async () => {
    const r = await get('/tenders?deadlineFrom=2027-01-01T00:00:00Z');
    expect(r.body.items.map((x: any) => x.sourceId)).toEqual(['solar']);
    const p = await get('/tenders?publishedFrom=2026-10-02T00:00:00Z&publishedTo=2026-10-03T00:00:00Z');
    expect(p.body.items.map((x: any) => x.sourceId).sort()).toEqual(['cctv', 'water']);
  });

  it.each([
    ['/tenders?limit=0', 'limit'],
    ['/tenders?limit=abc', 'limit'],
    ['/tenders?status=maybe', 'status'],
    ['/tenders?country=Afghanistan', 'country'],
    ['/tenders?deadlineFrom=yesterday', 'deadlineFrom'],
    ['/tenders?cursor=garbage', 'cursor'],
    ['/tenders?sort=relevance', 'sort'],
    ['/tenders?bogus=1', 'bogus'],
  ])('answers %s with a 400 naming the parameter', async (url, param) => {
    const r = await get(url);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(r.body.message).toContain(param);
  });

  it('shows one tender with its versions, and 404s an unknown id', async () => {
    const list = await get('/tenders?q=solar%20installation');
    const id = list.body.items[0].id;
    const r = await get(`/tenders/${id}`);
    expect(r.status).toBe(200);
    expect(r.body.versions).toHaveLength(1);
    expect(r.body.versions[0].changes.deadlineAt.to).toBe('2027-02-01T08:00:00.000Z');
    expect(r.body.deadline).toMatchObject({ at: '2027-02-01T08:00:00.000Z', zoneKnown: true });
    const missing = await get('/tenders/999999');
    expect(missing).toMatchObject({ status: 404, body: { statusCode: 404, error: 'Not Found' } });
    expect((await get('/tenders/abc')).status).toBe(400);
  });

  it('serves the OpenAPI document and the docs page', async () => {
    const spec = await get('/docs/json');
    expect(spec.status).toBe(200);
    expect(Object.keys(spec.body.paths)).toEqual(expect.arrayContaining(['/health', '/tenders', '/tenders/{id}', '/sources', '/firms']));
    const page = await app.inject({ method: 'GET', url: '/docs' });
    expect((await app.inject({ method: 'GET', url: '/docs/json' })).statusCode).toBe(200);
    expect([200, 302]).toContain(page.statusCode);
  });

  it('needs a key for tenders, but not for health or docs', async () => {
    expect((await app.inject({ url: '/tenders' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/tenders', headers: { authorization: 'Bearer gpk_000000000000_' + 'x'.repeat(43) } })).json()).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    expect((await app.inject({ url: '/health' })).statusCode).toBe(200);
  });

  it('lists sources with their health', async () => {
    const r = await get('/sources');
    expect(r.body.items[0]).toMatchObject({ id: 'fake', health: { state: 'never_run' }, lastRun: null });
  });
});
