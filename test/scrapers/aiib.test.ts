import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FetchProblem, RawNotice, ScrapeContext } from '../../scrapers/contract.js';
import { aiib, JsLiteralError, parseJsLiteral, parsePrice, readPpoData } from '../../scrapers/aiib.js';
import { HttpError, type HttpClient } from '../../scrapers/http-client.js';
import { validateTenderInput } from '../../src/ingest/validate.js';
import { parseWrittenDate } from '../../src/ingest/normalize.js';
import { FakeHttp } from '../helpers/fake-http.js';

const SCRIPT = readFileSync(fileURLToPath(new URL('../fixtures/aiib/ppo-data-all.js', import.meta.url)), 'utf8');
const BASE = 'https://www.aiib.org';
const DATA_PATH = '/en/opportunities/business/project-procurement/_common/ppo-data-all.js';


function context(http: HttpClient, over: Partial<ScrapeContext> = {}): ScrapeContext {
  return { http, baseUrl: BASE, sample: false, since: null, log: () => {}, ...over };
}

async function collect(ctx: ScrapeContext): Promise<{ notices: RawNotice[]; problems: FetchProblem[] }> {
  const notices: RawNotice[] = [];
  const problems: FetchProblem[] = [];
  for await (const item of aiib.fetch(ctx)) {
    if ('kind' in item) problems.push(item);
    else notices.push(item);
  }
  return { notices, problems };
}

const serveScript = (script: string) => new FakeHttp((url) => {
  if (url.pathname === DATA_PATH) return script;
  throw new HttpError('HTTP 404', 404, url.toString());
});

describe('JavaScript literal reader', () => {
  it('reads unquoted keys, both quotes, escapes, numbers, nesting, comments and trailing commas', () => {
    expect(
      parseJsLiteral(`{a:"x\\"y", 'b':'it\\'s', "c": [1, -2.5, 0x1f, 1e3, ], d:{e:null,f:true,g:undefined,}, h:"\\u00e9\\x41\\n", // c
        i: \`tick\`, /* block */ 7: 'seven',}`),
    ).toEqual({ a: 'x"y', b: "it's", c: [1, -2.5, 31, 1000], d: { e: null, f: true, g: undefined }, h: 'éA\n', i: 'tick', 7: 'seven' });
  });

  it('keeps "__proto__" an ordinary key', () => {
    const value = parseJsLiteral('{__proto__: {polluted: 1}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['{a: alert(1)}', '"alert" is not a literal'],
    ['{a: `${x}`}', 'template substitution'],
    ['{a: 1 + 2}', '"," or "}" expected'],
    ['{a: "open', 'unterminated string'],
    ['[1, 2', 'unterminated array'],
    ['{a: 1} extra', 'unexpected text after the literal'],
    ['[' .repeat(200), 'nesting too deep'],
    ['', 'unexpected end of input'],
  ])('refuses %j', (text, error) => {
    expect(() => parseJsLiteral(text)).toThrow(JsLiteralError);
    expect(() => parseJsLiteral(text)).toThrow(error);
  });

  it('slices each ppoData row exactly as written', () => {
    const rows = readPpoData(SCRIPT);
    expect(rows).toHaveLength(4);
    for (const row of rows) {
      expect(SCRIPT).toContain(row.text);
      expect(row.text.startsWith('{id:')).toBe(true);
      expect(row.text.endsWith('}')).toBe(true);
    }
    expect(rows[1]!.value).toMatchObject({ pj: 'Mumbai Urban Transport Project "Phase III" – Rolling Stock', pc: 'INR 4,647,906,559.31' });
  });

  it('needs the ppoData assignment', () => {
    expect(() => readPpoData('var other = [];')).toThrow('"ppoData =" not found');
  });
});

describe('AIIB values', () => {
  it.each([
    ['May29,2026', '2026-05-29'],
    ['June 10,2026', '2026-06-10'],
    ['May 27, 2026', '2026-05-27'],
    ['Sept 3 2026', '2026-09-03'],
    ['June 31,2026', null],
  ])('date %j → %j', (s, day) => {
    expect(parseWrittenDate(s)).toBe(day);
  });

  it.each([
    ['INR 4,647,906,559.31', { amount: 4647906559.31, currency: 'INR', more: false }],
    ['USD1,200,000', { amount: 1200000, currency: 'USD', more: false }],
    ['US$ 3.5', { amount: 3.5, currency: 'USD', more: false }],
    ['USD 1,000; EUR 2,000', { amount: 1000, currency: 'USD', more: true }],
    ['to be confirmed', null],
  ])('price %j', (s, value) => {
    expect(parsePrice(s)).toEqual(value);
  });
});

describe('aiib.fetch', () => {
  it('yields one notice per row (Procurement Plan rows skipped), payload = the row text', async () => {
    const http = serveScript(SCRIPT);
    const logs: string[] = [];
    const { notices, problems } = await collect(context(http, { log: (m) => logs.push(m) }));
    expect(problems).toEqual([]);
    expect(http.urls).toHaveLength(1);
    expect(http.urls[0]).toMatch(new RegExp(`^${BASE}${DATA_PATH.replace(/\./g, '\\.')}\\?t=\\d+$`));
    const rows = readPpoData(SCRIPT);
    expect(notices.map((n) => n.payload)).toEqual([rows[0]!.text, rows[1]!.text, rows[3]!.text]);
    expect(notices.map((n) => n.sourceId)).toEqual([
      '/en/projects/details/2026/_download/bangladesh/SPN-Dhaka-Sanitation-Jetting.pdf',
      '/en/projects/details/2026/_download/india/CAN-MUTP-III-Rolling-Stock.pdf',
      expect.stringMatching(/^h:[0-9a-f]{16}$/),
    ]);
    expect(notices[0]).toMatchObject({ contentType: 'text/javascript', url: `${BASE}/en/projects/details/2026/_download/bangladesh/SPN-Dhaka-Sanitation-Jetting.pdf` });
    expect(notices[2]!.url).toBe(`${BASE}/en/opportunities/business/project-procurement/list.html`);
    expect(logs).toEqual(['aiib: 1 Procurement Plan rows skipped']);
  });

  it('the hash id is stable across runs', async () => {
    const a = await collect(context(serveScript(SCRIPT)));
    const b = await collect(context(serveScript(SCRIPT.replace('var ppoData', '// refreshed\nvar ppoData'))));
    expect(b.notices.map((n) => n.sourceId)).toEqual(a.notices.map((n) => n.sourceId));
  });

  it('two rows with one document path get distinct ids, reported', async () => {
    const rows = readPpoData(SCRIPT);
    const twin = rows[0]!.text.replace('May29,2026', 'June 1,2026').replace('Specific Procurement Notice', 'Extension of Tender Submission');
    const { notices, problems } = await collect(context(serveScript(`var ppoData = [${rows[0]!.text}, ${twin}];`)));
    expect(new Set(notices.map((n) => n.sourceId)).size).toBe(2);
    expect(problems).toEqual([expect.objectContaining({ message: expect.stringContaining('shares its document path') })]);
  });

  it('a 403, a non-script body and a broken literal each end the run as one problem', async () => {
    const refused = new FakeHttp((url) => {
      throw new HttpError(`GET ${url} failed: HTTP 403 Forbidden`, 403, url.toString());
    });
    expect((await collect(context(refused))).problems).toEqual([expect.objectContaining({ message: expect.stringContaining('ppo-data-all.js failed: GET') })]);
    const html = await collect(context(serveScript('<html><body>Access denied</body></html>')));
    expect(html.notices).toEqual([]);
    expect(html.problems[0]!.message).toContain('"ppoData =" not found');
    const broken = await collect(context(serveScript('var ppoData = [{id:"May 1, 2026", pj: window.x}];')));
    expect(broken.problems[0]!.message).toContain('"window" is not a literal');
  });

  it('sample mode yields at most 10 rows', async () => {
    const row = readPpoData(SCRIPT)[0]!.text;
    const many = Array.from({ length: 25 }, (_, i) => row.replace('Jetting.pdf', `Jetting-${i}.pdf`));
    const { notices } = await collect(context(serveScript(`var ppoData = [${many.join(',\n')}];`), { sample: true }));
    expect(notices).toHaveLength(10);
  });
});

describe('aiib.parse', () => {
  const notices = new Map<string, RawNotice>();
  const ready = collect(context(serveScript(SCRIPT))).then(({ notices: list }) => list.forEach((n, i) => notices.set(String(i), n)));

  it('a Specific Procurement Notice: dates, entities, project id, zone read from the text', async () => {
    await ready;
    const { notice, problems } = aiib.parse(notices.get('0')!);
    expect(problems).toEqual([]);
    expect(notice).toMatchObject({
      title: 'Dhaka Sanitation Improvement Project (P000412) – Supply of Sewer Jetting Vehicles',
      description: 'The Employer’s invitation: bids must be delivered by 12:00 hours Dhaka local time.\n\nSector: Water',
      countries: ['BD'],
      noticeType: 'invitation_to_bid',
      noticeTypeLabel: 'Specific Procurement Notice',
      category: 'goods',
      publishedAt: '2026-05-29T00:00:00.000Z',
      deadline: { at: '2026-06-10T06:00:00.000Z', raw: 'June 10,2026 (12:00 hours Dhaka local time)', zone: 'Asia/Dhaka', zoneKnown: true },
      status: null,
      language: 'en',
      projectId: 'P000412',
      url: `${BASE}/en/projects/details/2026/_download/bangladesh/SPN-Dhaka-Sanitation-Jetting.pdf`,
    });
    expect(validateTenderInput(notice!)).toEqual([]);
  });

  it('a Contract Award: escaped quotes, price → value, contractor kept', async () => {
    await ready;
    const { notice, problems } = aiib.parse(notices.get('1')!);
    expect(problems).toEqual([]);
    expect(notice).toMatchObject({
      title: 'Mumbai Urban Transport Project "Phase III" – Rolling Stock',
      noticeType: 'contract_award',
      status: 'awarded',
      value: { amount: 4647906559.31, currency: 'INR' },
      countries: ['IN'],
      deadline: null,
      publishedAt: '2026-05-27T00:00:00.000Z',
      identifiers: { sector: 'Transport', contractor: 'Alstom Transport India Ltd.' },
    });
    expect(notice!.description).toContain('Contractor: Alstom Transport India Ltd.\nSigned: April 30,2026');
  });

  it('no zone in the text → closing date at 23:59, zone unknown; &#8217; and &#252; decoded', async () => {
    await ready;
    const { notice } = aiib.parse(notices.get('2')!);
    expect(notice).toMatchObject({
      title: 'Istanbul Seismic Risk Mitigation – Consultant’s Services for Design Review',
      countries: ['TR'],
      noticeType: 'expression_of_interest',
      category: 'consulting',
      deadline: { at: '2026-07-15T23:59:00.000Z', raw: 'July 15, 2026', zone: null, zoneKnown: false },
    });
  });

  it('a stored Procurement Plan row is not a notice', () => {
    const plan = readPpoData(SCRIPT)[2]!.text;
    expect(aiib.parse({ sourceId: 'p', payload: plan, contentType: 'text/javascript', url: null, fetchedAt: '' })).toEqual({
      notice: null,
      problems: ['Procurement Plan row: not a notice (skipped by design)'],
    });
  });

  it('reports unreadable dates and prices but keeps the notice', () => {
    const payload = '{id:"sometime",cd:"31/12/2026",mb:"Atlantis",pj:"Port works",pc:"lots",tp:"Specific Procurement Notice",ct:"Notices",dc:"/x.pdf"}';
    const { notice, problems } = aiib.parse({ sourceId: '/x.pdf', payload, contentType: 'text/javascript', url: null, fetchedAt: '' });
    expect(notice).toMatchObject({ title: 'Port works', publishedAt: null, deadline: null, value: null, countries: [], url: `${BASE}/x.pdf` });
    expect(problems).toEqual([
      'id (issue date) unreadable: "sometime"',
      'member "Atlantis" not recognised',
      'cd (closing date) unreadable: "31/12/2026"',
      'pc (price) unreadable: "lots"',
    ]);
  });
});
