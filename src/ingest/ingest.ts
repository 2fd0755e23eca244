/**
 * Ingest: keep the raw payload, parse it, validate, and upsert by (source, sourceId).
 * A content hash over the normalized fields decides new / amended / unchanged; an amendment
 * writes a tender version with the changed fields. Writes are batched in transactions, so a
 * crash loses at most the uncommitted batch (refetched next run) and never corrupts the store.
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { ParseOutcome, RawNotice, TenderInput } from '../../scrapers/contract.js';
import { analyzeForIndex } from '../matching/analyzer.js';
import { validateTenderInput } from './validate.js';

export type IngestResult = 'new' | 'amended' | 'unchanged' | 'failed';

export interface IngestCounts {
  seen: number;
  new: number;
  amended: number;
  unchanged: number;
  failed: number;
}

export interface ParserLike {
  id: string;
  parserVersion: number;
  parse(raw: RawNotice): ParseOutcome;
}

/** The tender columns that make up its content (hashed, diffed into versions). */
export interface TenderContent {
  reference: string | null;
  title: string;
  description: string | null;
  buyer: string | null;
  countries: string[];
  noticeType: string;
  noticeTypeLabel: string | null;
  procurementMethod: string | null;
  category: string | null;
  unspsc: string[];
  publishedAt: string | null;
  deadlineAt: string | null;
  deadlineRaw: string | null;
  deadlineZone: string | null;
  deadlineZoneKnown: boolean | null;
  sourceStatus: string | null;
  valueAmount: number | null;
  valueCurrency: string | null;
  language: string | null;
  url: string | null;
  projectId: string | null;
  identifiers: Record<string, string>;
}

export const CONTENT_FIELDS = [
  'reference', 'title', 'description', 'buyer', 'countries', 'noticeType', 'noticeTypeLabel',
  'procurementMethod', 'category', 'unspsc', 'publishedAt', 'deadlineAt', 'deadlineRaw',
  'deadlineZone', 'deadlineZoneKnown', 'sourceStatus', 'valueAmount', 'valueCurrency',
  'language', 'url', 'projectId', 'identifiers',
] as const satisfies readonly (keyof TenderContent)[];

export function toContent(n: TenderInput): TenderContent {
  return {
    reference: n.reference,
    title: n.title,
    description: n.description,
    buyer: n.buyer,
    countries: n.countries,
    noticeType: n.noticeType,
    noticeTypeLabel: n.noticeTypeLabel,
    procurementMethod: n.procurementMethod,
    category: n.category,
    unspsc: n.unspsc,
    publishedAt: n.publishedAt,
    deadlineAt: n.deadline?.at ?? null,
    deadlineRaw: n.deadline?.raw ?? null,
    deadlineZone: n.deadline?.zone ?? null,
    deadlineZoneKnown: n.deadline ? n.deadline.zoneKnown : null,
    sourceStatus: n.status,
    valueAmount: n.value?.amount ?? null,
    valueCurrency: n.value?.currency ?? null,
    language: n.language,
    url: n.url,
    projectId: n.projectId,
    identifiers: n.identifiers ?? {},
  };
}

/** Stable JSON (sorted keys) so the same content always hashes the same. */
function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableStringify(obj[k])}`)
    .join(',')}}`;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Fields in a fixed order; only the identifiers map needs its keys sorted. */
export function contentHash(c: TenderContent): string {
  const values = CONTENT_FIELDS.map((f) => (f === 'identifiers' ? stableStringify(c.identifiers) : c[f]));
  return sha256(JSON.stringify(values));
}

export function diffContent(before: TenderContent, after: TenderContent): Record<string, { from: unknown; to: unknown }> {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const f of CONTENT_FIELDS) {
    if (stableStringify(before[f]) !== stableStringify(after[f])) changes[f] = { from: before[f], to: after[f] };
  }
  return changes;
}

interface TenderRow {
  id: number;
  content_hash: string;
  version: number;
  reference: string | null;
  title: string;
  description: string | null;
  buyer: string | null;
  countries: string;
  notice_type: string;
  notice_type_label: string | null;
  procurement_method: string | null;
  category: string | null;
  unspsc: string;
  published_at: string | null;
  deadline_at: string | null;
  deadline_raw: string | null;
  deadline_zone: string | null;
  deadline_zone_known: number | null;
  source_status: string | null;
  value_amount: number | null;
  value_currency: string | null;
  language: string | null;
  url: string | null;
  project_id: string | null;
  identifiers: string;
}

function rowToContent(r: TenderRow): TenderContent {
  return {
    reference: r.reference,
    title: r.title,
    description: r.description,
    buyer: r.buyer,
    countries: JSON.parse(r.countries) as string[],
    noticeType: r.notice_type,
    noticeTypeLabel: r.notice_type_label,
    procurementMethod: r.procurement_method,
    category: r.category,
    unspsc: JSON.parse(r.unspsc) as string[],
    publishedAt: r.published_at,
    deadlineAt: r.deadline_at,
    deadlineRaw: r.deadline_raw,
    deadlineZone: r.deadline_zone,
    deadlineZoneKnown: r.deadline_zone_known === null ? null : r.deadline_zone_known === 1,
    sourceStatus: r.source_status,
    valueAmount: r.value_amount,
    valueCurrency: r.value_currency,
    language: r.language,
    url: r.url,
    projectId: r.project_id,
    identifiers: JSON.parse(r.identifiers) as Record<string, string>,
  };
}

function contentParams(c: TenderContent) {
  return {
    reference: c.reference,
    title: c.title,
    description: c.description,
    buyer: c.buyer,
    countries: JSON.stringify(c.countries),
    notice_type: c.noticeType,
    notice_type_label: c.noticeTypeLabel,
    procurement_method: c.procurementMethod,
    category: c.category,
    unspsc: JSON.stringify(c.unspsc),
    published_at: c.publishedAt,
    deadline_at: c.deadlineAt,
    deadline_raw: c.deadlineRaw,
    deadline_zone: c.deadlineZone,
    deadline_zone_known: c.deadlineZoneKnown === null ? null : c.deadlineZoneKnown ? 1 : 0,
    source_status: c.sourceStatus,
    value_amount: c.valueAmount,
    value_currency: c.valueCurrency,
    language: c.language,
    url: c.url,
    project_id: c.projectId,
    identifiers: JSON.stringify(c.identifiers),
  };
}

const CONTENT_COLUMNS = Object.keys(contentParams(toContent({
  sourceId: '', reference: null, title: '', description: null, buyer: null, countries: [], noticeType: 'other',
  noticeTypeLabel: null, procurementMethod: null, category: null, unspsc: [], publishedAt: null, deadline: null,
  status: null, value: null, language: null, url: null, projectId: null, identifiers: {},
})));

/**
 * Reference numbers that identify a tender across sources: its own reference, the bank's
 * package reference, the procurement exercise id. Normalized to upper-case letters and
 * digits; short or digit-free strings (free text, "N/A") are not references.
 */
export function referenceKeys(c: TenderContent): string[] {
  const out = new Set<string>();
  for (const v of [c.reference, c.identifiers.bidReference, c.identifiers.eceppId, c.identifiers.ocid]) {
    if (!v) continue;
    const k = v.toUpperCase().replace(/[^A-Z0-9]/g, '');
    if (k.length >= 5 && k.length <= 60 && /\d/.test(k) && !/^\d{1,5}$/.test(k)) out.add(k);
  }
  return [...out];
}

export function titleKey(analyzedTitle: string): string {
  return [...new Set(analyzedTitle.split(' ').filter(Boolean))].sort().join(' ');
}

/** Text fed to the full-text index: analyzed title, and the rest of what a searcher would type. */
export function ftsColumns(c: TenderContent): { title: string; body: string } {
  const body = [c.description, c.buyer, c.reference, c.projectId].filter(Boolean).join('\n');
  return { title: analyzeForIndex(c.title, c.language), body: analyzeForIndex(body, c.language) };
}

/**
 * Everything about one payload that needs no database: parse, validate, hash, analyze.
 * Pure and serializable, so it can run in a worker thread (src/ingest/parse-pool.ts).
 */
export type Prepared =
  | { ok: true; payloadHash: string; content: TenderContent; hash: string; fts: { title: string; body: string }; titleKey: string; refs: string[]; problems: string[] }
  | { ok: false; payloadHash: string; error: string; problems: string[] };

export function prepareNotice(parser: ParserLike, raw: RawNotice): Prepared {
  const payloadHash = sha256(raw.payload);
  let outcome: ParseOutcome;
  try {
    outcome = parser.parse(raw);
  } catch (err) {
    // Parsers should never throw; if one does, the notice fails and the run goes on.
    return { ok: false, payloadHash, error: `parser threw: ${(err as Error).message}`, problems: [] };
  }
  if (!outcome.notice) return { ok: false, payloadHash, error: outcome.problems.join('; ') || 'nothing parsed', problems: outcome.problems };
  const invalid = validateTenderInput(outcome.notice);
  if (invalid.length > 0) return { ok: false, payloadHash, error: `invalid notice: ${invalid.join('; ')}`, problems: [...outcome.problems, ...invalid] };
  const content = toContent(outcome.notice);
  const fts = ftsColumns(content);
  return { ok: true, payloadHash, content, hash: contentHash(content), fts, titleKey: titleKey(fts.title), refs: referenceKeys(content), problems: outcome.problems };
}

export interface ChangedTender {
  id: number;
  result: 'new' | 'amended';
}

export interface IngestorOptions {
  runId: number | null;
  now?: () => string;
  /** Called for each problem (parse failures, validation errors) so the run can record it. */
  onProblem?: (p: { sourceId: string; message: string; url: string | null }) => void;
}

/**
 * Prepared statements bound to one store. `ingestBatch` runs one transaction per call.
 */
export function createIngestor(sqlite: Database.Database, parser: ParserLike, options: IngestorOptions) {
  const now = options.now ?? (() => new Date().toISOString());
  const insertRaw = sqlite.prepare(
    `INSERT INTO raw_notices (source, source_id, payload, payload_hash, content_type, url, fetched_at, run_id, parser_version, parse_error, problems)
     VALUES (@source, @source_id, @payload, @payload_hash, @content_type, @url, @fetched_at, @run_id, @parser_version, @parse_error, @problems)
     ON CONFLICT (source, source_id, payload_hash) DO UPDATE SET fetched_at = excluded.fetched_at, run_id = excluded.run_id,
       parser_version = excluded.parser_version, parse_error = excluded.parse_error, problems = excluded.problems`,
  );
  const markRaw = sqlite.prepare(
    `UPDATE raw_notices SET parser_version = @parser_version, parse_error = @parse_error, problems = @problems WHERE id = @id`,
  );
  const findTender = sqlite.prepare(`SELECT * FROM tenders WHERE source = ? AND source_id = ?`);
  const insertTender = sqlite.prepare(
    `INSERT INTO tenders (source, source_id, ${CONTENT_COLUMNS.join(', ')}, content_hash, title_key, version, first_seen_at, last_seen_at, updated_at)
     VALUES (@source, @source_id, ${CONTENT_COLUMNS.map((c) => '@' + c).join(', ')}, @content_hash, @title_key, 1, @now, @now, @now)`,
  );
  const touchTender = sqlite.prepare(`UPDATE tenders SET last_seen_at = ? WHERE id = ?`);
  const updateTender = sqlite.prepare(
    `UPDATE tenders SET ${CONTENT_COLUMNS.map((c) => `${c} = @${c}`).join(', ')},
       content_hash = @content_hash, title_key = @title_key, version = @version, last_seen_at = @now, updated_at = @now
     WHERE id = @id`,
  );
  const insertVersion = sqlite.prepare(
    `INSERT INTO tender_versions (tender_id, version, run_id, changed_at, changes, content_hash)
     VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const ftsDelete = sqlite.prepare(`DELETE FROM tenders_fts WHERE rowid = ?`);
  const ftsInsert = sqlite.prepare(`INSERT INTO tenders_fts (rowid, title, body) VALUES (?, ?, ?)`);
  const refsDelete = sqlite.prepare(`DELETE FROM tender_refs WHERE tender_id = ?`);
  const refInsert = sqlite.prepare(`INSERT OR IGNORE INTO tender_refs (tender_id, ref) VALUES (?, ?)`);

  /** Full-text row and references: what is derived from the content beside the row itself. */
  function index(id: number, p: Extract<Prepared, { ok: true }>, replace: boolean) {
    if (replace) {
      ftsDelete.run(id);
      refsDelete.run(id);
    }
    ftsInsert.run(id, p.fts.title, p.fts.body);
    for (const ref of p.refs) refInsert.run(id, ref);
  }

  const counts: IngestCounts = { seen: 0, new: 0, amended: 0, unchanged: 0, failed: 0 };
  const changed: ChangedTender[] = [];

  /** Records the parse result on a stored payload (reparse), then upserts the tender. */
  function apply(raw: RawNotice, p: Prepared, rawId: number | null): IngestResult {
    if (rawId !== null) {
      markRaw.run({
        id: rawId,
        parser_version: parser.parserVersion,
        parse_error: p.ok ? null : p.error,
        problems: p.problems.length ? JSON.stringify(p.problems) : null,
      });
    }
    if (!p.ok) {
      options.onProblem?.({ sourceId: raw.sourceId, message: p.error, url: raw.url });
      return 'failed';
    }
    return upsert(raw.sourceId, p);
  }

  function upsert(sourceId: string, p: Extract<Prepared, { ok: true }>): IngestResult {
    const { content, hash } = p;
    const at = now();
    const existing = findTender.get(parser.id, sourceId) as TenderRow | undefined;
    if (!existing) {
      // cluster_id stays NULL: a tender alone is its own cluster until the linker says otherwise.
      const info = insertTender.run({ source: parser.id, source_id: sourceId, ...contentParams(content), content_hash: hash, title_key: p.titleKey, now: at });
      const id = Number(info.lastInsertRowid);
      index(id, p, false);
      changed.push({ id, result: 'new' });
      return 'new';
    }
    if (existing.content_hash === hash) {
      touchTender.run(at, existing.id);
      return 'unchanged';
    }
    const changes = diffContent(rowToContent(existing), content);
    const version = existing.version + 1;
    updateTender.run({ id: existing.id, ...contentParams(content), content_hash: hash, title_key: p.titleKey, version, now: at });
    insertVersion.run(existing.id, version, options.runId, at, JSON.stringify(changes), hash);
    index(existing.id, p, true);
    changed.push({ id: existing.id, result: 'amended' });
    return 'amended';
  }

  function ingestOne(raw: RawNotice, parsed: Prepared): IngestResult {
    insertRaw.run({
      source: parser.id,
      source_id: raw.sourceId,
      payload: raw.payload,
      payload_hash: parsed.payloadHash,
      content_type: raw.contentType,
      url: raw.url,
      fetched_at: raw.fetchedAt,
      run_id: options.runId,
      parser_version: parser.parserVersion,
      parse_error: parsed.ok ? null : parsed.error,
      problems: parsed.problems.length ? JSON.stringify(parsed.problems) : null,
    });
    return apply(raw, parsed, null);
  }

  function count(result: IngestResult) {
    counts.seen++;
    counts[result]++;
  }

  const ingestPrepared = sqlite.transaction((items: { raw: RawNotice; prepared: Prepared }[]) => {
    for (const { raw, prepared } of items) count(ingestOne(raw, prepared));
  });
  const reparseBatch = sqlite.transaction((raws: { raw: RawNotice; rawId: number }[]) => {
    for (const { raw, rawId } of raws) count(apply(raw, prepareNotice(parser, raw), rawId));
  });

  return {
    counts,
    /** Tenders created or amended so far (for incremental matching). */
    changed,
    /** Parse here and write, one transaction. */
    ingestBatch: (raws: RawNotice[]) => ingestPrepared(raws.map((raw) => ({ raw, prepared: prepareNotice(parser, raw) }))),
    /** Write payloads prepared elsewhere (a parse worker), one transaction. */
    ingestPrepared: (items: { raw: RawNotice; prepared: Prepared }[]) => ingestPrepared(items),
    reparseBatch: (raws: { raw: RawNotice; rawId: number }[]) => reparseBatch(raws),
  };
}

export type Ingestor = ReturnType<typeof createIngestor>;
