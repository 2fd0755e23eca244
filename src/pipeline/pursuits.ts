/**
 * Pursuit queries: the rows of `pursuits` with their alert's tender and award notice, the
 * history rows of `pursuit_events`, and the payload of pursuit.* events.
 */
import type Database from 'better-sqlite3';
import type { Actor } from '../alerts/service.js';
import type { Stage } from './stages.js';

export interface PursuitRow {
  id: number;
  match_id: number;
  firm_id: string;
  stage: Stage;
  stage_at: string;
  assignee: string | null;
  bid_amount: number | null;
  bid_currency: string | null;
  submitted_on: string | null;
  contract_value: number | null;
  contract_currency: string | null;
  awarded_on: string | null;
  award_tender_id: number | null;
  award_linked_at: string | null;
  reason: string | null;
  created_at: string;
  updated_at: string;
  tender_id: number;
  title: string;
  buyer: string | null;
  countries: string;
  source: string;
  reference: string | null;
  url: string | null;
  deadline_at: string | null;
  award_title: string | null;
  award_url: string | null;
}

export const PURSUIT_SELECT = `SELECT p.*, m.tender_id, t.title, t.buyer, t.countries, t.source, t.reference, t.url, t.deadline_at,
  a.title AS award_title, a.url AS award_url
  FROM pursuits p JOIN matches m ON m.id = p.match_id JOIN tenders t ON t.id = m.tender_id LEFT JOIN tenders a ON a.id = p.award_tender_id`;

export function toPursuit(r: PursuitRow) {
  return {
    id: r.id,
    alertId: r.match_id,
    firmId: r.firm_id,
    stage: r.stage,
    stageAt: r.stage_at,
    assignee: r.assignee,
    bid: r.bid_amount !== null ? { amount: r.bid_amount, currency: r.bid_currency!, submittedOn: r.submitted_on! } : null,
    contract: r.contract_value !== null ? { value: r.contract_value, currency: r.contract_currency!, awardedOn: r.awarded_on! } : null,
    reason: r.reason,
    awardNotice: r.award_tender_id !== null ? { tenderId: r.award_tender_id, title: r.award_title ?? '', url: r.award_url, linkedAt: r.award_linked_at! } : null,
    tender: { id: r.tender_id, title: r.title, buyer: r.buyer, countries: JSON.parse(r.countries) as string[], source: r.source, reference: r.reference, url: r.url, deadlineAt: r.deadline_at },
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
export type Pursuit = ReturnType<typeof toPursuit>;

export function getPursuit(sqlite: Database.Database, firmId: string, pursuitId: number): Pursuit | null {
  const r = sqlite.prepare(`${PURSUIT_SELECT} WHERE p.id = ? AND p.firm_id = ?`).get(pursuitId, firmId) as PursuitRow | undefined;
  return r ? toPursuit(r) : null;
}

export function pursuitOfAlert(sqlite: Database.Database, firmId: string, alertId: number): Pursuit | null {
  const r = sqlite.prepare(`${PURSUIT_SELECT} WHERE p.match_id = ? AND p.firm_id = ?`).get(alertId, firmId) as PursuitRow | undefined;
  return r ? toPursuit(r) : null;
}

export interface PipelineQuery {
  firmId?: string;
  stage?: Stage[];
  /** A key id. */
  assignee?: string;
  limit?: number;
  offset?: number;
}

/** Pursuits, the most recently changed first. */
export function listPursuits(sqlite: Database.Database, q: PipelineQuery): Pursuit[] {
  const where: string[] = [];
  const params: unknown[] = [];
  if (q.firmId) (where.push('p.firm_id = ?'), params.push(q.firmId));
  if (q.stage?.length) (where.push(`p.stage IN (${q.stage.map(() => '?').join(',')})`), params.push(...q.stage));
  if (q.assignee) (where.push('p.assignee = ?'), params.push(q.assignee));
  const rows = sqlite
    .prepare(`${PURSUIT_SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY p.updated_at DESC, p.id DESC LIMIT ? OFFSET ?`)
    .all(...params, q.limit ?? 100, q.offset ?? 0) as PursuitRow[];
  return rows.map(toPursuit);
}

export function pursuitHistory(sqlite: Database.Database, pursuitId: number) {
  const rows = sqlite.prepare(`SELECT * FROM pursuit_events WHERE pursuit_id = ? ORDER BY id`).all(pursuitId) as Record<string, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  return rows.map((e) => ({
    id: e.id as number,
    kind: e.kind as string,
    fromStage: e.from_stage as string | null,
    toStage: e.to_stage as string,
    correction: e.correction === 1,
    actor: e.actor as string,
    role: e.role as string,
    note: e.note as string | null,
    changes: JSON.parse(e.changes) as Record<string, { from: unknown; to: unknown }>,
    at: e.at as string,
  }));
}

export function logPursuitEvent(
  sqlite: Database.Database,
  e: { pursuitId: number; firmId: string; kind: 'stage' | 'assign' | 'award_linked'; from: string | null; to: string; correction: boolean; actor: Actor; note: string | null; changes: Record<string, unknown> },
  now: string,
) {
  sqlite
    .prepare(`INSERT INTO pursuit_events (pursuit_id, firm_id, kind, from_stage, to_stage, correction, actor, role, note, changes, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    .run(e.pursuitId, e.firmId, e.kind, e.from, e.to, e.correction ? 1 : 0, e.actor.id, e.actor.role, e.note, JSON.stringify(e.changes), now);
}

/** The payload of pursuit.* events (schema: WebhookPursuitStageChanged in src/webhooks/schemas.ts). */
export function pursuitEventData(p: Pursuit, e: { from: string | null; correction: boolean; note: string | null; role: string }): Record<string, unknown> {
  const t = p.tender;
  return {
    pursuitId: p.id,
    alertId: p.alertId,
    firmId: p.firmId,
    tender: { id: t.id, title: t.title, url: t.url, deadlineAt: t.deadlineAt, source: t.source, reference: t.reference },
    from: e.from,
    to: p.stage,
    correction: e.correction,
    note: e.note,
    reason: p.reason,
    bid: p.bid,
    contract: p.contract,
    awardNotice: p.awardNotice,
    actor: { role: e.role },
  };
}
