/**
 * Starts the process: store, app, scheduler, listen; closes gracefully on signals.
 */
import closeWithGrace from 'close-with-grace';
import { openStore } from '../db/client.js';
import { buildApp } from './app.js';
import type { Config } from './config.js';

export async function startServer(config: Config) {
  const store = openStore(config.databasePath);
  // Runs a killed process left "running" did not finish: say so, so health and the next
  // incremental run see them as they are.
  store.sqlite
    .prepare(`UPDATE scrape_runs SET status = 'incomplete', finished_at = ?, error = 'interrupted: the process stopped during the run' WHERE status = 'running'`)
    .run(new Date().toISOString());
  const app = await buildApp({
    config,
    store,
    scheduler: config.scheduler,
    webhookWorker: config.webhookWorker,
    logger: { level: config.logLevel },
  });
  closeWithGrace({ delay: 10_000 }, async ({ err, signal }) => {
    if (err) app.log.error({ err }, 'closing after an error');
    else app.log.info({ signal }, 'closing');
    // The store closes last: the scheduler and the delivery worker stop (onClose) first and
    // record what they were doing.
    await app.close();
    store.close();
  });
  await app.listen({ host: config.host, port: config.port });
  return app;
}
