import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { firmScope, ownFirm } from '../auth/plugin.js';
import { previewProfile } from '../matching/matcher.js';
import { errorResponses, Nullable } from '../schemas.js';
import { FIRM_ID_PATTERN, FirmInputSchema, FirmPatchSchema, PROFILE_FIELDS, validateFirmInput } from './firm.js';
import { FirmProfileSchema } from './profile.js';
import { createFirm, deleteFirm, getFirm, listFirms, updateFirm, type Firm } from './repository.js';


const FirmSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  nameKo: Nullable(Type.String()),
  description: Nullable(Type.String()),
  gpassDesignated: Type.Boolean(),
  gpassExpiresAt: Nullable(Type.String()),
  gpassDesignatedOn: Nullable(Type.String()),
  sector: Nullable(Type.String()),
  contactName: Nullable(Type.String()),
  contactEmail: Nullable(Type.String()),
  ...FirmProfileSchema.properties,
  profileVersion: Type.Integer(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

const PreviewSchema = Type.Object({
  windowDays: Type.Integer(),
  tendersInWindow: Type.Integer(),
  matchesInWindow: Type.Integer(),
  expectedMatchesPerDay: Type.Number(),
  warning: Nullable(Type.String()),
});

const FirmWithPreview = Type.Object({ firm: FirmSchema, preview: PreviewSchema });
const IdParams = Type.Object({ id: Type.String({ pattern: FIRM_ID_PATTERN }) });

function profileOfFirm(f: Firm) {
  return Object.fromEntries(PROFILE_FIELDS.map((k) => [k, f[k]])) as Parameters<typeof previewProfile>[1];
}

export const firmRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const sqlite = () => app.store.sqlite;
  const check = (body: unknown, schema: typeof FirmInputSchema | typeof FirmPatchSchema) => {
    const errors = validateFirmInput(body, schema as typeof FirmInputSchema);
    if (errors.length) throw app.httpErrors.badRequest(errors.map((e) => `body parameter ${e.field}: ${e.message}`).join('; '));
  };

  app.post(
    '/firms',
    {
      config: { auth: ['admin', 'adviser'] },
      schema: {
        tags: ['firms'],
        summary: 'Create a firm with its profile; answers with the expected matches per day. Roles: admin, adviser',
        body: FirmInputSchema,
        response: { 201: FirmWithPreview, 400: errorResponses[400], 409: errorResponses[404] },
      },
    },
    async (req, reply) => {
      check(req.body, FirmInputSchema);
      const firm = createFirm(sqlite(), req.body);
      return reply.status(201).send({ firm, preview: previewProfile(sqlite(), profileOfFirm(firm)) });
    },
  );

  app.get(
    '/firms',
    {
      schema: {
        tags: ['firms'],
        summary: 'List firms by id (a firm key sees only its own firm). Roles: all',
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
          after: Type.Optional(Type.String({ maxLength: 64, description: 'Last id of the previous page' })),
        }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(FirmSchema) }), 400: errorResponses[400] },
      },
    },
    async (req) => {
      const own = ownFirm(req);
      if (own) {
        const firm = getFirm(sqlite(), own);
        return { items: firm && (!req.query.after || own > req.query.after) ? [firm] : [] };
      }
      return { items: listFirms(sqlite(), req.query) };
    },
  );

  app.get(
    '/firms/:id',
    { schema: { tags: ['firms'], summary: 'One firm (a firm key: its own only). Roles: all', params: IdParams, response: { 200: FirmSchema, 400: errorResponses[400], 404: errorResponses[404] } } },
    async (req, reply) => {
      firmScope(req, req.params.id);
      return getFirm(sqlite(), req.params.id) ?? reply.notFound(`firm ${req.params.id} not found`);
    },
  );

  app.patch(
    '/firms/:id',
    {
      schema: {
        tags: ['firms'],
        summary: 'Change a firm; a profile change bumps profileVersion; answers with the expected matches per day. Roles: all (a firm key: its own firm)',
        params: IdParams,
        body: FirmPatchSchema,
        response: { 200: FirmWithPreview, 400: errorResponses[400], 404: errorResponses[404] },
      },
    },
    async (req, reply) => {
      firmScope(req, req.params.id);
      check(req.body, FirmPatchSchema);
      const firm = updateFirm(sqlite(), req.params.id, req.body);
      if (!firm) return reply.notFound(`firm ${req.params.id} not found`);
      return { firm, preview: previewProfile(sqlite(), profileOfFirm(firm)) };
    },
  );

  app.delete(
    '/firms/:id',
    { config: { auth: ['admin', 'adviser'] }, schema: { tags: ['firms'], summary: 'Delete a firm and its matches. Roles: admin, adviser', params: IdParams, response: { 204: Type.Null(), 400: errorResponses[400], 404: errorResponses[404] } } },
    async (req, reply) => {
      if (!deleteFirm(sqlite(), req.params.id)) return reply.notFound(`firm ${req.params.id} not found`);
      return reply.status(204).send(null);
    },
  );
};
