import { sql } from 'drizzle-orm';
import { index, integer, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** One row per notice per source; the same tender on several sources is linked via clusterId. */
export const tenders = sqliteTable(
  'tenders',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    source: text('source').notNull(),
    sourceId: text('source_id').notNull(),
    reference: text('reference'),
    title: text('title').notNull(),
    description: text('description'),
    buyer: text('buyer'),
    countries: text('countries', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    noticeType: text('notice_type').notNull(),
    noticeTypeLabel: text('notice_type_label'),
    procurementMethod: text('procurement_method'),
    category: text('category'),
    unspsc: text('unspsc', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    publishedAt: text('published_at'),
    deadlineAt: text('deadline_at'),
    deadlineRaw: text('deadline_raw'),
    deadlineZone: text('deadline_zone'),
    deadlineZoneKnown: integer('deadline_zone_known', { mode: 'boolean' }),
    /** The status the source stated (cancelled / awarded / closed / open); null = derived from the deadline. */
    sourceStatus: text('source_status'),
    valueAmount: real('value_amount'),
    valueCurrency: text('value_currency'),
    language: text('language'),
    url: text('url'),
    projectId: text('project_id'),
    identifiers: text('identifiers', { mode: 'json' }).$type<Record<string, string>>().notNull().default(sql`'{}'`),
    contentHash: text('content_hash').notNull(),
    /** Analyzed title tokens, sorted and unique: what duplicate linking compares. */
    titleKey: text('title_key').notNull().default(''),
    version: integer('version').notNull().default(1),
    /** Id of the cluster's canonical tender (itself when alone). */
    clusterId: integer('cluster_id'),
    firstSeenAt: text('first_seen_at').notNull(),
    lastSeenAt: text('last_seen_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('tenders_source_source_id_uq').on(t.source, t.sourceId),
    index('tenders_deadline_idx').on(t.deadlineAt),
    index('tenders_published_idx').on(t.publishedAt),
    index('tenders_updated_idx').on(t.updatedAt),
    index('tenders_cluster_idx').on(t.clusterId),
    index('tenders_reference_idx').on(t.reference),
  ],
);

/** What changed at each amendment. */
export const tenderVersions = sqliteTable(
  'tender_versions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    tenderId: integer('tender_id')
      .notNull()
      .references(() => tenders.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    runId: integer('run_id'),
    changedAt: text('changed_at').notNull(),
    changes: text('changes', { mode: 'json' }).$type<Record<string, { from: unknown; to: unknown }>>().notNull(),
    contentHash: text('content_hash').notNull(),
  },
  (t) => [uniqueIndex('tender_versions_tender_version_uq').on(t.tenderId, t.version)],
);

/** Normalized reference numbers of a tender (its own, the bank package reference, the exercise id). */
export const tenderRefs = sqliteTable(
  'tender_refs',
  {
    tenderId: integer('tender_id')
      .notNull()
      .references(() => tenders.id, { onDelete: 'cascade' }),
    ref: text('ref').notNull(),
  },
  (t) => [uniqueIndex('tender_refs_tender_ref_uq').on(t.tenderId, t.ref), index('tender_refs_ref_idx').on(t.ref)],
);

/** Why a tender joined a cluster, and links an adviser undid (never re-made automatically). */
export const clusterLinks = sqliteTable(
  'cluster_links',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    tenderId: integer('tender_id')
      .notNull()
      .references(() => tenders.id, { onDelete: 'cascade' }),
    otherId: integer('other_id')
      .notNull()
      .references(() => tenders.id, { onDelete: 'cascade' }),
    score: real('score').notNull(),
    reasons: text('reasons', { mode: 'json' }).$type<string[]>().notNull(),
    /** linked | unlinked */
    state: text('state').notNull(),
    actor: text('actor'),
    at: text('at').notNull(),
  },
  (t) => [index('cluster_links_tender_idx').on(t.tenderId), index('cluster_links_other_idx').on(t.otherId)],
);
