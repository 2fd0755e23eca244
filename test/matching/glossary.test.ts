import { describe, expect, it } from 'vitest';
import { analyze, analyzeForIndex } from '../../src/matching/analyzer.js';
import {
  GLOSSARY_LANGS,
  conceptsForSegment,
  expandTerm,
  expandTerms,
  getConcept,
  glossaryDiagnostics,
  loadGlossary,
  matchConcepts,
  type Expansion,
} from '../../src/matching/glossary.js';

/** UNSPSC segment codes (v26). */
const UNSPSC_SEGMENTS = new Set(
  `10 11 12 13 14 15 20 21 22 23 24 25 26 27 30 31 32 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56
  60 64 70 71 72 73 76 77 78 80 81 82 83 84 85 86 90 91 92 93 94 95`.split(/\s+/),
);

const terms = (exps: Expansion[], lang?: string) => exps.filter((e) => !lang || e.lang === lang).map((e) => e.term);
const conceptIds = (exps: Expansion[]) => [...new Set(exps.map((e) => e.conceptId))];

describe('glossary data', () => {
  const g = loadGlossary();

  it('has at least 300 concepts, loaded once', () => {
    expect(g.concepts.length).toBeGreaterThanOrEqual(300);
    expect(loadGlossary()).toBe(g);
  });

  it('every concept has a unique id, a valid 2-digit UNSPSC segment and terms in ko/en/fr/es', () => {
    const ids = new Set<string>();
    for (const c of g.concepts) {
      expect(ids.has(c.id), c.id).toBe(false);
      ids.add(c.id);
      expect(c.segment, c.id).toMatch(/^\d{2}$/);
      expect(UNSPSC_SEGMENTS.has(c.segment), `${c.id}: ${c.segment}`).toBe(true);
      for (const lang of GLOSSARY_LANGS) {
        expect(c[lang].length, `${c.id}.${lang}`).toBeGreaterThanOrEqual(1);
        for (const t of c[lang]) expect(t.trim(), `${c.id}.${lang}`).toBe(t);
      }
      expect(c.ko.some((t) => /\p{sc=Hangul}/u.test(t)), `${c.id} has a Hangul term`).toBe(true);
    }
  });

  it('covers the expected domains', () => {
    const domains = new Set(g.concepts.map((c) => c.domain));
    for (const d of ['energy', 'water', 'ict', 'security', 'medical', 'construction', 'transport', 'agriculture', 'education', 'services']) {
      expect(domains.has(d), d).toBe(true);
    }
  });

  it('assigns the right segments to well-known concepts', () => {
    const seg = (id: string) => getConcept(id)?.segment;
    expect(seg('solar_pv')).toBe('26');
    expect(seg('generator')).toBe('26');
    expect(seg('cctv')).toBe('46');
    expect(seg('security_guard_services')).toBe('92');
    expect(seg('ultrasound')).toBe('42');
    expect(seg('vaccines')).toBe('51');
    expect(seg('laptop')).toBe('43');
    expect(seg('water_pump')).toBe('40');
    expect(seg('road_construction')).toBe('72');
    expect(seg('construction_supervision')).toBe('81');
    expect(seg('ambulance')).toBe('25');
    expect(seg('audit')).toBe('84');
    expect(seg('school_furniture')).toBe('56');
  });

  it('has no term that analyzes to nothing and no analyzed form shared by two concepts', () => {
    const d = glossaryDiagnostics();
    if (d.sharedTerms.length > 0) {
      console.info(
        'Glossary terms shared across concepts:\n' +
          d.sharedTerms.map((s) => `  [${s.lang}] "${s.tokens}": ${s.concepts.join(', ')} (${s.terms.join(' / ')})`).join('\n'),
      );
    }
    expect(d.emptyTerms).toEqual([]);
    expect(d.sharedTerms).toEqual([]);
    expect(d.termCount).toBeGreaterThan(4 * d.conceptCount);
  });

  it('every term expands back to its own concept', () => {
    const misses: string[] = [];
    for (const c of g.concepts) {
      for (const lang of GLOSSARY_LANGS) {
        for (const t of c[lang]) if (!matchConcepts(t).includes(c.id)) misses.push(`${c.id}.${lang}: ${t}`);
      }
    }
    expect(misses).toEqual([]);
  });

  it('conceptsForSegment accepts 2-digit strings, numbers and longer codes', () => {
    expect(conceptsForSegment('46').map((c) => c.id)).toContain('cctv');
    expect(conceptsForSegment(92).map((c) => c.id)).toContain('security_guard_services');
    expect(conceptsForSegment('46171600').map((c) => c.id)).toContain('cctv');
    expect(conceptsForSegment('99')).toEqual([]);
  });
});

describe('expandTerm', () => {
  it('정수기 and "water purifier" reach purificateur d\'eau and potabilizadora', () => {
    for (const q of ['정수기', 'water purifier', '정수기를', 'Water Purifiers']) {
      const e = expandTerm(q);
      expect(terms(e, 'fr'), q).toContain("purificateur d'eau");
      expect(terms(e, 'es'), q).toContain('potabilizadora');
      expect(terms(e, 'ko'), q).toContain('정수기');
      expect(terms(e, 'en'), q).toContain('water purifier');
    }
  });

  it('works from French and Spanish too', () => {
    expect(terms(expandTerm("purificateurs d'eau"), 'ko')).toContain('정수기');
    expect(terms(expandTerm('Potabilizadoras'), 'en')).toContain('water purifier');
  });

  it('CCTV reaches videovigilancia and vidéosurveillance', () => {
    for (const q of ['CCTV', '폐쇄회로 텔레비전', 'video surveillance', 'CCTV 카메라']) {
      const e = expandTerm(q);
      expect(terms(e, 'es'), q).toContain('videovigilancia');
      expect(terms(e, 'fr'), q).toContain('vidéosurveillance');
    }
  });

  it('keeps security guard services apart from security systems', () => {
    for (const q of ['security guard services', '경비용역', 'services de gardiennage', 'servicios de vigilancia']) {
      const e = expandTerm(q);
      expect(conceptIds(e), q).toEqual(['security_guard_services']);
      expect(terms(e), q).not.toContain('videovigilancia');
      expect(terms(e), q).not.toContain('CCTV');
    }
    expect(conceptIds(expandTerm('CCTV'))).not.toContain('security_guard_services');
  });

  it('does not expand generic words', () => {
    const generic = [
      'system', 'systems', 'services', 'service', 'equipment', 'supply', 'supplies', 'works', 'goods',
      'installation', 'maintenance', 'construction', 'project', 'management', 'solutions', 'technology',
      'network', 'security', 'water', 'energy', 'power', 'data', 'study', 'design', 'evaluation', 'public',
      'système', 'services', 'fourniture', 'travaux', 'équipements', 'étude', 'évaluation',
      'sistema', 'servicios', 'suministro', 'obras', 'equipos', 'estudio', 'evaluación', 'seguridad',
      '시스템', '서비스', '장비', '설비', '공사', '관리', '개발', '보안', '전기', '평가',
    ];
    for (const w of generic) expect(conceptIds(expandTerm(w)), w).toEqual([]);
  });

  it('prefers the longest matching concept (no expansion of contained terms)', () => {
    expect(conceptIds(expandTerm('solar water pump'))).toEqual(['solar_water_pump']);
    expect(conceptIds(expandTerm('태양광 가로등'))).toEqual(['solar_street_light']);
    expect(conceptIds(expandTerm('X-ray baggage scanner'))).toEqual(['baggage_xray_scanner']);
    expect(conceptIds(expandTerm('엑스레이 검색대'))).toEqual(['baggage_xray_scanner']);
    expect(conceptIds(expandTerm('배관공사'))).toEqual(['plumbing_works']);
    expect(conceptIds(expandTerm('vaccine refrigerator'))).toEqual(['vaccine_cold_chain']);
  });

  it('matches Korean compounds and particles, but anchors short Korean terms at word starts', () => {
    expect(conceptIds(expandTerm('태양광발전소'))).toEqual(['solar_power_plant']);
    expect(conceptIds(expandTerm('디젤발전기를'))).toEqual(['generator']);
    expect(conceptIds(expandTerm('펌프를'))).toEqual(['water_pump']);
    // '발전기' contains '전기' (electricity) but must not be read as it; 2-syllable '모터' must start a word
    expect(conceptIds(expandTerm('발전기'))).toEqual(['generator']);
    expect(conceptIds(expandTerm('리모터'))).toEqual([]);
  });

  it('finds several concepts in a descriptive phrase', () => {
    expect(conceptIds(expandTerm('hospital beds and patient monitors'))).toEqual(['hospital_beds', 'patient_monitor']);
    expect(conceptIds(expandTerm('변압기 및 차단기'))).toEqual(['transformer', 'circuit_breaker']);
    expect(conceptIds(expandTerm('Travaux de construction de forages équipés de pompes solaires'))).toEqual([
      'borehole',
      'solar_water_pump',
    ]);
  });

  it('returns every term of the concept in all four languages, tokens analyzed with the term language', () => {
    const e = expandTerm('ultrasound');
    const c = getConcept('ultrasound');
    expect(c).toBeDefined();
    if (!c) return;
    const expected = GLOSSARY_LANGS.reduce((n, l) => n + c[l].length, 0);
    expect(e).toHaveLength(expected);
    for (const x of e) {
      expect(x.conceptId).toBe('ultrasound');
      expect(x.segment).toBe('42');
      expect(x.tokens).toEqual(analyze(x.term, x.lang));
      expect(x.tokens.length).toBeGreaterThan(0);
    }
    expect(new Set(e.map((x) => x.lang))).toEqual(new Set(GLOSSARY_LANGS));
  });

  it('returns [] for empty or unknown input', () => {
    expect(expandTerm('')).toEqual([]);
    expect(expandTerm('   ')).toEqual([]);
    expect(expandTerm('zzqx blorp')).toEqual([]);
  });

  it('expandTerms concatenates and deduplicates', () => {
    const one = expandTerm('CCTV');
    const both = expandTerms(['CCTV', 'video surveillance', '정수기']);
    expect(both.filter((e) => e.conceptId === 'cctv')).toHaveLength(one.length);
    expect(conceptIds(both)).toEqual(['cctv', 'water_purifier']);
    const keys = both.map((e) => `${e.conceptId}|${e.lang}|${e.term}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('glossary expansions meet the index', () => {
  it('French and Spanish expansion tokens are found in notices analyzed by language detection', () => {
    const fr = analyzeForIndex(
      "Avis d'appel d'offres : fourniture et installation de purificateurs d'eau pour les écoles de la région",
    ).split(' ');
    const es = analyzeForIndex('Adquisición de plantas potabilizadoras y sistemas de videovigilancia para el municipio').split(' ');
    const purifier = expandTerm('정수기');
    const frTerm = purifier.find((x) => x.lang === 'fr' && x.term === "purificateur d'eau");
    const esTerm = purifier.find((x) => x.lang === 'es' && x.term === 'potabilizadora');
    expect(frTerm && frTerm.tokens.every((t) => fr.includes(t))).toBe(true);
    expect(esTerm && esTerm.tokens.every((t) => es.includes(t))).toBe(true);
    const cctvEs = expandTerm('CCTV').find((x) => x.lang === 'es' && x.term === 'videovigilancia');
    expect(cctvEs && cctvEs.tokens.every((t) => es.includes(t))).toBe(true);
  });

  it('Korean expansion tokens meet Korean text with particles', () => {
    const ko = analyzeForIndex('당사는 정수기를 제조하여 수출합니다').split(' ');
    const koTerm = expandTerm('water purifier').find((x) => x.lang === 'ko' && x.term === '정수기');
    expect(koTerm && koTerm.tokens.every((t) => ko.includes(t))).toBe(true);
  });
});
