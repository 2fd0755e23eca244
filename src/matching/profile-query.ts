/**
 * A firm profile compiled into what the scorer checks: phrases (the firm's own keywords and
 * their glossary translations), exclusions, codes and filter sets. Compiled once per profile
 * version and reused for every tender.
 */
import type { FirmProfile } from '../firms/profile.js';
import { expandRegions } from '../firms/regions.js';
import { analyze } from './analyzer.js';
import { tokenWeight } from './engine.js';
import { expandTerm } from './glossary.js';

export interface Phrase {
  /** The text as written (profile keyword or glossary term). */
  text: string;
  lang: string | null;
  /** Tokens that must all occur in one field for the phrase to match. */
  required: string[];
  /** Weight of this phrase's evidence: 1 for the firm's own words, less for translations. */
  weight: number;
  origin: 'keyword' | 'glossary';
  /** Index of the profile keyword it came from: translations of one keyword are one piece of evidence. */
  group: number;
  /** The keyword as the firm wrote it. */
  keyword: string;
  conceptId: string | null;
  /** specificity × weight: what the phrase is worth before field and proximity. */
  strength: number;
}

/** Phrase specificity from its tokens' weights: a lone common word counts half, a specific phrase fully. */
export function specificity(tokens: string[], idf: (t: string) => number): number {
  const sum = tokens.reduce((s, t) => s + idf(t), 0);
  return Math.min(1, Math.max(0.5, 0.5 + (0.5 * (sum - 1.5)) / 3));
}

/** Ranking adjustments learnt from the firm's feedback (src/alerts/feedback.ts), within bounds. */
export interface FeedbackAdjustments {
  /** Normalized buyer name → factor (>= 0.6) and how many alerts from it were marked not relevant. */
  buyers: Record<string, { factor: number; rejected: number }>;
  /** Profile keyword → factor on its evidence (>= 0.5). */
  keywords: Record<string, { factor: number; rejected: number }>;
}

export const NO_FEEDBACK: FeedbackAdjustments = { buyers: {}, keywords: {} };

export function normalizeBuyer(buyer: string | null): string | null {
  if (!buyer) return null;
  const k = buyer.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
  return k || null;
}

export interface CompiledProfile {
  firmId: string;
  feedback: FeedbackAdjustments;
  feedbackBuyers: boolean;
  feedbackKeywords: boolean;
  /** Number of keyword groups (profile keywords). */
  groups: number;
  profileVersion: number;
  phrases: Phrase[];
  excludes: Phrase[];
  unspsc: string[];
  /** Null = anywhere. */
  countries: Set<string> | null;
  noticeTypes: Set<string> | null;
  categories: Set<string> | null;
  minValueUsd: number | null;
  maxValueUsd: number | null;
  unknownValuePolicy: 'include' | 'exclude';
  minDaysToDeadline: number;
  /** True when the profile itself sells services (design, supervision, consulting...), see SERVICE_MARKERS. */
  sellsServices: boolean;
  /** UNSPSC segments of the glossary concepts the profile's keywords denote. */
  conceptSegments: Set<string>;
}

/** Weight of a glossary translation relative to the firm's own word. */
export const TRANSLATION_WEIGHT = 0.85;
/** Weight of the head of a long keyword ("learning platform" of "digital learning platform"). */
export const SUBPHRASE_WEIGHT = 0.6;

/**
 * A keyword's language is unknown (firms mix languages), and each notice is stemmed in its own
 * language, so the keyword is analyzed as written in each notice language; every distinct
 * result is an alternative form of the same keyword.
 */
/** Words after which an English, French or Spanish noun phrase continues with its complement. */
const PREPOSITIONS = new Set(['for', 'of', 'with', 'in', 'de', 'des', 'du', 'pour', 'para', 'del', 'con', 'en']);

/**
 * Analyzed forms of the phrase's head word: the last word before a preposition ("laptops" of
 * "laptops for schools"), else the last word ("platform" of "digital learning platform").
 */
function headTokens(keyword: string): Set<string> {
  const words = keyword.toLowerCase().split(/[\s\-–]+/).filter(Boolean);
  const prep = words.findIndex((w, i) => i > 0 && PREPOSITIONS.has(w));
  const head = (prep > 0 ? words.slice(0, prep) : words).at(-1) ?? '';
  return new Set([null, 'en', 'fr', 'es'].flatMap((lang) => analyze(head, lang)));
}

function keywordForms(keyword: string): string[][] {
  const forms = new Map<string, string[]>();
  for (const lang of [null, 'en', 'fr', 'es']) {
    const tokens = analyze(keyword, lang);
    if (tokens.length) forms.set(tokens.join(' '), tokens);
  }
  return [...forms.values()];
}

// A profile mentioning these sells services, so consultancy notices are its business.
const SERVICE_MARKERS = /\b(design|supervision|supervisi[oó]n|consult\w*|engineering|study|studies|audit\w*|advisory|training|services|assessment|survey\w*)\b|설계|감리|컨설팅|용역/i;

const isHangul = (t: string) => /[\uac00-\ud7a3]/.test(t);

/**
 * Tokens a phrase needs. Hangul words longer than two syllables are also indexed as bigrams;
 * particles change the whole word but not its bigrams, so only the bigrams are required.
 */
export function requiredTokens(tokens: string[]): string[] {
  const out = new Set<string>();
  for (const t of tokens) {
    if (isHangul(t) && t.length > 2) continue;
    out.add(t);
  }
  // A phrase of only long Hangul words with no bigram emitted (shouldn't happen) keeps its words.
  if (out.size === 0) for (const t of tokens) out.add(t);
  return [...out];
}

// One array per distinct token list across every compiled profile: thousands of profiles hold
// the same glossary terms, and the scorer works a phrase out once per tender by this identity.
const internedTokens = new Map<string, string[]>();
function intern(tokens: string[]): string[] {
  const key = tokens.join(' ');
  const hit = internedTokens.get(key);
  if (hit) return hit;
  if (internedTokens.size > 500_000) internedTokens.clear();
  internedTokens.set(key, tokens);
  return tokens;
}

function phraseKey(required: string[]): string {
  return [...required].sort().join(' ');
}

export function compileProfile(firmId: string, profileVersion: number, p: FirmProfile, feedback: FeedbackAdjustments = NO_FEEDBACK): CompiledProfile {
  const phrases: Phrase[] = [];
  const seen = new Map<string, Phrase>();
  const conceptSegments = new Set<string>();
  const add = (input: Omit<Phrase, 'strength'>) => {
    if (input.required.length === 0) return;
    // Every field written out in one order: a spread gives each phrase its own hidden class,
    // which costs ~300 bytes a phrase over the hundreds of thousands a run compiles.
    const ph: Phrase = {
      text: input.text,
      lang: input.lang,
      required: intern(input.required),
      weight: input.weight,
      origin: input.origin,
      group: input.group,
      keyword: input.keyword,
      conceptId: input.conceptId,
      strength: specificity(input.required, tokenWeight) * input.weight,
    };
    const key = phraseKey(ph.required);
    const prev = seen.get(key);
    if (prev && prev.weight >= ph.weight) return;
    if (prev) phrases.splice(phrases.indexOf(prev), 1);
    seen.set(key, ph);
    phrases.push(ph);
  };
  const keywords = [...p.keywords, ...p.keywordsKo];
  keywords.forEach((keyword, group) => {
    for (const own of keywordForms(keyword)) {
      const required = requiredTokens(own);
      add({ text: keyword, lang: null, required, weight: 1, origin: 'keyword', group, keyword, conceptId: null });
      // Long keywords also match on their two overlapping shorter runs, with less weight.
      if (required.length >= 3 && !required.some(isHangul)) {
        for (const sub of [required.slice(1), required.slice(0, -1)]) {
          // A run of boilerplate words alone ("management system") is no evidence.
          if (sub.every((t) => tokenWeight(t) < 2)) continue;
          add({ text: keyword, lang: null, required: sub, weight: SUBPHRASE_WEIGHT, origin: 'keyword', group, keyword, conceptId: null });
        }
      }
    }
    const expansions = expandTerm(keyword);
    const forms = keywordForms(keyword).map((f) => [...f].sort().join(' '));
    const head = isHangul(keyword) ? null : headTokens(keyword);
    const keep = new Set<string>();
    for (const conceptId of new Set(expansions.map((e) => e.conceptId))) {
      const own = expansions.filter((e) => e.conceptId === conceptId);
      const whole = own.some((e) => forms.includes([...e.tokens].sort().join(' ')));
      // A concept found inside a longer keyword translates it only if it names the keyword's head:
      // "laptops for schools" → laptop, but not "digital learning platform" → digitalization.
      if (whole || !head || own.some((e) => e.tokens.some((t) => head.has(t)))) keep.add(conceptId);
    }
    for (const e of expansions) {
      if (!keep.has(e.conceptId)) continue;
      conceptSegments.add(e.segment);
      add({
        text: e.term,
        lang: e.lang,
        required: requiredTokens(e.tokens),
        weight: TRANSLATION_WEIGHT,
        origin: 'glossary',
        group,
        keyword,
        conceptId: e.conceptId,
      });
    }
  });
  const excludes: Phrase[] = p.excludeKeywords.flatMap((keyword, group) =>
    keywordForms(keyword).map((tokens) => ({
      text: keyword,
      lang: null,
      required: requiredTokens(tokens),
      weight: 1,
      origin: 'keyword' as const,
      group,
      keyword,
      conceptId: null,
      strength: 1,
    })),
  ).filter((x) => x.required.length > 0);
  const countries = p.countries.length ? expandRegions(p.countries) : null;
  return {
    firmId,
    feedback,
    feedbackBuyers: Object.keys(feedback.buyers).length > 0,
    feedbackKeywords: Object.keys(feedback.keywords).length > 0,
    groups: keywords.length,
    profileVersion,
    phrases,
    excludes,
    unspsc: p.unspsc,
    countries,
    noticeTypes: p.noticeTypes.length ? new Set(p.noticeTypes) : null,
    categories: p.categories.length ? new Set(p.categories) : null,
    minValueUsd: p.minValueUsd,
    maxValueUsd: p.maxValueUsd,
    unknownValuePolicy: p.unknownValuePolicy,
    minDaysToDeadline: p.minDaysToDeadline,
    sellsServices:
      p.categories.some((c) => c === 'consulting' || c === 'non_consulting') || keywords.some((k) => SERVICE_MARKERS.test(k)),
    conceptSegments,
  };
}
