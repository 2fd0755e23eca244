import { openStore } from '../../db/client.js';
import { UsageError, type Command } from '../cli.js';
import { createSmtpSender, requireSmtp } from '../notifications/sender.js';
import { planRun, runNotifications } from '../notifications/service.js';

export const notifyCommand: Command = {
  summary:
    'Send the email digests, deadline reminders and retries due now (what the NOTIFY job does every 15 minutes). --dry-run prints what would be sent and sends nothing; --at runs as at that instant.',
  usage: 'notify [--dry-run] [--at ISO-8601]',
  options: {
    'dry-run': { type: 'boolean', default: false },
    at: { type: 'string' },
  },
  async run(ctx, values) {
    const at = values.at as string | undefined;
    const now = at === undefined ? new Date() : new Date(at);
    if (Number.isNaN(now.getTime()) || (at !== undefined && !/^\d{4}-\d{2}-\d{2}T/.test(at))) throw new UsageError(`--at: not an ISO-8601 instant: "${at}"`);
    const dryRun = values['dry-run'] as boolean;
    if (!dryRun) requireSmtp(ctx.config);
    const store = openStore(ctx.config.databasePath);
    try {
      if (dryRun) {
        const planned = planRun(store.sqlite, ctx.config, now);
        for (const p of planned) {
          ctx.out(`${p.email}\t${p.kind}\t${p.periodKey}\tnew=${p.newCount} changed=${p.changedCount} pipeline=${p.pipelineCount} attempt=${p.attempt}\t${p.subject}`);
        }
        ctx.out(`notify --dry-run at ${now.toISOString()}: ${planned.length} message(s) would be sent; nothing was sent or recorded`);
        return 0;
      }
      const sender = createSmtpSender(ctx.config);
      try {
        const s = await runNotifications({ sqlite: store.sqlite, config: ctx.config, sender, now, log: { warn: (o, m) => ctx.err(`${m}: ${JSON.stringify(o)}`) } });
        ctx.out(`notify at ${now.toISOString()}: claimed=${s.claimed} sent=${s.sent} failed=${s.failed} dead=${s.dead} skipped=${s.skipped} cancelled=${s.cancelled}`);
        return s.failed + s.dead > 0 ? 1 : 0;
      } finally {
        sender.close();
      }
    } finally {
      store.close();
    }
  },
};
