/**
 * Asian Development Bank project tenders: the RSS feed (SOURCES.md §4).
 *
 * `GET {base}/projects/tenders/rss`. SOURCES.md lists three competing spellings, none
 * verified; we use the first, which sits under the listing page it mirrors
 * (`/projects/tenders`). The others, for whoever can check them live:
 *   - `https://www.adb.org/rss/projects/tenders?country=TAJ`
 *   - `https://www.adb.org/rss/tenders`
 * One RawNotice per `<item>`: `{"feed": <feed URL>, "item": <the item's XML as received>}`.
 *
 * Access: R7 reports HTTP 403 to non-browser clients and an Apify description calls the site
 * "Cloudflare-gated". We identify ourselves and never imitate a browser (SOURCES.md
 * "Decisions"): a 403 ends the run as a problem, and ADB notices come through UNGM (ADB is
 * agency 85 there, R3), which the UNGM source reads with an agency list.
 *
 * Titles follow `TA-10693 ARM: … (59351-001)` (a simulated feed, SOURCES.md §4): the
 * `NNNNN-NNN` project number and the ADB country code before the colon are read from them.
 */
import type { ParseOutcome, RawNotice, SourceDefinition, TenderInput } from './contract.js';
import { neverThrows } from './contract.js';
import {
  countryFromLabel,
  fetchRssFeeds,
  readEnvelope,
  readItemBasics,
} from './afdb.js';
import { categoryFromLabel, cleanOrNull, cleanText, htmlToPlainText, mapNoticeType, toCountryCode } from '../src/ingest/normalize.js';

const DEFAULT_BASE = 'https://www.adb.org';
const FEED_PATH = '/projects/tenders/rss';
const ADB_FALLBACK = 'ADB notices are also read from UNGM (agency 85) by the UNGM source';

/**
 * ADB's own three-letter country codes where they differ from ISO 3166-1 alpha-3 (ARM, KAZ,
 * UZB, PAK, IND, LAO, PNG, TON, AFG, KGZ, AZE, GEO, THA, KIR, TUV, FSM, NIU… are ISO already).
 * Checked before alpha-3, so an ADB code is never read as another country's ISO code.
 */
export const ADB_COUNTRY_CODES: Record<string, string> = {
  BAN: 'BD', // Bangladesh
  BHU: 'BT', // Bhutan
  CAM: 'KH', // Cambodia
  COO: 'CK', // Cook Islands
  FIJ: 'FJ', // Fiji
  INO: 'ID', // Indonesia
  MAL: 'MY', // Malaysia
  MLD: 'MV', // Maldives
  MON: 'MN', // Mongolia
  MYA: 'MM', // Myanmar
  NAU: 'NR', // Nauru
  NEP: 'NP', // Nepal
  PAL: 'PW', // Palau
  PHI: 'PH', // Philippines
  PRC: 'CN', // People's Republic of China
  RMI: 'MH', // Marshall Islands
  SAM: 'WS', // Samoa
  SOL: 'SB', // Solomon Islands
  SRI: 'LK', // Sri Lanka
  TAJ: 'TJ', // Tajikistan
  TIM: 'TL', // Timor-Leste
  VAN: 'VU', // Vanuatu
  VIE: 'VN', // Viet Nam
};

/** An ADB country code (`ARM`, `BAN`, `PRC`) → alpha-2; null for `REG` (regional) and unknown codes. */
export function adbCountry(code: string): string | null {
  const upper = code.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(upper) || upper === 'REG') return null;
  return ADB_COUNTRY_CODES[upper] ?? toCountryCode(upper);
}

/** `TA-10693 ARM: …` / `ARM: …` → the code before the first colon, or null. */
export function titleCountryCode(title: string): string | null {
  return /(?:^|\s)([A-Z]{3}):\s/.exec(title)?.[1] ?? null;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function parseItem(raw: RawNotice): ParseOutcome {
  const problems: string[] = [];
  const read = readEnvelope(raw.payload);
  if ('error' in read) return { notice: null, problems: [read.error] };
  const { item } = read;
  const sourceId = item.guid ?? item.link ?? raw.sourceId;
  if (!sourceId) return { notice: null, problems: ['item has neither guid nor link'] };
  const text = htmlToPlainText(item.descriptionHtml);
  let title = cleanOrNull(item.title);
  if (!title) {
    problems.push('title missing');
    title = text.split('\n')[0]?.slice(0, 200) || sourceId;
  }

  const code = titleCountryCode(title);
  let country = code ? adbCountry(code) : null;
  if (code && !country && code !== 'REG') problems.push(`ADB country code "${code}" not mapped`);
  country ??= countryFromLabel(text);
  if (!country && code !== 'REG') problems.push('country not found in the title code or a "Country:" line');

  const projectId = /\b(\d{5}-\d{3})\b/.exec(title)?.[1] ?? /\b(\d{5}-\d{3})\b/.exec(text)?.[1] ?? null;
  // `TA-10693`, `L-4123`, `G-0789`: the loan/grant/TA number before the country code.
  const financing = /^\s*((?:TA|L|G|TRTA|KSTA)-?\d{3,5})\b/i.exec(title)?.[1] ?? null;

  let noticeType = mapNoticeType(title);
  if (noticeType === 'other') noticeType = mapNoticeType(text.slice(0, 400));
  const typeLine = /(?:^|\n)\s*(?:type|notice type|tender type)\s*:\s*([^\n]{2,80})/i.exec(text)?.[1];
  if (noticeType === 'other' && typeLine) noticeType = mapNoticeType(typeLine);
  const category = categoryFromLabel(typeLine) ?? categoryFromLabel(title);
  // ADB recruits consultants through expressions of interest (its consultant management
  // system): a consulting notice that names no other type is one.
  if (noticeType === 'other' && category === 'consulting') noticeType = 'expression_of_interest';
  if (noticeType === 'other') problems.push('notice type not found in the title or text');

  const { publishedAt, deadline, url } = readItemBasics(item, text, country, DEFAULT_BASE, raw.url, problems);
  const identifiers: Record<string, string> = {};
  if (financing) identifiers.financing = financing.toUpperCase();

  const notice: TenderInput = {
    sourceId,
    reference: financing ? financing.toUpperCase() : null,
    title,
    description: text || null,
    buyer: null,
    countries: country ? [country] : [],
    noticeType,
    noticeTypeLabel: typeLine ? cleanText(typeLine) : null,
    procurementMethod: null,
    category,
    unspsc: [],
    publishedAt,
    deadline,
    status: noticeType === 'contract_award' ? 'awarded' : noticeType === 'cancellation' ? 'cancelled' : null,
    value: null,
    // ADB publishes tenders in English.
    language: 'en',
    url,
    projectId,
    identifiers,
  };
  return { notice, problems };
}

export const adb: SourceDefinition = {
  id: 'adb',
  name: 'Asian Development Bank project tenders (RSS)',
  defaultBaseUrl: DEFAULT_BASE,
  schedule: '35 7,19 * * *',
  politeness: {
    // No published terms for the feed were found. R7 reports HTTP 403 to non-browser clients
    // (a WAF; "Cloudflare-gated" per an Apify description): not worked around. One request a
    // run; robots.txt honoured; 5 s between requests to leave the WAF nothing to object to.
    minIntervalMs: 5000,
    robots: true,
  },
  status: { supported: true },
  parserVersion: 1,
  fetch: (ctx) => fetchRssFeeds(ctx, [`${ctx.baseUrl}${FEED_PATH}`], ADB_FALLBACK),
  parse: neverThrows(parseItem),
};
