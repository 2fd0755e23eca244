/**
 * The bid pipeline and its reports. Firms move their own pursuits and see their own report
 * (another firm's id answers 404, like an id that does not exist); advisers and admins move
 * any, follow pursuits, and report on any cohort of firms. Reports answer JSON or, with
 * ?format=csv or Accept: text/csv, a spreadsheet file.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { HttpProblem, firmScope, ownFirm } from '../auth/plugin.js';
import { REGIONS } from '../firms/regions.js';
import { errorResponses, Nullable } from '../schemas.js';
import { reportCsv } from './csv.js';
import { loadFxTable } from './fx.js';
import { getPursuit, listPursuits, pursuitHistory } from './pursuits.js';
import { isRegionOrCountry, pipelineReport, type ReportPeriod, type ReportScope } from './report.js';
import {
  AlertParams,
  CohortReportQuery,
  FirmParams,
  FirmReportQuery,
  PipelineQuery,
  PursuitParams,
  PursuitSchema,
  PursuitWithHistory,
  ReportResponse,
  StageChangeBody,
} from './schemas.js';
import { assignPursuit, movePursuit } from './service.js';

const advisers = { auth: ['admin', 'adviser'] as const };
const E = { 400: errorResponses[400], 404: errorResponses[404] };

export const pipelineRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const sqlite = () => app.store.sqlite;
  // Read once at start-up: a bad FX_RATES_PATH fails here, naming the variable.
  const fx = loadFxTable(app.config.fxRatesPath);
  const actor = (req: FastifyRequest) => ({ id: req.principal!.keyId, role: req.principal!.role });
  const firmExists = (id: string) => {
    if (!sqlite().prepare('SELECT 1 FROM firms WHERE id = ?').get(id)) throw new HttpProblem(404, `firm ${id} not found`);
  };
  const withHistory = (p: NonNullable<ReturnType<typeof getPursuit>>) => ({ ...p, history: pursuitHistory(sqlite(), p.id) });
  const assigneeOf = (req: FastifyRequest, q: string | undefined) => (q === 'me' ? req.principal!.keyId : q);

  app.get(
    '/firms/:id/pipeline',
    {
      schema: {
        tags: ['pipeline'],
        summary: "A firm's pursuits, the most recently changed first. Roles: all (a firm key: its own)",
        params: FirmParams,
        querystring: PipelineQuery,
        response: { 200: Type.Object({ items: Type.Array(PursuitSchema) }), ...E },
      },
    },
    async (req) => {
      firmScope(req, req.params.id);
      firmExists(req.params.id);
      const q = req.query;
      return { items: listPursuits(sqlite(), { firmId: req.params.id, stage: q.stage ? [q.stage] : undefined, assignee: assigneeOf(req, q.assignee), limit: q.limit, offset: q.offset }) };
    },
  );

  app.get(
    '/pipeline',
    {
      config: advisers,
      schema: {
        tags: ['pipeline'],
        summary: 'Pursuits across firms (assignee=me: the ones you follow). Roles: admin, adviser',
        querystring: Type.Object({ ...PipelineQuery.properties, firm: Type.Optional(FirmParams.properties.id) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(PursuitSchema) }), 400: errorResponses[400] },
      },
    },
    async (req) => {
      const q = req.query;
      return { items: listPursuits(sqlite(), { firmId: q.firm, stage: q.stage ? [q.stage] : undefined, assignee: assigneeOf(req, q.assignee), limit: q.limit, offset: q.offset }) };
    },
  );

  app.post(
    '/firms/:id/alerts/:alertId/pursuit',
    {
      schema: {
        tags: ['pipeline'],
        summary:
          'Start the pursuit of an alert, or move it to another stage (pursuit.stage_changed). Forward only; a step back or out of a final stage needs correction: true and a note. Roles: all (a firm key: its own)',
        params: AlertParams,
        body: StageChangeBody,
        response: { 200: PursuitWithHistory, 201: PursuitWithHistory, ...E, 409: Type.Ref('Error') },
      },
    },
    async (req, reply) => {
      firmScope(req, req.params.id);
      const { pursuit, created } = movePursuit(sqlite(), req.params.id, req.params.alertId, req.body, actor(req));
      return reply.status(created ? 201 : 200).send(withHistory(pursuit));
    },
  );

  app.get(
    '/firms/:id/pipeline/:pursuitId',
    {
      schema: {
        tags: ['pipeline'],
        summary: 'One pursuit with its history: every stage change (corrections flagged), assignment and award link. Roles: all (a firm key: its own)',
        params: PursuitParams,
        response: { 200: PursuitWithHistory, ...E },
      },
    },
    async (req) => {
      firmScope(req, req.params.id);
      const p = getPursuit(sqlite(), req.params.id, req.params.pursuitId);
      if (!p) throw new HttpProblem(404, `pursuit ${req.params.pursuitId} not found`);
      return withHistory(p);
    },
  );

  app.post(
    '/firms/:id/pipeline/:pursuitId/assign',
    {
      config: advisers,
      schema: {
        tags: ['pipeline'],
        summary: 'Follow a pursuit (no body: yourself), hand it to another adviser key, or leave it unassigned (assignee: null). Roles: admin, adviser',
        params: PursuitParams,
        body: Type.Object({ assignee: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 64, description: 'An adviser or admin key id; absent = the calling key' }))) }, { additionalProperties: false }),
        response: { 200: PursuitWithHistory, ...E },
      },
      preValidation: async (req) => {
        req.body ??= {};
      },
    },
    async (req) => {
      const assignee = req.body.assignee === undefined ? req.principal!.keyId : req.body.assignee;
      return withHistory(assignPursuit(sqlite(), req.params.id, req.params.pursuitId, assignee, actor(req)));
    },
  );

  // ------------------------------------------------------------------ reports
  const period = (q: { from?: string; to?: string }): ReportPeriod => {
    const today = new Date().toISOString().slice(0, 10);
    const p = { from: q.from ?? `${today.slice(0, 4)}-01-01`, to: q.to ?? today };
    if (p.from > p.to) throw new HttpProblem(400, `querystring parameter from (${p.from}) is after to (${p.to})`);
    return p;
  };
  const send = (req: FastifyRequest, reply: FastifyReply, scope: ReportScope, p: ReportPeriod, format: string | undefined, name: string) => {
    const report = pipelineReport(sqlite(), scope, p, fx);
    const csv = format === 'csv' || (format === undefined && /\btext\/csv\b/.test(req.headers.accept ?? ''));
    if (!csv) return reply.send(report);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="pipeline-report_${name}_${p.from}_${p.to}.csv"`)
      .send(reportCsv(report));
  };

  app.get(
    '/firms/:id/report',
    {
      schema: {
        tags: ['reports'],
        summary: "A firm's export performance over a period: alerts, interest, bids, wins, values in USD and KRW, by agency, country and sector. Roles: all (a firm key: its own)",
        params: FirmParams,
        querystring: FirmReportQuery,
        produces: ['application/json', 'text/csv'],
        response: { 200: ReportResponse, ...E },
      },
    },
    async (req, reply) => {
      firmScope(req, req.params.id);
      firmExists(req.params.id);
      return send(req, reply, { firmIds: [req.params.id] }, period(req.query), req.query.format, req.params.id);
    },
  );

  app.get(
    '/reports/pipeline',
    {
      schema: {
        tags: ['reports'],
        summary:
          'Export performance of a cohort of firms (all; a designation year; a sector; a region of interest; one firm) over a period, with per-firm, agency, country and sector breakdowns. Roles: all (a firm key: its own firm only)',
        querystring: CohortReportQuery,
        produces: ['application/json', 'text/csv'],
        response: { 200: ReportResponse, 400: errorResponses[400], 403: Type.Ref('Error'), 404: errorResponses[404] },
      },
    },
    async (req, reply) => {
      const q = req.query;
      const own = ownFirm(req);
      if (own) {
        if (q.firm && q.firm !== own) throw new HttpProblem(404, `firm ${q.firm} not found`);
        if (q.designationYear !== undefined || q.sector || q.region) throw new HttpProblem(403, 'a firm key sees its own report only: cohort filters are for adviser keys');
      }
      if (q.region && !isRegionOrCountry(q.region)) throw new HttpProblem(400, `querystring parameter region: "${q.region}" is neither a region (${Object.keys(REGIONS).join(', ')}) nor an ISO country code`);
      const firm = own ?? q.firm;
      if (firm) firmExists(firm);
      const scope: ReportScope = { firmIds: firm ? [firm] : undefined, designationYear: q.designationYear, sector: q.sector, region: q.region };
      const name = firm ?? ([q.designationYear, q.sector, q.region].filter(Boolean).join('-') || 'all');
      return send(req, reply, scope, period(q), q.format, name);
    },
  );
};
