/**
 * Webhook endpoints and their delivery log. A firm key manages its own endpoints (another
 * firm's id answers 404, like an id that does not exist); advisers and admins manage any, and
 * only they create adviser-level endpoints (firm_id null). Secrets are answered once, at
 * creation and rotation, and never logged.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Dispatcher } from 'undici';
import { HttpProblem, ownFirm } from '../auth/plugin.js';
import { recordEvent } from '../events/events.js';
import { errorResponses } from '../schemas.js';
import {
  ADVISER_ONLY_EVENT_TYPES,
  createEndpoint,
  deleteEndpoint,
  getEndpoint,
  listEndpoints,
  rotateSecret,
  signingKeys,
  updateEndpoint,
  type WebhookEndpoint,
  type WebhookEventType,
} from './endpoints.js';
import { listDeliveries, recordPing, replayEvents, retryDelivery } from './outbox.js';
import {
  CreateEndpointBody,
  CreatedEndpointSchema,
  DeliverySchema,
  DeliveryStatusSchema,
  EndpointParams,
  EndpointSchema,
  EVENT_PAYLOADS,
  EventTypeInfoSchema,
  PatchEndpointBody,
  PingResultSchema,
} from './schemas.js';
import { signingSecrets } from './signing.js';
import { UnsafeUrlError, type UrlGuard } from './ssrf.js';
import { send } from './worker.js';

const TAGS = ['webhooks'];
const E = { 400: errorResponses[400], 403: Type.Ref('Error'), 404: errorResponses[404] };
const MAX_OVERLAP_S = 7 * 86_400;

export const webhookRoutes: FastifyPluginAsyncTypebox<{ guard: UrlGuard; dispatcher: Dispatcher }> = async (app, { guard, dispatcher }) => {
  const sqlite = () => app.store.sqlite;

  /** The endpoint, if this caller may see it; 404 otherwise (another firm's id included). */
  const endpointFor = (req: FastifyRequest, id: string): WebhookEndpoint => {
    const ep = getEndpoint(sqlite(), id);
    const own = ownFirm(req);
    if (!ep || (own && ep.firmId !== own)) throw new HttpProblem(404, `webhook endpoint ${id} not found`);
    return ep;
  };
  const checkUrl = async (url: string) => {
    try {
      await guard.check(url);
    } catch (err) {
      if (err instanceof UnsafeUrlError) throw new HttpProblem(400, `body parameter url: ${err.message}`);
      throw err;
    }
  };
  const checkTypes = (firmId: string | null, types: readonly WebhookEventType[]) => {
    const bad = firmId ? types.filter((t) => ADVISER_ONLY_EVENT_TYPES.includes(t)) : [];
    if (bad.length) throw new HttpProblem(400, `body parameter eventTypes: ${bad.join(', ')} is for adviser-level endpoints only`);
  };

  app.get(
    '/webhooks/event-types',
    { schema: { tags: TAGS, summary: 'The events an endpoint can receive, with their payload schemas. Roles: all', response: { 200: Type.Object({ items: Type.Array(EventTypeInfoSchema) }) } } },
    async () => ({
      items: EVENT_PAYLOADS.map((p) => ({
        type: p.type,
        description: p.description,
        firmEndpoints: !(ADVISER_ONLY_EVENT_TYPES as readonly string[]).includes(p.type),
        version: 1,
        schema: p.schema,
      })),
    }),
  );

  app.post(
    '/webhooks',
    {
      schema: {
        tags: TAGS,
        summary: 'Create an endpoint; answers its whsec_ secret, once. Roles: all (a firm key: bound to its firm; adviser-level endpoints: advisers and admins)',
        body: CreateEndpointBody,
        response: { 201: CreatedEndpointSchema, ...E },
      },
    },
    async (req, reply) => {
      const own = ownFirm(req);
      let firmId: string | null;
      if (own) {
        if (req.body.firmId === null) throw new HttpProblem(403, 'only adviser and admin keys create adviser-level endpoints');
        if (req.body.firmId !== undefined && req.body.firmId !== own) throw new HttpProblem(404, `firm ${req.body.firmId} not found`);
        firmId = own;
      } else {
        firmId = req.body.firmId ?? null;
        if (firmId && !sqlite().prepare('SELECT 1 FROM firms WHERE id = ?').get(firmId)) throw new HttpProblem(400, `body parameter firmId: firm ${firmId} does not exist`);
      }
      checkTypes(firmId, req.body.eventTypes);
      await checkUrl(req.body.url);
      const { endpoint, secret } = createEndpoint(sqlite(), { ...req.body, firmId });
      return reply.status(201).send({ ...endpoint, secret });
    },
  );

  app.get(
    '/webhooks',
    {
      schema: {
        tags: TAGS,
        summary: 'List endpoints by id (a firm key: its own). Roles: all',
        querystring: Type.Object(
          {
            firmId: Type.Optional(Type.String({ maxLength: 64, description: 'Advisers and admins: only this firm’s endpoints' })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
            after: Type.Optional(Type.String({ maxLength: 64, description: 'Last id of the previous page' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(EndpointSchema) }), 400: errorResponses[400] },
      },
    },
    async (req) => ({ items: listEndpoints(sqlite(), { ...req.query, firmId: ownFirm(req) ?? req.query.firmId }) }),
  );

  app.get(
    '/webhooks/:id',
    { schema: { tags: TAGS, summary: 'One endpoint, with why it is disabled if it is. Roles: all (a firm key: its own)', params: EndpointParams, response: { 200: EndpointSchema, ...E } } },
    async (req) => endpointFor(req, req.params.id),
  );

  app.patch(
    '/webhooks/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Change an endpoint; enabled: true re-enables it and resumes its queue. Roles: all (a firm key: its own)',
        params: EndpointParams,
        body: PatchEndpointBody,
        response: { 200: EndpointSchema, ...E },
      },
    },
    async (req) => {
      const ep = endpointFor(req, req.params.id);
      if (req.body.eventTypes) checkTypes(ep.firmId, req.body.eventTypes);
      if (req.body.url !== undefined) await checkUrl(req.body.url);
      return updateEndpoint(sqlite(), ep.id, req.body)!;
    },
  );

  app.delete(
    '/webhooks/:id',
    { schema: { tags: TAGS, summary: 'Delete an endpoint and its delivery log. Roles: all (a firm key: its own)', params: EndpointParams, response: { 204: Type.Null(), ...E } } },
    async (req, reply) => {
      deleteEndpoint(sqlite(), endpointFor(req, req.params.id).id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/webhooks/:id/deliveries',
    {
      schema: {
        tags: TAGS,
        summary: 'The delivery log, newest first: each delivery with its attempts (status codes, errors, latency). Roles: all (a firm key: its own)',
        params: EndpointParams,
        querystring: Type.Object(
          {
            status: Type.Optional(DeliveryStatusSchema),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
            before: Type.Optional(Type.Integer({ minimum: 1, description: 'Smallest delivery id of the previous page' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(DeliverySchema) }), ...E },
      },
    },
    async (req) => ({ items: listDeliveries(sqlite(), endpointFor(req, req.params.id).id, req.query) }),
  );

  app.post(
    '/webhooks/:id/deliveries/:deliveryId/retry',
    {
      schema: {
        tags: TAGS,
        summary: 'Retry one delivery now (a delivered or dead one is queued again, in its place). Roles: all (a firm key: its own)',
        params: Type.Object({ ...EndpointParams.properties, deliveryId: Type.Integer({ minimum: 1 }) }),
        response: { 202: DeliverySchema, ...E },
      },
    },
    async (req, reply) => {
      const ep = endpointFor(req, req.params.id);
      if (!retryDelivery(sqlite(), ep.id, req.params.deliveryId)) throw new HttpProblem(404, `delivery ${req.params.deliveryId} not found`);
      return reply.status(202).send(listDeliveries(sqlite(), ep.id, { id: req.params.deliveryId })[0]);
    },
  );

  app.post(
    '/webhooks/:id/replay',
    {
      schema: {
        tags: TAGS,
        summary: 'Queue again every event of [from, to) this endpoint subscribes to, in order (at most 10,000). Roles: all (a firm key: its own)',
        params: EndpointParams,
        body: Type.Object({ from: Type.String({ format: 'date-time' }), to: Type.String({ format: 'date-time' }) }, { additionalProperties: false }),
        response: { 202: Type.Object({ enqueued: Type.Integer() }), ...E },
      },
    },
    async (req, reply) => {
      const ep = endpointFor(req, req.params.id);
      const from = new Date(req.body.from).toISOString();
      const to = new Date(req.body.to).toISOString();
      if (from >= to) throw new HttpProblem(400, 'body parameter to must be after from');
      return reply.status(202).send({ enqueued: replayEvents(sqlite(), ep.id, { from, to }) });
    },
  );

  app.post(
    '/webhooks/:id/rotate-secret',
    {
      schema: {
        tags: TAGS,
        summary: 'A new secret, answered once; the old one keeps signing during the overlap (both signatures are sent). Roles: all (a firm key: its own)',
        params: EndpointParams,
        body: Type.Object(
          { overlapSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_OVERLAP_S, default: 86_400, description: 'Default 24 h; at most 7 days' })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ secret: Type.String(), previousSecretExpiresAt: Type.Union([Type.String(), Type.Null()]) }), ...E },
      },
      // No body at all means the default overlap.
      preValidation: async (req) => {
        req.body ??= {};
      },
    },
    async (req) => rotateSecret(sqlite(), endpointFor(req, req.params.id).id, req.body.overlapSeconds ?? 86_400)!,
  );

  app.post(
    '/webhooks/:id/ping',
    {
      schema: {
        tags: TAGS,
        summary: 'Send a signed webhook.ping at once, outside the queue, and answer how it went. Roles: all (a firm key: its own)',
        params: EndpointParams,
        response: { 200: PingResultSchema, ...E },
      },
    },
    async (req) => {
      const ep = endpointFor(req, req.params.id);
      const event = recordEvent(sqlite(), { type: 'webhook.ping', firmId: ep.firmId, data: { endpointId: ep.id, message: 'ping from gpass-tenders' } });
      const at = new Date();
      const outcome = await send({ guard, dispatcher }, { url: ep.url, msgId: event.publicId, body: JSON.stringify(event.payload), secrets: signingSecrets(signingKeys(sqlite(), ep.id)!, at) }, at);
      const deliveryId = recordPing(sqlite(), ep.id, event.id, outcome);
      return { deliveryId, eventId: event.publicId, delivered: outcome.error === null, statusCode: outcome.statusCode, error: outcome.error, latencyMs: outcome.latencyMs };
    },
  );
};
