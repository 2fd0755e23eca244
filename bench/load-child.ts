/**
 * The load generator in its own process: autocannon against one URL, figures back over IPC.
 * Run apart from the bench runner, whose heap holds the earlier suites' data (a 1 GB heap
 * halves autocannon's rate on a 70 KB body: its garbage collections grow with the heap).
 */
import autocannon from 'autocannon';

process.once('message', async (m: { url: string; headers: Record<string, string>; seconds: number; connections: number }) => {
  const r = await autocannon({ url: m.url, headers: m.headers, connections: m.connections, duration: m.seconds, pipelining: 1 });
  process.send!({ rps: r.requests.average, p50Ms: r.latency.p50, p99Ms: r.latency.p99, errors: r.errors, non2xx: r.non2xx }, () => process.exit(0));
});
