import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Nullable } from '../schemas.js';
import { computeHealth, recentRuns } from './health.js';


const RunSchema = Type.Object({
  id: Type.Integer(),
  status: Type.String({ description: 'running | success | partial | incomplete | failed' }),
  startedAt: Type.String(),
  finishedAt: Nullable(Type.String()),
  pages: Type.Integer(),
  itemsSeen: Type.Integer(),
  itemsNew: Type.Integer(),
  itemsAmended: Type.Integer(),
  itemsUnchanged: Type.Integer(),
  itemsFailed: Type.Integer(),
  error: Nullable(Type.String()),
  firstProblem: Type.Optional(Nullable(Type.String({ description: "The run's first recorded problem" }))),
});

const SourceSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  supported: Type.Boolean(),
  unsupportedReason: Nullable(Type.String()),
  schedule: Type.String({ description: 'cron expression, UTC' }),
  baseUrl: Type.String(),
  health: Type.Object({
    state: Type.String({ description: 'ok | degraded | failing | stale | never_run' }),
    reasons: Type.Array(Type.String()),
    lastSuccessAt: Nullable(Type.String()),
    parseFailureRate: Nullable(Type.Number()),
    itemsPerRun: Nullable(Type.Number()),
  }),
  lastRun: Nullable(RunSchema),
});

export const sourceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/sources',
    {
      schema: {
        tags: ['sources'],
        summary: 'Every source with its last run, counts and health',
        response: { 200: Type.Object({ items: Type.Array(SourceSchema) }) },
      },
    },
    async () => ({
      items: app.sources.map((s) => {
        const schedule = app.config.schedules[s.id] ?? s.schedule;
        const health = computeHealth(recentRuns(app.store.sqlite, s.id), schedule);
        return {
          id: s.id,
          name: s.name,
          supported: s.status.supported,
          unsupportedReason: s.status.supported ? null : s.status.reason,
          schedule,
          baseUrl: app.config.baseUrls[s.id] ?? s.defaultBaseUrl,
          health: {
            state: health.state,
            reasons: health.reasons,
            lastSuccessAt: health.lastSuccessAt,
            parseFailureRate: health.parseFailureRate,
            itemsPerRun: health.itemsPerRun,
          },
          lastRun: health.lastRun,
        };
      }),
    }),
  );
};
