/**
 * EBRD Client E-Procurement Portal (ECEPP) notices (SOURCES.md §7).
 *
 * `GET {base}/delta/noticeSearchResults.html` returns the whole archive (~4,050 rows, ~3.8 MB)
 * in one server-rendered table; every filter parameter is ignored (R2), and rows are not in
 * date order, so every row is read on every run. For rows whose Current State is `Open`, the
 * detail page `{base}/delta/viewNotice.html?displayNoticeId=N` is fetched too (at most
 * MAX_DETAILS a run, newest first; in sample mode only the first 5 rows are read).
 * One RawNotice per row: `{"row": <the <tr> outer HTML as received>, "detail": <detail page or null>}`.
 *
 * Decisions:
 * - The title is kept as shown (`Ukraine: …`); the country comes from the hidden metadata
 *   cell (R2: one title reads "BA: …"), then the detail page, and only when both are missing
 *   from the title prefix (reported as a problem).
 * - Dates are `dd/mm/yyyy HH:MM` UK time (labelled so in the listing, unlabelled on the
 *   detail page): read in Europe/London, so BST is honoured.
 * - Current State `Open` → status null (ingest derives open/closed from the deadline);
 *   `Information Only` → awarded for award notices, cancelled for cancellations, else closed
 *   (the notice cannot be answered: shortlists, addenda, awards).
 * - ECEPP notices are in English: the detail page says "any data entered into the system must
 *   only be entered in English", so language is `en`.
 */
import * as cheerio from 'cheerio';
import type {
  DeadlineInput,
  FetchProblem,
  ParseOutcome,
  RawNotice,
  ScrapeContext,
  SourceDefinition,
  TenderInput,
  TenderStatus,
} from './contract.js';
import { neverThrows, readRowDetailPayload, rowDetailPayload } from './contract.js';
import {
  categoryFromLabel,
  cleanText,
  fixMojibake,
  labelKey,
  localToUtc,
  mapNoticeType,
  toCountryCode,
  tryMakeDeadline,
} from '../src/ingest/normalize.js';

/**
 * Detail pages fetched per run at most. ECEPP has a few hundred open notices at a time; at
 * 5 s a request, 200 details take ~17 minutes. Open rows past the cap are stored from the
 * listing alone (the newest are served first, so the same ones get details every day).
 */
export const EBRD_MAX_DETAILS = 200;
/** Rows read in sample mode. */
const SAMPLE_ROWS = 5;
/** R2: the host resets connections after one pass; stop asking for details after this many failures in a row. */
const MAX_DETAIL_FAILURES_IN_A_ROW = 3;
const UK_ZONE = 'Europe/London';
const DEFAULT_BASE = 'https://ecepp.ebrd.com';

/** A cheerio selection (domhandler, cheerio's node types, is not a direct dependency). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Nodes = cheerio.Cheerio<any>;

export interface EbrdListingRow {
  /** displayNoticeId */
  id: string;
  /** The row's outer HTML, sliced from the page as received. */
  html: string;
  /** Current State as shown (`Open`, `Information Only`, …). */
  state: string;
  /** Published sort key `yyyymmddHHMM` (hidden cell), or '' when absent. */
  publishedKey: string;
}

export function listingUrl(baseUrl: string): string {
  return `${baseUrl}/delta/noticeSearchResults.html`;
}

export function detailUrl(baseUrl: string, id: string): string {
  return `${baseUrl}/delta/viewNotice.html?displayNoticeId=${encodeURIComponent(id)}`;
}

/** Text as shown: entities decoded (twice: EBRD double-encodes), whitespace collapsed, mojibake repaired. */
function text(s: string | null | undefined): string {
  return fixMojibake(cleanText(s));
}

/** A cell's text line by line (each line cleaned, blank lines dropped). */
function lines(node: Nodes): string {
  return node
    .text()
    .split(/\r\n|\r|\n/)
    .map((line: string) => text(line))
    .filter((line: string) => line !== '')
    .join('\n');
}

function noticeIdOf(row: Nodes): string | null {
  const href = row.find('a[href*="displayNoticeId="]').first().attr('href') ?? '';
  return /displayNoticeId=(\d+)/.exec(href)?.[1] ?? null;
}

/** The notice rows of the listing page, in page order. */
export function readListingRows(html: string): EbrdListingRow[] {
  const $ = cheerio.load(html, { sourceCodeLocationInfo: true });
  const rows: EbrdListingRow[] = [];
  $('table#noticeResultsTable tbody > tr, table#noticeResultsTable > tr').each((_, el) => {
    const row = $(el);
    const id = noticeIdOf(row);
    if (!id) return;
    const loc = el.sourceCodeLocation;
    let outer = loc ? html.slice(loc.startOffset, loc.endOffset) : '';
    if (!outer.startsWith('<') || !outer.endsWith('>')) outer = $.html(el);
    const cells = row.children('td');
    rows.push({ id, html: outer, state: cleanText(cells.eq(5).text()), publishedKey: cleanText(cells.eq(7).text()) });
  });
  return rows;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function* fetchNotices(ctx: ScrapeContext): AsyncGenerator<RawNotice | FetchProblem> {
  const url = listingUrl(ctx.baseUrl);
  let page: string;
  try {
    page = await ctx.http.getText(url, { signal: ctx.signal });
  } catch (err) {
    if (ctx.signal?.aborted) return;
    yield { kind: 'problem', message: `listing page failed: ${message(err)}`, url };
    return;
  }
  let rows = readListingRows(page);
  ctx.onPage?.({ page: 1, items: rows.length, total: rows.length });
  if (rows.length === 0) {
    yield { kind: 'problem', message: 'listing page has no table#noticeResultsTable rows with a displayNoticeId', url };
    return;
  }
  if (ctx.sample) rows = rows.slice(0, SAMPLE_ROWS);

  // Rows are unsorted (R2): pick the newest open notices for the detail budget.
  const open = rows.filter((r) => labelKey(r.state) === 'open');
  const withDetail = new Set(
    [...open].sort((a, b) => (a.publishedKey < b.publishedKey ? 1 : a.publishedKey > b.publishedKey ? -1 : 0)).slice(0, EBRD_MAX_DETAILS).map((r) => r.id),
  );
  if (open.length > withDetail.size) {
    yield { kind: 'problem', message: `${open.length} open notices, details fetched for the newest ${withDetail.size} (cap ${EBRD_MAX_DETAILS}); the rest are listing rows only`, url };
  }

  let failuresInARow = 0;
  const seen = new Set<string>();
  for (const row of rows) {
    if (ctx.signal?.aborted) return;
    if (seen.has(row.id)) {
      yield { kind: 'problem', message: `displayNoticeId ${row.id} appears twice in the listing: second row skipped`, url };
      continue;
    }
    seen.add(row.id);
    const notice = detailUrl(ctx.baseUrl, row.id);
    let detail: string | null = null;
    if (withDetail.has(row.id) && failuresInARow < MAX_DETAIL_FAILURES_IN_A_ROW) {
      try {
        detail = await ctx.http.getText(notice, { signal: ctx.signal });
        failuresInARow = 0;
      } catch (err) {
        if (ctx.signal?.aborted) return;
        failuresInARow++;
        const stop = failuresInARow === MAX_DETAIL_FAILURES_IN_A_ROW ? `; ${failuresInARow} failures in a row, no more details this run` : '';
        yield { kind: 'problem', message: `detail ${row.id} failed, listing row kept: ${message(err)}${stop}`, url: notice };
      }
    }
    yield {
      sourceId: row.id,
      payload: rowDetailPayload(row.html, detail),
      contentType: 'text/html',
      url: notice,
      fetchedAt: new Date().toISOString(),
    };
  }
}

// ---------------------------------------------------------------------------------------------
// parse
// ---------------------------------------------------------------------------------------------

/** The hidden metadata list, read into fields (null where absent). */
export interface EbrdMetadata {
  projectName: string | null;
  projectId: string | null;
  country: string | null;
  exerciseTitle: string | null;
  eceppId: string | null;
  procurementType: string | null;
  method: string | null;
  client: string | null;
  sector: string | null;
  noticeType: string | null;
}

/**
 * `[Project name, project id, country, exercise title, ECEPP id, procurement type, method,
 * client, sector, notice type]`. Items are joined with `, ` and may themselves contain commas
 * (project names, titles, clients), and award rows omit the exercise title and ECEPP id, so
 * the list is read from its anchors: the first all-digit item is the project id (the project
 * name is everything before it), the next is the country, an all-digit item after it is the
 * ECEPP id (the title is everything between), then type and method; from the end, notice type
 * and sector; the client is what is left. Null when the list is `[]` or not a list.
 */
export function readMetadata(cell: string, problems: string[]): EbrdMetadata | null {
  const inner = /^\[(.*)\]$/s.exec(cell.trim())?.[1]?.trim();
  if (inner === undefined) {
    problems.push(`metadata cell is not a [list]: "${cell.slice(0, 60)}"`);
    return null;
  }
  if (inner === '') {
    problems.push('metadata cell is empty ([]): project, country and client not listed');
    return null;
  }
  const parts = inner.split(/\s*,\s+/).map((p) => p.trim());
  const meta: EbrdMetadata = {
    projectName: null, projectId: null, country: null, exerciseTitle: null, eceppId: null,
    procurementType: null, method: null, client: null, sector: null, noticeType: null,
  };
  const join = (from: number, to: number): string | null => (to > from ? parts.slice(from, to).join(', ') || null : null);
  // The project id is all digits and followed by a country; a digit-only piece of a project
  // name ("Road M-1, 2020") is not.
  const isId = (p: string): boolean => /^\d{4,6}$/.test(p);
  let pid = parts.findIndex((p, i) => i > 0 && isId(p) && parts[i + 1] !== undefined && toCountryCode(parts[i + 1]!) !== null);
  if (pid < 0) pid = parts.findIndex((p, i) => i > 0 && isId(p));
  if (pid < 0) {
    problems.push(`metadata list has no project id: "${inner.slice(0, 80)}"`);
    return meta;
  }
  meta.projectName = join(0, pid);
  meta.projectId = parts[pid]!;
  let next = pid + 1;
  // A country written with a comma ("Korea, Republic of") spans two items.
  const one = parts[next];
  const two = parts[next + 1];
  if (one !== undefined && toCountryCode(one) === null && two !== undefined && toCountryCode(`${one}, ${two}`) !== null) {
    meta.country = `${one}, ${two}`;
    next += 2;
  } else {
    meta.country = one ?? null;
    next += 1;
  }
  const last = parts.length - 1;
  const ecepp = parts.findIndex((p, i) => i >= next && i < last - 1 && /^\d{6,}$/.test(p));
  if (ecepp >= 0) {
    meta.exerciseTitle = join(next, ecepp);
    meta.eceppId = parts[ecepp]!;
    next = ecepp + 1;
  }
  // Remaining: type, method, client…, sector, notice type.
  if (last - next < 4) {
    problems.push(`metadata list too short after the country (${parts.length} items): "${inner.slice(0, 80)}"`);
    meta.procurementType = next < last ? parts[next]! : null;
    meta.noticeType = last >= next ? parts[last]! : null;
    return meta;
  }
  meta.procurementType = parts[next]!;
  meta.method = parts[next + 1]!;
  meta.client = join(next + 2, last - 1);
  meta.sector = parts[last - 1]!;
  meta.noticeType = parts[last]!;
  return meta;
}

/** `dd/mm/yyyy HH:MM` (anything after it, such as "UK Time", ignored) → local `yyyy-MM-ddTHH:mm`; null if unreadable. */
export function readUkDateTime(s: string): string | null {
  const m = /(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2}))?/.exec(s);
  if (!m) return null;
  const [, d, mo, y, h, mi] = m;
  if (Number(h ?? 0) > 23) return null;
  return `${y}-${mo!.padStart(2, '0')}-${d!.padStart(2, '0')}T${(h ?? '00').padStart(2, '0')}:${mi ?? '00'}`;
}

/** Label → value cell of `table#oppoverviewtable`, keyed by labelKey without the colon. */
function detailPairs($: cheerio.CheerioAPI): Map<string, Nodes> {
  const pairs = new Map<string, Nodes>();
  $('table#oppoverviewtable tr').each((_, tr) => {
    const cells = $(tr).children('td, th');
    if (cells.length < 2) return;
    const key = labelKey(cells.eq(0).text()).replace(/\s*:\s*$/, '');
    if (key && !pairs.has(key)) pairs.set(key, cells.eq(1));
  });
  return pairs;
}

function statusFrom(state: string, noticeType: TenderInput['noticeType'], problems: string[]): TenderStatus | null {
  const key = labelKey(state);
  if (noticeType === 'cancellation' || /cancel/.test(key)) return 'cancelled';
  if (key === 'open' || key === '' || /pending|not yet open/.test(key)) {
    if (key === '') problems.push('row: Current State missing');
    return noticeType === 'contract_award' ? 'awarded' : null;
  }
  if (/award/.test(key)) return 'awarded';
  if (/information only|closed|complete/.test(key)) return noticeType === 'contract_award' ? 'awarded' : 'closed';
  problems.push(`row: Current State "${state}" not mapped`);
  return null;
}

function ukInstant(raw: string): string | null {
  const local = readUkDateTime(raw);
  return local ? localToUtc(local, UK_ZONE) : null;
}

function ukDeadline(raw: string): DeadlineInput | null {
  const local = readUkDateTime(raw);
  return local ? tryMakeDeadline(raw, local, UK_ZONE) : null;
}

function parseNotice(raw: RawNotice): ParseOutcome {
  const problems: string[] = [];
  const envelope = readRowDetailPayload(raw);
  if ('problem' in envelope) return { notice: null, problems: [envelope.problem] };
  const { row: rowHtml, detail: detailHtml } = envelope;

  // --- listing row ---------------------------------------------------------------------------
  // A bare <tr> is dropped by the HTML parser outside a table: wrap it.
  const $ = cheerio.load(`<table><tbody>${rowHtml}</tbody></table>`, null, false);
  $('br').replaceWith(' ');
  const row = $('tr').first();
  const id = noticeIdOf(row);
  if (row.length === 0 || !id) return { notice: null, problems: ['row HTML has no notice row with a displayNoticeId'] };
  const cells = row.children('td');
  if (cells.length !== 10) problems.push(`row: ${cells.length} cells, expected 10`);
  const cell = (i: number): string => text(cells.eq(i).text());

  let title = text(row.find('a[href*="displayNoticeId="]').first().text()) || cell(0);
  let typeLabel = cell(1) || null;
  const exerciseTitle = cell(2) || null;
  const publishedRaw = cell(3);
  const closingRaw = cell(4);
  const state = cell(5);
  const meta = cells.length >= 10 ? readMetadata(cell(9), problems) : null;

  let publishedAt = ukInstant(publishedRaw);
  if (!publishedAt) problems.push(`row: published date unreadable: "${publishedRaw}"`);
  let deadline: DeadlineInput | null = null;
  if (closingRaw && !/^n\/?a$/i.test(closingRaw)) {
    deadline = ukDeadline(closingRaw);
    if (!deadline) problems.push(`row: closing date unreadable: "${closingRaw}"`);
  }

  let projectName = meta?.projectName ?? null;
  let projectId = meta?.projectId ?? null;
  let country = meta?.country ?? null;
  let client = meta?.client ?? null;
  let eceppId = meta?.eceppId ?? null;
  let procurementType = meta?.procurementType ?? null;
  let method = meta?.method ?? null;
  let sector = meta?.sector ?? null;
  let description: string | null = null;

  // --- detail page ---------------------------------------------------------------------------
  if (typeof detailHtml === 'string') {
    const d = cheerio.load(detailHtml);
    d('br').replaceWith('\n');
    const pairs = detailPairs(d);
    if (pairs.size === 0) problems.push('detail: table#oppoverviewtable not found');
    else {
      const value = (label: string): string | null => {
        const node = pairs.get(labelKey(label));
        if (!node) {
          problems.push(`detail: label "${label}:" not found`);
          return null;
        }
        return text(node.text()) || null;
      };
      projectName = value('Project Name') ?? projectName;
      projectId = value('EBRD Project ID') ?? projectId;
      country = value('Country') ?? country;
      client = value('Client Name') ?? client;
      eceppId = value('ECEPP ID') ?? eceppId;
      procurementType = value('Type of Procurement') ?? procurementType;
      method = value('Procurement Method') ?? method;
      sector = value('Business Sector') ?? sector;
      typeLabel = typeLabel ?? value('Notice Type');
      const descNode = pairs.get(labelKey('Procurement Exercise Description'));
      // Plain text with line breaks in the cell ("Lot 1 - …\nLot 2 - …"): keep them.
      if (descNode) description = lines(descNode) || null;
      else problems.push('detail: label "Procurement Exercise Description:" not found');

      const pub = value('Publication Date');
      if (pub && !publishedAt) publishedAt = ukInstant(pub);
      const closing = value('Closing Date');
      if (closing && !/^n\/?a$/i.test(closing)) {
        const fromDetail = ukDeadline(closing);
        if (!fromDetail) problems.push(`detail: Closing Date unreadable: "${closing}"`);
        else if (!deadline) deadline = fromDetail;
        else if (deadline.at !== fromDetail.at) problems.push(`listing closing date "${closingRaw}" differs from the detail page's "${closing}": listing kept`);
      }
      const heading = text(d('h1.entry-title').first().text());
      if (!title && heading) title = heading;
    }
  }

  // --- normalise -----------------------------------------------------------------------------
  let countries: string[] = [];
  if (country) {
    const code = toCountryCode(country);
    if (code) countries = [code];
    else problems.push(`country "${country}" not recognised`);
  } else {
    const prefix = /^([^:]{2,60}):\s/.exec(title)?.[1];
    const code = prefix ? toCountryCode(prefix) : null;
    if (code) {
      countries = [code];
      problems.push(`country taken from the title prefix "${prefix}"`);
    } else {
      problems.push('country not listed');
    }
  }
  if (!title) {
    problems.push('title missing');
    title = exerciseTitle ?? `EBRD notice ${id}`;
  }
  if (!typeLabel) problems.push('row: notice type missing');
  const noticeType = mapNoticeType(typeLabel);
  const category = categoryFromLabel(procurementType);
  if (procurementType && !category) problems.push(`type of procurement "${procurementType}" not mapped`);

  const identifiers: Record<string, string> = {};
  if (eceppId) identifiers.eceppId = eceppId;
  if (projectId) identifiers.projectId = projectId;
  const header = [
    exerciseTitle && !title.endsWith(exerciseTitle) ? `Procurement exercise: ${exerciseTitle}` : null,
    projectName ? `Project: ${projectName}` : null,
    sector ? `Sector: ${sector}` : null,
  ].filter(Boolean);
  const notice: TenderInput = {
    sourceId: id,
    reference: eceppId,
    title,
    description: [description, header.length > 0 ? header.join('\n') : null].filter(Boolean).join('\n\n') || null,
    buyer: client,
    countries,
    noticeType,
    noticeTypeLabel: typeLabel,
    procurementMethod: method,
    category,
    unspsc: [],
    publishedAt,
    deadline,
    status: statusFrom(state, noticeType, problems),
    value: null,
    language: 'en',
    url: raw.url ?? detailUrl(DEFAULT_BASE, id),
    projectId,
    identifiers,
  };
  return { notice, problems };
}

export const ebrd: SourceDefinition = {
  id: 'ebrd',
  name: 'EBRD Client E-Procurement Portal (ECEPP)',
  defaultBaseUrl: DEFAULT_BASE,
  // Once a day (SOURCES.md "Decisions"): the listing is the whole archive in one response.
  schedule: '10 3 * * *',
  politeness: {
    // No published rate limit or robots rules for automated clients were found. R2 measured
    // that the host resets connections (Errno 104) after one pass over the archive, so we
    // fetch once a day and leave 5 s between the detail requests that follow.
    minIntervalMs: 5000,
    robots: true,
  },
  status: { supported: true },
  parserVersion: 1,
  fetch: fetchNotices,
  parse: neverThrows(parseNotice),
};
