import { describe, expect, it } from 'vitest';
import { emptyProfile, type FirmProfile } from '../../src/firms/profile.js';
import { scoringContext } from '../../src/matching/engine.js';
import { decodeExplanation, encodeExplanation, explanationKeywords } from '../../src/matching/explanation-codec.js';
import { compileProfile, type FeedbackAdjustments } from '../../src/matching/profile-query.js';
import { scoreTender, type Explanation } from '../../src/matching/scoring.js';
import { buildTenderDoc, type TenderFacts } from '../../src/matching/tender-doc.js';

const NOW = new Date('2026-11-21T00:00:00Z');
const ctx = scoringContext(NOW);

function facts(o: Partial<TenderFacts> & { id: number; title: string }): TenderFacts {
  return {
    source: 'test', description: null, buyer: null, countries: [], unspsc: [], noticeType: 'invitation_to_bid', category: null,
    deadlineAt: '2026-12-31T00:00:00.000Z', publishedAt: '2026-11-01T00:00:00.000Z', status: 'open', valueAmount: null,
    valueCurrency: null, language: 'en', ...o,
  };
}

const LONG =
  'The Ministry of Health invites sealed bids from eligible bidders for the supply, delivery and installation of equipment. ' +
  'Lot 1 covers hospital beds; Lot 2 covers   water purifiers for 40 district clinics, with training of staff; ' +
  'Lot 3 covers solar photovoltaic systems with battery storage for the clinics that have no grid connection at all.';

function scored(p: Partial<FirmProfile>, f: TenderFacts, feedback?: FeedbackAdjustments): Explanation {
  const o = scoreTender(compileProfile('f1', 1, { ...emptyProfile(), ...p }, feedback), buildTenderDoc(f), ctx);
  if (o.kind !== 'match') throw new Error(`expected a match, got: ${o.reason}`);
  return o.explanation;
}

const cases: [string, Partial<FirmProfile>, TenderFacts, FeedbackAdjustments?][] = [
  ['a title hit', { keywords: ['solar PV'] }, facts({ id: 1, title: 'Supply of solar PV systems', countries: ['KE'] })],
  ['description hits deep in a long text, spaces collapsed', { keywords: ['water purifier', 'battery storage'] }, facts({ id: 2, title: 'Medical equipment', description: LONG })],
  ['a glossary hit across languages', { keywords: ['정수기'] }, facts({ id: 3, title: "Acquisition de purificateurs d'eau pour les écoles", language: 'fr' })],
  ['codes, factors and unknowns', { keywords: ['laptops'], unspsc: ['432115'], countries: ['KE'] }, facts({ id: 4, title: 'Consultancy for laptops', unspsc: ['43211503'], noticeType: 'contract_award' })],
  ['a keyword down-weighted by feedback', { keywords: ['solar PV', 'mini-grid'] }, facts({ id: 5, title: 'Solar PV mini-grid', buyer: 'UNOPS' }), { buyers: { unops: { factor: 0.8, rejected: 2 } }, keywords: { 'solar PV': { factor: 0.6, rejected: 3 } } }],
];

describe('stored explanations', () => {
  it.each(cases)('come back as the scorer built them, key for key: %s', (_name, p, f, feedback) => {
    const e = scored(p, f, feedback);
    const stored = encodeExplanation(e, f);
    const back = decodeExplanation(stored, f);
    // Same keys in the same order, so the API's JSON is what it was before the format.
    expect(JSON.stringify(back)).toBe(JSON.stringify(e));
  });

  it('cover what the cases are meant to (snippets, glossary, codes, factors, feedback)', () => {
    const all = cases.map(([, p, f, fb]) => scored(p, f, fb));
    const hits = all.flatMap((e) => e.text.hits);
    expect(hits.some((h) => h.field === 'description' && h.snippet.startsWith('…') && h.snippet.endsWith('…'))).toBe(true);
    expect(hits.some((h) => h.origin === 'glossary' && h.lang === 'fr')).toBe(true);
    expect(hits.some((h) => h.feedbackFactor === 0.6)).toBe(true);
    expect(all.some((e) => e.codes.relations.length > 0 && e.factors.length > 0 && e.unknown.length > 0)).toBe(true);
  });

  it('are under half the size of the object they stand for', () => {
    for (const [, p, f, fb] of cases) {
      const e = scored(p, f, fb);
      expect(Buffer.byteLength(encodeExplanation(e, f))).toBeLessThan(Buffer.byteLength(JSON.stringify(e)) / 2);
    }
  });

  it('cut the snippet from the text as it is now when the field changed since scoring', () => {
    const f = facts({ id: 2, title: 'Medical equipment', description: LONG });
    const stored = encodeExplanation(scored({ keywords: ['water purifier'] }, f), f);
    const amended = { title: f.title, description: 'Corrigendum: the deadline moves. ' + LONG };
    const hit = (decodeExplanation(stored, amended) as Explanation).text.hits[0];
    expect(hit.snippet).toContain('water purifiers for 40 district clinics');
    // An unchanged field is cut at the stored offset: the same text the scorer showed.
    expect((decodeExplanation(stored, f) as Explanation).text.hits[0].snippet).toBe(scored({ keywords: ['water purifier'] }, f).text.hits[0].snippet);
  });

  it('keep object explanations (older rows, recommendations) as they are and refuse unknown formats', () => {
    const old = { score: 1, scoringVersion: 0, text: { score: 0, hits: [{ keyword: 'solar', snippet: 'kept' }] }, recommendedBy: 'adv-1' };
    expect(decodeExplanation(JSON.stringify(old), { title: 'x', description: null })).toEqual(old);
    expect(explanationKeywords(JSON.stringify(old))).toEqual(['solar']);
    expect(() => decodeExplanation('[9, 1]', { title: 'x', description: null })).toThrow(/format 9/);
  });

  it('name their keywords without cutting snippets', () => {
    const f = facts({ id: 2, title: 'Medical equipment', description: LONG });
    const e = scored({ keywords: ['water purifier', 'battery storage'] }, f);
    expect(explanationKeywords(encodeExplanation(e, f))).toEqual(e.text.hits.map((h) => h.keyword));
    expect(e.text.hits.length).toBe(2);
  });
});
