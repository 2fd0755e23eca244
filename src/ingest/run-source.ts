/**
 * One scrape run of one source, recorded in `scrape_runs` whatever happens; and `runSources`,
 * which runs several with bounded concurrency so one broken source never stops the others.
 */
import type Database from 'better-sqlite3';
import type { RawNotice, SourceDefinition } from '../../scrapers/contract.js';
import type { HttpClient } from '../../scrapers/http-client.js';
import { findSource } from '../../scrapers/registry.js';
import { createIngestor, type ChangedTender, type IngestCounts } from './ingest.js';
import { createParsePool, type ParsePool } from './parse-pool.js';

/**
 * success: everything fetched and stored; partial: everything fetched, some notices failed to
 * parse; incomplete: a fetch problem, an error or a stop cut the run short (what it stored is
 * kept, but the next incremental run starts from the last complete one); failed: nothing usable.
 */
export type RunStatus = 'running' | 'success' | 'partial' | 'incomplete' | 'failed';

export interface RunSummary {
  runId: number;
  source: string;
  status: RunStatus;
  pages: number;
  counts: IngestCounts;
  problems: number;
  error: string | null;
  changed: ChangedTender[];
  startedAt: string;
  finishedAt: string;
}

export interface RunOptions {
  sqlite: Database.Database;
  source: SourceDefinition;
  http: HttpClient;
  baseUrl?: string;
  sample?: boolean;
  signal?: AbortSignal;
  log?: (message: string) => void;
  onProgress?: (p: { source: string; pages: number; seen: number; total?: number }) => void;
  /** Notices written per transaction. */
  batchSize?: number;
  /** Parse in a worker thread while the main thread writes (default on, for registered sources). */
  parseInWorker?: boolean;
  /** The registered source whose parser the worker loads, when `source` wraps one (benchmarks). */
  workerParser?: string;
  now?: () => string;
}

/** Start of the last successful full (non-sample) run: the incremental window's lower bound. */
export function lastSuccessStart(sqlite: Database.Database, source: string): string | null {
  const row = sqlite
    .prepare(`SELECT started_at FROM scrape_runs WHERE source = ? AND status IN ('success', 'partial') AND sample = 0 ORDER BY started_at DESC LIMIT 1`)
    // Only runs that fetched everything: an incomplete run's missing pages must be fetched again.
    .get(source) as { started_at: string } | undefined;
  return row?.started_at ?? null;
}

export async function runSource(opts: RunOptions): Promise<RunSummary> {
  const { sqlite, source } = opts;
  const now = opts.now ?? (() => new Date().toISOString());
  const log = opts.log ?? (() => {});
  const batchSize = opts.batchSize ?? 200;
  const startedAt = now();
  const since = opts.sample ? null : lastSuccessStart(sqlite, source.id);
  const runId = Number(
    sqlite
      .prepare(`INSERT INTO scrape_runs (source, started_at, status, sample) VALUES (?, ?, 'running', ?)`)
      .run(source.id, startedAt, opts.sample ? 1 : 0).lastInsertRowid,
  );
  const insertProblem = sqlite.prepare(`INSERT INTO run_problems (run_id, source_id, url, message, at) VALUES (?, ?, ?, ?, ?)`);
  let problems = 0;
  let fetchProblems = 0;
  const recordProblem = (sourceId: string | null, url: string | null, message: string) => {
    problems++;
    if (sourceId === null) fetchProblems++;
    insertProblem.run(runId, sourceId, url, message.slice(0, 4000), now());
  };
  const ingestor = createIngestor(sqlite, source, {
    runId,
    now,
    onProblem: (p) => recordProblem(p.sourceId, p.url, p.message),
  });

  let pages = 0;
  let error: string | null = null;
  let buffer: RawNotice[] = [];
  // The worker must run this very parser: only a registered source is loaded there.
  const workerParser = opts.workerParser ?? (findSource(source.id) === source ? source.id : null);
  const pool: ParsePool | null = opts.parseInWorker !== false && workerParser ? createParsePool(workerParser) : null;
  let writes: Promise<void> = Promise.resolve();
  const inFlight: Promise<void>[] = [];
  const flush = async () => {
    if (buffer.length === 0) return;
    const batch = buffer;
    buffer = [];
    if (!pool) {
      ingestor.ingestBatch(batch);
      return;
    }
    const prepared = pool.prepare(batch).catch((err: Error) => {
      log(`${source.id}: parse worker failed (${err.message}); parsing here`);
      return null;
    });
    writes = writes.then(async () => {
      const p = await prepared;
      if (p) ingestor.ingestPrepared(batch.map((raw, i) => ({ raw, prepared: p[i] })));
      else ingestor.ingestBatch(batch);
    });
    inFlight.push(writes);
    // Bounded memory: wait for the oldest batch once three are parsed or being written.
    if (inFlight.length > 2) await inFlight.shift();
  };
  try {
    const generator = source.fetch({
      http: opts.http,
      baseUrl: (opts.baseUrl ?? source.defaultBaseUrl).replace(/\/+$/, ''),
      sample: Boolean(opts.sample),
      since,
      signal: opts.signal,
      log,
      onPage: (info) => {
        pages++;
        opts.onProgress?.({ source: source.id, pages, seen: ingestor.counts.seen + buffer.length, total: info.total });
      },
    });
    for await (const item of generator) {
      if ('kind' in item) {
        recordProblem(null, item.url ?? null, item.message);
        log(`${source.id}: ${item.message}`);
        continue;
      }
      buffer.push(item);
      if (buffer.length >= batchSize) await flush();
      if (opts.signal?.aborted) break;
    }
    await flush();
    await writes;
  } catch (err) {
    // Keep what was fetched before the failure: it is valid and already paid for.
    try {
      await flush();
      await writes;
    } catch (flushErr) {
      recordProblem(null, null, `could not store the last batch: ${(flushErr as Error).message}`);
    }
    error = (err as Error).message || String(err);
    recordProblem(null, null, error);
    log(`${source.id}: run failed: ${error}`);
  }

  await pool?.close();
  const c = ingestor.counts;
  // A run that stored nothing usable because of errors is a failure, never "0 new tenders".
  const usable = c.seen - c.failed;
  const stopped = Boolean(opts.signal?.aborted);
  if (stopped && error === null) {
    error = 'stopped before the end (shutdown or deadline)';
    recordProblem(null, null, error);
  }
  const cutShort = error !== null || fetchProblems > 0;
  const status: RunStatus =
    (cutShort || problems > 0) && usable === 0 ? 'failed' : cutShort ? 'incomplete' : problems > 0 ? 'partial' : 'success';
  const finishedAt = now();
  sqlite
    .prepare(
      `UPDATE scrape_runs SET finished_at = ?, status = ?, pages = ?, items_seen = ?, items_new = ?, items_amended = ?,
         items_unchanged = ?, items_failed = ?, error = ? WHERE id = ?`,
    )
    .run(finishedAt, status, pages, c.seen, c.new, c.amended, c.unchanged, c.failed, error, runId);
  return { runId, source: source.id, status, pages, counts: { ...c }, problems, error, changed: ingestor.changed, startedAt, finishedAt };
}

/** Runs sources with at most `concurrency` at once; every source's outcome is returned, none throws. */
export async function runSources<R extends RunSummary>(sources: SourceDefinition[], concurrency: number, run: (s: SourceDefinition) => Promise<R>): Promise<Array<R | RunSummary>> {
  const results: Array<R | RunSummary> = new Array(sources.length);
  let next = 0;
  const worker = async () => {
    while (next < sources.length) {
      const i = next++;
      try {
        results[i] = await run(sources[i]);
      } catch (err) {
        // runSource records its own failures; this catches what it could not (e.g. the store refusing the run row).
        const at = new Date().toISOString();
        results[i] = {
          runId: -1, source: sources[i].id, status: 'failed', pages: 0, problems: 1, changed: [],
          counts: { seen: 0, new: 0, amended: 0, unchanged: 0, failed: 0 },
          error: (err as Error).message, startedAt: at, finishedAt: at,
        };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, sources.length) }, worker));
  return results;
}
