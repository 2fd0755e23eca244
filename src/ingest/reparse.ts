/**
 * Re-runs a source's parser over its stored raw payloads (the latest payload of each notice),
 * after a parser fix, without any network access. Changed tenders become amendments with
 * versions, exactly as if they had been fetched again.
 */
import type Database from 'better-sqlite3';
import type { RawNotice, SourceDefinition } from '../../scrapers/contract.js';
import { createIngestor } from './ingest.js';
import type { RunSummary } from './run-source.js';

export function reparseSource(sqlite: Database.Database, source: SourceDefinition, opts: { batchSize?: number; now?: () => string } = {}): RunSummary {
  const now = opts.now ?? (() => new Date().toISOString());
  const startedAt = now();
  const problems: string[] = [];
  const ingestor = createIngestor(sqlite, source, { runId: null, now, onProblem: (p) => problems.push(`${p.sourceId}: ${p.message}`) });
  const latest = sqlite.prepare(
    `SELECT id, source_id, payload, content_type, url, fetched_at FROM raw_notices r
     WHERE r.source = ? AND r.id > ? AND NOT EXISTS (
       SELECT 1 FROM raw_notices n WHERE n.source = r.source AND n.source_id = r.source_id
         AND (n.fetched_at > r.fetched_at OR (n.fetched_at = r.fetched_at AND n.id > r.id)))
     ORDER BY r.id LIMIT ?`,
  );
  const batchSize = opts.batchSize ?? 500;
  let after = 0;
  for (;;) {
    const rows = latest.all(source.id, after, batchSize) as Array<{ id: number; source_id: string; payload: string; content_type: RawNotice['contentType']; url: string | null; fetched_at: string }>;
    if (rows.length === 0) break;
    after = rows[rows.length - 1].id;
    ingestor.reparseBatch(
      rows.map((r) => ({ rawId: r.id, raw: { sourceId: r.source_id, payload: r.payload, contentType: r.content_type, url: r.url, fetchedAt: r.fetched_at } })),
    );
  }
  const c = ingestor.counts;
  return {
    runId: -1,
    source: source.id,
    status: c.failed > 0 ? 'partial' : 'success',
    pages: 0,
    counts: { ...c },
    problems: problems.length,
    error: null,
    changed: ingestor.changed,
    startedAt,
    finishedAt: now(),
  };
}
