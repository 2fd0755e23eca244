/**
 * Matching against the store: open tender clusters × firm profiles → the `matches` table.
 *
 * - full: every open cluster against every profile (in chunks, bounded memory); proposed
 *   matches that no longer hold are removed;
 * - incremental: only the given tenders (new or amended after an ingest), same rules.
 * A match is unique per firm and cluster; curated matches (published / rejected) keep their
 * state and are re-scored, never deleted by a re-match.
 */
import type Database from 'better-sqlite3';
import { emptyProfile, type FirmProfile } from '../firms/profile.js';
import { statusSql } from '../tenders/repository.js';
import { createSegmentInferrer, indexChunk, matchChunk, scoringContext } from './engine.js';
import { buildProfileIndex, percolateAndScore } from './percolator.js';
import { compileProfile, type CompiledProfile, type FeedbackAdjustments } from './profile-query.js';
import { SCORING_VERSION, WEIGHTS } from './scoring.js';
import { buildTenderDoc, type TenderDoc, type TenderFacts } from './tender-doc.js';

export interface MatchRunOptions {
  /** Tender ids to (re)match; omitted = full re-match of every open cluster. */
  tenderIds?: number[];
  firmIds?: string[];
  now?: Date;
  chunkSize?: number;
  /** Score without writing (measures the matching alone). */
  dryRun?: boolean;
}

export interface MatchRunSummary {
  mode: 'full' | 'incremental';
  tenders: number;
  profiles: number;
  candidates: number;
  matched: number;
  removed: number;
  seconds: number;
}

interface FirmRow {
  id: string;
  profile: string;
  profile_version: number;
  feedback: string;
}

// Compiling a profile (analysis in four languages, glossary expansion) costs about a
// millisecond; a running service keeps the compiled form until the profile or its feedback changes.
const compiled = new Map<string, { key: string; profile: CompiledProfile }>();

// The stored-query index of the last profile set, kept while the same compiled profiles (same
// objects, so unchanged versions and feedback) come back: a running service re-indexes only
// after a profile changes.
let lastIndex: { profiles: CompiledProfile[]; index: ReturnType<typeof buildProfileIndex> } | null = null;
function profileIndexFor(profiles: CompiledProfile[]) {
  const same = lastIndex && lastIndex.profiles.length === profiles.length && lastIndex.profiles.every((p, i) => p === profiles[i]);
  if (!same) lastIndex = { profiles, index: buildProfileIndex(profiles) };
  return lastIndex!.index;
}

let inferrer: ReturnType<typeof createSegmentInferrer> | null = null;
const segmentInferrer = () => (inferrer ??= createSegmentInferrer());

export function loadProfiles(sqlite: Database.Database, firmIds?: string[]): CompiledProfile[] {
  const rows = (firmIds?.length
    ? sqlite.prepare(`SELECT id, profile, profile_version, feedback FROM firms WHERE id IN (${firmIds.map(() => '?').join(',')})`).all(...firmIds)
    : sqlite.prepare(`SELECT id, profile, profile_version, feedback FROM firms`).all()) as FirmRow[];
  return rows.map((r) => {
    const key = `${r.profile_version}|${r.profile}|${r.feedback}`;
    const hit = compiled.get(r.id);
    if (hit && hit.key === key) return hit.profile;
    const fb = JSON.parse(r.feedback || '{}') as Partial<FeedbackAdjustments>;
    // Defaults fill any field an older profile lacks.
    const profile = { ...emptyProfile(), ...(JSON.parse(r.profile) as Partial<FirmProfile>) };
    const p = compileProfile(r.id, r.profile_version, profile, { buyers: fb.buyers ?? {}, keywords: fb.keywords ?? {} });
    if (compiled.size > 50_000) compiled.clear();
    compiled.set(r.id, { key, profile: p });
    return p;
  });
}

const FACTS_SQL = (now: string) => `SELECT t.id, t.source, t.title, t.description, t.buyer, t.countries, t.unspsc, t.notice_type, t.category,
  t.deadline_at, t.published_at, ${statusSql(`'${now}'`)} AS status, t.value_amount, t.value_currency, t.language
  FROM tenders t`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function rowToFacts(r: any): TenderFacts {
  return {
    id: r.id,
    source: r.source,
    title: r.title,
    description: r.description,
    buyer: r.buyer,
    countries: JSON.parse(r.countries),
    unspsc: JSON.parse(r.unspsc),
    noticeType: r.notice_type,
    category: r.category,
    deadlineAt: r.deadline_at,
    publishedAt: r.published_at,
    status: r.status,
    valueAmount: r.value_amount,
    valueCurrency: r.value_currency,
    language: r.language,
  };
}

/** Canonical tenders of clusters (a linked duplicate is matched through its cluster's canonical record). */
const CANONICAL = `(t.cluster_id IS NULL OR t.cluster_id = t.id)`;

export function runMatch(sqlite: Database.Database, opts: MatchRunOptions = {}): MatchRunSummary {
  const started = performance.now();
  const now = opts.now ?? new Date();
  const nowIso = now.toISOString();
  const mode = opts.tenderIds ? 'incremental' : 'full';
  const profiles = loadProfiles(sqlite, opts.firmIds);
  const profileIndex = profileIndexFor(profiles);
  const inferSegments = segmentInferrer();
  const ctx = scoringContext(now, inferSegments, WEIGHTS.minScore);
  const chunkSize = opts.chunkSize ?? 10_000;

  // Many rows per statement: binding and stepping one statement per match dominates otherwise.
  const ROWS_PER_STATEMENT = 64;
  const upsertSql = (rows: number) =>
    `INSERT INTO matches (firm_id, tender_id, score, explanation, state, profile_version, scoring_version, created_at, updated_at)
     VALUES ${Array.from({ length: rows }, () => `(?, ?, ?, ?, 'proposed', ?, ${SCORING_VERSION}, ?, ?)`).join(', ')}
     ON CONFLICT (firm_id, tender_id) DO UPDATE SET score = excluded.score, explanation = excluded.explanation,
       profile_version = excluded.profile_version, scoring_version = excluded.scoring_version, updated_at = excluded.updated_at`;
  const upsertMany = sqlite.prepare(upsertSql(ROWS_PER_STATEMENT));
  const upsertOne = sqlite.prepare(upsertSql(1));
  let pendingRows: unknown[][] = [];
  const flushRows = (all: boolean) => {
    while (pendingRows.length >= ROWS_PER_STATEMENT) upsertMany.run(pendingRows.splice(0, ROWS_PER_STATEMENT).flat());
    if (all) {
      for (const r of pendingRows) upsertOne.run(r);
      pendingRows = [];
    }
  };
  const profileVersion = new Map(profiles.map((p) => [p.firmId, p.profileVersion]));
  const firmFilter = opts.firmIds?.length ? `AND firm_id IN (${opts.firmIds.map((f) => `'${f.replace(/'/g, "''")}'`).join(',')})` : '';
  // Proposed matches of the tenders (and firms) in scope that this run did not find again are
  // removed; curated ones (published, rejected) stay. Checked per tender through its index.
  const proposedOf = sqlite.prepare(`SELECT id, firm_id FROM matches WHERE tender_id = ? AND state = 'proposed' ${firmFilter}`);
  const deleteMatch = sqlite.prepare(`DELETE FROM matches WHERE id = ?`);
  // Full mode: proposed matches of tenders that are no longer open clusters.
  const deleteClosed = sqlite.prepare(
    `DELETE FROM matches WHERE state = 'proposed' ${firmFilter} AND tender_id NOT IN (
       SELECT t.id FROM tenders t WHERE ${CANONICAL} AND ${statusSql('@now')} = 'open')`,
  );
  let removed = 0;

  let tenders = 0;
  let candidates = 0;
  let matched = 0;
  const processChunk = (docs: TenderDoc[]) => {
    tenders += docs.length;
    const found = new Set<string>();
    const write = sqlite.transaction(() => {
      for (const pair of percolateAndScore(profileIndex, docs, ctx, WEIGHTS.minScore)) {
        candidates++;
        if (pair.outcome.kind !== 'match' || pair.outcome.score < WEIGHTS.minScore) continue;
        matched++;
        if (opts.dryRun) continue;
        found.add(`${pair.firmId}\u0000${pair.doc.id}`);
        pendingRows.push([pair.firmId, pair.doc.id, pair.outcome.score, JSON.stringify(pair.outcome.explanation), profileVersion.get(pair.firmId), nowIso, nowIso]);
        if (pendingRows.length >= ROWS_PER_STATEMENT) flushRows(false);
      }
      flushRows(true);
      if (opts.dryRun) return;
      for (const doc of docs) {
        for (const m of proposedOf.all(doc.id) as { id: number; firm_id: string }[]) {
          if (!found.has(`${m.firm_id}\u0000${doc.id}`)) removed += deleteMatch.run(m.id).changes;
        }
      }
    });
    write();
  };

  if (mode === 'full') {
    if (!opts.dryRun) removed += deleteClosed.run({ now: nowIso }).changes;
    // Open clusters only; keyset paging keeps memory to one chunk of documents.
    const page = sqlite.prepare(`${FACTS_SQL(nowIso)} WHERE ${CANONICAL} AND t.id > ? AND ${statusSql(`'${nowIso}'`)} = 'open' ORDER BY t.id LIMIT ?`);
    let after = 0;
    for (;;) {
      const rows = page.all(after, chunkSize) as Array<{ id: number }>;
      if (rows.length === 0) break;
      after = rows[rows.length - 1].id;
      processChunk(rows.map((r) => buildTenderDoc(rowToFacts(r))));
    }
  } else {
    const ids = [...new Set(opts.tenderIds)];
    // A changed member of a cluster re-matches its canonical record.
    const canonical = sqlite.prepare(`SELECT COALESCE(cluster_id, id) AS cid FROM tenders WHERE id = ?`);
    const cids = [...new Set(ids.map((id) => (canonical.get(id) as { cid: number } | undefined)?.cid).filter((x): x is number => x !== undefined))];
    const one = sqlite.prepare(`${FACTS_SQL(nowIso)} WHERE t.id = ?`);
    for (let i = 0; i < cids.length; i += chunkSize) {
      const slice = cids.slice(i, i + chunkSize);
      processChunk(slice.map((id) => buildTenderDoc(rowToFacts(one.get(id)))));
    }
  }
  return {
    mode,
    tenders,
    profiles: profiles.length,
    candidates,
    matched,
    removed,
    seconds: (performance.now() - started) / 1000,
  };
}

export interface ProfilePreview {
  windowDays: number;
  tendersInWindow: number;
  matchesInWindow: number;
  expectedMatchesPerDay: number;
  /** Set above ALERT_FATIGUE_PER_DAY: alert fatigue is the first complaint of alert services' users. */
  warning: string | null;
}

export const ALERT_FATIGUE_PER_DAY = 10;

/**
 * How many matches a day this profile would have produced over the last `windowDays` of
 * published tenders (whatever their status now), so a firm sees the effect before saving.
 */
export function previewProfile(sqlite: Database.Database, profile: FirmProfile, opts: { now?: Date; windowDays?: number } = {}): ProfilePreview {
  const now = opts.now ?? new Date();
  const windowDays = opts.windowDays ?? 30;
  const from = new Date(now.getTime() - windowDays * 24 * 3600 * 1000).toISOString();
  const rows = sqlite
    .prepare(`${FACTS_SQL(now.toISOString())} WHERE ${CANONICAL} AND t.published_at >= ? AND t.published_at <= ?`)
    .all(from, now.toISOString());
  const compiled = compileProfile('preview', 0, profile);
  const inferSegments = segmentInferrer();
  const index = indexChunk(rows.map((r) => buildTenderDoc(rowToFacts(r))), inferSegments);
  let matches = 0;
  for (const pair of matchChunk(index, [compiled], scoringContext(null, inferSegments))) {
    if (pair.outcome.kind === 'match' && pair.outcome.score >= WEIGHTS.minScore) matches++;
  }
  const perDay = Math.round((matches / windowDays) * 100) / 100;
  return {
    windowDays,
    tendersInWindow: rows.length,
    matchesInWindow: matches,
    expectedMatchesPerDay: perDay,
    warning: perDay > ALERT_FATIGUE_PER_DAY ? `about ${perDay} matches a day expected: narrow the keywords or add exclusions to avoid alert fatigue` : null,
  };
}
