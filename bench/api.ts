/**
 * Suites api and interference: autocannon (loopback only, in a process of its own) against the API in its own process,
 * on a database of `tenders` tenders (most closed, `open` still open), 5,000 firms and
 * `matches` matches, beside Fastify answering a constant body (the ceiling) and the very bytes
 * of the alert page under load (same bytes, no auth, no database) in the same run; then the
 * same load while the service ingests 5,000 notices and re-matches every open tender.
 *
 * BENCH_CPU_PROF=<dir> writes a V8 CPU profile of each server process there (`--cpu-prof`).
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { openStore } from '../db/client.js';
import { createApiKey } from '../src/auth/keys.js';
import { createFirm } from '../src/firms/repository.js';
import { createIngestor, prepareNotice } from '../src/ingest/ingest.js';
import { worldbank } from '../scrapers/worldbank.js';
import { profiles, rng, worldBankRows } from './generate.js';

const GZIP = { 'accept-encoding': 'gzip' };

export interface LoadFigures {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
}

/** autocannon in a fresh process of its own (bench/load-child.ts), so the runner's heap doesn't slow it. */
function load(url: string, headers: Record<string, string>, seconds: number): Promise<LoadFigures> {
  const child = fork(path.resolve('bin/run-ts.js'), ['bench/load-child.ts'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (m: LoadFigures) => resolve(m));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`load generator exited ${code} before reporting`)));
    child.send({ url, headers, seconds, connections: 16 });
  });
}

/** `arg`: the database (app) or a file holding the alert page's bytes (ceiling). */
function start(mode: 'app' | 'ceiling', arg: string): Promise<{ child: ChildProcess; port: number }> {
  const prof = process.env.BENCH_CPU_PROF;
  const execArgv = prof ? [...process.execArgv, '--cpu-prof', `--cpu-prof-dir=${path.resolve(prof)}`] : process.execArgv;
  const child = fork(path.resolve('bin/run-ts.js'), ['bench/api-server.ts', mode, arg], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv });
  return new Promise((resolve, reject) => {
    child.once('message', (m: { ready?: number }) => (m.ready ? resolve({ child, port: m.ready }) : reject(new Error('server did not start'))));
    child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
}

/** SIGTERM, then wait for the exit (the server exits cleanly, so a CPU profile gets written). */
const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });

const ask = <T>(child: ChildProcess, cmd: string, key: string): Promise<T> =>
  new Promise((resolve) => {
    const on = (m: Record<string, unknown>) => {
      if (key in m) {
        child.off('message', on);
        resolve(m[key] as T);
      }
    };
    child.on('message', on);
    child.send({ cmd });
  });

const TEMPLATES = 50_000;
const ROWS_PER_INSERT = 100;
const CLOSED_DEADLINE = '2025-01-01T00:00:00.000Z';

/**
 * Builds the database. Up to 50,000 tenders go through the real ingest path (raw payload,
 * parse, normalize, full-text row); beyond that, copies of them under new source ids are bulk
 * inserted (one INSERT … SELECT per 50,000, their full-text rows from the same analysis), so
 * a million tenders take about a minute rather than the ingest's two. Then firms and matches
 * (multi-row inserts). All but the newest `open` tenders are closed.
 */
export function buildDatabase(file: string, sizes: { tenders: number; open: number; firms: number; matches: number }) {
  const store = openStore(file);
  const { sqlite } = store;
  const list = profiles(sizes.firms);
  sqlite.transaction(() => list.forEach((p, i) => createFirm(sqlite, { id: `firm-${i}`, name: `Firm ${i}`, ...p })))();

  const templates = Math.min(TEMPLATES, sizes.tenders);
  const closeUpTo = sizes.tenders - sizes.open;
  const ing = createIngestor(sqlite, worldbank, { runId: null });
  const fts: { title: string; body: string }[] = [];
  const rows = worldBankRows(templates, 5000, 1);
  for (let i = 0; i < rows.length; i += 1000) {
    const items = rows.slice(i, i + 1000).map((r) => {
      const raw = { sourceId: String(r.id), payload: JSON.stringify(r), contentType: 'application/json' as const, url: null, fetchedAt: '2026-11-01T00:00:00.000Z' };
      const prepared = prepareNotice(worldbank, raw);
      if (prepared.ok) fts.push(prepared.fts);
      return { raw, prepared };
    });
    ing.ingestPrepared(items);
  }
  if (fts.length !== templates || (sqlite.prepare('SELECT max(id) AS n FROM tenders').get() as { n: number }).n !== templates) {
    throw new Error('bench: the template tenders did not ingest as ids 1..n');
  }

  // Copies: tender `base + i` repeats template `i`; closed unless among the newest `open`.
  const columns = (sqlite.prepare(`SELECT name FROM pragma_table_info('tenders') WHERE name NOT IN ('id', 'source_id', 'deadline_at')`).all() as { name: string }[]).map((c) => c.name);
  const copy = sqlite.prepare(
    `INSERT INTO tenders (source_id, deadline_at, ${columns.join(', ')})
     SELECT source_id || '-' || @round, CASE WHEN id + @base <= @closeUpTo THEN '${CLOSED_DEADLINE}' ELSE deadline_at END, ${columns.join(', ')}
     FROM tenders WHERE id <= @n ORDER BY id`,
  );
  const ftsSql = (n: number) => `INSERT INTO tenders_fts (rowid, title, body) VALUES ${Array.from({ length: n }, () => '(?, ?, ?)').join(', ')}`;
  const ftsMany = sqlite.prepare(ftsSql(ROWS_PER_INSERT));
  for (let base = templates, round = 1; base < sizes.tenders; base += templates, round++) {
    const n = Math.min(templates, sizes.tenders - base);
    sqlite.transaction(() => {
      copy.run({ round: String(round), base, closeUpTo, n });
      if ((sqlite.prepare('SELECT max(id) AS n FROM tenders').get() as { n: number }).n !== base + n) throw new Error('bench: copied tenders are not consecutive ids');
      for (let i = 0; i < n; i += ROWS_PER_INSERT) {
        const k = Math.min(ROWS_PER_INSERT, n - i);
        const values = Array.from({ length: k }, (_, j) => [base + i + j + 1, fts[i + j].title, fts[i + j].body]).flat();
        (k === ROWS_PER_INSERT ? ftsMany : sqlite.prepare(ftsSql(k))).run(values);
      }
    })();
  }
  sqlite.prepare(`UPDATE tenders SET deadline_at = '${CLOSED_DEADLINE}' WHERE id <= ?`).run(Math.min(templates, closeUpTo));

  const random = rng(11);
  const matchSql = (n: number) =>
    `INSERT OR IGNORE INTO matches (firm_id, tender_id, score, explanation, state, profile_version, scoring_version, created_at, updated_at, published_at)
     VALUES ${Array.from({ length: n }, () => `(?, ?, ?, '[]', ?, 1, 1, ?, ?, ?)`).join(', ')}`;
  const matchesMany = sqlite.prepare(matchSql(ROWS_PER_INSERT));
  sqlite.transaction(() => {
    let pending: unknown[][] = [];
    const flush = () => {
      if (pending.length) (pending.length === ROWS_PER_INSERT ? matchesMany : sqlite.prepare(matchSql(pending.length))).run(pending.flat());
      pending = [];
    };
    for (let i = 0; i < sizes.matches; i++) {
      // Firm 0 is the one under load: a few hundred alerts, like an active firm.
      const firm = i < 300 ? 0 : Math.floor(random() * sizes.firms);
      const tender = 1 + Math.floor(random() * sizes.tenders);
      const published = firm === 0 || random() < 0.3;
      const at = new Date(Date.UTC(2026, 10, 1) + Math.floor(random() * 20 * 86400_000)).toISOString();
      pending.push([`firm-${firm}`, tender, 0.3 + random() * 0.7, published ? 'published' : 'proposed', at, at, published ? at : null]);
      if (pending.length === ROWS_PER_INSERT) flush();
    }
    flush();
    // Explanations as the matcher stores them (explanation-codec.ts): a title keyword, a glossary
    // term in the description with its snippet, a code relation, filters and an unknown, so
    // each served alert carries a full-size explanation (~600 bytes of JSON) cut from its tender.
    sqlite.exec(`UPDATE matches SET explanation = (SELECT json_array(2, matches.score, 1, matches.score,
        json_array(json_array('solar PV', 0, 0, 0, NULL, 0, 0.85, 0, length(t.title)),
                   json_array('water purifier', 'purificateur d''eau', 1, 1, 'fr', 1, 0.436,
                              CASE WHEN length(t.description) > 200 THEN 40 ELSE -1 END, COALESCE(length(t.description), 0))),
        0.5, json_array(json_array('4715', '47151501', 1, 0)), json_array('open', 'deadline in 24 days', 'country KE'), json_array(), json_array('value not stated'))
      FROM tenders t WHERE t.id = matches.tender_id)`);
  })();
  const firmKey = createApiKey(sqlite, { role: 'firm', firmId: 'firm-0' }).key;
  const adviserKey = createApiKey(sqlite, { role: 'adviser' }).key;
  store.close();
  return { firmKey, adviserKey };
}

/** The service's event-loop delay since the last reset (monitorEventLoopDelay in bench/api-server.ts). */
const eventLoopDelay = (child: ChildProcess) => ask<{ p99Ms: number; meanMs: number }>(child, 'delay', 'delay');

export async function benchApi(sizes: { tenders: number; open: number; firms: number; matches: number }, seconds = 10) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gpass-api-'));
  const file = path.join(dir, 'api.db');
  try {
    const { firmKey, adviserKey } = buildDatabase(file, sizes);
    const app = await start('app', file);
    const base = `http://127.0.0.1:${app.port}`;
    const firm = { authorization: `Bearer ${firmKey}` };
    const adviser = { authorization: `Bearer ${adviserKey}` };
    // The page under load, to serve the same bytes from memory beside the constant body.
    const page = await fetch(`${base}/firms/firm-0/alerts`, { headers: firm });
    if (!page.ok) throw new Error(`bench: GET /firms/firm-0/alerts answered ${page.status}`);
    const pageFile = path.join(dir, 'alerts-page.json');
    fs.writeFileSync(pageFile, Buffer.from(await page.arrayBuffer()));
    const ceiling = await start('ceiling', pageFile);
    const ceilingFigures = await load(`http://127.0.0.1:${ceiling.port}/constant`, {}, seconds);
    const sameBytes = await load(`http://127.0.0.1:${ceiling.port}/same-bytes`, {}, seconds);
    const sameBytesGzip = await load(`http://127.0.0.1:${ceiling.port}/same-bytes`, GZIP, seconds);
    await stop(ceiling.child);
    const routes = {
      // As browsers, Node's fetch and most HTTP clients ask: gzip accepted.
      alerts: () => load(`${base}/firms/firm-0/alerts`, { ...firm, ...GZIP }, seconds),
      alertsIdentity: () => load(`${base}/firms/firm-0/alerts`, firm, seconds),
      search: () => load(`${base}/tenders?q=solar`, adviser, seconds),
      tender: () => load(`${base}/tenders/${Math.ceil(sizes.tenders / 2)}`, adviser, seconds),
    };
    await ask(app.child, 'reset-delay', 'ok');
    const idle = { alerts: await routes.alerts(), alertsIdentity: await routes.alertsIdentity(), search: await routes.search(), tender: await routes.tender() };
    const idleDelay = await eventLoopDelay(app.child);
    // Interference: the same load on /alerts while an ingest burst and a full re-match run.
    await ask(app.child, 'reset-delay', 'ok');
    const burstDone = ask<{ ingestSeconds: number; matchSeconds: number; matched: number; nice: number }>(app.child, 'burst', 'burst');
    const busy = await routes.alerts();
    const busyDelay = await eventLoopDelay(app.child);
    const burst = await burstDone;
    await stop(app.child);
    return {
      sizes,
      seconds,
      ceiling: ceilingFigures,
      sameBytes: { ...sameBytes, bytes: fs.statSync(pageFile).size },
      sameBytesGzip: { ...sameBytesGzip, bytes: gzipSync(fs.readFileSync(pageFile)).length },
      idle,
      idleEventLoopDelay: idleDelay,
      busy,
      busyEventLoopDelay: busyDelay,
      burst,
      ratioToCeiling: idle.alerts.rps / ceilingFigures.rps,
      ratioToCeilingIdentity: idle.alertsIdentity.rps / ceilingFigures.rps,
      ratioToSameBytes: idle.alerts.rps / sameBytesGzip.rps,
      ratioToSameBytesIdentity: idle.alertsIdentity.rps / sameBytes.rps,
      interferenceP99Ratio: busy.p99Ms / Math.max(1, idle.alerts.p99Ms),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
