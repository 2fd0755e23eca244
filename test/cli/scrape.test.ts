/**
 * End to end: `gpass-tenders scrape --source worldbank --base-url <local server>` against a
 * server on 127.0.0.1 that serves World Bank API pages, the way a mirror would.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../db/client.js';
import { main } from '../../src/cli.js';
import { startServer } from '../helpers/http-server.js';
import { SHARED_DIR, sharedExists, tempStore } from '../helpers/store.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const today = () => {
  const d = new Date();
  return `${String(d.getUTCDate()).padStart(2, '0')}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()}`;
};

function page(file: string, edit?: (rows: any[]) => void) {
  const data = JSON.parse(fs.readFileSync(file, 'utf8'));
  // Published today, so the incremental window of the next run still covers them.
  for (const r of data.procnotices) r.noticedate = today();
  edit?.(data.procnotices);
  return JSON.stringify(data);
}

async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l), isTTY: false });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('gpass-tenders scrape --source worldbank', () => {
  let t: ReturnType<typeof tempStore>;
  let body: string;
  let server: Awaited<ReturnType<typeof startServer>>;
  const own = path.resolve(import.meta.dirname, '../fixtures/worldbank/procnotices_page_3rows.json');

  beforeEach(async () => {
    t = tempStore();
    t.store.close();
    process.env.DATABASE_PATH = t.file;
    process.env.HTTP_MIN_INTERVAL_MS = '0';
    server = await startServer((req) => {
      if (req.url === '/robots.txt') return { status: 404, body: '' };
      if (req.url?.startsWith('/api/v2/procnotices')) return { body };
      return { status: 404, body: 'no' };
    });
  });
  afterEach(async () => {
    await server.close();
    t.cleanup();
    delete process.env.DATABASE_PATH;
    delete process.env.HTTP_MIN_INTERVAL_MS;
  });

  const count = (sql: string) => {
    const s = openStore(t.file);
    try {
      return (s.sqlite.prepare(sql).get() as { n: number }).n;
    } finally {
      s.close();
    }
  };

  it('ingests, then reports 0 new on a second run, then an edited payload as amended with a version', async () => {
    body = page(own);
    const first = await cli(['scrape', '--source', 'worldbank', '--base-url', server.url]);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/^worldbank: success run=1 pages=1 seen=3 new=3 amended=0 unchanged=0 failed=0 linked=0 matched=0$/m);

    const second = await cli(['scrape', '--source', 'worldbank', '--base-url', server.url]);
    expect(second.out).toMatch(/seen=3 new=0 amended=0 unchanged=3 failed=0/);
    expect(count('SELECT count(*) n FROM tenders')).toBe(3);

    body = page(own, (rows) => (rows[0].submission_deadline_time = '11:00'));
    const third = await cli(['scrape', '--source', 'worldbank', '--base-url', server.url]);
    expect(third.out).toMatch(/new=0 amended=1 unchanged=2/);
    expect(count('SELECT count(*) n FROM tender_versions')).toBe(1);
    expect(count(`SELECT version n FROM tenders WHERE source_id = 'OP00500001'`)).toBe(2);
    expect(server.requests.every((r) => r.headers['user-agent']?.startsWith('gpass-tenders/'))).toBe(true);
  });

  it('records a malformed page as a failed run with the reason', async () => {
    body = '<html>Service unavailable</html>';
    const r = await cli(['scrape', '--source', 'worldbank', '--base-url', server.url]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/worldbank: failed .*seen=0/);
    expect(count(`SELECT count(*) n FROM run_problems WHERE message LIKE '%not valid JSON%'`)).toBe(1);
  });

  it.skipIf(!sharedExists('fixtures/worldbank'))('ingests the real World Bank payload served by a local mirror', async () => {
    body = page(path.join(SHARED_DIR, 'fixtures/worldbank/procnotices_v2_afghanistan_4rows.json'));
    const r = await cli(['scrape', '--source', 'worldbank', '--base-url', server.url]);
    expect(r.out).toMatch(/seen=4 new=4/);
    expect(count(`SELECT count(*) n FROM tenders WHERE countries = '["AF"]'`)).toBe(4);
  });

  it('exits non-zero with a one-line reason on bad arguments', async () => {
    for (const args of [
      ['scrape'],
      ['scrape', '--source', 'nowhere'],
      ['scrape', '--source', 'worldbank', '--base-url', 'ftp://x'],
      ['scrape', '--all', '--source', 'worldbank'],
      ['scrape', '--bogus'],
      ['frobnicate'],
    ]) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err.split('\n')).toHaveLength(1);
      expect(r.err).toMatch(/^gpass-tenders/);
    }
  });
});
