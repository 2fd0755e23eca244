/**
 * Text analysis shared by indexing (minisearch, SQLite FTS5) and querying.
 *
 * ONE pipeline, used for both sides, so that a word analyzed at query time
 * yields exactly the token it yielded at index time:
 *
 *   1. Unicode NFKC, lower-case.
 *   2. Diacritic folding per character, only for Latin / Greek / Cyrillic
 *      (é→e, ñ→n, ç→c, ü→u, œ→oe, ß→ss …). Hangul is never NFD-decomposed,
 *      so syllables stay syllables.
 *   3. Tokenization on non-letter/digit boundaries; Hangul runs and other
 *      scripts are split apart (`LED조명` → `led`, `조명`). Hyphens and
 *      apostrophes split; French elisions (`l'`, `d'`, `qu'`…) are stop words,
 *      so `d'eau` → `eau`.
 *   4. Stop words: the UNION of small English / French / Spanish lists
 *      (minus a few homographs that are content words in another language,
 *      e.g. `car`, `sea`, `hay`, `it` as in "IT equipment"). Using the union
 *      makes stop-word removal independent of language detection, so the two
 *      sides can never disagree on it.
 *   5. Stemming (Snowball, `snowball-stemmers`) of pure a–z tokens with ONE
 *      stemmer per text: the `lang` hint when given, else the language
 *      detected from the text (stop-word / cue-word / suffix / accent counts),
 *      else English. Korean texts stem their Latin words with English.
 *      Folding happens BEFORE stemming (so `electrique` and `électrique`,
 *      `INSTALACION` and `instalación` give the same stem); a few
 *      unambiguous accented endings the French/Spanish stemmers rely on are
 *      restored first (es `-cion`→`-ción`, `-sion`→`-sión`; fr `-ite(s)`→
 *      `-ité(s)`, `-ee(s)`→`-ée(s)`), the stem is folded again and, for fr/es,
 *      a trailing `e` is dropped (`installe`/`installé` → `install`).
 *      Cross-language matching is NOT expected from stemming: the glossary
 *      expands a concept into each language's own terms, each analyzed with
 *      its own language hint, and those meet the notice text analyzed in its
 *      (detected or declared) language.
 *   6. Digits are kept. Mixed letter+digit tokens are emitted whole AND split
 *      (`iso9001` → `iso9001`, `iso`, `9001`; `40kw` → `40kw`, `40`, `kw`), so
 *      "ISO 9001" and "ISO9001" meet.
 *   7. Korean: each Hangul run is emitted as a whole word, plus the word with
 *      one trailing particle removed when ≥3 syllables remain
 *      (`태양광발전소에서` → `태양광발전소`), plus overlapping syllable
 *      bigrams (`태양광발전` → `태양`, `양광`, `광발`, `발전`), so particles
 *      and compounds still match (`정수기를` ↔ `정수기` via `정수`, `수기`).
 *      A one- or two-syllable run is emitted once, as itself.
 *
 * Every emitted token contains only letters/digits (no marks, no
 * punctuation), so it survives SQLite FTS5 `unicode61 remove_diacritics 0`
 * unchanged; `analyzeForIndex` joins them with single spaces.
 */
import { createRequire } from 'node:module';

export type Lang = 'en' | 'fr' | 'es' | 'ko';
export type StemLang = 'en' | 'fr' | 'es';

interface SnowballStemmer {
  stem(word: string): string;
}
interface SnowballFactory {
  newStemmer(language: string): SnowballStemmer;
  algorithms(): string[];
}

const requireCjs = createRequire(import.meta.url);
const snowball = requireCjs('snowball-stemmers') as SnowballFactory;

// ---------------------------------------------------------------------------
// Stop words (written folded: no accents). Used for detection per language and,
// as a union minus KEEP_WORDS, for removal.
// ---------------------------------------------------------------------------

const STOP_EN = `a an the and or nor but if then than so of to in on at by for with from as into onto upon
about above below over under between through during within without against among per via is are was
were be been being am do does did done has have had having will shall should would may might must can
could this that these those its it which who whom whose what when where why how all any both each few
more most other others some such no not only own same too very also there here their theirs them they
we our ours you your yours he him his she her hers i me my mine us etc eg ie hereby herein hereof
thereof therein thereto whereas whereby wherein please up out off again further once just s t`;

const STOP_FR = `au aux avec ce ces cet cette dans de des du elle elles en et eux il ils je la le les leur leurs
lui ma mais me meme mes moi mon ne nos notre nous on ou par pas pour qu que qui quoi sa se ses son sur ta
te tes toi ton tu un une vos votre vous c d j l m n s t y a ai as ete etre est sont sera seront etait
etaient ont avait avaient aura auront fait faire peut peuvent doit doivent dont donc ainsi afin apres
avant aupres chez contre depuis entre lors pendant selon sans sous vers voici voila tout tous toute
toutes autre autres aussi cela ceci ca celui celle ceux celles lequel laquelle lesquels lesquelles
auquel auxquels duquel desquels ici plus moins tres deja encore non oui si ni soit soient quelque
quelques chaque certains certaines notamment car jusqu lorsqu puisqu quoiqu presqu bien`;

const STOP_ES = `a al algo algunas algunos ante antes como con contra cual cuales cuando de del desde donde
durante e el ella ellas ellos en entre era esa esas ese eso esos esta estas este esto estos fue fueron
ha han hasta hay la las le les lo los mas me mi mis mucho muy nada ni no nos nosotros o os otra otras
otro otros para pero poco por porque que quien quienes se sea sean ser si sin sobre solo su sus tambien
tanto te ti todo todos toda todas tu tus u un una unas uno unos y ya yo cada dicho dicha dichos dichas
mediante segun tras hacia bajo cuyo cuya cuyos cuyas asi aun aunque estan estar sera seran son sido
siendo habia haber hubo debe deben debera deberan podra podran puede pueden asimismo dentro bien`;

/** In a stop list of one language but a content word in another (or in tenders). */
const KEEP_WORDS = new Set([
  'car', // fr "because" / en vehicle
  'hay', // es "there is" / en fodder
  'sea', // es subjunctive / en sea
  'era', // es "was" / en era
  'e', // es "and" (rare) / e-government, e-learning
  'it', // en pronoun / "IT equipment"
  'ai', // fr "(j')ai" / AI
  'bien', // fr/es "well" / es "bien" = goods
]);

function words(s: string): string[] {
  return s.split(/\s+/).filter(Boolean);
}

const STOP_SETS: Record<StemLang, Set<string>> = {
  en: new Set(words(STOP_EN)),
  fr: new Set(words(STOP_FR)),
  es: new Set(words(STOP_ES)),
};

const STOP_UNION: Set<string> = new Set(
  [...STOP_SETS.en, ...STOP_SETS.fr, ...STOP_SETS.es].filter((w) => !KEEP_WORDS.has(w)),
);

/** Korean function words, removed only when they are a whole Hangul run. */
const STOP_KO = new Set(
  words(`및 등 또는 그리고 위한 대한 관한 통한 의한 따른 있는 하는 있다 한다 위해 대해 통해 이 그 저 것 수 더 중 기타 각종 관련 해당 모든`),
);

/** Trailing Korean particles (longest first) stripped to produce an extra whole-word token. */
const KO_PARTICLES = words(
  `에서는 에게서 으로는 으로써 으로서 에서 으로 에게 까지 부터 에는 와의 과의 이나 이며 이고 하고 을 를 은 는 이 가 의 에 로 와 과 도 만`,
);

export function isStopWord(token: string): boolean {
  return STOP_UNION.has(token);
}

// ---------------------------------------------------------------------------
// Language detection cues (folded).
// ---------------------------------------------------------------------------

const CUES: Record<StemLang, Set<string>> = {
  en: new Set(
    words(`supply supplies procurement goods works tender tenders bid bids bidders bidding delivery request
    quotation quotations proposal proposals consultancy consulting provision purchase expression interest
    deadline equipment training water power building road roads hiring firm contractor contractors`),
  ),
  fr: new Set(
    words(`fourniture fournitures travaux marche marches appel offres offre avis prestations prestation
    entretien realisation equipements materiel materiels achat achats reseau etude etudes mise oeuvre eau
    electrique solaire solaires panneaux pompe pompes forage forages assainissement batiment batiments
    recrutement cabinet sante vehicules renforcement amenagement manifestation interet demande cotation
    prix date limite lot`),
  ),
  es: new Set(
    words(`suministro suministros adquisicion obras servicios contratacion licitacion equipos consultoria
    construccion mantenimiento compra estudio estudios red agua proyecto solicitud propuesta propuestas
    oferta ofertas bienes instalacion sistema energia paneles bomba bombas salud capacitacion vehiculos
    rehabilitacion mejoramiento fortalecimiento firma consultor consultora expresiones interes cotizacion
    precios fecha plazo`),
  ),
};

const SUFFIX_CUES: Array<[string, StemLang]> = [
  ['ciones', 'es'],
  ['cion', 'es'],
  ['mientos', 'es'],
  ['miento', 'es'],
  ['dades', 'es'],
  ['dad', 'es'],
  ['eaux', 'fr'],
  ['iques', 'fr'],
  ['ique', 'fr'],
  ['eurs', 'fr'],
  ['ees', 'fr'],
  ['ings', 'en'],
  ['ing', 'en'],
  ['ness', 'en'],
  ['ship', 'en'],
  ['ity', 'en'],
];

const ES_CHARS_RE = /[ñ¡¿áíóú]/g;
const FR_CHARS_RE = /[çèêàùœîâôûëï]/g;

// ---------------------------------------------------------------------------
// Normalization / folding
// ---------------------------------------------------------------------------

const NON_ASCII_RE = /[^\x00-\x7f]/;
// Latin-1 supplement .. Latin Extended Additional, combining marks, Greek, Cyrillic.
const FOLD_RE = /[\u00aa\u00b5\u00ba\u00c0-\u024f\u0300-\u036f\u0370-\u03ff\u0400-\u04ff\u1e00-\u1eff]/g;
const COMBINING_RE = /[\u0300-\u036f]/g;
const SPECIAL_FOLD: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ł: 'l',
  ı: 'i',
  ħ: 'h',
  ŀ: 'l',
  ς: 'σ',
  ª: 'a',
  º: 'o',
  µ: 'μ',
};
const foldCache = new Map<string, string>();

function foldChar(c: string): string {
  let r = foldCache.get(c);
  if (r === undefined) {
    r = SPECIAL_FOLD[c] ?? c.normalize('NFD').replace(COMBINING_RE, '');
    foldCache.set(c, r);
  }
  return r;
}

/** NFKC + lower-case + diacritic folding (Hangul untouched). */
export function normalizeText(text: string): string {
  const s = text.normalize('NFKC').toLowerCase();
  return NON_ASCII_RE.test(s) ? s.replace(FOLD_RE, foldChar) : s;
}

// Hangul runs, or runs of non-Hangul letters/digits (marks are separators, as in unicode61).
const TOKEN_RE = new RegExp('\\p{sc=Hangul}+|[[\\p{L}\\p{N}]--\\p{sc=Hangul}]+', 'gv');
const HANGUL_START_RE = /^\p{sc=Hangul}/u;
const HANGUL_SYLLABLE_RE = /[\uac00-\ud7a3]/;
const ASCII_LETTERS_RE = /^[a-z]+$/;
const HAS_DIGIT_RE = /[0-9]/;
const ALPHA_NUM_SPLIT_RE = /[0-9]+|[^0-9]+/g;

const MAX_TOKEN_LENGTH = 64;
const MAX_HANGUL_WORD = 24;
const DETECT_TOKEN_LIMIT = 200;

function rawTokens(norm: string): string[] {
  return norm.match(TOKEN_RE) ?? [];
}

function isHangulToken(tok: string): boolean {
  return HANGUL_START_RE.test(tok);
}

// ---------------------------------------------------------------------------
// Language
// ---------------------------------------------------------------------------

/** Map a language hint ('EN', 'fr-FR', 'Spanish', 'kor'…) to a supported code, or null. */
export function normalizeLang(lang: string | null | undefined): Lang | null {
  if (!lang) return null;
  const l = lang.trim().toLowerCase();
  if (l.startsWith('en')) return 'en';
  if (l.startsWith('fr')) return 'fr';
  if (l.startsWith('es') || l.startsWith('sp')) return 'es';
  if (l.startsWith('ko')) return 'ko';
  return null;
}

/** token → [en, fr, es] evidence (stop words + cue words), precomputed once. */
const DETECT_WEIGHTS: Map<string, [number, number, number]> = (() => {
  const m = new Map<string, [number, number, number]>();
  const add = (set: Set<string>, idx: 0 | 1 | 2) => {
    for (const w of set) {
      let v = m.get(w);
      if (!v) {
        v = [0, 0, 0];
        m.set(w, v);
      }
      v[idx] += 1;
    }
  };
  add(STOP_SETS.en, 0);
  add(STOP_SETS.fr, 1);
  add(STOP_SETS.es, 2);
  add(CUES.en, 0);
  add(CUES.fr, 1);
  add(CUES.es, 2);
  return m;
})();
const LANG_INDEX: Record<StemLang, 0 | 1 | 2> = { en: 0, fr: 1, es: 2 };

function detectFromTokens(tokens: string[], lowered: string | null): Lang | null {
  let hangul = 0;
  let latin = 0;
  const score: [number, number, number] = [0, 0, 0];
  const n = Math.min(tokens.length, DETECT_TOKEN_LIMIT);
  for (let i = 0; i < n; i++) {
    if (i === 60 && hangul === 0) {
      // Early exit once one language clearly dominates.
      const hi = Math.max(score[0], score[1], score[2]);
      const sum = score[0] + score[1] + score[2];
      if (hi >= 12 && hi * 2 >= sum + hi / 2) break;
    }
    const t = tokens[i];
    const c = t.charCodeAt(0);
    if (c >= 0x1100 && isHangulToken(t)) {
      if (HANGUL_SYLLABLE_RE.test(t)) hangul++;
      continue;
    }
    latin++;
    const w = DETECT_WEIGHTS.get(t);
    if (w !== undefined) {
      score[0] += w[0];
      score[1] += w[1];
      score[2] += w[2];
    } else if (t.length > 4) {
      for (const [suf, l] of SUFFIX_CUES) {
        if (t.endsWith(suf)) {
          score[LANG_INDEX[l]] += 0.5;
          break;
        }
      }
    }
  }
  if (hangul > 0 && hangul * 2 >= latin) return 'ko';
  if (lowered !== null && NON_ASCII_RE.test(lowered)) {
    const sample = lowered.length > 4000 ? lowered.slice(0, 4000) : lowered;
    score[2] += 0.5 * (sample.match(ES_CHARS_RE)?.length ?? 0);
    score[1] += 0.5 * (sample.match(FR_CHARS_RE)?.length ?? 0);
  }
  const order: StemLang[] = ['en', 'fr', 'es'];
  let best = 0;
  for (let i = 1; i < 3; i++) if (score[i] > score[best]) best = i;
  let second = -1;
  for (let i = 0; i < 3; i++) if (i !== best && score[i] > second) second = score[i];
  if (score[best] < 1 || score[best] - second < 0.5) return null;
  return order[best];
}

/** Cheap language guess: 'ko' when Hangul dominates, else en/fr/es by stop/cue words; null if unsure. */
export function detectLanguage(text: string): Lang | null {
  if (!text) return null;
  const lowered = text.normalize('NFKC').toLowerCase();
  const norm = NON_ASCII_RE.test(lowered) ? lowered.replace(FOLD_RE, foldChar) : lowered;
  return detectFromTokens(rawTokens(norm), lowered);
}

// ---------------------------------------------------------------------------
// Stemming
// ---------------------------------------------------------------------------

const stemmers: Partial<Record<StemLang, SnowballStemmer>> = {};
const STEMMER_NAMES: Record<StemLang, string> = { en: 'english', fr: 'french', es: 'spanish' };
const stemCaches: Record<StemLang, Map<string, string>> = {
  en: new Map(),
  fr: new Map(),
  es: new Map(),
};
const STEM_CACHE_LIMIT = 200_000;

function stemmerFor(lang: StemLang): SnowballStemmer {
  let s = stemmers[lang];
  if (!s) {
    s = snowball.newStemmer(STEMMER_NAMES[lang]);
    stemmers[lang] = s;
  }
  return s;
}

function reaccent(word: string, lang: StemLang): string {
  if (lang === 'es') {
    if (word.endsWith('cion')) return `${word.slice(0, -4)}ción`;
    if (word.endsWith('sion')) return `${word.slice(0, -4)}sión`;
  } else if (lang === 'fr') {
    if (word.endsWith('ites')) return `${word.slice(0, -4)}ités`;
    if (word.endsWith('ite')) return `${word.slice(0, -3)}ité`;
    if (word.endsWith('ees')) return `${word.slice(0, -3)}ées`;
    if (word.endsWith('ee')) return `${word.slice(0, -2)}ée`;
  }
  return word;
}

function computeStem(word: string, lang: StemLang): string {
  if (lang === 'en') return stemmerFor('en').stem(word);
  let r = stemmerFor(lang).stem(reaccent(word, lang));
  if (NON_ASCII_RE.test(r)) r = r.replace(FOLD_RE, foldChar);
  if (r.length >= 4 && r.endsWith('e')) r = r.slice(0, -1);
  return r || word;
}

/** Stem one already-normalized (folded, lower-case a–z) word with the given language's stemmer. */
export function stem(word: string, lang: StemLang = 'en'): string {
  if (word.length < 3) return word;
  const cache = stemCaches[lang];
  let r = cache.get(word);
  if (r === undefined) {
    r = computeStem(word, lang);
    if (cache.size >= STEM_CACHE_LIMIT) cache.clear();
    cache.set(word, r);
  }
  return r;
}

// ---------------------------------------------------------------------------
// Korean
// ---------------------------------------------------------------------------

/** The Hangul word minus one trailing particle, or null (needs ≥ minRest syllables left). */
export function stripKoreanParticle(word: string, minRest = 2): string | null {
  for (const p of KO_PARTICLES) {
    if (word.length - p.length >= minRest && word.endsWith(p)) return word.slice(0, -p.length);
  }
  return null;
}

function emitHangul(run: string, out: string[]): void {
  if (STOP_KO.has(run)) return;
  const n = run.length;
  if (n <= 2) {
    out.push(run);
    return;
  }
  if (n <= MAX_HANGUL_WORD) {
    out.push(run);
    const stripped = stripKoreanParticle(run, 3);
    if (stripped !== null) out.push(stripped);
  }
  for (let i = 0; i + 1 < n; i++) out.push(run.slice(i, i + 2));
}

// ---------------------------------------------------------------------------
// Analysis
// ---------------------------------------------------------------------------

/** Per stemming language: raw token → output token (null = dropped), for tokens that map to ≤ 1 token. */
const tokenCaches: Record<StemLang, Map<string, string | null>> = {
  en: new Map(),
  fr: new Map(),
  es: new Map(),
};

function emitOther(tok: string, stemLang: StemLang, out: string[]): void {
  const cache = tokenCaches[stemLang];
  const cached = cache.get(tok);
  if (cached !== undefined) {
    if (cached !== null) out.push(cached);
    return;
  }
  let single: string | null;
  if (tok.length > MAX_TOKEN_LENGTH || STOP_UNION.has(tok)) {
    single = null;
  } else if (ASCII_LETTERS_RE.test(tok)) {
    single = stem(tok, stemLang);
  } else if (HAS_DIGIT_RE.test(tok)) {
    const parts = tok.match(ALPHA_NUM_SPLIT_RE);
    out.push(tok);
    if (parts !== null && parts.length > 1) {
      for (const p of parts) {
        if (STOP_UNION.has(p)) continue;
        out.push(ASCII_LETTERS_RE.test(p) ? stem(p, stemLang) : p);
      }
    }
    return; // not cached: numbers are mostly unique
  } else {
    single = tok; // other scripts / non-ASCII Latin: unstemmed
  }
  if (cache.size >= STEM_CACHE_LIMIT) cache.clear();
  cache.set(tok, single);
  if (single !== null) out.push(single);
}

/**
 * Analyze text into the token stream used for BOTH indexing and querying.
 * `lang` (en/fr/es/ko, loose forms accepted) selects the stemmer; when absent
 * or unknown the language is detected from the text (fallback: English).
 */
export function analyze(text: string, lang?: string | null): string[] {
  if (!text) return [];
  const lowered = text.normalize('NFKC').toLowerCase();
  const norm = NON_ASCII_RE.test(lowered) ? lowered.replace(FOLD_RE, foldChar) : lowered;
  const toks = rawTokens(norm);
  if (toks.length === 0) return [];
  const hint = normalizeLang(lang);
  const effective = hint ?? detectFromTokens(toks, lowered);
  const stemLang: StemLang = effective === 'fr' || effective === 'es' ? effective : 'en';
  const out: string[] = [];
  for (const t of toks) {
    if (isHangulToken(t)) emitHangul(t, out);
    else emitOther(t, stemLang, out);
  }
  return out;
}

/** Tokens joined by single spaces: the text stored in the FTS5 column. */
export function analyzeForIndex(text: string, lang?: string | null): string {
  return analyze(text, lang).join(' ');
}

/**
 * "Primary" tokens: same normalization, stop words and stemming as `analyze`,
 * but without the derived tokens (no Korean bigrams / particle-stripped forms,
 * no split parts of letter+digit tokens). Used for phrase matching in the
 * glossary, where token positions must correspond to words.
 */
export function analyzePrimary(text: string, lang?: string | null): string[] {
  return analyzePrimaryDetailed(text, lang).map((t) => t.token);
}

export interface PrimaryToken {
  /** The analyzed token. */
  token: string;
  /** Index of the source word in `tokenize(text)`. */
  index: number;
}

/** `analyzePrimary` with, for each token, the index of its source word in `tokenize(text)`. */
export function analyzePrimaryDetailed(text: string, lang?: string | null): PrimaryToken[] {
  if (!text) return [];
  const lowered = text.normalize('NFKC').toLowerCase();
  const norm = NON_ASCII_RE.test(lowered) ? lowered.replace(FOLD_RE, foldChar) : lowered;
  const toks = rawTokens(norm);
  const hint = normalizeLang(lang);
  const effective = hint ?? detectFromTokens(toks, lowered);
  const stemLang: StemLang = effective === 'fr' || effective === 'es' ? effective : 'en';
  const out: PrimaryToken[] = [];
  toks.forEach((t, index) => {
    if (isHangulToken(t)) {
      if (!STOP_KO.has(t)) out.push({ token: t, index });
    } else if (t.length <= MAX_TOKEN_LENGTH && !STOP_UNION.has(t)) {
      out.push({ token: ASCII_LETTERS_RE.test(t) ? stem(t, stemLang) : t, index });
    }
  });
  return out;
}

/** Normalized word tokens before stop-word removal and stemming (for diagnostics / matching helpers). */
export function tokenize(text: string): string[] {
  return text ? rawTokens(normalizeText(text)) : [];
}
