/**
 * The stored-query index (a percolator, as Lucene's monitor and Elasticsearch's percolator
 * do): every profile phrase is indexed under one key token, the most specific of its tokens;
 * a tender is matched by looking up its own distinct tokens, and only the phrases found there
 * are verified (all their tokens in one field) and scored. Profile codes are indexed by UNSPSC
 * segment. Cost per tender is its distinct tokens plus the phrases that share a key with it,
 * not the number of profiles.
 */
import type { CompiledProfile } from './profile-query.js';
import { scoreTender, upperBound, type PhraseHit, type ScoreOutcome, type ScoringContext } from './scoring.js';
import type { TenderDoc } from './tender-doc.js';
import { tokenWeight } from './engine.js';

/** One distinct phrase (many profiles share the same glossary terms) and who holds it. */
interface DistinctPhrase {
  required: string[];
  /** Pairs (profile index, phrase index in that profile), flattened. */
  holders: number[];
}

export interface ProfileIndex {
  profiles: CompiledProfile[];
  byKey: Map<string, DistinctPhrase[]>;
  bySegment: Map<string, number[]>;
  phrases: number;
  distinct: number;
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
  const byText = new Map<string, DistinctPhrase>();
  const bySegment = new Map<string, number[]>();
  let phrases = 0;
  profiles.forEach((p, profile) => {
    p.phrases.forEach((ph, phrase) => {
      if (ph.required.length === 0) return;
      phrases++;
      const text = ph.required.join(' ');
      let d = byText.get(text);
      if (!d) {
        d = { required: ph.required, holders: [] };
        byText.set(text, d);
        const key = keyToken(ph.required);
        const list = byKey.get(key) ?? [];
        list.push(d);
        byKey.set(key, list);
      }
      d.holders.push(profile, phrase);
    });
    for (const seg of new Set(p.unspsc.map((c) => c.slice(0, 2)))) {
      const list = bySegment.get(seg) ?? [];
      list.push(profile);
      bySegment.set(seg, list);
    }
  });
  return { profiles, byKey, bySegment, phrases, distinct: byText.size };
}

/** Profiles with at least one phrase (or a code segment) in the tender, with the phrases found. */
export function percolate(index: ProfileIndex, doc: TenderDoc, inferSegments?: (d: TenderDoc) => string[]): Map<number, PhraseHit[]> {
  const found = new Map<number, PhraseHit[]>();
  for (const field of ['title', 'description'] as const) {
    const set = field === 'title' ? doc.titleSet : doc.bodySet;
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
        for (let i = 0; i < h.length; i += 2) {
          const list = found.get(h[i]);
          if (list) list.push({ phrase: h[i + 1], field });
          else found.set(h[i], [{ phrase: h[i + 1], field }]);
        }
      }
    }
  }
  if (index.bySegment.size) {
    const codes = doc.unspsc.length ? doc.unspsc : inferSegments ? inferSegments(doc) : [];
    for (const seg of new Set(codes.map((c) => c.slice(0, 2)))) {
      for (const profile of index.bySegment.get(seg) ?? []) if (!found.has(profile)) found.set(profile, []);
    }
  }
  return found;
}

export interface PercolatedPair {
  firmId: string;
  doc: TenderDoc;
  outcome: ScoreOutcome;
}

/**
 * Every candidate pair of these tenders, scored with only the phrases found. With `minScore`,
 * a pair whose upper bound is below it is reported as filtered without being scored.
 */
export function* percolateAndScore(index: ProfileIndex, docs: TenderDoc[], ctx: ScoringContext, minScore = 0): Generator<PercolatedPair> {
  for (const doc of docs) {
    for (const [profile, hits] of percolate(index, doc, ctx.inferredSegments)) {
      const p = index.profiles[profile];
      if (minScore > 0 && upperBound(p, hits, ctx) < minScore) {
        yield { firmId: p.firmId, doc, outcome: { kind: 'filtered', reason: 'below the minimum score' } };
        continue;
      }
      yield { firmId: p.firmId, doc, outcome: scoreTender(p, doc, ctx, hits) };
    }
  }
}
