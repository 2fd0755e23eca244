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

/**
 * Adviser console sessions. The cookie carries a random token; only its SHA-256 is stored.
 * A session dies with its key (revoked keys end their sessions) or at `expires_at`.
 */
export const consoleSessions = sqliteTable(
  'console_sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    keyId: text('key_id')
      .notNull()
      .references(() => apiKeys.id, { onDelete: 'cascade' }),
    /** Secret the CSRF tokens of this session are derived from (random, per session). */
    csrfSecret: text('csrf_secret').notNull(),
    /** Interface language: en | ko */
    lang: text('lang').notNull().default('en'),
    createdAt: text('created_at').notNull(),
    expiresAt: text('expires_at').notNull(),
  },
  (t) => [index('console_sessions_key_idx').on(t.keyId)],
);
