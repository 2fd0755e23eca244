/**
 * Candidate selection and scoring, separated as stored-query engines do: a minisearch index
 * over a chunk of tenders (analyzed tokens, plus UNSPSC prefix tokens) gives each profile the
 * tenders holding all tokens of at least one of its phrases or one of its codes; the pure
 * scorer then decides. Scoring never depends on the corpus, so matching in chunks, or only
 * the new tenders, gives exactly what a full match gives.
 */
import MiniSearch from 'minisearch';
import { analyze } from './analyzer.js';
import { loadGlossary } from './glossary.js';
import type { CompiledProfile } from './profile-query.js';
import { scoreTender, type ScoreOutcome, type ScoringContext } from './scoring.js';
import type { TenderDoc } from './tender-doc.js';

/** Procurement boilerplate that says little about what is bought; phrases of only these count half. */
const GENERIC_WORDS = [
  'system', 'systems', 'service', 'services', 'supply', 'supplies', 'equipment', 'works', 'work', 'project', 'programme',
  'program', 'support', 'provision', 'goods', 'procurement', 'contract', 'national', 'public', 'management',
  'development', 'installation', 'material', 'materials', 'various', 'office', 'delivery', 'purchase', 'acquisition',
  'solution', 'solutions', 'technical', 'general', 'new', 'item', 'items', 'lot', 'phase',
  'systeme', 'fourniture', 'fournitures', 'equipement', 'equipements', 'travaux', 'projet', 'acquisition', 'prestation',
  'sistema', 'sistemas', 'servicio', 'servicios', 'suministro', 'equipo', 'equipos', 'obras', 'proyecto', 'adquisicion',
];

let genericTokens: Set<string> | null = null;
function generic(): Set<string> {
  if (!genericTokens) {
    genericTokens = new Set<string>();
    for (const w of GENERIC_WORDS) for (const lang of ['en', 'fr', 'es']) for (const t of analyze(w, lang)) genericTokens.add(t);
  }
  return genericTokens;
}

/**
 * Token weight for phrase specificity: generic procurement words weigh 1, others 3, on the
 * scale `specificity()` expects (a lone generic word → 0.5, any specific word → 1).
 */
export function tokenWeight(token: string): number {
  return generic().has(token) ? 1 : 4.5;
}

/** UNSPSC segments of glossary concepts found in the tender text (when it publishes no codes). */
export function createSegmentInferrer() {
  const byFirst = new Map<string, { required: string[]; segment: string }[]>();
  for (const c of loadGlossary().concepts) {
    for (const lang of ['en', 'fr', 'es'] as const) {
      for (const term of c[lang]) {
        const required = analyze(term, lang);
        if (required.length === 0) continue;
        // Index by the rarest-looking token: a specific token prunes more than a generic one.
        const key = [...required].sort((a, b) => tokenWeight(b) - tokenWeight(a) || b.length - a.length)[0];
        const list = byFirst.get(key) ?? [];
        list.push({ required, segment: c.segment });
        byFirst.set(key, list);
      }
    }
  }
  const cache = new WeakMap<TenderDoc, string[]>();
  return (doc: TenderDoc): string[] => {
    const hit = cache.get(doc);
    if (hit) return hit;
    const segments = new Set<string>();
    for (const set of [doc.titleSet, doc.bodySet]) {
      for (const t of set) {
        for (const ph of byFirst.get(t) ?? []) {
          if (ph.required.every((r) => set.has(r))) segments.add(ph.segment);
        }
      }
    }
    const out = [...segments].sort();
    cache.set(doc, out);
    return out;
  };
}

function codeTokens(codes: string[]): string[] {
  const out = new Set<string>();
  for (const c of codes) for (let len = 2; len <= c.length; len += 2) out.add(`u${c.slice(0, len)}`);
  return [...out];
}

const splitTokens = (s: string) => (s ? s.split(' ') : []);

export interface ChunkIndex {
  docs: TenderDoc[];
  search: MiniSearch<{ id: number; title: string; body: string; codes: string }>;
}

export function indexChunk(docs: TenderDoc[], inferSegments?: (d: TenderDoc) => string[]): ChunkIndex {
  const search = new MiniSearch<{ id: number; title: string; body: string; codes: string }>({
    fields: ['title', 'body', 'codes'],
    idField: 'id',
    storeFields: [],
    tokenize: splitTokens,
    processTerm: (t) => t || null,
    searchOptions: { tokenize: splitTokens, processTerm: (t) => t, fields: ['title', 'body', 'codes'] },
  });
  search.addAll(
    docs.map((d, i) => ({
      id: i,
      title: [...d.titleSet].join(' '),
      body: [...d.bodySet].join(' '),
      codes: codeTokens(d.unspsc.length ? d.unspsc : inferSegments ? inferSegments(d) : []).join(' '),
    })),
  );
  return { docs, search };
}

/** Tenders of the chunk that could match: all tokens of some phrase, or a code token. */
export function candidates(index: ChunkIndex, p: CompiledProfile): TenderDoc[] {
  const queries: (string | { combineWith: 'AND'; queries: string[] })[] = p.phrases.map((ph) =>
    ph.required.length === 1 ? ph.required[0] : { combineWith: 'AND' as const, queries: ph.required },
  );
  for (const c of p.unspsc) for (const t of codeTokens([c])) queries.push(t);
  if (queries.length === 0) return [];
  const results = index.search.search({ combineWith: 'OR', queries });
  return results.map((r) => index.docs[r.id as number]);
}

export interface ScoredPair {
  firmId: string;
  doc: TenderDoc;
  outcome: ScoreOutcome;
}

export function scoringContext(now: Date | null, inferSegments?: (d: TenderDoc) => string[], snippetMin?: number): ScoringContext {
  return { now, idf: tokenWeight, inferredSegments: inferSegments, snippetMin };
}

/** Every (profile, candidate) pair of the chunk, scored. */
export function* matchChunk(index: ChunkIndex, profiles: CompiledProfile[], ctx: ScoringContext): Generator<ScoredPair> {
  for (const p of profiles) {
    for (const doc of candidates(index, p)) {
      yield { firmId: p.firmId, doc, outcome: scoreTender(p, doc, ctx) };
    }
  }
}
