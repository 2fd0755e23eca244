import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createIngestor } from '../../src/ingest/ingest.js';
import { analyze } from '../../src/matching/analyzer.js';
import { fakeSource, raw, tender } from '../helpers/fake-source.js';
import { tempStore } from '../helpers/store.js';

describe('ingest', () => {
  let t: ReturnType<typeof tempStore>;
  beforeEach(() => (t = tempStore()));
  afterEach(() => t.cleanup());
  const source = fakeSource('fake', () => []);

  it('stores a new notice with its raw payload, then reports it unchanged', () => {
    const ing = createIngestor(t.store.sqlite, source, { runId: null });
    ing.ingestBatch([raw(tender({ sourceId: 'a1' }))]);
    ing.ingestBatch([raw(tender({ sourceId: 'a1' }))]);
    expect(ing.counts).toMatchObject({ seen: 2, new: 1, unchanged: 1, amended: 0, failed: 0 });
    const rows = t.store.sqlite.prepare('SELECT source, source_id, title, countries, version, cluster_id, id FROM tenders').all() as any[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ source: 'fake', source_id: 'a1', version: 1, countries: '["AF"]' });
    // Alone, a tender is its own cluster (no link recorded).
    expect(rows[0].cluster_id).toBeNull();
    const raws = t.store.sqlite.prepare('SELECT payload, parse_error FROM raw_notices').all() as any[];
    expect(raws).toHaveLength(1);
    expect(JSON.parse(raws[0].payload).sourceId).toBe('a1');
    expect(raws[0].parse_error).toBeNull();
  });

  it('writes a version with the changed fields when a notice is amended', () => {
    const ing = createIngestor(t.store.sqlite, source, { runId: null });
    ing.ingestBatch([raw(tender({ sourceId: 'a1' }))]);
    const moved = tender({ sourceId: 'a1', deadline: { at: '2027-01-10T08:00:00.000Z', raw: '10-Jan-2027 08:00 (GMT 0.00)', zone: '+00:00', zoneKnown: true } });
    ing.ingestBatch([raw(moved)]);
    expect(ing.counts.amended).toBe(1);
    const row = t.store.sqlite.prepare('SELECT id, version, deadline_at FROM tenders').get() as any;
    expect(row.version).toBe(2);
    expect(row.deadline_at).toBe('2027-01-10T08:00:00.000Z');
    const v = t.store.sqlite.prepare('SELECT version, changes FROM tender_versions WHERE tender_id = ?').get(row.id) as any;
    const changes = JSON.parse(v.changes);
    expect(v.version).toBe(2);
    expect(Object.keys(changes).sort()).toEqual(['deadlineAt', 'deadlineRaw']);
    expect(changes.deadlineAt).toEqual({ from: '2026-12-22T08:00:00.000Z', to: '2027-01-10T08:00:00.000Z' });
    // Both payloads are kept.
    expect((t.store.sqlite.prepare('SELECT count(*) n FROM raw_notices').get() as any).n).toBe(2);
  });

  it('records a notice that fails to parse, keeps its payload, and goes on', () => {
    const problems: string[] = [];
    const ing = createIngestor(t.store.sqlite, source, { runId: null, onProblem: (p) => problems.push(p.message) });
    ing.ingestBatch([raw('{not json', 'bad-1'), raw(tender({ sourceId: 'ok-1' }))]);
    expect(ing.counts).toMatchObject({ seen: 2, new: 1, failed: 1 });
    const bad = t.store.sqlite.prepare(`SELECT payload, parse_error FROM raw_notices WHERE source_id = 'bad-1'`).get() as any;
    expect(bad.payload).toBe('{not json');
    expect(bad.parse_error).toMatch(/not JSON/);
    expect(problems[0]).toMatch(/not JSON/);
  });

  it('refuses a parsed notice that breaks the store contract', () => {
    const ing = createIngestor(t.store.sqlite, source, { runId: null });
    ing.ingestBatch([raw(tender({ sourceId: 'x', countries: ['Afghanistan'] }))]);
    expect(ing.counts.failed).toBe(1);
    const r = t.store.sqlite.prepare(`SELECT parse_error FROM raw_notices`).get() as any;
    expect(r.parse_error).toMatch(/ISO 3166-1 alpha-2/);
    expect((t.store.sqlite.prepare('SELECT count(*) n FROM tenders').get() as any).n).toBe(0);
  });

  it('keeps the full-text index in step with amendments', () => {
    const ing = createIngestor(t.store.sqlite, source, { runId: null });
    ing.ingestBatch([raw(tender({ sourceId: 'a1', title: 'Supply of water purifiers' }))]);
    const token = analyze('purifiers', 'en')[0];
    const hits = () => (t.store.sqlite.prepare(`SELECT count(*) n FROM tenders_fts WHERE tenders_fts MATCH ?`).get(`"${token}"`) as any).n;
    expect(hits()).toBe(1);
    ing.ingestBatch([raw(tender({ sourceId: 'a1', title: 'Supply of ambulances' }))]);
    expect(hits()).toBe(0);
  });
});
