/**
 * Scenario 4 — load. The API listens on 127.0.0.1 over a database file and autocannon keeps it
 * busy (reads, searches, alert feedback, firm and recipient creation) for a bounded time, while
 * two other processes write to the same file: a real scrape (test/reliability/ingest-child.ts
 * against a local World Bank mirror) and `gpass-tenders match --full`. No request may fail, every
 * acknowledged write must be in the database afterwards, and the scrape and the match must
 * complete; p99 latency is reported.
 */
import autocannon from 'autocannon';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../db/client.js';
import { tempStore } from '../helpers/store.js';
import { apiFixture, type ApiFixture } from './api-fixture.js';
import { ingestProblems, integrityProblems } from './db-checks.js';
import { startWorldbankMirror } from './mirror.js';
import { guardNetwork, type NetworkGuard } from './network-guard.js';
import { cli, killIfRunning, runTs, type Child } from './processes.js';
import { SCALE, report } from './scale.js';

describe('the API under sustained load while a scrape and a match run', () => {
  let t: ReturnType<typeof tempStore>;
  let f: ApiFixture;
  let mirror: Awaited<ReturnType<typeof startWorldbankMirror>>;
  let guard: NetworkGuard;
  const children: Child[] = [];

  beforeAll(async () => {
    guard = guardNetwork();
    t = tempStore();
    t.store.close();
    f = await apiFixture({ file: t.file, tenders: 50 });
    await f.app.listen({ host: '127.0.0.1', port: 0 });
    mirror = await startWorldbankMirror(SCALE.loadNotices);
  });
  afterAll(async () => {
    for (const c of children) killIfRunning(c);
    await f?.close();
    await mirror?.close();
    t?.cleanup();
    guard?.restore();
  });

  it(`serves ${SCALE.loadSeconds} s of load with no error and no lost write`, { timeout: SCALE.timeoutMs }, async () => {
    const { port } = f.app.server.address() as AddressInfo;
    const admin = { authorization: `Bearer ${f.keys.admin}`, 'content-type': 'application/json' };
    const firm = { authorization: `Bearer ${f.keys.firm}`, 'content-type': 'application/json' };
    const alertId = f.ids.alerts[0];
    const created = { firms: new Set<string>(), recipients: new Set<number>() };
    let seq = 0;
    const unique = () => `${process.pid}-${++seq}`;

    // The other writers: a scrape and a full match, each its own process on the same file.
    const env = { DATABASE_PATH: t.file, HTTP_MIN_INTERVAL_MS: '0', LOG_LEVEL: 'silent' };
    const scrape = runTs('test/reliability/ingest-child.ts', [mirror.url], env);
    const match = cli(['match', '--full'], env);
    children.push(scrape, match);
    const started = Date.now();
    const finishedAt: Record<string, number> = {};
    void scrape.exited.then(() => (finishedAt.scrape = Date.now() - started));
    void match.exited.then(() => (finishedAt.match = Date.now() - started));

    const result = await autocannon({
      url: `http://127.0.0.1:${port}`,
      connections: 8,
      duration: SCALE.loadSeconds,
      timeout: 20,
      requests: [
        { method: 'GET', path: '/tenders?limit=20', headers: admin },
        { method: 'GET', path: '/tenders?q=solar%20pumps', headers: admin },
        { method: 'GET', path: '/tenders/1', headers: admin },
        { method: 'GET', path: '/firms/f1/alerts', headers: firm },
        { method: 'POST', path: `/firms/f1/alerts/${alertId}/feedback`, headers: firm, body: JSON.stringify({ state: 'interested' }) },
        {
          method: 'POST',
          path: '/firms',
          headers: admin,
          setupRequest: (req) => ({ ...req, body: JSON.stringify({ name: `Load Firm ${unique()}`, keywords: ['water pumps'] }) }),
          onResponse: (status, body) => {
            if (status === 201) created.firms.add((JSON.parse(body) as { firm: { id: string } }).firm.id);
          },
        },
        {
          method: 'POST',
          path: '/firms/f1/recipients',
          headers: admin,
          setupRequest: (req) => ({ ...req, body: JSON.stringify({ email: `load-${unique()}@solar-one.example` }) }),
          onResponse: (status, body) => {
            if (status === 201) created.recipients.add((JSON.parse(body) as { id: number }).id);
          },
        },
        { method: 'GET', path: '/sources', headers: admin },
        { method: 'GET', path: '/health' },
      ],
    });

    const [scrapeExit, matchExit] = await Promise.all([scrape.exited, match.exited]);
    expect(scrapeExit.code, scrape.output()).toBe(0);
    expect(matchExit.code, match.output()).toBe(0);
    expect(scrape.output()).toMatch(new RegExp(`done success ${SCALE.loadNotices}`));

    expect(result.errors, 'connection errors').toBe(0);
    expect(result.timeouts, 'timeouts').toBe(0);
    expect(result.non2xx, `non-2xx answers: ${JSON.stringify(result.statusCodeStats)}`).toBe(0);
    expect(result.requests.total).toBeGreaterThan(100);

    // Every acknowledged write is there; so is every notice of the scrape.
    const s = openStore(t.file);
    try {
      expect([...integrityProblems(s.sqlite), ...ingestProblems(s.sqlite)]).toEqual([]);
      const firmIds = new Set((s.sqlite.prepare(`SELECT id FROM firms`).all() as { id: string }[]).map((r) => r.id));
      expect([...created.firms].filter((id) => !firmIds.has(id)), 'firms acknowledged but missing').toEqual([]);
      const recipientIds = new Set((s.sqlite.prepare(`SELECT id FROM recipients`).all() as { id: number }[]).map((r) => r.id));
      expect([...created.recipients].filter((id) => !recipientIds.has(id)), 'recipients acknowledged but missing').toEqual([]);
      expect((s.sqlite.prepare(`SELECT count(*) n FROM tenders WHERE source = 'worldbank'`).get() as { n: number }).n).toBe(SCALE.loadNotices);
    } finally {
      s.close();
    }
    expect(created.firms.size).toBeGreaterThan(0);
    expect(guard.refused).toEqual([]);

    report('load', {
      seconds: SCALE.loadSeconds,
      requests: result.requests.total,
      reqPerSec: Math.round(result.requests.average),
      p50ms: result.latency.p50,
      p99ms: result.latency.p99,
      maxMs: result.latency.max,
      errors: result.errors + result.timeouts + result.non2xx,
      writesAcknowledged: created.firms.size + created.recipients.size,
      writesLost: 0,
      scrapeDoneAtMs: finishedAt.scrape,
      matchDoneAtMs: finishedAt.match,
    });
  });
});
