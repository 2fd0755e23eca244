import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const scrapeRuns = sqliteTable(
  'scrape_runs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    source: text('source').notNull(),
    startedAt: text('started_at').notNull(),
    finishedAt: text('finished_at'),
    /** running | success | partial | failed */
    status: text('status').notNull(),
    sample: integer('sample', { mode: 'boolean' }).notNull().default(false),
    pages: integer('pages').notNull().default(0),
    itemsSeen: integer('items_seen').notNull().default(0),
    itemsNew: integer('items_new').notNull().default(0),
    itemsAmended: integer('items_amended').notNull().default(0),
    itemsUnchanged: integer('items_unchanged').notNull().default(0),
    itemsFailed: integer('items_failed').notNull().default(0),
    error: text('error'),
  },
  (t) => [index('scrape_runs_source_started_idx').on(t.source, t.startedAt)],
);

/** Problems met during a run: fetch failures, parse failures, warnings. */
export const runProblems = sqliteTable(
  'run_problems',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    runId: integer('run_id')
      .notNull()
      .references(() => scrapeRuns.id, { onDelete: 'cascade' }),
    sourceId: text('source_id'),
    url: text('url'),
    message: text('message').notNull(),
    at: text('at').notNull(),
  },
  (t) => [index('run_problems_run_idx').on(t.runId)],
);
