/**
 * The ways of matching the match suites measure beside the matcher, all with the same scorer,
 * so they must find the same matches: naive (every pair scored), minisearch over the tenders
 * with one query per profile, and SQLite FTS5 (the store's `tenders_fts`) with one query per
 * profile (issue #9). Each returns its matches with their scores, compared by `agreement`.
 */
import type Database from 'better-sqlite3';
import { candidates, indexChunk } from '../src/matching/engine.js';
import { percolate, buildProfileIndex } from '../src/matching/percolator.js';
import type { CompiledProfile } from '../src/matching/profile-query.js';
import { belowMinimum, scoreTender, upperBound, WEIGHTS, type ScoringContext } from '../src/matching/scoring.js';
import type { TenderDoc } from '../src/matching/tender-doc.js';

/** Matches as `firm:tender` → score. */
export type MatchSet = Map<string, number>;

const key = (firmId: string, tenderId: number) => `${firmId}:${tenderId}`;

function keep(set: MatchSet, p: CompiledProfile, d: TenderDoc, ctx: ScoringContext) {
  const o = scoreTender(p, d, ctx);
  if (o.kind === 'match' && o.score >= WEIGHTS.minScore) set.set(key(p.firmId, d.id), o.score);
}

/** Every (profile, tender) pair scored, no candidate selection: the naive method. */
export function naive(profiles: CompiledProfile[], docs: TenderDoc[], ctx: ScoringContext) {
  const matched: MatchSet = new Map();
  const t0 = performance.now();
  for (const p of profiles) for (const d of docs) keep(matched, p, d, ctx);
  return { seconds: (performance.now() - t0) / 1000, matched, pairs: profiles.length * docs.length };
}

/**
 * The matcher's two halves timed apart: candidate selection (index the profiles' phrases, look
 * each tender up) and scoring the candidates (upper bound, then the full score).
 */
export function storedQueries(profiles: CompiledProfile[], docs: TenderDoc[], ctx: ScoringContext, infer: (d: TenderDoc) => string[]) {
  const t0 = performance.now();
  const index = buildProfileIndex(profiles);
  const found = docs.map((d) => percolate(index, d, infer));
  const t1 = performance.now();
  const matched: MatchSet = new Map();
  docs.forEach((d, i) => {
    for (const [pi, hits] of found[i]) {
      const p = profiles[pi];
      if (belowMinimum(upperBound(p, hits, ctx), WEIGHTS.minScore)) continue;
      const o = scoreTender(p, d, ctx, hits);
      if (o.kind === 'match' && o.score >= WEIGHTS.minScore) matched.set(key(p.firmId, d.id), o.score);
    }
  });
  const t2 = performance.now();
  return {
    selectSeconds: (t1 - t0) / 1000,
    scoreSeconds: (t2 - t1) / 1000,
    candidatesPerTender: found.reduce((s, f) => s + f.size, 0) / docs.length,
    matched,
  };
}

/** minisearch over the tenders, one query per profile, then the same scorer. */
export function minisearchPerProfile(profiles: CompiledProfile[], docs: TenderDoc[], ctx: ScoringContext, infer: (d: TenderDoc) => string[]) {
  const t0 = performance.now();
  const index = indexChunk(docs, infer);
  const matched: MatchSet = new Map();
  let found = 0;
  for (const p of profiles) {
    const list = candidates(index, p);
    found += list.length;
    for (const d of list) keep(matched, p, d, ctx);
  }
  return { seconds: (performance.now() - t0) / 1000, candidatesPerTender: found / docs.length, matched, profiles: profiles.length };
}

/**
 * The FTS5 query of a profile: any of its phrases, each with all its tokens (tokens are letters
 * and digits only, quoted all the same). Columns are not told apart: the scorer checks fields.
 */
export function fts5Query(p: CompiledProfile): string | null {
  const phrases = new Set(p.phrases.map((ph) => `(${ph.required.map((t) => `"${t.replace(/"/g, '""')}"`).join(' AND ')})`));
  return phrases.size ? [...phrases].join(' OR ') : null;
}

/**
 * SQLite FTS5 with one query per profile, over the store's `tenders_fts` (the index behind
 * `GET /tenders?q=`), then the same scorer; code candidates come from a segment lookup, as
 * FTS holds no codes. `doc(id)` gives a tender in scope (undefined: not matched in this run).
 */
export function fts5PerProfile(
  sqlite: Database.Database,
  profiles: CompiledProfile[],
  doc: (id: number) => TenderDoc | undefined,
  ctx: ScoringContext,
  bySegment: () => Map<string, TenderDoc[]>,
) {
  const query = sqlite.prepare(`SELECT rowid AS id FROM tenders_fts WHERE tenders_fts MATCH ?`).pluck();
  const t0 = performance.now();
  const matched: MatchSet = new Map();
  let found = 0;
  for (const p of profiles) {
    const q = fts5Query(p);
    const list = new Map<number, TenderDoc>();
    for (const id of q ? (query.all(q) as number[]) : []) {
      const d = doc(id);
      if (d) list.set(id, d);
    }
    for (const seg of new Set(p.unspsc.map((c) => c.slice(0, 2)))) for (const d of bySegment().get(seg) ?? []) list.set(d.id, d);
    found += list.size;
    for (const d of list.values()) keep(matched, p, d, ctx);
  }
  return { seconds: (performance.now() - t0) / 1000, candidates: found, matched, profiles: profiles.length };
}

/** Tenders by UNSPSC segment (published, else inferred from the text), for the code candidates. */
export function segmentsOf(docs: Iterable<TenderDoc>, infer: (d: TenderDoc) => string[]): Map<string, TenderDoc[]> {
  const out = new Map<string, TenderDoc[]>();
  for (const d of docs) {
    for (const seg of new Set((d.unspsc.length ? d.unspsc : infer(d)).map((c) => c.slice(0, 2)))) {
      const list = out.get(seg) ?? [];
      list.push(d);
      out.set(seg, list);
    }
  }
  return out;
}

/**
 * How a method's matches compare with the reference's: the same set (every pair, both ways)
 * and overlap@10, the share of each firm's ten best reference matches (by score, then tender
 * id) that are among the method's ten best, averaged over firms with a reference match.
 */
export function agreement(method: MatchSet, reference: MatchSet) {
  const same = method.size === reference.size && [...method.keys()].every((k) => reference.has(k));
  const top = (set: MatchSet) => {
    const byFirm = new Map<string, [number, number][]>();
    for (const [k, score] of set) {
      const at = k.lastIndexOf(':');
      const list = byFirm.get(k.slice(0, at)) ?? [];
      list.push([Number(k.slice(at + 1)), score]);
      byFirm.set(k.slice(0, at), list);
    }
    const out = new Map<string, Set<number>>();
    for (const [firm, list] of byFirm) out.set(firm, new Set(list.sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, 10).map((x) => x[0])));
    return out;
  };
  const ref = top(reference);
  const got = top(method);
  let sum = 0;
  for (const [firm, tenders] of ref) {
    const mine = got.get(firm) ?? new Set<number>();
    sum += [...tenders].filter((t) => mine.has(t)).length / tenders.size;
  }
  return { sameMatchSet: same, overlapAt10: ref.size ? sum / ref.size : 1 };
}

/** The reference's matches of these tenders only (a method measured on a sample). */
export function restricted(set: MatchSet, keep: (firmId: string, tenderId: number) => boolean): MatchSet {
  const out: MatchSet = new Map();
  for (const [k, v] of set) {
    const at = k.lastIndexOf(':');
    if (keep(k.slice(0, at), Number(k.slice(at + 1)))) out.set(k, v);
  }
  return out;
}
