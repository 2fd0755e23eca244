import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findSource } from '../scrapers/registry.js';
import { runScrape } from '../src/scheduler.js';
import { startServer } from './helpers/http-server.js';
import { tempStore, testConfig } from './helpers/store.js';

const log = { warn: () => {}, info: () => {}, error: () => {} } as never;

describe('scheduled scrapes', () => {
  let t: ReturnType<typeof tempStore>;
  let server: Awaited<ReturnType<typeof startServer>>;
  const page = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, 'fixtures/worldbank/procnotices_page_3rows.json'), 'utf8'));
  beforeEach(async () => {
    t = tempStore();
    server = await startServer((req) => (req.url?.startsWith('/api/v2/procnotices') ? { body: JSON.stringify(page) } : { status: 404, body: '' }));
    process.env.SOURCE_WORLDBANK_BASE_URL = server.url;
    process.env.HTTP_MIN_INTERVAL_MS = '0';
  });
  afterEach(async () => {
    delete process.env.SOURCE_WORLDBANK_BASE_URL;
    delete process.env.HTTP_MIN_INTERVAL_MS;
    await server.close();
    t.cleanup();
  });

  it('run in a worker thread on their own connection, and the results are in the store', async () => {
    const summary = await runScrape(findSource('worldbank')!, { config: testConfig(), store: t.store, signal: new AbortController().signal, log });
    expect(summary).toMatchObject({ source: 'worldbank', status: 'success', counts: { seen: 3, new: 3 }, changed: 3 });
    expect((t.store.sqlite.prepare('SELECT count(*) n FROM tenders').get() as { n: number }).n).toBe(3);
    expect((t.store.sqlite.prepare(`SELECT status FROM scrape_runs`).get() as { status: string }).status).toBe('success');
  });
});
