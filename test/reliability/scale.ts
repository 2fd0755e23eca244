/**
 * How big the reliability runs are. CI runs the small numbers in `npm test`;
 * `RELIABILITY_LONG=1 npm test -- test/reliability` runs the long ones (docs/RELIABILITY.md).
 */
export const LONG = ['1', 'true', 'on', 'yes'].includes((process.env.RELIABILITY_LONG ?? '').toLowerCase());

/** Seed for every random choice (kill points, fuzzed inputs); `RELIABILITY_SEED` replays a run. */
export const SEED = Number(process.env.RELIABILITY_SEED ?? 20_261_121);

export const SCALE = LONG
  ? { kills: 100, notices: 5000, fuzzRequests: 100_000, loadSeconds: 30, loadNotices: 5000, timeoutMs: 1_800_000 }
  : { kills: 20, notices: 1000, fuzzRequests: 10_000, loadSeconds: 5, loadNotices: 1500, timeoutMs: 180_000 };

/** One line per scenario, collected by `RELIABILITY.md`'s figures (`grep '\[reliability\]'`). */
export function report(scenario: string, figures: Record<string, unknown>): void {
  const line = Object.entries(figures).map(([k, v]) => `${k}=${typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(1) : String(v)}`).join(' ');
  console.log(`[reliability] ${scenario}: ${line}${LONG ? ' (long)' : ''}`);
}
