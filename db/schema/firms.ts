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
  contactName: text('contact_name'),
  contactEmail: text('contact_email'),
  profile: text('profile', { mode: 'json' }).$type<FirmProfile>().notNull(),
  profileVersion: integer('profile_version').notNull().default(1),
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
    explanation: text('explanation', { mode: 'json' }).notNull(),
    /** proposed | published | rejected */
    state: text('state').notNull().default('proposed'),
    profileVersion: integer('profile_version').notNull(),
    scoringVersion: integer('scoring_version').notNull(),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    meta: text('meta', { mode: 'json' }).$type<Record<string, unknown>>().notNull().default(sql`'{}'`),
  },
  (t) => [
    uniqueIndex('matches_firm_tender_uq').on(t.firmId, t.tenderId),
    index('matches_tender_idx').on(t.tenderId),
    index('matches_firm_score_idx').on(t.firmId, t.score),
  ],
);
