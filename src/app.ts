/**
 * Builds the Fastify app (a plugin tree); `server.ts` only starts it. Tests build it and use `inject`.
 */
import Fastify, { type FastifyServerOptions } from 'fastify';
import sensible from '@fastify/sensible';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Store } from '../db/client.js';
import type { SourceDefinition } from '../scrapers/contract.js';
import { SOURCES } from '../scrapers/registry.js';
import type { Config } from './config.js';
import { alertRoutes } from './alerts/routes.js';
import { authPlugin } from './auth/plugin.js';
import { keyRoutes } from './auth/routes.js';
import { ErrorSchema } from './schemas.js';
import { firmRoutes } from './firms/routes.js';
import { metricsRoutes } from './sources/metrics.js';
import { sourceRoutes } from './sources/routes.js';
import { tenderRoutes } from './tenders/routes.js';
import { webhookPlugin } from './webhooks/plugin.js';
import { notificationPlugin } from './notifications/plugin.js';
import { pipelineRoutes } from './pipeline/routes.js';
import { consolePlugin } from './console/plugin.js';
import { startScheduler, type Scheduler } from './scheduler.js';

declare module 'fastify' {
  interface FastifyInstance {
    store: Store;
    config: Config;
    sources: readonly SourceDefinition[];
    /** Every route registered (method, url): the authorization test walks it. */
    routeTable: { method: string; url: string }[];
  }
}

export interface BuildOptions {
  config: Config;
  store: Store;
  sources?: readonly SourceDefinition[];
  logger?: FastifyServerOptions['logger'];
  /** Start the cron scheduler on ready (server only; tests leave it off). */
  scheduler?: boolean;
  /** Start the webhook delivery worker on ready (server only; tests leave it off). */
  webhookWorker?: boolean;
}

export async function buildApp(opts: BuildOptions) {
  const app = Fastify({
    logger: withRedaction(opts.logger ?? false),
    bodyLimit: 1024 * 1024,
    trustProxy: opts.config.trustProxy,
    // Unknown properties are refused (400), never silently dropped.
    ajv: { customOptions: { allErrors: false, removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate('store', opts.store);
  app.decorate('config', opts.config);
  app.decorate('sources', opts.sources ?? SOURCES);
  app.addSchema(ErrorSchema);
  const routeTable: { method: string; url: string }[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) if (method !== 'HEAD') routeTable.push({ method, url: r.url });
    // Document the answers the auth layer and the rate limiter give, on every route they guard.
    const auth = (r.config as { auth?: unknown } | undefined)?.auth;
    if (r.schema && auth !== 'public' && !r.url.startsWith('/docs')) {
      const response = ((r.schema as { response?: Record<string, unknown> }).response ??= {});
      response[401] ??= { $ref: 'Error#', description: 'No key, or a revoked or unknown key' };
      if (Array.isArray(auth)) response[403] ??= { $ref: 'Error#', description: `Only for ${auth.join(' or ')} keys` };
      response[429] ??= { $ref: 'Error#', description: 'Rate limit for this key exceeded' };
    }
  });

  await app.register(sensible);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'G-Pass overseas tender matching API',
        description: 'UN and development-bank tender notices, normalized and matched to G-Pass firm profiles.',
        version: '0.1.0',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'API key: gpk_<id>_<secret>' } },
      },
      security: [{ bearer: [] }],
      tags: [
        { name: 'health', description: 'Liveness' },
        { name: 'tenders', description: 'Tender notices from every source' },
        { name: 'sources', description: 'Scraped sources and their health' },
        { name: 'keys', description: 'API keys (admin)' },
        { name: 'curation', description: 'Adviser curation: the queue of proposed matches, decisions, recommendations' },
        { name: 'alerts', description: "A firm's alerts, its feedback and its feeds" },
        { name: 'firms', description: 'Firm profiles (what each firm sells, where, which notices it wants)' },
        { name: 'pipeline', description: "A firm's bid pipeline: each alert carried from interest to a bid and its outcome" },
        { name: 'reports', description: 'Export performance of a firm or a cohort over a period (JSON or CSV, headers in English and Korean)' },
      ],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(authPlugin, { metricsPublic: opts.config.metricsPublic, rateLimitPerMinute: opts.config.rateLimitPerMinute });

  // One error shape for every 4xx/5xx; a 5xx never echoes internals.
  app.setErrorHandler((err: Error & { statusCode?: number; validation?: Array<{ instancePath?: string; message?: string; params?: Record<string, unknown> }>; validationContext?: string }, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500) {
      req.log.error({ err }, 'request failed');
      return reply.status(status).send({ statusCode: status, error: 'Internal Server Error', message: 'internal error; the failure was logged' });
    }
    let message = err.message;
    if (err.validation && err.validationContext) {
      // Name the parameter: "querystring parameter limit must be <= 200", "querystring parameter bogus is not allowed".
      const v = err.validation[0];
      const extra = v?.params?.additionalProperty;
      const name = [v?.instancePath?.replace(/^\//, '').replace(/\//g, '.'), extra].filter(Boolean).join('.');
      message = extra
        ? `${err.validationContext} parameter ${name} is not allowed`
        : name
          ? `${err.validationContext} parameter ${name} ${v?.message ?? 'is invalid'}`
          : `${err.validationContext}: ${v?.message ?? err.message}`;
    }
    return reply.status(status).send({ statusCode: status, error: httpReason(status), message });
  });
  // Number coercion turns "Infinity" or "1e999" into a non-finite number that the validator
  // lets through; no numeric parameter here means that.
  // It runs on every request: callback style and no allocation when there is no query (an
  // async hook costs a promise and a turn of the microtask queue).
  app.addHook('preValidation', (req, reply, done) => {
    const props = (req.routeOptions.schema?.querystring as { properties?: Record<string, { type?: unknown }> } | undefined)?.properties;
    const query = req.query as Record<string, unknown> | undefined;
    if (props && query && typeof query === 'object') {
      for (const name in query) {
        const value = query[name];
        const type = props[name]?.type;
        const numeric = [type].flat().some((t) => t === 'number' || t === 'integer');
        if (numeric && typeof value === 'string' && !Number.isFinite(Number(value))) {
          reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: `querystring parameter ${name} must be a finite number` });
          return;
        }
      }
    }
    done();
  });
  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send({ statusCode: 404, error: 'Not Found', message: `no route ${req.method} ${req.url.split('?')[0]}` });
  });

  app.get(
    '/health',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['health'],
        security: [],
        summary: 'Liveness and database check (no key needed)',
        response: { 200: Type.Object({ status: Type.Literal('ok'), tenders: Type.Integer(), time: Type.String() }) },
      },
    },
    async () => {
      const row = opts.store.sqlite.prepare('SELECT count(*) AS n FROM tenders').get() as { n: number };
      return { status: 'ok' as const, tenders: row.n, time: new Date().toISOString() };
    },
  );
  await app.register(tenderRoutes);
  await app.register(sourceRoutes);
  await app.register(firmRoutes);
  await app.register(metricsRoutes);
  await app.register(keyRoutes);
  await app.register(webhookPlugin, { worker: opts.webhookWorker ?? false });
  await app.register(alertRoutes);
  await app.register(notificationPlugin, { worker: Boolean(opts.scheduler) && opts.config.notify });
  await app.register(pipelineRoutes);
  await app.register(consolePlugin, { prefix: '/console' });

  let scheduler: Scheduler | null = null;
  if (opts.scheduler) {
    app.addHook('onReady', async () => {
      scheduler = startScheduler({ config: opts.config, store: opts.store, sources: app.sources, log: app.log });
    });
    app.addHook('onClose', async () => {
      await scheduler?.stop();
    });
  }
  return app;
}

function httpReason(status: number): string {
  const reasons: Record<number, string> = {
    400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
    406: 'Not Acceptable', 409: 'Conflict', 413: 'Payload Too Large', 415: 'Unsupported Media Type',
    422: 'Unprocessable Entity', 429: 'Too Many Requests',
  };
  return reasons[status] ?? 'Error';
}

/** Feed and unsubscribe URLs carry their credential in the path: logs show it masked. */
export function redactUrl(url: string): string {
  return url.replace(/\/(feeds|unsubscribe)\/[^/?#]+/g, '/$1/[token]');
}

function withRedaction(logger: FastifyServerOptions['logger']): FastifyServerOptions['logger'] {
  if (!logger) return logger;
  const base = logger === true ? {} : (logger as Record<string, unknown>);
  return {
    ...base,
    serializers: {
      req: (req: { method: string; url: string; hostname?: string; ip?: string }) => ({
        method: req.method,
        url: redactUrl(req.url),
        hostname: req.hostname,
        remoteAddress: req.ip,
      }),
      ...((base.serializers as object | undefined) ?? {}),
    },
  } as FastifyServerOptions['logger'];
}

export type App = Awaited<ReturnType<typeof buildApp>>;
