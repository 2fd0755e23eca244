/**
 * Child process of the match-full suite: one full match on the given database as `match --full`
 * runs it (scoring in worker threads), then (unless told `once`) the same re-match with the matches stored; peak
 * RSS measured here, for this process alone.
 */
import { openStore } from '../db/client.js';
import { runMatchInWorkers } from '../src/matching/matcher.js';
import type { FullChildResult } from './suites.js';

const [file, now, times] = process.argv.slice(2);
const store = openStore(file);
const first = await runMatchInWorkers(store.sqlite, { now: new Date(now) });
const again = times === 'once' ? null : await runMatchInWorkers(store.sqlite, { now: new Date(now) });
store.close();
const result: FullChildResult = {
  seconds: first.seconds,
  peakRssMb: process.resourceUsage().maxRSS / 1024,
  matched: first.matched,
  candidates: first.candidates,
  workers: first.workers,
  scoreSeconds: first.scoreSeconds,
  writeSeconds: first.writeSeconds,
  rematchSeconds: again?.seconds ?? null,
  rematchWritten: again?.written ?? null,
};
process.stdout.write(JSON.stringify(result) + '\n');
