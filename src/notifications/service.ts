/**
 * A notification run at one instant: claim what is due (claims.ts), then send every message of
 * the log that is due — new ones and retries — one at a time, each marked `sending` before the
 * SMTP exchange and `sent` or `failed` right after. A failure is retried with backoff by later
 * runs (sender.ts); a digest that never gets through has its alerts carried into the next one.
 * A stop between messages leaves the rest `pending` for the next run. A process killed during an
 * SMTP exchange leaves that one `sending`: after a lease it is tried again with the same
 * Message-ID (the one case where a recipient could get a message twice; see docs/NOTIFICATIONS.md).
 */
import type Database from 'better-sqlite3';
import { ALERT_SELECT, toAlert } from '../alerts/service.js';
import type { Config } from '../config.js';
import { PIPELINE_EVENTS, claimForRecipient, pipelineEventIds } from './claims.js';
import { buildDeadlineMoved, buildDigest, buildReminder, type Alert, type MailContext, type PipelineUpdate, type RenderedMail } from './digest.js';
import { activeRecipients, getRecipientRow, type RecipientRow } from './recipients.js';
import { MAX_ATTEMPTS, SendError, nextAttemptAt, type MailSender } from './sender.js';
import { unsubscribeSecret, signUnsubscribe } from './unsubscribe.js';

/** How long an attempt may stay `sending` before a later run takes it for interrupted. */
export const SENDING_LEASE_MS = 10 * 60_000;

export type NotifyConfig = Pick<Config, 'publicBaseUrl' | 'reminderDays' | 'unsubscribeSecret'>;

interface SendRow {
  id: number;
  recipient_id: number;
  firm_id: string;
  kind: 'digest' | 'reminder' | 'deadline_moved';
  period_key: string;
  status: string;
  alert_ids: string;
  changed_alert_ids: string;
  detail: string | null;
  attempts: number;
}

export interface PlannedMessage {
  sendId: number;
  recipientId: number;
  email: string;
  kind: SendRow['kind'];
  periodKey: string;
  subject: string;
  newCount: number;
  changedCount: number;
  pipelineCount: number;
  attempt: number;
}

export interface RunSummary {
  claimed: number;
  sent: number;
  failed: number;
  dead: number;
  skipped: number;
  cancelled: number;
}

export interface RunOptions {
  sqlite: Database.Database;
  config: NotifyConfig;
  sender: MailSender;
  now?: Date;
  /** Stops between two messages (the rest stay pending for the next run). */
  signal?: AbortSignal;
  log?: { warn(obj: object, msg: string): void };
}

/** Claims for every active recipient; the number of messages claimed. */
export function claimAll(sqlite: Database.Database, config: NotifyConfig, now: Date): number {
  let n = 0;
  for (const r of activeRecipients(sqlite)) n += claimForRecipient(sqlite, r.id, config.reminderDays, now);
  return n;
}

/** Attempts left `sending` longer than the lease: interrupted, to be tried again now. */
function recoverInterrupted(sqlite: Database.Database, now: Date) {
  sqlite
    .prepare(
      `UPDATE notification_sends SET status = 'failed', next_attempt_at = ?, error = 'interrupted during sending; tried again'
       WHERE status = 'sending' AND last_attempt_at < ?`,
    )
    .run(now.toISOString(), new Date(now.getTime() - SENDING_LEASE_MS).toISOString());
}

const dueRows = (sqlite: Database.Database, now: Date) =>
  sqlite.prepare(`SELECT * FROM notification_sends WHERE status IN ('pending', 'failed') AND next_attempt_at <= ? ORDER BY id`).all(now.toISOString()) as SendRow[];

function loadAlerts(sqlite: Database.Database, firmId: string, ids: number[], now: Date): Alert[] {
  if (!ids.length) return [];
  const rows = sqlite
    .prepare(`${ALERT_SELECT} WHERE m.firm_id = ? AND m.state = 'published' AND m.id IN (SELECT value FROM json_each(?))`)
    .all(firmId, JSON.stringify(ids), { now: now.toISOString() });
  return rows.map((r) => toAlert(r, now));
}

/** The firm's pipeline events among `ids`, in the order they happened, as they were recorded. */
function loadPipelineUpdates(sqlite: Database.Database, firmId: string, ids: number[]): PipelineUpdate[] {
  if (!ids.length) return [];
  const rows = sqlite
    .prepare(
      `SELECT id, type, payload, created_at FROM events
       WHERE firm_id = ? AND type IN (SELECT value FROM json_each(?)) AND id IN (SELECT value FROM json_each(?)) ORDER BY id`,
    )
    .all(firmId, JSON.stringify(PIPELINE_EVENTS), JSON.stringify(ids)) as { id: number; type: PipelineUpdate['type']; payload: string; created_at: string }[];
  return rows.map((e) => {
    const d = (JSON.parse(e.payload) as { data: Omit<PipelineUpdate, 'eventId' | 'type' | 'at'> }).data;
    return { ...d, eventId: e.id, type: e.type, at: e.created_at };
  });
}

/** The message a log row stands for, as it reads now; null when nothing is left to say. */
export function compose(sqlite: Database.Database, config: NotifyConfig, row: SendRow, r: RecipientRow, now: Date): RenderedMail | null {
  const firm = sqlite.prepare(`SELECT id, name FROM firms WHERE id = ?`).get(row.firm_id) as { id: string; name: string } | undefined;
  if (!firm) return null;
  const token = signUnsubscribe(unsubscribeSecret(sqlite, config), r);
  const ctx: MailContext = { recipient: r, firm, baseUrl: config.publicBaseUrl, unsubscribeUrl: `${config.publicBaseUrl}/unsubscribe/${token}`, now };
  const alertIds = JSON.parse(row.alert_ids) as number[];
  const detail = (row.detail ? JSON.parse(row.detail) : {}) as Record<string, unknown>;
  if (row.kind === 'digest') {
    const changed = loadAlerts(sqlite, firm.id, JSON.parse(row.changed_alert_ids) as number[], now);
    // A digest from an earlier cadence keeps its own look: instant keys are per alert.
    const cadence = row.period_key.startsWith('instant:') ? 'instant' : row.period_key.startsWith('weekly:') ? 'weekly' : 'daily';
    const pipeline = loadPipelineUpdates(sqlite, firm.id, pipelineEventIds(row.detail));
    return buildDigest({ ...ctx, recipient: { ...r, cadence } }, { periodKey: row.period_key, newAlerts: loadAlerts(sqlite, firm.id, alertIds, now), changed, pipeline });
  }
  const [alert] = loadAlerts(sqlite, firm.id, alertIds, now);
  if (!alert || alert.firmState !== 'interested') return null;
  if (row.kind === 'reminder') {
    // The deadline moved since: this reminder no longer holds (the new deadline gets its own).
    if (alert.tender.deadline?.utc !== detail.deadlineAt) return null;
    return buildReminder(ctx, alert, Number(detail.days));
  }
  return buildDeadlineMoved(ctx, alert, { from: detail.from, to: detail.to });
}

function messageId(row: SendRow, baseUrl: string): string {
  return `<gpass-${row.kind}-${row.id}-${row.recipient_id}@${new URL(baseUrl).hostname || 'localhost'}>`;
}

/** One notification run: claim, then send what is due. */
export async function runNotifications(opts: RunOptions): Promise<RunSummary> {
  const { sqlite, config, sender } = opts;
  const now = opts.now ?? new Date();
  const at = now.toISOString();
  const summary: RunSummary = { claimed: claimAll(sqlite, config, now), sent: 0, failed: 0, dead: 0, skipped: 0, cancelled: 0 };
  recoverInterrupted(sqlite, now);
  const take = sqlite.prepare(`UPDATE notification_sends SET status = 'sending', attempts = attempts + 1, last_attempt_at = ? WHERE id = ? AND status IN ('pending', 'failed')`);
  const finish = sqlite.prepare(`UPDATE notification_sends SET status = ?, error = ?, next_attempt_at = ?, subject = COALESCE(?, subject), message_id = COALESCE(?, message_id), sent_at = ? WHERE id = ?`);
  for (const row of dueRows(sqlite, now)) {
    if (opts.signal?.aborted) break;
    if (take.run(at, row.id).changes === 0) continue; // another run has it
    const attempts = row.attempts + 1;
    const r = getRecipientRow(sqlite, row.recipient_id);
    if (!r || r.cadence === 'off') {
      finish.run('cancelled', 'unsubscribed', null, null, null, null, row.id);
      summary.cancelled++;
      continue;
    }
    const mail = compose(sqlite, config, row, r, now);
    if (!mail) {
      finish.run('skipped', 'nothing left to send', null, null, null, null, row.id);
      summary.skipped++;
      continue;
    }
    const id = messageId(row, config.publicBaseUrl);
    try {
      await sender.send({ to: { name: r.name ?? '', address: r.email }, ...mail, messageId: id });
      finish.run('sent', null, null, mail.subject, id, (opts.now ?? new Date()).toISOString(), row.id);
      summary.sent++;
    } catch (err) {
      const error = (err as Error).message.slice(0, 500);
      const next = nextAttemptAt(attempts, now);
      finish.run(next ? 'failed' : 'dead', error, next, mail.subject, id, null, row.id);
      if (next) summary.failed++;
      else summary.dead++;
      opts.log?.warn({ sendId: row.id, recipientId: row.recipient_id, attempts, maxAttempts: MAX_ATTEMPTS, error }, next ? 'notification send failed; will retry' : 'notification send failed; giving up');
      // The server is unreachable or refuses the session: the rest wait for the next run
      // instead of each waiting out a timeout now.
      if (err instanceof SendError && err.connection) break;
    }
  }
  return summary;
}

class DryRunRollback extends Error {}

/** What a run at `now` would send, without sending or keeping anything. */
export function planRun(sqlite: Database.Database, config: NotifyConfig, now = new Date()): PlannedMessage[] {
  let planned: PlannedMessage[] = [];
  try {
    sqlite
      .transaction(() => {
        claimAll(sqlite, config, now);
        recoverInterrupted(sqlite, now);
        planned = dueRows(sqlite, now).flatMap((row) => {
          const r = getRecipientRow(sqlite, row.recipient_id);
          const mail = r && r.cadence !== 'off' ? compose(sqlite, config, row, r, now) : null;
          if (!r || !mail) return [];
          return [{
            sendId: row.id,
            recipientId: r.id,
            email: r.email,
            kind: row.kind,
            periodKey: row.period_key,
            subject: mail.subject,
            newCount: (JSON.parse(row.alert_ids) as number[]).length,
            changedCount: (JSON.parse(row.changed_alert_ids) as number[]).length,
            pipelineCount: row.kind === 'digest' ? pipelineEventIds(row.detail).length : 0,
            attempt: row.attempts + 1,
          }];
        });
        throw new DryRunRollback();
      })
      .immediate();
  } catch (e) {
    if (!(e instanceof DryRunRollback)) throw e;
  }
  return planned;
}
