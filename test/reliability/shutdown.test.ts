/**
 * Scenario 5a — graceful shutdown. The real service (`gpass-tenders serve`) runs its scheduler
 * against a local World Bank mirror (every second) and its webhook worker against a slow local
 * receiver. SIGTERM arrives while a scrape is fetching pages, the match after the previous run
 * has published alerts, and a delivery is in flight. The process must exit within a bound,
 * having finished or safely abandoned what it was doing: the store intact, every notice it had
 * stored still there, no webhook event lost (a delivery cut off is sent again: at least once),
 * and a restart must carry on to completion. What a clean shutdown should also leave — no run
 * marked "running", every acknowledged delivery recorded — is a KNOWN BUG test below.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../db/client.js';
import { worldbank } from '../../scrapers/worldbank.js';
import { createHttpClient } from '../../scrapers/http-client.js';
import { setAutoPublishThreshold } from '../../src/alerts/service.js';
import { createApiKey } from '../../src/auth/keys.js';
import { createFirm } from '../../src/firms/repository.js';
import { runSource } from '../../src/ingest/run-source.js';
import { createEndpoint } from '../../src/webhooks/endpoints.js';
import { SOURCES } from '../../scrapers/registry.js';
import { tempStore } from '../helpers/store.js';
import { guardNetwork, type NetworkGuard } from './network-guard.js';
import { ingestProblems, integrityProblems } from './db-checks.js';
import { startWorldbankMirror } from './mirror.js';
import { cli, killIfRunning, loopbackEnv, runTs, type Child } from './processes.js';
import { report } from './scale.js';
import { scanForSecrets } from './secrets.js';

const LISTENING = /"msg":"Server listening at (http:\/\/127\.0\.0\.1:\d+)"/;

/** A webhook receiver on 127.0.0.1 that answers after `delayMs`, recording each message id it acknowledged. */
async function startReceiver() {
  const state = { delayMs: 1500, acknowledged: [] as string[], received: 0 };
  const server = http.createServer((req, res) => {
    req.resume();
    state.received++;
    setTimeout(() => {
      res.writeHead(200).end('ok');
      state.acknowledged.push(String(req.headers['webhook-id']));
    }, state.delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    state,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('graceful shutdown: SIGTERM during a scrape, a match and webhook deliveries', () => {
  let t: ReturnType<typeof tempStore>;
  let guard: NetworkGuard;
  let mirror: Awaited<ReturnType<typeof startWorldbankMirror>>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let service: Child | null = null;
  const secrets: string[] = [];
  /** What the first shutdown left, for the KNOWN BUG test. */
  const atShutdown = { log: '', runsLeftRunning: [] as unknown[], acknowledgedNotRecorded: [] as string[] };

  beforeAll(async () => {
    guard = guardNetwork();
    t = tempStore();
    mirror = await startWorldbankMirror(100);
    receiver = await startReceiver();
    const sqlite = t.store.sqlite;
    createFirm(sqlite, { id: 'lumen', name: 'Lumen Lighting', keywords: ['LED street lighting'] });
    setAutoPublishThreshold(sqlite, 'lumen', 0, { id: 'test', role: 'admin' });
    secrets.push(createEndpoint(sqlite, { firmId: 'lumen', url: receiver.url, eventTypes: ['alert.created', 'alert.updated', 'alert.cancelled'] }).secret);
    secrets.push(createApiKey(sqlite, { role: 'admin' }).key);
    t.store.close();
  });
  afterAll(async () => {
    guard?.restore();
    killIfRunning(service);
    await mirror?.close();
    await receiver?.close();
    t?.cleanup();
  });

  const env = (extra: NodeJS.ProcessEnv = {}) => ({
    ...loopbackEnv(SOURCES.map((s) => s.id), { worldbank: { baseUrl: mirror.url, schedule: '* * * * * *' } }),
    DATABASE_PATH: t.file,
    PORT: '0',
    LOG_LEVEL: 'info',
    SCHEDULER: 'on',
    WEBHOOK_WORKER: 'on',
    WEBHOOK_ALLOW_NETWORKS: '127.0.0.0/8',
    SMTP_USER: 'mailer',
    SMTP_PASSWORD: 'smtp-password-never-logged-3141',
    ...extra,
  });

  const query = <T>(sql: string, ...params: unknown[]): T[] => {
    const s = openStore(t.file);
    try {
      return s.sqlite.prepare(sql).all(...params) as T[];
    } finally {
      s.close();
    }
  };

  it('exits within the bound, loses nothing, and a restart completes the work', { timeout: 120_000 }, async () => {
    secrets.push('smtp-password-never-logged-3141');
    // Run 1 sees 100 notices (one page) and completes: matching publishes alerts, the worker
    // starts delivering them (1.5 s each). Run 2 sees 3000 notices at the World Bank's pace of a
    // page a second: SIGTERM arrives on its third page.
    let run2Page = 0;
    const sigtermAt = new Promise<void>((resolve) => {
      mirror.state.onPage = (n) => {
        if (n === 1) mirror.state.count = 3000;
        if (n > 1 && ++run2Page === 3) resolve();
      };
    });
    service = cli(['serve'], env());
    await service.waitFor(LISTENING);
    await sigtermAt;
    const inFlight = receiver.state.received - receiver.state.acknowledged.length;
    const storedBefore = new Set(query<{ source_id: string }>(`SELECT source_id FROM tenders`).map((r) => r.source_id));
    const sent = Date.now();
    service.proc.kill('SIGTERM');
    const exit = await service.exited;
    const shutdownMs = Date.now() - sent;
    expect(exit.code, service.output().slice(-3000)).toBe(0);
    expect(shutdownMs).toBeLessThan(30_000);
    expect(scanForSecrets(service.output(), secrets), 'secrets in the service log').toEqual([]);

    // What the shutdown left behind.
    const s = openStore(t.file);
    let abandoned: { status: string; n: number }[];
    try {
      expect([...integrityProblems(s.sqlite), ...ingestProblems(s.sqlite)]).toEqual([]);
      const stored = new Set((s.sqlite.prepare(`SELECT source_id FROM tenders`).all() as { source_id: string }[]).map((r) => r.source_id));
      expect([...storedBefore].filter((id) => !stored.has(id)), 'notices lost').toEqual([]);
      // Nothing half-sent: a delivery is delivered, or pending and sent again after the restart.
      abandoned = s.sqlite.prepare(`SELECT status, count(*) n FROM webhook_deliveries GROUP BY status`).all() as { status: string; n: number }[];
      expect(abandoned.every((r) => ['delivered', 'pending'].includes(r.status)), JSON.stringify(abandoned)).toBe(true);
      const delivered = new Set((s.sqlite.prepare(`SELECT e.public_id FROM webhook_deliveries d JOIN events e ON e.id = d.event_id WHERE d.status = 'delivered'`).all() as { public_id: string }[]).map((r) => r.public_id));
      atShutdown.log = service.output();
      atShutdown.runsLeftRunning = s.sqlite.prepare(`SELECT id, status, items_seen FROM scrape_runs WHERE status = 'running' OR finished_at IS NULL`).all();
      atShutdown.acknowledgedNotRecorded = receiver.state.acknowledged.filter((id) => !delivered.has(id));
    } finally {
      s.close();
    }
    const pendingAtExit = abandoned.find((r) => r.status === 'pending')?.n ?? 0;
    expect(pendingAtExit, 'deliveries still queued at SIGTERM (the test needs some)').toBeGreaterThan(0);

    // Restart (scheduler off, fast receiver): the queue drains; a scrape completes the rest.
    receiver.state.delayMs = 0;
    service = cli(['serve'], env({ SCHEDULER: 'off' }));
    await service.waitFor(LISTENING);
    const until = Date.now() + 30_000;
    while (query<{ n: number }>(`SELECT count(*) n FROM webhook_deliveries WHERE status <> 'delivered'`)[0].n > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    const scrape = runTs('test/reliability/ingest-child.ts', [mirror.url], { DATABASE_PATH: t.file, HTTP_MIN_INTERVAL_MS: '0', LOG_LEVEL: 'silent' });
    expect((await scrape.exited).code, scrape.output()).toBe(0);
    // Alerts for the tenders the scrape just matched are delivered too.
    const until2 = Date.now() + 30_000;
    while (query<{ n: number }>(`SELECT count(*) n FROM webhook_deliveries WHERE status <> 'delivered'`)[0].n > 0 && Date.now() < until2) await new Promise((r) => setTimeout(r, 100));
    service.proc.kill('SIGTERM');
    expect((await service.exited).code).toBe(0);
    expect(scanForSecrets(service.output(), secrets), 'secrets in the service log').toEqual([]);

    const events = query<{ public_id: string }>(`SELECT e.public_id FROM events e JOIN webhook_deliveries d ON d.event_id = e.id`).map((r) => r.public_id);
    const notDelivered = query<{ n: number }>(`SELECT count(*) n FROM webhook_deliveries WHERE status <> 'delivered'`)[0].n;
    expect(notDelivered, 'deliveries never made').toBe(0);
    const acked = new Set(receiver.state.acknowledged);
    expect(events.filter((id) => !acked.has(id)), 'events the receiver never got').toEqual([]);
    expect(query<{ n: number }>(`SELECT count(*) n FROM tenders`)[0].n).toBe(3000);
    expect(guard.refused, 'connections beyond loopback').toEqual([]);
    report('shutdown', {
      shutdownMs,
      deliveriesInFlightAtSigterm: inFlight,
      pendingAtExit,
      eventsDelivered: events.length,
      duplicateDeliveries: receiver.state.acknowledged.length - acked.size,
      runsLeftRunning: atShutdown.runsLeftRunning.length,
      noticesLost: 0,
      eventsLost: 0,
    });
  });

  // KNOWN BUG (docs/RELIABILITY.md, "Findings"): src/server.ts closes the store in an onClose
  // hook added after buildApp, and Fastify runs onClose hooks last-added first, so the store is
  // closed before the webhook worker and the scheduler stop: the in-flight delivery's outcome,
  // the stopped scrape's last writes and its health check all meet a closed database. Nothing
  // is lost (SQLite rolls back; the delivery is sent again), but the shutdown is not clean.
  // Reads what the test above saw. Flip to `it` when fixed.
  it('SIGTERM closes the store only after in-flight work is recorded', () => {
    expect(atShutdown.log).not.toBe('');
    expect(atShutdown.log).not.toMatch(/database connection is not open/);
    expect(atShutdown.runsLeftRunning).toEqual([]);
    expect(atShutdown.acknowledgedNotRecorded).toEqual([]);
  });

  // KNOWN BUG (docs/RELIABILITY.md, "Findings"): a run stopped through its signal — what the
  // scheduler does on SIGTERM — is recorded as a success. The next run's incremental window
  // then starts at that run, and the older notices on the pages it never fetched are skipped
  // for good. In-process here (the same abort the scheduler sends), with notices from 2020.
  // Flip to `it` when fixed.
  it('notices on pages a SIGTERM-stopped run never fetched are picked up by the next run', async () => {
    const store = openStore(':memory:');
    const old = await startWorldbankMirror(500);
    old.state.noticedate = '01-Jan-2020';
    const http1 = createHttpClient({ minIntervalMs: 0, robots: false });
    try {
      const abort = new AbortController();
      old.state.onPage = (n) => n === 2 && abort.abort();
      const stopped = await runSource({ sqlite: store.sqlite, source: worldbank, http: http1, baseUrl: old.url, signal: abort.signal });
      old.state.onPage = null;
      const next = await runSource({ sqlite: store.sqlite, source: worldbank, http: http1, baseUrl: old.url });
      const stored = (store.sqlite.prepare(`SELECT count(*) n FROM tenders`).get() as { n: number }).n;
      expect(stored, `stopped run: ${stopped.status}, ${stopped.counts.seen} seen; next run: ${next.status}, ${next.counts.seen} seen`).toBe(500);
    } finally {
      await http1.close();
      await old.close();
      store.close();
    }
  });
});
