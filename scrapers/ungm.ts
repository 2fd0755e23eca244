/**
 * UNGM (United Nations Global Marketplace) public notices (SOURCES.md §1).
 *
 * Flow: `GET /Public/Notice` for the cookies and the `__RequestVerificationToken`;
 * `POST /Public/Notice/Search` (JSON body, HTML fragment back, 15 rows a page);
 * `GET /Public/Notice/{id}` for each row's detail page.
 * One RawNotice per row: `{"row": <the row's outer HTML as received>, "detail": <detail page or null>}`.
 *
 * The detail-page markup is only reported (R14: `<div class="row"><span class="label">Label:</span>
 * <span class="value">Value</span></div>`), never seen in a fixture, so the parser also accepts
 * dt/dd, th/td and label + next-sibling pairs, and reports each expected label it cannot find.
 */
import * as cheerio from 'cheerio';
import type {
  FetchProblem,
  ParseOutcome,
  RawNotice,
  ScrapeContext,
  SourceDefinition,
  TenderInput,
} from './contract.js';
import { neverThrows, readRowDetailPayload, rowDetailPayload } from './contract.js';
import type { HttpRequestInit } from './http-client.js';
import {
  cleanOrNull,
  cleanText,
  dateToUtcMidnight,
  gmtLabelToOffset,
  htmlToPlainText,
  isNonCountry,
  labelKey,
  makeDeadline,
  mapNoticeType,
  parseMonthDate,
  toCountryCode,
  toCountryCodes,
} from '../src/ingest/normalize.js';

/** R4: "the server rejects anything larger [than 15] (HTTP 400)"; R1's test asserts ≤ 15. */
export const UNGM_PAGE_SIZE = 15;
/** Active notices number in the low thousands; this bounds a first run (~6,000 rows, plus one detail request each). */
const MAX_PAGES = 400;
/** A cheerio selection (domhandler, cheerio's node types, is not a direct dependency). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Nodes = cheerio.Cheerio<any>;

const ROW_SELECTOR = 'div[role="row"][data-noticeid], div.dataRow[data-noticeid]';

export interface UngmSourceOptions {
  /** UNGM agency ids (numeric, sent as strings as R3 does), e.g. `['85']` for ADB, `['84']` for AfDB. */
  agencies?: string[];
  /** Source id; defaults to `ungm`. */
  id?: string;
}

/** The search body (field list from R4/R3/R6; UNGM spells `isPicker` in lower camel case). */
export function ungmSearchBody(pageIndex: number, agencies: string[], publishedFrom: string | null): Record<string, unknown> {
  return {
    PageIndex: pageIndex,
    PageSize: UNGM_PAGE_SIZE,
    Title: '',
    Description: '',
    Reference: '',
    PublishedFrom: publishedFrom ?? '',
    PublishedTo: '',
    DeadlineFrom: '',
    DeadlineTo: '',
    Countries: [],
    Agencies: agencies,
    UNSPSCs: [],
    NoticeTypes: [],
    SortField: 'DatePublished',
    SortAscending: false,
    isPicker: false,
    IsSustainable: false,
    // Open notices only: what firms can still answer; it also bounds the first run.
    IsActive: true,
    NoticeDisplayType: null,
    NoticeSearchTotalLabelId: 'noticeSearchTotal',
    TypeOfCompetitions: [],
  };
}

/** The anti-forgery token of the search page, or null. */
export function readVerificationToken(html: string): string | null {
  const $ = cheerio.load(html);
  const value = $('input[name="__RequestVerificationToken"]').first().attr('value');
  return value && value.trim() !== '' ? value.trim() : null;
}

/** `var noticeTotal = "15290";` in the fragment's script, or null. */
export function readNoticeTotal(fragment: string): number | null {
  const m = /var\s+noticeTotal\s*=\s*["']?(\d+)["']?/.exec(fragment);
  return m ? Number(m[1]) : null;
}

export interface ListingRow {
  id: string;
  /** The row's outer HTML, sliced from the fragment as received (CRLF kept). */
  html: string;
  /** `yyyy-MM-dd` or null. */
  published: string | null;
}

/** The notice rows of a search fragment. */
export function readListingRows(fragment: string): ListingRow[] {
  const $ = cheerio.load(fragment, { sourceCodeLocationInfo: true }, false);
  const rows: ListingRow[] = [];
  $(ROW_SELECTOR).each((_, el) => {
    const id = $(el).attr('data-noticeid')?.trim();
    if (!id) return;
    const loc = el.sourceCodeLocation;
    let html = loc ? fragment.slice(loc.startOffset, loc.endOffset) : '';
    if (!html.startsWith('<') || !html.endsWith('>')) html = $.html(el);
    const cells = $(el).children('div[role="cell"]');
    rows.push({ id, html, published: parseMonthDate(cleanText(cells.eq(3).text())) });
  });
  return rows;
}

/** The search response is an HTML fragment (R1, R4, R5); one repository reads JSON `{html}`, accept both. */
function fragmentOf(body: string): string {
  const t = body.trimStart();
  if (t.startsWith('{')) {
    try {
      const data: unknown = JSON.parse(t);
      if (typeof data === 'object' && data !== null && typeof (data as { html?: unknown }).html === 'string') {
        return (data as { html: string }).html;
      }
    } catch {
      // not JSON: treat as HTML
    }
  }
  return body;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** `dd-Mon-yyyy` for the search body's date fields (R6, R3). */
function ungmDate(isoDay: string): string {
  const [y, m, d] = isoDay.split('-');
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][Number(m) - 1];
  return `${d}-${month}-${y}`;
}

async function* fetchNotices(ctx: ScrapeContext, agencies: string[]): AsyncGenerator<RawNotice | FetchProblem> {
  const pageUrl = `${ctx.baseUrl}/Public/Notice`;
  let page: string;
  try {
    page = await ctx.http.getText(pageUrl, { signal: ctx.signal });
  } catch (err) {
    if (ctx.signal?.aborted) return;
    yield { kind: 'problem', message: `search page failed: ${message(err)}`, url: pageUrl };
    return;
  }
  const token = readVerificationToken(page);
  if (!token) {
    yield { kind: 'problem', message: '__RequestVerificationToken not found on the search page', url: pageUrl };
    return;
  }

  const searchUrl = `${ctx.baseUrl}/Public/Notice/Search`;
  const sinceDay = ctx.since ? ctx.since.slice(0, 10) : null;
  let previousFirstId: string | null = null;
  for (let pageIndex = 0; pageIndex < MAX_PAGES; pageIndex++) {
    if (ctx.signal?.aborted) return;
    const init: HttpRequestInit = {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json; charset=UTF-8',
        'X-Requested-With': 'XMLHttpRequest',
        RequestVerificationToken: token,
        Referer: pageUrl,
      },
      signal: ctx.signal,
      // PublishedFrom narrows an incremental run; the `since` check below does not rely on it.
      body: JSON.stringify(ungmSearchBody(pageIndex, agencies, sinceDay ? ungmDate(sinceDay) : null)),
    };
    let fragment: string;
    try {
      fragment = fragmentOf((await ctx.http.request(searchUrl, init)).body);
    } catch (err) {
      if (ctx.signal?.aborted) return;
      yield { kind: 'problem', message: `search page ${pageIndex + 1} failed: ${message(err)}`, url: searchUrl };
      return;
    }
    const rows = readListingRows(fragment);
    const total = readNoticeTotal(fragment);
    ctx.onPage?.({ page: pageIndex + 1, items: rows.length, total: total ?? undefined });
    if (rows.length === 0 && total === null) {
      yield { kind: 'problem', message: `search page ${pageIndex + 1} has no notice rows and no noticeTotal`, url: searchUrl };
      return;
    }
    if (rows.length > UNGM_PAGE_SIZE) {
      yield { kind: 'problem', message: `asked for ${UNGM_PAGE_SIZE} rows, got ${rows.length}: PageSize was ignored`, url: searchUrl };
    }
    if (pageIndex > 0 && rows.length > 0 && rows[0]!.id === previousFirstId) {
      yield { kind: 'problem', message: `search page ${pageIndex + 1} repeats page ${pageIndex}: PageIndex was ignored`, url: searchUrl };
      return;
    }
    previousFirstId = rows[0]?.id ?? null;

    let passedSince = false;
    for (const row of rows) {
      if (ctx.signal?.aborted) return;
      // Newest first (SortField DatePublished, descending): an older row means we are past `since`.
      if (sinceDay && row.published !== null && row.published < sinceDay) {
        passedSince = true;
        continue;
      }
      const detailUrl = `${ctx.baseUrl}/Public/Notice/${encodeURIComponent(row.id)}`;
      let detail: string | null = null;
      try {
        detail = await ctx.http.getText(detailUrl, { signal: ctx.signal });
      } catch (err) {
        if (ctx.signal?.aborted) return;
        yield { kind: 'problem', message: `detail ${row.id} failed, listing row kept: ${message(err)}`, url: detailUrl };
      }
      yield {
        sourceId: row.id,
        payload: rowDetailPayload(row.html, detail),
        contentType: 'text/html',
        url: detailUrl,
        fetchedAt: new Date().toISOString(),
      };
    }

    if (ctx.sample || passedSince) return;
    if (rows.length < UNGM_PAGE_SIZE) return;
    if (total !== null && (pageIndex + 1) * UNGM_PAGE_SIZE >= total) return;
  }
  ctx.log(`ungm: stopped after ${MAX_PAGES} pages`);
}

// ---------------------------------------------------------------------------------------------
// parse
// ---------------------------------------------------------------------------------------------

interface Deadline {
  local: string;
  zone: string | null;
}

/** `22-Oct-2026 08:00 (GMT 4.30)` → local `2026-10-22T08:00`, zone `+04:30`; null if unreadable. */
export function parseUngmDateTime(text: string): Deadline | null {
  const m = /(\d{1,2}-[A-Za-z]{3,4}-\d{2,4})\s+(\d{1,2}):(\d{2})(?:\s*\(?\s*((?:GMT|UTC)\s*[+\-−]?\s*\d{1,2}(?:[.:]\d{1,2})?))?/i.exec(text);
  if (!m) return null;
  const date = parseMonthDate(m[1]);
  if (!date || Number(m[2]) > 23) return null;
  return { local: `${date}T${m[2]!.padStart(2, '0')}:${m[3]}`, zone: m[4] ? gmtLabelToOffset(m[4]) : null };
}

/** Label-value pairs of the detail page, keyed by labelKey without the trailing colon. */
function detailPairs($: cheerio.CheerioAPI): Map<string, Nodes> {
  const pairs = new Map<string, Nodes>();
  $('.label, dt, th, label').each((_, el) => {
    const key = labelKey($(el).text()).replace(/\s*:\s*$/, '');
    if (!key || key.length > 60 || pairs.has(key)) return;
    const node = $(el);
    let value = node.nextAll('.value').first();
    if (value.length === 0) {
      const tag = el.tagName.toLowerCase();
      const wanted = tag === 'dt' ? 'dd' : tag === 'th' ? 'td' : '*';
      value = node.nextAll(wanted).first();
    }
    if (value.length === 0) value = node.parent().children('.value').first();
    if (value.length > 0) pairs.set(key, value);
  });
  return pairs;
}

function findPair(pairs: Map<string, Nodes>, names: string[]): Nodes | null {
  for (const name of names) {
    const hit = pairs.get(name);
    if (hit) return hit;
  }
  return null;
}

/** The body of a panel/section headed `heading` (panel-heading → panel-body, or heading → next sibling). */
function section($: cheerio.CheerioAPI, heading: RegExp): Nodes | null {
  let found: Nodes | null = null;
  $('h1, h2, h3, h4, h5, h6, legend, .panel-heading, .panel-title, .card-header, .card-title, .title, .heading, .header').each((_, el) => {
    if (found) return;
    const node = $(el);
    if (!heading.test(cleanText(node.text()))) return;
    const panel = node.closest('.panel, .card, section, fieldset');
    const body = panel.find('.panel-body, .card-body, .content').first();
    if (body.length > 0) {
      found = body;
      return;
    }
    let next = node.next();
    if (next.length === 0) next = node.parent().next();
    if (next.length > 0) found = next;
  });
  return found;
}

/** Split a comma-separated country list, re-joining `Congo, Democratic Republic of`-style names. */
function splitCountries(value: string): string[] {
  const parts = value.split(/[,;]/).map((p) => p.trim()).filter(Boolean);
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const next = parts[i + 1];
    // "Congo" alone is a country too, so join whenever the next part is not one on its own.
    const joinable = next !== undefined && toCountryCode(`${part}, ${next}`) !== null;
    if (joinable && (toCountryCode(next) === null || toCountryCode(part) === null)) {
      out.push(`${part}, ${next}`);
      i++;
    } else {
      out.push(part);
    }
  }
  return out;
}

function sameStart(full: string, prefix: string): boolean {
  const a = labelKey(full);
  const b = labelKey(prefix);
  return b !== '' && a.startsWith(b);
}

function parseNotice(raw: RawNotice): ParseOutcome {
  const problems: string[] = [];
  const envelope = readRowDetailPayload(raw);
  if ('problem' in envelope) return { notice: null, problems: [envelope.problem] };
  const { row: rowHtml, detail: detailHtml } = envelope;

  // --- listing row -----------------------------------------------------------------------
  const $ = cheerio.load(rowHtml, null, false);
  const row = $(ROW_SELECTOR).first();
  if (row.length === 0) return { notice: null, problems: ['row HTML has no notice row'] };
  const id = row.attr('data-noticeid')!.trim();
  const cells = row.children('div[role="cell"]');
  if (cells.length !== 8) problems.push(`row: ${cells.length} cells, expected 8`);
  const cell = (i: number, selector: string): string => {
    const bySelector = selector ? row.find(selector).first() : null;
    return cleanText((bySelector && bySelector.length > 0 ? bySelector : cells.eq(i)).text());
  };

  let title = cell(1, '.ungm-title');
  const deadlineText = cleanText(row.find('.deadline > span').not('.remainingDaysToDeadline').first().text()) || cell(2, '');
  const publishedText = cell(3, '');
  const agency = cleanOrNull(cell(4, '.resultAgency span'));
  const typeLabel = cleanOrNull(cell(5, ''));
  let reference = cleanOrNull(cell(6, '[data-description="Reference"] span'));
  const countryText = cell(7, '');
  const agencyId = row.find('[data-agencyid]').first().attr('data-agencyid')?.trim() ?? null;

  let published = parseMonthDate(publishedText);
  if (!published) problems.push(`row: published date unreadable: "${publishedText}"`);
  let deadlineRaw = deadlineText;
  let deadline = deadlineText ? parseUngmDateTime(deadlineText) : null;
  if (deadlineText && !deadline) problems.push(`row: deadline unreadable: "${deadlineText}"`);
  let countryNames: string[] = countryText ? [countryText] : [];
  let buyer = agency;
  let description: string | null = null;
  let unspsc: string[] = [];

  // --- detail page -----------------------------------------------------------------------
  if (typeof detailHtml !== 'string') {
    problems.push('detail page not fetched: listing row only');
  } else {
    const d = cheerio.load(detailHtml);
    const pairs = detailPairs(d);
    const want = (label: string, names: string[]): Nodes | null => {
      const hit = findPair(pairs, names);
      if (!hit) problems.push(`detail: label "${label}" not found`);
      return hit;
    };
    const text = (v: Nodes | null): string => (v ? cleanText(v.text()) : '');

    // Titles are truncated in the list (SOURCES.md §1): take the detail's full title.
    const labelledTitle = text(findPair(pairs, ['title', 'notice title']));
    const headingTitle = d('h1, h2, .ungm-title, .title')
      .toArray()
      .map((el) => cleanText(d(el).text()))
      .find((t) => t.length >= title.length && sameStart(t, title));
    const fullTitle = labelledTitle || headingTitle || '';
    if (fullTitle) title = fullTitle;

    const pub = text(want('Published on', ['published on', 'published', 'publication date', 'date published']));
    if (pub) {
      const day = parseMonthDate(pub.split(/\s+\d{1,2}:\d{2}/)[0]);
      if (day) published = day;
      else problems.push(`detail: "Published on" unreadable: "${pub}"`);
    }
    const due = text(want('Deadline on', ['deadline on', 'deadline']));
    if (due) {
      const parsed = parseUngmDateTime(due);
      if (parsed) {
        deadline = parsed;
        deadlineRaw = due;
      } else {
        problems.push(`detail: "Deadline on" unreadable: "${due}"`);
      }
    }
    const beneficiaries = text(want('Beneficiary countries or territories', [
      'beneficiary countries or territories',
      'beneficiary countries/territories',
      'beneficiary countries',
      'beneficiary country',
      'beneficiary countries or territory',
    ]));
    if (beneficiaries) countryNames = splitCountries(beneficiaries);
    const organization = text(want('Organization', ['organization', 'organisation', 'un organization', 'agency']));
    if (organization) buyer = organization;
    const ref = text(want('Reference', ['reference', 'reference number', 'ref no', 'ref. no']));
    if (ref) reference = ref;

    const descriptionNode = findPair(pairs, ['description']) ?? section(d, /^description:?$/i);
    if (descriptionNode) description = htmlToPlainText(d.html(descriptionNode)) || null;
    else problems.push('detail: section "Description" not found');

    const unspscNode = findPair(pairs, ['unspsc', 'unspsc codes', 'unspsc code']) ?? section(d, /^unspsc\b/i);
    if (unspscNode) unspsc = [...new Set(unspscNode.text().match(/(?<!\d)\d{8}(?!\d)/g) ?? [])];

    const base = raw.url ? new URL(raw.url) : new URL('https://www.ungm.org/');
    const documents = d('a[href]')
      .toArray()
      .map((el) => ({ name: cleanText(d(el).text()), href: d(el).attr('href') ?? '' }))
      .filter((a) => /\/Document|\.(pdf|docx?|xlsx?|zip|rar)(?:$|[?#])/i.test(a.href));
    if (documents.length > 0) {
      // TenderInput has no documents field; list them under the description for advisers.
      const lines = documents.map((a) => {
        let url = a.href;
        try {
          url = new URL(a.href, base).toString();
        } catch {
          // keep the href as written
        }
        return `- ${a.name || 'document'}: ${url}`;
      });
      description = [description, `Documents:\n${[...new Set(lines)].join('\n')}`].filter(Boolean).join('\n\n');
    }
  }

  // --- normalise -------------------------------------------------------------------------
  if (!title) {
    problems.push('title missing');
    title = reference ?? id;
  }
  const { codes, unknown } = toCountryCodes(countryNames.filter((n) => !isNonCountry(n)));
  for (const name of unknown) problems.push(`country "${name}" not recognised`);
  const noticeType = mapNoticeType(typeLabel);
  if (typeLabel && noticeType === 'other') problems.push(`notice type "${typeLabel}" not mapped`);
  if (!typeLabel) problems.push('row: notice type missing');

  let deadlineInput: TenderInput['deadline'] = null;
  if (deadline) {
    if (!deadline.zone) problems.push(`deadline has no (GMT h.mm) offset: "${deadlineRaw}"`);
    deadlineInput = makeDeadline(deadlineRaw, deadline.local, deadline.zone);
  }

  const identifiers: Record<string, string> = { ungmNoticeId: id };
  if (agency) identifiers.agency = agency;
  if (agencyId) identifiers.agencyId = agencyId;

  const notice: TenderInput = {
    sourceId: id,
    reference,
    title,
    description,
    buyer,
    countries: codes,
    noticeType,
    noticeTypeLabel: typeLabel,
    procurementMethod: null,
    category: null,
    unspsc,
    publishedAt: dateToUtcMidnight(published),
    deadline: deadlineInput,
    status: noticeType === 'contract_award' ? 'awarded' : noticeType === 'cancellation' ? 'cancelled' : null,
    value: null,
    language: null,
    url: raw.url ?? `https://www.ungm.org/Public/Notice/${encodeURIComponent(id)}`,
    projectId: null,
    identifiers,
  };
  return { notice, problems };
}

export function createUngmSource(options: UngmSourceOptions = {}): SourceDefinition {
  const agencies = (options.agencies ?? []).map(String);
  const id = options.id ?? 'ungm';
  return {
    id,
    name: agencies.length > 0 ? `UNGM (agencies ${agencies.join(', ')})` : 'UNGM (United Nations Global Marketplace)',
    defaultBaseUrl: 'https://www.ungm.org',
    schedule: '40 5,17 * * *',
    politeness: {
      // R4 (SOURCES.md §1): "UNGM rate-limits aggressively (HTTP 429) under rapid-fire requests —
      // verified empirically", and waits 4.0 s. No terms of use were found.
      minIntervalMs: 4000,
      robots: true,
    },
    status: { supported: true },
    parserVersion: 1,
    fetch: (ctx) => fetchNotices(ctx, agencies),
    parse: neverThrows(parseNotice),
  };
}

export const ungm = createUngmSource();
