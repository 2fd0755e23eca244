/**
 * Email notifications: the recipient and unsubscribe routes, and — only when asked
 * (`worker: true`: the server with SCHEDULER and NOTIFY on) — the job that runs due digests,
 * reminders and retries every 15 minutes (UTC), started on ready and stopped on close.
 */
import fp from 'fastify-plugin';
import cron, { type ScheduledTask } from 'node-cron';
import { notificationRoutes } from './routes.js';
import { createSmtpSender, requireSmtp } from './sender.js';
import { runNotifications } from './service.js';

export const NOTIFY_SCHEDULE = '*/15 * * * *';

export interface NotificationPluginOptions {
  /** Run the scheduled job (default off: tests and `buildApp` leave it off). */
  worker?: boolean;
}

export const notificationPlugin = fp(
  async (app, opts: NotificationPluginOptions) => {
    await app.register(notificationRoutes);
    if (!opts.worker) return;
    // Fail at start-up, naming the variable, rather than at the first run.
    requireSmtp(app.config);
    const abort = new AbortController();
    let task: ScheduledTask | null = null;
    let running: Promise<void> | null = null;
    app.addHook('onReady', async () => {
      task = cron.schedule(
        NOTIFY_SCHEDULE,
        async () => {
          const sender = createSmtpSender(app.config);
          running = runNotifications({ sqlite: app.store.sqlite, config: app.config, sender, signal: abort.signal, log: app.log })
            .then((s) => app.log.info(s, 'notification run finished'))
            .catch((err: Error) => app.log.error({ error: err.message }, 'notification run crashed'))
            .finally(() => sender.close());
          await running;
        },
        { name: 'notify', timezone: 'UTC', noOverlap: true },
      );
      app.log.info({ schedule: NOTIFY_SCHEDULE }, 'notification job started');
    });
    app.addHook('onClose', async () => {
      await task?.stop();
      abort.abort();
      await running;
      await task?.destroy();
    });
  },
  { name: 'notifications', dependencies: ['auth'] },
);
