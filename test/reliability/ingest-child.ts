/**
 * Child process for the crash test: one real scrape of the `worldbank` source (shared HTTP
 * client, parse worker, batched transactions, linking, matching) against a local mirror.
 * The World Bank's 1 request/s politeness is lifted so a run takes a second, not a minute.
 *
 *   DATABASE_PATH=… node bin/run-ts.js test/reliability/ingest-child.ts http://127.0.0.1:PORT [--wait]
 *
 * With `--wait` it loads its modules, prints `ready` and waits for a line on stdin before it
 * opens the store (the test loads the next child while the current one runs). Prints `started`
 * once the store is open and `done <status> <seen>` at the end; exit 0 on success.
 */
import { once } from 'node:events';
import { openStore } from '../../db/client.js';
import { worldbank } from '../../scrapers/worldbank.js';
import { createHttpClient } from '../../scrapers/http-client.js';
import { loadConfig } from '../../src/config.js';
import { scrape } from '../../src/ingest/scrape.js';

const [baseUrl, flag] = process.argv.slice(2);
if (!baseUrl || !/^http:\/\/(127\.0\.0\.1|\[::1\]):\d+$/.test(baseUrl)) {
  process.stderr.write('ingest-child: give a loopback base URL (http://127.0.0.1:PORT)\n');
  process.exit(2);
}
if (flag === '--wait') {
  process.stdout.write('ready\n');
  await once(process.stdin, 'data');
  process.stdin.pause();
}
const config = loadConfig();
const store = openStore(config.databasePath);
process.stdout.write('started\n');
const [summary] = await scrape({
  store,
  config,
  sources: [worldbank],
  baseUrl,
  httpFactory: (options) => createHttpClient({ ...options, minIntervalMs: 0, retries: 1, baseRetryDelayMs: 10 }),
});
store.close();
process.stdout.write(`done ${summary.status} ${summary.counts.seen}\n`);
process.exitCode = summary.status === 'success' ? 0 : 1;
