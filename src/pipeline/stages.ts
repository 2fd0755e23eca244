/**
 * The pursuit stages and the moves between them, pure. A pursuit moves forward only:
 *
 *   interested ──► preparing ──► submitted ──► won | lost | abandoned
 *   (skipping ahead is forward: interested ──► submitted)
 *   interested, preparing ──► no_bid        preparing ──► abandoned
 *
 * won, lost, abandoned and no_bid are final. Anything else (a step back, leaving a final
 * stage, or fixing the figures of the current stage) is a correction: explicit, with a note,
 * and logged as such.
 */
export const STAGES = ['interested', 'preparing', 'submitted', 'won', 'lost', 'abandoned', 'no_bid'] as const;
export type Stage = (typeof STAGES)[number];

export const FINAL_STAGES: readonly Stage[] = ['won', 'lost', 'abandoned', 'no_bid'];
/** Stages that need a reason. */
export const REASON_STAGES: readonly Stage[] = ['lost', 'abandoned', 'no_bid'];
/** Stages after a bid went in: they carry the bid's amount, currency and date. */
export const BID_STAGES: readonly Stage[] = ['submitted', 'won', 'lost'];

/** Where a pursuit may start (an alert goes straight to "submitted" when the firm records only its bid). */
export const START_STAGES: readonly Stage[] = ['interested', 'preparing', 'submitted', 'no_bid'];

/** Forward moves from each stage. */
export const FORWARD: Readonly<Record<Stage, readonly Stage[]>> = {
  interested: ['preparing', 'submitted', 'no_bid'],
  preparing: ['submitted', 'no_bid', 'abandoned'],
  submitted: ['won', 'lost', 'abandoned'],
  won: [],
  lost: [],
  abandoned: [],
  no_bid: [],
};

export type MoveCheck = { ok: true } | { ok: false; message: string };

/**
 * Whether `from` → `to` is allowed. `from` null = the pursuit starts. With `correction`, any
 * move is allowed (the caller requires a note and logs it); the same stage is a correction of
 * the recorded figures.
 */
export function checkMove(from: Stage | null, to: Stage, correction: boolean): MoveCheck {
  if (from === null) {
    return START_STAGES.includes(to) ? { ok: true } : { ok: false, message: `a pursuit starts at ${START_STAGES.join(', ')}; ${to} needs a bid first` };
  }
  if (correction) return { ok: true };
  if (from === to) return { ok: false, message: `the pursuit is already ${to}; fixing its figures is a correction (correction: true, with a note)` };
  if (FORWARD[from].includes(to)) return { ok: true };
  if (FINAL_STAGES.includes(from)) return { ok: false, message: `${from} is final; moving to ${to} is a correction (correction: true, with a note)` };
  if (STAGES.indexOf(to) < STAGES.indexOf(from)) return { ok: false, message: `${from} → ${to} goes backwards; that is a correction (correction: true, with a note)` };
  return { ok: false, message: `${from} → ${to} is not a move: from ${from} a pursuit goes to ${FORWARD[from].join(', ')}` };
}

/** Whether the move would be refused without the correction flag (so a flagged forward move is logged as an ordinary one). */
export function needsCorrection(from: Stage | null, to: Stage): boolean {
  return !checkMove(from, to, false).ok;
}
