/**
 * The bid pipeline: a firm's pursuits of its alerts. A stage change is validated (the move,
 * then the figures the stage records), written with its history row and its event
 * (`pursuit.stage_changed`) in one transaction. Firms move their own pursuits; advisers move
 * any and follow pursuits (assignee). Corrections are allowed, never silent.
 */
import type Database from 'better-sqlite3';
import { markAlert } from '../alerts/feedback.js';
import type { Actor } from '../alerts/service.js';
import { recordEvent } from '../events/events.js';
import { linkAwardNotices } from './awards.js';
import { isCurrency, isDate } from './fx.js';
import { getPursuit, logPursuitEvent, pursuitEventData, type Pursuit, type PursuitRow } from './pursuits.js';
import { BID_STAGES, REASON_STAGES, checkMove, needsCorrection, type Stage } from './stages.js';

export class PipelineError extends Error {
  constructor(readonly statusCode: number, message: string) {
    super(message);
  }
}

/** What a stage change may carry; figures belong to stages (a bid to submitted and after, a contract to won). */
export interface StageChange {
  stage: Stage;
  note?: string | null;
  reason?: string | null;
  bidAmount?: number;
  bidCurrency?: string;
  submittedOn?: string;
  contractValue?: number;
  contractCurrency?: string;
  awardedOn?: string;
  /** Required for a step back, a move out of a final stage, or a fix of the figures; needs a note. */
  correction?: boolean;
}

const MAX_AMOUNT = 1e15;
const BID = ['bidAmount', 'bidCurrency', 'submittedOn'] as const;
const CONTRACT = ['contractValue', 'contractCurrency', 'awardedOn'] as const;
type Field = (typeof BID)[number] | (typeof CONTRACT)[number] | 'reason';
const COLUMN: Record<Field, string> = {
  bidAmount: 'bid_amount',
  bidCurrency: 'bid_currency',
  submittedOn: 'submitted_on',
  contractValue: 'contract_value',
  contractCurrency: 'contract_currency',
  awardedOn: 'awarded_on',
  reason: 'reason',
};
/** Which figures each stage keeps (a bid withdrawn after submission keeps its bid). */
const KEEPS = (stage: Stage) => ({
  bid: BID_STAGES.includes(stage) || stage === 'abandoned',
  contract: stage === 'won',
  reason: REASON_STAGES.includes(stage),
});

/** The figures of a change, checked one by one: the error names the body parameter, as schema errors do. */
function checkFigures(c: StageChange, today: string) {
  const bad = (field: string, message: string) => new PipelineError(400, `body parameter ${field} ${message}`);
  for (const f of ['bidAmount', 'contractValue'] as const) {
    const v = c[f];
    if (v !== undefined && !(Number.isFinite(v) && v > 0 && v <= MAX_AMOUNT)) throw bad(f, `must be a positive amount (at most ${MAX_AMOUNT})`);
  }
  for (const f of ['bidCurrency', 'contractCurrency'] as const) {
    const v = c[f];
    if (v !== undefined && !isCurrency(v)) throw bad(f, `must be an ISO 4217 currency code, not "${v}"`);
  }
  for (const f of ['submittedOn', 'awardedOn'] as const) {
    const v = c[f];
    if (v !== undefined && !isDate(v)) throw bad(f, 'must be a date (yyyy-mm-dd)');
    if (v !== undefined && v > today) throw bad(f, `is after today (${today}): record it once it happened`);
  }
}

function dayAfter(iso: string): string {
  return new Date(Date.parse(iso.slice(0, 10) + 'T00:00:00Z') + 86_400_000).toISOString().slice(0, 10);
}

type Figures = Record<Field, unknown>;
const FIELDS = Object.keys(COLUMN) as Field[];

/**
 * The figures after a change: what was recorded, overwritten by what is given, cleared where the
 * target stage does not keep it; refused (400) when the stage does not take what is given or
 * lacks what it records. Answers the figures and what changed.
 */
function nextFigures(current: PursuitRow | undefined, c: StageChange): { after: Figures; changes: Record<string, { from: unknown; to: unknown }> } {
  const refuse = (message: string) => new PipelineError(400, message);
  const keeps = KEEPS(c.stage);
  const given = (fields: readonly Field[]) => fields.filter((f) => c[f] !== undefined);
  if (!keeps.bid && given(BID).length) throw refuse(`body parameter ${given(BID)[0]}: a bid is recorded at submitted, won, lost or abandoned, not ${c.stage}`);
  if (c.stage === 'abandoned' && given(BID).length && current?.bid_amount == null) throw refuse(`body parameter ${given(BID)[0]}: only a submitted bid is kept when a pursuit is abandoned`);
  if (!keeps.contract && given(CONTRACT).length) throw refuse(`body parameter ${given(CONTRACT)[0]}: a contract is recorded at won, not ${c.stage}`);
  if (!keeps.reason && c.reason !== undefined) throw refuse(`body parameter reason: a reason is recorded at ${REASON_STAGES.join(', ')}, not ${c.stage}`);

  const before = Object.fromEntries(FIELDS.map((f) => [f, current ? current[COLUMN[f] as keyof PursuitRow] : null])) as Figures;
  const after: Figures = { ...before };
  for (const f of FIELDS) if (c[f] !== undefined) after[f] = c[f];
  if (!keeps.bid) for (const f of BID) after[f] = null;
  if (!keeps.contract) for (const f of CONTRACT) after[f] = null;
  if (!keeps.reason) after.reason = null;

  const missing = (fields: readonly Field[]) => fields.filter((f) => after[f] == null);
  const needed = [...(BID_STAGES.includes(c.stage) ? missing(BID) : []), ...(c.stage === 'won' ? missing(CONTRACT) : []), ...(REASON_STAGES.includes(c.stage) ? missing(['reason']) : [])];
  if (needed.length) throw refuse(`${c.stage} records ${needed.join(', ')}: body parameter ${needed[0]} is required`);
  if (after.awardedOn && after.submittedOn && (after.awardedOn as string) < (after.submittedOn as string)) {
    throw refuse(`body parameter awardedOn (${after.awardedOn}) is before the bid's submission (${after.submittedOn})`);
  }
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const f of FIELDS) if ((before[f] ?? null) !== (after[f] ?? null)) changes[f] = { from: before[f] ?? null, to: after[f] ?? null };
  return { after, changes };
}

/** Inserts or updates the pursuit row; `stage_at` moves only when the stage does. */
function writePursuit(sqlite: Database.Database, current: PursuitRow | undefined, p: { alertId: number; firmId: string; stage: Stage; after: Figures }, now: string): number {
  const values = { ...Object.fromEntries(FIELDS.map((f) => [COLUMN[f], p.after[f] ?? null])), stage: p.stage, now };
  if (current) {
    sqlite
      .prepare(
        `UPDATE pursuits SET stage = @stage, stage_at = CASE WHEN stage = @stage THEN stage_at ELSE @now END, bid_amount = @bid_amount, bid_currency = @bid_currency,
           submitted_on = @submitted_on, contract_value = @contract_value, contract_currency = @contract_currency, awarded_on = @awarded_on, reason = @reason, updated_at = @now
         WHERE id = @id`,
      )
      .run({ ...values, id: current.id });
    return current.id;
  }
  const info = sqlite
    .prepare(
      `INSERT INTO pursuits (match_id, firm_id, stage, stage_at, bid_amount, bid_currency, submitted_on, contract_value, contract_currency, awarded_on, reason, created_at, updated_at)
       VALUES (@match_id, @firm_id, @stage, @now, @bid_amount, @bid_currency, @submitted_on, @contract_value, @contract_currency, @awarded_on, @reason, @now, @now)`,
    )
    .run({ ...values, match_id: p.alertId, firm_id: p.firmId });
  return Number(info.lastInsertRowid);
}

/**
 * Starts the pursuit of an alert or moves it to another stage. Refusals: 404 (no such alert of
 * this firm), 409 (the move is not allowed), 400 (missing or invalid figures, a correction
 * without a note).
 */
export function movePursuit(
  sqlite: Database.Database,
  firmId: string,
  alertId: number,
  change: StageChange,
  actor: Actor,
  now = new Date().toISOString(),
): { pursuit: Pursuit; created: boolean } {
  const c: StageChange = {
    ...change,
    bidCurrency: change.bidCurrency?.toUpperCase(),
    contractCurrency: change.contractCurrency?.toUpperCase(),
    note: change.note?.trim() || null,
    reason: change.reason?.trim() || undefined,
  };
  // A day of slack: "today" in Seoul is ahead of UTC.
  checkFigures(c, dayAfter(now));
  const result = sqlite.transaction(() => {
    const alert = sqlite.prepare(`SELECT id, tender_id FROM matches WHERE id = ? AND firm_id = ? AND state = 'published'`).get(alertId, firmId) as
      | { id: number; tender_id: number }
      | undefined;
    if (!alert) throw new PipelineError(404, `alert ${alertId} not found`);
    const current = sqlite.prepare(`SELECT * FROM pursuits WHERE match_id = ?`).get(alertId) as PursuitRow | undefined;
    const from = current?.stage ?? null;
    if (c.correction && !c.note) throw new PipelineError(400, 'body parameter note is required with a correction: say what was wrong');
    const move = checkMove(from, c.stage, Boolean(c.correction));
    if (!move.ok) throw new PipelineError(409, move.message);

    const { after, changes } = nextFigures(current, c);
    if (from === c.stage && Object.keys(changes).length === 0) throw new PipelineError(409, `nothing to correct: the pursuit is ${c.stage} with these figures already`);
    const id = writePursuit(sqlite, current, { alertId, firmId, stage: c.stage, after }, now);
    const correction = from !== null && needsCorrection(from, c.stage);
    logPursuitEvent(sqlite, { pursuitId: id, firmId, kind: 'stage', from, to: c.stage, correction, actor, note: c.note ?? null, changes }, now);
    const pursuit = getPursuit(sqlite, firmId, id)!;
    recordEvent(sqlite, { type: 'pursuit.stage_changed', firmId, tenderId: alert.tender_id, matchId: alertId, data: pursuitEventData(pursuit, { from, correction, note: c.note ?? null, role: actor.role }) }, now);
    // An award notice ingested before the bid was recorded is linked now.
    if (BID_STAGES.includes(c.stage)) linkAwardNotices(sqlite, { pursuitIds: [id] }, now);
    return { pursuit: getPursuit(sqlite, firmId, id)!, created: !current };
  })();
  // A firm pursuing an alert it has not marked is interested in it: mark it so, so deadline
  // reminders, deadline-moved notices and the deadlines calendar follow it, and feedback counts
  // it. An explicit mark (interested, not relevant) is the firm's own and is left as it is.
  if (result.created && PURSUING_STAGES.includes(c.stage)) {
    const mark = sqlite.prepare(`SELECT firm_state FROM matches WHERE id = ?`).get(alertId) as { firm_state: string };
    if (mark.firm_state === 'new' || mark.firm_state === 'seen') markAlert(sqlite, firmId, alertId, 'interested', 'pursuit started', actor, now);
  }
  return result;
}

/** Stages at which a pursuit means the firm may bid. */
const PURSUING_STAGES: readonly Stage[] = ['interested', 'preparing', 'submitted'];

/** Sets (or clears) the adviser following a pursuit; the assignee must be an active adviser or admin key. */
export function assignPursuit(sqlite: Database.Database, firmId: string, pursuitId: number, assignee: string | null, actor: Actor, now = new Date().toISOString()): Pursuit {
  return sqlite.transaction(() => {
    const current = getPursuit(sqlite, firmId, pursuitId);
    if (!current) throw new PipelineError(404, `pursuit ${pursuitId} not found`);
    if (assignee !== null && !sqlite.prepare(`SELECT 1 FROM api_keys WHERE id = ? AND role IN ('adviser', 'admin') AND revoked_at IS NULL`).get(assignee)) {
      throw new PipelineError(400, `body parameter assignee: ${assignee} is not an active adviser or admin key`);
    }
    if (current.assignee === assignee) return current;
    sqlite.prepare(`UPDATE pursuits SET assignee = ?, updated_at = ? WHERE id = ?`).run(assignee, now, pursuitId);
    logPursuitEvent(
      sqlite,
      { pursuitId, firmId, kind: 'assign', from: current.stage, to: current.stage, correction: false, actor, note: null, changes: { assignee: { from: current.assignee, to: assignee } } },
      now,
    );
    return getPursuit(sqlite, firmId, pursuitId)!;
  })();
}
