/**
 * AIIB project procurement (SOURCES.md §8).
 *
 * The list page `…/project-procurement/list.html` loads
 * `GET {base}/en/opportunities/business/project-procurement/_common/ppo-data-all.js?t=<ts>`,
 * a script `var ppoData = [{id:"May 27, 2026",cd:"",mb:"Azerbaijan",pj:"…",…}, …];` with
 * unquoted keys. It is read with the small JavaScript-literal reader below and never
 * evaluated (SOURCES.md "Decisions": never eval a fetched script).
 * One RawNotice per row: the row's object literal exactly as it is in the file.
 *
 * Keys (R3, R9): `id` issue date (not an identifier), `cd` closing date, `mb` member country,
 * `pj` project / title, `ds` description, `cr` contractor, `sd` signed date, `pc` price
 * (`INR 4,647,906,559.31`), `st` sector, `ct` category, `tp` type, `dc` document path.
 *
 * Decisions:
 * - `ct: "Procurement Plan"` rows are skipped at fetch time (counted in the log): a plan lists
 *   future procurements, there is nothing to answer, and they would crowd the matcher. A stored
 *   plan row parses to `notice: null` with a problem saying so.
 * - sourceId is the `dc` document path (stable across file versions); without one, `h:` + a
 *   SHA-1 of pj|tp|id. A path used by two rows of one file gets the hash appended on the second.
 * - The closing date has no time and no zone: 23:59 local, zone unknown, unless the
 *   description names a zone.
 */
import { createHash } from 'node:crypto';
import type {
  DeadlineInput,
  FetchProblem,
  ParseOutcome,
  RawNotice,
  ScrapeContext,
  SourceDefinition,
  TenderInput,
} from './contract.js';
import { neverThrows } from './contract.js';
import {
  categoryFromLabel,
  cleanOrNull,
  cleanText,
  dateToUtcMidnight,
  findZoneInText,
  htmlToPlainText,
  isNonCountry,
  mapNoticeType,
  parseClockTime,
  parseWrittenDate,
  toCountryCode,
  toCountryCodes,
  tryMakeDeadline,
} from '../src/ingest/normalize.js';

const DEFAULT_BASE = 'https://www.aiib.org';
const DATA_PATH = '/en/opportunities/business/project-procurement/_common/ppo-data-all.js';
const LIST_PATH = '/en/opportunities/business/project-procurement/list.html';
/** Rows yielded in sample mode (the file is one "page"). */
const SAMPLE_ROWS = 10;

// ---------------------------------------------------------------------------------------------
// A JavaScript object-literal reader (no evaluation)
// ---------------------------------------------------------------------------------------------

export class JsLiteralError extends Error {
  constructor(message: string, readonly position: number) {
    super(`${message} at offset ${position}`);
    this.name = 'JsLiteralError';
  }
}

export type JsValue = string | number | boolean | null | undefined | JsValue[] | { [key: string]: JsValue };

/** A value read from the source, with the [start, end) offsets of its text. */
export interface JsSpan {
  value: JsValue;
  start: number;
  end: number;
}

const MAX_DEPTH = 64;
const IDENT_START = /[A-Za-z_$]/;
const IDENT_PART = /[A-Za-z0-9_$]/;

/**
 * Reads literals: objects (unquoted, quoted or numeric keys), arrays, single/double/backtick
 * strings with escapes (backticks without `${}`), numbers (decimal, hex, exponent, signs),
 * true/false/null/undefined, comments, trailing commas. Anything else (identifiers used as
 * values, calls, operators) is an error: nothing is ever executed.
 */
export class JsLiteralReader {
  pos: number;

  constructor(readonly src: string, start = 0) {
    this.pos = start;
  }

  fail(message: string): never {
    throw new JsLiteralError(message, this.pos);
  }

  /** Skips whitespace and comments. */
  skipBlank(): void {
    const s = this.src;
    while (this.pos < s.length) {
      const c = s[this.pos]!;
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\u00a0' || c === '\ufeff' || c === '\u2028' || c === '\u2029' || c === '\v' || c === '\f') {
        this.pos++;
      } else if (c === '/' && s[this.pos + 1] === '/') {
        const nl = s.indexOf('\n', this.pos);
        this.pos = nl < 0 ? s.length : nl + 1;
      } else if (c === '/' && s[this.pos + 1] === '*') {
        const end = s.indexOf('*/', this.pos + 2);
        if (end < 0) this.fail('unterminated comment');
        this.pos = end + 2;
      } else {
        return;
      }
    }
  }

  /** One value, with its span; the position ends right after it. */
  value(depth = 0): JsSpan {
    if (depth > MAX_DEPTH) this.fail('nesting too deep');
    this.skipBlank();
    const start = this.pos;
    const c = this.src[this.pos];
    let value: JsValue;
    if (c === undefined) this.fail('unexpected end of input');
    else if (c === '{') value = this.object(depth);
    else if (c === '[') value = this.array(depth);
    else if (c === '"' || c === "'" || c === '`') value = this.string();
    else if (/[0-9.+\-]/.test(c)) value = this.number();
    else if (IDENT_START.test(c)) {
      const word = this.identifier();
      if (word === 'true') value = true;
      else if (word === 'false') value = false;
      else if (word === 'null') value = null;
      else if (word === 'undefined') value = undefined;
      else if (word === 'NaN') value = Number.NaN;
      else if (word === 'Infinity') value = Number.POSITIVE_INFINITY;
      else {
        this.pos = start;
        this.fail(`"${word}" is not a literal`);
      }
    } else this.fail(`unexpected character "${c}"`);
    return { value, start, end: this.pos };
  }

  private identifier(): string {
    const start = this.pos;
    while (this.pos < this.src.length && IDENT_PART.test(this.src[this.pos]!)) this.pos++;
    return this.src.slice(start, this.pos);
  }

  private object(depth: number): { [key: string]: JsValue } {
    const out: { [key: string]: JsValue } = {};
    this.pos++; // {
    for (;;) {
      this.skipBlank();
      const c = this.src[this.pos];
      if (c === '}') {
        this.pos++;
        return out;
      }
      let key: string;
      if (c === '"' || c === "'" || c === '`') key = this.string();
      else if (c !== undefined && IDENT_START.test(c)) key = this.identifier();
      else if (c !== undefined && /[0-9]/.test(c)) key = String(this.number());
      else this.fail(c === undefined ? 'unterminated object' : `unexpected "${c}" where a key was expected`);
      this.skipBlank();
      if (this.src[this.pos] !== ':') this.fail(`":" expected after key "${key}"`);
      this.pos++;
      const { value } = this.value(depth + 1);
      // defineProperty: a "__proto__" key stays an ordinary key.
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      this.skipBlank();
      const sep = this.src[this.pos];
      if (sep === ',') this.pos++;
      else if (sep !== '}') this.fail(sep === undefined ? 'unterminated object' : `"," or "}" expected, got "${sep}"`);
    }
  }

  private array(depth: number): JsValue[] {
    const out: JsValue[] = [];
    this.pos++; // [
    for (;;) {
      this.skipBlank();
      const c = this.src[this.pos];
      if (c === ']') {
        this.pos++;
        return out;
      }
      if (c === ',') {
        // a hole: [a,,b]
        out.push(undefined);
        this.pos++;
        continue;
      }
      out.push(this.value(depth + 1).value);
      this.skipBlank();
      const sep = this.src[this.pos];
      if (sep === ',') this.pos++;
      else if (sep !== ']') this.fail(sep === undefined ? 'unterminated array' : `"," or "]" expected, got "${sep}"`);
    }
  }

  /** Array elements with the span of each (for slicing the source text of every row). */
  arraySpans(depth = 0): JsSpan[] {
    this.skipBlank();
    if (this.src[this.pos] !== '[') this.fail('"[" expected');
    const out: JsSpan[] = [];
    this.pos++;
    for (;;) {
      this.skipBlank();
      const c = this.src[this.pos];
      if (c === ']') {
        this.pos++;
        return out;
      }
      if (c === ',') {
        this.pos++;
        continue;
      }
      out.push(this.value(depth + 1));
      this.skipBlank();
      const sep = this.src[this.pos];
      if (sep === ',') this.pos++;
      else if (sep !== ']') this.fail(sep === undefined ? 'unterminated array' : `"," or "]" expected, got "${sep}"`);
    }
  }

  private string(): string {
    const s = this.src;
    const quote = s[this.pos]!;
    this.pos++;
    let out = '';
    for (;;) {
      const c = s[this.pos];
      if (c === undefined) this.fail('unterminated string');
      if (c === quote) {
        this.pos++;
        return out;
      }
      if (quote === '`' && c === '$' && s[this.pos + 1] === '{') this.fail('template substitution is not a literal');
      if ((c === '\n' || c === '\r') && quote !== '`') this.fail('line break in string');
      if (c !== '\\') {
        out += c;
        this.pos++;
        continue;
      }
      const e = s[this.pos + 1];
      this.pos += 2;
      switch (e) {
        case undefined:
          this.fail('unterminated string');
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'v': out += '\v'; break;
        case '0':
          if (/[0-9]/.test(s[this.pos] ?? '')) this.fail('octal escape');
          out += '\0';
          break;
        case 'x': {
          const hex = s.slice(this.pos, this.pos + 2);
          if (!/^[0-9a-fA-F]{2}$/.test(hex)) this.fail('bad \\x escape');
          out += String.fromCharCode(parseInt(hex, 16));
          this.pos += 2;
          break;
        }
        case 'u': {
          let hex: string;
          if (s[this.pos] === '{') {
            const close = s.indexOf('}', this.pos);
            hex = close < 0 ? '' : s.slice(this.pos + 1, close);
            if (!/^[0-9a-fA-F]{1,6}$/.test(hex) || parseInt(hex, 16) > 0x10ffff) this.fail('bad \\u{} escape');
            this.pos = close + 1;
          } else {
            hex = s.slice(this.pos, this.pos + 4);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('bad \\u escape');
            this.pos += 4;
          }
          out += String.fromCodePoint(parseInt(hex, 16));
          break;
        }
        case '\r':
          if (s[this.pos] === '\n') this.pos++;
          break; // line continuation
        case '\n':
        case '\u2028':
        case '\u2029':
          break; // line continuation
        default:
          out += e; // \" \' \\ \/ and identity escapes
      }
    }
  }

  private number(): number {
    const m = /^[+-]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?|Infinity)/.exec(this.src.slice(this.pos, this.pos + 400));
    if (!m) this.fail('bad number');
    this.pos += m[0].length;
    const t = m[0].replace(/_/g, '');
    const sign = t.startsWith('-') ? -1 : 1;
    const body = t.replace(/^[+-]/, '');
    const n = /^0[xXoObB]/.test(body) ? Number(body) : body === 'Infinity' ? Number.POSITIVE_INFINITY : Number(body);
    if (Number.isNaN(n)) this.fail(`bad number "${m[0]}"`);
    return sign * n;
  }
}

/** Reads one literal that must fill `text` (whitespace, comments and a final `;` aside). */
export function parseJsLiteral(text: string): JsValue {
  const reader = new JsLiteralReader(text);
  const { value } = reader.value();
  reader.skipBlank();
  if (reader.src[reader.pos] === ';') {
    reader.pos++;
    reader.skipBlank();
  }
  if (reader.pos < text.length) reader.fail('unexpected text after the literal');
  return value;
}

/** The rows of `var ppoData = [ … ];` with each row's exact source text. */
export function readPpoData(script: string): Array<{ value: JsValue; text: string }> {
  const m = /(?:\b(?:var|let|const)\s+|\bwindow\.)ppoData\s*=\s*/.exec(script);
  if (!m) throw new JsLiteralError('"ppoData =" not found', 0);
  const reader = new JsLiteralReader(script, m.index + m[0].length);
  return reader.arraySpans().map((span) => ({ value: span.value, text: script.slice(span.start, span.end) }));
}

// ---------------------------------------------------------------------------------------------
// fetch
// ---------------------------------------------------------------------------------------------

function isRecord(v: unknown): v is Record<string, JsValue> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function field(row: Record<string, JsValue>, key: string): string | null {
  const v = Object.prototype.hasOwnProperty.call(row, key) ? row[key] : undefined;
  if (typeof v === 'string') return v.trim() === '' ? null : v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

function hash(...parts: Array<string | null>): string {
  return createHash('sha1').update(parts.map((p) => p ?? '').join('|')).digest('hex').slice(0, 16);
}

/** The `dc` path without scheme/host, query or fragment; null when absent. */
function documentPath(dc: string | null): string | null {
  if (!dc) return null;
  try {
    const u = new URL(dc.trim(), DEFAULT_BASE);
    return decodeURIComponent(u.pathname);
  } catch {
    return dc.trim();
  }
}

export function aiibSourceId(row: Record<string, JsValue>): string {
  return documentPath(field(row, 'dc')) ?? `h:${hash(field(row, 'pj'), field(row, 'tp'), field(row, 'id'))}`;
}

function isProcurementPlan(row: Record<string, JsValue>): boolean {
  return /^procurement\s+plans?$/i.test(cleanText(field(row, 'ct')));
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function* fetchNotices(ctx: ScrapeContext): AsyncGenerator<RawNotice | FetchProblem> {
  const url = `${ctx.baseUrl}${DATA_PATH}?t=${Date.now()}`;
  let script: string;
  try {
    script = await ctx.http.getText(url, { signal: ctx.signal, headers: { Accept: 'application/javascript, text/javascript, */*;q=0.5' } });
  } catch (err) {
    if (ctx.signal?.aborted) return;
    yield { kind: 'problem', message: `ppo-data-all.js failed: ${message(err)}`, url };
    return;
  }
  let rows: Array<{ value: JsValue; text: string }>;
  try {
    rows = readPpoData(script);
  } catch (err) {
    yield { kind: 'problem', message: `ppo-data-all.js unreadable: ${message(err)} ("${script.slice(0, 80).replace(/\s+/g, ' ')}")`, url };
    return;
  }
  ctx.onPage?.({ page: 1, items: rows.length, total: rows.length });
  const fetchedAt = new Date().toISOString();
  const used = new Set<string>();
  let plans = 0;
  let yielded = 0;
  for (const [i, row] of rows.entries()) {
    if (ctx.sample && yielded >= SAMPLE_ROWS) break;
    if (!isRecord(row.value)) {
      yield { kind: 'problem', message: `ppoData row ${i + 1} is not an object: skipped`, url };
      continue;
    }
    if (isProcurementPlan(row.value)) {
      plans++;
      continue;
    }
    let sourceId = aiibSourceId(row.value);
    if (used.has(sourceId)) {
      const alt = `${sourceId}#${hash(field(row.value, 'pj'), field(row.value, 'tp'), field(row.value, 'id'))}`;
      yield { kind: 'problem', message: `ppoData row ${i + 1} shares its document path with an earlier row: id ${alt}`, url };
      sourceId = alt;
    }
    used.add(sourceId);
    const dc = field(row.value, 'dc');
    let rowUrl = `${ctx.baseUrl}${LIST_PATH}`;
    if (dc) {
      try {
        rowUrl = new URL(dc.trim(), `${ctx.baseUrl}/`).toString();
      } catch {
        // keep the list page
      }
    }
    yielded++;
    yield { sourceId, payload: row.text, contentType: 'text/javascript', url: rowUrl, fetchedAt };
  }
  if (plans > 0) ctx.log(`aiib: ${plans} Procurement Plan rows skipped`);
}

// ---------------------------------------------------------------------------------------------
// parse
// ---------------------------------------------------------------------------------------------

const CURRENCY_SIGNS: Record<string, string> = { 'US$': 'USD', $: 'USD', '€': 'EUR', '£': 'GBP', '¥': 'CNY', RMB: 'CNY' };

/**
 * `INR 4,647,906,559.31`, `USD1,200,000`, `US$ 3.5` → { amount, currency }; null if unreadable.
 * When several amounts are listed (`USD 1,000; EUR 2,000`) the first is read and `more` is true.
 */
export function parsePrice(s: string | null): { amount: number; currency: string; more: boolean } | null {
  if (!s) return null;
  const t = cleanText(s);
  const m = /^(US\$|RMB|[A-Za-z]{3}|\$|€|£|¥)\s*([0-9][0-9,]*(?:\.\d+)?)(?![\d.,])/i.exec(t);
  if (!m) return null;
  const sign = m[1]!;
  const currency = CURRENCY_SIGNS[sign.toUpperCase()] ?? CURRENCY_SIGNS[sign] ?? sign.toUpperCase();
  const amount = Number(m[2]!.replace(/,/g, ''));
  if (!Number.isFinite(amount) || !/^[A-Z]{3}$/.test(currency)) return null;
  return { amount, currency, more: t.slice(m[0].length).trim() !== '' };
}

/** The member-country field: one name, or several separated by commas/semicolons/"and". */
function countriesOf(mb: string | null, problems: string[]): string[] {
  if (!mb) return [];
  const whole = toCountryCode(mb);
  if (whole) return [whole];
  if (isNonCountry(mb)) return [];
  const { codes, unknown } = toCountryCodes(mb.split(/\s*(?:[,;/]|\band\b|&)\s*/));
  for (const name of unknown) problems.push(`member "${name}" not recognised`);
  return codes;
}

function parseRow(raw: RawNotice): ParseOutcome {
  const problems: string[] = [];
  let value: JsValue;
  try {
    value = parseJsLiteral(raw.payload);
  } catch (err) {
    return { notice: null, problems: [`payload is not a ppoData row literal: ${message(err)}`] };
  }
  if (!isRecord(value)) return { notice: null, problems: ['payload is not an object literal'] };
  const row = value;
  if (isProcurementPlan(row)) return { notice: null, problems: ['Procurement Plan row: not a notice (skipped by design)'] };

  const category = cleanOrNull(field(row, 'ct'));
  const typeLabel = cleanOrNull(field(row, 'tp'));
  let noticeType = mapNoticeType(typeLabel);
  if (/contract awards?/i.test(category ?? '') && noticeType === 'other') noticeType = 'contract_award';
  if (typeLabel && noticeType === 'other') problems.push(`type "${typeLabel}" not mapped`);
  if (!typeLabel) problems.push('tp (type) missing');

  let title = cleanOrNull(field(row, 'pj'));
  if (!title) {
    problems.push('pj (project / title) missing');
    title = [typeLabel, field(row, 'mb')].filter(Boolean).join(' – ') || null;
  }
  if (!title) return { notice: null, problems: [...problems, 'row has neither a title nor a type'] };

  const issueRaw = field(row, 'id');
  const issued = parseWrittenDate(issueRaw);
  if (issueRaw && !issued) problems.push(`id (issue date) unreadable: "${issueRaw}"`);
  if (!issueRaw) problems.push('id (issue date) missing');

  const body = htmlToPlainText(field(row, 'ds'));
  const countries = countriesOf(cleanOrNull(field(row, 'mb')), problems);

  let deadline: DeadlineInput | null = null;
  const closingRaw = cleanOrNull(field(row, 'cd'));
  if (closingRaw) {
    const day = parseWrittenDate(closingRaw);
    if (!day) problems.push(`cd (closing date) unreadable: "${closingRaw}"`);
    else {
      // `cd` has no time: 23:59 local, zone unknown; when the description names one time with
      // a zone ("12:00 hours Dhaka local time"), that time and zone are the deadline's.
      const found = findZoneInText(body, { countryCode: countries.length === 1 ? countries[0] : null });
      const time = found.matched ? parseClockTime(/^[\d:.hH\s]+(?:[AaPp]\.?\s*[Mm]\.?)?/.exec(found.matched)?.[0]) : null;
      deadline = tryMakeDeadline(found.zone ? `${closingRaw} (${found.matched})` : closingRaw, `${day}T${time ?? '23:59'}`, found.zone);
    }
  }

  const priceRaw = cleanOrNull(field(row, 'pc'));
  const price = parsePrice(priceRaw);
  if (priceRaw && !price) problems.push(`pc (price) unreadable: "${priceRaw}"`);
  if (price?.more) problems.push(`pc (price) lists more than one amount, the first kept: "${priceRaw}"`);

  const contractor = cleanOrNull(field(row, 'cr'));
  const signedRaw = cleanOrNull(field(row, 'sd'));
  const sector = cleanOrNull(field(row, 'st'));
  const facts = [
    contractor ? `Contractor: ${contractor}` : null,
    signedRaw ? `Signed: ${signedRaw}` : null,
    priceRaw ? `Price: ${priceRaw}` : null,
    sector ? `Sector: ${sector}` : null,
  ].filter(Boolean);
  const description = [body || null, facts.length > 0 ? facts.join('\n') : null].filter(Boolean).join('\n\n') || null;

  let url: string | null = raw.url;
  const dc = field(row, 'dc');
  if (dc) {
    try {
      url = new URL(dc.trim(), raw.url ?? `${DEFAULT_BASE}/`).toString();
    } catch {
      problems.push(`dc (document path) unreadable: "${dc}"`);
    }
  }
  const projectId = /\bP0\d{5}\b/.exec(`${title} ${body}`)?.[0] ?? null;
  const identifiers: Record<string, string> = {};
  if (sector) identifiers.sector = sector;
  if (contractor) identifiers.contractor = contractor;

  const notice: TenderInput = {
    sourceId: raw.sourceId || aiibSourceId(row),
    reference: null,
    title,
    description,
    buyer: null,
    countries,
    noticeType,
    noticeTypeLabel: typeLabel,
    procurementMethod: null,
    category: categoryFromLabel(typeLabel) ?? categoryFromLabel(title),
    unspsc: [],
    publishedAt: dateToUtcMidnight(issued),
    deadline,
    status: noticeType === 'contract_award' ? 'awarded' : noticeType === 'cancellation' ? 'cancelled' : null,
    value: price ? { amount: price.amount, currency: price.currency } : null,
    language: 'en',
    url,
    projectId,
    identifiers,
  };
  return { notice, problems };
}

export const aiib: SourceDefinition = {
  id: 'aiib',
  name: 'AIIB project procurement',
  defaultBaseUrl: DEFAULT_BASE,
  schedule: '50 4,16 * * *',
  politeness: {
    // One request a run (the whole data file). No published terms or rate limit were found;
    // R9 reports no authentication and no Cloudflare protection (not verified).
    minIntervalMs: 2000,
    robots: true,
  },
  status: { supported: true },
  parserVersion: 1,
  fetch: fetchNotices,
  parse: neverThrows(parseRow),
};
