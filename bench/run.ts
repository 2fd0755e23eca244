/**
 * `npm run bench [-- --suite NAME] [--scale F] [--out DIR]` (or `gpass-tenders bench …`, the
 * same code): runs the suites and writes docs/BENCHMARKS.md and bench/results.json (machine,
 * date, commit, every figure). --scale multiplies the sizes (0.01 for a smoke run); the default
 * is the issues' sizes. --full-tenders sets the full match's tenders on its own (1000000 for
 * the million-tender run), --incremental-profiles the incremental suite's profile counts.
 */
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';

export const SUITES = ['ingest', 'match-incremental', 'match-full', 'api', 'webhooks', 'eval'] as const;

export const BENCH_OPTIONS = {
  suite: { type: 'string', multiple: true },
  scale: { type: 'string', default: '1' },
  out: { type: 'string', default: '.' },
  'full-tenders': { type: 'string' },
  'incremental-profiles': { type: 'string', default: '5000,20000' },
} satisfies NonNullable<ParseArgsConfig['options']>;

export class BenchUsageError extends Error {}

export interface BenchSettings {
  suites: string[];
  scale: number;
  out: string;
  fullTenders: number;
  incrementalProfiles: number[];
}

/** The settings from the parsed options; a bad value throws BenchUsageError naming the option. */
export function benchSettings(values: { suite?: string[]; scale?: string; out?: string; 'full-tenders'?: string; 'incremental-profiles'?: string }): BenchSettings {
  const scale = Number(values.scale ?? '1');
  if (!(scale > 0)) throw new BenchUsageError(`--scale must be a positive number, got "${values.scale}"`);
  const suites = values.suite?.length ? values.suite : [...SUITES];
  for (const s of suites) if (!(SUITES as readonly string[]).includes(s)) throw new BenchUsageError(`unknown suite "${s}" (known: ${SUITES.join(', ')})`);
  const n = (x: number) => Math.max(10, Math.round(x * scale));
  const count = (name: string, v: string) => {
    const x = Number(v);
    if (!Number.isInteger(x) || x < 1) throw new BenchUsageError(`--${name} must be a positive whole number, got "${v}"`);
    return x;
  };
  const fullTenders = values['full-tenders'] !== undefined ? count('full-tenders', values['full-tenders']) : n(100_000);
  const incrementalProfiles = (values['incremental-profiles'] ?? '5000,20000').split(',').map((v) => n(count('incremental-profiles', v.trim())));
  return { suites, scale, out: values.out ?? '.', fullTenders, incrementalProfiles };
}

/** The results key of the incremental suite at this many profiles (the 5,000-profile one keeps its old key). */
export const incrementalKey = (profiles: number, scale: number) =>
  profiles === Math.max(10, Math.round(5000 * scale)) ? 'match_incremental' : `match_incremental_${profiles}`;

/** Runs the suites and writes the results; suites load lazily (the api suite needs dev dependencies). */
export async function runBench(b: BenchSettings, log: (m: string) => void = (m) => process.stderr.write(m + '\n')): Promise<void> {
  const { figure } = await import('./suites.js');
  const { renderMarkdown, runEvalFigures } = await import('./report.js');
  const n = (x: number) => Math.max(10, Math.round(x * b.scale));
  let commit = 'unknown';
  try {
    commit = execSync('git rev-parse --short HEAD', { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    /* not a checkout */
  }
  const machine = `${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()}, node ${process.version}`;
  const resultsFile = path.join(b.out, 'bench', 'results.json');
  // Running some suites keeps the other suites' last figures (each says when and at which commit).
  const previous: Record<string, unknown> = b.suites.length < SUITES.length && fs.existsSync(resultsFile) ? JSON.parse(fs.readFileSync(resultsFile, 'utf8')) : {};
  const results: Record<string, unknown> = { ...previous, machine, date: new Date().toISOString(), commit };
  delete results.scale;
  const stamp = (r: object) => ({ ...r, measuredAt: new Date().toISOString(), commit, scale: b.scale });

  if (b.suites.includes('ingest')) {
    const { benchIngest } = await import('./suites.js');
    log(`ingest: ${n(50_000)} notices…`);
    const r = await benchIngest(n(50_000));
    results['ingest'] = stamp(r);
    const { benchIngestVolume } = await import('./suites.js');
    log(`ingest: ${n(1_000_000)} notices into one store…`);
    const v = await benchIngestVolume(n(1_000_000), Math.min(50_000, n(1_000_000)));
    results['ingest_volume'] = stamp(v);
    // The headline: the whole volume, into one store that grows to it.
    results['ingest.notices_per_s'] = Math.round(v.noticesPerS);
  }
  if (b.suites.includes('match-incremental')) {
    const { benchIncremental } = await import('./suites.js');
    for (const profiles of b.incrementalProfiles) {
      // Above 5,000 profiles the slow references run on samples, extrapolated (the report says so).
      const big = profiles > n(5000);
      log(`match-incremental: ${n(1000)} tenders x ${profiles} profiles…`);
      const r = benchIncremental(n(1000), profiles, big ? { naiveTenders: n(250), alternativeProfiles: n(5000) } : {});
      const key = incrementalKey(profiles, b.scale);
      results[key] = stamp(r);
      results[`${key}.seconds`] = r.seconds.median;
      results[`${key}.speedup_vs_naive`] = r.speedupVsNaive;
    }
  }
  if (b.suites.includes('match-full')) {
    const { benchFull } = await import('./suites.js');
    log(`match-full: ${b.fullTenders} tenders x ${n(5000)} profiles…`);
    const r = benchFull(b.fullTenders, n(5000), { naiveTenders: n(1000), ftsProfiles: Math.min(n(5000), 20) });
    const key = b.fullTenders === n(100_000) ? 'match_full' : `match_full_${b.fullTenders}`;
    results[key] = stamp(r);
    results[`${key}.seconds`] = r.seconds;
    results[`${key}.peak_rss_mb`] = r.peakRssMb;
  }
  if (b.suites.includes('api')) {
    const { benchApi } = await import('./api.js');
    const sizes = { tenders: n(1_000_000), open: n(20_000), firms: n(5000), matches: n(1_000_000) };
    log(`api + interference: ${sizes.tenders} tenders, ${sizes.firms} firms, ${sizes.matches} matches…`);
    const r = await benchApi(sizes, 10);
    results['api'] = stamp(r);
    results['api.alerts.rps'] = r.idle.alerts.rps;
    results['api.alerts.p99_ms'] = r.idle.alerts.p99Ms;
    results['api.alerts.ratio_to_ceiling'] = r.ratioToCeiling;
    results['interference.p99_ratio'] = r.interferenceP99Ratio;
  }
  if (b.suites.includes('webhooks')) {
    const { benchWebhooks } = await import('./webhooks.js');
    log(`webhooks: ${n(2000)} deliveries to a local receiver…`);
    const runs: Awaited<ReturnType<typeof benchWebhooks>>[] = [];
    for (let i = 0; i < 3; i++) runs.push(await benchWebhooks(n(2000)));
    const by = (k: keyof (typeof runs)[number]) => figure(runs.map((r) => r[k]));
    const r = { deliveries: n(2000), deliveriesPerS: by('deliveriesPerS'), latencyP50Ms: by('latencyP50Ms'), latencyP99Ms: by('latencyP99Ms') };
    results['webhooks'] = stamp(r);
    results['webhooks.deliveries_per_s'] = Math.round(r.deliveriesPerS.median);
  }
  if (b.suites.includes('eval')) {
    const figures = runEvalFigures();
    if (figures) results['eval'] = stamp(figures);
    else log('eval: ../shared/eval is absent; skipped');
  }
  fs.mkdirSync(path.join(b.out, 'bench'), { recursive: true });
  fs.mkdirSync(path.join(b.out, 'docs'), { recursive: true });
  fs.writeFileSync(resultsFile, JSON.stringify(results, null, 2) + '\n');
  fs.writeFileSync(path.join(b.out, 'docs', 'BENCHMARKS.md'), renderMarkdown(results));
  log(`wrote ${path.join(b.out, 'docs/BENCHMARKS.md')} and ${resultsFile}`);
}

// As a script (`npm run bench`): the same settings from the command line.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  try {
    const { values } = parseArgs({ options: BENCH_OPTIONS });
    await runBench(benchSettings(values));
  } catch (e) {
    if (!(e instanceof BenchUsageError) && !(e instanceof TypeError && 'code' in e)) throw e;
    console.error(`bench: ${(e as Error).message}`);
    process.exitCode = 2;
  }
}
