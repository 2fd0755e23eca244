import { index, integer, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { firms, matches } from './firms.js';
import { tenders } from './tenders.js';

/**
 * A firm's bid pipeline: one pursuit per alert (published match), moving through stages
 * (src/pipeline/stages.ts). The tender is the alert's (through the match: a cluster's canonical
 * id can change when an adviser unlinks it). Money is an amount with its ISO 4217 currency, as
 * entered; conversions happen in reports, at dated rates.
 */
export const pursuits = sqliteTable(
  'pursuits',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    matchId: integer('match_id')
      .notNull()
      .references(() => matches.id, { onDelete: 'cascade' }),
    firmId: text('firm_id')
      .notNull()
      .references(() => firms.id, { onDelete: 'cascade' }),
    /** interested | preparing | submitted | won | lost | abandoned | no_bid */
    stage: text('stage').notNull(),
    /** When the current stage was entered. */
    stageAt: text('stage_at').notNull(),
    /** Key id of the adviser following this pursuit; null = nobody. */
    assignee: text('assignee'),
    bidAmount: real('bid_amount'),
    bidCurrency: text('bid_currency'),
    /** yyyy-mm-dd */
    submittedOn: text('submitted_on'),
    contractValue: real('contract_value'),
    contractCurrency: text('contract_currency'),
    /** yyyy-mm-dd */
    awardedOn: text('awarded_on'),
    /** The tender's own award notice, linked by reference when it is ingested. */
    awardTenderId: integer('award_tender_id').references(() => tenders.id, { onDelete: 'set null' }),
    awardLinkedAt: text('award_linked_at'),
    /** Why it was lost, abandoned or not bid. */
    reason: text('reason'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('pursuits_match_uq').on(t.matchId),
    index('pursuits_firm_stage_idx').on(t.firmId, t.stage),
    index('pursuits_award_tender_idx').on(t.awardTenderId),
  ],
);

/** The pursuit's history, append-only: every stage change (corrections flagged), assignment and award link. */
export const pursuitEvents = sqliteTable(
  'pursuit_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    pursuitId: integer('pursuit_id')
      .notNull()
      .references(() => pursuits.id, { onDelete: 'cascade' }),
    firmId: text('firm_id').notNull(),
    /** stage | assign | award_linked */
    kind: text('kind').notNull(),
    /** null when the pursuit started with this change. */
    fromStage: text('from_stage'),
    toStage: text('to_stage').notNull(),
    /** A backward move, a move out of a final stage, or a fix of the recorded figures. */
    correction: integer('correction', { mode: 'boolean' }).notNull().default(false),
    /** Key id, or `ingest` for an automatic award link. */
    actor: text('actor').notNull(),
    role: text('role').notNull(),
    note: text('note'),
    /** Recorded fields that changed: `{ field: { from, to } }`. */
    changes: text('changes', { mode: 'json' }).$type<Record<string, { from: unknown; to: unknown }>>().notNull(),
    at: text('at').notNull(),
  },
  (t) => [index('pursuit_events_pursuit_idx').on(t.pursuitId, t.id), index('pursuit_events_firm_idx').on(t.firmId, t.at)],
);
