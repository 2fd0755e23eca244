/** The benchmark code at a tiny scale, so it can't rot. No timing is asserted. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { benchApi } from '../bench/api.js';
import { agreement, fts5Query } from '../bench/match-alternatives.js';
import { renderMarkdown } from '../bench/report.js';
import { BENCH_OPTIONS, benchSettings } from '../bench/run.js';
import { benchFull, benchIncremental, benchIngest, benchIngestVolume, figure } from '../bench/suites.js';
import { main } from '../src/cli.js';
import { benchCommand } from '../src/commands/bench.js';
import { compileProfile } from '../src/matching/profile-query.js';
import { emptyProfile } from '../src/firms/profile.js';

describe('benchmark suites (tiny scale)', () => {
  it('ingest and incremental match run, and the matcher and both alternatives agree with naive scoring', async () => {
    const ingest = await benchIngest(60, 1);
    expect(ingest).toMatchObject({ notices: 60, failed: 0 });
    expect(ingest.noticesPerS.median).toBeGreaterThan(0);
    const inc = benchIncremental(20, 30, { repeats: 1 });
    expect(inc).toMatchObject({ sameMatchSetAsNaive: true, overlapAt10: 1, rematchWritten: 0 });
    expect(inc.matched).toBeGreaterThan(0);
    expect(inc.minisearch).toMatchObject({ sameMatchSet: true, overlapAt10: 1 });
    expect(inc.fts5).toMatchObject({ sameMatchSet: true, overlapAt10: 1 });
    // The volume run: slices into one store that keeps every one of them.
    const volume = await benchIngestVolume(90, 40);
    expect(volume).toMatchObject({ notices: 90, slice: 40, stored: 90, failed: 0 });
    expect(volume.perSlice.runs).toBe(3);
    const md = renderMarkdown({ machine: 'test', date: 'now', commit: 'x', ingest, ingest_volume: volume, match_incremental: inc });
    expect(md).toMatch(/## Ingest/);
    expect(md).toMatch(/Volume: 90 notices into one store, 40 at a time/);
    expect(md).toMatch(/SQLite FTS5/);
    expect(md).toMatch(/Matches stored vs naive: same match set: yes, overlap@10 1\.000/);
  }, 60_000);

  it('measures the slow references on samples and says so', () => {
    const inc = benchIncremental(20, 30, { repeats: 1, naiveTenders: 8, alternativeProfiles: 10 });
    expect(inc).toMatchObject({ naiveTenders: 8, alternativeProfiles: 10, sameMatchSetAsNaive: true });
    expect(inc.fts5.sameMatchSet).toBe(true);
    const md = renderMarkdown({ machine: 'test', date: 'now', commit: 'x', match_incremental_30: inc });
    expect(md).toMatch(/measured on 10 profiles, extrapolated/);
    expect(md).toMatch(/measured on 8 tenders, extrapolated/);
  }, 60_000);

  it('full match runs in its own process with scoring in workers, re-matches without rewriting, and agrees with naive and FTS5', () => {
    const full = benchFull(60, 20, { naiveTenders: 10, ftsProfiles: 5 });
    expect(full).toMatchObject({ sameMatchSetAsNaive: true, rematchWritten: 0 });
    expect(full.workers).toBeGreaterThanOrEqual(1);
    expect(full.matched).toBeGreaterThan(0);
    expect(full.fts5).toMatchObject({ profiles: 5, sameMatchSet: true });
    expect(renderMarkdown({ machine: 'test', date: 'now', commit: 'x', match_full: full })).toMatch(/runMatchInWorkers/);
    // The large form: the matcher once, naive beside it, FTS5 left out with the reason.
    const large = benchFull(60, 20, { naiveTenders: 10, largeAbove: 50 });
    expect(large).toMatchObject({ sameMatchSetAsNaive: true, rematchSeconds: null, fts5: null });
    expect(renderMarkdown({ machine: 'test', date: 'now', commit: 'x', match_full_60: large })).toMatch(/Run once; FTS5 alternative not run above 50 tenders/);
  }, 120_000);

  it('api and interference run against a server in its own process, on loopback', async () => {
    const r = await benchApi({ tenders: 200, open: 50, firms: 10, matches: 200 }, 1);
    expect(r.idle.alerts.errors + r.idle.alerts.non2xx).toBe(0);
    expect(r.idle.alertsIdentity.errors + r.idle.alertsIdentity.non2xx).toBe(0);
    expect(r.busy.errors + r.busy.non2xx).toBe(0);
    expect(r.burst.ingestSeconds).toBeGreaterThan(0);
    // The burst ran at the default BACKGROUND_NICE (Linux; elsewhere the thread is left alone).
    if (process.platform === 'linux') expect(r.burst.nice).toBe(10);
    // The seeded explanations are full size and the page is served gzipped when asked.
    expect(r.sameBytes.bytes).toBeGreaterThan(r.sameBytesGzip.bytes * 3);
    expect(renderMarkdown({ machine: 'test', date: 'now', commit: 'x', api: r })).toMatch(/not compressed: [\d.]+% of the ceiling/);
  }, 60_000);

  it('summarizes repeated runs as median, min and max', () => {
    expect(figure([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3, runs: 3 });
  });

  it('compares match sets both ways and by overlap@10', () => {
    const ref = new Map([['a:1', 0.9], ['a:2', 0.5], ['b:1', 0.3]]);
    expect(agreement(new Map(ref), ref)).toEqual({ sameMatchSet: true, overlapAt10: 1 });
    expect(agreement(new Map([['a:1', 0.9], ['b:1', 0.3]]), ref)).toEqual({ sameMatchSet: false, overlapAt10: 0.75 });
  });

  it('asks FTS5 for any phrase of a profile, every token quoted', () => {
    const p = compileProfile('f', 1, { ...emptyProfile(), keywords: ['solar PV'] });
    const q = fts5Query(p)!;
    expect(q).toMatch(/^\("[^"]+"( AND "[^"]+")*\)( OR \("[^"]+"( AND "[^"]+")*\))*$/);
    expect(fts5Query(compileProfile('g', 1, emptyProfile()))).toBeNull();
  });
});

describe('gpass-tenders bench', () => {
  const cli = async (args: string[]) => {
    const err: string[] = [];
    const code = await main(args, { out: () => {}, err: (l) => err.push(l), isTTY: false });
    return { code, err: err.join('\n') };
  };

  it('takes the options `npm run bench` takes and rejects bad values by name', async () => {
    expect(benchCommand.options).toEqual(BENCH_OPTIONS);
    expect(benchSettings({ scale: '0.01', 'incremental-profiles': '5000,20000' })).toMatchObject({ fullTenders: 1000, incrementalProfiles: [50, 200] });
    expect(benchSettings({ 'full-tenders': '1000000' }).fullTenders).toBe(1_000_000);
    expect(await cli(['bench', '--scale', 'none'])).toMatchObject({ code: 2, err: expect.stringMatching(/--scale/) });
    expect(await cli(['bench', '--suite', 'nope'])).toMatchObject({ code: 2, err: expect.stringMatching(/unknown suite "nope"/) });
  });

  it('runs a suite and writes the report where it is told', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'gpass-bench-cli-'));
    try {
      const r = await cli(['bench', '--suite', 'match-incremental', '--scale', '0.004', '--incremental-profiles', '5000', '--out', out]);
      expect(r.code).toBe(0);
      const results = JSON.parse(fs.readFileSync(path.join(out, 'bench', 'results.json'), 'utf8'));
      expect(results.match_incremental).toMatchObject({ tenders: 10, firms: 20, sameMatchSetAsNaive: true });
      expect(fs.readFileSync(path.join(out, 'docs', 'BENCHMARKS.md'), 'utf8')).toMatch(/10 new tenders × 20 profiles/);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);
});
