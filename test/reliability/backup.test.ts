/**
 * Scenario 5b — backup and restore. `gpass-tenders backup FILE` runs while the service serves
 * API writes and a scrape writes notices to the same database; the copy must be consistent
 * (integrity check, ingest invariants) and hold every write acknowledged before it started.
 * `restore` must refuse while the service has the database open, refuse a damaged backup, and
 * a service started on a restored copy must answer with the data of the backup.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { openStore } from '../../db/client.js';
import { SOURCES } from '../../scrapers/registry.js';
import { createApiKey } from '../../src/auth/keys.js';
import { createFirm } from '../../src/firms/repository.js';
import { tempStore } from '../helpers/store.js';
import { guardNetwork, type NetworkGuard } from './network-guard.js';
import { ingestProblems, integrityProblems } from './db-checks.js';
import { startWorldbankMirror } from './mirror.js';
import { cli, killIfRunning, loopbackEnv, runTs, type Child } from './processes.js';
import { SCALE, report } from './scale.js';
import { scanForSecrets } from './secrets.js';

const LISTENING = /"msg":"Server listening at (http:\/\/127\.0\.0\.1:\d+)"/;

async function run(args: string[], env: NodeJS.ProcessEnv) {
  const c = cli(args, env);
  const exit = await c.exited;
  return { code: exit.code, output: c.output() };
}

describe('backup while the service runs, restore, and a service on the copy', () => {
  let t: ReturnType<typeof tempStore>;
  let guard: NetworkGuard;
  let mirror: Awaited<ReturnType<typeof startWorldbankMirror>>;
  let key: string;
  const running: Child[] = [];

  beforeAll(async () => {
    guard = guardNetwork();
    t = tempStore();
    createFirm(t.store.sqlite, { id: 'f1', name: 'Solar One', keywords: ['solar PV'] });
    key = createApiKey(t.store.sqlite, { role: 'admin' }).key;
    t.store.close();
    mirror = await startWorldbankMirror(SCALE.notices);
  });
  afterAll(async () => {
    guard?.restore();
    for (const c of running) killIfRunning(c);
    await mirror?.close();
    t?.cleanup();
  });

  // The writer below posts as fast as the service answers, which is well past the default
  // per-key rate limit (600 a minute): the test is about the copy, not the limiter.
  const serviceEnv = (db: string) => ({ ...loopbackEnv(SOURCES.map((s) => s.id)), DATABASE_PATH: db, PORT: '0', LOG_LEVEL: 'info', SCHEDULER: 'off', WEBHOOK_WORKER: 'off', RATE_LIMIT_PER_MINUTE: '1000000' });
  const file = (name: string) => path.join(t.dir, name);

  async function startService(db: string) {
    const c = cli(['serve'], serviceEnv(db));
    running.push(c);
    const url = LISTENING.exec(await c.waitFor(LISTENING))![1];
    return { c, url };
  }

  it('copies a busy database consistently; restore refuses the live one; a service runs on the copy', { timeout: SCALE.timeoutMs }, async () => {
    const live = await startService(t.file);
    const auth = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };

    // Writers: API writes in a loop, and a scrape in another process.
    const acknowledged: { id: string; at: number }[] = [];
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        const res = await fetch(`${live.url}/firms`, { method: 'POST', headers: auth, body: JSON.stringify({ name: `Backup Firm ${i}`, keywords: ['pumps'] }) });
        expect(res.status).toBe(201);
        acknowledged.push({ id: ((await res.json()) as { firm: { id: string } }).firm.id, at: Date.now() });
      }
    })();
    const scrape = runTs('test/reliability/ingest-child.ts', [mirror.url], { DATABASE_PATH: t.file, HTTP_MIN_INTERVAL_MS: '0', LOG_LEVEL: 'silent' });
    running.push(scrape);
    await scrape.waitFor(/^started$/);
    // Mid-scrape: some batches committed, more to come.
    const tendersNow = async () => ((await (await fetch(`${live.url}/health`)).json()) as { tenders: number }).tenders;
    while ((await tendersNow()) === 0 || acknowledged.length < 20) await new Promise((r) => setTimeout(r, 20));

    const backupFile = file('backup.db');
    const backupStarted = Date.now();
    const backup = await run(['backup', backupFile], { DATABASE_PATH: t.file });
    const backupMs = Date.now() - backupStarted;
    expect(backup.code, backup.output).toBe(0);
    expect(backup.output).toMatch(/^backup .*backup\.db: \d+ pages, [\d.]+ MB, integrity ok/m);
    const ackedBefore = acknowledged.filter((a) => a.at < backupStarted).map((a) => a.id);
    const scrapeStillRunning = scrape.proc.exitCode === null;

    // The service still has the database open: restore must refuse and say why.
    const refused = await run(['restore', backupFile], { DATABASE_PATH: t.file });
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(/in use by another process|holds \d+ bytes not yet in the database/);
    // An existing backup is never overwritten by accident.
    const again = await run(['backup', backupFile], { DATABASE_PATH: t.file });
    expect(again.code).toBe(2);
    expect(again.output).toMatch(/exists \(--force overwrites it\)/);

    writing = false;
    await writer;
    expect((await scrape.exited).code, scrape.output()).toBe(0);
    const health = (await (await fetch(`${live.url}/health`)).json()) as { tenders: number };
    expect(health.tenders).toBe(SCALE.notices);
    live.c.proc.kill('SIGTERM');
    expect((await live.c.exited).code).toBe(0);

    // The copy: one self-contained file, consistent, with every write acknowledged before it began.
    expect(fs.existsSync(`${backupFile}-wal`)).toBe(false);
    // Read-write: FTS5's integrity check is an INSERT (it writes nothing).
    const copy = new Database(backupFile, { fileMustExist: true });
    let copied: { tenders: number; firms: Set<string> };
    try {
      expect([...integrityProblems(copy), ...ingestProblems(copy)]).toEqual([]);
      copied = {
        tenders: (copy.prepare(`SELECT count(*) n FROM tenders`).get() as { n: number }).n,
        firms: new Set((copy.prepare(`SELECT id FROM firms`).all() as { id: string }[]).map((r) => r.id)),
      };
    } finally {
      copy.close();
    }
    expect(ackedBefore.filter((id) => !copied.firms.has(id)), 'writes acknowledged before the backup, missing from it').toEqual([]);

    // A damaged backup is refused and the target left alone.
    const damaged = file('damaged.db');
    fs.copyFileSync(backupFile, damaged);
    const fd = fs.openSync(damaged, 'r+');
    fs.writeSync(fd, Buffer.alloc(4096, 0xab), 0, 4096, 4096 * 3);
    fs.closeSync(fd);
    const restoredPath = file('restored/gpass.db');
    const bad = await run(['restore', damaged], { DATABASE_PATH: restoredPath });
    expect(bad.code).toBe(1);
    expect(bad.output).toMatch(/integrity_check|malformed|not a database/);
    expect(fs.existsSync(restoredPath)).toBe(false);

    // Restore into a new place, then over an existing (closed) database, which is kept aside.
    const fresh = await run(['restore', backupFile], { DATABASE_PATH: restoredPath });
    expect(fresh.code, fresh.output).toBe(0);
    const over = await run(['restore', backupFile], { DATABASE_PATH: t.file });
    expect(over.code, over.output).toBe(0);
    expect(over.output).toMatch(/kept as .*pre-restore-/);

    // A service on the restored copy answers with the backup's data.
    const restored = await startService(restoredPath);
    const h = (await (await fetch(`${restored.url}/health`)).json()) as { tenders: number };
    expect(h.tenders).toBe(copied.tenders);
    // Every page of firms (how many were written depends on how fast the writer ran).
    const ids = new Set<string>();
    for (let after = ''; ; ) {
      const page = await fetch(`${restored.url}/firms?limit=500${after ? `&after=${encodeURIComponent(after)}` : ''}`, { headers: auth });
      expect(page.status).toBe(200);
      const items = ((await page.json()) as { items: { id: string }[] }).items;
      items.forEach((f) => ids.add(f.id));
      if (items.length < 500) break;
      after = items[items.length - 1].id;
    }
    expect(ackedBefore.filter((id) => !ids.has(id))).toEqual([]);
    restored.c.proc.kill('SIGTERM');
    expect((await restored.c.exited).code).toBe(0);
    const s = openStore(restoredPath);
    expect(integrityProblems(s.sqlite)).toEqual([]);
    s.close();
    for (const c of running) expect(scanForSecrets(c.output(), [key]), 'the API key in a service log').toEqual([]);

    expect(guard.refused, 'connections beyond loopback').toEqual([]);
    report('backup', {
      backupMs,
      tendersInCopy: copied.tenders,
      firmsInCopy: copied.firms.size,
      writesAcknowledgedBefore: ackedBefore.length,
      missingFromCopy: 0,
      scrapeRunningDuringBackup: scrapeStillRunning,
      restoreRefusedWhileLive: 'yes',
    });
  });
});
