import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FetchProblem, RawNotice, ScrapeContext } from '../../scrapers/contract.js';
import { adb, adbCountry, titleCountryCode } from '../../scrapers/adb.js';
import { sliceRssItems } from '../../scrapers/afdb.js';
import { HttpError, type HttpClient } from '../../scrapers/http-client.js';
import { validateTenderInput } from '../../src/ingest/validate.js';
import { FakeHttp } from '../helpers/fake-http.js';

const FEED = readFileSync(fileURLToPath(new URL('../fixtures/adb/tenders-rss.xml', import.meta.url)), 'utf8');
const BASE = 'https://www.adb.org';
const FEED_URL = `${BASE}/projects/tenders/rss`;

/** These feeds are served by their full URL string. */
const fakeHttp = (serve: (url: string) => string) => new FakeHttp((url) => serve(url.href));

function context(http: HttpClient, over: Partial<ScrapeContext> = {}): ScrapeContext {
  return { http, baseUrl: BASE, sample: false, since: null, log: () => {}, ...over };
}

async function collect(ctx: ScrapeContext): Promise<{ notices: RawNotice[]; problems: FetchProblem[] }> {
  const notices: RawNotice[] = [];
  const problems: FetchProblem[] = [];
  for await (const item of adb.fetch(ctx)) {
    if ('kind' in item) problems.push(item);
    else notices.push(item);
  }
  return { notices, problems };
}

const serveFeed = () => fakeHttp((url) => {
  if (url === FEED_URL) return FEED;
  throw new HttpError(`GET ${url} failed: HTTP 404 Not Found`, 404, url);
});

describe('ADB country codes', () => {
  it.each([
    ['ARM', 'AM'], ['BAN', 'BD'], ['CAM', 'KH'], ['PHI', 'PH'], ['INO', 'ID'], ['SRI', 'LK'], ['PRC', 'CN'],
    ['NEP', 'NP'], ['MON', 'MN'], ['TAJ', 'TJ'], ['KGZ', 'KG'], ['UZB', 'UZ'], ['KAZ', 'KZ'], ['PAK', 'PK'],
    ['IND', 'IN'], ['BHU', 'BT'], ['LAO', 'LA'], ['VIE', 'VN'], ['MYA', 'MM'], ['TIM', 'TL'], ['PNG', 'PG'],
    ['FIJ', 'FJ'], ['SAM', 'WS'], ['TON', 'TO'], ['MLD', 'MV'], ['AFG', 'AF'], ['GEO', 'GE'], ['AZE', 'AZ'],
  ])('%s → %s', (code, iso) => {
    expect(adbCountry(code)).toBe(iso);
  });

  it('REG and unknown codes have no country', () => {
    expect(adbCountry('REG')).toBeNull();
    expect(adbCountry('XYZ')).toBeNull();
  });

  it('reads the code before the colon', () => {
    expect(titleCountryCode('TA-10693 ARM: Yerevan (59351-001)')).toBe('ARM');
    expect(titleCountryCode('PRC: Hunan')).toBe('PRC');
    expect(titleCountryCode('Consultant: urban planning')).toBeNull();
  });
});

describe('adb.fetch', () => {
  it('reads the one feed, one notice per item, payload = {feed, item as received}', async () => {
    const http = serveFeed();
    const { notices, problems } = await collect(context(http));
    expect(problems).toEqual([]);
    expect(http.urls).toEqual([FEED_URL]);
    expect(notices.map((n) => n.sourceId)).toEqual([
      '210345 at https://www.adb.org',
      '210377 at https://www.adb.org',
      '210390 at https://www.adb.org',
      '210402 at https://www.adb.org',
    ]);
    expect(JSON.parse(notices[1]!.payload)).toEqual({ feed: FEED_URL, item: sliceRssItems(FEED)[1] });
    for (const n of notices) expect(validateTenderInput(adb.parse(n).notice!)).toEqual([]);
  });

  it('a 403 ends the run as one problem that points to UNGM agency 85', async () => {
    const http = fakeHttp((url) => {
      throw new HttpError(`GET ${url} failed: HTTP 403 Forbidden`, 403, url);
    });
    const { notices, problems } = await collect(context(http));
    expect(notices).toEqual([]);
    expect(problems).toEqual([{ kind: 'problem', message: expect.stringMatching(/HTTP 403.*UNGM \(agency 85\)/), url: FEED_URL }]);
  });

  it('a network failure is a problem, not a crash', async () => {
    const http = fakeHttp(() => {
      throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    });
    const { problems } = await collect(context(http));
    expect(problems).toEqual([expect.objectContaining({ message: 'feed failed: connect ECONNREFUSED' })]);
  });

  it('items without guid fall back to the link; without either they are skipped', async () => {
    const feed = '<rss><channel><item><title>A</title><link>https://www.adb.org/projects/tenders/1</link></item><item><title>B</title></item></channel></rss>';
    const { notices, problems } = await collect(context(fakeHttp(() => feed)));
    expect(notices.map((n) => n.sourceId)).toEqual(['https://www.adb.org/projects/tenders/1']);
    expect(problems).toEqual([expect.objectContaining({ message: 'item 2 has neither guid nor link: skipped' })]);
  });
});

describe('adb.parse', () => {
  const parsed = async () => {
    const { notices } = await collect(context(serveFeed()));
    return new Map(notices.map((n) => [n.sourceId.split(' ')[0]!, adb.parse(n)]));
  };

  it('TA-10693 ARM: project number, country code, financing, Manila-time deadline', async () => {
    const { notice, problems } = (await parsed()).get('210345')!;
    expect(problems).toEqual([]);
    expect(notice).toEqual({
      sourceId: '210345 at https://www.adb.org',
      reference: 'TA-10693',
      title: 'TA-10693 ARM: Yerevan Urban Development Program - Urban Planning Specialist (59351-001)',
      description: 'Type: Consulting Services - Individual Consultant\nCountry: Armenia\nDeadline: 28 October 2026 11:59 PM (Manila time)',
      buyer: null,
      countries: ['AM'],
      noticeType: 'expression_of_interest',
      noticeTypeLabel: 'Consulting Services - Individual Consultant',
      procurementMethod: null,
      category: 'consulting',
      unspsc: [],
      publishedAt: '2026-10-09T02:15:10.000Z',
      deadline: { at: '2026-10-28T15:59:00.000Z', raw: '28 October 2026 11:59 PM (Manila time)', zone: 'Asia/Manila', zoneKnown: true },
      status: null,
      value: null,
      language: 'en',
      url: 'https://www.adb.org/projects/tenders/59351-001/urban-planning-specialist',
      projectId: '59351-001',
      identifiers: { financing: 'TA-10693' },
    });
  });

  it('L-4210 BAN: Bangladesh, invitation for bids, goods, Dhaka-time deadline', async () => {
    const { notice, problems } = (await parsed()).get('210377')!;
    expect(problems).toEqual([]);
    expect(notice).toMatchObject({
      countries: ['BD'],
      noticeType: 'invitation_to_bid',
      category: 'goods',
      projectId: '51227-002',
      reference: 'L-4210',
      deadline: { at: '2026-11-15T06:00:00.000Z', raw: '15 November 2026, 12:00 hours (Dhaka time)', zone: 'Asia/Dhaka', zoneKnown: true },
    });
  });

  it('REG: a regional notice has no country and no problem; &#039; decoded', async () => {
    const { notice, problems } = (await parsed()).get('210390')!;
    expect(problems).toEqual([]);
    expect(notice).toMatchObject({ countries: [], noticeType: 'request_for_proposal', projectId: '48489-005', deadline: null, title: "REG: Pacific Renewable Energy Investment Facility - Request for Proposals - Owner's Engineer (48489-005)" });
  });

  it('PRC: China; a consultant recruitment is an expression of interest', async () => {
    const { notice, problems } = (await parsed()).get('210402')!;
    expect(problems).toEqual([]);
    expect(notice).toMatchObject({ countries: ['CN'], noticeType: 'expression_of_interest', category: 'consulting' });
  });

  it('an unknown code falls back to a Country: line, and is reported', () => {
    const item = '<item><title>XYZ: Something (12345-001)</title><description>&lt;p&gt;Country: Nepal&lt;/p&gt;</description><guid>9</guid><pubDate>Mon, 12 Oct 2026 03:30:00 +0000</pubDate></item>';
    const { notice, problems } = adb.parse({ sourceId: '9', payload: JSON.stringify({ feed: FEED_URL, item }), contentType: 'application/xml', url: null, fetchedAt: '' });
    expect(notice).toMatchObject({ countries: ['NP'], projectId: '12345-001', url: null });
    expect(problems).toEqual(['ADB country code "XYZ" not mapped', 'notice type not found in the title or text']);
  });

  it.each(['', '{', '{"item": 3}', '{"item": "<item>"}'])('returns no notice for %j', (payload) => {
    const { notice, problems } = adb.parse({ sourceId: 'x', payload, contentType: 'application/xml', url: null, fetchedAt: '' });
    expect(notice).toBeNull();
    expect(problems).toHaveLength(1);
  });
});
