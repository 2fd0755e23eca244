/**
 * Scenario 1 — crash during ingest. A real scrape (test/reliability/ingest-child.ts: the shared
 * HTTP client, the parse worker, batched transactions, linking, matching, events) runs in a
 * child process against a local World Bank mirror and is killed with SIGKILL at seeded random
 * points: while pages are fetched, while batches are written, during linking and matching.
 * After every kill the store must pass SQLite's integrity check, keep every notice committed so
 * far exactly once (with its version rows, full-text row and raw payload), and a last run
 * without a kill must complete the rest.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../db/client.js';
import { setAutoPublishThreshold } from '../../src/alerts/service.js';
import { createFirm } from '../../src/firms/repository.js';
import { runMatch } from '../../src/matching/matcher.js';
import { tempStore } from '../helpers/store.js';
import { guardNetwork, type NetworkGuard } from './network-guard.js';
import { ingestProblems, integrityProblems } from './db-checks.js';
import { noticeId, startWorldbankMirror } from './mirror.js';
import { killIfRunning, runTs, seededRandom, type Child } from './processes.js';
import { SCALE, SEED, report } from './scale.js';

const CHILD = 'test/reliability/ingest-child.ts';

describe('crash during ingest (SIGKILL at random points)', () => {
  let mirror: Awaited<ReturnType<typeof startWorldbankMirror>>;
  let t: ReturnType<typeof tempStore>;
  let guard: NetworkGuard;
  let child: Child | null = null;
  let next: Child | null = null;

  beforeAll(async () => {
    guard = guardNetwork();
    mirror = await startWorldbankMirror(SCALE.notices);
    t = tempStore();
    // A firm whose alerts publish themselves, so runs also write matches, alerts and events.
    createFirm(t.store.sqlite, { id: 'lumen', name: 'Lumen Lighting', keywords: ['LED street lighting', 'solar PV'] });
    setAutoPublishThreshold(t.store.sqlite, 'lumen', 0, { id: 'test', role: 'admin' });
    t.store.close();
  });
  afterAll(async () => {
    guard?.restore();
    killIfRunning(child);
    killIfRunning(next);
    await mirror?.close();
    t?.cleanup();
  });

  /** Opens the store, checks it, returns the source ids stored; throws on any broken invariant. */
  function inspect(label: string): Set<string> {
    const s = openStore(t.file);
    try {
      const problems = [...integrityProblems(s.sqlite), ...ingestProblems(s.sqlite)];
      expect(problems, label).toEqual([]);
      return new Set((s.sqlite.prepare(`SELECT source_id FROM tenders WHERE source = 'worldbank'`).all() as { source_id: string }[]).map((r) => r.source_id));
    } finally {
      s.close();
    }
  }

  it(`survives ${SCALE.kills} kills and completes on the next run`, { timeout: SCALE.timeoutMs }, async () => {
    const random = seededRandom(SEED);
    const pages = Math.ceil(SCALE.notices / 100);
    const env = { DATABASE_PATH: t.file, HTTP_MIN_INTERVAL_MS: '0', LOG_LEVEL: 'silent' };
    let stored = new Set<string>();
    let kills = 0;
    let finishedFirst = 0;
    const killedAt: string[] = [];
    // The next child loads its modules (about a second) while the current one runs.
    const spawnNext = () => runTs(CHILD, [mirror.url, '--wait'], env, { stdin: true });
    next = spawnNext();
    for (let attempt = 0; kills < SCALE.kills && attempt < SCALE.kills * 3; attempt++) {
      mirror.state.generation = attempt + 1;
      // Most kills land while pages are fetched and batches written; some after the last page,
      // where the last batches, linking, matching and events are written.
      const afterLast = random() < 0.25;
      const page = afterLast ? pages : 1 + Math.floor(random() * pages);
      const delayMs = afterLast ? Math.floor(random() * 1200) : Math.floor(random() * 60);
      const servedBefore = mirror.state.pagesServed;
      const c = (child = next!);
      await c.waitFor(/^ready$/);
      mirror.state.onPage = (n) => {
        if (n - servedBefore === page) setTimeout(() => c.proc.kill('SIGKILL'), delayMs);
      };
      c.send('go');
      next = spawnNext();
      const exit = await c.exited;
      mirror.state.onPage = null;
      if (exit.signal === 'SIGKILL') {
        kills++;
        killedAt.push(`${page}+${delayMs}ms`);
      } else {
        // The run finished before its kill point: it must have finished well.
        expect(exit.code, c.output()).toBe(0);
        finishedFirst++;
      }
      const now = inspect(`after attempt ${attempt + 1} (page ${page} + ${delayMs} ms)`);
      const lost = [...stored].filter((id) => !now.has(id));
      expect(lost, `notices lost by the kill at page ${page} + ${delayMs} ms`).toEqual([]);
      stored = now;
    }
    expect(kills).toBeGreaterThanOrEqual(SCALE.kills);

    // The next run, not killed, completes the rest.
    child = next!;
    next = null;
    await child.waitFor(/^ready$/);
    child.send('go');
    const last = await child.exited;
    expect(last.code, child.output()).toBe(0);
    expect(child.output()).toMatch(new RegExp(`done success ${SCALE.notices}`));
    const final = inspect('after the completing run');
    expect(final.size).toBe(SCALE.notices);
    for (let i = 0; i < SCALE.notices; i++) expect(final.has(noticeId(i))).toBe(true);

    // Work derived after a run (matching) that a kill interrupted: what a full match recovers.
    const s = openStore(t.file);
    try {
      const matched = () => (s.sqlite.prepare(`SELECT count(*) n FROM matches WHERE firm_id = 'lumen'`).get() as { n: number }).n;
      const runs = s.sqlite.prepare(`SELECT status, count(*) n FROM scrape_runs GROUP BY status`).all() as { status: string; n: number }[];
      const before = matched();
      runMatch(s.sqlite);
      const unmatchedByCrash = matched() - before;
      expect(guard.refused, 'connections beyond loopback').toEqual([]);
      report('crash', {
        kills,
        finishedBeforeKill: finishedFirst,
        notices: final.size,
        lost: 0,
        duplicates: 0,
        runsLeftRunning: runs.find((r) => r.status === 'running')?.n ?? 0,
        matchesOnlyAfterFullMatch: unmatchedByCrash,
        seed: SEED,
      });
      console.log(`[reliability] crash kill points (page+delay): ${killedAt.join(' ')}`);
    } finally {
      s.close();
    }
  });
});
