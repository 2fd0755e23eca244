/**
 * Starts the process: store, app, scheduler, listen; closes gracefully on signals.
 */
import closeWithGrace from 'close-with-grace';
import { openStore } from '../db/client.js';
import { buildApp } from './app.js';
import type { Config } from './config.js';

export async function startServer(config: Config) {
  const store = openStore(config.databasePath);
  const app = await buildApp({
    config,
    store,
    scheduler: config.scheduler,
    webhookWorker: config.webhookWorker,
    logger: { level: config.logLevel },
  });
  app.addHook('onClose', async () => store.close());
  closeWithGrace({ delay: 10_000 }, async ({ err, signal }) => {
    if (err) app.log.error({ err }, 'closing after an error');
    else app.log.info({ signal }, 'closing');
    await app.close();
  });
  await app.listen({ host: config.host, port: config.port });
  return app;
}
