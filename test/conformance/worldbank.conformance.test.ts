/**
 * Conformance against the real World Bank payloads in the shared fixtures folder
 * (/work/shared/fixtures/worldbank, see PROVENANCE.md). Not copied into the project: read in place.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FetchProblem, RawNotice, ScrapeContext } from '../../scrapers/contract.js';
import { validateTenderInput } from '../../src/ingest/validate.js';
import type { HttpClient, HttpRequestInit, HttpResponse } from '../../scrapers/http-client.js';
import { worldbank } from '../../scrapers/worldbank.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const SHARED = process.env.SHARED_FIXTURES_DIR ?? path.resolve(here, '../../../shared/fixtures');
const DIR = path.join(SHARED, 'worldbank');
const exists = existsSync(DIR);
if (!exists) console.warn(`shared fixtures absent (${DIR}): World Bank conformance tests skipped`);

const files = exists ? readdirSync(DIR).filter((f) => !f.startsWith('.')).sort() : [];
const read = (name: string): string => readFileSync(path.join(DIR, name), 'utf8');

function rawOf(row: unknown): RawNotice {
  return { sourceId: 'x', payload: JSON.stringify(row), contentType: 'application/json', url: null, fetchedAt: '2026-10-05T00:00:00.000Z' };
}

/** Serves `body` for every request. */
function serving(body: string): HttpClient & { urls: string[] } {
  const urls: string[] = [];
  return {
    urls,
    async request(url: string, _init?: HttpRequestInit): Promise<HttpResponse> {
      urls.push(url);
      return { status: 200, url, headers: {}, body };
    },
    async getText(url: string, init?: HttpRequestInit) {
      return (await this.request(url, init)).body;
    },
    async getJson<T>(url: string, init?: HttpRequestInit) {
      return JSON.parse(await this.getText(url, init)) as T;
    },
    async close() {},
  };
}

describe.skipIf(!exists)('World Bank conformance (shared fixtures)', () => {
  it('finds the fixture files', () => {
    expect(files).toContain('procnotices_v2_afghanistan_4rows.json');
  });

  it.each(files)('%s: every row parses to a notice without parser errors', (file) => {
    const page = JSON.parse(read(file)) as { procnotices: unknown[] };
    expect(Array.isArray(page.procnotices)).toBe(true);
    for (const row of page.procnotices) {
      const { notice, problems } = worldbank.parse(rawOf(row));
      expect(notice).not.toBeNull();
      expect(problems.filter((p) => p.startsWith('parser error'))).toEqual([]);
      expect(notice!.sourceId).toMatch(/^OP\d+$/);
      expect(validateTenderInput(notice!)).toEqual([]);
      expect(notice!.url).toBe(`https://projects.worldbank.org/en/projects-operations/procurement-detail/${notice!.sourceId}`);
      expect(notice!.description ?? '').not.toMatch(/<\/?[a-z][^>]*>|&[a-z]+;|&#\d+;/i);
    }
  });

  describe('procnotices_v2_afghanistan_4rows.json', () => {
    const page = exists ? (JSON.parse(read('procnotices_v2_afghanistan_4rows.json')) as { total: unknown; procnotices: unknown[] }) : null;
    const parsed = page ? page.procnotices.map((row) => worldbank.parse(rawOf(row))) : [];
    const byId = new Map(parsed.map((o) => [o.notice!.sourceId, o]));

    it('holds 4 rows and a string total of "2857"', () => {
      expect(page!.total).toBe('2857');
      expect([...byId.keys()]).toEqual(['OP00450891', 'OP00450017', 'OP00472877', 'OP00472867']);
      for (const { problems } of parsed) expect(problems).toEqual([]);
    });

    it('OP00450891: REOI, 18:00 CET in notice_text → 16:00Z (CEST in June)', () => {
      const n = byId.get('OP00450891')!.notice!;
      expect(n).toMatchObject({
        title: 'External Auditor for the entire Component 1 of the EMERGe project',
        reference: 'ACGF EMERGE C-22',
        buyer: 'ACGF',
        countries: ['AF'],
        noticeType: 'expression_of_interest',
        noticeTypeLabel: 'Request for Expression of Interest',
        procurementMethod: 'Consultant Qualification Selection',
        category: 'consulting',
        publishedAt: '2026-06-12T00:00:00.000Z',
        status: null,
        language: 'en',
        projectId: 'P504220',
        identifiers: { bidReference: 'ACGF EMERGE C-22' },
      });
      expect(n.deadline).toEqual({ at: '2026-06-28T16:00:00.000Z', raw: '2026-06-28T00:00:00Z 18:00', zone: 'Europe/Brussels', zoneKnown: true });
      expect(n.description).toContain('by June 28, 2026, at 18:00 CET.');
      expect(n.description).toContain('Consultancy Services for External Audit – Component 1 (ACGF’s Respective Part)');
    });

    it('OP00450017: "4:00PM (Kabul Local Time)" → 11:30Z; submission_date is not the deadline', () => {
      const n = byId.get('OP00450017')!.notice!;
      expect(n.title).toBe('External Audit for EMERGE');
      expect(n.buyer).toBe('Procurement Department, AKF');
      expect(n.publishedAt).toBe('2026-06-09T00:00:00.000Z');
      expect(n.deadline).toEqual({ at: '2026-06-21T11:30:00.000Z', raw: '2026-06-21T00:00:00Z 16:00', zone: 'Asia/Kabul', zoneKnown: true });
    });

    it('the 2 Contract Award rows are flagged awarded, goods, no deadline', () => {
      for (const [id, ref] of [
        ['OP00472877', 'DACAAR- WERP-KBL-G-12'],
        ['OP00472867', 'DACAAR- WERP-KBL-G-9'],
      ] as const) {
        const n = byId.get(id)!.notice!;
        expect(n).toMatchObject({
          noticeType: 'contract_award',
          status: 'awarded',
          category: 'goods',
          procurementMethod: 'Request for Quotations',
          deadline: null,
          buyer: null,
          countries: ['AF'],
          projectId: 'P179311',
          reference: ref,
          publishedAt: '2026-10-04T00:00:00.000Z',
        });
      }
      expect(byId.get('OP00472877')!.notice!.title).toBe(
        'Procurement of Kitchen Tools for Provincial Offices (Three new Provinces & 4 new districts of Herat)',
      );
      expect(byId.get('OP00472877')!.notice!.description).toContain('ADALAT STORE (1132434)');
      expect(byId.get('OP00472877')!.notice!.description).toContain('AFN 46702.00');
    });

    it('fetch() yields the 4 rows exactly as received, stops at the short page, and notes the unsorted excerpt', async () => {
      const body = read('procnotices_v2_afghanistan_4rows.json');
      const http = serving(body);
      const ctx: ScrapeContext = { http, baseUrl: 'https://search.worldbank.org', sample: false, since: null, log: () => {} };
      const notices: RawNotice[] = [];
      const problems: FetchProblem[] = [];
      for await (const item of worldbank.fetch(ctx)) {
      if ('kind' in item) problems.push(item);
      else notices.push(item);
    }
      expect(http.urls).toHaveLength(1);
      expect(notices.map((n) => n.sourceId)).toEqual(['OP00450891', 'OP00450017', 'OP00472877', 'OP00472867']);
      const original = (JSON.parse(body) as { procnotices: unknown[] }).procnotices;
      expect(notices.map((n) => JSON.parse(n.payload))).toEqual(original);
      // The recorder cut the page to 4 rows out of order (Jun, Jun, Oct, Oct): the sort check says so.
      expect(problems.map((p) => p.message)).toEqual(['rows not in descending noticedate (row 3): "srt"/"order" may have been ignored']);
    });
  });
});
