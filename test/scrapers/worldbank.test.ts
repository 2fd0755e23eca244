import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FetchProblem, RawNotice, ScrapeContext } from '../../scrapers/contract.js';
import { HttpError, type HttpClient } from '../../scrapers/http-client.js';
import { procnoticesUrl, worldbank } from '../../scrapers/worldbank.js';
import { FakeHttp } from '../helpers/fake-http.js';

const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(`../fixtures/worldbank/${name}`, import.meta.url)), 'utf8');
const PAGE = JSON.parse(fixture('procnotices_page_3rows.json')) as { procnotices: Array<Record<string, unknown>> };
const [IFB, REOI_CANCELLED, GPN] = PAGE.procnotices as [Record<string, unknown>, Record<string, unknown>, Record<string, unknown>];

/** A scripted HttpClient: each request is answered by `serve`; a thrown error is the HTTP failure. */

function context(http: HttpClient, over: Partial<ScrapeContext> = {}): ScrapeContext {
  return { http, baseUrl: 'https://search.worldbank.org', sample: false, since: null, log: () => {}, ...over };
}

async function collect(ctx: ScrapeContext): Promise<{ notices: RawNotice[]; problems: FetchProblem[] }> {
  const notices: RawNotice[] = [];
  const problems: FetchProblem[] = [];
  for await (const item of worldbank.fetch(ctx)) {
    if ('kind' in item) problems.push(item);
    else notices.push(item);
  }
  return { notices, problems };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** `n` rows cloned from the fixture, ids from `first`, with a noticedate per row. */
function rows(n: number, first: number, date: (i: number) => string = () => '2026-10-15'): Array<Record<string, unknown>> {
  return Array.from({ length: n }, (_, i) => {
    const [y, m, d] = date(i).split('-');
    return { ...IFB, id: `OP${String(first + i).padStart(8, '0')}`, noticedate: `${d}-${MONTHS[Number(m) - 1]}-${y}` };
  });
}

/** Serves listing pages keyed by the requested `os`, echoing `os` like the real API (R2). */
function pagedApi(pages: Array<Array<Record<string, unknown>>>, total: string): FakeHttp {
  return new FakeHttp((url) => {
    const os = Number(url.searchParams.get('os'));
    const page = pages[os / 100] ?? [];
    return JSON.stringify({ rows: page.length, os: String(os), total, procnotices: page });
  });
}

function parseRow(row: unknown) {
  const raw: RawNotice = {
    sourceId: 'x',
    payload: JSON.stringify(row),
    contentType: 'application/json',
    url: null,
    fetchedAt: '2026-10-16T00:00:00.000Z',
  };
  return worldbank.parse(raw);
}

describe('worldbank source definition', () => {
  it('declares id, base URL and politeness', () => {
    expect(worldbank.id).toBe('worldbank');
    expect(worldbank.defaultBaseUrl).toBe('https://search.worldbank.org');
    expect(worldbank.politeness.minIntervalMs).toBeGreaterThan(0);
    expect(worldbank.status.supported).toBe(true);
  });

  it('builds the v2 listing URL', () => {
    const url = new URL(procnoticesUrl('https://search.worldbank.org', 200));
    expect(url.pathname).toBe('/api/v2/procnotices');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      format: 'json',
      rows: '100',
      os: '200',
      srt: 'noticedate',
      order: 'desc',
      apilang: 'en',
    });
  });
});

describe('worldbank.parse', () => {
  it('parses an Invitation for Bids with a CET deadline in notice_text', () => {
    const { notice, problems } = parseRow(IFB);
    expect(problems).toEqual([]);
    expect(notice).toMatchObject({
      sourceId: 'OP00500001',
      reference: 'XK-MOF-455120-GO-RFB',
      title: 'Supply and Installation of LED Street Lighting',
      buyer: 'Ministry of Finance, Project Management Unit',
      countries: ['XK'],
      noticeType: 'invitation_to_bid',
      noticeTypeLabel: 'Invitation for Bids',
      procurementMethod: 'Request for Bids',
      category: 'goods',
      unspsc: [],
      publishedAt: '2026-10-15T00:00:00.000Z',
      status: null,
      value: null,
      language: 'en',
      url: 'https://projects.worldbank.org/en/projects-operations/procurement-detail/OP00500001',
      projectId: 'P512345',
      identifiers: { bidReference: 'XK-MOF-455120-GO-RFB' },
    });
    // 18:00 CET in November is UTC+1 (no summer time then)
    expect(notice?.deadline).toEqual({
      at: '2026-11-20T17:00:00.000Z',
      raw: '2026-11-20T00:00:00Z 18:00',
      zone: 'Europe/Brussels',
      zoneKnown: true,
    });
  });

  it('turns notice_text HTML into plain text without link URLs or images', () => {
    const text = parseRow(IFB).notice?.description ?? '';
    expect(text).toContain('on or before November 20, 2026 at 18:00 CET.');
    expect(text).toContain('Ministry of Finance – PMU website');
    expect(text).not.toMatch(/[<>]|example\.org|logo|&nbsp;/);
  });

  it('marks a cancelled notice and reads 00:00 as 23:59 with the zone unknown', () => {
    const { notice, problems } = parseRow(REOI_CANCELLED);
    expect(problems).toEqual([]);
    expect(notice?.status).toBe('cancelled');
    expect(notice?.noticeType).toBe('expression_of_interest');
    expect(notice?.language).toBe('fr');
    expect(notice?.countries).toEqual(['CI']);
    expect(notice?.category).toBe('consulting');
    expect(notice?.deadline).toEqual({
      at: '2026-10-30T23:59:00.000Z',
      raw: '2026-10-30T00:00:00Z 00:00',
      zone: null,
      zoneKnown: false,
    });
    expect(notice?.description).toContain("AVIS À MANIFESTATION D'INTÉRÊT");
    expect(notice?.description).toContain('Les manifestations d’intérêt doivent être déposées');
  });

  it('titles a General Procurement Notice from the project name and has no deadline', () => {
    const { notice, problems } = parseRow(GPN);
    expect(problems).toEqual([]);
    expect(notice).toMatchObject({
      title: 'Gambia Digital Transformation Project – General Procurement Notice',
      noticeType: 'general_procurement_notice',
      countries: ['GM'],
      category: 'non_consulting',
      deadline: null,
      reference: null,
      identifiers: {},
    });
  });

  it('flags contract awards as awarded', () => {
    const { notice } = parseRow({ ...IFB, notice_type: 'Contract Award' });
    expect(notice?.noticeType).toBe('contract_award');
    expect(notice?.status).toBe('awarded');
  });

  it('reads "Kabul Local Time" and ignores submission_date', () => {
    const row = {
      ...IFB,
      project_ctry_name: 'Afghanistan',
      submission_date: '2026-10-15T00:00:00Z',
      submission_deadline_time: '16:00',
      notice_text: '<p>by <strong>November 20th, 2026</strong>, at 4:00PM (Kabul Local Time).</p>',
    };
    expect(parseRow(row).notice?.deadline).toMatchObject({ at: '2026-11-20T11:30:00.000Z', zone: 'Asia/Kabul' });
  });

  it('reports disagreeing zones and leaves the zone unknown', () => {
    const row = { ...IFB, notice_text: '<p>Bids at 10:00 CET; opening at 11:00 EST.</p>' };
    const { notice, problems } = parseRow(row);
    expect(notice?.deadline).toMatchObject({ at: '2026-11-20T18:00:00.000Z', zoneKnown: false });
    expect(problems).toContain('notice_text names several time zones: deadline zone unknown');
  });

  it('reports missing fields as problems, never throws', () => {
    const { notice, problems } = parseRow({ id: 'OP00000001', notice_type: 'Invitation for Bids' });
    expect(notice?.title).toBe('Invitation for Bids');
    expect(notice?.countries).toEqual([]);
    expect(problems).toEqual(expect.arrayContaining(['bid_description missing', 'project_ctry_name missing', 'noticedate missing']));

    const odd = parseRow({ ...IFB, project_ctry_name: 'Atlantis', procurement_group: 'ZZ', notice_lang_name: 'Elvish', noticedate: '2026/10/15', submission_deadline_time: 'soon' });
    expect(odd.notice).not.toBeNull();
    expect(odd.problems).toEqual(
      expect.arrayContaining([
        'country "Atlantis" not recognised',
        'procurement_group "ZZ" not mapped',
        'notice_lang_name "Elvish" not mapped',
        'noticedate unreadable: "2026/10/15"',
        'submission_deadline_time unreadable: "soon"',
      ]),
    );
  });

  it('returns no notice for unusable payloads', () => {
    for (const payload of ['not json', 'null', '[]', '"text"', '{}', '{"id": 42.5e400}']) {
      const outcome = worldbank.parse({ sourceId: 'x', payload, contentType: 'application/json', url: null, fetchedAt: '' });
      expect(outcome.notice).toBeNull();
      expect(outcome.problems.length).toBeGreaterThan(0);
    }
  });
});

describe('worldbank.fetch', () => {
  it('yields one raw notice per row, the row JSON as received', async () => {
    const body = fixture('procnotices_page_3rows.json');
    const http = new FakeHttp(() => body);
    const pages: unknown[] = [];
    const { notices, problems } = await collect(context(http, { onPage: (p) => pages.push(p) }));
    expect(problems).toEqual([]);
    expect(notices.map((n) => n.sourceId)).toEqual(['OP00500001', 'OP00500002', 'OP00500003']);
    expect(notices[0]).toMatchObject({
      contentType: 'application/json',
      url: 'https://projects.worldbank.org/en/projects-operations/procurement-detail/OP00500001',
    });
    expect(JSON.parse(notices[1]!.payload)).toEqual(REOI_CANCELLED);
    expect(pages).toEqual([{ page: 1, items: 3, total: 3 }]);
    expect(http.calls).toHaveLength(1);
  });

  it('pages by os until a short page', async () => {
    const http = pagedApi([rows(100, 1), rows(100, 101), rows(30, 201)], '5000');
    const { notices, problems } = await collect(context(http));
    expect(problems).toEqual([]);
    expect(notices).toHaveLength(230);
    expect(http.calls.map((c) => new URL(c.url).searchParams.get('os'))).toEqual(['0', '100', '200']);
    expect(new Set(http.calls.map((c) => new URL(c.url).searchParams.get('rows')))).toEqual(new Set(['100']));
  });

  it('stops when total is reached', async () => {
    const http = pagedApi([rows(100, 1), rows(100, 101)], '100');
    const { notices } = await collect(context(http));
    expect(notices).toHaveLength(100);
    expect(http.calls).toHaveLength(1);
  });

  it('stops after the first page in sample mode', async () => {
    const http = pagedApi([rows(100, 1), rows(100, 101)], '5000');
    const { notices } = await collect(context(http, { sample: true }));
    expect(notices).toHaveLength(100);
    expect(http.calls).toHaveLength(1);
  });

  it('incremental: skips rows older than since and stops at a page with nothing newer', async () => {
    const http = pagedApi(
      [
        rows(100, 1, () => '2026-10-10'),
        rows(100, 101, (i) => (i < 50 ? '2026-10-05' : '2026-09-30')),
        rows(100, 201, () => '2026-09-20'),
        rows(100, 301, () => '2026-09-10'),
      ],
      '418561',
    );
    const { notices, problems } = await collect(context(http, { since: '2026-10-01T06:00:00.000Z' }));
    expect(problems).toEqual([]);
    expect(notices).toHaveLength(150);
    expect(http.calls).toHaveLength(3);
  });

  it('a malformed page gives a problem and stops, without throwing', async () => {
    const http = new FakeHttp(() => '<html>Service Unavailable</html>');
    const { notices, problems } = await collect(context(http));
    expect(notices).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/not valid JSON/);
    expect(problems[0]!.url).toContain('/api/v2/procnotices?');
  });

  it('a page without procnotices gives a problem', async () => {
    const { problems } = await collect(context(new FakeHttp(() => '{"error":"bad request"}')));
    expect(problems.map((p) => p.message)).toEqual(['listing page 1 has no "procnotices" array']);
  });

  it('an HTTP failure gives a problem', async () => {
    const http = new FakeHttp((url) => {
      throw new HttpError('HTTP 503', 503, url.toString());
    });
    const { problems } = await collect(context(http));
    expect(problems[0]!.message).toMatch(/listing page 1 failed: HTTP 503/);
  });

  it('asserts the filters took effect: too many rows, os ignored, page repeated', async () => {
    const tooMany = await collect(context(pagedApi([rows(150, 1)], '418561')));
    expect(tooMany.problems[0]!.message).toMatch(/asked for 100 rows, got 150/);
    expect(tooMany.notices).toEqual([]);

    const osIgnored = new FakeHttp(() => JSON.stringify({ rows: 100, os: '0', total: '418561', procnotices: rows(100, 1) }));
    const a = await collect(context(osIgnored));
    expect(a.notices).toHaveLength(100);
    expect(a.problems.map((p) => p.message)).toEqual(['asked for os=100, response says os=0: "os" was ignored']);

    const repeated = new FakeHttp(() => JSON.stringify({ total: '418561', procnotices: rows(100, 1) }));
    const b = await collect(context(repeated));
    expect(b.notices).toHaveLength(100);
    expect(b.problems.map((p) => p.message)).toEqual(['page 2 repeats page 1: "os" was ignored']);
  });

  it('reports rows out of noticedate order (sort ignored) and a non-numeric total', async () => {
    const page = [...rows(1, 1, () => '2026-10-01'), ...rows(1, 2, () => '2026-10-09')];
    const http = new FakeHttp(() => JSON.stringify({ total: 'lots', procnotices: page }));
    const { notices, problems } = await collect(context(http));
    expect(notices).toHaveLength(2);
    expect(problems.map((p) => p.message)).toEqual([
      '"total" is not a count: "lots"',
      'rows not in descending noticedate (row 2): "srt"/"order" may have been ignored',
    ]);
  });

  it('skips a row without id with a problem', async () => {
    const http = new FakeHttp(() => JSON.stringify({ total: '2', procnotices: [{ notice_type: 'x' }, IFB] }));
    const { notices, problems } = await collect(context(http));
    expect(notices.map((n) => n.sourceId)).toEqual(['OP00500001']);
    expect(problems.map((p) => p.message)).toEqual(['row 1 has no "id": skipped']);
  });
});
