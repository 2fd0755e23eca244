import { describe, expect, it } from 'vitest';
import {
  analyze,
  analyzeForIndex,
  analyzePrimary,
  detectLanguage,
  isStopWord,
  normalizeLang,
  normalizeText,
  stem,
} from '../../src/matching/analyzer.js';

const shares = (a: string[], b: string[]): string[] => a.filter((t) => b.includes(t));

describe('Korean', () => {
  it('emits the whole Hangul word plus overlapping syllable bigrams', () => {
    expect(analyze('태양광발전')).toEqual(['태양광발전', '태양', '양광', '광발', '발전']);
  });

  it('keeps one- and two-syllable words as themselves', () => {
    expect(analyze('물')).toEqual(['물']);
    expect(analyze('펌프')).toEqual(['펌프']);
  });

  it('matches a word with an attached particle (정수기를 ~ 정수기)', () => {
    const withParticle = analyze('정수기를 공급');
    const bare = analyze('정수기');
    expect(shares(bare, withParticle)).toEqual(expect.arrayContaining(['정수', '수기']));
    // the particle-stripped whole word is emitted too
    expect(withParticle).toContain('정수기');
  });

  it('matches a compound against its head (태양광 ~ 태양광발전소)', () => {
    const q = analyze('태양광');
    const doc = analyze('태양광발전소 건설');
    expect(shares(q, doc)).toEqual(expect.arrayContaining(['태양', '양광']));
    expect(analyze('태양광발전소에서')).toContain('태양광발전소');
  });

  it('never decomposes Hangul syllables into jamo', () => {
    expect(normalizeText('정수기 태양광 Électrique')).toBe('정수기 태양광 electrique');
    for (const t of analyze('폐쇄회로 텔레비전 설치 및 유지보수')) {
      expect(t).toMatch(/^[\uac00-\ud7a3]+$/);
    }
    expect(analyze('한국').join('')).not.toMatch(/[\u1100-\u11ff\u3130-\u318f]/);
  });

  it('splits Hangul from adjacent Latin letters and stems the Latin part in English', () => {
    expect(analyze('LED조명 설치')).toEqual(['led', '조명', '설치']);
    expect(analyze('CCTV 카메라')).toEqual(['cctv', '카메라', '카메', '메라']);
    expect(analyze('태양광 inverters 공급')).toContain('invert');
  });

  it('drops Korean function words when they stand alone', () => {
    expect(analyze('정수기 및 필터')).not.toContain('및');
  });
});

describe('French and Spanish', () => {
  it('folds accents and stems plural/singular together', () => {
    expect(analyze('purificateurs', 'fr')).toEqual(analyze('purificateur', 'fr'));
    expect(analyze('électrique', 'fr')).toEqual(analyze('electrique', 'fr'));
    expect(analyze('ÉLECTRIQUES', 'fr')).toEqual(analyze('électrique', 'fr'));
    expect(analyze('potabilizadoras', 'es')).toEqual(analyze('potabilizadora', 'es'));
    expect(analyze('instalación', 'es')).toEqual(analyze('INSTALACION', 'es'));
    expect(analyze('instalaciones', 'es')).toEqual(analyze('instalación', 'es'));
    expect(analyze('installée', 'fr')).toEqual(analyze('installé', 'fr'));
  });

  it('handles elisions and apostrophes', () => {
    expect(analyze("d'eau", 'fr')).toEqual(['eau']);
    expect(analyze("l'installation", 'fr')).toEqual(analyze('installation', 'fr'));
    expect(analyze('d’eau', 'fr')).toEqual(['eau']); // typographic apostrophe
    expect(analyze("maître d'œuvre", 'fr')).toContain('oeuvr');
  });

  it('folds ñ, ç, ü and produces ASCII tokens for Latin text', () => {
    const toks = analyze('Diseño, façade, pingüino, Ñandú, Straße', 'es');
    for (const t of toks) expect(t).toMatch(/^[a-z0-9]+$/);
    expect(analyze('façade', 'fr')).toEqual(analyze('facade', 'fr'));
    expect(analyze('diseño', 'es')).toEqual(analyze('diseno', 'es'));
    expect(isStopWord('de')).toBe(true);
  });

  it('removes French and Spanish stop words', () => {
    const fr = analyze('Fourniture de pompes pour la station et les forages', 'fr');
    for (const w of ['de', 'pour', 'la', 'et', 'les']) expect(fr).not.toContain(w);
    expect(fr.length).toBe(4);
    const es = analyze('Suministro de bombas para el sistema con los pozos', 'es');
    for (const w of ['de', 'para', 'el', 'con', 'los']) expect(es).not.toContain(w);
    expect(es.length).toBe(4);
  });
});

describe('English', () => {
  it('stems inflections together', () => {
    expect(analyze('installations', 'en')).toEqual(analyze('installation', 'en'));
    expect(analyze('pumps', 'en')).toEqual(analyze('pump', 'en'));
    expect(stem('generators', 'en')).toBe(stem('generator', 'en'));
  });

  it('removes stop words but keeps content homographs', () => {
    const t = analyze('The supply of the pumps for the project', 'en');
    for (const w of ['the', 'of', 'for']) expect(t).not.toContain(w);
    expect(analyze('IT equipment', 'en')).toContain('it');
    expect(analyze('car rental', 'en')).toContain('car');
  });

  it('splits hyphenated words', () => {
    expect(analyze('mini-grid', 'en')).toEqual(['mini', 'grid']);
    expect(analyze('X-ray', 'en')).toEqual(['x', 'ray']);
  });
});

describe('digits', () => {
  it('keeps numbers and emits letter+digit tokens whole and split', () => {
    const t = analyze('40kW inverter, ISO9001, 2024', 'en');
    expect(t).toEqual(expect.arrayContaining(['40kw', '40', 'kw', 'iso9001', 'iso', '9001', '2024']));
    expect(shares(analyze('ISO 9001'), analyze('ISO9001'))).toEqual(['iso', '9001']);
  });

  it('applies NFKC (full-width forms)', () => {
    expect(analyze('ＰＶ ４０ｋＷ', 'en')).toEqual(['pv', '40kw', '40', 'kw']);
  });
});

describe('index / query symmetry', () => {
  const samples = [
    "Fourniture et installation de purificateurs d'eau et de systèmes solaires photovoltaïques",
    'Adquisición de plantas potabilizadoras y cámaras de videovigilancia para 12 municipios',
    'Supply, installation and commissioning of 40kW solar PV mini-grids with battery storage',
    '정수기를 포함한 수처리 설비 및 태양광발전소 건설',
    'Ｆｕｌｌ－width ＩＳＯ９００１ and mixed LED조명 text; x-ray, e-government',
  ];

  it('analyzeForIndex is analyze joined by single spaces, with FTS5-safe tokens', () => {
    for (const s of samples) {
      const toks = analyze(s);
      const indexed = analyzeForIndex(s);
      expect(indexed).toBe(toks.join(' '));
      const split = indexed.split(' ');
      for (const t of toks) {
        expect(t.length).toBeGreaterThan(0);
        expect(t).toMatch(/^[\p{L}\p{N}]+$/u); // survives unicode61 splitting unchanged
        expect(split).toContain(t);
      }
    }
  });

  it('a query analyzed with the language hint meets the index analyzed by detection', () => {
    const frIndex = analyzeForIndex(samples[0]).split(' ');
    for (const t of analyze("purificateur d'eau", 'fr')) expect(frIndex).toContain(t);
    for (const t of analyze('photovoltaïque', 'fr')) expect(frIndex).toContain(t);
    const esIndex = analyzeForIndex(samples[1]).split(' ');
    for (const t of analyze('potabilizadora', 'es')) expect(esIndex).toContain(t);
    for (const t of analyze('videovigilancia', 'es')) expect(esIndex).toContain(t);
    const enIndex = analyzeForIndex(samples[2]).split(' ');
    for (const t of analyze('battery storage', 'en')) expect(enIndex).toContain(t);
    const koIndex = analyzeForIndex(samples[3]).split(' ');
    for (const t of ['정수기', '정수', '수기', '태양', '양광']) expect(koIndex).toContain(t);
  });

  it('primary analysis is the same stream without derived tokens', () => {
    expect(analyzePrimary('태양광발전소 40kW', 'en')).toEqual(['태양광발전소', '40kw']);
    expect(analyzePrimary("Stations d'épuration", 'fr')).toEqual(analyze("Stations d'épuration", 'fr'));
  });

  it('returns [] for empty or punctuation-only input', () => {
    expect(analyze('')).toEqual([]);
    expect(analyze(' -- ,; ')).toEqual([]);
    expect(analyzeForIndex('')).toBe('');
  });
});

describe('detectLanguage', () => {
  it.each([
    ['Supply and installation of solar water pumps for the health centres', 'en'],
    ['Recruitment of a consultant for the feasibility study of the road', 'en'],
    ["Fourniture et installation de lampadaires solaires dans la région de l'Est", 'fr'],
    ["Recrutement d'un cabinet pour l'étude de faisabilité", 'fr'],
    ['Panneaux solaires', 'fr'],
    ['Adquisición de equipos de videovigilancia para la municipalidad', 'es'],
    ['Contratación de una firma consultora para el estudio de factibilidad', 'es'],
    ['정수기 제조 및 수출 전문 기업입니다', 'ko'],
    ['태양광 PV 모듈 및 인버터 제조', 'ko'],
  ] as const)('%s → %s', (text, lang) => {
    expect(detectLanguage(text)).toBe(lang);
  });

  it('returns null when there is no evidence', () => {
    expect(detectLanguage('')).toBeNull();
    expect(detectLanguage('12345')).toBeNull();
  });

  it('normalizes loose language hints', () => {
    expect(normalizeLang('FR')).toBe('fr');
    expect(normalizeLang('es-MX')).toBe('es');
    expect(normalizeLang('English')).toBe('en');
    expect(normalizeLang('kor')).toBe('ko');
    expect(normalizeLang('de')).toBeNull();
    expect(normalizeLang(null)).toBeNull();
  });

  it('uses the hint for stemming when given (en vs fr stems differ)', () => {
    expect(analyze('installation', 'en')).not.toEqual(analyze('installation', 'fr'));
  });
});

describe('performance', () => {
  it('analyzes 3,000 notice-sized texts quickly', () => {
    const base =
      "Le Programme des Nations Unies pour le développement lance un appel d'offres pour la fourniture, " +
      "la livraison et l'installation de systèmes solaires photovoltaïques avec stockage par batteries au profit " +
      'de 25 centres de santé. The supply of 40kW inverters and water purification units. 정수기 및 수처리 설비. ';
    const texts = Array.from({ length: 3000 }, (_, i) => `${base.repeat(4)} ref ${i} item${i % 97}`);
    const t0 = performance.now();
    let n = 0;
    for (const t of texts) n += analyze(t).length;
    const ms = performance.now() - t0;
    expect(n).toBeGreaterThan(0);
    expect(ms).toBeLessThan(5000);
  });
});
