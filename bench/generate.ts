/**
 * Seeded synthetic data for benchmarks: World Bank-format notices and firm profiles whose
 * words come from the procurement glossary (four languages) plus common tender wording,
 * drawn with a Zipf-like distribution so a few terms are very frequent and most are rare.
 */
import { loadGlossary } from '../src/matching/glossary.js';
import { emptyProfile, type FirmProfile } from '../src/firms/profile.js';

export function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Index in [0, n) with probability ∝ 1/(i+1)^s. */
export function zipf(random: () => number, n: number, s = 1.07) {
  const weights = Array.from({ length: n }, (_, i) => 1 / Math.pow(i + 1, s));
  const total = weights.reduce((a, b) => a + b, 0);
  const cdf: number[] = [];
  let acc = 0;
  for (const w of weights) cdf.push((acc += w / total));
  return () => {
    const x = random();
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

const FILLER = (
  'the of and for in to a supply delivery installation procurement project ministry national services works equipment ' +
  'rehabilitation construction district province rural urban health education water energy road school hospital ' +
  'government office consultancy consulting firm individual technical assistance capacity building training design ' +
  'supervision study feasibility assessment lot contract bidders eligible source countries financing credit grant ' +
  'request quotation proposals expression interest invitation bid documents deadline submission local time address ' +
  'de la le les des pour et du en fourniture travaux services etude projet ministere ' +
  'el los las para y del suministro obras servicios estudio proyecto ministerio adquisicion'
).split(' ');

const COUNTRIES = ['Afghanistan', 'Kenya', 'Bangladesh', 'Nigeria', "Cote d'Ivoire", 'Viet Nam', 'Ukraine', 'Peru', 'Nepal', 'Ethiopia', 'Gambia, The', 'Pakistan', 'Uganda', 'Mongolia', 'Benin'];
const ISO = ['AF', 'KE', 'BD', 'NG', 'CI', 'VN', 'UA', 'PE', 'NP', 'ET', 'GM', 'PK', 'UG', 'MN', 'BJ'];
const TYPES = ['Invitation for Bids', 'Request for Expression of Interest', 'Request for Proposals', 'General Procurement Notice', 'Contract Award'];

export function vocabulary() {
  const terms: string[] = [];
  for (const c of loadGlossary().concepts) for (const lang of ['en', 'fr', 'es'] as const) terms.push(...c[lang]);
  return terms;
}

/** A World Bank procnotices row, as the API returns it. */
export function worldBankRows(count: number, seed = 42, startId = 1): Record<string, unknown>[] {
  const random = rng(seed);
  const terms = vocabulary();
  const pickTerm = zipf(random, terms.length, 0.8);
  const pickFiller = zipf(random, FILLER.length, 0.9);
  const words = (n: number, termShare: number) =>
    Array.from({ length: n }, () => (random() < termShare ? terms[pickTerm()] : FILLER[pickFiller()])).join(' ');
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const c = Math.floor(random() * COUNTRIES.length);
    const day = 1 + Math.floor(random() * 28);
    // Like real notices: one subject in the title, a few more mentions in a mostly generic text.
    const title = `${words(2, 0)} ${terms[pickTerm()]} ${words(3 + Math.floor(random() * 6), 0.04)}`;
    const text = `<p>${words(60 + Math.floor(random() * 180), 0.015)}</p><p>Deadline: ${day} December 2026 at 16:00 local time.</p>`;
    rows.push({
      id: `OP${String(startId + i).padStart(8, '0')}`,
      notice_type: TYPES[Math.floor(random() * TYPES.length)],
      noticedate: `${String(day).padStart(2, '0')}-Nov-2026`,
      notice_lang_name: 'English',
      notice_status: 'Published',
      submission_deadline_date: `2026-12-${String(day).padStart(2, '0')}T00:00:00Z`,
      submission_deadline_time: '16:00',
      project_ctry_name: COUNTRIES[c],
      project_id: `P${500000 + (i % 9000)}`,
      project_name: `${terms[pickTerm()]} project`,
      bid_reference_no: `REF-${i}`,
      bid_description: title,
      procurement_group: ['GO', 'CW', 'CS', 'NC'][Math.floor(random() * 4)],
      procurement_method_name: 'Request for Bids',
      contact_organization: `Ministry ${Math.floor(random() * 50)}`,
      notice_text: text,
    });
  }
  return rows;
}

export { ISO as BENCH_COUNTRIES };

/** Firm profiles: 3-10 glossary concepts in English or Korean, some with countries and exclusions. */
export function profiles(count: number, seed = 7): FirmProfile[] {
  const random = rng(seed);
  const concepts = loadGlossary().concepts;
  // Firms spread over sectors, some sectors more crowded than others.
  const pick = zipf(random, concepts.length, 0.5);
  const out: FirmProfile[] = [];
  for (let i = 0; i < count; i++) {
    const n = 3 + Math.floor(random() * 8);
    const keywords: string[] = [];
    const keywordsKo: string[] = [];
    for (let k = 0; k < n; k++) {
      const c = concepts[pick()];
      if (random() < 0.3) keywordsKo.push(c.ko[0]);
      else keywords.push(c.en[Math.floor(random() * c.en.length)]);
    }
    out.push({
      ...emptyProfile(),
      keywords,
      keywordsKo,
      excludeKeywords: random() < 0.3 ? [FILLER[Math.floor(random() * 40)] + ' ' + FILLER[Math.floor(random() * 40)]] : [],
      countries: random() < 0.5 ? ISO.filter(() => random() < 0.4) : [],
    });
  }
  return out;
}
