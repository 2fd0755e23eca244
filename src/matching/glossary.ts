/**
 * Cross-language procurement glossary (Korean / English / French / Spanish).
 *
 * Data: `./glossary/*.json`, one file per domain, each an array of concepts
 * `{ id, segment, ko[], en[], fr[], es[] }` where `segment` is the 2-digit
 * UNSPSC segment. Loaded once (synchronously, on first use) and cached.
 *
 * ## Matching rule used by `expandTerm` (profile keyword → concepts)
 *
 * A keyword/phrase matches a concept when it CONTAINS one of the concept's
 * terms (it may be longer than the term, never shorter):
 *
 * - Latin-script terms (en/fr/es, and Latin-only entries of the ko lists such
 *   as "CCTV", which are treated as English) are compared on their analyzed
 *   word tokens (`analyzePrimary`: folding, stop words, Snowball stems): the
 *   term's tokens must occur as a contiguous run in the keyword's tokens. The
 *   keyword is analyzed once per Latin language (en, fr, es: keywords are too
 *   short for reliable language detection) and each analysis is compared with
 *   the terms of that language.
 * - Hangul terms are compared on a compact form (normalized, spaces and
 *   punctuation removed, so `태양광 발전` = `태양광발전`): a term of ≥ 3
 *   characters matches anywhere in the compact keyword (Korean compounds and
 *   attached particles: `정수기를` contains `정수기`, `태양광가로등` contains
 *   `가로등`); a 1–2 syllable term must START a Hangul word of the keyword
 *   (`펌프를`, `교량공사` match `펌프`, `교량`, but `발전기` does not match
 *   `전기`).
 * - Anti-over-expansion: (1) no glossary term is a generic word on its own
 *   ("system", "services", "equipment", "supply", "evaluation"…: tests guard
 *   this); (2) a match whose span lies strictly inside a longer match is
 *   dropped (spans are measured in characters of the keyword's compact form,
 *   so Latin matches of all three languages and Hangul matches compare), so "solar water pump" yields
 *   solar_water_pump but not water_pump, "security guard services" yields
 *   only the guarding concept, "X-ray baggage scanner" not medical X-ray.
 *
 * Every matched concept is returned with ALL its terms in ALL four languages,
 * each with the tokens `analyze(term, lang)` produces (the same analysis used
 * for the index), ready to be searched in minisearch / FTS5.
 */
import { readFileSync } from 'node:fs';
import { analyze, analyzePrimary, analyzePrimaryDetailed, normalizeText, tokenize } from './analyzer.js';

export const GLOSSARY_LANGS = ['ko', 'en', 'fr', 'es'] as const;
export type GlossaryLang = (typeof GLOSSARY_LANGS)[number];
type LatinSpace = 'en' | 'fr' | 'es';
const LATIN_SPACES: readonly LatinSpace[] = ['en', 'fr', 'es'];

export interface Concept {
  id: string;
  /** 2-digit UNSPSC segment, e.g. "26". */
  segment: string;
  /** Domain = the JSON file the concept comes from (energy, water, ict…). */
  domain: string;
  ko: string[];
  en: string[];
  fr: string[];
  es: string[];
}

export interface Expansion {
  conceptId: string;
  segment: string;
  term: string;
  lang: GlossaryLang;
  /** `analyze(term, lang)` — the tokens as they appear in the index. */
  tokens: string[];
}

export interface Glossary {
  concepts: Concept[];
  byId: ReadonlyMap<string, Concept>;
  domains: string[];
}

/** Files under ./glossary/, without extension. */
export const GLOSSARY_FILES = [
  'energy',
  'water',
  'ict',
  'security',
  'medical',
  'construction',
  'transport',
  'agriculture',
  'education',
  'services',
  'environment',
  'goods',
] as const;

const SEGMENT_RE = /^\d{2}$/;
const HANGUL_RE = /\p{sc=Hangul}/u;
const NON_WORD_RE = /[^\p{L}\p{N}]+/gu;

let glossaryCache: Glossary | null = null;

function readConceptFile(name: string): unknown {
  const url = new URL(`./glossary/${name}.json`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as unknown;
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string' && x.trim() !== '');
}

function validateConcept(raw: unknown, file: string): Concept {
  if (typeof raw !== 'object' || raw === null) throw new Error(`glossary/${file}.json: concept is not an object`);
  const r = raw as Record<string, unknown>;
  const id = r.id;
  if (typeof id !== 'string' || !/^[a-z0-9_]+$/.test(id)) {
    throw new Error(`glossary/${file}.json: bad concept id ${JSON.stringify(id)}`);
  }
  const segment = r.segment;
  if (typeof segment !== 'string' || !SEGMENT_RE.test(segment)) {
    throw new Error(`glossary/${file}.json: ${id}: segment must be a 2-digit string`);
  }
  for (const lang of GLOSSARY_LANGS) {
    const terms = r[lang];
    if (!isStringArray(terms) || terms.length === 0) {
      throw new Error(`glossary/${file}.json: ${id}: "${lang}" must be a non-empty array of strings`);
    }
  }
  return {
    id,
    segment,
    domain: file,
    ko: [...(r.ko as string[])],
    en: [...(r.en as string[])],
    fr: [...(r.fr as string[])],
    es: [...(r.es as string[])],
  };
}

/** Load (once) and return the glossary. Throws on malformed data or duplicate ids. */
export function loadGlossary(): Glossary {
  if (glossaryCache) return glossaryCache;
  const concepts: Concept[] = [];
  const byId = new Map<string, Concept>();
  for (const file of GLOSSARY_FILES) {
    const data = readConceptFile(file);
    if (!Array.isArray(data)) throw new Error(`glossary/${file}.json: expected an array of concepts`);
    for (const raw of data) {
      const c = validateConcept(raw, file);
      if (byId.has(c.id)) throw new Error(`glossary: duplicate concept id "${c.id}" (in ${file}.json)`);
      byId.set(c.id, c);
      concepts.push(c);
    }
  }
  glossaryCache = { concepts, byId, domains: [...GLOSSARY_FILES] };
  return glossaryCache;
}

export function getConcept(id: string): Concept | undefined {
  return loadGlossary().byId.get(id);
}

/** Concepts of one UNSPSC segment; accepts "26", 26 or a longer code such as "26111600". */
export function conceptsForSegment(segment: string | number): Concept[] {
  const s = String(segment).trim();
  const seg = s.length === 1 ? `0${s}` : s.slice(0, 2);
  return loadGlossary().concepts.filter((c) => c.segment === seg);
}

// ---------------------------------------------------------------------------
// Match index
// ---------------------------------------------------------------------------

interface LatinEntry {
  concept: number;
  tokens: string[];
}
interface HangulEntry {
  concept: number;
  key: string;
  /** Short (≤ 2 chars) keys must start a Hangul word of the input. */
  anchored: boolean;
}
interface MatchIndex {
  latin: Record<LatinSpace, Map<string, LatinEntry[]>>;
  hangul: HangulEntry[];
  expansions: Expansion[][];
}

let indexCache: MatchIndex | null = null;

/** Normalized text with every non letter/digit removed (Korean compound comparison). */
export function compactKey(text: string): string {
  return normalizeText(text).replace(NON_WORD_RE, '');
}

function buildIndex(): MatchIndex {
  const { concepts } = loadGlossary();
  const latin: Record<LatinSpace, Map<string, LatinEntry[]>> = {
    en: new Map(),
    fr: new Map(),
    es: new Map(),
  };
  const hangul: HangulEntry[] = [];
  const expansions: Expansion[][] = [];
  concepts.forEach((c, ci) => {
    const exps: Expansion[] = [];
    for (const lang of GLOSSARY_LANGS) {
      for (const term of c[lang]) {
        exps.push({ conceptId: c.id, segment: c.segment, term, lang, tokens: analyze(term, lang) });
        if (HANGUL_RE.test(term)) {
          const key = compactKey(term);
          if (key) hangul.push({ concept: ci, key, anchored: key.length <= 2 });
        } else {
          const space: LatinSpace = lang === 'ko' ? 'en' : lang;
          const tokens = analyzePrimary(term, space);
          if (tokens.length === 0) continue;
          const map = latin[space];
          const list = map.get(tokens[0]);
          const entry = { concept: ci, tokens };
          if (list) {
            if (!list.some((e) => e.concept === ci && sameTokens(e.tokens, tokens))) list.push(entry);
          } else {
            map.set(tokens[0], [entry]);
          }
        }
      }
    }
    expansions.push(exps);
  });
  return { latin, hangul, expansions };
}

function matchIndex(): MatchIndex {
  if (!indexCache) indexCache = buildIndex();
  return indexCache;
}

function sameTokens(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// ---------------------------------------------------------------------------
// Expansion
// ---------------------------------------------------------------------------

/** A matched concept term, as a span of character offsets in the compact form of the keyword. */
interface Match {
  concept: number;
  start: number;
  end: number;
}

/** The keyword's words (`tokenize`), their concatenation and each word's start offset in it. */
interface KeywordForm {
  words: string[];
  starts: number[];
  compact: string;
}

function keywordForm(term: string): KeywordForm {
  const words = tokenize(term);
  const starts: number[] = [];
  let compact = '';
  for (const w of words) {
    starts.push(compact.length);
    compact += w;
  }
  return { words, starts, compact };
}

function hangulMatches(form: KeywordForm, idx: MatchIndex, out: Match[]): void {
  const { words, starts, compact } = form;
  for (const e of idx.hangul) {
    if (e.anchored) {
      words.forEach((word, j) => {
        if (HANGUL_RE.test(word[0]) && word.startsWith(e.key)) {
          out.push({ concept: e.concept, start: starts[j], end: starts[j] + e.key.length });
        }
      });
    } else {
      let pos = compact.indexOf(e.key);
      while (pos !== -1) {
        out.push({ concept: e.concept, start: pos, end: pos + e.key.length });
        pos = compact.indexOf(e.key, pos + 1);
      }
    }
  }
}

function latinMatches(term: string, form: KeywordForm, space: LatinSpace, idx: MatchIndex, out: Match[]): void {
  const detailed = analyzePrimaryDetailed(term, space);
  const map = idx.latin[space];
  for (let i = 0; i < detailed.length; i++) {
    const list = map.get(detailed[i].token);
    if (!list) continue;
    for (const e of list) {
      const n = e.tokens.length;
      if (i + n > detailed.length) continue;
      let ok = true;
      for (let k = 1; k < n; k++) {
        if (detailed[i + k].token !== e.tokens[k]) {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      // Spans are expressed in compact-form characters, shared by the three Latin
      // analyses (they keep the same words) and by the Hangul matches.
      const first = detailed[i].index;
      const last = detailed[i + n - 1].index;
      out.push({ concept: e.concept, start: form.starts[first], end: form.starts[last] + form.words[last].length });
    }
  }
}

/** Drop matches whose span lies strictly inside a longer match. */
function dropSubsumed(matches: Match[]): Match[] {
  return matches.filter(
    (m) =>
      !matches.some(
        (o) => o !== m && o.start <= m.start && m.end <= o.end && o.end - o.start > m.end - m.start,
      ),
  );
}

const expandCache = new Map<string, Expansion[]>();
const EXPAND_CACHE_LIMIT = 20_000;

/** Concept ids denoted by a keyword/phrase (any of ko/en/fr/es), in order of appearance. */
export function matchConcepts(term: string): string[] {
  const t = term.trim();
  if (!t) return [];
  const idx = matchIndex();
  const form = keywordForm(t);
  const matches: Match[] = [];
  if (HANGUL_RE.test(t)) hangulMatches(form, idx, matches);
  // Keywords are short: language detection is unreliable on them ("e-government"
  // looks Spanish), so the keyword is compared in every Latin space.
  for (const space of LATIN_SPACES) latinMatches(t, form, space, idx, matches);
  const kept = dropSubsumed(matches).sort((a, b) => a.start - b.start || b.end - a.end);
  const { concepts } = loadGlossary();
  const seen = new Set<number>();
  const ids: string[] = [];
  for (const m of kept) {
    if (seen.has(m.concept)) continue;
    seen.add(m.concept);
    ids.push(concepts[m.concept].id);
  }
  return ids;
}

/**
 * Expand a profile keyword or phrase (ko/en/fr/es) into every term, in every
 * language, of the concepts it denotes (see the matching rule at the top of
 * this file). Returns [] when nothing in the glossary matches.
 */
export function expandTerm(term: string): Expansion[] {
  const key = term.trim();
  if (!key) return [];
  const cached = expandCache.get(key);
  if (cached) return cached;
  const idx = matchIndex();
  const { byId, concepts } = loadGlossary();
  const out: Expansion[] = [];
  for (const id of matchConcepts(key)) {
    const c = byId.get(id);
    if (c) out.push(...idx.expansions[concepts.indexOf(c)]);
  }
  if (expandCache.size >= EXPAND_CACHE_LIMIT) expandCache.clear();
  expandCache.set(key, out);
  return out;
}

/** `expandTerm` over several keywords, deduplicated on (concept, lang, term). */
export function expandTerms(terms: readonly string[]): Expansion[] {
  const seen = new Set<string>();
  const out: Expansion[] = [];
  for (const t of terms) {
    for (const e of expandTerm(t)) {
      const k = `${e.conceptId}\u0000${e.lang}\u0000${e.term}`;
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(e);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Diagnostics (used by tests / data review)
// ---------------------------------------------------------------------------

export interface SharedTerm {
  lang: GlossaryLang;
  /** Analyzed form shared by terms of different concepts. */
  tokens: string;
  concepts: string[];
  terms: string[];
}

export interface GlossaryDiagnostics {
  conceptCount: number;
  termCount: number;
  /** Terms whose analysis yields no token (they could never match). */
  emptyTerms: Array<{ conceptId: string; lang: GlossaryLang; term: string }>;
  /** Terms whose analyzed form is identical across different concepts. */
  sharedTerms: SharedTerm[];
}

export function glossaryDiagnostics(): GlossaryDiagnostics {
  const { concepts } = loadGlossary();
  const emptyTerms: GlossaryDiagnostics['emptyTerms'] = [];
  const forms = new Map<string, { lang: GlossaryLang; tokens: string; concepts: Set<string>; terms: Set<string> }>();
  let termCount = 0;
  for (const c of concepts) {
    for (const lang of GLOSSARY_LANGS) {
      for (const term of c[lang]) {
        termCount++;
        const hangul = HANGUL_RE.test(term);
        const form = hangul ? compactKey(term) : analyzePrimary(term, lang === 'ko' ? 'en' : lang).join(' ');
        if (!form) {
          emptyTerms.push({ conceptId: c.id, lang, term });
          continue;
        }
        const space = hangul ? 'ko' : lang === 'ko' ? 'en' : lang;
        const k = `${space}\u0000${form}`;
        let f = forms.get(k);
        if (!f) {
          f = { lang: space, tokens: form, concepts: new Set(), terms: new Set() };
          forms.set(k, f);
        }
        f.concepts.add(c.id);
        f.terms.add(term);
      }
    }
  }
  const sharedTerms: SharedTerm[] = [];
  for (const f of forms.values()) {
    if (f.concepts.size > 1) {
      sharedTerms.push({ lang: f.lang, tokens: f.tokens, concepts: [...f.concepts], terms: [...f.terms] });
    }
  }
  return { conceptCount: concepts.length, termCount, emptyTerms, sharedTerms };
}
