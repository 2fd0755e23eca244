/**
 * What "nothing lost, nothing corrupted" means for a store, checked from the outside: SQLite's
 * own integrity check, the FTS index's, and the invariants ingest promises (one tender per
 * source record, a version row per amendment, a full-text row and a raw payload per tender).
 * And a snapshot (row counts and content hashes) to prove a request changed nothing.
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';

export function integrityProblems(sqlite: Database.Database): string[] {
  const problems: string[] = [];
  const rows = sqlite.prepare('PRAGMA integrity_check').all() as { integrity_check: string }[];
  if (rows.length !== 1 || rows[0].integrity_check !== 'ok') problems.push(`integrity_check: ${rows.map((r) => r.integrity_check).join('; ')}`);
  const fk = sqlite.prepare('PRAGMA foreign_key_check').all();
  if (fk.length) problems.push(`foreign_key_check: ${JSON.stringify(fk.slice(0, 5))}`);
  try {
    sqlite.prepare(`INSERT INTO tenders_fts (tenders_fts, rank) VALUES ('integrity-check', 0)`).run();
  } catch (err) {
    problems.push(`tenders_fts integrity-check: ${(err as Error).message}`);
  }
  return problems;
}

const firstRows = (sqlite: Database.Database, sql: string) => sqlite.prepare(`${sql} LIMIT 5`).all();

/** Ingest invariants; [] when every one holds. */
export function ingestProblems(sqlite: Database.Database): string[] {
  const checks: Record<string, string> = {
    'a source record stored twice': `SELECT source, source_id, count(*) n FROM tenders GROUP BY source, source_id HAVING n > 1`,
    'a tender whose version does not match its version rows': `SELECT t.id, t.version, (SELECT count(*) FROM tender_versions v WHERE v.tender_id = t.id) AS versions FROM tenders t WHERE t.version <> 1 + (SELECT count(*) FROM tender_versions v WHERE v.tender_id = t.id)`,
    'a version row stored twice': `SELECT tender_id, version, count(*) n FROM tender_versions GROUP BY tender_id, version HAVING n > 1`,
    'a tender without a full-text row': `SELECT t.id FROM tenders t WHERE NOT EXISTS (SELECT 1 FROM tenders_fts f WHERE f.rowid = t.id)`,
    'a full-text row without a tender': `SELECT f.rowid FROM tenders_fts f WHERE NOT EXISTS (SELECT 1 FROM tenders t WHERE t.id = f.rowid)`,
    'a tender without its raw payload': `SELECT t.id FROM tenders t WHERE NOT EXISTS (SELECT 1 FROM raw_notices r WHERE r.source = t.source AND r.source_id = t.source_id)`,
    'a raw payload stored twice': `SELECT source, source_id, payload_hash, count(*) n FROM raw_notices GROUP BY 1, 2, 3 HAVING n > 1`,
  };
  const problems: string[] = [];
  for (const [what, sql] of Object.entries(checks)) {
    const rows = firstRows(sqlite, sql);
    if (rows.length) problems.push(`${what}: ${JSON.stringify(rows)}`);
  }
  return problems;
}

/** Every ordinary table, the full-text index's shadow tables included (not the virtual table itself). */
export const tables = (sqlite: Database.Database) =>
  (sqlite.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%' ORDER BY name`).all() as { name: string }[]).map((r) => r.name);

/**
 * Row counts and a hash of every row of every table (the full-text index through its shadow
 * tables). `api_keys.last_used_at` is left out: every authenticated request touches it.
 */
export function snapshot(sqlite: Database.Database): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of tables(sqlite)) {
    const rows = sqlite.prepare(`SELECT * FROM "${name}"`).all() as Record<string, unknown>[];
    const h = createHash('sha256');
    for (const r of rows) {
      if (name === 'api_keys') delete r.last_used_at;
      h.update(JSON.stringify(r));
    }
    out[name] = `${rows.length}:${h.digest('hex').slice(0, 16)}`;
  }
  return out;
}

export function diffSnapshots(a: Record<string, string>, b: Record<string, string>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => a[k] !== b[k]).map((k) => `${k}: ${a[k]} -> ${b[k]}`);
}

/**
 * A log of every write, per table: temporary triggers (this connection only) on every table
 * record each INSERT, UPDATE and DELETE. The one
 * write left out is the `last_used_at` stamp every authenticated request puts on its key.
 * Stricter than a snapshot: it also sees a write that puts back the same values.
 */
export function installChangeLog(sqlite: Database.Database): { take(): string[] } {
  sqlite.exec(`CREATE TEMP TABLE IF NOT EXISTS change_log (tbl TEXT NOT NULL, op TEXT NOT NULL)`);
  // SQLite refuses triggers on the full-text index's shadow tables: the snapshot hashes those.
  const names = tables(sqlite).filter((n) => !n.startsWith('tenders_fts'));
  for (const name of names) {
    const columns = (sqlite.prepare(`SELECT name FROM pragma_table_info(?)`).all(name) as { name: string }[]).map((c) => c.name);
    const watched = name === 'api_keys' ? `UPDATE OF ${columns.filter((c) => c !== 'last_used_at').map((c) => `"${c}"`).join(', ')}` : 'UPDATE';
    for (const [op, event] of [['insert', 'INSERT'], ['update', watched], ['delete', 'DELETE']] as const) {
      sqlite.exec(`CREATE TEMP TRIGGER IF NOT EXISTS "log_${op}_${name}" AFTER ${event} ON main."${name}" BEGIN INSERT INTO change_log VALUES ('${name}', '${op}'); END`);
    }
  }
  const read = sqlite.prepare(`SELECT tbl, op, count(*) n FROM change_log GROUP BY tbl, op`);
  const clear = sqlite.prepare(`DELETE FROM change_log`);
  return {
    take() {
      const rows = read.all() as { tbl: string; op: string; n: number }[];
      if (rows.length) clear.run();
      return rows.map((r) => `${r.op} ${r.tbl} x${r.n}`);
    },
  };
}
