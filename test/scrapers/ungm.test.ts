import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FetchProblem, RawNotice, ScrapeContext, SourceDefinition } from '../../scrapers/contract.js';
import { HttpError, type HttpClient } from '../../scrapers/http-client.js';
import {
  createUngmSource,
  type ListingRow,
  parseUngmDateTime,
  readListingRows,
  readNoticeTotal,
  readVerificationToken,
  UNGM_PAGE_SIZE,
  ungm,
} from '../../scrapers/ungm.js';
import { FakeHttp as SharedFakeHttp } from '../helpers/fake-http.js';

const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(`../fixtures/ungm/${name}`, import.meta.url)), 'utf8');
const SEARCH_PAGE = fixture('notice_page.html');
const FRAGMENT = fixture('search_fragment_2rows.html');
const DETAIL_FULL = fixture('notice_detail_400102.html');
const DETAIL_NO_REFERENCE = fixture('notice_detail_400101_no_reference.html');
const BASE = 'https://www.ungm.org';

/** A scripted HttpClient: each request is answered by `serve`; a thrown error is the HTTP failure. */
class FakeHttp extends SharedFakeHttp {
  searches(): Array<Record<string, unknown>> {
    return this.calls.filter((c) => c.init?.method === 'POST').map((c) => JSON.parse(c.init!.body!) as Record<string, unknown>);
  }
}

const [ROW_A, ROW_B] = readListingRows(FRAGMENT) as [ListingRow, ListingRow];

/** A search fragment of `n` rows cloned from the fixture's first row, ids from `first`. */
function fragment(n: number, first: number, total: number, published = '12-Oct-2026'): string {
  const rows = Array.from({ length: n }, (_, i) =>
    ROW_A.html.replaceAll('400101', String(first + i)).replace(/\r\n12-Oct-2026<\/span>/, `\r\n${published}</span>`),
  );
  return `\r\n${rows.join('\r\n')}\r\n<script>\r\n    var noticeTotal = "${total}";\r\n</script>\r\n`;
}

/** Serves the search page, search pages by PageIndex, and detail pages (`details[id]`, else a stub). */
function site(pages: string[], details: Record<string, string | Error> = {}): FakeHttp {
  return new FakeHttp((url, init) => {
    if (url.pathname === '/Public/Notice' && init?.method !== 'POST') return SEARCH_PAGE;
    if (url.pathname === '/Public/Notice/Search') {
      const body = JSON.parse(init!.body!) as { PageIndex: number };
      return pages[body.PageIndex] ?? fragment(0, 0, 0);
    }
    const id = /^\/Public\/Notice\/(\d+)$/.exec(url.pathname)?.[1];
    if (id) {
      const detail = details[id];
      if (detail instanceof Error) throw detail;
      return detail ?? `<html><body><p>notice ${id}</p></body></html>`;
    }
    throw new HttpError('HTTP 404', 404, url.toString());
  });
}

function context(http: HttpClient, over: Partial<ScrapeContext> = {}): ScrapeContext {
  return { http, baseUrl: BASE, sample: false, since: null, log: () => {}, ...over };
}

async function collect(source: SourceDefinition, ctx: ScrapeContext): Promise<{ notices: RawNotice[]; problems: FetchProblem[] }> {
  const notices: RawNotice[] = [];
  const problems: FetchProblem[] = [];
  for await (const item of source.fetch(ctx)) {
    if ('kind' in item) problems.push(item);
    else notices.push(item);
  }
  return { notices, problems };
}

function raw(row: string, detail: string | null, id: string): RawNotice {
  return {
    sourceId: id,
    payload: JSON.stringify({ row, detail }),
    contentType: 'text/html',
    url: `${BASE}/Public/Notice/${id}`,
    fetchedAt: '2026-10-13T00:00:00.000Z',
  };
}

describe('ungm source definition', () => {
  it('declares id, base URL and the 4 s politeness gap', () => {
    expect(ungm.id).toBe('ungm');
    expect(ungm.defaultBaseUrl).toBe(BASE);
    expect(ungm.politeness.minIntervalMs).toBe(4000);
    expect(createUngmSource({ id: 'ungm-adb', agencies: ['85'] }).id).toBe('ungm-adb');
  });
});

describe('ungm listing helpers', () => {
  it('reads the anti-forgery token', () => {
    expect(readVerificationToken(SEARCH_PAGE)).toBe('TEST-token_abc123-XYZ');
    expect(readVerificationToken('<html><body>no token</body></html>')).toBeNull();
  });

  it('reads rows with their exact outer HTML (CRLF kept) and noticeTotal', () => {
    expect(readNoticeTotal(FRAGMENT)).toBe(2);
    const rows = readListingRows(FRAGMENT);
    expect(rows.map((r) => [r.id, r.published])).toEqual([
      ['400101', '2026-10-12'],
      ['400102', '2026-10-11'],
    ]);
    expect(FRAGMENT).toContain(rows[0]!.html);
    expect(rows[0]!.html).toMatch(/^<div role="row"[^]*<\/div>$/);
    expect(rows[0]!.html).toContain('\r\n');
    expect(rows[0]!.html).not.toContain('<script>');
  });

  it('parses (GMT h.mm) date-times', () => {
    expect(parseUngmDateTime('22-Oct-2026 08:00 (GMT 4.30)')).toEqual({ local: '2026-10-22T08:00', zone: '+04:30' });
    expect(parseUngmDateTime('20-Oct-2026 08:00\r\n   (GMT -4.00)')).toEqual({ local: '2026-10-20T08:00', zone: '-04:00' });
    expect(parseUngmDateTime('22-Oct-2026 08:00')).toEqual({ local: '2026-10-22T08:00', zone: null });
    expect(parseUngmDateTime('soon')).toBeNull();
  });
});

describe('ungm.parse', () => {
  it('reads the listing row alone when there is no detail page', () => {
    const { notice, problems } = ungm.parse(raw(ROW_B.html, null, '400102'));
    expect(problems).toEqual(['detail page not fetched: listing row only']);
    expect(notice).toMatchObject({
      sourceId: '400102',
      reference: 'LRPS-2026-9187654',
      title: 'Long-term agreement for cold chain equipment – vaccine refrigerators and solar dire',
      buyer: 'UNICEF',
      countries: [],
      noticeType: 'invitation_to_bid',
      noticeTypeLabel: 'Invitation to bid',
      publishedAt: '2026-10-11T00:00:00.000Z',
      deadline: { at: '2026-11-15T16:00:00.000Z', raw: '15-Nov-2026 12:00 (GMT -4.00)', zone: '-04:00', zoneKnown: true },
      identifiers: { agency: 'UNICEF', agencyId: '3', ungmNoticeId: '400102' },
      url: `${BASE}/Public/Notice/400102`,
    });
  });

  it('keeps U+2011 in titles and converts GMT 4.30', () => {
    const { notice } = ungm.parse(raw(ROW_A.html, null, '400101'));
    expect(notice?.title).toBe('Supply of solar\u2011powered water pumps for Herat province');
    expect(notice?.countries).toEqual(['AF']);
    expect(notice?.noticeType).toBe('request_for_quotation');
    expect(notice?.deadline?.at).toBe('2026-10-30T11:30:00.000Z');
  });

  it('enriches from the detail page: full title, deadline, countries, organization, description, UNSPSC, documents', () => {
    const { notice, problems } = ungm.parse(raw(ROW_B.html, DETAIL_FULL, '400102'));
    expect(problems).toEqual([]);
    expect(notice?.title).toBe(
      'Long-term agreement for cold chain equipment – vaccine refrigerators and solar direct drive refrigerators for country offices',
    );
    expect(notice?.deadline).toEqual({
      at: '2026-11-16T16:00:00.000Z',
      raw: '16-Nov-2026 12:00 (GMT -4.00)',
      zone: '-04:00',
      zoneKnown: true,
    });
    expect(notice?.countries).toEqual(['KE', 'CD', 'UG', 'CI']);
    expect(notice?.buyer).toBe('UNICEF');
    expect(notice?.reference).toBe('LRPS-2026-9187654');
    expect(notice?.unspsc).toEqual(['41103004', '41103001']);
    expect(notice?.description).toContain('long-term agreement for vaccine refrigerators & freezers.');
    expect(notice?.description).toContain('* Prequalified by WHO PQS');
    expect(notice?.description).toContain('- LRPS-2026-9187654 Solicitation.pdf: https://www.ungm.org/Public/Notice/Document/88123');
  });

  it('reports a missing detail label and keeps the row value (dt/dd markup variant)', () => {
    const { notice, problems } = ungm.parse(raw(ROW_A.html, DETAIL_NO_REFERENCE, '400101'));
    expect(problems).toEqual(['detail: label "Reference" not found']);
    expect(notice?.reference).toBe('UNDP-AFG-01234');
    expect(notice?.buyer).toBe('United Nations Development Programme');
    expect(notice?.description).toBe('Supply and installation of 40 solar-powered pumps.');
    expect(notice?.countries).toEqual(['AF']);
  });

  it('reports every expected label on an unrelated detail page, without throwing', () => {
    const { notice, problems } = ungm.parse(raw(ROW_A.html, '<html><body><p>Maintenance</p></body></html>', '400101'));
    expect(notice?.title).toBe('Supply of solar\u2011powered water pumps for Herat province');
    expect(problems).toEqual([
      'detail: label "Published on" not found',
      'detail: label "Deadline on" not found',
      'detail: label "Beneficiary countries or territories" not found',
      'detail: label "Organization" not found',
      'detail: label "Reference" not found',
      'detail: section "Description" not found',
    ]);
  });

  it('returns no notice for unusable payloads', () => {
    for (const payload of ['not json', 'null', '{}', '{"row": 5}', '{"row": "<div>no row</div>"}']) {
      const outcome = ungm.parse({ sourceId: 'x', payload, contentType: 'text/html', url: null, fetchedAt: '' });
      expect(outcome.notice).toBeNull();
      expect(outcome.problems.length).toBeGreaterThan(0);
    }
  });
});

describe('ungm.fetch', () => {
  it('gets the token, posts the search with it, and fetches each detail page', async () => {
    const http = site([FRAGMENT], { '400102': DETAIL_FULL });
    const { notices, problems } = await collect(ungm, context(http));
    expect(problems).toEqual([]);
    expect(http.calls.map((c) => `${c.init?.method ?? 'GET'} ${new URL(c.url).pathname}`)).toEqual([
      'GET /Public/Notice',
      'POST /Public/Notice/Search',
      'GET /Public/Notice/400101',
      'GET /Public/Notice/400102',
    ]);
    const post = http.calls[1]!;
    expect(post.init?.headers).toEqual({
      'Content-Type': 'application/json; charset=UTF-8',
      'X-Requested-With': 'XMLHttpRequest',
      RequestVerificationToken: 'TEST-token_abc123-XYZ',
      Referer: `${BASE}/Public/Notice`,
    });
    expect(http.searches()[0]).toMatchObject({
      PageIndex: 0,
      PageSize: 15,
      SortField: 'DatePublished',
      SortAscending: false,
      Agencies: [],
      PublishedFrom: '',
    });
    expect(notices.map((n) => n.sourceId)).toEqual(['400101', '400102']);
    expect(notices[1]).toMatchObject({ contentType: 'text/html', url: `${BASE}/Public/Notice/400102` });
    expect(JSON.parse(notices[1]!.payload)).toEqual({ row: ROW_B.html, detail: DETAIL_FULL });
  });

  it('sends the agencies of the options and never asks for more than 15 rows', async () => {
    const http = site([fragment(15, 500000, 100), fragment(15, 500100, 100), fragment(4, 500200, 100)]);
    const source = createUngmSource({ agencies: ['85', '84'], id: 'ungm-mdb' });
    const { notices } = await collect(source, context(http));
    expect(notices).toHaveLength(34);
    const bodies = http.searches();
    expect(bodies.map((b) => b.PageIndex)).toEqual([0, 1, 2]);
    expect(bodies.every((b) => typeof b.PageSize === 'number' && b.PageSize <= UNGM_PAGE_SIZE)).toBe(true);
    expect(bodies.every((b) => JSON.stringify(b.Agencies) === '["85","84"]')).toBe(true);
  });

  it('stops when noticeTotal is reached', async () => {
    const http = site([fragment(15, 500000, 15), fragment(15, 500100, 15)]);
    const { notices } = await collect(ungm, context(http));
    expect(notices).toHaveLength(15);
    expect(http.searches()).toHaveLength(1);
  });

  it('stops after the first page in sample mode', async () => {
    const http = site([fragment(15, 500000, 1000), fragment(15, 500100, 1000)]);
    const { notices } = await collect(ungm, context(http, { sample: true }));
    expect(notices).toHaveLength(15);
    expect(http.searches()).toHaveLength(1);
  });

  it('incremental: stops at rows published before since, without fetching their details', async () => {
    const http = site([FRAGMENT, fragment(15, 500000, 1000)]);
    const { notices } = await collect(ungm, context(http, { since: '2026-10-12T03:00:00.000Z' }));
    expect(notices.map((n) => n.sourceId)).toEqual(['400101']);
    expect(http.searches()).toHaveLength(1);
    expect(http.searches()[0]!.PublishedFrom).toBe('12-Oct-2026');
    expect(http.calls.some((c) => c.url.endsWith('/400102'))).toBe(false);
  });

  it('a missing token is a problem and nothing is searched', async () => {
    const http = new FakeHttp(() => '<html><body>Please wait…</body></html>');
    const { notices, problems } = await collect(ungm, context(http));
    expect(notices).toEqual([]);
    expect(problems.map((p) => p.message)).toEqual(['__RequestVerificationToken not found on the search page']);
    expect(http.calls).toHaveLength(1);
  });

  it('a failing detail page still yields the listing row', async () => {
    const http = site([FRAGMENT], { '400101': new HttpError('HTTP 500', 500, `${BASE}/Public/Notice/400101`) });
    const { notices, problems } = await collect(ungm, context(http));
    expect(notices.map((n) => n.sourceId)).toEqual(['400101', '400102']);
    expect(JSON.parse(notices[0]!.payload)).toEqual({ row: ROW_A.html, detail: null });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ url: `${BASE}/Public/Notice/400101` });
    expect(problems[0]!.message).toMatch(/detail 400101 failed, listing row kept: HTTP 500/);
    expect(ungm.parse(notices[0]!).notice?.reference).toBe('UNDP-AFG-01234');
  });

  it('a failing search or an unrecognisable response is a problem, not a throw', async () => {
    const failing = new FakeHttp((url, init) => {
      if (init?.method === 'POST') throw new HttpError('HTTP 429', 429, url.toString());
      return SEARCH_PAGE;
    });
    const a = await collect(ungm, context(failing));
    expect(a.problems.map((p) => p.message)).toEqual(['search page 1 failed: HTTP 429']);

    const blank = new FakeHttp((_url, init) => (init?.method === 'POST' ? '<html><body>Error</body></html>' : SEARCH_PAGE));
    const b = await collect(ungm, context(blank));
    expect(b.problems.map((p) => p.message)).toEqual(['search page 1 has no notice rows and no noticeTotal']);
  });

  it('accepts a JSON {html} search response', async () => {
    const http = new FakeHttp((url, init) => {
      if (init?.method === 'POST') return JSON.stringify({ html: FRAGMENT });
      return url.pathname === '/Public/Notice' ? SEARCH_PAGE : '<html></html>';
    });
    const { notices } = await collect(ungm, context(http));
    expect(notices.map((n) => n.sourceId)).toEqual(['400101', '400102']);
  });
});
