import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FetchProblem, RawNotice, ScrapeContext } from '../../scrapers/contract.js';
import { EBRD_MAX_DETAILS, ebrd, readListingRows, readMetadata, readUkDateTime } from '../../scrapers/ebrd.js';
import { HttpError, type HttpClient } from '../../scrapers/http-client.js';
import { validateTenderInput } from '../../src/ingest/validate.js';
import { FakeHttp as SharedFakeHttp } from '../helpers/fake-http.js';

const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(`../fixtures/ebrd/${name}`, import.meta.url)), 'utf8');
const LISTING = fixture('noticeSearchResults_3rows.html');
const DETAIL = fixture('viewNotice_47000001.html');
const BASE = 'https://ecepp.ebrd.com';

/** A scripted HttpClient: `serve` answers each URL; a thrown error is the HTTP failure. */
class FakeHttp extends SharedFakeHttp {
  details(): string[] {
    return this.urls.filter((u) => u.includes('viewNotice')).map((u) => new URL(u).searchParams.get('displayNoticeId')!);
  }
}

function site(listing: string, details: Record<string, string | Error> = {}): FakeHttp {
  return new FakeHttp((url) => {
    if (url.pathname === '/delta/noticeSearchResults.html') return listing;
    if (url.pathname === '/delta/viewNotice.html') {
      const id = url.searchParams.get('displayNoticeId')!;
      const d = details[id];
      if (d instanceof Error) throw d;
      return d ?? `<html><body><h1 class="entry-title">notice ${id}</h1></body></html>`;
    }
    throw new HttpError(`HTTP 404 ${url}`, 404, url.toString());
  });
}

function context(http: HttpClient, over: Partial<ScrapeContext> = {}): ScrapeContext {
  return { http, baseUrl: BASE, sample: false, since: null, log: () => {}, ...over };
}

async function collect(ctx: ScrapeContext): Promise<{ notices: RawNotice[]; problems: FetchProblem[] }> {
  const notices: RawNotice[] = [];
  const problems: FetchProblem[] = [];
  for await (const item of ebrd.fetch(ctx)) {
    if ('kind' in item) problems.push(item);
    else notices.push(item);
  }
  return { notices, problems };
}

const [ROW_1, ROW_2, ROW_3] = readListingRows(LISTING);

function raw(id: string, row: string, detail: string | null = null): RawNotice {
  return {
    sourceId: id,
    payload: JSON.stringify({ row, detail }),
    contentType: 'text/html',
    url: `${BASE}/delta/viewNotice.html?displayNoticeId=${id}`,
    fetchedAt: '2026-10-15T03:10:00.000Z',
  };
}

/** A listing of `n` open rows cloned from row 3, ids 48000000+i, published i minutes apart (unsorted). */
function bigListing(n: number): string {
  const rows = Array.from({ length: n }, (_, i) => {
    const minute = (i * 7919) % n; // a permutation: rows out of date order
    const key = `20261001${String(Math.floor(minute / 60)).padStart(2, '0')}${String(minute % 60).padStart(2, '0')}`;
    return ROW_3!.html.replaceAll('47000003', String(48000000 + i)).replace('202610010018', key);
  });
  return LISTING.replace(/<tbody>[\s\S]*<\/tbody>/, `<tbody>\n${rows.join('\n')}\n</tbody>`);
}

describe('ebrd listing', () => {
  it('reads every row with its id, state and published sort key, in page order', () => {
    expect(readListingRows(LISTING).map((r) => [r.id, r.state, r.publishedKey])).toEqual([
      ['47000001', 'Open', '202610050930'],
      ['47000002', 'Information Only', '202610141605'],
      ['47000003', 'Open', '202610010018'],
    ]);
  });

  it('slices each row exactly as received', () => {
    for (const row of [ROW_1!, ROW_2!, ROW_3!]) {
      expect(LISTING).toContain(row.html);
      expect(row.html.startsWith('<tr>')).toBe(true);
      expect(row.html.endsWith('</tr>')).toBe(true);
    }
    expect(ROW_1!.html).toContain('\u00d0\u0090');
  });
});

describe('ebrd.parse', () => {
  it('row 1 with its detail page: mojibake repaired, BST published, GMT closing, detail labels', () => {
    const { notice, problems } = ebrd.parse(raw('47000001', ROW_1!.html, DETAIL));
    expect(problems).toEqual([]);
    expect(notice).toMatchObject({
      sourceId: '47000001',
      reference: '47000000',
      title: 'Ukraine: Tender No. А 2.1 Supply of pumping units',
      buyer: 'Київводоканал PJSC',
      countries: ['UA'],
      noticeType: 'invitation_to_bid',
      noticeTypeLabel: 'Invitation For Tenders Single',
      procurementMethod: 'Open Tender Single Stage',
      category: 'goods',
      // 05/10/2026 09:30 UK time is BST (UTC+1)
      publishedAt: '2026-10-05T08:30:00.000Z',
      // 20/11/2026 12:00 UK time is GMT (DST ended 25 Oct 2026)
      deadline: { at: '2026-11-20T12:00:00.000Z', raw: '20/11/2026 12:00 UK Time', zone: 'Europe/London', zoneKnown: true },
      status: null,
      language: 'en',
      url: `${BASE}/delta/viewNotice.html?displayNoticeId=47000001`,
      projectId: '55123',
      identifiers: { eceppId: '47000000', projectId: '55123' },
    });
    expect(notice!.title).not.toMatch(/[\u0080-\u00ff]/);
    expect(notice!.description).toBe(
      'Supply, delivery and commissioning of pumping units for the Kyiv water network:\nLot 1 - 12 submersible pumps\nLot 2 - 4 booster stations\n\nProject: Kyiv Water Emergency Programme\nSector: Municipal and Environmental Infrastructure',
    );
    expect(validateTenderInput(notice!)).toEqual([]);
  });

  it('row 1 without a detail page: the same identifiers from the metadata list', () => {
    const { notice, problems } = ebrd.parse(raw('47000001', ROW_1!.html));
    expect(problems).toEqual([]);
    expect(notice).toMatchObject({ buyer: 'Kyivvodokanal PJSC', reference: '47000000', projectId: '55123', countries: ['UA'], description: expect.stringContaining('Project: Kyiv Water Emergency Programme') });
  });

  it('row 2: [] metadata reported, N/A closing → no deadline, award → awarded, whitespace in the type normalised', () => {
    const { notice, problems } = ebrd.parse(raw('47000002', ROW_2!.html));
    expect(problems).toEqual([
      'metadata cell is empty ([]): project, country and client not listed',
      'country taken from the title prefix "Bosnia And Herzegovina"',
    ]);
    expect(notice).toMatchObject({
      noticeTypeLabel: 'Contract Award Notice',
      noticeType: 'contract_award',
      deadline: null,
      status: 'awarded',
      countries: ['BA'],
      buyer: null,
      projectId: null,
      identifiers: {},
      publishedAt: '2026-10-14T15:05:00.000Z',
    });
    expect(validateTenderInput(notice!)).toEqual([]);
  });

  it('row 3: the country comes from the metadata (Macedonia FYR), not the title; midnight BST rolls back a day', () => {
    const { notice, problems } = ebrd.parse(raw('47000003', ROW_3!.html));
    expect(problems).toEqual([]);
    expect(notice).toMatchObject({
      title: 'MDB test: Consultancy Services for the Skopje Wastewater Treatment Plant, Phase 2',
      countries: ['MK'],
      buyer: 'Public Enterprise Water Supply and Sewerage, Skopje',
      noticeType: 'prequalification',
      category: 'consulting',
      publishedAt: '2026-09-30T23:18:00.000Z',
      deadline: { at: '2026-10-30T16:00:00.000Z', zoneKnown: true },
      projectId: '50112',
      reference: '46999870',
    });
  });

  it('Information Only on a non-award notice is closed (it cannot be answered)', () => {
    const shortlist = ROW_2!.html.replace('Contract  Award  Notice', 'Shortlist Notice');
    expect(ebrd.parse(raw('47000002', shortlist)).notice).toMatchObject({ noticeType: 'other', status: 'closed' });
  });

  it('reports a closing date that the detail page contradicts, keeping the listing one', () => {
    const detail = DETAIL.replace('<td>20/11/2026 12:00</td>', '<td>27/11/2026 12:00</td>');
    const { notice, problems } = ebrd.parse(raw('47000001', ROW_1!.html, detail));
    expect(notice!.deadline!.at).toBe('2026-11-20T12:00:00.000Z');
    expect(problems).toEqual([expect.stringContaining('differs from the detail page')]);
  });

  it('reports missing detail labels without failing', () => {
    const detail = DETAIL.replace(/<tr>\s*<td><strong>ECEPP ID:[\s\S]*?<\/tr>/, '');
    const { notice, problems } = ebrd.parse(raw('47000001', ROW_1!.html, detail));
    expect(problems).toEqual(['detail: label "ECEPP ID:" not found']);
    expect(notice!.reference).toBe('47000000');
  });

  it.each([
    ['', 'payload is not the {row, detail} JSON envelope'],
    ['{"row": 1}', 'envelope has no "row" HTML'],
    ['{"row": "<tr><td>no link</td></tr>"}', 'row HTML has no notice row with a displayNoticeId'],
  ])('returns no notice for %j', (payload, problem) => {
    expect(ebrd.parse({ ...raw('x', ''), payload })).toEqual({ notice: null, problems: [problem] });
  });
});

describe('ebrd metadata list', () => {
  it('reads fields that contain commas, anchored on the ids', () => {
    const problems: string[] = [];
    expect(
      readMetadata(
        '[TEN-T Route 4, BBH, Smokovac-Tolosi Section, 57399, Montenegro, Design, supervision, and works, 44318332, Consultancy, Open Tender Single - Two Envelope with PQQ, Ministry of Transport, Department of Roads, Infra Europe, Invitation For Prequalification]',
        problems,
      ),
    ).toEqual({
      projectName: 'TEN-T Route 4, BBH, Smokovac-Tolosi Section',
      projectId: '57399',
      country: 'Montenegro',
      exerciseTitle: 'Design, supervision, and works',
      eceppId: '44318332',
      procurementType: 'Consultancy',
      method: 'Open Tender Single - Two Envelope with PQQ',
      client: 'Ministry of Transport, Department of Roads',
      sector: 'Infra Europe',
      noticeType: 'Invitation For Prequalification',
    });
    expect(problems).toEqual([]);
  });

  it('reads award rows that omit the exercise title and ECEPP id', () => {
    const problems: string[] = [];
    expect(readMetadata('[Riga Airport, 54196, Latvia, Works, Open Tender Two Stage with PQQ, SJSC RIGA INTERNATIONAL AIRPORT, Transport, Contract Award Notice]', problems)).toMatchObject({
      projectId: '54196',
      country: 'Latvia',
      exerciseTitle: null,
      eceppId: null,
      procurementType: 'Works',
      client: 'SJSC RIGA INTERNATIONAL AIRPORT',
      sector: 'Transport',
    });
    expect(problems).toEqual([]);
  });

  it('reports [] and non-lists', () => {
    const problems: string[] = [];
    expect(readMetadata('[]', problems)).toBeNull();
    expect(readMetadata('Nigeria', problems)).toBeNull();
    expect(problems).toHaveLength(2);
  });

  it('reads dd/mm/yyyy HH:MM', () => {
    expect(readUkDateTime('19/10/2026 12:00 UK Time')).toBe('2026-10-19T12:00');
    expect(readUkDateTime('1/2/2026')).toBe('2026-02-01T00:00');
    expect(readUkDateTime('N/A')).toBeNull();
  });
});

describe('ebrd.fetch', () => {
  it('yields every row and fetches the detail page of open rows only', async () => {
    const http = site(LISTING, { '47000001': DETAIL });
    const { notices, problems } = await collect(context(http));
    expect(problems).toEqual([]);
    expect(notices.map((n) => n.sourceId)).toEqual(['47000001', '47000002', '47000003']);
    expect(http.details().sort()).toEqual(['47000001', '47000003']);
    expect(http.urls[0]).toBe(`${BASE}/delta/noticeSearchResults.html`);
    const first = JSON.parse(notices[0]!.payload) as { row: string; detail: string | null };
    expect(first).toEqual({ row: ROW_1!.html, detail: DETAIL });
    expect(JSON.parse(notices[1]!.payload)).toEqual({ row: ROW_2!.html, detail: null });
    expect(notices[0]).toMatchObject({ contentType: 'text/html', url: `${BASE}/delta/viewNotice.html?displayNoticeId=47000001` });
    for (const n of notices) expect(validateTenderInput(ebrd.parse(n).notice!)).toEqual([]);
  });

  it('sample mode reads the first 5 rows only', async () => {
    const http = site(bigListing(12));
    const { notices } = await collect(context(http, { sample: true }));
    expect(notices.map((n) => n.sourceId)).toEqual(['48000000', '48000001', '48000002', '48000003', '48000004']);
    expect(http.details()).toHaveLength(5);
  });

  it(`fetches at most ${EBRD_MAX_DETAILS} details, the newest open notices, and says so`, async () => {
    const n = EBRD_MAX_DETAILS + 7;
    const listing = bigListing(n);
    const http = site(listing);
    const { notices, problems } = await collect(context(http));
    expect(notices).toHaveLength(n);
    expect(http.details()).toHaveLength(EBRD_MAX_DETAILS);
    expect(problems).toEqual([expect.objectContaining({ message: expect.stringContaining(`${n} open notices, details fetched for the newest ${EBRD_MAX_DETAILS}`) })]);
    const rows = readListingRows(listing);
    const oldest = [...rows].sort((a, b) => a.publishedKey.localeCompare(b.publishedKey)).slice(0, 7).map((r) => r.id);
    for (const id of oldest) expect(http.details()).not.toContain(id);
    const withoutDetail = notices.filter((x) => JSON.parse(x.payload).detail === null).map((x) => x.sourceId);
    expect(withoutDetail.sort()).toEqual(oldest.sort());
  });

  it('a refused listing ends the run as one problem', async () => {
    const http = new FakeHttp((url) => {
      throw new HttpError(`GET ${url} failed: HTTP 403 Forbidden`, 403, url.toString());
    });
    const { notices, problems } = await collect(context(http));
    expect(notices).toEqual([]);
    expect(problems).toEqual([{ kind: 'problem', message: expect.stringContaining('listing page failed: GET'), url: `${BASE}/delta/noticeSearchResults.html` }]);
  });

  it('a page without the results table is a problem, not an empty success', async () => {
    const { notices, problems } = await collect(context(site('<html><body>Maintenance</body></html>')));
    expect(notices).toEqual([]);
    expect(problems[0]!.message).toContain('no table#noticeResultsTable rows');
  });

  it('keeps listing rows when details fail, and stops asking after 3 failures in a row', async () => {
    const reset = (): Error => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const listing = bigListing(6);
    const http = site(listing, Object.fromEntries(readListingRows(listing).map((r) => [r.id, reset()])));
    const { notices, problems } = await collect(context(http));
    expect(notices).toHaveLength(6);
    expect(notices.every((n) => JSON.parse(n.payload).detail === null)).toBe(true);
    expect(http.details()).toHaveLength(3);
    expect(problems.map((p) => p.message)).toEqual([
      expect.stringContaining('listing row kept: read ECONNRESET'),
      expect.stringContaining('listing row kept: read ECONNRESET'),
      expect.stringContaining('3 failures in a row, no more details this run'),
    ]);
  });
});
