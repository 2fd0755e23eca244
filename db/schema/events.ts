import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Every change a firm or a partner system may be told about, written in the same transaction
 * as the change itself (so nothing is announced that did not happen, nor lost if it did).
 * Webhook deliveries (the outbox) and digests read from here.
 */
export const events = sqliteTable(
  'events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** Public id (`evt_…`), the Standard Webhooks `webhook-id`. */
    publicId: text('public_id').notNull().unique(),
    /** alert.created | alert.updated | alert.cancelled | tender.published | ... */
    type: text('type').notNull(),
    /** The firm the event concerns; null for adviser-level events (tender.published). */
    firmId: text('firm_id'),
    tenderId: integer('tender_id'),
    matchId: integer('match_id'),
    /** `{ type, timestamp, data }` exactly as delivered. */
    payload: text('payload', { mode: 'json' }).$type<{ type: string; timestamp: string; data: Record<string, unknown> }>().notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [index('events_firm_idx').on(t.firmId, t.id), index('events_type_idx').on(t.type, t.id)],
);
