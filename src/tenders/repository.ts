/**
 * Tender reads for the API: filters, full-text search over the analyzed FTS index, keyset paging.
 */
import type Database from 'better-sqlite3';
import { prepareCached } from '../../db/client.js';
import { analyze } from '../matching/analyzer.js';

export interface TenderFilters {
  q?: string;
  source?: string[];
  country?: string[];
  status?: string[];
  noticeType?: string[];
  deadlineFrom?: string;
  deadlineTo?: string;
  publishedFrom?: string;
  publishedTo?: string;
  sort?: 'published_desc' | 'deadline_asc' | 'updated_desc' | 'relevance';
  limit?: number;
  cursor?: string;
}

export class BadRequestError extends Error {
  readonly statusCode = 400;
}

/** Status as users see it: what the source said, else open until the deadline passes. */
export function statusSql(nowParam: string): string {
  return `CASE
    WHEN t.source_status IN ('cancelled', 'awarded', 'closed') THEN t.source_status
    WHEN t.deadline_at IS NOT NULL AND t.deadline_at < ${nowParam} THEN 'closed'
    ELSE 'open' END`;
}

export interface TenderRecord {
  id: number;
  source: string;
  sourceId: string;
  clusterId: number | null;
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
  deadline: { at: string; raw: string | null; zone: string | null; zoneKnown: boolean } | null;
  status: string;
  value: { amount: number; currency: string } | null;
  language: string | null;
  url: string | null;
  projectId: string | null;
  identifiers: Record<string, string>;
  version: number;
  firstSeenAt: string;
  lastSeenAt: string;
  updatedAt: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function rowToRecord(r: any): TenderRecord {
  return {
    id: r.id,
    source: r.source,
    sourceId: r.source_id,
    clusterId: r.cluster_id,
    reference: r.reference,
    title: r.title,
    description: r.description,
    buyer: r.buyer,
    countries: JSON.parse(r.countries),
    noticeType: r.notice_type,
    noticeTypeLabel: r.notice_type_label,
    procurementMethod: r.procurement_method,
    category: r.category,
    unspsc: JSON.parse(r.unspsc),
    publishedAt: r.published_at,
    deadline: r.deadline_at
      ? { at: r.deadline_at, raw: r.deadline_raw, zone: r.deadline_zone, zoneKnown: r.deadline_zone_known === 1 }
      : null,
    status: r.status,
    value: r.value_amount !== null && r.value_currency ? { amount: r.value_amount, currency: r.value_currency } : null,
    language: r.language,
    url: r.url,
    projectId: r.project_id,
    identifiers: JSON.parse(r.identifiers),
    version: r.version,
    firstSeenAt: r.first_seen_at,
    lastSeenAt: r.last_seen_at,
    updatedAt: r.updated_at,
  };
}

/**
 * FTS5 query from user text: every word must match (AND); a word matches through any of its
 * analyzed tokens (OR), so Korean words with particles match through their syllable bigrams.
 * Tokens are quoted, so FTS syntax typed by a user (`NEAR`, `*`, `"`, `-`) is inert.
 */
export function ftsQuery(q: string): string | null {
  const groups: string[] = [];
  for (const word of q.split(/\s+/)) {
    // The searcher's language is unknown and notices are stemmed in their own: any form matches.
    const tokens = [...new Set([null, 'en', 'fr', 'es'].flatMap((lang) => analyze(word, lang)))];
    if (tokens.length === 0) continue;
    const quoted = tokens.map((t) => `"${t.replace(/"/g, '""')}"`);
    groups.push(quoted.length === 1 ? quoted[0] : `(${quoted.join(' OR ')})`);
  }
  return groups.length ? groups.join(' AND ') : null;
}

interface Cursor {
  k: string | number | null;
  id: number;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeCursor(s: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Cursor;
    if (typeof c !== 'object' || c === null || !Number.isInteger(c.id)) throw new Error('shape');
    if (c.k !== null && typeof c.k !== 'string' && typeof c.k !== 'number') throw new Error('shape');
    return c;
  } catch {
    throw new BadRequestError('cursor: not a cursor returned by this API');
  }
}

const SORTS = {
  // Keyset columns: NULLs sort last by mapping them to a sentinel.
  published_desc: { expr: `COALESCE(t.published_at, '')`, dir: 'DESC' },
  deadline_asc: { expr: `COALESCE(t.deadline_at, '9999')`, dir: 'ASC' },
  updated_desc: { expr: `t.updated_at`, dir: 'DESC' },
} as const;

export function listTenders(sqlite: Database.Database, f: TenderFilters, now = new Date().toISOString()) {
  const where: string[] = [];
  const params: Record<string, unknown> = { now };
  const inList = (column: string, name: string, values?: string[]) => {
    if (!values || values.length === 0) return;
    const keys = values.map((v, i) => {
      params[`${name}${i}`] = v;
      return `@${name}${i}`;
    });
    where.push(`${column} IN (${keys.join(', ')})`);
  };
  // One row per cluster: the canonical record, with its members listed beside it.
  where.push('(t.cluster_id IS NULL OR t.cluster_id = t.id)');
  if (f.source && f.source.length) {
    const keys = f.source.map((v, i) => {
      params[`source${i}`] = v;
      return `@source${i}`;
    });
    where.push(`EXISTS (SELECT 1 FROM tenders m WHERE (m.id = t.id OR m.cluster_id = t.id) AND m.source IN (${keys.join(', ')}))`);
  }
  inList(statusSql('@now'), 'status', f.status);
  inList('t.notice_type', 'ntype', f.noticeType);
  if (f.country && f.country.length) {
    const keys = f.country.map((c, i) => {
      params[`country${i}`] = c.toUpperCase();
      return `@country${i}`;
    });
    where.push(`EXISTS (SELECT 1 FROM json_each(t.countries) WHERE json_each.value IN (${keys.join(', ')}))`);
  }
  if (f.deadlineFrom) (params.deadlineFrom = f.deadlineFrom), where.push('t.deadline_at >= @deadlineFrom');
  if (f.deadlineTo) (params.deadlineTo = f.deadlineTo), where.push('t.deadline_at <= @deadlineTo');
  if (f.publishedFrom) (params.publishedFrom = f.publishedFrom), where.push('t.published_at >= @publishedFrom');
  if (f.publishedTo) (params.publishedTo = f.publishedTo), where.push('t.published_at <= @publishedTo');

  const limit = f.limit ?? 50;
  const match = f.q ? ftsQuery(f.q) : null;
  if (f.q && !match) throw new BadRequestError('q: no searchable words (only stop words or punctuation)');
  const sort = f.sort ?? (match ? 'relevance' : 'published_desc');
  if (sort === 'relevance' && !match) throw new BadRequestError('sort: relevance needs q');

  let from = 'tenders t';
  let orderBy: string;
  let keyExpr: string;
  if (match) {
    params.match = match;
    from = `tenders_fts JOIN tenders t ON t.id = tenders_fts.rowid`;
    where.push('tenders_fts MATCH @match');
  }
  if (sort === 'relevance') {
    // Title hits weigh three times body hits; bm25 is lower-is-better.
    keyExpr = 'bm25(tenders_fts, 3.0, 1.0)';
    orderBy = `${keyExpr} ASC, t.id ASC`;
  } else {
    const s = SORTS[sort];
    keyExpr = s.expr;
    orderBy = `${s.expr} ${s.dir}, t.id ${s.dir}`;
  }
  if (f.cursor) {
    const c = decodeCursor(f.cursor);
    params.ck = c.k;
    params.cid = c.id;
    const dir = sort === 'relevance' || sort === 'deadline_asc' ? '>' : '<';
    // By relevance the cursor applies to the ranked ids (byRelevance).
    if (sort !== 'relevance') where.push(`(${keyExpr} ${dir} @ck OR (${keyExpr} = @ck AND t.id ${dir} @cid))`);
  }
  params.limit = limit + 1;
  const rows =
    sort === 'relevance'
      ? byRelevance(sqlite, where, params, limit + 1)
      : (prepareCached(
          sqlite,
          `SELECT t.*, ${statusSql('@now')} AS status, ${keyExpr} AS sort_key FROM ${from}
           ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY ${orderBy} LIMIT @limit`,
        ).all(params) as Array<Record<string, unknown>>);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const nextCursor = rows.length > limit && last ? encodeCursor({ k: last.sort_key as string | number, id: last.id as number }) : null;
  const items = page.map(rowToRecord);
  const members = clusterMembers(sqlite, items.map((i) => i.id));
  return { items: items.map((i) => ({ ...i, sources: members.get(i.id) ?? [] })), nextCursor };
}

/**
 * The best `want` rows by relevance. Ranking every match and joining each to its tender row
 * costs the join (a million tenders, a common word: ~20,000 rows, ~60 ms); so the full-text
 * index ranks alone first and only its best `cap` ids are joined and filtered. When the filters
 * leave fewer than `want` of them and the index had more, the cap grows (x8) until the page is
 * full or every match was seen: the same rows in the same order as ranking them all.
 */
function byRelevance(sqlite: Database.Database, where: string[], params: Record<string, unknown>, want: number): Array<Record<string, unknown>> {
  // The FTS condition and the cursor (rewritten onto the ranked ids) go into the inner query.
  const rest = where.filter((w) => w !== 'tenders_fts MATCH @match');
  const cursor = params.ck !== undefined ? 'AND (r.k > @ck OR (r.k = @ck AND r.id > @cid))' : '';
  const ranked = `SELECT rowid AS id, bm25(tenders_fts, 3.0, 1.0) AS k FROM tenders_fts WHERE tenders_fts MATCH @match`;
  const sql = `WITH r AS (${ranked}), top AS (SELECT r.id, r.k FROM r WHERE 1 ${cursor} ORDER BY r.k, r.id LIMIT @cap)
    SELECT t.*, ${statusSql('@now')} AS status, top.k AS sort_key, (SELECT count(*) FROM top) AS ranked FROM top JOIN tenders t ON t.id = top.id
    ${rest.length ? 'WHERE ' + rest.join(' AND ') : ''} ORDER BY top.k, t.id LIMIT @limit`;
  const stmt = prepareCached(sqlite, sql);
  for (let cap = Math.max(64, want * 4); ; cap *= 8) {
    const rows = stmt.all({ ...params, cap }) as Array<Record<string, unknown> & { ranked?: number }>;
    // Every match ranked (fewer than the cap), or the page is full: done.
    if (rows.length >= want || (rows.length ? rows[0].ranked! : countRanked(sqlite, cursor, params, cap)) < cap) {
      for (const r of rows) delete r.ranked;
      return rows;
    }
  }
}

/** How many ids the ranked query gave under this cap (when no row survived the filters to say). */
function countRanked(sqlite: Database.Database, cursor: string, params: Record<string, unknown>, cap: number): number {
  const sql = `SELECT count(*) AS n FROM (SELECT r.id FROM (SELECT rowid AS id, bm25(tenders_fts, 3.0, 1.0) AS k FROM tenders_fts WHERE tenders_fts MATCH @match) r
    WHERE 1 ${cursor} LIMIT @cap)`;
  const p: Record<string, unknown> = { match: params.match, cap };
  if (cursor) (p.ck = params.ck), (p.cid = params.cid);
  return (prepareCached(sqlite, sql).get(p) as { n: number }).n;
}

export interface ClusterMember {
  id: number;
  source: string;
  sourceId: string;
  reference: string | null;
  url: string | null;
}

/** Every record of each cluster (canonical included), keyed by canonical id. */
export function clusterMembers(sqlite: Database.Database, canonicalIds: number[]): Map<number, ClusterMember[]> {
  const out = new Map<number, ClusterMember[]>();
  if (canonicalIds.length === 0) return out;
  const marks = canonicalIds.map(() => '?').join(',');
  // Two indexed lookups (the records themselves, and those pointing at them), never a scan.
  const rows = sqlite
    .prepare(
      `SELECT id, COALESCE(cluster_id, id) AS cid, source, source_id AS sourceId, reference, url FROM tenders
       WHERE id IN (${marks}) AND (cluster_id IS NULL OR cluster_id = id)
       UNION
       SELECT id, cluster_id AS cid, source, source_id AS sourceId, reference, url FROM tenders WHERE cluster_id IN (${marks})
       ORDER BY id`,
    )
    .all(...canonicalIds, ...canonicalIds) as Array<ClusterMember & { cid: number }>;
  for (const { cid, ...m } of rows) {
    const list = out.get(cid) ?? [];
    list.push(m);
    out.set(cid, list);
  }
  return out;
}

export function getTender(sqlite: Database.Database, id: number, now = new Date().toISOString()) {
  const row = prepareCached(sqlite, `SELECT t.*, ${statusSql('@now')} AS status FROM tenders t WHERE t.id = @id`).get({ id, now });
  if (!row) return null;
  const versions = sqlite
    .prepare(`SELECT version, changed_at, changes FROM tender_versions WHERE tender_id = ? ORDER BY version`)
    .all(id) as Array<{ version: number; changed_at: string; changes: string }>;
  const record = rowToRecord(row);
  const canonical = record.clusterId ?? record.id;
  return {
    ...record,
    sources: clusterMembers(sqlite, [canonical]).get(canonical) ?? [],
    versions: versions.map((v) => ({ version: v.version, changedAt: v.changed_at, changes: JSON.parse(v.changes) as Record<string, { from: unknown; to: unknown }> })),
  };
}
