import { describe, expect, it } from 'vitest';
import { computeHealth, cronPeriodMs, type RunRow } from '../../src/sources/health.js';

const NOW = new Date('2026-11-21T12:00:00Z');
const DAILY = '0 3 * * *';

let id = 0;
function run(hoursAgo: number, o: Partial<RunRow> = {}): RunRow {
  const startedAt = new Date(NOW.getTime() - hoursAgo * 3600_000).toISOString();
  return { id: ++id, status: 'success', startedAt, finishedAt: startedAt, pages: 3, itemsSeen: 120, itemsNew: 10, itemsAmended: 2, itemsUnchanged: 108, itemsFailed: 0, error: null, ...o };
}
/** Newest first, one a day. */
const history = (...runs: RunRow[]) => runs;

describe('source health', () => {
  it('knows a cron period', () => {
    expect(cronPeriodMs(DAILY)).toBe(24 * 3600_000);
    expect(cronPeriodMs('20 */6 * * *')).toBe(6 * 3600_000);
  });

  it('is never_run before the first run', () => {
    expect(computeHealth([], DAILY, NOW).state).toBe('never_run');
  });

  it('is ok after a normal run', () => {
    const h = computeHealth(history(run(9), run(33), run(57)), DAILY, NOW);
    expect(h).toMatchObject({ state: 'ok', reasons: [] });
    expect(h.itemsPerRun).toBe(120);
  });

  it('is failing when the last run failed, with the error as the reason', () => {
    const h = computeHealth(history(run(9, { status: 'failed', itemsSeen: 0, error: 'HTTP 503 after 5 attempts' }), run(33)), DAILY, NOW);
    expect(h.state).toBe('failing');
    expect(h.reasons[0]).toMatch(/HTTP 503/);
  });

  it('names the first problem of a failed run that recorded no error (e.g. every page refused)', () => {
    const h = computeHealth(history(run(9, { status: 'failed', itemsSeen: 0, error: null, firstProblem: 'listing page 1 failed: HTTP 429 after 5 attempts' }), run(33)), DAILY, NOW);
    expect(h.reasons[0]).toBe('last run failed: listing page 1 failed: HTTP 429 after 5 attempts');
  });

  it('is degraded when a run returns zero items where recent runs returned many', () => {
    const h = computeHealth(history(run(9, { itemsSeen: 0, itemsUnchanged: 0, itemsNew: 0, itemsAmended: 0 }), run(33), run(57), run(81)), DAILY, NOW);
    expect(h.state).toBe('degraded');
    expect(h.reasons.join()).toMatch(/0 notices where recent runs averaged 120/);
  });

  it('is not degraded by an empty run of a source that is always small', () => {
    const small = { itemsSeen: 1, itemsUnchanged: 1, itemsNew: 0, itemsAmended: 0 };
    expect(computeHealth(history(run(9, { itemsSeen: 0 }), run(33, small), run(57, small)), DAILY, NOW).state).toBe('ok');
  });

  it('is degraded when the parse-failure rate passes the threshold (a changed page layout)', () => {
    const h = computeHealth(history(run(9, { itemsSeen: 100, itemsFailed: 40, status: 'partial' }), run(33)), DAILY, NOW);
    expect(h.state).toBe('degraded');
    expect(h.reasons.join()).toMatch(/parse failures: 40%/);
  });

  it('is stale when no run succeeded for two scheduled periods', () => {
    const h = computeHealth(history(run(60), run(84)), DAILY, NOW);
    expect(h.state).toBe('stale');
    expect(h.lastSuccessAt).toBe(new Date(NOW.getTime() - 60 * 3600_000).toISOString());
  });

  it('stays failing (not stale) for a source whose recent runs all failed, and says both', () => {
    const failed = { status: 'failed', itemsSeen: 0, error: 'robots.txt disallows' };
    const h = computeHealth(history(run(9, failed), run(33, failed), run(57, failed), run(81)), DAILY, NOW);
    expect(h.state).toBe('failing');
    expect(h.reasons.some((r) => r.startsWith('no successful run since'))).toBe(true);
  });
});
