/**
 * Linking a tender's award notice to the pursuits that bid on it. An award notice is a tender
 * whose notice type is `contract_award` or whose source says `awarded`. It belongs to a pursuit
 * when it shares a normalized reference (tender_refs) with the pursued tender or any member of
 * its cluster, or is itself a member of that cluster. Only pursuits with a bid (submitted, won,
 * lost) are linked, each to its earliest award notice, once: the link is never redone, so
 * running this again changes nothing.
 *
 * Called after every ingest run (src/ingest/scrape.ts) with the tenders that changed, and when
 * a pursuit reaches a bid stage (the notice may have come first).
 */
import type Database from 'better-sqlite3';
import { recordEvent } from '../events/events.js';
import { getPursuit, logPursuitEvent, pursuitEventData } from './pursuits.js';

export interface AwardLink {
  pursuitId: number;
  awardTenderId: number;
}

const AWARD = `(a.notice_type = 'contract_award' OR a.source_status = 'awarded')`;
const OPEN = `p.stage IN ('submitted', 'won', 'lost') AND p.award_tender_id IS NULL`;

/** `tenderIds`: only these tenders as award notices; `pursuitIds`: only these pursuits. Both absent: everything. */
export function linkAwardNotices(sqlite: Database.Database, scope: { tenderIds?: number[]; pursuitIds?: number[] }, now = new Date().toISOString()): AwardLink[] {
  if (scope.tenderIds?.length === 0 || scope.pursuitIds?.length === 0) return [];
  const filter = [
    scope.tenderIds ? `a.id IN (SELECT value FROM json_each(@tenderIds))` : null,
    scope.pursuitIds ? `p.id IN (SELECT value FROM json_each(@pursuitIds))` : null,
  ]
    .filter(Boolean)
    .map((f) => ` AND ${f}`)
    .join('');
  const candidates = sqlite
    .prepare(
      `SELECT pursuit_id AS pursuitId, min(award_id) AS awardTenderId FROM (
         SELECT p.id AS pursuit_id, a.id AS award_id
         FROM pursuits p JOIN matches m ON m.id = p.match_id
         JOIN tenders t ON t.id = m.tender_id OR t.cluster_id = m.tender_id
         JOIN tender_refs rt ON rt.tender_id = t.id
         JOIN tender_refs ra ON ra.ref = rt.ref
         JOIN tenders a ON a.id = ra.tender_id
         WHERE ${OPEN} AND ${AWARD}${filter}
         UNION
         SELECT p.id, a.id
         FROM pursuits p JOIN matches m ON m.id = p.match_id
         JOIN tenders a ON a.id = m.tender_id OR a.cluster_id = m.tender_id
         WHERE ${OPEN} AND ${AWARD}${filter}
       ) GROUP BY pursuit_id ORDER BY pursuit_id`,
    )
    .all({ tenderIds: JSON.stringify(scope.tenderIds ?? []), pursuitIds: JSON.stringify(scope.pursuitIds ?? []) }) as AwardLink[];
  if (candidates.length === 0) return [];
  const link = sqlite.prepare(`UPDATE pursuits SET award_tender_id = ?, award_linked_at = ?, updated_at = ? WHERE id = ? AND award_tender_id IS NULL`);
  const firmOf = sqlite.prepare(`SELECT firm_id FROM pursuits WHERE id = ?`).pluck();
  const system = { id: 'ingest', role: 'system' };
  sqlite.transaction(() => {
    for (const c of candidates) {
      link.run(c.awardTenderId, now, now, c.pursuitId);
      const p = getPursuit(sqlite, firmOf.get(c.pursuitId) as string, c.pursuitId)!;
      logPursuitEvent(
        sqlite,
        { pursuitId: p.id, firmId: p.firmId, kind: 'award_linked', from: p.stage, to: p.stage, correction: false, actor: system, note: null, changes: { awardTenderId: { from: null, to: c.awardTenderId } } },
        now,
      );
      recordEvent(
        sqlite,
        { type: 'pursuit.award_linked', firmId: p.firmId, tenderId: p.tender.id, matchId: p.alertId, data: pursuitEventData(p, { from: p.stage, correction: false, note: null, role: system.role }) },
        now,
      );
    }
  })();
  return candidates;
}
