/**
 * A tender as the matcher sees it: analyzed token streams per field plus the facts the hard
 * filters need. Built once per tender and shared by every profile.
 */
import { analyze } from './analyzer.js';
import { toUsd } from './currency.js';

export type TenderCategory = 'goods' | 'works' | 'consulting' | 'non_consulting';

export interface TenderFacts {
  id: number;
  source: string;
  title: string;
  description: string | null;
  buyer: string | null;
  countries: string[];
  unspsc: string[];
  noticeType: string;
  category: string | null;
  deadlineAt: string | null;
  publishedAt: string | null;
  status: string;
  valueAmount: number | null;
  valueCurrency: string | null;
  language: string | null;
}

export interface TenderDoc extends TenderFacts {
  titleTokens: string[];
  bodyTokens: string[];
  titleSet: Set<string>;
  bodySet: Set<string>;
  /** Stated category, else inferred from the title (see inferCategory). */
  effectiveCategory: TenderCategory | null;
  categoryInferred: boolean;
  /** Inferred only from a call for expressions of interest. */
  categoryWeak: boolean;
  valueUsd: number | null;
}

// Words that mark a consultancy or study rather than a purchase of goods or works, in the
// three notice languages. Matched on the folded title, whole words.
const CONSULTING_MARKERS = [
  'consultant', 'consultants', 'consultancy', 'consulting', 'consultoria', 'consultor', 'consultores',
  'expression of interest', 'expressions of interest', 'manifestation d interet', 'manifestations d interet',
  'expresion de interes', 'expresiones de interes', 'feasibility study', 'study', 'studies', 'etude', 'etudes',
  'estudio', 'estudios', 'technical assistance', 'assistance technique', 'asistencia tecnica', 'assessment',
  'evaluation', 'evaluacion', 'audit', 'auditoria', 'advisory', 'individual consultant', 'firm to',
  'services of a firm', 'capacity building', 'training', 'formation', 'capacitacion', 'survey', 'diagnostic',
];
const WORKS_MARKERS = ['construction of', 'rehabilitation of', 'civil works', 'travaux', 'obras', 'construccion', 'works for'];

function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ');
}

const consultingRe = new RegExp(`\\b(${CONSULTING_MARKERS.map((m) => m.replace(/ /g, ' ')).join('|')})\\b`);
const worksRe = new RegExp(`\\b(${WORKS_MARKERS.join('|')})\\b`);

const EOI_RE = /\b(expressions? of interest|manifestations? d interet|expresion(es)? de interes)\b/;

/**
 * Category from the title when the source states none; consultancy markers win over works.
 * A call for expressions of interest is usually, not always, for services: `weak`.
 */
export function inferCategory(title: string, noticeType: string): { category: TenderCategory; weak: boolean } | null {
  const t = ` ${fold(title)} `.replace(EOI_RE, ' ');
  if (consultingRe.test(t)) return { category: 'consulting', weak: false };
  if (worksRe.test(t)) return { category: 'works', weak: false };
  if (noticeType === 'expression_of_interest' || EOI_RE.test(fold(title))) return { category: 'consulting', weak: true };
  return null;
}

export function buildTenderDoc(f: TenderFacts): TenderDoc {
  const titleTokens = analyze(f.title, f.language);
  const bodyTokens = f.description ? analyze(f.description, f.language) : [];
  const stated = (f.category as TenderCategory | null) ?? null;
  const inferred = stated ? null : inferCategory(f.title, f.noticeType);
  return {
    ...f,
    titleTokens,
    bodyTokens,
    titleSet: new Set(titleTokens),
    bodySet: new Set(bodyTokens),
    effectiveCategory: stated ?? inferred?.category ?? null,
    categoryInferred: !stated && inferred !== null,
    categoryWeak: !stated && inferred?.weak === true,
    valueUsd: f.valueAmount !== null && f.valueCurrency ? toUsd(f.valueAmount, f.valueCurrency) : null,
  };
}
