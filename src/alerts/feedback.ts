/**
 * Firm feedback on alerts (seen / interested / not relevant, with a reason) and what it does
 * to that firm's future ranking, within documented bounds:
 *
 * - a buyer with at least BUYER_MIN_REJECTIONS alerts marked not relevant and none marked
 *   interested is down-weighted: factor 1 - 0.15 x rejections, never below 0.6;
 * - a profile keyword that matched at least KEYWORD_MIN_REJECTIONS alerts marked not relevant,
 *   more than twice as many as it matched interested ones, has its evidence scaled by
 *   1 - 0.1 x rejections, never below 0.5.
 * The explanation of every affected match names the adjustment. The firm's matches are
 * re-scored at once, so the next alerts already reflect it.
 */
import type Database from 'better-sqlite3';
import { explanationKeywords } from '../matching/explanation-codec.js';
import { runMatch } from '../matching/matcher.js';
import { normalizeBuyer, type FeedbackAdjustments } from '../matching/profile-query.js';
import { AlertError, type Actor, type FirmState } from './service.js';

export const FEEDBACK_BOUNDS = { buyerMinRejections: 2, buyerStep: 0.15, buyerFloor: 0.6, keywordMinRejections: 2, keywordStep: 0.1, keywordFloor: 0.5 } as const;

export function computeAdjustments(marks: { state: string; buyer: string | null; keywords: string[] }[]): FeedbackAdjustments {
  const buyers = new Map<string, { rejected: number; interested: number; label: string }>();
  const keywords = new Map<string, { rejected: number; interested: number }>();
  for (const m of marks) {
    const b = normalizeBuyer(m.buyer);
    if (b) {
      const e = buyers.get(b) ?? { rejected: 0, interested: 0, label: m.buyer! };
      if (m.state === 'not_relevant') e.rejected++;
      if (m.state === 'interested') e.interested++;
      buyers.set(b, e);
    }
    for (const k of new Set(m.keywords)) {
      const e = keywords.get(k) ?? { rejected: 0, interested: 0 };
      if (m.state === 'not_relevant') e.rejected++;
      if (m.state === 'interested') e.interested++;
      keywords.set(k, e);
    }
  }
  const out: FeedbackAdjustments = { buyers: {}, keywords: {} };
  const B = FEEDBACK_BOUNDS;
  for (const [k, e] of buyers) {
    if (e.rejected >= B.buyerMinRejections && e.interested === 0) {
      out.buyers[k] = { factor: Math.max(B.buyerFloor, Math.round((1 - B.buyerStep * e.rejected) * 100) / 100), rejected: e.rejected };
    }
  }
  for (const [k, e] of keywords) {
    if (e.rejected >= B.keywordMinRejections && e.rejected > 2 * e.interested) {
      out.keywords[k] = { factor: Math.max(B.keywordFloor, Math.round((1 - B.keywordStep * e.rejected) * 100) / 100), rejected: e.rejected };
    }
  }
  return out;
}

export function markAlert(sqlite: Database.Database, firmId: string, alertId: number, state: FirmState, reason: string | null, actor: Actor, now = new Date().toISOString()) {
  const m = sqlite.prepare(`SELECT id, tender_id FROM matches WHERE id = ? AND firm_id = ? AND state = 'published'`).get(alertId, firmId) as { id: number; tender_id: number } | undefined;
  if (!m) throw new AlertError(404, `alert ${alertId} not found`);
  sqlite.transaction(() => {
    sqlite.prepare(`UPDATE matches SET firm_state = ?, firm_reason = ?, firm_state_at = ?, updated_at = ? WHERE id = ?`).run(state, reason, now, now, m.id);
    sqlite
      .prepare(`INSERT INTO curation_actions (match_id, firm_id, tender_id, action, actor, role, note, reason_code, at) VALUES (?, ?, ?, 'feedback', ?, ?, ?, ?, ?)`)
      .run(m.id, firmId, m.tender_id, actor.id, actor.role, reason, state, now);
    const marks = (
      sqlite
        .prepare(`SELECT m.firm_state AS state, t.buyer, m.explanation FROM matches m JOIN tenders t ON t.id = m.tender_id WHERE m.firm_id = ? AND m.firm_state IN ('interested', 'not_relevant')`)
        .all(firmId) as { state: string; buyer: string | null; explanation: string }[]
    ).map((r) => ({ state: r.state, buyer: r.buyer, keywords: explanationKeywords(r.explanation) }));
    sqlite.prepare(`UPDATE firms SET feedback = ? WHERE id = ?`).run(JSON.stringify(computeAdjustments(marks)), firmId);
  })();
  if (state !== 'seen') runMatch(sqlite, { firmIds: [firmId] });
}
