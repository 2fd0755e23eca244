import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { firms } from './firms.js';

/** API keys: a public prefix to find the key, and a SHA-256 hash of the secret; never the secret. */
export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    secretHash: text('secret_hash').notNull(),
    /** admin | adviser | firm */
    role: text('role').notNull(),
    firmId: text('firm_id').references(() => firms.id, { onDelete: 'cascade' }),
    name: text('name'),
    createdAt: text('created_at').notNull(),
    revokedAt: text('revoked_at'),
    lastUsedAt: text('last_used_at'),
  },
  (t) => [index('api_keys_firm_idx').on(t.firmId)],
);
