import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { parseJudgedDate } from '../../src/matching/eval/dates.js';
import { averagePrecision, ndcgAt, precisionAt, recallAt } from '../../src/matching/eval/metrics.js';
import { runEval } from '../../src/matching/eval/run-eval.js';
import { SHARED_DIR, sharedExists } from '../helpers/store.js';

const own = (f: string) => path.resolve(import.meta.dirname, '../fixtures/eval', f);

describe('metrics', () => {
  const grades = new Map([['a', 3], ['b', 2], ['c', 0], ['d', 1]]);
  it('computes nDCG@k with exponential gains, 1 for the ideal order', () => {
    expect(ndcgAt(['a', 'b', 'd', 'c'], grades, 10)).toBeCloseTo(1, 10);
    expect(ndcgAt(['c', 'a', 'b'], grades, 10)).toBeLessThan(1);
    expect(ndcgAt(['b', 'a'], grades, 1)).toBeCloseTo(3 / 7, 10);
  });
  it('computes P@k, recall of grades 2-3 and average precision', () => {
    expect(precisionAt(['a', 'c', 'd', 'x', 'y'], grades, 5)).toBeCloseTo(2 / 5);
    expect(recallAt(['a', 'c'], grades, 20)).toBe(0.5);
    expect(averagePrecision(['a', 'c', 'b'], grades)).toBeCloseTo((1 + 2 / 3) / 3);
  });
});

describe('judged dates', () => {
  it.each([
    ['2018-06-11', '2018-06-11T00:00:00.000Z', false],
    ['2015-05', '2015-05-01T00:00:00.000Z', false],
    ['2024-10-13T23:59+03:00', '2024-10-13T20:59:00.000Z', true],
    ['2025-10-02T02:00[America/New_York]', '2025-10-02T06:00:00.000Z', true],
    ['2025-10-02T24:00[America/New_York]', '2025-10-03T04:00:00.000Z', true],
    ['2023-02-01T10:00[CET]', '2023-02-01T09:00:00.000Z', true],
    ['2023-07-01T10:00[Europe/London]', '2023-07-01T09:00:00.000Z', true],
  ])('reads %s', (raw, at, zoneKnown) => {
    expect(parseJudgedDate(raw)).toMatchObject({ at, zoneKnown });
  });
  it('says why a date is unreadable', () => {
    expect(() => parseJudgedDate('not a date')).toThrow(/unreadable date "not a date"/);
    expect(() => parseJudgedDate('2023-02-30')).toThrow(/invalid date/);
  });
});

describe('eval command', () => {
  it('ranks a small judged set, reports unreadable dates without failing, ends with the machine-readable line', async () => {
    const out: string[] = [];
    const code = await main(['eval', '--notices', own('notices.jsonl'), '--firms', own('firms.json'), '--qrels', own('qrels.txt')], { out: (l) => out.push(l), err: () => {} });
    expect(code).toBe(0);
    expect(out.join('\n')).toMatch(/problem: n-cctv: deadlineAt: unreadable date "not a date"/);
    const last = out.at(-1)!;
    expect(last).toMatch(/^eval ndcg@10=\d\.\d{3} keywords=\d\.\d{3} unspsc=\d\.\d{3} recall@20=\d\.\d{3}$/);
    const r = runEval({ noticesFile: own('notices.jsonl'), firmsFile: own('firms.json'), qrelsFile: own('qrels.txt') });
    const solar = r.firms.find((f) => f.id === 'solar')!;
    // The French notice is found through the glossary; the keyword baseline misses it.
    expect(solar.matcher.recall20).toBe(1);
    expect(solar.keywords.recall20).toBe(0.5);
    // The unspsc baseline finds the coded CCTV notice (class 461716 ⊃ 46171610).
    expect(r.firms.find((f) => f.id === 'secu')!.unspsc.ndcg10).toBe(1);
  });

  it('refuses missing files and bad --k with a one-line reason', async () => {
    const err: string[] = [];
    expect(await main(['eval', '--notices', 'nope.jsonl', '--firms', own('firms.json'), '--qrels', own('qrels.txt')], { out: () => {}, err: (l) => err.push(l) })).toBe(2);
    expect(await main(['eval', '--notices', own('notices.jsonl'), '--firms', own('firms.json'), '--qrels', own('qrels.txt'), '--k', '0'], { out: () => {}, err: (l) => err.push(l) })).toBe(2);
    expect(err).toHaveLength(2);
  });

  it.skipIf(!sharedExists('eval/qrels.txt'))('meets the targets on the judged development set in shared/eval', () => {
    const dir = path.join(SHARED_DIR, 'eval');
    const r = runEval({ noticesFile: path.join(dir, 'notices.jsonl'), firmsFile: path.join(dir, 'firms.json'), qrelsFile: path.join(dir, 'qrels.txt') });
    expect(r.problems).toEqual([]);
    const best = Math.max(r.overall.keywords.ndcg10, r.overall.unspsc.ndcg10);
    expect(r.overall.matcher.ndcg10).toBeGreaterThanOrEqual(0.85);
    expect(r.overall.matcher.ndcg10 - best).toBeGreaterThanOrEqual(0.08);
    expect(r.overall.matcher.recall20).toBeGreaterThanOrEqual(0.95);
  });
});
