/**
 * The stored-query index (a percolator, as Lucene's monitor and Elasticsearch's percolator
 * do): every profile phrase is indexed under one key token, the most specific of its tokens;
 * a tender is matched by looking up its own distinct tokens, and only the phrases found there
 * are verified (all their tokens in one field) and scored. Profile codes are indexed by UNSPSC
 * segment. Cost per tender is its distinct tokens plus the phrases that share a key with it,
 * not the number of profiles.
 *
 * Candidates are gathered into typed arrays reused from tender to tender (no object per hit),
 * and each candidate's upper bound is kept up to date while its phrases are found, so a pair
 * that can't reach the minimum score is dropped before anything is built for it.
 */
import type { CompiledProfile } from './profile-query.js';
import { belowMinimum, bestContribution, scoreTender, WEIGHTS, type PhraseHit, type ScoreOutcome, type ScoringContext } from './scoring.js';
import type { TenderDoc } from './tender-doc.js';
import { tokenWeight } from './engine.js';
import { grown } from './typed-arrays.js';

/** One distinct phrase (many profiles share the same glossary terms) and who holds it. */
interface DistinctPhrase {
  required: string[];
  /** Holders, flattened in threes: profile index, phrase index in that profile, group slot. */
  holders: Int32Array;
  /** Per holder: the phrase's strength and the firm's feedback factor on its keyword. */
  strength: Float64Array;
  factor: Float64Array;
}

export interface ProfileIndex {
  profiles: CompiledProfile[];
  byKey: Map<string, DistinctPhrase[]>;
  bySegment: Map<string, number[]>;
  phrases: number;
  distinct: number;
  /** Per profile: the first of its keyword-group slots in the per-tender bound scratch, and how many. */
  groupStart: Int32Array;
  groups: Int32Array;
  /** Per profile: 1 when it has codes (its bound is 1: codes can add evidence phrases don't show). */
  hasCodes: Uint8Array;
  slots: number;
}

/** The token that prunes best: specific before generic, then the longest (longer tokens are rarer). */
function keyToken(required: string[]): string {
  let best = required[0];
  for (const t of required) {
    const a = tokenWeight(t);
    const b = tokenWeight(best);
    if (a > b || (a === b && t.length > best.length) || (a === b && t.length === best.length && t < best)) best = t;
  }
  return best;
}

export function buildProfileIndex(profiles: CompiledProfile[]): ProfileIndex {
  const byKey = new Map<string, DistinctPhrase[]>();
  const byText = new Map<string, { required: string[]; holders: number[]; strength: number[]; factor: number[] }>();
  const bySegment = new Map<string, number[]>();
  const groupStart = new Int32Array(profiles.length);
  const groups = Int32Array.from(profiles, (p) => p.groups);
  const hasCodes = Uint8Array.from(profiles, (p) => (p.unspsc.length ? 1 : 0));
  let slots = 0;
  let phrases = 0;
  profiles.forEach((p, profile) => {
    groupStart[profile] = slots;
    p.phrases.forEach((ph, phrase) => {
      if (ph.required.length === 0) return;
      phrases++;
      const text = ph.required.join(' ');
      let d = byText.get(text);
      if (!d) byText.set(text, (d = { required: ph.required, holders: [], strength: [], factor: [] }));
      d.holders.push(profile, phrase, slots + ph.group);
      d.strength.push(ph.strength);
      d.factor.push(p.feedback.keywords[ph.keyword]?.factor ?? 1);
    });
    slots += p.groups;
    for (const seg of new Set(p.unspsc.map((c) => c.slice(0, 2)))) {
      const list = bySegment.get(seg) ?? [];
      list.push(profile);
      bySegment.set(seg, list);
    }
  });
  for (const d of byText.values()) {
    const key = keyToken(d.required);
    const list = byKey.get(key) ?? [];
    list.push({ required: d.required, holders: Int32Array.from(d.holders), strength: Float64Array.from(d.strength), factor: Float64Array.from(d.factor) });
    byKey.set(key, list);
  }
  return { profiles, byKey, bySegment, phrases, distinct: byText.size, groupStart, groups, hasCodes, slots };
}

const FIELDS = ['title', 'description'] as const;
const FIELD_WEIGHT = [WEIGHTS.field.title, WEIGHTS.field.body];

/**
 * Scratch space of one index, reused for every tender: which profiles were hit (stamped with
 * the tender's sequence number), their hits as linked lists in flat arrays, and the best
 * contribution found so far per keyword group (for the upper bound).
 */
class Scratch {
  seq = 0;
  stamp: Int32Array;
  head: Int32Array;
  candidates: Int32Array;
  count = 0;
  hitPhrase = new Int32Array(1024);
  hitField = new Uint8Array(1024);
  hitNext = new Int32Array(1024);
  hits = 0;
  best: Float64Array;
  touched = new Int32Array(1024);
  touchedCount = 0;

  constructor(profiles: number, slots: number) {
    this.stamp = new Int32Array(profiles);
    this.head = new Int32Array(profiles);
    this.candidates = new Int32Array(profiles);
    this.best = new Float64Array(slots);
  }

  begin() {
    for (let i = 0; i < this.touchedCount; i++) this.best[this.touched[i]] = 0;
    this.touchedCount = 0;
    this.count = 0;
    this.hits = 0;
    if (++this.seq === 0x7fffffff) {
      this.stamp.fill(0);
      this.seq = 1;
    }
  }

  candidate(profile: number) {
    if (this.stamp[profile] === this.seq) return;
    this.stamp[profile] = this.seq;
    this.head[profile] = -1;
    this.candidates[this.count++] = profile;
  }

  hit(profile: number, phrase: number, field: number) {
    this.candidate(profile);
    if (this.hits === this.hitPhrase.length) {
      this.hitPhrase = grown(this.hitPhrase);
      this.hitField = grown(this.hitField);
      this.hitNext = grown(this.hitNext);
    }
    const n = this.hits++;
    this.hitPhrase[n] = phrase;
    this.hitField[n] = field;
    this.hitNext[n] = this.head[profile];
    this.head[profile] = n;
  }

  raise(slot: number, c: number) {
    const b = this.best[slot];
    if (c <= b) return;
    if (b === 0) {
      if (this.touchedCount === this.touched.length) this.touched = grown(this.touched);
      this.touched[this.touchedCount++] = slot;
    }
    this.best[slot] = c;
  }

  /** The profile's hits as the scorer takes them (in any order: it sorts them). */
  hitsOf(profile: number): PhraseHit[] {
    const out: PhraseHit[] = [];
    for (let h = this.head[profile]; h >= 0; h = this.hitNext[h]) out.push({ phrase: this.hitPhrase[h], field: FIELDS[this.hitField[h]] });
    return out;
  }
}

const scratches = new WeakMap<ProfileIndex, Scratch>();
function scratchOf(index: ProfileIndex): Scratch {
  let s = scratches.get(index);
  if (!s) scratches.set(index, (s = new Scratch(index.profiles.length, index.slots)));
  return s;
}

/** Finds the tender's candidate profiles into the index's scratch space. */
function gather(index: ProfileIndex, doc: TenderDoc, inferSegments?: (d: TenderDoc) => string[]): Scratch {
  const s = scratchOf(index);
  s.begin();
  for (let f = 0; f < 2; f++) {
    const set = f === 0 ? doc.titleSet : doc.bodySet;
    const weight = FIELD_WEIGHT[f];
    for (const token of set) {
      const refs = index.byKey.get(token);
      if (!refs) continue;
      for (const ref of refs) {
        let all = true;
        for (const r of ref.required) {
          if (!set.has(r)) {
            all = false;
            break;
          }
        }
        if (!all) continue;
        // Verified once, credited to every profile holding the phrase.
        const h = ref.holders;
        for (let i = 0, j = 0; i < h.length; i += 3, j++) {
          s.hit(h[i], h[i + 1], f);
          s.raise(h[i + 2], bestContribution(weight, ref.strength[j], ref.factor[j]));
        }
      }
    }
  }
  if (index.bySegment.size) {
    const codes = doc.unspsc.length ? doc.unspsc : inferSegments ? inferSegments(doc) : [];
    for (const seg of new Set(codes.map((c) => c.slice(0, 2)))) {
      for (const profile of index.bySegment.get(seg) ?? []) s.candidate(profile);
    }
  }
  return s;
}

/** Profiles with at least one phrase (or a code segment) in the tender, with the phrases found. */
export function percolate(index: ProfileIndex, doc: TenderDoc, inferSegments?: (d: TenderDoc) => string[]): Map<number, PhraseHit[]> {
  const s = gather(index, doc, inferSegments);
  const found = new Map<number, PhraseHit[]>();
  for (let i = 0; i < s.count; i++) found.set(s.candidates[i], s.hitsOf(s.candidates[i]));
  return found;
}

/**
 * The most the profile could score from the phrases found in this tender (scratch filled by
 * `gather`): best contribution per keyword group at the best proximity, no fit factor.
 */
function boundOf(index: ProfileIndex, s: Scratch, profile: number): number {
  // Typed arrays, not the profile objects: this runs for every candidate pair.
  if (index.hasCodes[profile]) return 1;
  const start = index.groupStart[profile];
  const end = start + index.groups[profile];
  let prod = 1;
  for (let g = start; g < end; g++) {
    const b = s.best[g];
    if (b > 0) prod *= 1 - WEIGHTS.keywordSaturation * b;
  }
  return 1 - prod;
}

export interface PercolatedPair {
  firmId: string;
  doc: TenderDoc;
  outcome: ScoreOutcome;
}

/**
 * Scores every candidate pair of one tender, calling `emit` with the profile's index and the
 * outcome. With `minScore`, a pair whose upper bound can't reach it is reported as filtered
 * without being scored. Returns the number of candidates.
 */
export function scoreCandidates(
  index: ProfileIndex,
  doc: TenderDoc,
  ctx: ScoringContext,
  minScore: number,
  emit: (profile: number, outcome: ScoreOutcome) => void,
): number {
  const s = gather(index, doc, ctx.inferredSegments);
  const count = s.count;
  for (let i = 0; i < count; i++) {
    const profile = s.candidates[i];
    if (minScore > 0 && belowMinimum(boundOf(index, s, profile), minScore)) {
      emit(profile, BELOW_MINIMUM);
      continue;
    }
    emit(profile, scoreTender(index.profiles[profile], doc, ctx, s.hitsOf(profile)));
  }
  return count;
}

const BELOW_MINIMUM: ScoreOutcome = Object.freeze({ kind: 'filtered', reason: 'below the minimum score' });

/**
 * Every candidate pair of these tenders, scored with only the phrases found. With `minScore`,
 * a pair whose upper bound is below it is reported as filtered without being scored.
 */
export function* percolateAndScore(index: ProfileIndex, docs: TenderDoc[], ctx: ScoringContext, minScore = 0): Generator<PercolatedPair> {
  for (const doc of docs) {
    const pairs: PercolatedPair[] = [];
    scoreCandidates(index, doc, ctx, minScore, (profile, outcome) => pairs.push({ firmId: index.profiles[profile].firmId, doc, outcome }));
    yield* pairs;
  }
}
