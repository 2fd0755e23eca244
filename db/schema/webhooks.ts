import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { events } from './events.js';
import { firms } from './firms.js';

/**
 * Webhook endpoints. `firm_id` null = an adviser-level endpoint (events of every firm, and
 * `tender.published`). Secrets are `whsec_…` signing keys: they must be usable to sign, so
 * they are stored as is — never returned after creation or rotation, never logged.
 */
export const webhookEndpoints = sqliteTable(
  'webhook_endpoints',
  {
    /** `wh_…` */
    id: text('id').primaryKey(),
    firmId: text('firm_id').references(() => firms.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    eventTypes: text('event_types', { mode: 'json' }).$type<string[]>().notNull(),
    description: text('description'),
    enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
    /** Why the endpoint was disabled (410, failing for days, by hand); null when enabled. */
    disabledReason: text('disabled_reason'),
    secret: text('secret').notNull(),
    /** The secret before the last rotation; it also signs until `previous_secret_expires_at`. */
    previousSecret: text('previous_secret'),
    previousSecretExpiresAt: text('previous_secret_expires_at'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    /** First failed attempt since the last success; null when healthy. */
    failingSince: text('failing_since'),
  },
  (t) => [index('webhook_endpoints_firm_idx').on(t.firmId)],
);

/**
 * The outbox: one row per (endpoint, event) to deliver, written in the event's transaction.
 * pending = not tried yet; failed = tried, a retry is due at `next_attempt_at`; delivered;
 * dead = gave up after the last attempt. Per endpoint, queued rows go out in id order.
 */
export const webhookDeliveries = sqliteTable(
  'webhook_deliveries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    endpointId: text('endpoint_id')
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
    eventId: integer('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    /** pending | delivered | failed | dead */
    status: text('status').notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: text('next_attempt_at'),
    lastStatusCode: integer('last_status_code'),
    lastError: text('last_error'),
    lastLatencyMs: integer('last_latency_ms'),
    createdAt: text('created_at').notNull(),
    deliveredAt: text('delivered_at'),
  },
  (t) => [
    // The head of each endpoint's queue: min(id) among its queued rows.
    index('webhook_deliveries_queue_idx').on(t.endpointId, t.id).where(sql`status IN ('pending', 'failed')`),
    index('webhook_deliveries_endpoint_idx').on(t.endpointId, t.id),
    index('webhook_deliveries_event_idx').on(t.eventId),
  ],
);

/** One row per HTTP attempt: the delivery log an endpoint's owner reads. */
export const webhookAttempts = sqliteTable(
  'webhook_attempts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    deliveryId: integer('delivery_id')
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: 'cascade' }),
    attemptedAt: text('attempted_at').notNull(),
    /** null when no HTTP answer came (refused address, timeout, connection error). */
    statusCode: integer('status_code'),
    error: text('error'),
    latencyMs: integer('latency_ms').notNull(),
    /** The first 4 KB of the answer. */
    responseBody: text('response_body'),
  },
  (t) => [index('webhook_attempts_delivery_idx').on(t.deliveryId, t.id)],
);
