/** The benchmark code at a tiny scale, so it can't rot. No timing is asserted. */
import { describe, expect, it } from 'vitest';
import { benchApi } from '../bench/api.js';
import { renderMarkdown } from '../bench/report.js';
import { benchIncremental, benchIngest, figure } from '../bench/suites.js';

describe('benchmark suites (tiny scale)', () => {
  it('ingest and incremental match run, and the matcher agrees with naive scoring', async () => {
    const ingest = await benchIngest(60, 1);
    expect(ingest).toMatchObject({ notices: 60, failed: 0 });
    expect(ingest.noticesPerS.median).toBeGreaterThan(0);
    const inc = benchIncremental(20, 30, 1);
    expect(inc.sameMatchSetAsNaive).toBe(true);
    expect(inc.minisearchSameMatchSet).toBe(true);
    const md = renderMarkdown({ machine: 'test', date: 'now', commit: 'x', ingest, match_incremental: inc });
    expect(md).toMatch(/## Ingest/);
    expect(md).toMatch(/Same match set as naive: yes/);
  });

  it('api and interference run against a server in its own process, on loopback', async () => {
    const r = await benchApi({ tenders: 200, open: 50, firms: 10, matches: 200 }, 1);
    expect(r.idle.alerts.errors + r.idle.alerts.non2xx).toBe(0);
    expect(r.busy.errors + r.busy.non2xx).toBe(0);
    expect(r.burst.ingestSeconds).toBeGreaterThan(0);
  }, 60_000);

  it('summarizes repeated runs as median, min and max', () => {
    expect(figure([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3, runs: 3 });
  });
});
