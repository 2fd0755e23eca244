/**
 * A scheduled scrape in its own thread: fetch, parse, store, link, match and notify run on a
 * separate SQLite connection (WAL lets the API keep reading), so the thread that answers
 * requests never waits on a scrape or a re-match.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from '../../db/client.js';
import { findSource } from '../../scrapers/registry.js';
import { loadConfig } from '../config.js';
import { scrape } from '../ingest/scrape.js';
import { lowerThreadPriority } from './priority.js';

const config = loadConfig();
// Requests come first: this thread (and any it starts) runs at BACKGROUND_NICE.
lowerThreadPriority(config.backgroundNice);
const { databasePath, sourceId } = workerData as { databasePath: string; sourceId: string };
const source = findSource(sourceId);
if (!source) throw new Error(`scrape worker: unknown source ${sourceId}`);
const store = openStore(databasePath, { migrate: false });
const abort = new AbortController();
parentPort!.on('message', (m: { cmd?: string }) => {
  if (m.cmd === 'abort') abort.abort();
});
try {
  const logs: string[] = [];
  const [summary] = await scrape({ store, config, sources: [source], signal: abort.signal, log: (line) => logs.push(line) });
  parentPort!.postMessage({ summary: { ...summary, changed: summary.changed.length }, logs });
} finally {
  store.close();
  // Nothing else keeps this thread alive: closing the port lets it exit.
  parentPort!.close();
}
