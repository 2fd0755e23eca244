/**
 * Conformance against the real UNGM payloads in the shared fixtures folder
 * (/work/shared/fixtures/ungm, see PROVENANCE.md). Not copied into the project: read in place.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FetchProblem, RawNotice, ScrapeContext } from '../../scrapers/contract.js';
import { HttpError, type HttpClient, type HttpRequestInit, type HttpResponse } from '../../scrapers/http-client.js';
import { validateTenderInput } from '../../src/ingest/validate.js';
import { readListingRows, readNoticeTotal, readVerificationToken, ungm } from '../../scrapers/ungm.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const SHARED = process.env.SHARED_FIXTURES_DIR ?? path.resolve(here, '../../../shared/fixtures');
const DIR = path.join(SHARED, 'ungm');
const exists = existsSync(DIR);
if (!exists) console.warn(`shared fixtures absent (${DIR}): UNGM conformance tests skipped`);

const files = exists ? readdirSync(DIR).filter((f) => !f.startsWith('.')).sort() : [];
const read = (name: string): string => readFileSync(path.join(DIR, name), 'utf8');
const FRAGMENT_FILE = 'ungm_public_notice_search_fragment_afghanistan.html';
const HEAD_FILE = 'ungm_public_notice_page_head_excerpt.html';
const TOKEN = '_JldPFsnEN14pEGolKMBlY37haqnqjcNkDfSXvK6d3tZ38S_yeSViCtDdI5bmbHFM00IC7l_ygvvYaADI6HxtdhZWD81';
const BASE = 'https://www.ungm.org';

function rawRow(id: string, row: string): RawNotice {
  return {
    sourceId: id,
    payload: JSON.stringify({ row, detail: null }),
    contentType: 'text/html',
    url: `${BASE}/Public/Notice/${id}`,
    fetchedAt: '2026-10-05T12:00:00.000Z',
  };
}

describe.skipIf(!exists)('UNGM conformance (shared fixtures)', () => {
  it('finds the fixture files', () => {
    expect(files).toEqual(expect.arrayContaining([FRAGMENT_FILE, HEAD_FILE]));
  });

  it.each(files)('%s: read without errors', (file) => {
    const html = read(file);
    if (file === HEAD_FILE) {
      expect(readVerificationToken(html)).toBe(TOKEN);
      return;
    }
    for (const row of readListingRows(html)) {
      const { notice, problems } = ungm.parse(rawRow(row.id, row.html));
      expect(notice).not.toBeNull();
      expect(problems).toEqual(['detail page not fetched: listing row only']);
      expect(validateTenderInput(notice!)).toEqual([]);
    }
  });

  describe(FRAGMENT_FILE, () => {
    const fragment = exists ? read(FRAGMENT_FILE) : '';
    const rows = exists ? readListingRows(fragment) : [];
    const notices = new Map(rows.map((r) => [r.id, ungm.parse(rawRow(r.id, r.html)).notice!]));

    it('has 5 rows, CRLF endings kept in the row HTML, and noticeTotal 15290', () => {
      expect(readNoticeTotal(fragment)).toBe(15290);
      expect(rows.map((r) => r.id)).toEqual(['316874', '316822', '316819', '316814', '316843']);
      for (const r of rows) {
        expect(fragment).toContain(r.html);
        expect(r.html).toContain('\r\n');
        expect(r.published).toBe('2026-10-05');
      }
    });

    it('316874 (IOM): U+2011 title, GMT 0.00, Multiple destinations → []', () => {
      expect(notices.get('316874')).toMatchObject({
        title: 'Construction works of Two\u2011Storied Multi-purpose service centers in 15 locations',
        reference: '30000028259',
        buyer: 'IOM',
        countries: [],
        noticeType: 'invitation_to_bid',
        noticeTypeLabel: 'Invitation to bid',
        publishedAt: '2026-10-05T00:00:00.000Z',
        deadline: { at: '2026-10-22T08:00:00.000Z', raw: '22-Oct-2026 08:00 (GMT 0.00)', zone: '+00:00', zoneKnown: true },
        identifiers: { agency: 'IOM', agencyId: '2795', ungmNoticeId: '316874' },
        url: `${BASE}/Public/Notice/316874`,
      });
    });

    it('316822 (FAO, 150/WBK): 19-Oct-2026 23:59 (GMT 4.30) → 19:29Z, Afghanistan → AF', () => {
      const n = notices.get('316822')!;
      expect(n.title.startsWith('150/WBK: Package # 4 AF2 DIS: Demonstration of 12 Drip Irrigation Schemes')).toBe(true);
      expect(n.reference).toBe('2026/FAAFG/FAAFG/138540');
      expect(n.countries).toEqual(['AF']);
      expect(n.identifiers).toEqual({ agency: 'FAO', agencyId: '49', ungmNoticeId: '316822' });
      expect(n.deadline).toEqual({ at: '2026-10-19T19:29:00.000Z', raw: '19-Oct-2026 23:59 (GMT 4.30)', zone: '+04:30', zoneKnown: true });
      expect(notices.get('316819')!.deadline!.at).toBe('2026-10-18T19:29:00.000Z');
    });

    it('316814 (UNDP): reference UNDP-AFG-00891, truncated title, GMT -4.00 → 12:00Z', () => {
      expect(notices.get('316814')).toMatchObject({
        reference: 'UNDP-AFG-00891',
        title: 'Rehabilitation and Construction of Access Roads, Drainage and RCC Box Culverts i',
        buyer: 'UNDP',
        countries: ['AF'],
        noticeType: 'request_for_quotation',
        deadline: { at: '2026-10-20T12:00:00.000Z', raw: '20-Oct-2026 08:00 (GMT -4.00)', zone: '-04:00', zoneKnown: true },
        identifiers: { agency: 'UNDP', agencyId: '1', ungmNoticeId: '316814' },
      });
    });

    it('316843 (WHO): U+2013 title, free-text reference, individual consultants', () => {
      expect(notices.get('316843')).toMatchObject({
        title: 'Consultant \u2013 WHO Health Inequality Monitoring Network',
        reference: 'Consultant \u2013 Health Inequality Monitoring Network',
        noticeType: 'expression_of_interest',
        noticeTypeLabel: 'Call for individual consultants',
        countries: [],
        deadline: { at: '2026-11-02T00:00:00.000Z', zone: '+00:00' },
        identifiers: { agency: 'WHO', agencyId: '4', ungmNoticeId: '316843' },
      });
    });
  });

  it('fetch() over the real page head and fragment: token sent, 5 rows, short page stops, 404 details kept as rows', async () => {
    const head = read(HEAD_FILE);
    const fragment = read(FRAGMENT_FILE);
    const calls: Array<{ url: string; init?: HttpRequestInit }> = [];
    const http: HttpClient = {
      async request(url: string, init?: HttpRequestInit): Promise<HttpResponse> {
        calls.push({ url, init });
        const p = new URL(url).pathname;
        if (p === '/Public/Notice' && init?.method !== 'POST') return { status: 200, url, headers: {}, body: head };
        if (p === '/Public/Notice/Search') return { status: 200, url, headers: {}, body: fragment };
        throw new HttpError('HTTP 404', 404, url);
      },
      async getText(url, init) {
        return (await this.request(url, init)).body;
      },
      async getJson<T>(url: string, init?: HttpRequestInit) {
        return JSON.parse(await this.getText(url, init)) as T;
      },
      async close() {},
    };
    const pages: unknown[] = [];
    const ctx: ScrapeContext = { http, baseUrl: BASE, sample: false, since: null, log: () => {}, onPage: (p) => pages.push(p) };
    const notices: RawNotice[] = [];
    const problems: FetchProblem[] = [];
    for await (const item of ungm.fetch(ctx)) {
      if ('kind' in item) problems.push(item);
      else notices.push(item);
    }

    const post = calls.find((c) => c.init?.method === 'POST')!;
    expect(post.init?.headers?.RequestVerificationToken).toBe(TOKEN);
    expect(JSON.parse(post.init!.body!).PageSize).toBeLessThanOrEqual(15);
    expect(calls.filter((c) => c.init?.method === 'POST')).toHaveLength(1);
    expect(pages).toEqual([{ page: 1, items: 5, total: 15290 }]);
    expect(notices.map((n) => n.sourceId)).toEqual(['316874', '316822', '316819', '316814', '316843']);
    expect(problems).toHaveLength(5);
    const undp = ungm.parse(notices[3]!).notice!;
    expect(undp.reference).toBe('UNDP-AFG-00891');
  });
});
