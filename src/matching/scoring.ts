/**
 * Scores one tender for one compiled profile: hard filters first, then signals combined into
 * a score in 0..1, with an explanation of every step. Pure: no I/O, no clock (passed in).
 *
 * Weights (documented in README "How matching works"):
 * - text: each matching phrase contributes FIELD_WEIGHT[field] x proximity x specificity x
 *   phrase weight (1 own word, 0.85 glossary translation); phrases from one keyword count
 *   once (the best); keywords combine as independent evidence: T = 1 - prod(1 - 0.8 c_k);
 * - codes: exact/child 1.0, parent 0.6, sibling family 0.3, halved when the tender's codes
 *   are inferred from its text rather than published; combined as 1 - (1-T)(1 - 0.5 C);
 * - fit factors: a consultancy for a firm that sells products x0.55 (x0.8 when only a call for
 *   expressions of interest suggests it); an information-only
 *   notice (award, general notice) x0.85; an excluded phrase in the description x0.5;
 * - country: x1.0 when the tender names a target country, x0.95 when it names none.
 */
import { normalizeBuyer, type CompiledProfile, type Phrase } from './profile-query.js';
import type { TenderDoc } from './tender-doc.js';

export const SCORING_VERSION = 1;

export const WEIGHTS = {
  field: { title: 1.0, body: 0.55 },
  proximity: { adjacent: 1.0, near: 0.8, scattered: 0.55 },
  keywordSaturation: 0.8,
  code: { exact: 1.0, child: 1.0, parent: 0.6, sibling: 0.3, inferredFactor: 0.5, weight: 0.5 },
  consultingForProductFirm: 0.55,
  /** The same when only "expression of interest" suggests a consultancy. */
  eoiForProductFirm: 0.8,
  informationOnly: 0.85,
  excludedInBody: 0.5,
  countryNotStated: 0.95,
  /**
   * Below this a pair is not stored as a match: one scattered or partial mention in a
   * description (about 0.24 at most) is not worth an adviser's look; on the judged set every
   * notice graded 2 or 3 scores 0.49 or more.
   */
  minScore: 0.25,
} as const;

const INFORMATION_ONLY = new Set(['contract_award', 'general_procurement_notice']);

// The comparison String#localeCompare makes with no arguments, without building it per call.
const byKeyword = new Intl.Collator().compare;

export interface TermHit {
  keyword: string;
  phrase: string;
  field: 'title' | 'description';
  origin: 'keyword' | 'glossary';
  lang: string | null;
  proximity: keyof typeof WEIGHTS.proximity;
  contribution: number;
  snippet: string;
  /** Set when the firm's feedback lowered this keyword's weight. */
  feedbackFactor?: number;
}

export interface Explanation {
  score: number;
  scoringVersion: number;
  text: { score: number; hits: TermHit[] };
  codes: { score: number; relations: { profile: string; tender: string; relation: string; inferred: boolean }[] };
  filtersPassed: string[];
  factors: { name: string; factor: number; reason: string }[];
  unknown: string[];
}

export type ScoreOutcome = { kind: 'match'; score: number; explanation: Explanation } | { kind: 'filtered'; reason: string };

export interface ScoringContext {
  /** Null turns off the filters that depend on today's date (evaluation on historic notices). */
  now: Date | null;
  /** Inverse document frequency of a token over the indexed tenders. */
  idf: (token: string) => number;
  /** UNSPSC segments inferred from the tender text (glossary), when the source published none. */
  inferredSegments?: (doc: TenderDoc) => string[];
  /** Snippets are cut only for scores at or above this (bulk matching skips pairs it won't store). */
  snippetMin?: number;
}

const DAY_MS = 24 * 3600 * 1000;

/** Phrase specificity from its tokens' IDF: a lone common word counts half, a specific phrase fully. */
export { specificity } from './profile-query.js';

/** Where the tokens of a phrase sit in a field: all adjacent in order, within a short window, or anywhere. */
function proximity(required: string[], tokens: string[]): keyof typeof WEIGHTS.proximity {
  if (required.length <= 1) return 'adjacent';
  const positions = required.map(() => [] as number[]);
  const index = new Map(required.map((t, i) => [t, i]));
  tokens.forEach((t, pos) => {
    const i = index.get(t);
    if (i !== undefined) positions[i].push(pos);
  });
  let best = Infinity;
  for (const start of positions[0]) {
    let prev = start;
    let ordered = true;
    let end = start;
    let lo = start;
    for (let i = 1; i < positions.length; i++) {
      // nearest occurrence after prev (ordered), else nearest anywhere
      const after = positions[i].find((p) => p > prev);
      const near = positions[i].reduce((b, p) => (Math.abs(p - prev) < Math.abs(b - prev) ? p : b), positions[i][0]);
      const p = after !== undefined && after - prev <= 3 ? after : near;
      if (p <= prev) ordered = false;
      lo = Math.min(lo, p);
      end = Math.max(end, p);
      prev = p;
    }
    const span = end - lo + 1;
    if (ordered && span <= required.length + 1) return 'adjacent';
    best = Math.min(best, span);
  }
  return best <= required.length + 6 ? 'near' : 'scattered';
}

/** A snippet: where it starts in its field, and its text. */
interface Snippet {
  start: number;
  text: string;
}

/**
 * What every profile scored against one tender shares: where a phrase sits in a field and its
 * snippet depend only on the phrase's tokens (compiled profiles share one array per distinct
 * phrase) and the tender, and the days to the deadline only on the tender and the clock. The
 * matcher scores a tender against all its candidate profiles in a row, so one tender's memo is
 * kept at a time.
 */
interface TenderMemo {
  doc: TenderDoc | null;
  now: Date | null;
  proximity: [Map<string[], keyof typeof WEIGHTS.proximity>, Map<string[], keyof typeof WEIGHTS.proximity>];
  /** Where the snippet starts in the field and its text, by the phrase's first token. */
  snippet: [Map<string, Snippet>, Map<string, Snippet>];
  /** Days from the clock to the deadline, and the filter line that says so. */
  days: number;
  deadlinePassed: string;
}
const memo: TenderMemo = { doc: null, now: null, proximity: [new Map(), new Map()], snippet: [new Map(), new Map()], days: 0, deadlinePassed: '' };
function memoOf(doc: TenderDoc, now: Date | null): TenderMemo {
  if (memo.doc === doc && memo.now === now) return memo;
  memo.doc = doc;
  memo.now = now;
  for (const m of memo.proximity) m.clear();
  for (const m of memo.snippet) m.clear();
  memo.days = now && doc.deadlineAt ? (Date.parse(doc.deadlineAt) - now.getTime()) / DAY_MS : 0;
  memo.deadlinePassed = `deadline in ${Math.floor(memo.days)} days`;
  return memo;
}

function proximityIn(memo: TenderMemo, doc: TenderDoc, required: string[], field: 'title' | 'description'): keyof typeof WEIGHTS.proximity {
  const f = field === 'title' ? 0 : 1;
  let prox = memo.proximity[f].get(required);
  if (prox === undefined) memo.proximity[f].set(required, (prox = proximity(required, f === 0 ? doc.titleTokens : doc.bodyTokens)));
  return prox;
}

/**
 * Where each hit's snippet starts in its field (the snippet is `snippetAt(field text, start)`):
 * what stored explanations keep instead of the text (see explanation-codec.ts).
 */
export const snippetStarts = new WeakMap<TermHit, number>();

function setSnippet(memo: TenderMemo, doc: TenderDoc, ph: Phrase, hit: TermHit): void {
  const f = hit.field === 'title' ? 0 : 1;
  const text = f === 0 ? doc.title : doc.description ?? '';
  // The snippet depends on the phrase's first token only.
  const key = ph.required[0] ?? '';
  let s = memo.snippet[f].get(key);
  if (s === undefined) {
    const start = snippetStart(text, key);
    memo.snippet[f].set(key, (s = { start, text: snippetAt(text, start) }));
  }
  hit.snippet = s.text;
  snippetStarts.set(hit, s.start);
}

function phraseIn(ph: Phrase, set: Set<string>): boolean {
  for (const t of ph.required) if (!set.has(t)) return false;
  return true;
}

/** A short piece of the original text around the first word of the phrase (for explanations). */
// One folded copy per text: a tender's title and description serve every profile it matches.
const foldedCache = new Map<string, string>();
/** Lower case without accents, one UTF-16 unit per unit of the original, so offsets carry over. */
function foldSameLength(text: string): string {
  let f = foldedCache.get(text);
  if (f === undefined) {
    f = '';
    for (const ch of text.toLowerCase()) f += ch.length === 1 ? ch.normalize('NFD')[0] : ch;
    if (f.length !== text.length) f = text.toLowerCase().padEnd(text.length);
    if (foldedCache.size > 2000) foldedCache.clear();
    foldedCache.set(text, f);
  }
  return f;
}

/** Where the snippet of a phrase whose first analyzed token is `first` starts in `text`. */
export function snippetStart(text: string, first: string): number {
  const folded = foldSameLength(text);
  // Stems are prefixes of the word in most cases; fall back to the text's start.
  const stem = first.slice(0, Math.max(3, Math.min(first.length, 5)));
  const at = stem ? folded.indexOf(stem) : -1;
  return Math.max(0, (at < 0 ? 0 : at) - 40);
}

/** The snippet shown for a hit: 120 characters of the field from `start`, spaces collapsed. */
export function snippetAt(text: string, start: number): string {
  const piece = text.slice(start, start + 120).replace(/\s+/g, ' ').trim();
  return (start > 0 ? '…' : '') + piece + (start + 120 < text.length ? '…' : '');
}

export function codeRelation(profileCode: string, tenderCode: string): 'exact' | 'child' | 'parent' | 'sibling' | null {
  if (tenderCode === profileCode) return 'exact';
  if (tenderCode.startsWith(profileCode)) return 'child';
  // Parent: the tender names a broader class; only one level (2 digits) up counts fully.
  if (profileCode.startsWith(tenderCode)) return profileCode.length - tenderCode.length <= 2 ? 'parent' : 'sibling';
  if (profileCode.length >= 4 && tenderCode.length >= 4 && profileCode.slice(0, 4) === tenderCode.slice(0, 4)) return 'sibling';
  return null;
}

/** What a phrase is worth before field and proximity: specificity × weight (computed at compile time). */
const strength = (ph: Phrase, _ctx: ScoringContext) => ph.strength;

const contributionOf = (fieldWeight: number, proximityWeight: number, phraseStrength: number, feedbackFactor: number) =>
  fieldWeight * proximityWeight * phraseStrength * feedbackFactor;
const round3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * The most a phrase found in a field can contribute: at the best proximity, rounded as the
 * explanation rounds contributions (the text score is computed from the rounded figures).
 */
export function bestContribution(fieldWeight: number, phraseStrength: number, feedbackFactor: number): number {
  return round3(contributionOf(fieldWeight, WEIGHTS.proximity.adjacent, phraseStrength, feedbackFactor));
}

/**
 * True when a pair whose upper bound is `bound` can't be stored: its score, rounded to four
 * decimals, stays below `minScore` (half a unit of the last decimal, and a margin for float
 * rounding, below it).
 */
export function belowMinimum(bound: number, minScore: number): boolean {
  return bound < minScore - 0.00005 - 1e-9;
}

let scratch = new Float64Array(64);

/**
 * The most a pair could score from the phrases found (best proximity, no fit factor), cheap
 * enough to skip most pairs that can't reach `minScore` without building an explanation.
 */
export function upperBound(p: CompiledProfile, found: readonly PhraseHit[], ctx: ScoringContext): number {
  if (p.unspsc.length) return 1; // codes can add evidence the phrases don't show
  const best = scratch.length >= p.groups ? scratch.fill(0, 0, p.groups) : (scratch = new Float64Array(p.groups * 2));
  const hasFeedback = p.feedbackKeywords;
  for (const { phrase, field } of found) {
    const ph = p.phrases[phrase];
    const c = bestContribution(field === 'title' ? WEIGHTS.field.title : WEIGHTS.field.body, ph.strength, hasFeedback ? (p.feedback.keywords[ph.keyword]?.factor ?? 1) : 1);
    if (c > best[ph.group]) best[ph.group] = c;
  }
  let prod = 1;
  for (let g = 0; g < p.groups; g++) if (best[g] > 0) prod *= 1 - WEIGHTS.keywordSaturation * best[g];
  return 1 - prod;
}

/** A phrase of the profile found in a field of the tender (from the stored-query index). */
export interface PhraseHit {
  phrase: number;
  field: 'title' | 'description';
}

/**
 * Scores one pair. `found` lists the profile's phrases already found in the tender (the
 * percolator's candidates); without it every phrase is checked (the naive method).
 */
export function scoreTender(p: CompiledProfile, doc: TenderDoc, ctx: ScoringContext, found?: readonly PhraseHit[]): ScoreOutcome {
  const passed: string[] = [];
  const unknown: string[] = [];
  const memo = memoOf(doc, ctx.now);
  // ---- hard filters ----
  if (ctx.now) {
    if (doc.status !== 'open') return { kind: 'filtered', reason: `status is ${doc.status}` };
    passed.push('open');
    if (doc.deadlineAt) {
      const days = memo.days;
      if (days < p.minDaysToDeadline) return { kind: 'filtered', reason: `deadline in ${days.toFixed(1)} days, profile wants at least ${p.minDaysToDeadline}` };
      passed.push(memo.deadlinePassed);
    } else unknown.push('no deadline stated');
  }
  if (p.countries) {
    if (doc.countries.length === 0) unknown.push('country not stated');
    else if (!doc.countries.some((c) => p.countries!.has(c))) return { kind: 'filtered', reason: `countries ${doc.countries.join(', ')} not targeted` };
    else passed.push(`country ${doc.countries.filter((c) => p.countries!.has(c)).join(', ')}`);
  }
  if (p.noticeTypes) {
    if (!p.noticeTypes.has(doc.noticeType)) return { kind: 'filtered', reason: `notice type ${doc.noticeType} not wanted` };
    passed.push(`notice type ${doc.noticeType}`);
  }
  if (p.categories) {
    if (!doc.effectiveCategory) unknown.push('category not stated');
    else if (!p.categories.has(doc.effectiveCategory)) return { kind: 'filtered', reason: `category ${doc.effectiveCategory} not wanted` };
    else passed.push(`category ${doc.effectiveCategory}`);
  }
  if (p.minValueUsd !== null || p.maxValueUsd !== null) {
    if (doc.valueUsd === null) {
      if (p.unknownValuePolicy === 'exclude') return { kind: 'filtered', reason: 'value not stated and the profile excludes unknown values' };
      unknown.push('value not stated');
    } else {
      if (p.minValueUsd !== null && doc.valueUsd < p.minValueUsd) return { kind: 'filtered', reason: `value USD ${Math.round(doc.valueUsd)} below ${p.minValueUsd}` };
      if (p.maxValueUsd !== null && doc.valueUsd > p.maxValueUsd) return { kind: 'filtered', reason: `value USD ${Math.round(doc.valueUsd)} above ${p.maxValueUsd}` };
      passed.push(`value USD ${Math.round(doc.valueUsd)} in range`);
    }
  }
  const factors: Explanation['factors'] = [];
  for (const ex of p.excludes) {
    if (phraseIn(ex, doc.titleSet)) return { kind: 'filtered', reason: `excluded keyword "${ex.text}" in the title` };
    if (phraseIn(ex, doc.bodySet)) factors.push({ name: 'excluded', factor: WEIGHTS.excludedInBody, reason: `excluded keyword "${ex.text}" in the description` });
  }

  // ---- text ----
  const candidates: readonly PhraseHit[] = found
    ? // Phrase order, title first: the same order as the full scan, so ties resolve the same way.
      [...found].sort((a, b) => a.phrase - b.phrase || (a.field === b.field ? 0 : a.field === 'title' ? -1 : 1))
    : p.phrases.flatMap((ph, i) =>
        (['title', 'description'] as const).filter((f) => phraseIn(ph, f === 'title' ? doc.titleSet : doc.bodySet)).map((field) => ({ phrase: i, field })),
      );
  const bestByGroup = new Map<number, { ph: Phrase; hit: TermHit }>();
  for (const { phrase, field } of candidates) {
    const ph = p.phrases[phrase];
    const prox = proximityIn(memo, doc, ph.required, field);
    const fb = p.feedbackKeywords ? p.feedback.keywords[ph.keyword] : undefined;
    const c = contributionOf(WEIGHTS.field[field === 'title' ? 'title' : 'body'], WEIGHTS.proximity[prox], strength(ph, ctx), fb?.factor ?? 1);
    const prev = bestByGroup.get(ph.group);
    if (!prev || c > prev.hit.contribution) {
      const hit: TermHit = { keyword: ph.keyword, phrase: ph.text, field, origin: ph.origin, lang: ph.lang, proximity: prox, contribution: round3(c), snippet: '' };
      if (fb) hit.feedbackFactor = fb.factor;
      bestByGroup.set(ph.group, { ph, hit });
    }
  }
  const hits = [...bestByGroup.values()].map((x) => x.hit).sort((a, b) => b.contribution - a.contribution || byKeyword(a.keyword, b.keyword));
  const text = 1 - hits.reduce((prod, h) => prod * (1 - WEIGHTS.keywordSaturation * h.contribution), 1);

  // ---- codes ----
  const relations: Explanation['codes']['relations'] = [];
  let codeScore = 0;
  if (p.unspsc.length) {
    const published = doc.unspsc;
    const inferred = published.length === 0 && ctx.inferredSegments ? ctx.inferredSegments(doc) : [];
    for (const [codes, isInferred] of [[published, false], [inferred, true]] as const) {
      for (const tc of codes) {
        for (const pc of p.unspsc) {
          const rel = codeRelation(pc, tc);
          // A segment guessed from the text says too little to relate to a narrower code.
          if (!rel || (isInferred && rel === 'sibling')) continue;
          const s = WEIGHTS.code[rel] * (isInferred ? WEIGHTS.code.inferredFactor : 1);
          relations.push({ profile: pc, tender: tc, relation: rel, inferred: isInferred });
          codeScore = Math.max(codeScore, s);
        }
      }
    }
  }
  if (hits.length === 0 && codeScore === 0) return { kind: 'filtered', reason: 'no keyword or code matched' };
  let score = 1 - (1 - text) * (1 - WEIGHTS.code.weight * codeScore);

  // ---- fit factors ----
  if (!p.sellsServices && doc.effectiveCategory === 'consulting') {
    factors.push({
      name: 'consulting',
      factor: doc.categoryWeak ? WEIGHTS.eoiForProductFirm : WEIGHTS.consultingForProductFirm,
      reason: `a consultancy${doc.categoryWeak ? ' (a call for expressions of interest)' : doc.categoryInferred ? ' (inferred from the title)' : ''} for a firm that sells products`,
    });
  }
  if (INFORMATION_ONLY.has(doc.noticeType)) {
    factors.push({ name: 'information-only', factor: WEIGHTS.informationOnly, reason: `${doc.noticeType.replace(/_/g, ' ')}: information only, no bid` });
  }
  const buyerFeedback = p.feedbackBuyers ? p.feedback.buyers[normalizeBuyer(doc.buyer) ?? ''] : undefined;
  if (buyerFeedback) {
    factors.push({ name: 'feedback', factor: buyerFeedback.factor, reason: `feedback: ${buyerFeedback.rejected} alerts from ${doc.buyer} marked not relevant` });
  }
  for (const h of hits) {
    if (h.feedbackFactor !== undefined) {
      factors.push({ name: 'feedback', factor: 1, reason: `feedback: keyword "${h.keyword}" down-weighted to ${h.feedbackFactor} after alerts marked not relevant` });
    }
  }
  if (p.countries && doc.countries.length === 0) {
    factors.push({ name: 'country', factor: WEIGHTS.countryNotStated, reason: 'no country stated' });
  }
  for (const f of factors) score *= f.factor;
  score = Math.round(Math.min(1, Math.max(0, score)) * 10000) / 10000;
  if (score >= (ctx.snippetMin ?? 0)) {
    for (const { ph, hit } of bestByGroup.values()) setSnippet(memo, doc, ph, hit);
  }
  return {
    kind: 'match',
    score,
    explanation: {
      score,
      scoringVersion: SCORING_VERSION,
      text: { score: Math.round(text * 10000) / 10000, hits },
      codes: { score: codeScore, relations },
      filtersPassed: passed,
      factors,
      unknown,
    },
  };
}
