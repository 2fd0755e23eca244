/**
 * Suites api and interference: autocannon (loopback only) against the API in its own process,
 * on a database of `tenders` tenders (most closed, `open` still open), 5,000 firms and
 * `matches` matches, beside Fastify answering a constant body (the ceiling) in the same run;
 * then the same load while the service ingests 5,000 notices and re-matches every open tender.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { openStore } from '../db/client.js';
import { createApiKey } from '../src/auth/keys.js';
import { createFirm } from '../src/firms/repository.js';
import { createIngestor } from '../src/ingest/ingest.js';
import { worldbank } from '../scrapers/worldbank.js';
import { profiles, rng, worldBankRows } from './generate.js';

export interface LoadFigures {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
}

async function load(url: string, headers: Record<string, string>, seconds: number): Promise<LoadFigures> {
  const r = await autocannon({ url, headers, connections: 16, duration: seconds, pipelining: 1 });
  return { rps: r.requests.average, p50Ms: r.latency.p50, p99Ms: r.latency.p99, errors: r.errors, non2xx: r.non2xx };
}

function start(mode: 'app' | 'ceiling', db?: string): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(path.resolve('bin/run-ts.js'), ['bench/api-server.ts', mode, db ?? ''], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (m: { ready?: number }) => (m.ready ? resolve({ child, port: m.ready }) : reject(new Error('server did not start'))));
    child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
}

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

/** Builds the database: tenders through the real ingest path, firms, and matches written directly. */
export function buildDatabase(file: string, sizes: { tenders: number; open: number; firms: number; matches: number }) {
  const store = openStore(file);
  const list = profiles(sizes.firms);
  store.sqlite.transaction(() => list.forEach((p, i) => createFirm(store.sqlite, { id: `firm-${i}`, name: `Firm ${i}`, ...p })))();
  for (let done = 0; done < sizes.tenders; done += 50_000) {
    const n = Math.min(50_000, sizes.tenders - done);
    const ing = createIngestor(store.sqlite, worldbank, { runId: null });
    const rows = worldBankRows(n, 5000 + done, done + 1);
    for (let i = 0; i < rows.length; i += 1000) {
      ing.ingestBatch(rows.slice(i, i + 1000).map((r) => ({ sourceId: String(r.id), payload: JSON.stringify(r), contentType: 'application/json', url: null, fetchedAt: '2026-11-01T00:00:00.000Z' })));
    }
  }
  // History: all but the newest `open` tenders are closed.
  store.sqlite.prepare(`UPDATE tenders SET deadline_at = '2025-01-01T00:00:00.000Z' WHERE id <= ?`).run(sizes.tenders - sizes.open);
  const random = rng(11);
  const insert = store.sqlite.prepare(
    `INSERT OR IGNORE INTO matches (firm_id, tender_id, score, explanation, state, profile_version, scoring_version, created_at, updated_at, published_at)
     VALUES (?, ?, ?, '{"score":0.7,"text":{"score":0.7,"hits":[]},"codes":{"score":0,"relations":[]},"filtersPassed":[],"factors":[],"unknown":[]}', ?, 1, 1, ?, ?, ?)`,
  );
  store.sqlite.transaction(() => {
    for (let i = 0; i < sizes.matches; i++) {
      // Firm 0 is the one under load: a few hundred alerts, like an active firm.
      const firm = i < 300 ? 0 : Math.floor(random() * sizes.firms);
      const tender = 1 + Math.floor(random() * sizes.tenders);
      const published = firm === 0 || random() < 0.3;
      const at = new Date(Date.UTC(2026, 10, 1) + Math.floor(random() * 20 * 86400_000)).toISOString();
      insert.run(`firm-${firm}`, tender, 0.3 + random() * 0.7, published ? 'published' : 'proposed', at, at, published ? at : null);
    }
  })();
  const firmKey = createApiKey(store.sqlite, { role: 'firm', firmId: 'firm-0' }).key;
  const adviserKey = createApiKey(store.sqlite, { role: 'adviser' }).key;
  store.close();
  return { firmKey, adviserKey };
}

function eventLoopDelay(child: ChildProcess): Promise<{ p99Ms: number; meanMs: number }> {
  return new Promise((resolve) => {
    const on = (m: { p99Ms?: number; meanMs?: number }) => {
      if (m.p99Ms !== undefined) {
        child.off('message', on);
        resolve(m as { p99Ms: number; meanMs: number });
      }
    };
    child.on('message', on);
    child.send({ cmd: 'delay' });
  });
}

export async function benchApi(sizes: { tenders: number; open: number; firms: number; matches: number }, seconds = 10) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gpass-api-'));
  const file = path.join(dir, 'api.db');
  try {
    const { firmKey, adviserKey } = buildDatabase(file, sizes);
    const ceiling = await start('ceiling');
    const ceilingFigures = await load(`http://127.0.0.1:${ceiling.port}/constant`, {}, seconds);
    ceiling.child.kill();
    const app = await start('app', file);
    const base = `http://127.0.0.1:${app.port}`;
    const firm = { authorization: `Bearer ${firmKey}` };
    const adviser = { authorization: `Bearer ${adviserKey}` };
    const routes = {
      alerts: () => load(`${base}/firms/firm-0/alerts`, firm, seconds),
      search: () => load(`${base}/tenders?q=solar`, adviser, seconds),
      tender: () => load(`${base}/tenders/${Math.ceil(sizes.tenders / 2)}`, adviser, seconds),
    };
    await ask(app.child, 'reset-delay', 'ok');
    const idle = { alerts: await routes.alerts(), search: await routes.search(), tender: await routes.tender() };
    const idleDelay = await eventLoopDelay(app.child);
    // Interference: the same load on /alerts while an ingest burst and a full re-match run.
    await ask(app.child, 'reset-delay', 'ok');
    const burstDone = ask<{ ingestSeconds: number; matchSeconds: number; matched: number }>(app.child, 'burst', 'burst');
    const busy = await routes.alerts();
    const busyDelay = await eventLoopDelay(app.child);
    const burst = await burstDone;
    app.child.kill();
    return {
      sizes,
      seconds,
      ceiling: ceilingFigures,
      idle,
      idleEventLoopDelay: idleDelay,
      busy,
      busyEventLoopDelay: busyDelay,
      burst,
      ratioToCeiling: idle.alerts.rps / ceilingFigures.rps,
      interferenceP99Ratio: busy.p99Ms / Math.max(1, idle.alerts.p99Ms),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
