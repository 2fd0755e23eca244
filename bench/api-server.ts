/**
 * The service under load, in its own process: `mode` is `app` (the real API on the database
 * `arg`) or `ceiling` (plain Fastify: a constant JSON body, what this machine can do at best,
 * and the bytes of the file `arg` from memory, gzipped when asked, what it can do for a
 * response that size).
 * On the message `{ cmd: 'burst' }` the app runs a 5,000-notice ingest and a full re-match
 * in a worker thread, as the scheduler does, and reports event-loop delay around it.
 * SIGTERM exits cleanly, so `--cpu-prof` writes its profile.
 */
import fs from 'node:fs';
import { gzipSync } from 'node:zlib';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import Fastify from 'fastify';
import { openStore } from '../db/client.js';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';

const [mode, arg] = process.argv.slice(2);
process.on('SIGTERM', () => process.exit(0));
const histogram = monitorEventLoopDelay({ resolution: 5 });
histogram.enable();

async function main() {
  if (mode === 'ceiling') {
    const app = Fastify();
    const body = { items: [{ id: 1, title: 'Supply of solar PV systems', score: 0.8 }], nextCursor: null };
    app.get('/constant', async () => body);
    const page = fs.readFileSync(arg);
    const gzipped = gzipSync(page);
    // The page's bytes, gzipped once for a client that asks (as the service does), from memory.
    app.get('/same-bytes', async (req, reply) => {
      reply.type('application/json; charset=utf-8');
      if (!req.headers['accept-encoding']?.includes('gzip')) return reply.send(page);
      return reply.header('content-encoding', 'gzip').send(gzipped);
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    process.send!({ ready: (app.server.address() as { port: number }).port });
    return;
  }
  const databasePath = arg;
  const store = openStore(databasePath);
  const app = await buildApp({ config: loadConfig({ ...process.env, SCHEDULER: 'off', LOG_LEVEL: 'silent', RATE_LIMIT_PER_MINUTE: '1000000' }), store });
  await app.listen({ host: '127.0.0.1', port: 0 });
  process.on('message', (m: { cmd: string }) => {
    if (m.cmd === 'reset-delay') {
      histogram.reset();
      process.send!({ ok: true });
    }
    if (m.cmd === 'delay') process.send!({ delay: { p99Ms: histogram.percentile(99) / 1e6, meanMs: histogram.mean / 1e6 } });
    if (m.cmd === 'burst') {
      const worker = new Worker(new URL('../src/ingest/parse-worker-boot.mjs', import.meta.url), {
        workerData: { entry: new URL('./burst-worker.ts', import.meta.url).href, databasePath },
      });
      worker.on('message', (r) => process.send!({ burst: r }));
      worker.on('error', (err) => process.send!({ burstError: err.message }));
    }
  });
  process.send!({ ready: (app.server.address() as { port: number }).port });
}

void main();
