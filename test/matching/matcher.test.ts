import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createIngestor } from '../../src/ingest/ingest.js';
import { createFirm } from '../../src/firms/repository.js';
import { decodeExplanation } from '../../src/matching/explanation-codec.js';
import { previewProfile, runMatch, runMatchInWorkers } from '../../src/matching/matcher.js';
import { emptyProfile } from '../../src/firms/profile.js';
import { fakeSource, raw, tender } from '../helpers/fake-source.js';
import { tempStore } from '../helpers/store.js';

const NOW = new Date('2026-11-21T00:00:00Z');

describe('matcher on the store', () => {
  let t: ReturnType<typeof tempStore>;
  beforeEach(() => {
    t = tempStore();
    createFirm(t.store.sqlite, { id: 'solar-co', name: 'Solar Co', keywords: ['solar PV', 'mini-grid'] });
    createFirm(t.store.sqlite, { id: 'cctv-co', name: 'CCTV Co', keywords: ['CCTV', 'video surveillance'], countries: ['KE', 'AF'] });
  });
  afterEach(() => t.cleanup());

  const snapshot = () =>
    t.store.sqlite.prepare(`SELECT firm_id, tender_id, score, explanation FROM matches ORDER BY firm_id, tender_id`).all();

  function ingest(items: ReturnType<typeof tender>[]) {
    const ing = createIngestor(t.store.sqlite, fakeSource('fake', () => []), { runId: null });
    ing.ingestBatch(items.map((x) => raw(x)));
    return ing.changed.map((c) => c.id);
  }

  it('incremental matching after each ingest gives the same matches as a full re-match', () => {
    const a = ingest([
      tender({ sourceId: '1', title: 'Solar PV for clinics', countries: ['AF'], description: null }),
      tender({ sourceId: '2', title: 'CCTV cameras for the airport', countries: ['KE'], description: null }),
    ]);
    runMatch(t.store.sqlite, { tenderIds: a, now: NOW });
    const b = ingest([
      tender({ sourceId: '3', title: 'Hybrid mini-grid', countries: ['BJ'], description: null }),
      tender({ sourceId: '4', title: 'Video surveillance system', countries: ['FR'], description: null }),
      // amendment of 2: no longer about CCTV
      tender({ sourceId: '2', title: 'Catering services for the airport', countries: ['KE'], description: null }),
    ]);
    runMatch(t.store.sqlite, { tenderIds: b, now: NOW });
    const incremental = snapshot();
    t.store.sqlite.exec('DELETE FROM matches');
    runMatch(t.store.sqlite, { now: NOW });
    expect(snapshot()).toEqual(incremental);
    const pairs = incremental.map((m: any) => `${m.firm_id}:${m.tender_id}`);
    expect(pairs).toEqual(['solar-co:1', 'solar-co:3']);
  });

  it('stores one match per firm and tender with its explanation and versions', () => {
    const ids = ingest([tender({ sourceId: '1', title: 'Solar PV mini-grid', countries: ['AF'] })]);
    runMatch(t.store.sqlite, { tenderIds: ids, now: NOW });
    runMatch(t.store.sqlite, { tenderIds: ids, now: NOW });
    const rows = t.store.sqlite.prepare(`SELECT * FROM matches`).all() as any[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ firm_id: 'solar-co', state: 'proposed', profile_version: 1, scoring_version: 1 });
    // Stored compactly (explanation-codec.ts); expanded with the tender's text.
    expect(rows[0].explanation.startsWith('[')).toBe(true);
    const e = decodeExplanation(rows[0].explanation, { title: 'Solar PV mini-grid', description: null });
    expect(e.text.hits.map((h) => h.keyword).sort()).toEqual(['mini-grid', 'solar PV']);
    expect(e.text.hits.every((h) => h.field === 'title' && h.snippet === 'Solar PV mini-grid')).toBe(true);
  });

  it('keeps curated matches when a re-match no longer finds them', () => {
    const ids = ingest([tender({ sourceId: '1', title: 'Solar PV', countries: ['AF'] })]);
    runMatch(t.store.sqlite, { tenderIds: ids, now: NOW });
    t.store.sqlite.exec(`UPDATE matches SET state = 'published'`);
    const changed = ingest([tender({ sourceId: '1', title: 'Office furniture', countries: ['AF'] })]);
    runMatch(t.store.sqlite, { tenderIds: changed, now: NOW });
    expect((t.store.sqlite.prepare(`SELECT state FROM matches`).get() as any).state).toBe('published');
  });

  it('scoring in worker threads stores exactly what matching in one thread stores', async () => {
    ingest([
      tender({ sourceId: '1', title: 'Solar PV for clinics', countries: ['AF'] }),
      tender({ sourceId: '2', title: 'CCTV cameras and video surveillance', countries: ['KE'], description: 'Mini-grid backup power.' }),
      tender({ sourceId: '3', title: 'Hybrid mini-grid with solar PV', countries: ['BJ'] }),
      tender({ sourceId: '4', title: 'Office furniture', countries: ['AF'] }),
    ]);
    runMatch(t.store.sqlite, { now: NOW, chunkSize: 2 });
    const oneThread = t.store.sqlite.prepare(`SELECT firm_id, tender_id, score, explanation, typeof(explanation) AS type FROM matches ORDER BY firm_id, tender_id`).all();
    t.store.sqlite.exec('DELETE FROM matches');
    const s = await runMatchInWorkers(t.store.sqlite, { now: NOW, workers: 2, chunkSize: 1 });
    expect(s).toMatchObject({ mode: 'full', tenders: 4, written: oneThread.length, unchanged: 0 });
    expect(t.store.sqlite.prepare(`SELECT firm_id, tender_id, score, explanation, typeof(explanation) AS type FROM matches ORDER BY firm_id, tender_id`).all()).toEqual(oneThread);
    expect(oneThread.every((r: any) => r.type === 'text')).toBe(true);
  });

  it('a re-match rewrites only what changed: unchanged rows keep their update time, stale proposed ones go', () => {
    const ids = ingest([
      tender({ sourceId: '1', title: 'Solar PV mini-grid', countries: ['AF'] }),
      tender({ sourceId: '2', title: 'Solar PV pumps', countries: ['AF'] }),
    ]);
    const first = runMatch(t.store.sqlite, { tenderIds: ids, now: NOW });
    expect(first).toMatchObject({ written: 2, unchanged: 0, removed: 0 });
    const stamp = () => t.store.sqlite.prepare(`SELECT tender_id, updated_at FROM matches ORDER BY tender_id`).all() as { tender_id: number; updated_at: string }[];
    const before = stamp();
    const later = new Date(NOW.getTime() + 1000);
    // The clock moved a second: nothing the explanations say changed, so no row is rewritten.
    expect(runMatch(t.store.sqlite, { now: later })).toMatchObject({ written: 0, unchanged: 2, removed: 0 });
    expect(stamp()).toEqual(before);
    const changed = ingest([tender({ sourceId: '2', title: 'Office furniture', description: null, countries: ['AF'] })]);
    expect(runMatch(t.store.sqlite, { tenderIds: changed, now: later })).toMatchObject({ written: 0, removed: 1 });
    expect(stamp()).toEqual([before[0]]);
    // Still a match, said differently: the row is updated in place.
    const amended = ingest([tender({ sourceId: '1', title: 'Solar PV mini-grid for rural schools', countries: ['AF'] })]);
    expect(runMatch(t.store.sqlite, { tenderIds: amended, now: later })).toMatchObject({ written: 1, unchanged: 0, removed: 0 });
    expect(stamp()).toEqual([{ tender_id: before[0].tender_id, updated_at: later.toISOString() }]);
  });

  it('previews the expected matches per day and warns above ten', () => {
    const many = Array.from({ length: 400 }, (_, i) => tender({ sourceId: `s${i}`, title: `Solar PV lot ${i}`, publishedAt: '2026-11-10T00:00:00.000Z' }));
    ingest(many);
    const p = previewProfile(t.store.sqlite, { ...emptyProfile(), keywords: ['solar PV'] }, { now: NOW });
    expect(p).toMatchObject({ windowDays: 30, tendersInWindow: 400, matchesInWindow: 400 });
    expect(p.expectedMatchesPerDay).toBeCloseTo(13.33, 1);
    expect(p.warning).toMatch(/alert fatigue/);
    const narrow = previewProfile(t.store.sqlite, { ...emptyProfile(), keywords: ['CCTV'] }, { now: NOW });
    expect(narrow).toMatchObject({ matchesInWindow: 0, warning: null });
  });
});
