import { describe, expect, it } from 'vitest';
import { benchWebhooks } from '../../bench/webhooks.js';

describe('webhook benchmark', () => {
  it('runs at a tiny scale and reports throughput and latency', async () => {
    const r = await benchWebhooks(40, { endpoints: 2, latencySamples: 10 });
    expect(r.deliveriesPerS).toBeGreaterThan(0);
    expect(r.latencyP50Ms).toBeGreaterThan(0);
    expect(r.latencyP99Ms).toBeGreaterThanOrEqual(r.latencyP50Ms);
  });
});
