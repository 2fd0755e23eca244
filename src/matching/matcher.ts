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
import { availableParallelism } from 'node:os';
import { emptyProfile, type FirmProfile } from '../firms/profile.js';
import { statusSql } from '../tenders/repository.js';
import { createSegmentInferrer, indexChunk, matchChunk, scoringContext } from './engine.js';
import { createMatchPool } from './match-pool.js';
import { scoreChunk, type ScoredChunk } from './match-rows.js';
import { createMatchWriter } from './match-writer.js';
import { buildProfileIndex } from './percolator.js';
import { compileProfile, type CompiledProfile, type FeedbackAdjustments } from './profile-query.js';
import { WEIGHTS } from './scoring.js';
import { buildTenderDoc, type TenderFacts } from './tender-doc.js';

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
  /** Rows inserted or updated; a match found again unchanged is not rewritten. */
  written: number;
  unchanged: number;
  seconds: number;
  /** Time spent scoring (summed over worker threads when scoring runs in workers). */
  scoreSeconds: number;
  /** Time this thread spent writing matches. */
  writeSeconds: number;
  /** Worker threads that scored (0: scored in this thread). */
  workers: number;
}

export interface FirmRow {
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

/** Firm rows as stored, in firm id order (so a run's profile indexes follow the (firm, tender) index). */
export function loadFirmRows(sqlite: Database.Database, firmIds?: string[]): FirmRow[] {
  return (firmIds?.length
    ? sqlite.prepare(`SELECT id, profile, profile_version, feedback FROM firms WHERE id IN (${firmIds.map(() => '?').join(',')}) ORDER BY id`).all(...firmIds)
    : sqlite.prepare(`SELECT id, profile, profile_version, feedback FROM firms ORDER BY id`).all()) as FirmRow[];
}

export function compileFirm(r: FirmRow): CompiledProfile {
  const fb = JSON.parse(r.feedback || '{}') as Partial<FeedbackAdjustments>;
  // Defaults fill any field an older profile lacks.
  const profile = { ...emptyProfile(), ...(JSON.parse(r.profile) as Partial<FirmProfile>) };
  return compileProfile(r.id, r.profile_version, profile, { buyers: fb.buyers ?? {}, keywords: fb.keywords ?? {} });
}

export function loadProfiles(sqlite: Database.Database, firmIds?: string[]): CompiledProfile[] {
  return loadFirmRows(sqlite, firmIds).map((r) => {
    const key = `${r.profile_version}|${r.profile}|${r.feedback}`;
    const hit = compiled.get(r.id);
    if (hit && hit.key === key) return hit.profile;
    const p = compileFirm(r);
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

const FULL_RUN_CHECKPOINT_PAGES = 100_000;
const FULL_RUN_CACHE_KIB = 256 * 1024;

/** Canonical tenders of clusters (a linked duplicate is matched through its cluster's canonical record). */
const CANONICAL = `(t.cluster_id IS NULL OR t.cluster_id = t.id)`;

/**
 * What both ways of running share: the tenders in scope, page by page (open clusters for a
 * full re-match, the given tenders' clusters otherwise), the writer, and the counts.
 */
function startRun(sqlite: Database.Database, opts: MatchRunOptions, profiles: { firmIds: string[]; versions: number[] }) {
  const started = performance.now();
  const nowIso = (opts.now ?? new Date()).toISOString();
  const mode: MatchRunSummary['mode'] = opts.tenderIds ? 'incremental' : 'full';
  const writer = opts.dryRun
    ? null
    : createMatchWriter(sqlite, { firmIds: profiles.firmIds, profileVersions: profiles.versions, now: nowIso, scopeFirmIds: opts.firmIds });
  const summary: MatchRunSummary = { mode, tenders: 0, profiles: profiles.firmIds.length, candidates: 0, matched: 0, removed: 0, written: 0, unchanged: 0, seconds: 0, scoreSeconds: 0, writeSeconds: 0, workers: 0 };
  // A full re-match touches most pages of the matches indexes at every chunk (scores are
  // random, so the (state, score) index takes rows all over): a page cache that holds them and
  // a WAL checkpointed every 400 MB instead of every 4 MB write each page back once rather than
  // at every chunk (measured: 6.6 M matches written in ~50 s instead of ~85 s).
  const autocheckpoint = sqlite.pragma('wal_autocheckpoint', { simple: true }) as number;
  const cacheSize = sqlite.pragma('cache_size', { simple: true }) as number;
  if (writer && mode === 'full') {
    sqlite.pragma(`wal_autocheckpoint = ${Math.max(autocheckpoint, FULL_RUN_CHECKPOINT_PAGES)}`);
    const kib = cacheSize < 0 ? -cacheSize : (cacheSize * (sqlite.pragma('page_size', { simple: true }) as number)) / 1024;
    if (kib < FULL_RUN_CACHE_KIB) sqlite.pragma(`cache_size = -${FULL_RUN_CACHE_KIB}`);
  }

  function* pages(chunkSize: number): Generator<unknown[]> {
    if (mode === 'full') {
      if (writer) {
        // Proposed matches of tenders that are no longer open clusters.
        const firmFilter = opts.firmIds?.length ? `AND firm_id IN (SELECT value FROM json_each(@firms))` : '';
        summary.removed += sqlite
          .prepare(`DELETE FROM matches WHERE state = 'proposed' ${firmFilter} AND tender_id NOT IN (SELECT t.id FROM tenders t WHERE ${CANONICAL} AND ${statusSql('@now')} = 'open')`)
          .run({ now: nowIso, ...(opts.firmIds?.length ? { firms: JSON.stringify(opts.firmIds) } : {}) }).changes;
      }
      // Open clusters only; keyset paging keeps memory to one chunk of tenders.
      const page = sqlite.prepare(`${FACTS_SQL(nowIso)} WHERE ${CANONICAL} AND t.id > ? AND ${statusSql(`'${nowIso}'`)} = 'open' ORDER BY t.id LIMIT ?`);
      let after = 0;
      for (;;) {
        const rows = page.all(after, chunkSize) as Array<{ id: number }>;
        if (rows.length === 0) return;
        after = rows[rows.length - 1].id;
        yield rows;
      }
    }
    // A changed member of a cluster re-matches its canonical record.
    const canonical = sqlite.prepare(`SELECT COALESCE(cluster_id, id) AS cid FROM tenders WHERE id = ?`);
    const cids = [...new Set([...new Set(opts.tenderIds)].map((id) => (canonical.get(id) as { cid: number } | undefined)?.cid).filter((x): x is number => x !== undefined))];
    const one = sqlite.prepare(`${FACTS_SQL(nowIso)} WHERE t.id = ?`);
    for (let i = 0; i < cids.length; i += chunkSize) yield cids.slice(i, i + chunkSize).map((id) => one.get(id));
  }

  return {
    now: nowIso,
    pages,
    record(chunk: ScoredChunk) {
      summary.tenders += chunk.tenderIds.length;
      summary.candidates += chunk.candidates;
      summary.matched += chunk.count;
      summary.scoreSeconds += chunk.scoreSeconds;
      if (!writer) return;
      const started = performance.now();
      const c = writer.write(chunk);
      summary.writeSeconds += (performance.now() - started) / 1000;
      summary.written += c.inserted + c.updated;
      summary.unchanged += c.unchanged;
      summary.removed += c.removed;
    },
    finish(workers = 0): MatchRunSummary {
      return { ...summary, workers, seconds: (performance.now() - started) / 1000 };
    },
    close() {
      sqlite.pragma(`wal_autocheckpoint = ${autocheckpoint}`);
      sqlite.pragma(`cache_size = ${cacheSize}`);
    },
  };
}

/** Matches in this thread: incremental runs, tests, and databases only this connection reaches. */
export function runMatch(sqlite: Database.Database, opts: MatchRunOptions = {}): MatchRunSummary {
  const profiles = loadProfiles(sqlite, opts.firmIds);
  const run = startRun(sqlite, opts, { firmIds: profiles.map((p) => p.firmId), versions: profiles.map((p) => p.profileVersion) });
  const index = profileIndexFor(profiles);
  const ctx = scoringContext(new Date(run.now), segmentInferrer(), WEIGHTS.minScore);
  try {
    for (const rows of run.pages(opts.chunkSize ?? 1_000)) {
      const started = performance.now();
      run.record(scoreChunk(index, rows.map((r) => buildTenderDoc(rowToFacts(r))), ctx, WEIGHTS.minScore, started));
    }
  } finally {
    run.close();
  }
  return run.finish();
}

/**
 * The same run with scoring in worker threads (each with its own compiled profiles and index)
 * while this thread reads tenders and writes matches, in order: a full re-match on a
 * multi-core machine. By default one worker per core but the one this thread writes on
 * (writing is as long as scoring, so more workers only share the cores). Falls back to
 * `runMatch` for an in-memory database.
 */
export async function runMatchInWorkers(sqlite: Database.Database, opts: MatchRunOptions & { workers?: number } = {}): Promise<MatchRunSummary> {
  if (sqlite.memory) return runMatch(sqlite, opts);
  const firms = loadFirmRows(sqlite, opts.firmIds);
  const run = startRun(sqlite, opts, { firmIds: firms.map((f) => f.id), versions: firms.map((f) => f.profile_version) });
  const pool = createMatchPool({ firms, now: run.now, minScore: WEIGHTS.minScore, workers: opts.workers ?? Math.max(1, availableParallelism() - 1) });
  try {
    // Up to two chunks per worker in flight: workers never wait for this thread's writes.
    const inFlight: Promise<ScoredChunk>[] = [];
    const window = pool.size * 2;
    for (const rows of run.pages(opts.chunkSize ?? 1_000)) {
      const job = pool.score(rows);
      // A failure is thrown where the chunk is awaited; the chunks after it are dropped unawaited.
      job.catch(() => {});
      inFlight.push(job);
      if (inFlight.length >= window) run.record(await inFlight.shift()!);
    }
    while (inFlight.length) run.record(await inFlight.shift()!);
  } finally {
    run.close();
    await pool.close();
  }
  return run.finish(pool.size);
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
