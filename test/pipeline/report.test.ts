/**
 * Report figures on a fixture of pursuits, every expected number worked out by hand below;
 * then the same report through the API, as JSON and as a CSV read back.
 */
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fxTable } from '../../src/pipeline/fx.js';
import { aggregate, type ReportRow } from '../../src/pipeline/report.js';
import type { Stage } from '../../src/pipeline/stages.js';
import { CSV_COLUMNS } from '../../src/pipeline/csv.js';
import { movePursuit } from '../../src/pipeline/service.js';
import { markAlert } from '../../src/alerts/feedback.js';
import { ADVISER, pipelineWorld, tender } from './helpers.js';

/** Units per USD. KRW 1300 then 1400 from April; EUR 0.8 then 0.9; no JPY at all. */
const FX = fxTable(
  [
    { currency: 'KRW', date: '2026-01-01', unitsPerUsd: 1300 },
    { currency: 'KRW', date: '2026-04-01', unitsPerUsd: 1400 },
    { currency: 'EUR', date: '2026-01-01', unitsPerUsd: 0.8 },
    { currency: 'EUR', date: '2026-04-01', unitsPerUsd: 0.9 },
  ],
  'test',
);
const PERIOD = { from: '2026-01-01', to: '2026-06-30' };

const A = { id: 'hanbit', name: 'Hanbit Solar', nameKo: '한빛솔라', sector: 'energy' };
const B = { id: 'secu', name: 'SecuVision', nameKo: '시큐비전', sector: 'security' };
const C = { id: 'nosector', name: 'Unsorted Co', nameKo: null, sector: null };
const row = (alertId: number, firm: ReportRow['firm'], publishedAt: string, interestedAt: string | null, agency: string | null, countries: string[], pursuit: ReportRow['pursuit']): ReportRow =>
  ({ alertId, firm, publishedAt: `${publishedAt}T09:00:00.000Z`, interestedAt: interestedAt && `${interestedAt}T10:00:00.000Z`, agency, countries, pursuit });
const p = (id: number, stage: Stage, stageAt: string, bid?: [number, string, string], contract?: [number, string, string]) => ({
  id,
  stage,
  stageAt: `${stageAt}T12:00:00.000Z`,
  bid: bid ? { amount: bid[0], currency: bid[1], submittedOn: bid[2] } : null,
  contract: contract ? { value: contract[0], currency: contract[1], awardedOn: contract[2] } : null,
});

const ROWS: ReportRow[] = [
  // 1: won. Bid 100,000 USD on 02-01 (KRW 1300) → 130,000,000 won; contract 90,000 USD on 03-15 → 117,000,000 won. 22 days from alert to bid.
  row(1, A, '2026-01-10', '2026-01-12', 'UNDP', ['KE'], p(11, 'won', '2026-03-15', [100_000, 'USD', '2026-02-01'], [90_000, 'USD', '2026-03-15'])),
  // 2: lost on 05-01. Bid 200,000 EUR on 04-10 (EUR 0.9, KRW 1400) → 222,222.22 USD, 311,111,111.11 won. 68 days. Two countries.
  row(2, A, '2026-02-01', '2026-02-03', 'World Bank', ['KE', 'TZ'], p(12, 'lost', '2026-05-01', [200_000, 'EUR', '2026-04-10'])),
  // 3: an alert and nothing more.
  row(3, A, '2026-03-01', null, 'UNDP', ['AF'], null),
  // 4: submitted in JPY: no rate, not converted. 31 days.
  row(4, B, '2026-01-20', '2026-01-25', 'UNICEF', ['BD'], p(14, 'submitted', '2026-02-20', [5_000_000, 'JPY', '2026-02-20'])),
  // 5: alert and bid before the period, won inside it: 1,400,000,000 KRW on 04-05 → 1,000,000 USD.
  row(5, B, '2025-12-20', '2025-12-22', 'ADB', ['VN'], p(15, 'won', '2026-04-05', [1_300_000_000, 'KRW', '2025-12-30'], [1_400_000_000, 'KRW', '2026-04-05'])),
  // 6: straight to no_bid (so never "interested"), no agency, no country, a firm without a sector.
  row(6, C, '2026-05-01', null, null, [], p(16, 'no_bid', '2026-05-02')),
  // 7: after the period: not in the report at all.
  row(7, A, '2026-07-05', '2026-07-06', 'UNDP', ['KE'], p(17, 'interested', '2026-07-06')),
  // 8: won. Bid 50,000 USD on 06-10 → 70,000,000 won; contract 48,000 EUR on 06-20 → 53,333.33 USD, 74,666,666.67 won. 9 days.
  row(8, B, '2026-06-01', '2026-06-02', 'UNICEF', ['BD'], p(18, 'won', '2026-06-20', [50_000, 'USD', '2026-06-10'], [48_000, 'EUR', '2026-06-20'])),
];

const money = (usd: number, krw: number, converted: number, notConverted = 0) => ({ usd, krw, converted, notConverted });
const days = (count: number, median: number | null, mean: number | null) => ({ count, median, mean });

describe('pipeline report figures', () => {
  const r = aggregate(ROWS, PERIOD, FX);

  it('totals', () => {
    expect(r.totals).toEqual({
      alertsReceived: 6, // 1, 2, 3, 4, 6, 8
      interested: 4, // 1, 2, 4, 8
      bidsSubmitted: 4, // 1, 2, 4, 8
      wins: 3, // 1, 5, 8
      losses: 1, // 2
      winRate: 0.75,
      // 100,000 + 222,222.22 + 50,000; 130,000,000 + 311,111,111.11 + 70,000,000
      bidValue: money(372_222.22, 511_111_111, 3, 1),
      // 90,000 + 1,000,000 + 53,333.33; 117,000,000 + 1,400,000,000 + 74,666,666.67
      contractValue: money(1_143_333.33, 1_591_666_667, 3),
      // 9, 22, 31, 68
      daysAlertToSubmission: days(4, 26.5, 32.5),
    });
  });

  it('by firm, by country, by agency, by sector', () => {
    expect(r.byFirm.map((g) => [g.key, g.label, g.labelKo])).toEqual([['secu', 'SecuVision', '시큐비전'], ['hanbit', 'Hanbit Solar', '한빛솔라'], ['nosector', 'Unsorted Co', null]]);
    expect(r.byFirm[0]).toMatchObject({ alertsReceived: 2, interested: 2, bidsSubmitted: 2, wins: 2, losses: 0, winRate: 1, bidValue: money(50_000, 70_000_000, 1, 1), contractValue: money(1_053_333.33, 1_474_666_667, 2), daysAlertToSubmission: days(2, 20, 20) });
    expect(r.byFirm[1]).toMatchObject({ alertsReceived: 3, interested: 2, bidsSubmitted: 2, wins: 1, losses: 1, winRate: 0.5, bidValue: money(322_222.22, 441_111_111, 2), contractValue: money(90_000, 117_000_000, 1), daysAlertToSubmission: days(2, 45, 45) });
    expect(r.byFirm[2]).toMatchObject({ alertsReceived: 1, interested: 0, bidsSubmitted: 0, wins: 0, winRate: null, daysAlertToSubmission: days(0, null, null) });

    // A tender in Kenya and Tanzania counts in both.
    expect(r.byCountry.map((g) => [g.key, g.label, g.labelKo, g.alertsReceived, g.bidsSubmitted, g.wins, g.losses])).toEqual([
      ['BD', 'Bangladesh', '방글라데시', 2, 2, 1, 0],
      ['KE', 'Kenya', '케냐', 2, 2, 1, 1],
      ['VN', 'Vietnam', '베트남', 0, 0, 1, 0],
      ['TZ', 'United Republic of Tanzania', '탄자니아', 1, 1, 0, 1],
      ['AF', 'Afghanistan', '아프가니스탄', 1, 0, 0, 0],
    ]);
    expect(r.byCountry.find((g) => g.key === 'TZ')).toMatchObject({ winRate: 0, bidValue: money(222_222.22, 311_111_111, 1) });

    // Most wins first, then most bids, then most alerts.
    expect(r.byAgency.map((g) => [g.label, g.alertsReceived, g.interested, g.bidsSubmitted, g.wins, g.losses, g.contractValue.usd])).toEqual([
      ['UNICEF', 2, 2, 2, 1, 0, 53_333.33],
      ['UNDP', 2, 1, 1, 1, 0, 90_000],
      ['ADB', 0, 0, 0, 1, 0, 1_000_000],
      ['World Bank', 1, 1, 1, 0, 1, 0],
    ]);
    expect(r.bySector.map((g) => [g.key, g.wins, g.bidsSubmitted])).toEqual([['security', 2, 2], ['energy', 1, 2]]);
  });

  it('shows the rates used and counts what it could not convert or classify', () => {
    expect(r.fx.table).toBe('test');
    expect(r.fx.rates).toEqual([
      { currency: 'EUR', date: '2026-04-01', unitsPerUsd: 0.9, amounts: 2 }, // 2's bid, 8's contract
      { currency: 'KRW', date: '2026-01-01', unitsPerUsd: 1300, amounts: 2 }, // 1's bid and contract
      { currency: 'KRW', date: '2026-04-01', unitsPerUsd: 1400, amounts: 4 }, // 2's and 8's bids, 5's and 8's contracts
    ]);
    expect(r.dataQuality.notConverted).toBe(1);
    expect(r.dataQuality.notConvertedItems).toEqual([
      { pursuitId: 14, alertId: 4, firmId: 'secu', field: 'bid', amount: 5_000_000, currency: 'JPY', date: '2026-02-20', reason: 'no JPY rate on or before 2026-02-20 in the test table' },
    ]);
    // Row 6 has no agency, no country, and its firm no sector; row 7 is outside the period.
    expect(r.dataQuality.notClassified).toEqual({ agency: 1, country: 1, sector: 1 });
  });

  it('reports a missing KRW rate too, and an amount dated before the first rate', () => {
    const early = aggregate([row(9, A, '2025-12-01', null, 'UNDP', ['KE'], p(19, 'submitted', '2025-12-15', [10_000, 'EUR', '2025-12-15']))], { from: '2025-12-01', to: '2025-12-31' }, FX);
    expect(early.totals.bidValue).toEqual(money(0, 0, 0, 1));
    expect(early.dataQuality.notConvertedItems[0].reason).toBe('no EUR or KRW rate on or before 2025-12-15 in the test table (earliest: EUR 2026-01-01, KRW 2026-01-01)');
    const noKrw = aggregate(ROWS.slice(0, 1), PERIOD, fxTable([{ currency: 'EUR', date: '2026-01-01', unitsPerUsd: 0.8 }], 'EUR-only'));
    expect(noKrw.totals.bidValue).toEqual(money(0, 0, 0, 1));
    expect(noKrw.dataQuality.notConvertedItems.map((x) => x.reason)).toEqual(['no KRW rate on or before 2026-02-01 in the EUR-only table', 'no KRW rate on or before 2026-03-15 in the EUR-only table']);
  });
});

describe('pipeline report through the API', () => {
  let w: Awaited<ReturnType<typeof pipelineWorld>>;
  const FX_CSV = ['date,currency,unitsPerUsd', '2026-01-01,KRW,1300', '2026-10-01,KRW,1400', '2026-10-01,EUR,0.9', ''].join('\r\n');

  beforeAll(async () => {
    w = await pipelineWorld({ fxCsv: FX_CSV });
    w.ingest([
      tender({ sourceId: 'ke-1', reference: 'KE-REA-2026-0042', title: 'Solar PV mini-grids for rural clinics', countries: ['KE'], buyer: 'UNDP Kenya', identifiers: { agency: 'UNDP' } }),
      tender({ sourceId: 'ke-2', reference: 'KE-REA-2026-0043', title: 'Solar PV for schools', countries: ['KE'], buyer: 'UNICEF' }),
      tender({ sourceId: 'af-1', reference: 'AF-MOI-2026-0007', title: 'CCTV for border posts', countries: ['AF'], buyer: 'UNOPS' }),
    ]);
    const a1 = w.alert('ke-1', 'hanbit', '2026-10-01T00:00:00.000Z');
    const a2 = w.alert('ke-2', 'hanbit', '2026-10-05T00:00:00.000Z');
    const a3 = w.alert('af-1', 'secu', '2026-10-02T00:00:00.000Z');
    const at = '2026-11-20T00:00:00.000Z';
    // hanbit: a bid of 100,000 USD on 10-11 won 90,000 EUR on 11-02 (EUR 0.9 → 100,000 USD; KRW 1400).
    movePursuit(w.sqlite, 'hanbit', a1, { stage: 'submitted', bidAmount: 100_000, bidCurrency: 'USD', submittedOn: '2026-10-11' }, ADVISER, at);
    movePursuit(w.sqlite, 'hanbit', a1, { stage: 'won', contractValue: 90_000, contractCurrency: 'EUR', awardedOn: '2026-11-02' }, ADVISER, at);
    // hanbit: a bid in West African francs, which the table lacks; 10 days after the alert.
    movePursuit(w.sqlite, 'hanbit', a2, { stage: 'submitted', bidAmount: 30_000_000, bidCurrency: 'XOF', submittedOn: '2026-10-15' }, ADVISER, at);
    // secu: marked interested from the alert list.
    markAlert(w.sqlite, 'secu', a3, 'interested', null, ADVISER, at);
  });
  afterAll(async () => w.close());

  it('answers the firm its report as JSON, with the configured rates', async () => {
    const r = await w.call('GET', '/firms/hanbit/report?from=2026-01-01&to=2026-12-31', w.keys.firm);
    expect(r.status).toBe(200);
    expect(r.body.fx.table).toBe('FX_RATES_PATH');
    expect(r.body.totals).toEqual({
      alertsReceived: 2,
      interested: 2,
      bidsSubmitted: 2,
      wins: 1,
      losses: 0,
      winRate: 1,
      bidValue: money(100_000, 140_000_000, 1, 1),
      contractValue: money(100_000, 140_000_000, 1),
      daysAlertToSubmission: days(2, 10, 10), // 10 and 10
    });
    expect(r.body.byAgency.map((g: any) => g.label)).toEqual(['UNDP', 'UNICEF']);
    expect(r.body.dataQuality.notConvertedItems).toEqual([expect.objectContaining({ currency: 'XOF', field: 'bid', reason: 'no XOF rate on or before 2026-10-15 in the FX_RATES_PATH table' })]);
  });

  it('reports on cohorts for advisers: all, a designation year, a sector, a region of interest', async () => {
    const firms = async (q: string) => (await w.call('GET', `/reports/pipeline?from=2026-01-01&to=2026-12-31${q}`, w.keys.adviser)).body.scope.firmIds;
    expect(await firms('')).toEqual(['hanbit', 'secu']);
    expect(await firms('&designationYear=2024')).toEqual(['hanbit']);
    expect(await firms('&sector=security')).toEqual(['secu']);
    expect(await firms('&region=east-africa')).toEqual(['hanbit']);
    expect(await firms('&region=KE')).toEqual(['hanbit']);
    expect(await firms('&region=south-asia')).toEqual(['secu']);
    expect(await firms('&region=east-africa&sector=security')).toEqual([]);
    const all = (await w.call('GET', '/reports/pipeline?from=2026-01-01&to=2026-12-31', w.keys.adviser)).body;
    expect(all.totals).toMatchObject({ alertsReceived: 3, interested: 3, bidsSubmitted: 2, wins: 1 });
    expect(all.bySector.map((g: any) => [g.key, g.alertsReceived])).toEqual([['energy', 2], ['security', 1]]);
    expect((await w.call('GET', '/reports/pipeline?region=atlantis', w.keys.adviser)).status).toBe(400);
    expect((await w.call('GET', '/reports/pipeline?from=2026-12-01&to=2026-01-01', w.keys.adviser)).status).toBe(400);
    expect((await w.call('GET', '/reports/pipeline?firm=nobody', w.keys.adviser)).status).toBe(404);
  });

  it('exports a CSV a spreadsheet opens: BOM, CRLF, headers in English and Korean, read back', async () => {
    for (const [url, headers] of [
      ['/firms/hanbit/report?from=2026-01-01&to=2026-12-31&format=csv', w.keys.firm],
      ['/firms/hanbit/report?from=2026-01-01&to=2026-12-31', { ...w.keys.firm, accept: 'text/csv' }],
    ] as const) {
      const r = await w.app.inject({ method: 'GET', url, headers });
      expect(r.statusCode).toBe(200);
      expect(r.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(r.headers['content-disposition']).toBe('attachment; filename="pipeline-report_hanbit_2026-01-01_2026-12-31.csv"');
      const bytes = r.rawPayload;
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const text = bytes.toString('utf8');
      expect(text.split('\r\n').length).toBeGreaterThan(5);
      expect(text.replace(/\r\n/g, '')).not.toMatch(/\n/);

      const records = parse(text, { bom: true, columns: true, record_delimiter: '\r\n' }) as Record<string, string>[];
      expect(Object.keys(records[0])).toEqual([...CSV_COLUMNS]);
      const total = records.find((x) => x['Breakdown / 구분'] === 'Total / 전체')!;
      expect(total).toMatchObject({
        'Group / 항목': 'Hanbit Solar',
        'From / 시작일': '2026-01-01',
        'To / 종료일': '2026-12-31',
        'Alerts received / 수신 알림': '2',
        'Interested / 관심': '2',
        'Bids submitted / 입찰 제출': '2',
        'Wins / 낙찰': '1',
        'Win rate (%) / 낙찰률(%)': '100.0',
        'Bid value (USD) / 입찰 금액(USD)': '100000.00',
        'Bid value (KRW) / 입찰 금액(원)': '140000000',
        'Contract value (USD) / 계약 금액(USD)': '100000.00',
        'Contract value (KRW) / 계약 금액(원)': '140000000',
        'Median days alert to submission / 알림→제출 소요일(중앙값)': '10',
        'Amounts not converted / 환산 불가 금액 수': '1',
      });
      const byKind = (k: string) => records.filter((x) => x['Breakdown / 구분'] === k).map((x) => x['Group / 항목']);
      expect(byKind('Firm / 업체')).toEqual(['Hanbit Solar / 한빛솔라']);
      expect(byKind('Country / 국가')).toEqual(['Kenya / 케냐']);
      expect(byKind('Sector / 업종')).toEqual(['energy / 에너지']);
      expect(byKind('FX rate used / 적용 환율')).toEqual(['EUR 2026-10-01', 'KRW 2026-10-01']);
      const missing = records.find((x) => x['Breakdown / 구분'] === 'Not converted / 환산 불가')!;
      expect(missing['Group / 항목']).toBe('bid 30000000 XOF (2026-10-15)');
      expect(missing['Note / 비고']).toMatch(/no XOF rate on or before 2026-10-15/);
    }
  });
});
