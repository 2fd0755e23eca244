/**
 * Currencies and dated exchange rates for pipeline reports.
 *
 * A rate is "units of the currency per 1 USD" on a date (the convention of
 * src/matching/currency.ts). An amount dated D converts at the latest rate on or before D, to
 * USD and on to KRW (so both need a rate: the currency's and KRW's); without one it is not
 * converted, and the report counts it, with the reason, instead of dropping it.
 *
 * The table comes from FX_RATES_PATH (CSV `date,currency,unitsPerUsd`, or JSON: an array of
 * `{ date, currency, unitsPerUsd }`, or `{ rates: [...] }`). Without it, the built-in table is
 * the matcher's reference snapshot (src/matching/currency.ts, one date, RATES_AS_OF): amounts
 * dated before that date have no rate. Production sets FX_RATES_PATH to a dated series (e.g.
 * the Bank of Korea's monthly base rates).
 */
import fs from 'node:fs';
import { parse as parseCsv } from 'csv-parse/sync';
import { ConfigError } from '../config.js';
import { RATES_AS_OF, toUsd } from '../matching/currency.js';

/** ISO 4217 codes in circulation, from the runtime's ICU data (no list to keep by hand). */
const ISO_4217 = new Set(Intl.supportedValuesOf('currency'));

export function isCurrency(code: string): boolean {
  return ISO_4217.has(code);
}

export interface FxRate {
  currency: string;
  /** yyyy-mm-dd */
  date: string;
  unitsPerUsd: number;
}

export interface FxTable {
  /** `built-in (2026-11-01)` or `FX_RATES_PATH` (the path itself is not shown to callers). */
  source: string;
  /** Per currency, oldest first. */
  rates: Map<string, FxRate[]>;
}

export type Conversion =
  | { ok: true; usd: number; krw: number; rates: FxRate[] }
  | { ok: false; reason: string };

const DATE = /^\d{4}-\d{2}-\d{2}$/;
export const isDate = (s: string) => DATE.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);

export function fxTable(rates: FxRate[], source: string): FxTable {
  const byCurrency = new Map<string, FxRate[]>();
  for (const r of rates) {
    const list = byCurrency.get(r.currency) ?? [];
    list.push(r);
    byCurrency.set(r.currency, list);
  }
  for (const list of byCurrency.values()) list.sort((a, b) => a.date.localeCompare(b.date));
  return { source, rates: byCurrency };
}

/** The matcher's reference snapshot, dated RATES_AS_OF. */
export function builtInFxTable(): FxTable {
  const rates: FxRate[] = [];
  for (const currency of ISO_4217) {
    const usd = currency === 'USD' ? null : toUsd(1, currency);
    if (usd) rates.push({ currency, date: RATES_AS_OF, unitsPerUsd: Number((1 / usd).toPrecision(12)) });
  }
  return fxTable(rates, `built-in (${RATES_AS_OF})`);
}

/** Parses a rate table; every bad row is reported (row numbers count the header as row 1). */
export function parseFxTable(text: string, format: 'csv' | 'json', source: string): FxTable {
  let records: Record<string, unknown>[];
  if (format === 'json') {
    const data = JSON.parse(text) as unknown;
    const list = Array.isArray(data) ? data : (data as { rates?: unknown })?.rates;
    if (!Array.isArray(list)) throw new Error('expected an array of { date, currency, unitsPerUsd } (or { rates: [...] })');
    records = list as Record<string, unknown>[];
  } else {
    records = parseCsv(text, { columns: (h: string[]) => h.map((c) => c.trim()), skip_empty_lines: true, bom: true, trim: true });
  }
  const problems: string[] = [];
  const seen = new Set<string>();
  const rates: FxRate[] = [];
  records.forEach((r, i) => {
    const row = format === 'csv' ? i + 2 : i;
    const date = String(r.date ?? '');
    const currency = String(r.currency ?? '').toUpperCase();
    const units = Number(r.unitsPerUsd);
    if (!isDate(date)) problems.push(`row ${row}: date "${date}" is not yyyy-mm-dd`);
    else if (!isCurrency(currency)) problems.push(`row ${row}: currency "${r.currency ?? ''}" is not ISO 4217`);
    else if (r.unitsPerUsd === '' || r.unitsPerUsd == null || !Number.isFinite(units) || units <= 0) problems.push(`row ${row}: unitsPerUsd must be a positive number`);
    else if (seen.has(`${currency} ${date}`)) problems.push(`row ${row}: ${currency} on ${date} is listed twice`);
    else {
      seen.add(`${currency} ${date}`);
      if (currency !== 'USD') rates.push({ currency, date, unitsPerUsd: units });
    }
  });
  if (problems.length) throw new Error(problems.slice(0, 5).join('; ') + (problems.length > 5 ? `; and ${problems.length - 5} more` : ''));
  return fxTable(rates, source);
}

/** The table the service uses: FX_RATES_PATH if set (a bad file fails start-up, naming the variable), else the built-in one. */
export function loadFxTable(path: string | null): FxTable {
  if (!path) return builtInFxTable();
  try {
    return parseFxTable(fs.readFileSync(path, 'utf8'), /\.json$/i.test(path) ? 'json' : 'csv', 'FX_RATES_PATH');
  } catch (err) {
    throw new ConfigError('FX_RATES_PATH', `${path}: ${(err as Error).message}`);
  }
}

/** The latest rate on or before the date; USD is 1 on every date. */
export function rateOn(table: FxTable, currency: string, date: string): FxRate | null {
  if (currency === 'USD') return { currency, date, unitsPerUsd: 1 };
  const list = table.rates.get(currency);
  if (!list) return null;
  let found: FxRate | null = null;
  for (const r of list) {
    if (r.date > date) break;
    found = r;
  }
  return found;
}

/** An amount dated `date` in USD and KRW, with the rates used (USD itself needs none). */
export function convert(table: FxTable, amount: number, currency: string, date: string): Conversion {
  const rate = rateOn(table, currency, date);
  const krw = rateOn(table, 'KRW', date);
  if (!rate || !krw) {
    const missing = [...new Set([rate ? null : currency, krw ? null : 'KRW'].filter((c): c is string => c !== null))];
    const earliest = missing.flatMap((c) => (table.rates.get(c)?.length ? [`${c} ${table.rates.get(c)![0].date}`] : []));
    return { ok: false, reason: `no ${missing.join(' or ')} rate on or before ${date} in the ${table.source} table${earliest.length ? ` (earliest: ${earliest.join(', ')})` : ''}` };
  }
  const usd = amount / rate.unitsPerUsd;
  const rates = currency === 'KRW' || currency === 'USD' ? [krw] : [rate, krw];
  return { ok: true, usd, krw: currency === 'KRW' ? amount : usd * krw.unitsPerUsd, rates };
}
