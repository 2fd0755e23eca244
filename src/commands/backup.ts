/**
 * `backup FILE`: a consistent copy of DATABASE_PATH while the service runs, through SQLite's
 * online backup API (better-sqlite3 `db.backup()`): every page copied in one step, inside one
 * read transaction, so the copy is one moment of the database however busy the writers are
 * (WAL: readers never block them). Written beside FILE and renamed into place, so FILE is never
 * half a backup; made a single self-contained file (rollback journal) and checked.
 *
 * `restore FILE`: puts a backup in DATABASE_PATH, only when no process has it open — it refuses
 * if the target's write-ahead log holds anything or another connection holds the file, and says
 * why. The backup must pass `PRAGMA integrity_check` first; the database it replaces is kept
 * beside it (`<file>.pre-restore-<time>`).
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { UsageError, type Command } from '../cli.js';

/** Copy every remaining page in the next step: one read transaction, one consistent copy. */
const ALL_PAGES = 0x7fffffff;

function size(file: string): number | null {
  try {
    return fs.statSync(file).size;
  } catch {
    return null;
  }
}

const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** `ok`, or what SQLite found wrong (first lines). */
function integrity(db: Database.Database): string {
  const rows = db.prepare('PRAGMA integrity_check').all() as { integrity_check: string }[];
  return rows.length === 1 && rows[0].integrity_check === 'ok' ? 'ok' : rows.slice(0, 5).map((r) => r.integrity_check).join('; ');
}

function removeQuietly(file: string) {
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) fs.rmSync(f, { force: true });
}

function onePositional(positionals: string[], command: string): string {
  if (positionals.length !== 1) throw new UsageError(`${command} needs one FILE`);
  return path.resolve(positionals[0]);
}

export const backupCommand: Command = {
  summary: 'Copy DATABASE_PATH to FILE with SQLite\'s online backup (safe while the service runs); the copy is checked. --force overwrites FILE.',
  usage: 'backup FILE [--force]',
  options: { force: { type: 'boolean', default: false } },
  allowPositionals: true,
  async run(ctx, values, positionals) {
    const target = onePositional(positionals, 'backup');
    const source = path.resolve(ctx.config.databasePath);
    if (target === source) throw new UsageError('FILE is DATABASE_PATH itself');
    if (!fs.existsSync(source)) throw new UsageError(`no database at ${source} (DATABASE_PATH)`);
    if (fs.existsSync(target) && !values.force) throw new UsageError(`${target} exists (--force overwrites it)`);
    if (!fs.existsSync(path.dirname(target))) throw new UsageError(`no folder ${path.dirname(target)}`);

    const tmp = `${target}.tmp-${process.pid}`;
    removeQuietly(tmp);
    // No migrations here: a backup copies the database as it is.
    const db = new Database(source, { fileMustExist: true, timeout: 10_000 });
    const started = Date.now();
    try {
      const progress = await db.backup(tmp, { progress: () => ALL_PAGES });
      const copy = new Database(tmp);
      try {
        // One file, no -wal beside it: a backup is copied around.
        copy.pragma('journal_mode = DELETE');
        const check = integrity(copy);
        if (check !== 'ok') throw new Error(`the copy fails integrity_check: ${check}`);
      } finally {
        copy.close();
      }
      fs.renameSync(tmp, target);
      ctx.out(`backup ${target}: ${progress.totalPages} pages, ${megabytes(size(target) ?? 0)}, integrity ok, ${((Date.now() - started) / 1000).toFixed(1)} s (from ${source})`);
      return 0;
    } catch (err) {
      removeQuietly(tmp);
      throw err;
    } finally {
      db.close();
    }
  },
};

export const restoreCommand: Command = {
  summary: 'Replace DATABASE_PATH with the backup FILE, after checking it; refused while any process (the service) has DATABASE_PATH open.',
  usage: 'restore FILE',
  options: {},
  allowPositionals: true,
  async run(ctx, _values, positionals) {
    const backup = onePositional(positionals, 'restore');
    const target = path.resolve(ctx.config.databasePath);
    if (backup === target) throw new UsageError('FILE is DATABASE_PATH itself');
    if (!fs.existsSync(backup)) throw new UsageError(`no backup at ${backup}`);
    if ((size(`${backup}-wal`) ?? 0) > 0) throw new Error(`${backup}-wal holds changes not in ${backup}: that is a live database, not a backup (make one with \`gpass-tenders backup\`)`);

    // Checked on a private copy beside the target, which then takes its place.
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const tmp = `${target}.restore-${process.pid}`;
    removeQuietly(tmp);
    fs.copyFileSync(backup, tmp);
    try {
      try {
        const copy = new Database(tmp, { fileMustExist: true });
        try {
          const check = integrity(copy);
          if (check !== 'ok') throw new Error(`fails integrity_check: ${check}`);
          const ours = copy.prepare(`SELECT count(*) n FROM sqlite_master WHERE name IN ('tenders', '__drizzle_migrations')`).get() as { n: number };
          if (ours.n !== 2) throw new Error('is not a gpass-tenders database');
          copy.pragma('journal_mode = DELETE');
        } finally {
          copy.close();
        }
      } catch (err) {
        throw new Error(`${backup} ${(err as Error).message.replace(/^(?!fails|is not)/, 'cannot be read: ')}; nothing restored`);
      }

      let kept: string | null = null;
      if (fs.existsSync(target)) {
        const wal = size(`${target}-wal`) ?? 0;
        if (wal > 0) {
          throw new Error(
            `${target}-wal holds ${wal} bytes not yet in the database: the service is using it, or stopped without closing it. ` +
              'Stop the service; if it is stopped, run `gpass-tenders migrate` once to fold the log in, then restore again.',
          );
        }
        // Any other connection, even an idle one, holds the file: an exclusive lock is refused at once.
        const current = new Database(target, { fileMustExist: true, timeout: 0 });
        try {
          current.pragma('locking_mode = EXCLUSIVE');
          current.exec('BEGIN EXCLUSIVE; COMMIT');
          // Fold in and remove the log files, so nothing of the old database is left beside the new one.
          current.pragma('journal_mode = DELETE');
        } catch (err) {
          if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY')) {
            throw new Error(`${target} is in use by another process (the service?): stop it, then restore again`);
          }
          throw err;
        } finally {
          current.close();
        }
        kept = `${target}.pre-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
        fs.renameSync(target, kept);
      }
      fs.renameSync(tmp, target);
      for (const f of [`${target}-wal`, `${target}-shm`]) fs.rmSync(f, { force: true });
      ctx.out(`restored ${backup} into ${target}: integrity ok${kept ? `; the database it replaced is kept as ${kept}` : ''}`);
      return 0;
    } finally {
      removeQuietly(tmp);
    }
  },
};
