/**
 * Every stage transition, allowed and refused, through the service on real alerts; corrections
 * (the only way back, or out of a final stage) need a note and are logged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkMove, STAGES, type Stage } from '../../src/pipeline/stages.js';
import { movePursuit, PipelineError, type StageChange } from '../../src/pipeline/service.js';
import { pursuitHistory } from '../../src/pipeline/pursuits.js';
import { ADVISER, pipelineWorld, tender } from './helpers.js';

const FROM: (Stage | null)[] = [null, ...STAGES];

/** Written out by hand: which moves are allowed without a correction. */
const ALLOWED: Record<string, Stage[]> = {
  null: ['interested', 'preparing', 'submitted', 'no_bid'],
  interested: ['preparing', 'submitted', 'no_bid'],
  preparing: ['submitted', 'no_bid', 'abandoned'],
  submitted: ['won', 'lost', 'abandoned'],
  won: [],
  lost: [],
  abandoned: [],
  no_bid: [],
};

const BID = { bidAmount: 1_250_000, bidCurrency: 'USD', submittedOn: '2026-10-01' };
const CONTRACT = { contractValue: 1_200_000, contractCurrency: 'EUR', awardedOn: '2026-11-01' };
/** The figures a target stage records (a bid to a bid stage reached without one). */
function figures(from: Stage | null, to: Stage): Partial<StageChange> {
  const hasBid = from === 'submitted' || from === 'won' || from === 'lost' || from === 'abandoned';
  return {
    ...((to === 'submitted' || to === 'won' || to === 'lost') && !hasBid ? BID : {}),
    ...(to === 'won' ? CONTRACT : {}),
    ...(to === 'lost' || to === 'abandoned' || to === 'no_bid' ? { reason: 'price' } : {}),
  };
}
/** How a pursuit gets to each stage by allowed moves. */
const PATH: Record<Stage, StageChange[]> = {
  interested: [{ stage: 'interested' }],
  preparing: [{ stage: 'interested' }, { stage: 'preparing' }],
  submitted: [{ stage: 'interested' }, { stage: 'preparing' }, { stage: 'submitted', ...BID }],
  won: [{ stage: 'submitted', ...BID }, { stage: 'won', ...CONTRACT }],
  lost: [{ stage: 'submitted', ...BID }, { stage: 'lost', reason: 'price' }],
  abandoned: [{ stage: 'submitted', ...BID }, { stage: 'abandoned', reason: 'partner withdrew' }],
  no_bid: [{ stage: 'interested' }, { stage: 'no_bid', reason: 'no local partner' }],
};

describe('stage transitions', () => {
  let w: Awaited<ReturnType<typeof pipelineWorld>>;
  let n = 0;
  /** A fresh published alert of hanbit, with its pursuit brought to `from`. */
  const alertAt = (from: Stage | null) => {
    const sourceId = `t${++n}`;
    w.ingest([tender({ sourceId, reference: `RFB-2026-${1000 + n}`, title: `Solar PV lot ${n}` })]);
    const alertId = w.alert(sourceId, 'hanbit');
    for (const step of from ? PATH[from] : []) movePursuit(w.sqlite, 'hanbit', alertId, step, ADVISER);
    return alertId;
  };
  const attempt = (alertId: number, change: StageChange) => {
    try {
      return { status: 200, pursuit: movePursuit(w.sqlite, 'hanbit', alertId, change, ADVISER).pursuit };
    } catch (e) {
      if (e instanceof PipelineError) return { status: e.statusCode, message: e.message };
      throw e;
    }
  };

  beforeAll(async () => {
    w = await pipelineWorld();
  });
  afterAll(async () => w.close());

  it('the pure rule agrees with the table', () => {
    for (const from of FROM) for (const to of STAGES) expect(checkMove(from, to, false).ok, `${from} → ${to}`).toBe(ALLOWED[String(from)].includes(to));
  });

  for (const from of FROM) {
    for (const to of STAGES) {
      const allowed = ALLOWED[String(from)].includes(to);
      it(`${from ?? '(start)'} → ${to}: ${allowed ? 'allowed' : 'refused (409)'}`, () => {
        const alertId = alertAt(from);
        const r = attempt(alertId, { stage: to, ...figures(from, to) });
        expect(r.status, r.message).toBe(allowed ? 200 : 409);
        if (!allowed) {
          // Nothing changed: the pursuit is where it was.
          const stage = w.sqlite.prepare(`SELECT stage FROM pursuits WHERE match_id = ?`).pluck().get(alertId) ?? null;
          expect(stage).toBe(from);
          return;
        }
        expect(r.pursuit!.stage).toBe(to);
        const last = pursuitHistory(w.sqlite, r.pursuit!.id).at(-1)!;
        expect(last).toMatchObject({ kind: 'stage', fromStage: from, toStage: to, correction: false, actor: ADVISER.id, role: 'adviser' });
      });
    }
  }

  it('explains a refusal', () => {
    expect(attempt(alertAt('won'), { stage: 'lost', reason: 'x' }).message).toMatch(/won is final; moving to lost is a correction/);
    expect(attempt(alertAt('submitted'), { stage: 'preparing' }).message).toMatch(/goes backwards/);
    expect(attempt(alertAt('interested'), { stage: 'won', ...BID, ...CONTRACT }).message).toMatch(/from interested a pursuit goes to preparing, submitted, no_bid/);
    expect(attempt(alertAt(null), { stage: 'lost', ...BID, reason: 'x' }).message).toMatch(/a pursuit starts at interested, preparing, submitted, no_bid/);
  });

  // Every refused move of an existing pursuit (not to its own stage) goes through as a correction.
  for (const from of STAGES) {
    for (const to of STAGES.filter((s) => s !== from && !ALLOWED[from].includes(s))) {
      it(`${from} → ${to} as a correction, with a note, is logged as one`, () => {
        const alertId = alertAt(from);
        const r = attempt(alertId, { stage: to, ...figures(from, to), correction: true, note: 'entered on the wrong tender' });
        expect(r.status, r.message).toBe(200);
        const last = pursuitHistory(w.sqlite, r.pursuit!.id).at(-1)!;
        expect(last).toMatchObject({ fromStage: from, toStage: to, correction: true, note: 'entered on the wrong tender' });
      });
    }
  }

  it('refuses a correction without a note', () => {
    const alertId = alertAt('won');
    expect(attempt(alertId, { stage: 'submitted', correction: true })).toMatchObject({ status: 400, message: expect.stringMatching(/note is required with a correction/) });
  });

  it('a step back clears what the earlier stage does not record, and the log keeps the old figures', () => {
    const alertId = alertAt('won');
    const r = attempt(alertId, { stage: 'submitted', correction: true, note: 'award was provisional' });
    expect(r.pursuit).toMatchObject({ stage: 'submitted', bid: { amount: 1_250_000, currency: 'USD', submittedOn: '2026-10-01' }, contract: null });
    const back = attempt(alertId, { stage: 'preparing', correction: true, note: 'bid not sent after all' });
    expect(back.pursuit).toMatchObject({ stage: 'preparing', bid: null, contract: null, reason: null });
    const history = pursuitHistory(w.sqlite, back.pursuit!.id);
    expect(history.at(-2)!.changes).toEqual({ contractValue: { from: 1_200_000, to: null }, contractCurrency: { from: 'EUR', to: null }, awardedOn: { from: '2026-11-01', to: null } });
    expect(history.at(-1)!.changes).toEqual({ bidAmount: { from: 1_250_000, to: null }, bidCurrency: { from: 'USD', to: null }, submittedOn: { from: '2026-10-01', to: null } });
  });

  it('fixes the figures of the current stage only as a correction', () => {
    const alertId = alertAt('submitted');
    expect(attempt(alertId, { stage: 'submitted', bidAmount: 1_300_000 })).toMatchObject({ status: 409, message: expect.stringMatching(/already submitted/) });
    const r = attempt(alertId, { stage: 'submitted', bidAmount: 1_300_000, correction: true, note: 'typo in the amount' });
    expect(r.pursuit!.bid).toEqual({ amount: 1_300_000, currency: 'USD', submittedOn: '2026-10-01' });
    expect(pursuitHistory(w.sqlite, r.pursuit!.id).at(-1)).toMatchObject({ fromStage: 'submitted', toStage: 'submitted', correction: true, changes: { bidAmount: { from: 1_250_000, to: 1_300_000 } } });
    expect(attempt(alertId, { stage: 'submitted', bidAmount: 1_300_000, correction: true, note: 'again' })).toMatchObject({ status: 409, message: expect.stringMatching(/nothing to correct/) });
  });
});
