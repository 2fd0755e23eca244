import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** Payloads exactly as fetched, one row per distinct payload of a notice, so parsers can be re-run. */
export const rawNotices = sqliteTable(
  'raw_notices',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    source: text('source').notNull(),
    sourceId: text('source_id').notNull(),
    payload: text('payload').notNull(),
    payloadHash: text('payload_hash').notNull(),
    contentType: text('content_type').notNull(),
    url: text('url'),
    fetchedAt: text('fetched_at').notNull(),
    runId: integer('run_id'),
    parserVersion: integer('parser_version'),
    /** Null when the last parse produced a notice; the error text otherwise. */
    parseError: text('parse_error'),
    problems: text('problems', { mode: 'json' }).$type<string[]>(),
  },
  (t) => [
    uniqueIndex('raw_notices_source_id_hash_uq').on(t.source, t.sourceId, t.payloadHash),
    index('raw_notices_source_idx').on(t.source, t.sourceId),
  ],
);
