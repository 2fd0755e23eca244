/**
 * Links the same tender seen on several sources (or as a separate corrigendum notice) into one
 * cluster. Never destructive: every source record is kept, the cluster is a pointer
 * (`tenders.cluster_id` → the cluster's canonical record, its earliest member), and an
 * adviser's unlink is remembered so the linker never makes that link again.
 *
 * Candidates (blocking): tenders sharing a normalized reference (tender_refs), and tenders
 * whose deadline is within two days. Pair score (documented thresholds, tested):
 *   same reference                                   +0.60
 *   title similarity (Jaccard of analyzed tokens)    +0.50 x J
 *   deadlines on the same day (±1 day)               +0.15
 *   deadlines more than 2 days apart (both known)    -0.40 (waived for an amendment notice)
 *   same bank project id                             +0.15; different project ids -0.30
 *   countries disjoint (both stated)                 -0.50
 * A pair links at LINK_THRESHOLD (0.65) or above: a shared reference plus a loosely similar
 * title, or a near-identical title with the same deadline. Two lots of one programme (same
 * title pattern, different references) stay apart.
 */
import type Database from 'better-sqlite3';

export const LINK_THRESHOLD = 0.65;
const DAY_MS = 24 * 3600 * 1000;

interface Candidate {
  id: number;
  cluster_id: number | null;
  source: string;
  title_key: string;
  deadline_at: string | null;
  project_id: string | null;
  countries: string;
  notice_type: string;
}

export function jaccard(a: string, b: string): number {
  if (!a || !b) return 0;
  const A = new Set(a.split(' '));
  const B = new Set(b.split(' '));
  let inter = 0;
  for (const t of A) if (B.has(t)) inter++;
  return inter / (A.size + B.size - inter);
}

export function pairScore(x: Candidate, y: Candidate, sameRef: boolean): { score: number; reasons: string[] } {
  const reasons: string[] = [];
  let score = 0;
  if (sameRef) {
    score += 0.6;
    reasons.push('same reference');
  }
  const j = jaccard(x.title_key, y.title_key);
  score += 0.5 * j;
  reasons.push(`title similarity ${j.toFixed(2)}`);
  if (x.deadline_at && y.deadline_at) {
    const gap = Math.abs(Date.parse(x.deadline_at) - Date.parse(y.deadline_at)) / DAY_MS;
    if (gap <= 1) {
      score += 0.15;
      reasons.push('same deadline day');
    } else if (gap > 2 && x.notice_type !== 'amendment' && y.notice_type !== 'amendment') {
      score -= 0.4;
      reasons.push(`deadlines ${gap.toFixed(0)} days apart`);
    }
  }
  if (x.project_id && y.project_id) {
    if (x.project_id === y.project_id) {
      score += 0.15;
      reasons.push('same project');
    } else {
      score -= 0.3;
      reasons.push('different projects');
    }
  }
  const cx = JSON.parse(x.countries) as string[];
  const cy = JSON.parse(y.countries) as string[];
  if (cx.length && cy.length && !cx.some((c) => cy.includes(c))) {
    score -= 0.5;
    reasons.push('different countries');
  }
  return { score: Math.round(score * 1000) / 1000, reasons };
}

export interface LinkResult {
  tenderId: number;
  clusterId: number;
  score: number;
  reasons: string[];
}

/** Links each given tender (if still alone) to the best-scoring cluster above the threshold. */
export function linkTenders(sqlite: Database.Database, ids: number[], now = new Date().toISOString()): LinkResult[] {
  const get = sqlite.prepare(`SELECT id, cluster_id, source, title_key, deadline_at, project_id, countries, notice_type FROM tenders WHERE id = ?`);
  const members = sqlite.prepare(`SELECT count(*) AS n FROM tenders WHERE cluster_id = ? AND id != ?`);
  const byRef = sqlite.prepare(
    `SELECT DISTINCT t.id, t.cluster_id, t.source, t.title_key, t.deadline_at, t.project_id, t.countries, t.notice_type
     FROM tender_refs r JOIN tender_refs o ON o.ref = r.ref AND o.tender_id != r.tender_id JOIN tenders t ON t.id = o.tender_id
     WHERE r.tender_id = ? LIMIT 200`,
  );
  const byDeadline = sqlite.prepare(
    `SELECT id, cluster_id, source, title_key, deadline_at, project_id, countries, notice_type FROM tenders
     WHERE deadline_at BETWEEN ? AND ? AND id != ? LIMIT 500`,
  );
  const blocked = sqlite.prepare(
    `SELECT 1 FROM cluster_links l JOIN tenders t ON t.id = l.other_id
     WHERE l.state = 'unlinked' AND ((l.tender_id = @x AND COALESCE(t.cluster_id, t.id) = @c)
       OR (l.other_id = @x AND (SELECT COALESCE(cluster_id, id) FROM tenders WHERE id = l.tender_id) = @c)) LIMIT 1`,
  );
  const setCluster = sqlite.prepare(`UPDATE tenders SET cluster_id = ? WHERE id = ?`);
  const record = sqlite.prepare(`INSERT INTO cluster_links (tender_id, other_id, score, reasons, state, actor, at) VALUES (?, ?, ?, ?, 'linked', 'linker', ?)`);
  const results: LinkResult[] = [];
  const run = sqlite.transaction(() => {
    for (const id of ids) {
      const x = get.get(id) as Candidate | undefined;
      if (!x) continue;
      // A tender that already has a cluster (its own members, or linked) stays where it is.
      if ((x.cluster_id !== null && x.cluster_id !== x.id) || (members.get(x.id, x.id) as { n: number }).n > 0) continue;
      const refHits = new Map((byRef.all(id) as Candidate[]).map((c) => [c.id, c]));
      const pool = new Map(refHits);
      if (x.deadline_at) {
        const d = Date.parse(x.deadline_at);
        for (const c of byDeadline.all(new Date(d - 2 * DAY_MS).toISOString(), new Date(d + 2 * DAY_MS).toISOString(), id) as Candidate[]) pool.set(c.id, c);
      }
      let best: { y: Candidate; score: number; reasons: string[] } | null = null;
      for (const y of pool.values()) {
        if (y.id === x.id) continue;
        const { score, reasons } = pairScore(x, y, refHits.has(y.id));
        if (score < LINK_THRESHOLD) continue;
        const cluster = y.cluster_id ?? y.id;
        if (cluster === x.id || blocked.get({ x: x.id, c: cluster })) continue;
        if (!best || score > best.score || (score === best.score && y.id < best.y.id)) best = { y, score, reasons };
      }
      if (!best) continue;
      const clusterId = best.y.cluster_id ?? best.y.id;
      setCluster.run(clusterId, x.id);
      record.run(x.id, best.y.id, best.score, JSON.stringify(best.reasons), now);
      results.push({ tenderId: x.id, clusterId, score: best.score, reasons: best.reasons });
    }
  });
  run();
  return results;
}

/**
 * Takes a tender out of its cluster (an adviser's correction). If it was the canonical record,
 * the earliest remaining member becomes canonical. Returns the tenders whose cluster changed.
 */
export function unlinkTender(sqlite: Database.Database, id: number, actor: string, now = new Date().toISOString()): number[] | null {
  const x = sqlite.prepare(`SELECT id, cluster_id FROM tenders WHERE id = ?`).get(id) as { id: number; cluster_id: number | null } | undefined;
  if (!x) return null;
  const cluster = x.cluster_id ?? x.id;
  const others = (sqlite.prepare(`SELECT id FROM tenders WHERE COALESCE(cluster_id, id) = ? AND id != ? ORDER BY id`).all(cluster, id) as { id: number }[]).map((r) => r.id);
  if (others.length === 0) return [];
  sqlite.transaction(() => {
    if (cluster === id) {
      const [first] = others;
      sqlite.prepare(`UPDATE tenders SET cluster_id = ? WHERE COALESCE(cluster_id, id) = ? AND id != ?`).run(first, id, id);
      sqlite.prepare(`UPDATE tenders SET cluster_id = NULL WHERE id = ?`).run(id);
    } else {
      sqlite.prepare(`UPDATE tenders SET cluster_id = NULL WHERE id = ?`).run(id);
    }
    // Remember the correction against every former member, so no later run links it back.
    const rec = sqlite.prepare(`INSERT INTO cluster_links (tender_id, other_id, score, reasons, state, actor, at) VALUES (?, ?, 0, '["unlinked by an adviser"]', 'unlinked', ?, ?)`);
    for (const o of others) rec.run(id, o, actor, now);
  })();
  return [id, ...others];
}
