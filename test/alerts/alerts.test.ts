import { XMLParser } from 'fast-xml-parser';
import ICAL from 'ical.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { computeAdjustments } from '../../src/alerts/feedback.js';
import { afterRun } from '../../src/ingest/scrape.js';
import { createIngestor } from '../../src/ingest/ingest.js';
import { createFirm } from '../../src/firms/repository.js';
import { runMatch } from '../../src/matching/matcher.js';
import { bearer } from '../helpers/auth.js';
import { fakeSource, raw, tender } from '../helpers/fake-source.js';
import { tempStore, testConfig } from '../helpers/store.js';

const FAR = { at: '2099-03-01T08:00:00.000Z', raw: '01-Mar-2099 12:30 (GMT 4.30)', zone: '+04:30', zoneKnown: true };

describe('curation and alerts', () => {
  let t: ReturnType<typeof tempStore>;
  let app: App;
  let adviser: { authorization: string };
  let firm: { authorization: string };
  const src = fakeSource('fake', () => []);

  function ingest(items: ReturnType<typeof tender>[]) {
    const ing = createIngestor(t.store.sqlite, src, { runId: null });
    ing.ingestBatch(items.map((x) => raw(x)));
    return afterRun(t.store, { runId: 0, source: 'fake', status: 'success', pages: 1, counts: ing.counts, problems: 0, error: null, changed: ing.changed, startedAt: '', finishedAt: '' });
  }
  const call = async (method: string, url: string, headers: object, payload?: object) => {
    const r = await app.inject({ method: method as 'GET', url, headers: headers as Record<string, string>, ...(payload ? { payload } : {}) });
    return { status: r.statusCode, body: r.body ? (r.headers['content-type']?.toString().includes('json') ? r.json() : r.body) : null } as { status: number; body: any };
  };
  const queue = async (q = '') => (await call('GET', `/curation/queue${q}`, adviser)).body.items as any[];

  beforeEach(async () => {
    t = tempStore();
    createFirm(t.store.sqlite, { id: 'hanbit', name: 'Hanbit Solar', keywords: ['solar PV', 'mini-grid'] });
    createFirm(t.store.sqlite, { id: 'secu', name: 'SecuVision', keywords: ['CCTV'] });
    app = await buildApp({ config: testConfig(), store: t.store, sources: [src] });
    adviser = bearer(t.store, 'adviser');
    firm = bearer(t.store, 'firm', 'hanbit');
    ingest([
      tender({ sourceId: 'a', title: 'Supply of solar PV systems for clinics', description: null, buyer: 'UNDP Afghanistan', deadline: FAR }),
      tender({ sourceId: 'b', title: 'Hybrid mini-grid for a health centre', description: null, buyer: 'UNICEF', deadline: FAR, countries: ['KE'] }),
      tender({ sourceId: 'c', title: 'CCTV for the ministry', description: null, buyer: 'UNOPS', deadline: FAR }),
    ]);
  });
  afterEach(async () => {
    await app.close();
    t.cleanup();
  });

  it('runs the curation flow end to end: queue, approve with a note, reject with a reason, firm sees only published', async () => {
    const items = await queue('?firm=hanbit');
    expect(items.map((i) => i.tender.title).sort()).toEqual(['Hybrid mini-grid for a health centre', 'Supply of solar PV systems for clinics']);
    const [first, second] = items;
    expect((await call('POST', `/curation/matches/${first.id}/approve`, adviser, { note: 'Core product; bid with the Kabul partner', reasonCode: 'relevant' })).status).toBe(200);
    expect((await call('POST', `/curation/matches/${second.id}/reject`, adviser, { note: 'too far', reasonCode: 'wrong_country' })).status).toBe(200);
    // A decided match is not decided twice.
    expect((await call('POST', `/curation/matches/${first.id}/reject`, adviser, {})).status).toBe(409);

    const alerts = (await call('GET', '/firms/hanbit/alerts', firm)).body.items;
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ id: first.id, note: 'Core product; bid with the Kabul partner', firmState: 'new' });
    expect(alerts[0].tender.deadline).toMatchObject({ utc: '2099-03-01T08:00:00.000Z', source: '2099-03-01T12:30:00+04:30', seoul: '2099-03-01T17:00:00+09:00' });
    // Stored compactly, served whole: the snippet is cut from the tender's title again.
    expect(alerts[0].explanation.text.hits[0]).toMatchObject({ field: 'title', origin: 'keyword', proximity: 'adjacent', snippet: first.tender.title });
    expect(alerts[0].explanation).toMatchObject({ score: first.score, scoringVersion: 1, filtersPassed: expect.arrayContaining(['open']) });
    const log = (await call('GET', '/curation/actions?firm=hanbit', adviser)).body.items;
    expect(log.map((a: any) => [a.action, a.reasonCode])).toEqual([['reject', 'wrong_country'], ['approve', 'relevant']]);
    const ev = t.store.sqlite.prepare(`SELECT type, firm_id FROM events WHERE type = 'alert.created'`).all();
    expect(ev).toEqual([{ type: 'alert.created', firm_id: 'hanbit' }]);
  });

  it('filters and sorts the queue', async () => {
    expect((await queue('?firm=secu')).map((i) => i.tender.title)).toEqual(['CCTV for the ministry']);
    expect((await queue('?country=KE')).map((i) => i.tender.title)).toEqual(['Hybrid mini-grid for a health centre']);
    const all = await queue('?sort=score');
    expect(all.map((i) => i.score)).toEqual([...all.map((i) => i.score)].sort((a, b) => b - a));
    expect(await queue('?scoreMin=0.99')).toHaveLength(0);
  });

  it('applies bulk decisions all or nothing', async () => {
    const items = await queue();
    const ok = await call('POST', '/curation/bulk', adviser, { decisions: items.map((i) => ({ matchId: i.id, action: 'approve' })) });
    expect(ok.body).toEqual({ applied: 3 });
    expect(await queue()).toHaveLength(0);
    // One bad id in a batch: nothing applied.
    ingest([tender({ sourceId: 'd', title: 'Solar PV for schools', description: null, deadline: FAR })]);
    const [fresh] = await queue();
    const bad = await call('POST', '/curation/bulk', adviser, { decisions: [{ matchId: fresh.id, action: 'approve' }, { matchId: 999999, action: 'approve' }] });
    expect(bad.status).toBe(404);
    expect(await queue()).toHaveLength(1);
  });

  it('publishes matches above the auto-publish threshold without review', async () => {
    const r = await call('PUT', '/firms/hanbit/auto-publish', adviser, { threshold: 0.5 });
    expect(r.body.published).toBe(2);
    ingest([tender({ sourceId: 'e', title: 'Solar PV mini-grid for a hospital', description: null, deadline: FAR })]);
    const alerts = (await call('GET', '/firms/hanbit/alerts', firm)).body.items;
    expect(alerts.map((a: any) => a.tender.title)).toContain('Solar PV mini-grid for a hospital');
    const auto = t.store.sqlite.prepare(`SELECT count(*) n FROM curation_actions WHERE action = 'auto_publish'`).get() as any;
    expect(auto.n).toBe(3);
  });

  it('recommends a tender to two firms by hand', async () => {
    const tid = (t.store.sqlite.prepare(`SELECT id FROM tenders WHERE source_id = 'c'`).get() as any).id;
    const r = await call('POST', `/tenders/${tid}/recommend`, adviser, { firmIds: ['hanbit', 'secu'], note: 'Cameras run on solar: worth a joint bid' });
    expect(r.body.alertIds).toHaveLength(2);
    const alerts = (await call('GET', '/firms/hanbit/alerts', firm)).body.items;
    expect(alerts[0]).toMatchObject({ note: 'Cameras run on solar: worth a joint bid', tender: { title: 'CCTV for the ministry' } });
  });

  it('updates an alert when its tender is amended, moved or cancelled, with events', async () => {
    const [m] = await queue('?firm=hanbit&sort=deadline');
    await call('POST', `/curation/matches/${m.id}/approve`, adviser, {});
    const src = m.tender.title.startsWith('Supply') ? 'a' : 'b';
    const base = src === 'a'
      ? { sourceId: 'a', title: 'Supply of solar PV systems for clinics', description: null, buyer: 'UNDP Afghanistan' }
      : { sourceId: 'b', title: 'Hybrid mini-grid for a health centre', description: null, buyer: 'UNICEF', countries: ['KE'] };
    ingest([tender({ ...base, deadline: { ...FAR, at: '2099-04-01T08:00:00.000Z' } })]);
    let alert = (await call('GET', `/firms/hanbit/alerts/${m.id}`, firm)).body;
    expect(alert.change).toMatchObject({ kind: 'deadline_moved' });
    expect(alert.tender.deadline.utc).toBe('2099-04-01T08:00:00.000Z');
    ingest([tender({ ...base, deadline: { ...FAR, at: '2099-04-01T08:00:00.000Z' }, status: 'cancelled' })]);
    alert = (await call('GET', `/firms/hanbit/alerts/${m.id}`, firm)).body;
    expect(alert.change).toMatchObject({ kind: 'cancelled' });
    expect(alert.tender.status).toBe('cancelled');
    const types = (t.store.sqlite.prepare(`SELECT type FROM events WHERE firm_id = 'hanbit' ORDER BY id`).all() as any[]).map((e) => e.type);
    expect(types).toEqual(['alert.created', 'alert.updated', 'alert.cancelled']);
  });

  it('lets a firm mark alerts, and its feedback lowers later ranking, saying so', async () => {
    await call('PUT', '/firms/hanbit/auto-publish', adviser, { threshold: 0 });
    ingest([
      tender({ sourceId: 'u1', title: 'Solar PV lamps for UNOPS offices', description: null, buyer: 'UNOPS Kabul', deadline: FAR }),
      tender({ sourceId: 'u2', title: 'Solar PV panels for UNOPS warehouse', description: null, buyer: 'UNOPS Kabul', deadline: FAR }),
    ]);
    const alerts = (await call('GET', '/firms/hanbit/alerts', firm)).body.items as any[];
    const fromUnops = alerts.filter((a) => a.tender.buyer === 'UNOPS Kabul');
    const before = fromUnops[0].score;
    for (const a of fromUnops) {
      const r = await call('POST', `/firms/hanbit/alerts/${a.id}/feedback`, firm, { state: 'not_relevant', reason: 'we do not sell lamps to UNOPS' });
      expect(r.body.firmState).toBe('not_relevant');
    }
    // A later tender from the same buyer ranks lower, and the explanation says why.
    ingest([tender({ sourceId: 'u3', title: 'Solar PV street lights for a UNOPS compound', description: null, buyer: 'UNOPS Kabul', deadline: { ...FAR, at: '2099-05-01T08:00:00.000Z' }, reference: 'NEW-1' })]);
    const later = (await call('GET', '/firms/hanbit/alerts', firm)).body.items.find((a: any) => a.tender.reference === 'NEW-1');
    expect(later.score).toBeLessThan(before);
    expect(later.explanation.factors.map((f: any) => f.reason).join()).toMatch(/feedback: 2 alerts from UNOPS Kabul marked not relevant/);
  });

  it('bounds feedback adjustments', () => {
    const marks = Array.from({ length: 20 }, () => ({ state: 'not_relevant', buyer: 'X', keywords: ['solar PV'] }));
    const a = computeAdjustments(marks);
    expect(a.buyers.x.factor).toBe(0.6);
    expect(a.keywords['solar PV'].factor).toBe(0.5);
    expect(computeAdjustments([{ state: 'not_relevant', buyer: 'X', keywords: [] }]).buyers).toEqual({});
    expect(computeAdjustments([...marks.slice(0, 3), { state: 'interested', buyer: 'X', keywords: ['solar PV'] }]).buyers).toEqual({});
  });

  it('serves Atom and iCalendar feeds that parse back, behind a revocable token', async () => {
    const items = await queue('?firm=hanbit');
    for (const i of items) await call('POST', `/curation/matches/${i.id}/approve`, adviser, { note: 'Bid' });
    await call('POST', `/firms/hanbit/alerts/${items[0].id}/feedback`, firm, { state: 'interested' });
    const { token, atomUrl, icsUrl } = (await call('POST', '/firms/hanbit/feed-token', firm)).body;
    expect(atomUrl).toContain(token);

    const atom = await app.inject({ url: `/feeds/${token}/alerts.atom` });
    expect(atom.headers['content-type']).toContain('application/atom+xml');
    const doc = new XMLParser({ ignoreAttributes: false }).parse(atom.body);
    const entries = [doc.feed.entry].flat();
    expect(entries).toHaveLength(2);
    expect(entries.map((e: any) => (typeof e.title === 'object' ? e.title['#text'] : e.title)).sort()).toEqual(items.map((i) => i.tender.title).sort());

    const ics = await app.inject({ url: `/feeds/${token}/deadlines.ics` });
    const cal = new ICAL.Component(ICAL.parse(ics.body));
    const events = cal.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
    expect(events).toHaveLength(1);
    expect(events[0].summary).toBe(`Deadline: ${items[0].tender.title}`);
    expect(events[0].endDate.toJSDate().toISOString()).toBe('2099-03-01T08:00:00.000Z');

    await call('POST', '/firms/hanbit/feed-token', firm);
    expect((await app.inject({ url: `/feeds/${token}/alerts.atom` })).statusCode).toBe(404);
    expect(icsUrl).toContain('/deadlines.ics');
  });

  it('refreshes matches when the firm profile changes (bumped version)', async () => {
    const r = await call('PATCH', '/firms/hanbit', adviser, { keywords: ['CCTV'] });
    expect(r.body.firm.profileVersion).toBe(2);
    runMatch(t.store.sqlite, { firmIds: ['hanbit'] });
    expect((await queue('?firm=hanbit')).map((i) => i.tender.title)).toEqual(['CCTV for the ministry']);
  });
});
