/**
 * The matches one chunk of tenders produced, as flat arrays: what a scoring worker sends back
 * and the match writer takes. One entry per stored match (score at or above the minimum).
 * Explanations travel in their stored form (explanation-codec.ts) as UTF-8 in one buffer, moved
 * between threads without a copy, and are stored as they are: the writing thread never builds strings.
 */
import { encodeExplanation } from './explanation-codec.js';
import { scoreCandidates, type ProfileIndex } from './percolator.js';
import type { ScoringContext } from './scoring.js';
import type { TenderDoc } from './tender-doc.js';
import { grown } from './typed-arrays.js';

export interface ScoredChunk {
  /** Every tender scored (its stale proposed matches are removed even when it matched nothing). */
  tenderIds: number[];
  candidates: number;
  /** Time spent building the tenders' documents and scoring them. */
  scoreSeconds: number;
  count: number;
  /** Per match, in scoring order: the profile's index in the run's profile list, the tender, the score. */
  profile: Int32Array;
  tender: Int32Array;
  score: Float64Array;
  /** The explanations, encoded for storage, in UTF-8, one after another; match i's ends at `explanationEnd[i]`. */
  explanations: Uint8Array;
  explanationEnd: Int32Array;
  /**
   * The order to write them in: by profile (firms in id order), tenders in scoring order within
   * a profile, so the (firm, tender) indexes take each firm's rows in one place.
   */
  order: Int32Array;
}

/** Match i's explanation bytes (a view, no copy). */
export function explanationBytes(chunk: ScoredChunk, i: number): Buffer {
  const start = i === 0 ? 0 : chunk.explanationEnd[i - 1];
  return Buffer.from(chunk.explanations.buffer, chunk.explanations.byteOffset + start, chunk.explanationEnd[i] - start);
}

// Where a chunk's matches are gathered, kept from chunk to chunk (grown when needed); each
// chunk leaves with exact-size copies.
let profile = new Int32Array(1 << 16);
let tender = new Int32Array(profile.length);
let score = new Float64Array(profile.length);
let end = new Int32Array(profile.length);
let bytes = new Uint8Array(1 << 24);
let view = Buffer.from(bytes.buffer); // the same memory, for Buffer#write

/** Scores the tenders against the index; keeps the pairs at or above `minScore`. */
export function scoreChunk(index: ProfileIndex, docs: TenderDoc[], ctx: ScoringContext, minScore: number, started = performance.now()): ScoredChunk {
  let used = 0;
  let count = 0;
  let candidates = 0;
  for (const doc of docs) {
    candidates += scoreCandidates(index, doc, ctx, minScore, (p, outcome) => {
      if (outcome.kind !== 'match' || outcome.score < minScore) return;
      if (count === profile.length) {
        profile = grown(profile);
        tender = grown(tender);
        score = grown(score);
        end = grown(end);
      }
      profile[count] = p;
      tender[count] = doc.id;
      score[count] = outcome.score;
      const json = encodeExplanation(outcome.explanation, doc);
      // UTF-8 takes at most three bytes per UTF-16 unit.
      if (bytes.length - used < json.length * 3) view = Buffer.from((bytes = grown(bytes, used + json.length * 3)).buffer);
      used += view.write(json, used);
      end[count] = used;
      count++;
    });
  }
  return {
    tenderIds: docs.map((d) => d.id),
    candidates,
    scoreSeconds: (performance.now() - started) / 1000,
    count,
    profile: profile.slice(0, count),
    tender: tender.slice(0, count),
    score: score.slice(0, count),
    explanations: bytes.slice(0, used),
    explanationEnd: end.slice(0, count),
    order: byProfile(profile, count),
  };
}

/** A stable counting sort of the first `count` matches by profile. */
function byProfile(profile: Int32Array, count: number): Int32Array {
  let max = 0;
  for (let i = 0; i < count; i++) if (profile[i] > max) max = profile[i];
  const slot = new Int32Array(max + 2);
  for (let i = 0; i < count; i++) slot[profile[i] + 1]++;
  for (let p = 1; p < slot.length; p++) slot[p] += slot[p - 1];
  const order = new Int32Array(count);
  for (let i = 0; i < count; i++) order[slot[profile[i]]++] = i;
  return order;
}

/** The buffers a worker moves to the main thread with the chunk. */
export const transferables = (c: ScoredChunk): ArrayBuffer[] =>
  [c.profile.buffer, c.tender.buffer, c.score.buffer, c.explanations.buffer, c.explanationEnd.buffer, c.order.buffer] as ArrayBuffer[];
