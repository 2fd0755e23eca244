/**
 * Curation and alerts: advisers publish or reject proposed matches (one or in bulk), recommend
 * a tender to firms by hand, and set a per-firm auto-publish threshold; firms see only
 * published matches (their alerts) and mark them. Every action is logged, and every change a
 * firm may be told about is an event written in the same transaction.
 */
import type Database from 'better-sqlite3';
import { DateTime } from 'luxon';
import { prepareCached } from '../../db/client.js';
import { recordEvent } from '../events/events.js';
import { decodeExplanation } from '../matching/explanation-codec.js';
import { statusSql } from '../tenders/repository.js';

export const REASON_CODES = ['relevant', 'not_relevant', 'wrong_country', 'wrong_category', 'too_large', 'too_small', 'duplicate', 'expired', 'other'] as const;
export type ReasonCode = (typeof REASON_CODES)[number];
export const FIRM_STATES = ['seen', 'interested', 'not_relevant'] as const;
export type FirmState = (typeof FIRM_STATES)[number];

export interface Actor {
  id: string;
  role: string;
}

export class AlertError extends Error {
  constructor(readonly statusCode: number, message: string) {
    super(message);
  }
}

interface MatchRow {
  id: number;
  firm_id: string;
  tender_id: number;
  score: number;
  state: string;
  explanation: string;
  note: string | null;
}

function logAction(sqlite: Database.Database, a: { matchId: number | null; firmId: string; tenderId: number; action: string; actor: Actor; note?: string | null; reasonCode?: string | null }, now: string) {
  sqlite
    .prepare(`INSERT INTO curation_actions (match_id, firm_id, tender_id, action, actor, role, note, reason_code, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    .run(a.matchId, a.firmId, a.tenderId, a.action, a.actor.id, a.actor.role, a.note ?? null, a.reasonCode ?? null, now);
}

function alertData(sqlite: Database.Database, matchId: number): Record<string, unknown> {
  const m = sqlite
    .prepare(
      `SELECT m.id, m.firm_id, m.tender_id, m.score, m.note, t.title, t.url, t.deadline_at, t.source, t.reference
       FROM matches m JOIN tenders t ON t.id = m.tender_id WHERE m.id = ?`,
    )
    .get(matchId) as Record<string, unknown>;
  return {
    alertId: m.id,
    firmId: m.firm_id,
    tender: { id: m.tender_id, title: m.title, url: m.url, deadlineAt: m.deadline_at, source: m.source, reference: m.reference },
    score: m.score,
    note: m.note,
  };
}

/** proposed → published: the firm is alerted (alert.created). */
function publish(sqlite: Database.Database, m: MatchRow, actor: Actor, note: string | null, reasonCode: string | null, action: string, now: string) {
  sqlite
    .prepare(`UPDATE matches SET state = 'published', published_at = ?, reviewer = ?, note = COALESCE(?, note), reason_code = ?, updated_at = ? WHERE id = ?`)
    .run(now, actor.id, note, reasonCode, now, m.id);
  logAction(sqlite, { matchId: m.id, firmId: m.firm_id, tenderId: m.tender_id, action, actor, note, reasonCode }, now);
  recordEvent(sqlite, { type: 'alert.created', firmId: m.firm_id, tenderId: m.tender_id, matchId: m.id, data: alertData(sqlite, m.id) }, now);
}

export interface Decision {
  matchId: number;
  action: 'approve' | 'reject';
  note?: string | null;
  reasonCode?: ReasonCode | null;
}

/** Applies decisions in one transaction; a match that is not proposed is refused (409) and nothing is applied. */
export function decide(sqlite: Database.Database, decisions: Decision[], actor: Actor, now = new Date().toISOString()): { applied: number } {
  const get = sqlite.prepare(`SELECT id, firm_id, tender_id, score, state, explanation, note FROM matches WHERE id = ?`);
  sqlite.transaction(() => {
    for (const d of decisions) {
      const m = get.get(d.matchId) as MatchRow | undefined;
      if (!m) throw new AlertError(404, `match ${d.matchId} not found`);
      if (m.state !== 'proposed') throw new AlertError(409, `match ${d.matchId} is already ${m.state}`);
      if (d.action === 'approve') publish(sqlite, m, actor, d.note ?? null, d.reasonCode ?? null, 'approve', now);
      else {
        sqlite
          .prepare(`UPDATE matches SET state = 'rejected', reviewer = ?, note = ?, reason_code = ?, updated_at = ? WHERE id = ?`)
          .run(actor.id, d.note ?? null, d.reasonCode ?? null, now, m.id);
        logAction(sqlite, { matchId: m.id, firmId: m.firm_id, tenderId: m.tender_id, action: 'reject', actor, note: d.note, reasonCode: d.reasonCode }, now);
      }
    }
  })();
  return { applied: decisions.length };
}

/** "Recommend this tender to firms X, Y": published matches made by hand, with a note. */
export function recommend(sqlite: Database.Database, tenderId: number, firmIds: string[], note: string, actor: Actor, now = new Date().toISOString()): number[] {
  const tender = sqlite.prepare(`SELECT COALESCE(cluster_id, id) AS cid FROM tenders WHERE id = ?`).get(tenderId) as { cid: number } | undefined;
  if (!tender) throw new AlertError(404, `tender ${tenderId} not found`);
  const ids: number[] = [];
  sqlite.transaction(() => {
    for (const firmId of firmIds) {
      const firm = sqlite.prepare(`SELECT profile_version FROM firms WHERE id = ?`).get(firmId) as { profile_version: number } | undefined;
      if (!firm) throw new AlertError(404, `firm ${firmId} not found`);
      const existing = sqlite.prepare(`SELECT id, firm_id, tender_id, score, state, explanation, note FROM matches WHERE firm_id = ? AND tender_id = ?`).get(firmId, tender.cid) as MatchRow | undefined;
      if (existing?.state === 'published') throw new AlertError(409, `tender ${tenderId} is already an alert of firm ${firmId}`);
      let m = existing;
      if (!m) {
        const explanation = { score: 1, scoringVersion: 0, text: { score: 0, hits: [] }, codes: { score: 0, relations: [] }, filtersPassed: [], factors: [], unknown: [], recommendedBy: actor.id };
        const info = sqlite
          .prepare(
            `INSERT INTO matches (firm_id, tender_id, score, explanation, state, profile_version, scoring_version, created_at, updated_at, meta)
             VALUES (?, ?, 1, ?, 'proposed', ?, 0, ?, ?, '{"recommended":1}')`,
          )
          .run(firmId, tender.cid, JSON.stringify(explanation), firm.profile_version, now, now);
        m = { id: Number(info.lastInsertRowid), firm_id: firmId, tender_id: tender.cid, score: 1, state: 'proposed', explanation: '', note: null };
      }
      publish(sqlite, m, actor, note, null, 'recommend', now);
      ids.push(m.id);
    }
  })();
  return ids;
}

/** Publishes proposed matches at or above each firm's threshold (reviewer `auto`). */
export function autoPublish(sqlite: Database.Database, opts: { firmIds?: string[] } = {}, now = new Date().toISOString()): number {
  const rows = sqlite
    .prepare(
      `SELECT m.id, m.firm_id, m.tender_id, m.score, m.state, m.explanation, m.note FROM matches m JOIN firms f ON f.id = m.firm_id
       WHERE m.state = 'proposed' AND f.auto_publish_threshold IS NOT NULL AND m.score >= f.auto_publish_threshold
       ${opts.firmIds?.length ? `AND m.firm_id IN (${opts.firmIds.map(() => '?').join(',')})` : ''} ORDER BY m.id`,
    )
    .all(...(opts.firmIds ?? [])) as MatchRow[];
  sqlite.transaction(() => {
    for (const m of rows) publish(sqlite, m, { id: 'auto', role: 'system' }, null, null, 'auto_publish', now);
  })();
  return rows.length;
}

export function setAutoPublishThreshold(sqlite: Database.Database, firmId: string, threshold: number | null, actor: Actor, now = new Date().toISOString()) {
  const r = sqlite.prepare(`UPDATE firms SET auto_publish_threshold = ?, updated_at = ? WHERE id = ?`).run(threshold, now, firmId);
  if (r.changes === 0) throw new AlertError(404, `firm ${firmId} not found`);
  sqlite
    .prepare(`INSERT INTO curation_actions (match_id, firm_id, tender_id, action, actor, role, note, at) VALUES (NULL, ?, 0, 'set_threshold', ?, ?, ?, ?)`)
    .run(firmId, actor.id, actor.role, threshold === null ? 'auto-publish off' : `auto-publish at ${threshold}`, now);
  return autoPublish(sqlite, { firmIds: [firmId] }, now);
}

/**
 * After an ingest: published alerts whose tender was amended, had its deadline moved or was
 * cancelled show the change, and an event tells the firm (alert.updated / alert.cancelled).
 */
export function propagateChanges(sqlite: Database.Database, amendedTenderIds: number[], now = new Date().toISOString()): number {
  if (amendedTenderIds.length === 0) return 0;
  const latest = sqlite.prepare(`SELECT version, changes FROM tender_versions WHERE tender_id = ? ORDER BY version DESC LIMIT 1`);
  const alerts = sqlite.prepare(
    `SELECT m.id, m.firm_id, m.tender_id FROM matches m WHERE m.state = 'published' AND m.tender_id = (SELECT COALESCE(cluster_id, id) FROM tenders WHERE id = ?)`,
  );
  const setChange = sqlite.prepare(`UPDATE matches SET last_change = ?, updated_at = ? WHERE id = ?`);
  let n = 0;
  sqlite.transaction(() => {
    for (const tid of amendedTenderIds) {
      const v = latest.get(tid) as { version: number; changes: string } | undefined;
      if (!v) continue;
      const changes = JSON.parse(v.changes) as Record<string, { from: unknown; to: unknown }>;
      const cancelled = (changes.sourceStatus?.to as string | undefined) === 'cancelled';
      const kind = cancelled ? 'cancelled' : changes.deadlineAt ? 'deadline_moved' : 'amended';
      for (const a of alerts.all(tid) as { id: number; firm_id: string; tender_id: number }[]) {
        const change = { kind, at: now, tenderId: tid, version: v.version, changes };
        setChange.run(JSON.stringify(change), now, a.id);
        recordEvent(
          sqlite,
          { type: cancelled ? 'alert.cancelled' : 'alert.updated', firmId: a.firm_id, tenderId: a.tender_id, matchId: a.id, data: { ...alertData(sqlite, a.id), change } },
          now,
        );
        n++;
      }
    }
  })();
  return n;
}

/** A new tender, announced to adviser-level webhook endpoints. */
export function announceTenders(sqlite: Database.Database, newTenderIds: number[], now = new Date().toISOString()) {
  const get = sqlite.prepare(`SELECT id, source, source_id, title, url, deadline_at, countries FROM tenders WHERE id = ? AND (cluster_id IS NULL OR cluster_id = id)`);
  sqlite.transaction(() => {
    for (const id of newTenderIds) {
      const t = get.get(id) as Record<string, unknown> | undefined;
      if (!t) continue;
      recordEvent(sqlite, { type: 'tender.published', firmId: null, tenderId: id, data: { tender: { ...t, countries: JSON.parse(t.countries as string) } } }, now);
    }
  })();
}

// ---------------------------------------------------------------- firm side

const SEOUL = 'Asia/Seoul';

// Zone conversions are the costly part of rendering alerts, and deadlines repeat across firms.
const zoneViews = new Map<string, { source: string | null; sourceZone: string | null; seoul: string }>();

/** A deadline in UTC, in the source's zone and in Seoul, with whole days left. */
export function deadlineViews(at: string | null, zone: string | null, zoneKnown: boolean, now = new Date()) {
  if (!at) return null;
  const key = `${at}|${zoneKnown ? zone : ''}`;
  let views = zoneViews.get(key);
  if (!views) {
    const utc = DateTime.fromISO(at, { zone: 'utc' });
    const sourceZone = zoneKnown && zone ? (/^[+-]\d{2}:\d{2}$/.test(zone) ? `UTC${zone}` : zone) : null;
    const inSource = sourceZone ? utc.setZone(sourceZone) : null;
    views = {
      source: inSource?.isValid ? inSource.toISO({ suppressMilliseconds: true }) : null,
      sourceZone: inSource?.isValid ? zone : null,
      seoul: utc.setZone(SEOUL).toISO({ suppressMilliseconds: true })!,
    };
    if (zoneViews.size > 20_000) zoneViews.clear();
    zoneViews.set(key, views);
  }
  return { utc: at, ...views, daysLeft: Math.floor((Date.parse(at) - now.getTime()) / 86_400_000) };
}

export interface AlertQuery {
  firmId: string;
  sort?: 'newest' | 'deadline';
  state?: string[];
  limit?: number;
  offset?: number;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function toAlert(r: any, now = new Date()) {
  return {
    id: r.id as number,
    firmId: r.firm_id as string,
    score: r.score as number,
    publishedAt: r.published_at as string,
    note: r.note as string | null,
    firmState: r.firm_state as string,
    firmReason: r.firm_reason as string | null,
    change: r.last_change ? JSON.parse(r.last_change) : null,
    explanation: decodeExplanation(r.explanation, { title: r.title, description: r.description }),
    tender: {
      id: r.tender_id as number,
      source: r.source as string,
      reference: r.reference as string | null,
      title: r.title as string,
      buyer: r.buyer as string | null,
      countries: JSON.parse(r.countries) as string[],
      url: r.url as string | null,
      status: r.tstatus as string,
      deadline: deadlineViews(r.deadline_at, r.deadline_zone, r.deadline_zone_known === 1, now),
    },
  };
}

/**
 * Alert rows with their tender: the columns `toAlert` reads and no more (building each value
 * costs more than finding the row); binds `@now` (the tender status depends on the clock).
 * A trigger moves the firm's alerts version when one of these tender columns changes
 * (migration 0013_alert_versions_triggers_fix); a test keeps the two lists in step.
 */
export const ALERT_SELECT = `SELECT m.id, m.firm_id, m.tender_id, m.score, m.published_at, m.note, m.firm_state, m.firm_reason,
  m.last_change, m.explanation, t.source, t.reference, t.title, t.description, t.buyer, t.countries, t.url, t.deadline_at, t.deadline_zone,
  t.deadline_zone_known, ${statusSql('@now')} AS tstatus FROM matches m JOIN tenders t ON t.id = m.tender_id`;

/**
 * The firm's alerts version (see `alertVersions` in db/schema/firms.ts), or null when the firm
 * does not exist: one index lookup that also answers the route's existence check.
 */
export function alertsVersion(sqlite: Database.Database, firmId: string): number | null {
  const r = prepareCached(sqlite, `SELECT COALESCE((SELECT version FROM alert_versions WHERE firm_id = f.id), 0) AS v FROM firms f WHERE f.id = ?`).get(firmId) as
    | { v: number }
    | undefined;
  return r ? r.v : null;
}

const DAY_MS = 86_400_000;

/**
 * The first instant after `now` (ms) at which a clock-derived field of these alerts may read
 * differently: a deadline's whole days left, or the tender's status turning closed. The SQL
 * decides "closed" by comparing ISO strings, which can lag the instant by under a second for
 * deadlines written without milliseconds, so within a second of a deadline nothing is reused.
 */
export function viewsChangeAt(alerts: { tender: { deadline: { utc: string } | null } }[], now: number): number {
  let next = Infinity;
  for (const a of alerts) {
    const utc = a.tender.deadline?.utc;
    if (!utc) continue;
    const at = Date.parse(utc);
    if (!Number.isFinite(at) || Math.abs(at - now) <= 1000) return now;
    const toBoundary = (((at - now) % DAY_MS) + DAY_MS) % DAY_MS;
    if (now + toBoundary < next) next = now + toBoundary;
  }
  return next;
}

export function listAlerts(sqlite: Database.Database, q: AlertQuery, now = new Date()) {
  const params: unknown[] = [q.firmId];
  let where = `m.firm_id = ? AND m.state = 'published'`;
  if (q.state?.length) {
    where += ` AND m.firm_state IN (${q.state.map(() => '?').join(',')})`;
    params.push(...q.state);
  }
  const order = q.sort === 'deadline' ? `COALESCE(t.deadline_at, '9999') ASC, m.id ASC` : `m.published_at DESC, m.id DESC`;
  const rows = prepareCached(sqlite, `${ALERT_SELECT} WHERE ${where} ORDER BY ${order} LIMIT ? OFFSET ?`).all(...params, q.limit ?? 50, q.offset ?? 0, { now: now.toISOString() });
  return rows.map((r) => toAlert(r, now));
}

export function getAlert(sqlite: Database.Database, firmId: string, alertId: number, now = new Date()) {
  const r = prepareCached(sqlite, `${ALERT_SELECT} WHERE m.id = ? AND m.firm_id = ? AND m.state = 'published'`).get(alertId, firmId, { now: now.toISOString() });
  return r ? toAlert(r, now) : null;
}
