/**
 * Conformance against the real ECEPP payloads in the shared fixtures folder
 * (/work/shared/fixtures/ebrd, see PROVENANCE.md). Not copied into the project: read in place.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RawNotice, TenderInput } from '../../scrapers/contract.js';
import { ebrd, readListingRows } from '../../scrapers/ebrd.js';
import { validateTenderInput } from '../../src/ingest/validate.js';

const SHARED = process.env.SHARED_FIXTURES_DIR ?? path.resolve(import.meta.dirname, '../../../shared/fixtures');
const DIR = path.join(SHARED, 'ebrd');
const exists = existsSync(DIR);
if (!exists) console.warn(`shared fixtures absent (${DIR}): EBRD conformance tests skipped`);

const LISTING_FILE = 'ecepp_noticeSearchResults_table_excerpt_14rows.html';
const DETAIL_FILE = 'ecepp_viewNotice_42939610.html';
const files = exists ? readdirSync(DIR).filter((f) => !f.startsWith('.')).sort() : [];
const read = (name: string): string => readFileSync(path.join(DIR, name), 'utf8');
const BASE = 'https://ecepp.ebrd.com';

function rawRow(id: string, row: string, detail: string | null = null): RawNotice {
  return {
    sourceId: id,
    payload: JSON.stringify({ row, detail }),
    contentType: 'text/html',
    url: `${BASE}/delta/viewNotice.html?displayNoticeId=${id}`,
    fetchedAt: '2026-09-12T03:10:00.000Z',
  };
}

describe.skipIf(!exists)('EBRD conformance (shared fixtures)', () => {
  const listing = exists ? read(LISTING_FILE) : '';
  const detail = exists ? read(DETAIL_FILE) : '';
  const rows = readListingRows(listing);
  const notices = new Map<string, TenderInput>(rows.map((r) => [r.id, ebrd.parse(rawRow(r.id, r.html)).notice!]));

  it('finds the fixture files', () => {
    expect(files).toEqual([LISTING_FILE, DETAIL_FILE]);
  });

  it.each(files)('%s: every notice parses without problems and validates', (file) => {
    const html = read(file);
    if (file === DETAIL_FILE) {
      const row = rows.find((r) => r.id === '42939610')!;
      const { notice, problems } = ebrd.parse(rawRow(row.id, row.html, html));
      expect(problems).toEqual([]);
      expect(validateTenderInput(notice!)).toEqual([]);
      return;
    }
    const fileRows = readListingRows(html);
    expect(fileRows.length).toBeGreaterThan(0);
    for (const row of fileRows) {
      const { notice, problems } = ebrd.parse(rawRow(row.id, row.html));
      expect(problems, row.id).toEqual([]);
      expect(validateTenderInput(notice!), row.id).toEqual([]);
    }
  });

  it('reads all 14 rows of the excerpt, in page order (not date order), each sliced as received', () => {
    expect(rows.map((r) => r.id)).toEqual([
      '46765856', '46759093', '46427848', '45087768', '46715272', '42939610', '44318531',
      '46255827', '46153271', '46013018', '45895332', '46498868', '46340878', '46292450',
    ]);
    for (const r of rows) expect(listing).toContain(r.html);
    // 11/09 16:03 is listed after 11/09 10:22 and before 10/09: the page is unsorted.
    expect(rows.slice(0, 3).map((r) => r.publishedKey)).toEqual(['202609111022', '202609111603', '202609100033']);
  });

  it('46765856: row fields, UK time → UTC, N/A → no deadline, metadata country and ids', () => {
    expect(notices.get('46765856')).toEqual({
      sourceId: '46765856',
      reference: '42313759',
      title: 'Nigeria: Preparation of Low Level Designs for the Rollout of 40,000 km of Fibre-Optic Networks',
      description: 'Project: Nigeria Sovereign Fibre (Bridge) Project\nSector: Information & Communication Technologies',
      buyer: 'Federal Ministry of Innovation, Communication and Digital Economy of Nigeria',
      countries: ['NG'],
      noticeType: 'other',
      noticeTypeLabel: 'Shortlist Notice',
      procurementMethod: 'Open Tender Single - Two Envelope with PQQ',
      category: 'consulting',
      unspsc: [],
      // 11/09/2026 10:22 UK time = BST (UTC+1)
      publishedAt: '2026-09-11T09:22:00.000Z',
      deadline: null,
      status: 'closed',
      value: null,
      language: 'en',
      url: `${BASE}/delta/viewNotice.html?displayNoticeId=46765856`,
      projectId: '56618',
      identifiers: { eceppId: '42313759', projectId: '56618' },
    });
  });

  it('46759093: "Contract  Award  Notice" normalised, award metadata without an ECEPP id', () => {
    expect(notices.get('46759093')).toMatchObject({
      noticeTypeLabel: 'Contract Award Notice',
      noticeType: 'contract_award',
      status: 'awarded',
      countries: ['LV'],
      buyer: 'SJSC RIGA INTERNATIONAL AIRPORT',
      category: 'works',
      projectId: '54196',
      reference: null,
      identifiers: { projectId: '54196' },
      publishedAt: '2026-09-11T15:03:00.000Z',
    });
  });

  it('46427848: 00:33 UK time on 10/09 is 23:33 UTC on 09/09', () => {
    expect(notices.get('46427848')!.publishedAt).toBe('2026-09-09T23:33:00.000Z');
  });

  it('46153271: Bosnia And Herzegovina → BA; 46255827: North Macedonia → MK; 46340878: Kyrgyz Republic → KG', () => {
    expect(notices.get('46153271')!.countries).toEqual(['BA']);
    expect(notices.get('46255827')!.countries).toEqual(['MK']);
    expect(notices.get('46340878')).toMatchObject({
      countries: ['KG'],
      buyer: 'Ministry of Emergency Situations of the Republic of Kyrgyzstan, Department of Tailings Management',
      deadline: { at: '2026-10-30T00:00:00.000Z', raw: '30/10/2026 00:00 UK Time', zone: 'Europe/London', zoneKnown: true },
    });
  });

  it('46498868: double-encoded quotes in the client decoded; addendum → amendment', () => {
    expect(notices.get('46498868')).toMatchObject({ buyer: 'JSC "Alatau Zharyk Company"', noticeType: 'amendment', status: 'closed', reference: '44735892' });
  });

  it('45087768: open notice, closing 16/10/2026 12:00 BST → 11:00Z, status left to ingest', () => {
    expect(notices.get('45087768')).toMatchObject({
      status: null,
      noticeType: 'invitation_to_bid',
      deadline: { at: '2026-10-16T11:00:00.000Z', raw: '16/10/2026 12:00 UK Time', zoneKnown: true },
    });
  });

  it('42939610 with its detail page: ECEPP ID, project id, client, description, closing 19/10/2026 12:00 BST', () => {
    const row = rows.find((r) => r.id === '42939610')!;
    const { notice, problems } = ebrd.parse(rawRow('42939610', row.html, detail));
    expect(problems).toEqual([]);
    expect(notice).toMatchObject({
      sourceId: '42939610',
      reference: '42939486',
      title: 'Ukraine: Replacement of priority water steel pipelines (approx.11 km)',
      buyer: 'Mykolayivvodokanal CE',
      countries: ['UA'],
      noticeType: 'invitation_to_bid',
      noticeTypeLabel: 'Invitation For Tenders Single',
      procurementMethod: 'Open Tender Single Stage',
      category: 'works',
      publishedAt: '2026-09-07T14:17:00.000Z',
      deadline: { at: '2026-10-19T11:00:00.000Z', raw: '19/10/2026 12:00 UK Time', zone: 'Europe/London', zoneKnown: true },
      status: null,
      projectId: '54575',
      identifiers: { eceppId: '42939486', projectId: '54575' },
    });
    expect(notice!.description).toBe(
      'Replacement of priority water steel pipelines (approx.11 km) in the City of Mykolayiv, divided in 3 sections:\n' +
        'Lot 1 - approx. 5.5 km\nLot 2 - approx. 3.5 km\nLot 3 - approx. 2 km\n\n' +
        'Project: RLF - Mykolayiv Emergency Water Project\nSector: Municipal and Environmental Infrastructure',
    );
  });

  it('42939610 detail page alone (row without metadata): the detail labels fill every field', () => {
    const row = rows.find((r) => r.id === '42939610')!;
    const bare = row.html.replace(/<td>\[[^\]]*\]<\/td>/, '<td>[]</td>');
    const { notice, problems } = ebrd.parse(rawRow('42939610', bare, detail));
    expect(problems).toEqual(['metadata cell is empty ([]): project, country and client not listed']);
    expect(notice).toMatchObject({ reference: '42939486', projectId: '54575', countries: ['UA'], buyer: 'Mykolayivvodokanal CE', category: 'works' });
  });
});
