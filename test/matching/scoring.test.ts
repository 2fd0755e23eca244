import { describe, expect, it } from 'vitest';
import { emptyProfile, type FirmProfile } from '../../src/firms/profile.js';
import { indexChunk, matchChunk, scoringContext } from '../../src/matching/engine.js';
import { compileProfile } from '../../src/matching/profile-query.js';
import { belowMinimum, codeRelation, scoreTender, WEIGHTS, type Explanation } from '../../src/matching/scoring.js';
import { buildProfileIndex, percolateAndScore } from '../../src/matching/percolator.js';
import { buildTenderDoc, type TenderFacts } from '../../src/matching/tender-doc.js';

const NOW = new Date('2026-11-21T00:00:00Z');

function facts(o: Partial<TenderFacts> & { id: number; title: string }): TenderFacts {
  return {
    source: 'test', description: null, buyer: null, countries: [], unspsc: [], noticeType: 'invitation_to_bid', category: null,
    deadlineAt: '2026-12-31T00:00:00.000Z', publishedAt: '2026-11-01T00:00:00.000Z', status: 'open', valueAmount: null,
    valueCurrency: null, language: 'en', ...o,
  };
}
const profile = (o: Partial<FirmProfile>) => compileProfile('f1', 1, { ...emptyProfile(), ...o });
const ctx = scoringContext(NOW);
const score = (p: ReturnType<typeof profile>, f: TenderFacts) => scoreTender(p, buildTenderDoc(f), ctx);
const explanation = (o: ReturnType<typeof score>): Explanation => {
  if (o.kind !== 'match') throw new Error(`expected a match, got: ${o.reason}`);
  return o.explanation;
};

describe('hard filters', () => {
  const solar = profile({ keywords: ['solar PV'] });
  const base = { id: 1, title: 'Supply of solar PV systems' };

  it('keeps only open tenders', () => {
    expect(score(solar, facts({ ...base, status: 'closed' }))).toEqual({ kind: 'filtered', reason: 'status is closed' });
    expect(score(solar, facts(base)).kind).toBe('match');
  });

  it('drops tenders closing sooner than the minimum days', () => {
    const p = profile({ keywords: ['solar PV'], minDaysToDeadline: 14 });
    expect(score(p, facts({ ...base, deadlineAt: '2026-11-28T00:00:00.000Z' })).kind).toBe('filtered');
    expect(score(p, facts({ ...base, deadlineAt: '2026-12-10T00:00:00.000Z' })).kind).toBe('match');
  });

  it('filters countries, keeping tenders that name none (flagged unknown)', () => {
    const p = profile({ keywords: ['solar PV'], countries: ['AF', 'east-africa'] });
    expect(score(p, facts({ ...base, countries: ['FR'] })).kind).toBe('filtered');
    expect(explanation(score(p, facts({ ...base, countries: ['KE'] }))).filtersPassed).toContain('country KE');
    expect(explanation(score(p, facts({ ...base, countries: [] }))).unknown).toContain('country not stated');
  });

  it('filters notice types and categories', () => {
    expect(score(profile({ keywords: ['solar PV'], noticeTypes: ['request_for_quotation'] }), facts(base)).kind).toBe('filtered');
    expect(score(profile({ keywords: ['solar PV'], categories: ['works'] }), facts({ ...base, category: 'goods' })).kind).toBe('filtered');
    expect(score(profile({ keywords: ['solar PV'], categories: ['goods'] }), facts({ ...base, category: 'goods' })).kind).toBe('match');
  });

  it('filters the value range in USD and applies the unknown-value policy', () => {
    const p = profile({ keywords: ['solar PV'], maxValueUsd: 1_000_000 });
    expect(score(p, facts({ ...base, valueAmount: 5_000_000, valueCurrency: 'EUR' })).kind).toBe('filtered');
    expect(score(p, facts({ ...base, valueAmount: 500_000, valueCurrency: 'EUR' })).kind).toBe('match');
    expect(explanation(score(p, facts(base))).unknown).toContain('value not stated');
    const strict = profile({ keywords: ['solar PV'], maxValueUsd: 1_000_000, unknownValuePolicy: 'exclude' });
    expect(score(strict, facts(base)).kind).toBe('filtered');
  });

  it('drops a tender with an excluded phrase in the title, and down-weights one in the description', () => {
    const p = profile({ keywords: ['solar'], excludeKeywords: ['solar water heating'] });
    expect(score(p, facts({ id: 2, title: 'Solar water heating for hospitals' })).kind).toBe('filtered');
    const inBody = explanation(score(p, facts({ id: 3, title: 'Solar installations', description: 'Includes solar water heating units.' })));
    expect(inBody.factors.map((f) => f.name)).toContain('excluded');
  });

  it('turns date filters off when there is no clock (evaluation of historic notices)', () => {
    const p = profile({ keywords: ['solar PV'] });
    expect(scoreTender(p, buildTenderDoc(facts({ ...base, status: 'closed' })), scoringContext(null)).kind).toBe('match');
  });
});

describe('signals and explanations', () => {
  it('ranks a title hit above a description hit and names field, term and snippet', () => {
    const p = profile({ keywords: ['water purifier'] });
    const inTitle = explanation(score(p, facts({ id: 1, title: 'Procurement of water purifiers for schools' })));
    const inBody = explanation(score(p, facts({ id: 2, title: 'Supply of equipment', description: 'Lot 2: water purifiers for 40 schools in Kandahar.' })));
    expect(inTitle.score).toBeGreaterThan(inBody.score);
    expect(inTitle.text.hits[0]).toMatchObject({ keyword: 'water purifier', field: 'title', origin: 'keyword', proximity: 'adjacent' });
    expect(inBody.text.hits[0]).toMatchObject({ field: 'description' });
    expect(inBody.text.hits[0].snippet).toContain('water purifiers');
  });

  it('ranks an exact phrase above scattered words', () => {
    const p = profile({ keywords: ['solar water pumping'] });
    const exact = explanation(score(p, facts({ id: 1, title: 'Solar water pumping systems for villages' })));
    const scattered = explanation(score(p, facts({ id: 2, title: 'Pumping station rehabilitation', description: 'Water supply works. Lot 3 includes solar panels for the offices of the utility in the capital district.' })));
    expect(exact.score).toBeGreaterThan(scattered.score);
  });

  it('finds French and Spanish notices from a Korean or English profile through the glossary', () => {
    const ko = profile({ keywordsKo: ['정수기'] });
    const fr = explanation(score(ko, facts({ id: 1, title: "Acquisition de purificateurs d'eau", language: 'fr' })));
    expect(fr.text.hits[0]).toMatchObject({ keyword: '정수기', origin: 'glossary', lang: 'fr' });
    const en = profile({ keywords: ['water purifier'] });
    expect(score(en, facts({ id: 2, title: 'Adquisición de plantas potabilizadoras', language: 'es' })).kind).toBe('match');
  });

  it('counts translations of one keyword once', () => {
    const p = profile({ keywords: ['photovoltaic'] });
    const e = explanation(score(p, facts({ id: 1, title: 'Photovoltaic and solar PV systems, système photovoltaïque' })));
    expect(e.text.hits).toHaveLength(1);
  });

  it('down-weights a consultancy for a firm that sells products, not for one that sells services', () => {
    const maker = profile({ keywords: ['solar PV'] });
    const goods = explanation(score(maker, facts({ id: 1, title: 'Supply of solar PV systems' })));
    const study = explanation(score(maker, facts({ id: 2, title: 'Consultancy: feasibility study for solar PV systems' })));
    expect(study.score).toBeLessThan(goods.score);
    expect(study.factors.map((f) => f.name)).toContain('consulting');
    const engineer = profile({ keywords: ['road design', 'construction supervision'] });
    const sup = explanation(score(engineer, facts({ id: 3, title: 'Consultancy services for construction supervision of roads' })));
    expect(sup.factors.map((f) => f.name)).not.toContain('consulting');
  });

  it('relates UNSPSC codes: exact, child, parent, sibling', () => {
    expect(codeRelation('432115', '432115')).toBe('exact');
    expect(codeRelation('432115', '43211503')).toBe('child');
    expect(codeRelation('432115', '4321')).toBe('parent');
    expect(codeRelation('432115', '43')).toBe('sibling');
    expect(codeRelation('432115', '43211600')).toBe('sibling');
    expect(codeRelation('432115', '80131503')).toBeNull();
    const p = profile({ unspsc: ['432115'] });
    const e = explanation(score(p, facts({ id: 1, title: 'Laptops', unspsc: ['43211503'] })));
    expect(e.codes.relations[0]).toMatchObject({ profile: '432115', tender: '43211503', relation: 'child', inferred: false });
    expect(score(p, facts({ id: 2, title: 'Rice', unspsc: ['50221101'] })).kind).toBe('filtered');
  });

  it('keeps every score within 0..1', () => {
    const p = profile({ keywords: ['solar PV', 'photovoltaic', 'mini-grid', 'battery storage'], unspsc: ['26'] });
    const e = explanation(score(p, facts({ id: 1, title: 'Solar PV mini-grid with battery storage, photovoltaic', unspsc: ['26111600'] })));
    expect(e.score).toBeGreaterThan(0.9);
    expect(e.score).toBeLessThanOrEqual(1);
  });
});

describe('candidate selection', () => {
  it('returns exactly the tenders the scorer can match (no phrase, no candidate)', () => {
    const docs = [
      facts({ id: 1, title: 'Solar PV systems' }),
      facts({ id: 2, title: 'Rice and beans' }),
      facts({ id: 3, title: 'Services', description: 'solar home systems for clinics' }),
    ].map(buildTenderDoc);
    const p = profile({ keywords: ['solar home system', 'solar PV'] });
    const pairs = [...matchChunk(indexChunk(docs), [p], ctx)];
    expect(pairs.map((x) => x.doc.id).sort()).toEqual([1, 3]);
    // Brute force over every doc agrees.
    const brute = docs.filter((d) => scoreTender(p, d, ctx).kind === 'match').map((d) => d.id);
    expect(brute.sort()).toEqual([1, 3]);
  });
});

describe('the upper bound that skips pairs', () => {
  it('skips only bounds whose score would round below the minimum', () => {
    expect(belowMinimum(0.2499, 0.25)).toBe(true);
    // 0.24995 rounds to 0.25 at four decimals: such a pair is scored and stored.
    expect(belowMinimum(0.24995, 0.25)).toBe(false);
    expect(belowMinimum(0.25, 0.25)).toBe(false);
  });

  it('finds with the bound exactly the matches scoring every pair finds, scores and explanations alike', () => {
    const docs = [
      facts({ id: 1, title: 'Solar PV systems', countries: ['KE'] }),
      facts({ id: 2, title: 'Water supply works', description: 'solar powered pumps, scattered over the lots, and PV modules for the offices' }),
      facts({ id: 3, title: 'Consultancy: feasibility study for solar PV mini-grids', noticeType: 'contract_award' }),
      facts({ id: 4, title: 'Rice and beans' }),
    ].map(buildTenderDoc);
    const profiles = [
      profile({ keywords: ['solar PV', 'mini-grid'] }),
      compileProfile('f2', 1, { ...emptyProfile(), keywords: ['solar water pumps'], countries: ['KE'] }),
      compileProfile('f3', 1, { ...emptyProfile(), keywords: ['photovoltaic modules'], excludeKeywords: ['offices'] }),
    ];
    const bounded = [...percolateAndScore(buildProfileIndex(profiles), docs, scoringContext(NOW, undefined, WEIGHTS.minScore), WEIGHTS.minScore)]
      .filter((x) => x.outcome.kind === 'match' && x.outcome.score >= WEIGHTS.minScore)
      .map((x) => `${x.firmId}:${x.doc.id}:${JSON.stringify(x.outcome)}`);
    const every = profiles
      .flatMap((p) => docs.map((d) => ({ p, d, o: scoreTender(p, d, scoringContext(NOW, undefined, WEIGHTS.minScore)) })))
      .filter((x) => x.o.kind === 'match' && x.o.score >= WEIGHTS.minScore)
      .map((x) => `${x.p.firmId}:${x.d.id}:${JSON.stringify(x.o)}`);
    expect(bounded.length).toBeGreaterThan(0);
    expect(bounded.sort()).toEqual(every.sort());
  });
});
