/**
 * One cron task per supported source (UTC), no overlap, a random delay before each run for
 * politeness. Started on the app's onReady and stopped on onClose, so tests never start it.
 */
import { Worker } from 'node:worker_threads';
import cron, { type ScheduledTask } from 'node-cron';
import type { FastifyBaseLogger } from 'fastify';
import type { Store } from '../db/client.js';
import type { SourceDefinition } from '../scrapers/contract.js';
import type { Config } from './config.js';
import { isRunnable } from '../scrapers/registry.js';
import { scrape, type ScrapeSummary } from './ingest/scrape.js';
import { computeHealth, recentRuns } from './sources/health.js';

export interface Scheduler {
  tasks: ScheduledTask[];
  stop(): Promise<void>;
}

type JobSummary = Omit<ScrapeSummary, 'changed'> & { changed: number };

/**
 * Runs one source's scrape in a worker thread on its own connection (file databases); an
 * in-memory database can only be reached from this thread, so it runs here.
 */
export function runScrape(source: SourceDefinition, opts: { config: Config; store: Store; signal: AbortSignal; log: FastifyBaseLogger }): Promise<JobSummary> {
  if (opts.store.sqlite.memory) {
    return scrape({ store: opts.store, config: opts.config, sources: [source], signal: opts.signal, log: (m) => opts.log.warn(m) }).then(([s]) => ({ ...s, changed: s.changed.length }));
  }
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./ingest/parse-worker-boot.mjs', import.meta.url), {
      workerData: { entry: new URL('./jobs/scrape-worker.ts', import.meta.url).href, databasePath: opts.store.sqlite.name, sourceId: source.id },
    });
    const onAbort = () => worker.postMessage({ cmd: 'abort' });
    opts.signal.addEventListener('abort', onAbort, { once: true });
    let result: JobSummary | null = null;
    worker.on('message', (m: { summary: JobSummary; logs: string[] }) => {
      for (const line of m.logs) opts.log.warn(line);
      result = m.summary;
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      opts.signal.removeEventListener('abort', onAbort);
      if (result) resolve(result);
      else reject(new Error(`scrape worker for ${source.id} exited with code ${code}`));
    });
  });
}

export function startScheduler(opts: { config: Config; store: Store; sources: readonly SourceDefinition[]; log: FastifyBaseLogger }): Scheduler {
  const abort = new AbortController();
  const running = new Set<Promise<unknown>>();
  const tasks = opts.sources
    .filter((s) => isRunnable(s))
    .map((source) => {
      const expression = opts.config.schedules[source.id] ?? source.schedule;
      return cron.schedule(
        expression,
        async () => {
          const job = runScrape(source, { config: opts.config, store: opts.store, signal: abort.signal, log: opts.log })
            .then((summary) => {
              opts.log.info({ source: source.id, status: summary.status, counts: summary.counts, error: summary.error }, 'scheduled scrape finished');
              const health = computeHealth(recentRuns(opts.store.sqlite, source.id), expression);
              // A broken source must be impossible to miss: anything but ok is a warning.
              if (health.state !== 'ok') opts.log.warn({ source: source.id, state: health.state, reasons: health.reasons }, 'source health');
            })
            .catch((err: Error) => opts.log.error({ err, source: source.id }, 'scheduled scrape crashed'));
          running.add(job);
          await job;
          running.delete(job);
        },
        { name: `scrape:${source.id}`, timezone: 'UTC', noOverlap: true, maxRandomDelay: opts.config.schedulerJitterMs },
      );
    });
  opts.log.info({ tasks: tasks.map((t) => t.name) }, 'scheduler started');
  return {
    tasks,
    async stop() {
      for (const t of tasks) await t.stop();
      abort.abort();
      await Promise.allSettled([...running]);
      for (const t of tasks) await t.destroy();
    },
  };
}
