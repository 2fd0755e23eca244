import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { errorResponses } from '../schemas.js';
import { unlinkTender } from '../ingest/cluster.js';
import { runMatch } from '../matching/matcher.js';
import { getTender, listTenders } from './repository.js';
import { TenderDetailResponse, TenderListQuery, TenderListResponse } from './schemas.js';

const split = (v?: string) => (v ? v.split(',').filter(Boolean) : undefined);
/** Stored instants are `toISOString()` strings; compare like with like. */
const instant = (v?: string) => (v ? new Date(v).toISOString() : undefined);

export const tenderRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/tenders',
    {
      schema: {
        tags: ['tenders'],
        summary: 'List and search tenders',
        description: 'Every tender when unfiltered, newest first; `q` searches titles and texts in any language.',
        querystring: TenderListQuery,
        response: { 200: TenderListResponse, 400: errorResponses[400] },
      },
    },
    async (req) => {
      const q = req.query;
      return listTenders(app.store.sqlite, {
        q: q.q,
        source: split(q.source),
        country: split(q.country),
        status: split(q.status),
        noticeType: split(q.noticeType),
        deadlineFrom: instant(q.deadlineFrom),
        deadlineTo: instant(q.deadlineTo),
        publishedFrom: instant(q.publishedFrom),
        publishedTo: instant(q.publishedTo),
        sort: q.sort,
        limit: q.limit,
        cursor: q.cursor,
      });
    },
  );

  app.get(
    '/tenders/:id',
    {
      schema: {
        tags: ['tenders'],
        summary: 'One tender with its versions (what changed at each amendment)',
        params: Type.Object({ id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) }),
        response: { 200: TenderDetailResponse, 400: errorResponses[400], 404: errorResponses[404] },
      },
    },
    async (req, reply) => {
      const tender = getTender(app.store.sqlite, req.params.id);
      if (!tender) return reply.notFound(`tender ${req.params.id} not found`);
      return tender;
    },
  );

  app.post(
    '/tenders/:id/unlink',
    {
      config: { auth: ['admin', 'adviser'] },
      schema: {
        tags: ['tenders'],
        summary: 'Take a tender out of its cluster (undo a wrong duplicate link); never re-linked automatically',
        params: Type.Object({ id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) }),
        response: {
          200: Type.Object({ id: Type.Integer(), changed: Type.Array(Type.Integer(), { description: 'Tenders whose cluster changed' }) }),
          400: errorResponses[400],
          404: errorResponses[404],
        },
      },
    },
    async (req, reply) => {
      const changed = unlinkTender(app.store.sqlite, req.params.id, 'api');
      if (changed === null) return reply.notFound(`tender ${req.params.id} not found`);
      // Both sides are matched again as separate tenders.
      if (changed.length) runMatch(app.store.sqlite, { tenderIds: changed });
      return { id: req.params.id, changed };
    },
  );
};
