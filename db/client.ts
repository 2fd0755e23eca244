/**
 * Opens the SQLite store: pragmas for a durable, concurrent-reader database, then migrations.
 */
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as schema from './schema/index.js';

export type Db = BetterSQLite3Database<typeof schema>;

export interface Store {
  db: Db;
  sqlite: Database.Database;
  close(): void;
}

export const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface OpenOptions {
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  busyTimeoutMs?: number;
}

/** `:memory:` gives a private in-memory store (tests). */
export function openStore(file: string, options: OpenOptions = {}): Store {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new Database(file);
  // WAL: readers (the API) never block the writer (ingest, matcher); NORMAL sync is durable
  // across process crashes in WAL mode, which is the failure this service must survive.
  if (file !== ':memory:') sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
  // A larger page cache and in-memory temp tables: the FTS index and bulk upserts touch many pages.
  sqlite.pragma('cache_size = -65536');
  sqlite.pragma('temp_store = MEMORY');
  const db = drizzle(sqlite, { schema });
  if (options.migrate !== false) migrate(db, { migrationsFolder: MIGRATIONS_DIR });
  return { db, sqlite, close: () => sqlite.close() };
}

export { schema };

const statements = new WeakMap<Database.Database, Map<string, Database.Statement>>();
/** A prepared statement reused for the same SQL text on the same connection (hot read paths). */
export function prepareCached(sqlite: Database.Database, sql: string): Database.Statement {
  let m = statements.get(sqlite);
  if (!m) statements.set(sqlite, (m = new Map()));
  let stmt = m.get(sql);
  if (!stmt) {
    if (m.size > 500) m.clear();
    m.set(sql, (stmt = sqlite.prepare(sql)));
  }
  return stmt;
}
