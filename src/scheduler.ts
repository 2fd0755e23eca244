/**
 * One cron task per supported source (UTC), no overlap, a random delay before each run for
 * politeness. Started on the app's onReady and stopped on onClose, so tests never start it.
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { FastifyBaseLogger } from 'fastify';
import type { Store } from '../db/client.js';
import type { SourceDefinition } from '../scrapers/contract.js';
import type { Config } from './config.js';
import { isRunnable } from '../scrapers/registry.js';
import { scrape } from './ingest/scrape.js';
import { computeHealth, recentRuns } from './sources/health.js';

export interface Scheduler {
  tasks: ScheduledTask[];
  stop(): Promise<void>;
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
          const job = scrape({ store: opts.store, config: opts.config, sources: [source], signal: abort.signal, log: (m) => opts.log.warn(m) })
            .then(([summary]) => {
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
