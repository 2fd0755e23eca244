/** Child process of the match-full suite: one full match on the given database, peak RSS measured here. */
import { openStore } from '../db/client.js';
import { runMatch } from '../src/matching/matcher.js';

const [file, now] = process.argv.slice(2);
const store = openStore(file);
const s = runMatch(store.sqlite, { now: new Date(now) });
store.close();
const peakRssMb = process.resourceUsage().maxRSS / 1024;
process.stdout.write(JSON.stringify({ seconds: s.seconds, peakRssMb, matched: s.matched, candidates: s.candidates }) + '\n');
