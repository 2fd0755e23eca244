import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { firmScope } from '../auth/plugin.js';
import { FIRM_ID_PATTERN } from '../firms/firm.js';
import { errorResponses, Nullable } from '../schemas.js';
import { markAlert } from './feedback.js';
import { atomFeed, deadlineCalendar, firmForFeedToken, revokeFeedToken, rotateFeedToken } from './feeds.js';
import { createAlertPageCache, notModified } from './page-cache.js';
import { ALERT_SELECT, AlertError, FIRM_STATES, REASON_CODES, alertsVersion, decide, getAlert, listAlerts, recommend, setAutoPublishThreshold, toAlert, viewsChangeAt, type Actor } from './service.js';

const advisers = { auth: ['admin', 'adviser'] as const };
const Note = Type.String({ maxLength: 2000 });
const Reason = Type.Enum(REASON_CODES);

const DeadlineViews = Nullable(
  Type.Object({
    utc: Type.String(),
    source: Nullable(Type.String({ description: "In the source's zone, when known" })),
    sourceZone: Nullable(Type.String()),
    seoul: Type.String({ description: 'In Asia/Seoul' }),
    daysLeft: Type.Integer(),
  }),
);

const AlertSchema = Type.Object({
  id: Type.Integer(),
  firmId: Type.String(),
  score: Type.Number(),
  publishedAt: Nullable(Type.String()),
  note: Nullable(Type.String({ description: "The adviser's note" })),
  firmState: Type.String({ description: 'new | seen | interested | not_relevant' }),
  firmReason: Nullable(Type.String()),
  change: Nullable(Type.Object({ kind: Type.String({ description: 'amended | deadline_moved | cancelled' }), at: Type.String() }, { additionalProperties: true })),
  explanation: Type.Unknown({ description: 'Why this tender, for this firm: terms per field with snippets, codes, filters, factors, unknowns' }),
  tender: Type.Object({
    id: Type.Integer(),
    source: Type.String(),
    reference: Nullable(Type.String()),
    title: Type.String(),
    buyer: Nullable(Type.String()),
    countries: Type.Array(Type.String()),
    url: Nullable(Type.String()),
    status: Type.String(),
    deadline: DeadlineViews,
  }),
});

const FirmParams = Type.Object({ id: Type.String({ pattern: FIRM_ID_PATTERN }) });
const AlertParams = Type.Object({ id: Type.String({ pattern: FIRM_ID_PATTERN }), alertId: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) });
const MatchParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) });
const DecisionBody = Type.Object(
  { note: Type.Optional(Note), reasonCode: Type.Optional(Reason) },
  { additionalProperties: false, examples: [{ note: 'Core product; bid with the local partner', reasonCode: 'relevant' }] },
);

export const alertRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const sqlite = () => app.store.sqlite;
  const alertPages = createAlertPageCache();
  const actor = (req: { principal: { keyId: string; role: string } | null }): Actor => ({ id: req.principal!.keyId, role: req.principal!.role });
  const wrap = <T>(fn: () => T) => {
    try {
      return fn();
    } catch (e) {
      if (e instanceof AlertError) throw Object.assign(new Error(e.message), { statusCode: e.statusCode });
      throw e;
    }
  };

  // ------------------------------------------------------------------ adviser curation
  app.get(
    '/curation/queue',
    {
      config: advisers,
      schema: {
        tags: ['curation'],
        summary: 'Proposed matches across firms, to approve or reject. Roles: admin, adviser',
        querystring: Type.Object(
          {
            firm: Type.Optional(Type.String({ pattern: FIRM_ID_PATTERN })),
            scoreMin: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
            scoreMax: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
            source: Type.Optional(Type.String({ pattern: '^[a-z0-9_-]+$' })),
            country: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2}$' })),
            deadlineFrom: Type.Optional(Type.String({ format: 'date-time' })),
            deadlineTo: Type.Optional(Type.String({ format: 'date-time' })),
            sort: Type.Optional(Type.Union([Type.Literal('score'), Type.Literal('deadline')], { default: 'score' })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
            offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, default: 0 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(AlertSchema) }), 400: errorResponses[400] },
      },
    },
    async (req) => {
      const q = req.query;
      const where = [`m.state = 'proposed'`];
      const params: unknown[] = [];
      const add = (sql: string, v: unknown) => {
        where.push(sql);
        params.push(v);
      };
      if (q.firm) add('m.firm_id = ?', q.firm);
      if (q.scoreMin !== undefined) add('m.score >= ?', q.scoreMin);
      if (q.scoreMax !== undefined) add('m.score <= ?', q.scoreMax);
      if (q.source) add(`EXISTS (SELECT 1 FROM tenders s WHERE (s.id = t.id OR s.cluster_id = t.id) AND s.source = ?)`, q.source);
      if (q.country) add(`EXISTS (SELECT 1 FROM json_each(t.countries) WHERE json_each.value = ?)`, q.country.toUpperCase());
      if (q.deadlineFrom) add('t.deadline_at >= ?', q.deadlineFrom);
      if (q.deadlineTo) add('t.deadline_at <= ?', q.deadlineTo);
      const order = q.sort === 'deadline' ? `COALESCE(t.deadline_at, '9999') ASC, m.id` : `m.score DESC, m.id`;
      const now = new Date();
      const rows = sqlite()
        .prepare(`${ALERT_SELECT} WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ? OFFSET ?`)
        .all(...params, q.limit ?? 50, q.offset ?? 0, { now: now.toISOString() });
      return { items: rows.map((r) => toAlert(r, now)) };
    },
  );

  for (const action of ['approve', 'reject'] as const) {
    app.post(
      `/curation/matches/:id/${action}`,
      {
        config: advisers,
        schema: {
          tags: ['curation'],
          summary: `${action === 'approve' ? 'Publish a proposed match to its firm (alert.created)' : 'Reject a proposed match'}, with a note and a reason code. Roles: admin, adviser`,
          params: MatchParams,
          body: DecisionBody,
          response: { 200: Type.Object({ applied: Type.Integer() }), 400: errorResponses[400], 404: errorResponses[404], 409: errorResponses[404] },
        },
      },
      async (req) => wrap(() => decide(sqlite(), [{ matchId: req.params.id, action, note: req.body?.note, reasonCode: req.body?.reasonCode }], actor(req))),
    );
  }

  app.post(
    '/curation/bulk',
    {
      config: advisers,
      schema: {
        tags: ['curation'],
        summary: 'Approve or reject many proposed matches at once; all or nothing. Roles: admin, adviser',
        body: Type.Object(
          {
            decisions: Type.Array(
              Type.Object({ matchId: Type.Integer({ minimum: 1 }), action: Type.Union([Type.Literal('approve'), Type.Literal('reject')]), note: Type.Optional(Note), reasonCode: Type.Optional(Reason) }, { additionalProperties: false }),
              { minItems: 1, maxItems: 500 },
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ applied: Type.Integer() }), 400: errorResponses[400], 404: errorResponses[404], 409: errorResponses[404] },
      },
    },
    async (req) => wrap(() => decide(sqlite(), req.body.decisions, actor(req))),
  );

  app.post(
    '/tenders/:id/recommend',
    {
      config: advisers,
      schema: {
        tags: ['curation'],
        summary: 'Recommend a tender to firms by hand: published alerts with a note. Roles: admin, adviser',
        params: MatchParams,
        body: Type.Object({ firmIds: Type.Array(Type.String({ pattern: FIRM_ID_PATTERN }), { minItems: 1, maxItems: 200 }), note: Note }, { additionalProperties: false }),
        response: { 200: Type.Object({ alertIds: Type.Array(Type.Integer()) }), 400: errorResponses[400], 404: errorResponses[404], 409: errorResponses[404] },
      },
    },
    async (req) => ({ alertIds: wrap(() => recommend(sqlite(), req.params.id, req.body.firmIds, req.body.note, actor(req))) }),
  );

  app.put(
    '/firms/:id/auto-publish',
    {
      config: advisers,
      schema: {
        tags: ['curation'],
        summary: 'Per-firm auto-publish threshold: matches scoring at or above it are published without review (null = always review). Roles: admin, adviser',
        params: FirmParams,
        body: Type.Object({ threshold: Nullable(Type.Number({ minimum: 0, maximum: 1 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ threshold: Nullable(Type.Number()), published: Type.Integer() }), 400: errorResponses[400], 404: errorResponses[404] },
      },
    },
    async (req) => ({ threshold: req.body.threshold, published: wrap(() => setAutoPublishThreshold(sqlite(), req.params.id, req.body.threshold, actor(req))) }),
  );

  app.get(
    '/curation/actions',
    {
      config: advisers,
      schema: {
        tags: ['curation'],
        summary: 'The curation log: who did what, when. Roles: admin, adviser',
        querystring: Type.Object({ firm: Type.Optional(Type.String({ pattern: FIRM_ID_PATTERN })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({ id: Type.Integer(), matchId: Nullable(Type.Integer()), firmId: Type.String(), tenderId: Type.Integer(), action: Type.String(), actor: Type.String(), role: Type.String(), note: Nullable(Type.String()), reasonCode: Nullable(Type.String()), at: Type.String() }),
            ),
          }),
          400: errorResponses[400],
        },
      },
    },
    async (req) => ({
      items: sqlite()
        .prepare(
          `SELECT id, match_id AS matchId, firm_id AS firmId, tender_id AS tenderId, action, actor, role, note, reason_code AS reasonCode, at
           FROM curation_actions ${req.query.firm ? 'WHERE firm_id = ?' : ''} ORDER BY id DESC LIMIT ?`,
        )
        .all(...(req.query.firm ? [req.query.firm] : []), req.query.limit ?? 100) as never[],
    }),
  );

  // ------------------------------------------------------------------ firm alerts
  app.get(
    '/firms/:id/alerts',
    {
      schema: {
        tags: ['alerts'],
        summary: "A firm's alerts (published matches), newest first or by deadline. Roles: all (a firm key: its own)",
        params: FirmParams,
        querystring: Type.Object(
          {
            sort: Type.Optional(Type.Union([Type.Literal('newest'), Type.Literal('deadline')], { default: 'newest' })),
            state: Type.Optional(Type.Enum(['new', ...FIRM_STATES])),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
            offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, default: 0 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ items: Type.Array(AlertSchema) }),
          304: Type.Null({ description: 'Not modified: the ETag sent in If-None-Match is still the current one' }),
          400: errorResponses[400],
          404: errorResponses[404],
        },
      },
    },
    async (req, reply) => {
      const firmId = req.params.id;
      firmScope(req, firmId);
      const version = alertsVersion(sqlite(), firmId);
      if (version === null) return reply.notFound(`firm ${firmId} not found`);
      const q = { firmId, sort: req.query.sort ?? 'newest', state: req.query.state ? [req.query.state] : undefined, limit: req.query.limit ?? 50, offset: req.query.offset ?? 0 };
      const key = JSON.stringify([firmId, q.sort, q.state ?? null, q.limit, q.offset]);
      let page = alertPages.get(key, version);
      if (!page) {
        const now = new Date();
        const items = listAlerts(sqlite(), q, now);
        page = alertPages.set(key, { firmId, version, body: reply.serialize({ items }) as string, validUntil: viewsChangeAt(items, now.getTime()) });
      }
      const sent = alertPages.representation(page, req.headers['accept-encoding']);
      // Private: the page belongs to one firm; no-cache: revalidate each time (cheap with the ETag).
      reply.header('etag', sent.etag).header('cache-control', 'private, no-cache').header('vary', 'Accept-Encoding');
      if (notModified(req.headers['if-none-match'], sent.etag)) return reply.code(304).send(null);
      if (sent.encoding) reply.header('content-encoding', sent.encoding);
      return reply.type('application/json; charset=utf-8').send(sent.body);
    },
  );

  app.get(
    '/firms/:id/alerts/:alertId',
    {
      schema: { tags: ['alerts'], summary: 'One alert. Roles: all (a firm key: its own)', params: AlertParams, response: { 200: AlertSchema, 400: errorResponses[400], 404: errorResponses[404] } },
    },
    async (req, reply) => {
      firmScope(req, req.params.id);
      return getAlert(sqlite(), req.params.id, req.params.alertId) ?? reply.notFound(`alert ${req.params.alertId} not found`);
    },
  );

  app.post(
    '/firms/:id/alerts/:alertId/feedback',
    {
      schema: {
        tags: ['alerts'],
        summary: 'Mark an alert seen, interested or not relevant (with a reason); feedback adjusts later ranking within bounds. Roles: all (a firm key: its own)',
        params: AlertParams,
        body: Type.Object({ state: Type.Enum(FIRM_STATES), reason: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false }),
        response: { 200: AlertSchema, 400: errorResponses[400], 404: errorResponses[404] },
      },
    },
    async (req) => {
      firmScope(req, req.params.id);
      wrap(() => markAlert(sqlite(), req.params.id, req.params.alertId, req.body.state, req.body.reason ?? null, actor(req)));
      return getAlert(sqlite(), req.params.id, req.params.alertId)!;
    },
  );

  // ------------------------------------------------------------------ feeds
  app.post(
    '/firms/:id/feed-token',
    {
      schema: {
        tags: ['alerts'],
        summary: 'Create or rotate the firm feed token (shown once); old feed URLs stop working. Roles: all (a firm key: its own)',
        params: FirmParams,
        response: { 201: Type.Object({ token: Type.String(), atomUrl: Type.String(), icsUrl: Type.String() }), 400: errorResponses[400], 404: errorResponses[404] },
      },
    },
    async (req, reply) => {
      firmScope(req, req.params.id);
      const token = rotateFeedToken(sqlite(), req.params.id);
      if (!token) return reply.notFound(`firm ${req.params.id} not found`);
      const base = app.config.publicBaseUrl;
      return reply.status(201).send({ token, atomUrl: `${base}/feeds/${token}/alerts.atom`, icsUrl: `${base}/feeds/${token}/deadlines.ics` });
    },
  );
  app.delete(
    '/firms/:id/feed-token',
    { schema: { tags: ['alerts'], summary: 'Revoke the feed token. Roles: all (a firm key: its own)', params: FirmParams, response: { 204: Type.Null(), 400: errorResponses[400], 404: errorResponses[404] } } },
    async (req, reply) => {
      firmScope(req, req.params.id);
      if (!revokeFeedToken(sqlite(), req.params.id)) return reply.notFound(`firm ${req.params.id} not found`);
      return reply.status(204).send(null);
    },
  );

  const TokenParams = Type.Object({ token: Type.String({ maxLength: 100 }) });
  app.get(
    '/feeds/:token/alerts.atom',
    { config: { auth: 'public' }, schema: { tags: ['alerts'], summary: "Atom feed of a firm's alerts (the URL's token is the credential)", security: [], params: TokenParams } },
    async (req, reply) => {
      const firm = firmForFeedToken(sqlite(), req.params.token);
      if (!firm) return reply.notFound('feed not found');
      const self = `${app.config.publicBaseUrl}/feeds/${req.params.token}/alerts.atom`;
      return reply.type('application/atom+xml; charset=utf-8').send(atomFeed(sqlite(), firm, app.config.publicBaseUrl, self));
    },
  );
  app.get(
    '/feeds/:token/deadlines.ics',
    { config: { auth: 'public' }, schema: { tags: ['alerts'], summary: 'iCalendar feed of the deadlines of alerts marked interested', security: [], params: TokenParams } },
    async (req, reply) => {
      const firm = firmForFeedToken(sqlite(), req.params.token);
      if (!firm) return reply.notFound('feed not found');
      return reply.type('text/calendar; charset=utf-8').send(deadlineCalendar(sqlite(), firm, app.config.publicBaseUrl));
    },
  );
};
