import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HttpClient } from '../../scrapers/http-client.js';
import { runSource } from '../../src/ingest/run-source.js';
import { scrape } from '../../src/ingest/scrape.js';
import { fakeSource, raw, tender } from '../helpers/fake-source.js';
import { tempStore, testConfig } from '../helpers/store.js';

const noHttp: HttpClient = {
  request: async () => {
    throw new Error('no network in this test');
  },
  getText: async () => {
    throw new Error('no network in this test');
  },
  getJson: async () => {
    throw new Error('no network in this test');
  },
  close: async () => {},
};

describe('runSource', () => {
  let t: ReturnType<typeof tempStore>;
  beforeEach(() => (t = tempStore()));
  afterEach(() => t.cleanup());

  it('records a successful run with its counts', async () => {
    const s = fakeSource('alpha', () => [raw(tender({ sourceId: '1' })), raw(tender({ sourceId: '2' }))]);
    const r = await runSource({ sqlite: t.store.sqlite, source: s, http: noHttp });
    expect(r).toMatchObject({ status: 'success', pages: 1, counts: { seen: 2, new: 2 } });
    const run = t.store.sqlite.prepare('SELECT * FROM scrape_runs WHERE id = ?').get(r.runId) as any;
    expect(run).toMatchObject({ source: 'alpha', status: 'success', items_seen: 2, items_new: 2, error: null });
    expect(run.finished_at).not.toBeNull();
  });

  it('keeps what was fetched before the source broke, and records the failure', async () => {
    const s = fakeSource('alpha', () => [raw(tender({ sourceId: '1' })), new Error('connection reset')]);
    const r = await runSource({ sqlite: t.store.sqlite, source: s, http: noHttp });
    // Cut short: kept, but the next incremental run starts from the last complete one.
    expect(r.status).toBe('incomplete');
    expect(r.error).toBe('connection reset');
    expect((t.store.sqlite.prepare('SELECT count(*) n FROM tenders').get() as any).n).toBe(1);
  });

  it('reports a source that yields only problems as failed, never as "0 new"', async () => {
    const s = fakeSource('alpha', () => [{ kind: 'problem', message: 'page 1 is not JSON' }]);
    const r = await runSource({ sqlite: t.store.sqlite, source: s, http: noHttp });
    expect(r.status).toBe('failed');
    const problems = t.store.sqlite.prepare('SELECT message FROM run_problems WHERE run_id = ?').all(r.runId) as any[];
    expect(problems.map((p) => p.message)).toEqual(['page 1 is not JSON']);
  });

  it('marks a run with failed notices partial and counts them', async () => {
    const s = fakeSource('alpha', () => [raw('{broken', 'b1'), raw(tender({ sourceId: '1' }))]);
    const r = await runSource({ sqlite: t.store.sqlite, source: s, http: noHttp });
    expect(r).toMatchObject({ status: 'partial', counts: { seen: 2, new: 1, failed: 1 } });
  });

  it('gives the incremental window: the start of the last successful run', async () => {
    const seen: (string | null)[] = [];
    const s = fakeSource('alpha', () => []);
    const spy = { ...s, fetch: (ctx: Parameters<typeof s.fetch>[0]) => (seen.push(ctx.since), s.fetch(ctx)) };
    let clock = 0;
    const now = () => new Date(Date.UTC(2026, 10, 21, 0, 0, clock++)).toISOString();
    await runSource({ sqlite: t.store.sqlite, source: spy, http: noHttp, now });
    await runSource({ sqlite: t.store.sqlite, source: spy, http: noHttp, now });
    expect(seen).toEqual([null, '2026-11-21T00:00:00.000Z']);
  });

  it('one source failing never stops the others', async () => {
    const broken = fakeSource('broken', () => [new Error('HTTP 503 after 5 attempts')]);
    const fine = fakeSource('fine', () => [raw(tender({ sourceId: '1' }))]);
    const results = await scrape({ store: t.store, config: testConfig(), sources: [broken, fine], httpFactory: () => noHttp });
    expect(results.map((r) => [r.source, r.status])).toEqual([
      ['broken', 'failed'],
      ['fine', 'success'],
    ]);
    expect((t.store.sqlite.prepare(`SELECT count(*) n FROM tenders WHERE source = 'fine'`).get() as any).n).toBe(1);
  });
});
