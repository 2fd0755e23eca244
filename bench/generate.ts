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
  // Boilerplate every notice has, in three languages; the subject comes from the glossary terms.
  'the of and for in to a delivery procurement project ministry national district province rural urban ' +
  'government office lot contract bidders eligible source countries financing credit grant request quotation ' +
  'proposals invitation bid documents deadline submission local time address number reference date ' +
  'de la le les des pour et du en projet ministere lot marche appel offres ' +
  'el los las para y del proyecto ministerio lote contrato licitacion'
).split(' ');

const COUNTRIES = ['Afghanistan', 'Kenya', 'Bangladesh', 'Nigeria', "Cote d'Ivoire", 'Viet Nam', 'Ukraine', 'Peru', 'Nepal', 'Ethiopia', 'Gambia, The', 'Pakistan', 'Uganda', 'Mongolia', 'Benin'];
const ISO = ['AF', 'KE', 'BD', 'NG', 'CI', 'VN', 'UA', 'PE', 'NP', 'ET', 'GM', 'PK', 'UG', 'MN', 'BJ'];
const TYPES = ['Invitation for Bids', 'Request for Expression of Interest', 'Request for Proposals', 'General Procurement Notice', 'Contract Award'];

export function vocabulary() {
  const terms: string[] = [];
  for (const c of loadGlossary().concepts) for (const lang of ['en', 'fr', 'es'] as const) terms.push(...c[lang]);
  return terms;
}

/** The glossary's concepts in a seeded order: which subjects are common is drawn, not the file order. */
function shuffledConcepts(seed: number) {
  const random = rng(seed);
  const list = [...loadGlossary().concepts];
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [list[i], list[j]] = [list[j], list[i]];
  }
  return list;
}

/**
 * A World Bank procnotices row, as the API returns it. Like real notices: one subject (a
 * glossary concept, Zipf-distributed) named in the title, the description mostly boilerplate
 * with the subject named again in other words and, now and then, a second subject.
 */
export function worldBankRows(count: number, seed = 42, startId = 1): Record<string, unknown>[] {
  const random = rng(seed);
  const concepts = shuffledConcepts(1001);
  const pickConcept = zipf(random, concepts.length, 0.9);
  const pickFiller = zipf(random, FILLER.length, 0.9);
  const filler = (n: number) => Array.from({ length: n }, () => FILLER[pickFiller()]).join(' ');
  const termOf = (c: (typeof concepts)[number]) => {
    const lang = (['en', 'en', 'en', 'fr', 'es'] as const)[Math.floor(random() * 5)];
    return c[lang][Math.floor(random() * c[lang].length)];
  };
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const c = Math.floor(random() * COUNTRIES.length);
    const day = 1 + Math.floor(random() * 28);
    const subject = concepts[pickConcept()];
    const title = `${filler(2)} ${termOf(subject)} ${filler(3 + Math.floor(random() * 6))}`;
    const parts = [filler(20 + Math.floor(random() * 60)), termOf(subject), filler(20 + Math.floor(random() * 60))];
    if (random() < 0.3) parts.push(termOf(concepts[pickConcept()]), filler(10 + Math.floor(random() * 40)));
    const text = `<p>${parts.join(' ')}</p><p>Deadline: ${day} December 2026 at 16:00 local time.</p>`;
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
      project_name: `${filler(2)} project`,
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
  // Firms spread over sectors, some more crowded than others, in their own order of popularity.
  const concepts = shuffledConcepts(2002);
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
