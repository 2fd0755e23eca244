/**
 * What the console pages show, read straight from the store with the services the API uses
 * (curation decisions, recommendations, profile validation and preview, source health).
 */
import type Database from 'better-sqlite3';
import { escapeHtml } from '../html.js';
import { ALERT_SELECT, REASON_CODES, listAlerts, toAlert } from '../alerts/service.js';
import { getFirm, listFirms, type Firm } from '../firms/repository.js';
import { analyzePrimary } from '../matching/analyzer.js';
import type { TermHit } from '../matching/scoring.js';
import { listRecipients } from '../notifications/recipients.js';
import { computeHealth, recentRuns } from '../sources/health.js';
import { getTender } from '../tenders/repository.js';
import { listEndpoints } from '../webhooks/endpoints.js';
import type { SourceDefinition } from '../../scrapers/contract.js';

export { REASON_CODES };

export const SCORE_BANDS = { high: [0.7, 1.01], medium: [0.5, 0.7], low: [0, 0.5] } as const;
export type ScoreBand = keyof typeof SCORE_BANDS;
export const DEADLINE_WINDOWS = [7, 14, 30, 60] as const;

export interface QueueFilters {
  firm?: string;
  band?: ScoreBand;
  source?: string;
  country?: string;
  withinDays?: number;
  sort: 'score' | 'deadline';
  limit: number;
}

/** Query-string values as the filter form sends them; anything unexpected is dropped, never trusted. */
export function parseQueueFilters(q: Record<string, unknown>): QueueFilters {
  const s = (k: string) => (typeof q[k] === 'string' && (q[k] as string).trim() !== '' ? (q[k] as string).trim() : undefined);
  const firm = s('firm');
  const band = s('band');
  const source = s('source');
  const country = s('country');
  const within = Number(s('within'));
  const limit = Number(s('limit'));
  return {
    firm: firm && /^[a-z0-9][a-z0-9_-]{0,63}$/.test(firm) ? firm : undefined,
    band: band && band in SCORE_BANDS ? (band as ScoreBand) : undefined,
    source: source && /^[a-z0-9_-]{1,40}$/.test(source) ? source : undefined,
    country: country && /^[A-Za-z]{2}$/.test(country) ? country.toUpperCase() : undefined,
    withinDays: Number.isInteger(within) && within > 0 && within <= 366 ? within : undefined,
    sort: s('sort') === 'deadline' ? 'deadline' : 'score',
    limit: Number.isInteger(limit) && limit > 0 && limit <= 500 ? limit : 100,
  };
}

export type QueueItem = ReturnType<typeof toAlert> & { firmName: string; description: string | null; language: string | null };

/** Proposed matches across firms with the filters of the queue page; `total` counts them all. */
export function queue(sqlite: Database.Database, f: QueueFilters, now = new Date()): { items: QueueItem[]; total: number } {
  const where = [`m.state = 'proposed'`];
  const params: unknown[] = [];
  const add = (clause: string, ...v: unknown[]) => {
    where.push(clause);
    params.push(...v);
  };
  if (f.firm) add('m.firm_id = ?', f.firm);
  if (f.band) add('m.score >= ? AND m.score < ?', ...SCORE_BANDS[f.band]);
  if (f.source) add(`EXISTS (SELECT 1 FROM tenders s WHERE (s.id = t.id OR s.cluster_id = t.id) AND s.source = ?)`, f.source);
  if (f.country) add(`EXISTS (SELECT 1 FROM json_each(t.countries) WHERE json_each.value = ?)`, f.country);
  if (f.withinDays) add('t.deadline_at >= ? AND t.deadline_at <= ?', now.toISOString(), new Date(now.getTime() + f.withinDays * 86_400_000).toISOString());
  const order = f.sort === 'deadline' ? `COALESCE(t.deadline_at, '9999') ASC, m.id` : `m.score DESC, m.id`;
  const base = `${ALERT_SELECT} WHERE ${where.join(' AND ')}`;
  const rows = sqlite
    .prepare(`SELECT q.*, f.name AS firm_name, td.description AS tender_description, td.language AS tender_language FROM (${base} ORDER BY ${order} LIMIT ?) q
              JOIN firms f ON f.id = q.firm_id JOIN tenders td ON td.id = q.tender_id`)
    .all(...params, f.limit, { now: now.toISOString() }) as Array<Record<string, unknown>>;
  // The outer join loses the inner order: sort again the same way.
  const total = (sqlite.prepare(`SELECT count(*) AS n FROM (${base})`).get(...params, { now: now.toISOString() }) as { n: number }).n;
  const items = rows.map((r) => ({
    ...toAlert(r, now),
    firmName: r.firm_name as string,
    description: (r.tender_description as string | null) ?? null,
    language: (r.tender_language as string | null) ?? null,
  }));
  items.sort(f.sort === 'deadline'
    ? (a, b) => (a.tender.deadline?.utc ?? '9999').localeCompare(b.tender.deadline?.utc ?? '9999') || a.id - b.id
    : (a, b) => b.score - a.score || a.id - b.id);
  return { items, total };
}

/** Sources that have at least one tender with a proposed match (the filter's choices). */
export function queueSources(sqlite: Database.Database): string[] {
  return (sqlite.prepare(`SELECT DISTINCT source FROM tenders ORDER BY source`).all() as { source: string }[]).map((r) => r.source);
}

export function firmChoices(sqlite: Database.Database): { id: string; name: string; nameKo: string | null }[] {
  return sqlite.prepare(`SELECT id, name, name_ko AS nameKo FROM firms ORDER BY name, id`).all() as { id: string; name: string; nameKo: string | null }[];
}

// ------------------------------------------------------------------ highlighting


/** The analyzed tokens of the terms an explanation says matched (profile keyword and the tender-side phrase). */
export function matchedTokens(hits: Pick<TermHit, 'keyword' | 'phrase' | 'lang'>[]): Set<string> {
  const out = new Set<string>();
  for (const h of hits) {
    for (const text of [h.phrase, h.keyword]) for (const tok of analyzePrimary(text ?? '', h.lang)) out.add(tok);
  }
  return out;
}

const WORD_RE = /[\p{L}\p{N}]+/gu;

/**
 * The text as escaped HTML with every word whose analyzed form is a matched token wrapped in
 * <mark>: "pumps" is marked for the keyword "pump", "énergie" for "energie". `max` cuts the text.
 */
export function highlight(text: string | null, tokens: Set<string>, max = Infinity, lang: string | null = null): string {
  if (!text) return '';
  let t = text;
  if (text.length > max) {
    const cut = text.slice(0, max);
    t = `${/\s/.test(text[max]) ? cut.trimEnd() : cut.replace(/\s+\S*$/, '')} …`;
  }
  t = t.normalize('NFC');
  let out = '';
  let last = 0;
  for (const m of t.matchAll(WORD_RE)) {
    const word = m[0];
    const at = m.index!;
    out += escapeHtml(t.slice(last, at));
    const analyzed = tokens.size > 0 ? analyzePrimary(word, lang) : [];
    out += analyzed.length > 0 && analyzed.every((a) => tokens.has(a)) ? `<mark>${escapeHtml(word)}</mark>` : escapeHtml(word);
    last = at + word.length;
  }
  return out + escapeHtml(t.slice(last));
}

// ------------------------------------------------------------------ tender page

export function tenderPage(sqlite: Database.Database, id: number, now = new Date()) {
  const tender = getTender(sqlite, id, now.toISOString());
  if (!tender) return null;
  const canonical = tender.clusterId ?? tender.id;
  const matches = sqlite
    .prepare(
      `SELECT m.id, m.firm_id AS firmId, f.name AS firmName, m.score, m.state, m.note, m.reviewer, m.published_at AS publishedAt, m.firm_state AS firmState
       FROM matches m JOIN firms f ON f.id = m.firm_id WHERE m.tender_id = ? ORDER BY m.score DESC, m.id`,
    )
    .all(canonical) as { id: number; firmId: string; firmName: string; score: number; state: string; note: string | null; reviewer: string | null; publishedAt: string | null; firmState: string }[];
  // Versions of every record in the cluster, newest first, each naming its source.
  const memberIds = tender.sources.map((m) => m.id);
  const bySource = new Map(tender.sources.map((m) => [m.id, m.source]));
  const versions = memberIds.length
    ? (sqlite
        .prepare(`SELECT tender_id, version, changed_at, changes FROM tender_versions WHERE tender_id IN (${memberIds.map(() => '?').join(',')}) ORDER BY changed_at DESC, tender_id, version DESC`)
        .all(...memberIds) as { tender_id: number; version: number; changed_at: string; changes: string }[]).map((v) => ({
        source: bySource.get(v.tender_id) ?? '',
        version: v.version,
        changedAt: v.changed_at,
        changes: JSON.parse(v.changes) as Record<string, { from: unknown; to: unknown }>,
      }))
    : [];
  return { tender, canonical, matches, versions };
}

// ------------------------------------------------------------------ firm page

export interface WebhookHealth {
  id: string;
  url: string;
  enabled: boolean;
  disabledReason: string | null;
  failingSince: string | null;
  eventTypes: string[];
  counts: Record<'delivered' | 'failed' | 'pending' | 'dead', number>;
  lastError: string | null;
}

export function firmPage(sqlite: Database.Database, id: string, now = new Date()) {
  const firm = getFirm(sqlite, id);
  if (!firm) return null;
  const alerts = listAlerts(sqlite, { firmId: id, limit: 50 }, now);
  const recipients = listRecipients(sqlite, id);
  const counts = sqlite.prepare(`SELECT status, count(*) AS n FROM webhook_deliveries WHERE endpoint_id = ? GROUP BY status`);
  const lastError = sqlite.prepare(
    `SELECT a.error, a.status_code FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id
     WHERE d.endpoint_id = ? AND (a.error IS NOT NULL OR a.status_code IS NULL OR a.status_code >= 300) ORDER BY a.id DESC LIMIT 1`,
  );
  const webhooks: WebhookHealth[] = listEndpoints(sqlite, { firmId: id, limit: 50 }).map((e) => {
    const c = { delivered: 0, failed: 0, pending: 0, dead: 0 };
    for (const r of counts.all(e.id) as { status: keyof typeof c; n: number }[]) c[r.status] = r.n;
    const err = lastError.get(e.id) as { error: string | null; status_code: number | null } | undefined;
    return {
      id: e.id,
      url: e.url,
      enabled: e.enabled,
      disabledReason: e.disabledReason,
      failingSince: e.failingSince,
      eventTypes: e.eventTypes,
      counts: c,
      lastError: err ? (err.error ?? `HTTP ${err.status_code}`) : null,
    };
  });
  return { firm, alerts, recipients, webhooks };
}

export function firmList(sqlite: Database.Database): (Firm & { proposed: number; published: number })[] {
  const stats = new Map(
    (sqlite.prepare(`SELECT firm_id, sum(state = 'proposed') AS proposed, sum(state = 'published') AS published FROM matches GROUP BY firm_id`).all() as { firm_id: string; proposed: number; published: number }[]).map((r) => [r.firm_id, r]),
  );
  const out: (Firm & { proposed: number; published: number })[] = [];
  let after: string | undefined;
  for (;;) {
    const page = listFirms(sqlite, { limit: 200, after });
    for (const f of page) out.push({ ...f, proposed: stats.get(f.id)?.proposed ?? 0, published: stats.get(f.id)?.published ?? 0 });
    if (page.length < 200) break;
    after = page[page.length - 1].id;
  }
  return out;
}

// ------------------------------------------------------------------ sources page

export function sourcesPage(sqlite: Database.Database, sources: readonly SourceDefinition[], schedules: Record<string, string>, now = new Date()) {
  return sources.map((s) => {
    const schedule = schedules[s.id] ?? s.schedule;
    const runs = recentRuns(sqlite, s.id, 10);
    return { id: s.id, name: s.name, supported: s.status.supported, unsupportedReason: s.status.supported ? null : s.status.reason, schedule, health: computeHealth(recentRuns(sqlite, s.id), schedule, now), runs };
  });
}
