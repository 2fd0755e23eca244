/**
 * Suite webhooks: the delivery worker against a local receiver on 127.0.0.1.
 * - Throughput: `deliveries` events queued up front, spread over `endpoints` endpoints (each
 *   endpoint is served in order, one request at a time), then the worker drains them: deliveries
 *   a second, signing and the outbox bookkeeping included.
 * - Latency: events recorded one at a time while the worker runs; event recorded → request
 *   received by the receiver, p50 and p99.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { openStore } from '../db/client.js';
import { recordEvent } from '../src/events/events.js';
import { createFirm } from '../src/firms/repository.js';
import { createEndpoint } from '../src/webhooks/endpoints.js';
import { createUrlGuard } from '../src/webhooks/ssrf.js';
import { createDeliveryWorker } from '../src/webhooks/worker.js';

export interface WebhookFigures {
  deliveriesPerS: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

export async function benchWebhooks(deliveries: number, opts: { endpoints?: number; latencySamples?: number } = {}): Promise<WebhookFigures> {
  const endpoints = opts.endpoints ?? 4;
  const samples = opts.latencySamples ?? Math.min(deliveries, 500);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gpass-bench-webhooks-'));
  const store = openStore(path.join(dir, 'bench.db'));
  const arrived = new Map<string, number>();
  const server = http.createServer((req, res) => {
    arrived.set(String(req.headers['webhook-id']), performance.now());
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const guard = createUrlGuard({ allowNetworks: ['127.0.0.0/8'], allowHttp: false });
  const worker = createDeliveryWorker({ sqlite: store.sqlite, guard, concurrency: endpoints });
  const delivered = store.sqlite.prepare(`SELECT count(*) AS n FROM webhook_deliveries WHERE status = 'delivered'`);
  const count = () => (delivered.get() as { n: number }).n;
  const waitUntil = async (n: number) => {
    while (count() < n) await new Promise((r) => setTimeout(r, 2));
  };
  try {
    const firms = Array.from({ length: endpoints }, (_, i) => createFirm(store.sqlite, { id: `bench${i}`, name: `Bench ${i}` }).id);
    for (const firmId of firms) createEndpoint(store.sqlite, { firmId, url, eventTypes: ['alert.created'] });
    const record = (i: number) => recordEvent(store.sqlite, { type: 'alert.created', firmId: firms[i % endpoints], tenderId: i, matchId: i, data: { alertId: i, seq: i } });

    // Throughput: a full queue, drained.
    store.sqlite.transaction(() => {
      for (let i = 0; i < deliveries; i++) record(i);
    })();
    const t0 = performance.now();
    worker.start();
    await waitUntil(deliveries);
    const deliveriesPerS = deliveries / ((performance.now() - t0) / 1000);

    // Latency: one event at a time on a running worker.
    const latencies: number[] = [];
    for (let i = 0; i < samples; i++) {
      const at = performance.now();
      const ev = store.sqlite.transaction(() => record(deliveries + i))();
      await waitUntil(deliveries + i + 1);
      latencies.push(arrived.get(ev.publicId)! - at);
    }
    latencies.sort((a, b) => a - b);
    return {
      deliveriesPerS: Math.round(deliveriesPerS),
      latencyP50Ms: Number(percentile(latencies, 50).toFixed(2)),
      latencyP99Ms: Number(percentile(latencies, 99).toFixed(2)),
    };
  } finally {
    await worker.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
