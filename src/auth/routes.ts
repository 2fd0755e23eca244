import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { errorResponses, Nullable } from '../schemas.js';
import { ROLES, createApiKey, listKeys, revokeKey } from './keys.js';


const KeySchema = Type.Object({
  id: Type.String({ description: 'Public part of the key' }),
  role: Type.Enum(ROLES),
  firmId: Nullable(Type.String()),
  name: Nullable(Type.String()),
  createdAt: Type.String(),
  revokedAt: Nullable(Type.String()),
  lastUsedAt: Nullable(Type.String()),
});

const adminOnly = { auth: ['admin'] as const };

export const keyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/keys',
    { config: adminOnly, schema: { tags: ['keys'], summary: 'List API keys (never their secrets). Role: admin', response: { 200: Type.Object({ items: Type.Array(KeySchema) }) } } },
    async () => ({ items: listKeys(app.store.sqlite) }),
  );
  app.post(
    '/keys',
    {
      config: adminOnly,
      schema: {
        tags: ['keys'],
        summary: 'Create an API key; the key is shown once, in this answer. Role: admin',
        body: Type.Object(
          {
            role: Type.Enum(ROLES),
            firmId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Required for a firm key' })),
            name: Type.Optional(Type.String({ maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ key: Type.String({ description: 'gpk_<id>_<secret>: store it now' }), record: KeySchema }), 400: errorResponses[400] },
      },
    },
    async (req, reply) => reply.status(201).send(createApiKey(app.store.sqlite, req.body)),
  );
  app.delete(
    '/keys/:id',
    {
      config: adminOnly,
      schema: {
        tags: ['keys'],
        summary: 'Revoke an API key (it stops working at once). Role: admin',
        params: Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{12}$' }) }),
        response: { 204: Type.Null(), 400: errorResponses[400], 404: errorResponses[404] },
      },
    },
    async (req, reply) => {
      if (!revokeKey(app.store.sqlite, req.params.id)) return reply.notFound(`key ${req.params.id} not found`);
      return reply.status(204).send(null);
    },
  );
};
