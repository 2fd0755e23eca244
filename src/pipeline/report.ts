/**
 * Export-performance reports: what a firm, or a cohort of firms, made of its alerts over a
 * period. `pipelineReport` reads the rows, `aggregate` (pure) computes the figures, so the
 * console can chart the same data the API and the CSV give.
 *
 * The period is a range of UTC days, both ends included; each figure counts what happened in
 * it, by its own date:
 *   alertsReceived  alerts published to the firm (the alert's date)
 *   interested      alerts the firm marked interested or put in its pipeline (not straight to
 *                   no_bid), dated by the earlier of the two
 *   bidsSubmitted   bids by their submission date (a bid withdrawn later still counts)
 *   wins / losses   by award date / by the date the pursuit was marked lost
 *   winRate         wins / (wins + losses); null when nothing was decided
 *   bidValue        the submitted bids, converted at the rate of the submission date
 *   contractValue   the wins, converted at the rate of the award date
 *   daysAlertToSubmission  days from the alert's date to the submission date, per bid
 * Amounts are converted to USD and KRW (src/pipeline/fx.ts); sums are of unrounded values,
 * rounded once (USD to the cent, KRW to the won). An amount without a rate is left out of the
 * sums and listed in `dataQuality.notConverted` with the reason. Breakdowns: by firm, by agency
 * or bank, by country (a tender in several countries counts in each), by the firm's sector; a
 * record without an agency, a country or a sector is counted in `dataQuality.notClassified`.
 */
import type Database from 'better-sqlite3';
import { countryNames } from '../notifications/templates.js';
import countries from 'i18n-iso-countries';
import { expandRegions, isRegion } from '../firms/regions.js';
import { convert, type FxRate, type FxTable } from './fx.js';
import type { Stage } from './stages.js';

export interface ReportPeriod {
  /** yyyy-mm-dd, UTC, included */
  from: string;
  to: string;
}

/** Which firms: all of them when every field is absent; the fields narrow it together. */
export interface ReportScope {
  firmIds?: string[];
  designationYear?: number;
  sector?: string;
  /** A region name (src/firms/regions.ts) or an ISO country code the firm targets. */
  region?: string;
}

/** One alert and what became of it: what a report is computed from. */
export interface ReportRow {
  alertId: number;
  firm: { id: string; name: string; nameKo: string | null; sector: string | null };
  publishedAt: string | null;
  interestedAt: string | null;
  agency: string | null;
  countries: string[];
  pursuit: {
    id: number;
    stage: Stage;
    stageAt: string;
    bid: { amount: number; currency: string; submittedOn: string } | null;
    contract: { value: number; currency: string; awardedOn: string } | null;
  } | null;
}

export interface Money {
  usd: number;
  krw: number;
  /** Amounts summed. */
  converted: number;
  /** Amounts left out for want of a rate (see dataQuality.notConverted). */
  notConverted: number;
}

export interface Figures {
  alertsReceived: number;
  interested: number;
  bidsSubmitted: number;
  wins: number;
  losses: number;
  winRate: number | null;
  bidValue: Money;
  contractValue: Money;
  daysAlertToSubmission: { count: number; median: number | null; mean: number | null };
}

export interface Group extends Figures {
  key: string;
  label: string;
  labelKo: string | null;
}

export interface NotConverted {
  pursuitId: number;
  alertId: number;
  firmId: string;
  field: 'bid' | 'contract';
  amount: number;
  currency: string;
  date: string;
  reason: string;
}

export interface PipelineReport {
  period: ReportPeriod;
  scope: { firmIds: string[]; designationYear: number | null; sector: string | null; region: string | null };
  totals: Figures;
  byFirm: Group[];
  byAgency: Group[];
  byCountry: Group[];
  bySector: Group[];
  fx: { table: string; basis: string; rates: (FxRate & { amounts: number })[] };
  dataQuality: { notConverted: number; notConvertedItems: NotConverted[]; notClassified: { agency: number; country: number; sector: number } };
}

/** Development banks by source id: the bank is the agency of every notice from it. */
const BANKS: Record<string, string> = { worldbank: 'World Bank', adb: 'ADB', afdb: 'AfDB', aiib: 'AIIB', ebrd: 'EBRD', idb: 'IDB' };

export function agencyOf(t: { source: string; buyer: string | null; identifiers: Record<string, string> }): string | null {
  return t.identifiers.agency?.trim() || BANKS[t.source] || t.buyer?.trim() || null;
}

const day = (iso: string | null) => (iso ? iso.slice(0, 10) : null);
const within = (d: string | null, p: ReportPeriod) => d !== null && d >= p.from && d <= p.to;
const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

interface Acc {
  f: Omit<Figures, 'winRate' | 'daysAlertToSubmission'>;
  days: number[];
}
const newAcc = (): Acc => ({
  f: { alertsReceived: 0, interested: 0, bidsSubmitted: 0, wins: 0, losses: 0, bidValue: { usd: 0, krw: 0, converted: 0, notConverted: 0 }, contractValue: { usd: 0, krw: 0, converted: 0, notConverted: 0 } },
  days: [],
});

function finish(a: Acc): Figures {
  const sorted = [...a.days].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  const median = sorted.length === 0 ? null : sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const money = (m: Money): Money => ({ usd: round(m.usd, 2), krw: Math.round(m.krw), converted: m.converted, notConverted: m.notConverted });
  const decided = a.f.wins + a.f.losses;
  return {
    ...a.f,
    winRate: decided ? round(a.f.wins / decided, 4) : null,
    bidValue: money(a.f.bidValue),
    contractValue: money(a.f.contractValue),
    daysAlertToSubmission: { count: sorted.length, median, mean: sorted.length ? round(sorted.reduce((s, x) => s + x, 0) / sorted.length, 1) : null },
  };
}

/** The report of these rows over the period, pure. */
export function aggregate(rows: ReportRow[], period: ReportPeriod, fx: FxTable, scope: PipelineReport['scope'] = { firmIds: [], designationYear: null, sector: null, region: null }): PipelineReport {
  const totals = newAcc();
  const dims = { firm: new Map<string, Acc>(), agency: new Map<string, Acc>(), country: new Map<string, Acc>(), sector: new Map<string, Acc>() };
  const labels = new Map<string, { label: string; labelKo: string | null }>();
  const notClassified = { agency: 0, country: 0, sector: 0 };
  const notConverted: NotConverted[] = [];
  const rates = new Map<string, FxRate & { amounts: number }>();

  for (const r of rows) {
    const p = r.pursuit;
    const received = within(day(r.publishedAt), period);
    const interested = within(day(r.interestedAt), period);
    const bid = p?.bid && within(p.bid.submittedOn, period) ? p.bid : null;
    const won = p?.stage === 'won' && p.contract && within(p.contract.awardedOn, period) ? p.contract : null;
    const lost = p?.stage === 'lost' && within(day(p.stageAt), period);
    if (!received && !interested && !bid && !won && !lost) continue;

    const money = (field: 'bid' | 'contract', amount: number, currency: string, date: string) => {
      const c = convert(fx, amount, currency, date);
      if (!c.ok) notConverted.push({ pursuitId: p!.id, alertId: r.alertId, firmId: r.firm.id, field, amount, currency, date, reason: c.reason });
      else for (const rate of c.rates) {
        const k = `${rate.currency} ${rate.date}`;
        rates.set(k, { ...rate, amounts: (rates.get(k)?.amounts ?? 0) + 1 });
      }
      return c;
    };
    const bidMoney = bid ? money('bid', bid.amount, bid.currency, bid.submittedOn) : null;
    const wonMoney = won ? money('contract', won.value, won.currency, won.awardedOn) : null;
    const days = bid && r.publishedAt ? daysBetween(day(r.publishedAt)!, bid.submittedOn) : null;

    const add = (a: Acc) => {
      const f = a.f;
      if (received) f.alertsReceived++;
      if (interested) f.interested++;
      if (bidMoney) {
        f.bidsSubmitted++;
        if (bidMoney.ok) (f.bidValue.usd += bidMoney.usd), (f.bidValue.krw += bidMoney.krw), f.bidValue.converted++;
        else f.bidValue.notConverted++;
      }
      if (wonMoney) {
        f.wins++;
        if (wonMoney.ok) (f.contractValue.usd += wonMoney.usd), (f.contractValue.krw += wonMoney.krw), f.contractValue.converted++;
        else f.contractValue.notConverted++;
      }
      if (lost) f.losses++;
      if (days !== null) a.days.push(days);
    };
    const into = (dim: keyof typeof dims, key: string, label: string, labelKo: string | null) => {
      let a = dims[dim].get(key);
      if (!a) dims[dim].set(key, (a = newAcc()));
      labels.set(`${dim} ${key}`, { label, labelKo });
      add(a);
    };

    add(totals);
    into('firm', r.firm.id, r.firm.name, r.firm.nameKo);
    if (r.agency) into('agency', r.agency.toLowerCase(), r.agency, null);
    else notClassified.agency++;
    for (const c of new Set(r.countries)) into('country', c, countryNames([c], 'en'), countryNames([c], 'ko'));
    if (r.countries.length === 0) notClassified.country++;
    if (r.firm.sector) into('sector', r.firm.sector, r.firm.sector, null);
    else notClassified.sector++;
  }

  const groups = (dim: keyof typeof dims): Group[] =>
    [...dims[dim].entries()]
      .map(([key, a]) => ({ key, ...labels.get(`${dim} ${key}`)!, ...finish(a) }))
      .sort((x, y) => y.wins - x.wins || y.bidsSubmitted - x.bidsSubmitted || y.alertsReceived - x.alertsReceived || x.label.localeCompare(y.label));
  return {
    period,
    scope,
    totals: finish(totals),
    byFirm: groups('firm'),
    byAgency: groups('agency'),
    byCountry: groups('country'),
    bySector: groups('sector'),
    fx: {
      table: fx.source,
      basis: 'units of the currency per 1 USD; each amount at the latest rate on or before its date, to USD and on to KRW',
      rates: [...rates.values()].sort((a, b) => a.currency.localeCompare(b.currency) || a.date.localeCompare(b.date)),
    },
    dataQuality: { notConverted: notConverted.length, notConvertedItems: notConverted, notClassified },
  };
}

export function isRegionOrCountry(s: string): boolean {
  return isRegion(s) || (s.length === 2 && (countries.isValid(s.toUpperCase()) || s.toUpperCase() === 'XK'));
}

/** Firm ids of a cohort, by id. */
export function cohortFirms(sqlite: Database.Database, scope: ReportScope): string[] {
  const rows = sqlite.prepare(`SELECT id, gpass_designated_on, sector, profile FROM firms ORDER BY id`).all() as { id: string; gpass_designated_on: string | null; sector: string | null; profile: string }[];
  const region = scope.region ? expandRegions([scope.region]) : null;
  return rows
    .filter((f) => !scope.firmIds || scope.firmIds.includes(f.id))
    .filter((f) => scope.designationYear === undefined || f.gpass_designated_on?.slice(0, 4) === String(scope.designationYear))
    .filter((f) => scope.sector === undefined || f.sector === scope.sector)
    // A firm that targets "anywhere" (no countries) has no region of interest.
    .filter((f) => !region || [...expandRegions((JSON.parse(f.profile) as { countries: string[] }).countries)].some((c) => region.has(c)))
    .map((f) => f.id);
}

/** Reads the rows of these firms' alerts that may count in the period. */
export function reportRows(sqlite: Database.Database, firmIds: string[], period: ReportPeriod): ReportRow[] {
  const rows = sqlite
    .prepare(
      `SELECT m.id AS alert_id, m.firm_id, f.name, f.name_ko, f.sector, m.published_at, m.firm_state, m.firm_state_at,
         t.source, t.buyer, t.countries, t.identifiers,
         p.id AS pursuit_id, p.stage, p.stage_at, p.created_at AS pursuit_at, p.bid_amount, p.bid_currency, p.submitted_on,
         p.contract_value, p.contract_currency, p.awarded_on,
         (SELECT e.to_stage FROM pursuit_events e WHERE e.pursuit_id = p.id AND e.kind = 'stage' ORDER BY e.id LIMIT 1) AS first_stage
       FROM matches m JOIN firms f ON f.id = m.firm_id JOIN tenders t ON t.id = m.tender_id LEFT JOIN pursuits p ON p.match_id = m.id
       WHERE m.state = 'published' AND m.firm_id IN (SELECT value FROM json_each(@firms))
         AND (substr(m.published_at, 1, 10) BETWEEN @from AND @to OR p.id IS NOT NULL OR m.firm_state = 'interested')
       ORDER BY m.id`,
    )
    .all({ firms: JSON.stringify(firmIds), from: period.from, to: period.to }) as Record<string, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  return rows.map((r) => {
    const interestedAt = [r.firm_state === 'interested' ? r.firm_state_at : null, r.pursuit_id && r.first_stage !== 'no_bid' ? r.pursuit_at : null].filter(Boolean).sort()[0] ?? null;
    return {
      alertId: r.alert_id,
      firm: { id: r.firm_id, name: r.name, nameKo: r.name_ko, sector: r.sector },
      publishedAt: r.published_at,
      interestedAt,
      agency: agencyOf({ source: r.source, buyer: r.buyer, identifiers: JSON.parse(r.identifiers) }),
      countries: JSON.parse(r.countries),
      pursuit: r.pursuit_id
        ? {
            id: r.pursuit_id,
            stage: r.stage,
            stageAt: r.stage_at,
            bid: r.bid_amount !== null ? { amount: r.bid_amount, currency: r.bid_currency, submittedOn: r.submitted_on } : null,
            contract: r.contract_value !== null ? { value: r.contract_value, currency: r.contract_currency, awardedOn: r.awarded_on } : null,
          }
        : null,
    };
  });
}

/** The report of a scope over a period: the function the API, the CSV export and the console share. */
export function pipelineReport(sqlite: Database.Database, scope: ReportScope, period: ReportPeriod, fx: FxTable): PipelineReport {
  const firmIds = cohortFirms(sqlite, scope);
  return aggregate(reportRows(sqlite, firmIds, period), period, fx, {
    firmIds,
    designationYear: scope.designationYear ?? null,
    sector: scope.sector ?? null,
    region: scope.region ?? null,
  });
}
