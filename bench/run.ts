/**
 * `npm run bench [-- --suite NAME] [--scale F] [--out DIR]`: runs the suites and writes
 * docs/BENCHMARKS.md and bench/results.json (machine, date, commit, every figure).
 * --scale multiplies the sizes (0.01 for a smoke run); the default is the sizes.
 */
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { benchFull, benchIncremental, benchIngest, figure } from './suites.js';
import { benchWebhooks } from './webhooks.js';
import { benchApi } from './api.js';
import { renderMarkdown, runEvalFigures } from './report.js';

const { values } = parseArgs({
  options: {
    suite: { type: 'string', multiple: true },
    scale: { type: 'string', default: '1' },
    out: { type: 'string', default: '.' },
  },
});
const scale = Number(values.scale);
if (!(scale > 0)) {
  console.error(`bench: --scale must be a positive number, got "${values.scale}"`);
  process.exit(2);
}
const all = ['ingest', 'match-incremental', 'match-full', 'api', 'webhooks', 'eval'];
const suites = values.suite?.length ? values.suite : all;
for (const s of suites) if (!all.includes(s)) {
  console.error(`bench: unknown suite "${s}" (known: ${all.join(', ')})`);
  process.exit(2);
}
const n = (x: number) => Math.max(10, Math.round(x * scale));
let commit = 'unknown';
try {
  commit = execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
} catch {
  /* not a checkout */
}
const machine = `${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()}, node ${process.version}`;
const out = values.out!;
const resultsFile = path.join(out, 'bench', 'results.json');
// Running some suites keeps the other suites' last figures (each says when and at which commit).
const previous: Record<string, unknown> = values.suite?.length && fs.existsSync(resultsFile) ? JSON.parse(fs.readFileSync(resultsFile, 'utf8')) : {};
const results: Record<string, unknown> = { ...previous, machine, date: new Date().toISOString(), commit };
delete results.scale;
const stamp = (r: object) => ({ ...r, measuredAt: new Date().toISOString(), commit, scale });

const log = (m: string) => process.stderr.write(m + '\n');
if (suites.includes('ingest')) {
  log(`ingest: ${n(50_000)} notices…`);
  const r = await benchIngest(n(50_000));
  results['ingest'] = stamp(r);
  results['ingest.notices_per_s'] = Math.round(r.noticesPerS.median);
}
if (suites.includes('match-incremental')) {
  log(`match-incremental: ${n(1000)} tenders x ${n(5000)} profiles…`);
  const r = benchIncremental(n(1000), n(5000));
  results['match_incremental'] = stamp(r);
  results['match_incremental.seconds'] = r.seconds.median;
  results['match_incremental.speedup_vs_naive'] = r.speedupVsNaive;
}
if (suites.includes('match-full')) {
  log(`match-full: ${n(100_000)} tenders x ${n(5000)} profiles…`);
  const r = benchFull(n(100_000), n(5000), n(1000));
  results['match_full'] = stamp(r);
  results['match_full.seconds'] = r.seconds;
  results['match_full.peak_rss_mb'] = r.peakRssMb;
}
if (suites.includes('api')) {
  const sizes = { tenders: n(1_000_000), open: n(20_000), firms: n(5000), matches: n(1_000_000) };
  log(`api + interference: ${sizes.tenders} tenders, ${sizes.firms} firms, ${sizes.matches} matches…`);
  const r = await benchApi(sizes, 10);
  results['api'] = stamp(r);
  results['api.alerts.rps'] = r.idle.alerts.rps;
  results['api.alerts.p99_ms'] = r.idle.alerts.p99Ms;
  results['api.alerts.ratio_to_ceiling'] = r.ratioToCeiling;
  results['interference.p99_ratio'] = r.interferenceP99Ratio;
}
if (suites.includes('webhooks')) {
  log(`webhooks: ${n(2000)} deliveries to a local receiver…`);
  const runs: Awaited<ReturnType<typeof benchWebhooks>>[] = [];
  for (let i = 0; i < 3; i++) runs.push(await benchWebhooks(n(2000)));
  const by = (k: keyof (typeof runs)[number]) => figure(runs.map((r) => r[k]));
  const r = { deliveries: n(2000), deliveriesPerS: by('deliveriesPerS'), latencyP50Ms: by('latencyP50Ms'), latencyP99Ms: by('latencyP99Ms') };
  results['webhooks'] = stamp(r);
  results['webhooks.deliveries_per_s'] = Math.round(r.deliveriesPerS.median);
}
if (suites.includes('eval')) {
  const figures = runEvalFigures();
  if (figures) results['eval'] = stamp(figures);
  else log('eval: ../shared/eval is absent; skipped');
}
fs.mkdirSync(path.join(out, 'bench'), { recursive: true });
fs.mkdirSync(path.join(out, 'docs'), { recursive: true });
fs.writeFileSync(resultsFile, JSON.stringify(results, null, 2) + '\n');
fs.writeFileSync(path.join(out, 'docs', 'BENCHMARKS.md'), renderMarkdown(results));
log(`wrote ${path.join(out, 'docs/BENCHMARKS.md')} and ${path.join(out, 'bench/results.json')}`);
