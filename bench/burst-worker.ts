/**
 * Interference load: a 5,000-notice ingest and a full re-match on the service's database, off
 * its request thread and, like a scheduled scrape (src/jobs/scrape-worker.ts), at BACKGROUND_NICE.
 */
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from '../db/client.js';
import { worldbank } from '../scrapers/worldbank.js';
import { loadConfig } from '../src/config.js';
import { createIngestor } from '../src/ingest/ingest.js';
import { lowerThreadPriority } from '../src/jobs/priority.js';
import { runMatch } from '../src/matching/matcher.js';
import { worldBankRows } from './generate.js';

lowerThreadPriority(loadConfig().backgroundNice);
// What the burst ran at, for the report (the thread's own nice value, whether lowered here or inherited).
const nice = os.getPriority();
const store = openStore(workerData.databasePath as string, { migrate: false });
const t0 = performance.now();
const ing = createIngestor(store.sqlite, worldbank, { runId: null });
const rows = worldBankRows(5000, 777, 9_000_000);
const raws = rows.map((r) => ({ sourceId: String(r.id), payload: JSON.stringify(r), contentType: 'application/json' as const, url: null, fetchedAt: new Date().toISOString() }));
for (let i = 0; i < raws.length; i += 500) ing.ingestBatch(raws.slice(i, i + 500));
const t1 = performance.now();
const m = runMatch(store.sqlite, { now: new Date('2026-11-21T00:00:00Z') });
const t2 = performance.now();
store.close();
parentPort!.postMessage({ ingestSeconds: (t1 - t0) / 1000, matchSeconds: (t2 - t1) / 1000, matched: m.matched, nice });
parentPort!.close();
