/**
 * Webhooks: the routes, the event payload schemas (in the OpenAPI document), and — only when
 * asked (`worker: true`, the server) — the delivery worker, started on ready and stopped on close.
 */
import fp from 'fastify-plugin';
import type { buildConnector } from 'undici';
import { webhookRoutes } from './routes.js';
import { EVENT_PAYLOADS } from './schemas.js';
import { createGuardedDispatcher, createUrlGuard, type Resolver } from './ssrf.js';
import { createDeliveryWorker, type DeliveryWorker, type WorkerOptions } from './worker.js';

export interface WebhookPluginOptions {
  /** Run the delivery worker (default off: tests and `buildApp` leave it off). */
  worker?: boolean;
  /** Tests: the DNS resolver and the base connector of the SSRF guard. */
  resolver?: Resolver;
  connect?: buildConnector.connector;
  workerOptions?: Partial<Omit<WorkerOptions, 'sqlite' | 'guard' | 'dispatcher'>>;
}

export const webhookPlugin = fp(
  async (app, opts: WebhookPluginOptions) => {
    const guard = createUrlGuard({ allowNetworks: app.config.webhookAllowNetworks ?? [], allowHttp: app.config.webhookAllowHttp ?? false }, opts.resolver);
    const dispatcher = createGuardedDispatcher(guard, opts.connect);
    for (const p of EVENT_PAYLOADS) app.addSchema(p.schema);
    await app.register(webhookRoutes, { guard, dispatcher });

    let worker: DeliveryWorker | null = null;
    if (opts.worker) {
      app.addHook('onReady', async () => {
        worker = createDeliveryWorker({ ...opts.workerOptions, sqlite: app.store.sqlite, guard, dispatcher, log: app.log });
        worker.start();
      });
    }
    app.addHook('onClose', async () => {
      await worker?.stop();
      await dispatcher.close();
    });
  },
  { name: 'webhooks', dependencies: ['auth'] },
);
