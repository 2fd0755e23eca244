import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { firms } from './firms.js';

/**
 * Email recipients of a firm: who gets digests and deadline reminders, in which language,
 * how often and at what local hour. The two cursors are event ids (events table): what the
 * last digest covered, and up to where deadline changes were looked at; both start at the
 * newest event when the recipient is created (or re-subscribes), so nobody gets the past.
 */
export const recipients = sqliteTable(
  'recipients',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    firmId: text('firm_id')
      .notNull()
      .references(() => firms.id, { onDelete: 'cascade' }),
    name: text('name'),
    /** Trimmed and lower-cased. */
    email: text('email').notNull(),
    /** ko | en */
    language: text('language').notNull().default('ko'),
    /** instant | daily | weekly | off */
    cadence: text('cadence').notNull().default('daily'),
    /** Local hour (0-23) at which daily and weekly digests and reminders go out. */
    sendHour: integer('send_hour').notNull().default(8),
    /** IANA time zone of the send hour and of the dates shown. */
    timeZone: text('time_zone').notNull().default('Asia/Seoul'),
    maxItems: integer('max_items').notNull().default(20),
    digestEventId: integer('digest_event_id').notNull().default(0),
    noticeEventId: integer('notice_event_id').notNull().default(0),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [uniqueIndex('recipients_firm_email_uq').on(t.firmId, t.email)],
);

/**
 * The send log: one row per message, claimed before it is sent. Unique per (recipient, kind,
 * period key), so a restarted or concurrent run can never claim the same digest twice.
 * pending = claimed, not tried; sending = an attempt in flight (a stale one is retried);
 * failed = retry due at next_attempt_at; sent; skipped = nothing to say (nothing is sent);
 * dead = gave up (a digest's alerts still go into the recipient's next digest); merged = its
 * alerts were carried into a later digest (merged_into); cancelled = the recipient unsubscribed.
 */
export const notificationSends = sqliteTable(
  'notification_sends',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    recipientId: integer('recipient_id')
      .notNull()
      .references(() => recipients.id, { onDelete: 'cascade' }),
    firmId: text('firm_id').notNull(),
    /** digest | reminder | deadline_moved */
    kind: text('kind').notNull(),
    /** `daily:2026-11-22`, `weekly:2026-W47`, `instant:<alert id>`, `reminder:7d:<alert id>:<deadline>`, ... */
    periodKey: text('period_key').notNull(),
    status: text('status').notNull(),
    /** New alerts carried (match ids). */
    alertIds: text('alert_ids', { mode: 'json' }).$type<number[]>().notNull().default(sql`'[]'`),
    /** Changed alerts carried (deadline moved, amended, cancelled). */
    changedAlertIds: text('changed_alert_ids', { mode: 'json' }).$type<number[]>().notNull().default(sql`'[]'`),
    /** Kind-specific facts: `{ days, deadlineAt }` for a reminder, `{ from, to }` for a moved deadline, `{ pipelineEventIds }` for a digest with pipeline updates. */
    detail: text('detail', { mode: 'json' }).$type<Record<string, unknown>>(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: text('next_attempt_at'),
    lastAttemptAt: text('last_attempt_at'),
    subject: text('subject'),
    /** Stable per row: a retry of the same message carries the same Message-ID. */
    messageId: text('message_id'),
    error: text('error'),
    mergedInto: integer('merged_into'),
    createdAt: text('created_at').notNull(),
    sentAt: text('sent_at'),
  },
  (t) => [
    uniqueIndex('notification_sends_recipient_period_uq').on(t.recipientId, t.kind, t.periodKey),
    index('notification_sends_due_idx').on(t.status, t.nextAttemptAt),
    index('notification_sends_firm_idx').on(t.firmId, t.id),
  ],
);

/**
 * Secrets the service makes for itself when none is configured: today only the key that signs
 * unsubscribe links (UNSUBSCRIBE_SECRET, when set, takes precedence). Never returned or logged.
 */
export const notificationSecrets = sqliteTable('notification_secrets', {
  name: text('name').primaryKey(),
  secret: text('secret').notNull(),
  createdAt: text('created_at').notNull(),
});
