import { sql } from 'drizzle-orm';
import { index, integer, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { FirmProfile } from '../../src/firms/profile.js';

export const firms = sqliteTable('firms', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  nameKo: text('name_ko'),
  description: text('description'),
  gpassDesignated: integer('gpass_designated', { mode: 'boolean' }).notNull().default(false),
  gpassExpiresAt: text('gpass_expires_at'),
  /** When the firm was designated (yyyy-mm-dd): pipeline reports group firms by its year. */
  gpassDesignatedOn: text('gpass_designated_on'),
  /** The firm's industry (SECTORS in src/firms/firm.ts): pipeline reports group and filter by it. */
  sector: text('sector'),
  contactName: text('contact_name'),
  contactEmail: text('contact_email'),
  profile: text('profile', { mode: 'json' }).$type<FirmProfile>().notNull(),
  profileVersion: integer('profile_version').notNull().default(1),
  /** Matches scoring at or above this are published without review; null = always review. */
  autoPublishThreshold: real('auto_publish_threshold'),
  /** SHA-256 of the feed token (Atom / iCalendar URLs); null = feeds off. */
  feedTokenHash: text('feed_token_hash'),
  /** Ranking adjustments learnt from the firm's feedback (see src/alerts/feedback.ts). */
  feedback: text('feedback', { mode: 'json' }).$type<Record<string, unknown>>().notNull().default(sql`'{}'`),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
});

export const matches = sqliteTable(
  'matches',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    firmId: text('firm_id')
      .notNull()
      .references(() => firms.id, { onDelete: 'cascade' }),
    /** The tender cluster's canonical tender id. */
    tenderId: integer('tender_id').notNull(),
    score: real('score').notNull(),
    /**
     * Why this tender, for this firm: JSON, compact for scored matches (an array: see
     * src/matching/explanation-codec.ts, read with decodeExplanation), an object for older
     * rows and recommendations.
     */
    explanation: text('explanation', { mode: 'json' }).notNull(),
    /** proposed | published | rejected */
    state: text('state').notNull().default('proposed'),
    profileVersion: integer('profile_version').notNull(),
    scoringVersion: integer('scoring_version').notNull(),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    meta: text('meta', { mode: 'json' }).$type<Record<string, unknown>>().notNull().default(sql`'{}'`),
    /** When the firm was alerted (state became published). */
    publishedAt: text('published_at'),
    /** Key id of the adviser who decided, or `auto` for the auto-publish threshold. */
    reviewer: text('reviewer'),
    note: text('note'),
    reasonCode: text('reason_code'),
    /** The firm's own mark: new | seen | interested | not_relevant */
    firmState: text('firm_state').notNull().default('new'),
    firmReason: text('firm_reason'),
    firmStateAt: text('firm_state_at'),
    /** The last change of the tender after the alert: `{ kind, at, changes }` (amended, deadline moved, cancelled). */
    lastChange: text('last_change', { mode: 'json' }).$type<Record<string, unknown>>(),
  },
  (t) => [
    uniqueIndex('matches_firm_tender_uq').on(t.firmId, t.tenderId),
    index('matches_tender_idx').on(t.tenderId),
    index('matches_state_score_idx').on(t.state, t.score),
    // A firm's alerts (published matches) by date. Partial: the matcher writes millions of
    // proposed matches, and an index entry each cost a fifth of a full re-match's writes.
    index('matches_firm_published_idx').on(t.firmId, t.publishedAt).where(sql`${t.state} = 'published'`),
  ],
);

/**
 * A version per firm that moves whenever what `GET /firms/:id/alerts` shows could change: a
 * published match inserted, updated or deleted (deleting the firm deletes its matches), a
 * field the listing shows changed on one of the firm's alerted tenders. Triggers keep it
 * (migration 0013_alert_versions_triggers_fix, replacing 0012's), so writes from any
 * connection or process move it; the API validates its cached alert pages against it. The
 * value is the time of the change in microseconds (at least one more than before), so it
 * never comes back; a firm without a row is at version 0.
 */
export const alertVersions = sqliteTable('alert_versions', {
  firmId: text('firm_id').primaryKey(),
  version: integer('version').notNull().default(0),
});

/** Every curation action: who, when, what. */
export const curationActions = sqliteTable(
  'curation_actions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    matchId: integer('match_id'),
    firmId: text('firm_id').notNull(),
    tenderId: integer('tender_id').notNull(),
    /** approve | reject | recommend | auto_publish | feedback */
    action: text('action').notNull(),
    actor: text('actor').notNull(),
    role: text('role').notNull(),
    note: text('note'),
    reasonCode: text('reason_code'),
    at: text('at').notNull(),
  },
  (t) => [index('curation_actions_match_idx').on(t.matchId), index('curation_actions_firm_idx').on(t.firmId, t.at)],
);
