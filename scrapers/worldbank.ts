/**
 * World Bank procurement notices: the v2 JSON API (SOURCES.md §2).
 *
 * `GET {base}/api/v2/procnotices?format=json&rows=100&os=N&srt=noticedate&order=desc&apilang=en`
 * (v3 returns 404 per R7). The API silently ignores parameters it does not know and then
 * returns the whole corpus (418,561 rows, R2), so every page is checked: no more rows than
 * asked for, the `os` echo (when present) equal to the offset sent, a page different from the
 * previous one, rows in descending `noticedate`.
 *
 * One RawNotice per row: the row object as received, re-serialized with JSON.stringify.
 */
import type {
  FetchProblem,
  ParseOutcome,
  RawNotice,
  ScrapeContext,
  SourceDefinition,
  TenderInput,
} from './contract.js';
import { neverThrows } from './contract.js';
import {
  categoryFromProcurementGroup,
  cleanOrNull,
  cleanText,
  dateToUtcMidnight,
  findZoneInText,
  htmlToPlainText,
  languageCode,
  makeDeadline,
  mapNoticeType,
  parseClockTime,
  parseMonthDate,
  toCountryCodes,
} from '../src/ingest/normalize.js';

const ROWS = 100;
/**
 * The full corpus is ~420k rows (R2, R7); R4 caps a query at 1000 rows. Without `since`
 * (first run) we read at most this many pages of the newest notices rather than all of it.
 */
const MAX_PAGES = 100;
const DETAIL_URL = 'https://projects.worldbank.org/en/projects-operations/procurement-detail/';

/** The fields we read; everything is optional because the API omits empty fields. */
interface ProcNoticeRow {
  id?: unknown;
  notice_type?: unknown;
  noticedate?: unknown;
  notice_lang_name?: unknown;
  notice_status?: unknown;
  submission_deadline_date?: unknown;
  submission_deadline_time?: unknown;
  project_ctry_name?: unknown;
  project_id?: unknown;
  project_name?: unknown;
  bid_reference_no?: unknown;
  bid_description?: unknown;
  procurement_group?: unknown;
  procurement_method_name?: unknown;
  contact_organization?: unknown;
  notice_text?: unknown;
}

function str(v: unknown): string | null {
  if (typeof v === 'string') return v.trim() === '' ? null : v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function procnoticesUrl(baseUrl: string, offset: number, rows = ROWS): string {
  const params = new URLSearchParams({
    format: 'json',
    rows: String(rows),
    os: String(offset),
    srt: 'noticedate',
    order: 'desc',
    apilang: 'en',
  });
  return `${baseUrl}/api/v2/procnotices?${params.toString()}`;
}

/** `yyyy-MM-dd` of a row's noticedate, or null. */
function rowDate(row: unknown): string | null {
  return isObject(row) ? parseMonthDate(str(row.noticedate)) : null;
}

async function* fetchNotices(ctx: ScrapeContext): AsyncGenerator<RawNotice | FetchProblem> {
  const sinceDay = ctx.since ? ctx.since.slice(0, 10) : null;
  let previousFirstId: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    if (ctx.signal?.aborted) return;
    const offset = page * ROWS;
    const url = procnoticesUrl(ctx.baseUrl, offset);
    let body: string;
    try {
      body = await ctx.http.getText(url, { headers: { Accept: 'application/json' }, signal: ctx.signal });
    } catch (err) {
      if (ctx.signal?.aborted) return;
      yield { kind: 'problem', message: `listing page ${page + 1} failed: ${(err as Error).message}`, url };
      return;
    }
    let data: unknown;
    try {
      data = JSON.parse(body);
    } catch {
      yield { kind: 'problem', message: `listing page ${page + 1} is not valid JSON (${body.slice(0, 80)})`, url };
      return;
    }
    if (!isObject(data) || !Array.isArray(data.procnotices)) {
      yield { kind: 'problem', message: `listing page ${page + 1} has no "procnotices" array`, url };
      return;
    }
    const rows: unknown[] = data.procnotices;
    const total = Number(str(data.total) ?? NaN);
    ctx.onPage?.({ page: page + 1, items: rows.length, total: Number.isFinite(total) ? total : undefined });

    // Filter checks (SOURCES.md §2: unknown parameters are ignored silently).
    if (str(data.total) !== null && !(Number.isInteger(total) && total >= 0)) {
      yield { kind: 'problem', message: `"total" is not a count: ${JSON.stringify(data.total)}`, url };
    }
    if (rows.length > ROWS) {
      yield { kind: 'problem', message: `asked for ${ROWS} rows, got ${rows.length}: "rows" was ignored`, url };
      return;
    }
    const osEcho = str(data.os);
    if (osEcho !== null && Number(osEcho) !== offset) {
      yield { kind: 'problem', message: `asked for os=${offset}, response says os=${osEcho}: "os" was ignored`, url };
      return;
    }
    const firstId = rows.length > 0 && isObject(rows[0]) ? str(rows[0].id) : null;
    if (page > 0 && firstId !== null && firstId === previousFirstId) {
      yield { kind: 'problem', message: `page ${page + 1} repeats page ${page}: "os" was ignored`, url };
      return;
    }
    previousFirstId = firstId;
    const dates = rows.map(rowDate);
    const outOfOrder = dates.findIndex((d, i) => i > 0 && d !== null && dates[i - 1] != null && d > dates[i - 1]!);
    if (outOfOrder > 0) {
      yield {
        kind: 'problem',
        message: `rows not in descending noticedate (row ${outOfOrder + 1}): "srt"/"order" may have been ignored`,
        url,
      };
    }

    const fetchedAt = new Date().toISOString();
    let newerOnPage = 0;
    for (const [i, row] of rows.entries()) {
      const id = isObject(row) ? str(row.id) : null;
      if (sinceDay && dates[i] !== null && dates[i]! < sinceDay) continue;
      newerOnPage++;
      if (!id) {
        yield { kind: 'problem', message: `row ${offset + i + 1} has no "id": skipped`, url };
        continue;
      }
      yield {
        sourceId: id,
        payload: JSON.stringify(row),
        contentType: 'application/json',
        url: DETAIL_URL + encodeURIComponent(id),
        fetchedAt,
      };
    }

    if (ctx.sample) return;
    if (rows.length < ROWS) return;
    if (Number.isFinite(total) && offset + rows.length >= total) return;
    // Incremental: rows come newest first, so a page with nothing newer than `since` ends the run.
    if (sinceDay && newerOnPage === 0) return;
  }
  ctx.log(`worldbank: stopped after ${MAX_PAGES} pages (${MAX_PAGES * ROWS} rows)`);
}

/** The deadline: `submission_deadline_date` (date part) + `submission_deadline_time`, zone from notice_text. */
function parseDeadline(row: ProcNoticeRow, text: string, countryCode: string | null, problems: string[]): TenderInput['deadline'] {
  const dateRaw = str(row.submission_deadline_date);
  const timeRaw = str(row.submission_deadline_time);
  if (!dateRaw) {
    if (timeRaw) problems.push(`submission_deadline_time "${timeRaw}" without submission_deadline_date`);
    return null;
  }
  const date = /^\d{4}-\d{2}-\d{2}/.exec(dateRaw)?.[0] ?? parseMonthDate(dateRaw);
  if (!date) {
    problems.push(`submission_deadline_date unreadable: "${dateRaw}"`);
    return null;
  }
  let time = parseClockTime(timeRaw);
  if (!time) {
    problems.push(timeRaw ? `submission_deadline_time unreadable: "${timeRaw}"` : 'submission_deadline_time missing: 23:59 assumed');
  }
  const written = time;
  // `00:00` is a data-entry default, not midnight (SOURCES.md §2, R2 maps it to 23:59).
  if (time === null || time === '00:00') time = '23:59';
  const found = findZoneInText(text, { time: written, countryCode });
  if (found.ambiguous) problems.push('notice_text names several time zones: deadline zone unknown');
  const raw = timeRaw ? `${dateRaw} ${timeRaw}` : dateRaw;
  return makeDeadline(raw, `${date}T${time}`, found.zone);
}

function parseRow(raw: RawNotice): ParseOutcome {
  const problems: string[] = [];
  let data: unknown;
  try {
    data = JSON.parse(raw.payload);
  } catch {
    return { notice: null, problems: ['payload is not valid JSON'] };
  }
  if (!isObject(data)) return { notice: null, problems: ['payload is not a JSON object'] };
  const row = data as ProcNoticeRow;
  const id = str(row.id);
  if (!id) return { notice: null, problems: ['row has no "id"'] };

  const typeLabel = cleanOrNull(str(row.notice_type));
  if (!typeLabel) problems.push('notice_type missing');
  const noticeType = mapNoticeType(typeLabel);
  if (typeLabel && noticeType === 'other') problems.push(`notice_type "${typeLabel}" not mapped`);

  const projectName = cleanOrNull(str(row.project_name));
  let title = cleanOrNull(str(row.bid_description));
  if (!title) {
    // General Procurement Notices have no bid_description (SOURCES.md §2).
    if (noticeType !== 'general_procurement_notice') problems.push('bid_description missing');
    title = [projectName, typeLabel].filter(Boolean).join(' – ') || id;
  }

  const text = htmlToPlainText(str(row.notice_text));
  const countryField = str(row.project_ctry_name);
  const { codes, unknown } = toCountryCodes(countryField ? countryField.split(/[;^]/) : []);
  for (const name of unknown) problems.push(`country "${name}" not recognised`);
  if (!countryField) problems.push('project_ctry_name missing');

  const group = str(row.procurement_group);
  const category = categoryFromProcurementGroup(group);
  if (group && !category) problems.push(`procurement_group "${group}" not mapped`);

  const noticeDate = str(row.noticedate);
  const publishedAt = dateToUtcMidnight(parseMonthDate(noticeDate));
  if (!publishedAt) problems.push(noticeDate ? `noticedate unreadable: "${noticeDate}"` : 'noticedate missing');

  const langName = str(row.notice_lang_name);
  const language = languageCode(langName);
  if (langName && !language) problems.push(`notice_lang_name "${langName}" not mapped`);

  const deadline = parseDeadline(row, text, codes.length === 1 ? codes[0]! : null, problems);

  const statusRaw = cleanText(str(row.notice_status)).toLowerCase();
  const status = statusRaw === 'cancelled' || statusRaw === 'canceled'
    ? 'cancelled'
    : noticeType === 'contract_award'
      ? 'awarded'
      : null;

  const bidReference = cleanOrNull(str(row.bid_reference_no));
  const notice: TenderInput = {
    sourceId: id,
    reference: bidReference,
    title,
    description: text === '' ? null : text,
    buyer: cleanOrNull(str(row.contact_organization)),
    countries: codes,
    noticeType,
    noticeTypeLabel: typeLabel,
    procurementMethod: cleanOrNull(str(row.procurement_method_name)),
    category,
    unspsc: [],
    publishedAt,
    deadline,
    status,
    // The API has no value fields (R2); award prices sit in notice_text only.
    value: null,
    language,
    url: raw.url ?? DETAIL_URL + encodeURIComponent(id),
    projectId: cleanOrNull(str(row.project_id)),
    identifiers: bidReference ? { bidReference } : {},
  };
  return { notice, problems };
}

export const worldbank: SourceDefinition = {
  id: 'worldbank',
  name: 'World Bank procurement notices',
  defaultBaseUrl: 'https://search.worldbank.org',
  schedule: '20 */6 * * *',
  politeness: {
    // No published terms or rate limit found (SOURCES.md §2); R4 waits 0.2 s between pages.
    // One request a second is gentler and still reads 100 notices a second.
    minIntervalMs: 1000,
    robots: true,
  },
  status: { supported: true },
  parserVersion: 1,
  fetch: fetchNotices,
  parse: neverThrows(parseRow),
};
