/**
 * Source health from run history: a broken source must be impossible to miss.
 *
 * - failing: the last full run failed;
 * - degraded: the last run stored 0 items where the recent runs averaged many, or its
 *   parse-failure rate is above the threshold;
 * - stale: no success for two scheduled periods;
 * - ok otherwise; `never_run` before the first run.
 */
import cron from 'node-cron';
import type Database from 'better-sqlite3';

export type HealthState = 'ok' | 'degraded' | 'failing' | 'stale' | 'never_run';

export interface RunRow {
  id: number;
  status: string;
  startedAt: string;
  finishedAt: string | null;
  pages: number;
  itemsSeen: number;
  itemsNew: number;
  itemsAmended: number;
  itemsUnchanged: number;
  itemsFailed: number;
  error: string | null;
  /** The run's first recorded problem (a fetch problem often says more than "failed"). */
  firstProblem?: string | null;
}

export interface Health {
  state: HealthState;
  reasons: string[];
  lastRun: RunRow | null;
  lastSuccessAt: string | null;
  parseFailureRate: number | null;
  itemsPerRun: number | null;
}

export const HEALTH_THRESHOLDS = {
  /** Runs looked back at for "recent runs returned many". */
  window: 10,
  /** Average items per run above which a zero-item run is an anomaly. */
  manyItems: 5,
  /** Share of failed notices in the last run above which the source is degraded. */
  parseFailureRate: 0.2,
  /** Periods without success before the source is stale. */
  stalePeriods: 2,
};

const periods = new Map<string, number>();

/** The gap between two runs of a cron expression (ms), for staleness; computed once per expression. */
export function cronPeriodMs(expression: string): number {
  let period = periods.get(expression);
  if (period === undefined) {
    const task = cron.createTask(expression, () => {});
    try {
      const [a, b] = task.getNextRuns(2);
      period = a && b ? b.getTime() - a.getTime() : 24 * 3600_000;
    } finally {
      void task.destroy();
    }
    periods.set(expression, period);
  }
  return period;
}

export function computeHealth(runs: RunRow[], schedule: string, now = new Date()): Health {
  // Sample runs prove nothing about the source's full output.
  const history = runs.filter((r) => r.status !== 'running');
  const lastRun = history[0] ?? null;
  const lastSuccess = history.find((r) => r.status === 'success' || r.status === 'partial' || r.status === 'incomplete');
  const lastSuccessAt = lastSuccess?.startedAt ?? null;
  if (!lastRun) return { state: 'never_run', reasons: ['no run recorded yet'], lastRun: null, lastSuccessAt: null, parseFailureRate: null, itemsPerRun: null };
  const reasons: string[] = [];
  const parseFailureRate = lastRun.itemsSeen > 0 ? lastRun.itemsFailed / lastRun.itemsSeen : null;
  const previous = history.slice(1, 1 + HEALTH_THRESHOLDS.window);
  const itemsPerRun = previous.length ? previous.reduce((s, r) => s + r.itemsSeen, 0) / previous.length : null;
  let state: HealthState = 'ok';
  const periodMs = cronPeriodMs(schedule);
  const sinceSuccess = now.getTime() - new Date(lastSuccessAt ?? 0).getTime();
  if (lastRun.status === 'failed') {
    state = 'failing';
    reasons.push(`last run failed: ${lastRun.error ?? lastRun.firstProblem ?? 'no notice could be stored'}`);
  }
  if (sinceSuccess > HEALTH_THRESHOLDS.stalePeriods * periodMs) {
    if (state === 'ok') state = 'stale';
    reasons.push(lastSuccessAt ? `no successful run since ${lastSuccessAt}` : 'never succeeded');
  }
  if (lastRun.itemsSeen - lastRun.itemsFailed === 0 && itemsPerRun !== null && itemsPerRun >= HEALTH_THRESHOLDS.manyItems) {
    if (state === 'ok') state = 'degraded';
    reasons.push(`last run stored 0 notices where recent runs averaged ${itemsPerRun.toFixed(0)}`);
  }
  if (parseFailureRate !== null && parseFailureRate > HEALTH_THRESHOLDS.parseFailureRate) {
    if (state === 'ok') state = 'degraded';
    reasons.push(`parse failures: ${(parseFailureRate * 100).toFixed(0)}% of the last run`);
  }
  return { state, reasons, lastRun, lastSuccessAt, parseFailureRate, itemsPerRun };
}

export function recentRuns(sqlite: Database.Database, source: string, limit = HEALTH_THRESHOLDS.window + 1): RunRow[] {
  return sqlite
    .prepare(
      `SELECT id, status, started_at AS startedAt, finished_at AS finishedAt, pages, items_seen AS itemsSeen,
              items_new AS itemsNew, items_amended AS itemsAmended, items_unchanged AS itemsUnchanged,
              items_failed AS itemsFailed, error,
              (SELECT message FROM run_problems p WHERE p.run_id = scrape_runs.id ORDER BY p.id LIMIT 1) AS firstProblem
       FROM scrape_runs WHERE source = ? AND sample = 0 ORDER BY started_at DESC, id DESC LIMIT ?`,
    )
    .all(source, limit) as RunRow[];
}
