/**
 * `/metrics` (Prometheus, prom-client): source health and run figures, computed from the store
 * at scrape time, plus the process's default metrics. One registry per app, so tests that
 * build several apps don't collide.
 */
import type { FastifyPluginAsync } from 'fastify';
import client from 'prom-client';
import { computeHealth, recentRuns, type HealthState } from './health.js';

const STATES: HealthState[] = ['ok', 'degraded', 'failing', 'stale', 'never_run'];

export const metricsRoutes: FastifyPluginAsync = async (app) => {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'gpass_' });
  const sqlite = () => app.store.sqlite;
  new client.Gauge({
    name: 'gpass_source_health',
    help: 'Source health state: 1 for the current state of each source',
    labelNames: ['source', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of app.sources) {
        const h = computeHealth(recentRuns(sqlite(), s.id), app.config.schedules[s.id] ?? s.schedule);
        for (const state of STATES) this.set({ source: s.id, state }, h.state === state ? 1 : 0);
      }
    },
  });
  new client.Gauge({
    name: 'gpass_source_last_success_timestamp_seconds',
    help: 'Start of the last successful run of each source (0 = never)',
    labelNames: ['source'],
    registers: [registry],
    collect() {
      for (const s of app.sources) {
        const h = computeHealth(recentRuns(sqlite(), s.id), app.config.schedules[s.id] ?? s.schedule);
        this.set({ source: s.id }, h.lastSuccessAt ? Date.parse(h.lastSuccessAt) / 1000 : 0);
      }
    },
  });
  new client.Gauge({
    name: 'gpass_source_last_run_items',
    help: 'Notices seen, new, amended and failed in the last run of each source',
    labelNames: ['source', 'kind'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of app.sources) {
        const [last] = recentRuns(sqlite(), s.id, 1);
        if (!last) continue;
        this.set({ source: s.id, kind: 'seen' }, last.itemsSeen);
        this.set({ source: s.id, kind: 'new' }, last.itemsNew);
        this.set({ source: s.id, kind: 'amended' }, last.itemsAmended);
        this.set({ source: s.id, kind: 'failed' }, last.itemsFailed);
      }
    },
  });
  new client.Gauge({
    name: 'gpass_tenders',
    help: 'Tender records in the store',
    registers: [registry],
    collect() {
      this.set((sqlite().prepare('SELECT count(*) AS n FROM tenders').get() as { n: number }).n);
    },
  });
  app.get('/metrics', { schema: { tags: ['health'], summary: 'Prometheus metrics', hide: false } }, async (_req, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
};
