/**
 * How a match's explanation is stored: a positional JSON array instead of the object, without
 * key names, with codes for the enumerations, and with each snippet kept as its start in the
 * tender's field rather than as text (the field is in the tenders table; the snippet is cut
 * again on read by the same function). A full re-match writes millions of rows, and writing
 * them is most of its time: ~470 bytes an explanation as an object, ~150 as an array.
 *
 * Readers call `decodeExplanation` with the tender's title and description and get the object
 * the scorer built, key for key. Rows written before this format (objects) and explanations
 * written by hand (a recommendation: `recommendedBy`) are objects and come back as they are.
 *
 *   [2, score, scoringVersion, textScore, hits, codeScore, relations, filtersPassed, factors, unknown]
 *   hit:      [keyword, phrase (0: same as keyword), field (0 title, 1 description), origin (0 keyword,
 *              1 glossary), lang, proximity (0 adjacent, 1 near, 2 scattered), contribution,
 *              snippet start (-1: none), length of the field when scored, feedbackFactor?]
 *   relation: [profile code, tender code, relation (0 exact, 1 child, 2 parent, 3 sibling), inferred (0/1)]
 *   factor:   [name, factor, reason]
 */
import { snippetAt, snippetStart, snippetStarts, type Explanation, type TermHit } from './scoring.js';

export const EXPLANATION_FORMAT = 2;

const FIELDS = ['title', 'description'] as const;
const ORIGINS = ['keyword', 'glossary'] as const;
const PROXIMITIES = ['adjacent', 'near', 'scattered'] as const;
const RELATIONS = ['exact', 'child', 'parent', 'sibling'] as const;

type Relation = Explanation['codes']['relations'][number];
type Factor = Explanation['factors'][number];

export interface TenderText {
  title: string;
  description: string | null;
}

/** What a stored explanation says: the scorer's, or one written by hand (a recommendation). */
export type StoredExplanation = Explanation & { recommendedBy?: string };

type EncodedHit = [string, string | 0, number, number, string | null, number, number, number, number, number?];
type Encoded = [number, number, number, number, EncodedHit[], number, [string, string, number, number][], string[], [string, number, string][], string[]];

/** The stored form of a scored explanation of a match against `tender`. */
export function encodeExplanation(e: Explanation, tender: TenderText): string {
  const hits = e.text.hits.map((h): EncodedHit => {
    const start = h.snippet ? snippetStarts.get(h) : undefined;
    const length = (h.field === 'title' ? tender.title : tender.description ?? '').length;
    const row: EncodedHit = [
      h.keyword,
      h.phrase === h.keyword ? 0 : h.phrase,
      FIELDS.indexOf(h.field),
      ORIGINS.indexOf(h.origin),
      h.lang,
      PROXIMITIES.indexOf(h.proximity),
      h.contribution,
      // A snippet the scorer cut without recording where (not from a tender field): none.
      start ?? -1,
      length,
    ];
    if (h.feedbackFactor !== undefined) row.push(h.feedbackFactor);
    return row;
  });
  const encoded: Encoded = [
    EXPLANATION_FORMAT,
    e.score,
    e.scoringVersion,
    e.text.score,
    hits,
    e.codes.score,
    e.codes.relations.map((r) => [r.profile, r.tender, RELATIONS.indexOf(r.relation as (typeof RELATIONS)[number]), r.inferred ? 1 : 0]),
    e.filtersPassed,
    e.factors.map((f) => [f.name, f.factor, f.reason]),
    e.unknown,
  ];
  return JSON.stringify(encoded);
}

/** Lower case without accents: what the scorer's stems are prefixes of, in most cases. */
const foldWord = (w: string) => w.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '');

function snippetOf(h: EncodedHit, text: string): string {
  const start = h[7];
  if (start < 0) return '';
  // The field changed since the match was scored (an amendment not yet re-matched): find the
  // phrase's first word again rather than cut at an offset that meant other text.
  if (text.length !== h[8]) return snippetAt(text, snippetStart(text, foldWord((h[1] || h[0]).split(/\s+/)[0] ?? '')));
  return snippetAt(text, start);
}

/**
 * The explanation object of a stored row: the array form expanded (snippets cut from the
 * tender's fields), an object returned as it is. Throws on text that is not JSON.
 */
export function decodeExplanation(stored: string, tender: TenderText): StoredExplanation {
  const v = JSON.parse(stored) as unknown;
  if (!Array.isArray(v)) return v as StoredExplanation;
  if (v[0] !== EXPLANATION_FORMAT) throw new Error(`explanation format ${String(v[0])} is not known`);
  const [, score, scoringVersion, textScore, hits, codeScore, relations, filtersPassed, factors, unknown] = v as Encoded;
  return {
    score,
    scoringVersion,
    text: {
      score: textScore,
      hits: hits.map((h) => {
        const field = FIELDS[h[2]];
        const hit: TermHit = {
          keyword: h[0],
          phrase: h[1] === 0 ? h[0] : h[1],
          field,
          origin: ORIGINS[h[3]],
          lang: h[4],
          proximity: PROXIMITIES[h[5]],
          contribution: h[6],
          snippet: snippetOf(h, field === 'title' ? tender.title : tender.description ?? ''),
        };
        if (h.length > 9) hit.feedbackFactor = h[9];
        return hit;
      }),
    },
    codes: {
      score: codeScore,
      relations: relations.map((r): Relation => ({ profile: r[0], tender: r[1], relation: RELATIONS[r[2]], inferred: r[3] === 1 })),
    },
    filtersPassed,
    factors: factors.map((f): Factor => ({ name: f[0], factor: f[1], reason: f[2] })),
    unknown,
  };
}

/** The profile keywords an explanation says matched, without cutting snippets (feedback reads only these). */
export function explanationKeywords(stored: string): string[] {
  const v = JSON.parse(stored) as unknown;
  if (Array.isArray(v)) return (v as Encoded)[4].map((h) => h[0]);
  return ((v as { text?: { hits?: { keyword: string }[] } }).text?.hits ?? []).map((h) => h.keyword);
}
