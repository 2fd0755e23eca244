/**
 * A pipeline report as CSV for a spreadsheet: UTF-8 with a byte-order mark and CRLF line ends
 * (what Excel needs to read Korean text and rows right), one header row in English and Korean,
 * one row per group (the totals, then each breakdown), then the rates used and what could not be
 * converted or classified, each on a row of its own with the details in the note column.
 */
import { stringify } from 'csv-stringify/sync';
import type { Figures, Group, PipelineReport } from './report.js';

export const CSV_COLUMNS = [
  'Breakdown / 구분',
  'Key / 코드',
  'Group / 항목',
  'From / 시작일',
  'To / 종료일',
  'Alerts received / 수신 알림',
  'Interested / 관심',
  'Bids submitted / 입찰 제출',
  'Wins / 낙찰',
  'Losses / 낙찰 실패',
  'Win rate (%) / 낙찰률(%)',
  'Bid value (USD) / 입찰 금액(USD)',
  'Bid value (KRW) / 입찰 금액(원)',
  'Contract value (USD) / 계약 금액(USD)',
  'Contract value (KRW) / 계약 금액(원)',
  'Median days alert to submission / 알림→제출 소요일(중앙값)',
  'Amounts not converted / 환산 불가 금액 수',
  'Note / 비고',
] as const;

const BREAKDOWN = {
  total: 'Total / 전체',
  firm: 'Firm / 업체',
  agency: 'Agency or bank / 발주기관',
  country: 'Country / 국가',
  sector: 'Sector / 업종',
  rate: 'FX rate used / 적용 환율',
  notConverted: 'Not converted / 환산 불가',
  notClassified: 'Not classified / 분류 불가',
};

/** The firm sectors in Korean (SECTORS in src/firms/firm.ts). */
export const SECTOR_KO: Record<string, string> = {
  agriculture: '농업', construction: '건설', education: '교육', energy: '에너지', environment: '환경', goods: '일반 물품',
  ict: '정보통신', medical: '의료', security: '보안', services: '용역', transport: '교통', water: '수자원',
};

export function reportCsv(r: PipelineReport): string {
  const blank = Array(CSV_COLUMNS.length - 5).fill('');
  const row = (breakdown: string, key: string, group: string, f: Figures | null, note = '') => [
    breakdown,
    key,
    group,
    r.period.from,
    r.period.to,
    ...(f
      ? [
          f.alertsReceived,
          f.interested,
          f.bidsSubmitted,
          f.wins,
          f.losses,
          f.winRate === null ? '' : (f.winRate * 100).toFixed(1),
          f.bidValue.usd.toFixed(2),
          f.bidValue.krw,
          f.contractValue.usd.toFixed(2),
          f.contractValue.krw,
          f.daysAlertToSubmission.median ?? '',
          f.bidValue.notConverted + f.contractValue.notConverted,
          note,
        ]
      : [...blank.slice(1), note]),
  ];
  const both = (g: Group) => (g.labelKo && g.labelKo !== g.label ? `${g.label} / ${g.labelKo}` : g.label);
  const rows: unknown[][] = [row(BREAKDOWN.total, '', r.scope.firmIds.length === 1 ? r.byFirm[0]?.label ?? '' : `${r.scope.firmIds.length} firms / ${r.scope.firmIds.length}개 업체`, r.totals)];
  for (const g of r.byFirm) rows.push(row(BREAKDOWN.firm, g.key, both(g), g));
  for (const g of r.byAgency) rows.push(row(BREAKDOWN.agency, g.key, g.label, g));
  for (const g of r.byCountry) rows.push(row(BREAKDOWN.country, g.key, both(g), g));
  for (const g of r.bySector) rows.push(row(BREAKDOWN.sector, g.key, SECTOR_KO[g.key] ? `${g.label} / ${SECTOR_KO[g.key]}` : g.label, g));
  for (const x of r.fx.rates) rows.push(row(BREAKDOWN.rate, x.currency, `${x.currency} ${x.date}`, null, `${x.unitsPerUsd} ${x.currency} per USD (${r.fx.table}); used for ${x.amounts} amount(s)`));
  for (const x of r.dataQuality.notConvertedItems) {
    rows.push(row(BREAKDOWN.notConverted, String(x.pursuitId), `${x.field} ${x.amount} ${x.currency} (${x.date})`, null, `firm ${x.firmId}, alert ${x.alertId}: ${x.reason}`));
  }
  for (const [dim, n] of Object.entries(r.dataQuality.notClassified)) {
    if (n) rows.push(row(BREAKDOWN.notClassified, dim, dim, null, `${n} record(s) without ${dim === 'agency' ? 'an agency' : `a ${dim}`}`));
  }
  return stringify(rows, { header: true, columns: [...CSV_COLUMNS], bom: true, record_delimiter: 'windows' });
}
