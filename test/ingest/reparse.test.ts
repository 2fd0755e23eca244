import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TenderInput } from '../../scrapers/contract.js';
import { createIngestor } from '../../src/ingest/ingest.js';
import { reparseSource } from '../../src/ingest/reparse.js';
import { fakeSource, raw, tender } from '../helpers/fake-source.js';
import { tempStore } from '../helpers/store.js';

describe('reparse', () => {
  let t: ReturnType<typeof tempStore>;
  beforeEach(() => (t = tempStore()));
  afterEach(() => t.cleanup());

  it('fixes stored records after a parser change, without network access', () => {
    // Version 1 of the parser drops the country (a bug); version 2 reads it.
    const buggy = { ...fakeSource('src', () => []), parse: (r: any) => ({ notice: { ...(JSON.parse(r.payload) as TenderInput), countries: [] }, problems: [] }) };
    const ing = createIngestor(t.store.sqlite, buggy, { runId: null });
    ing.ingestBatch([raw(tender({ sourceId: 'n1', countries: ['KE'] })), raw(tender({ sourceId: 'n2', countries: ['AF'] })), raw('{broken', 'n3')]);
    expect(t.store.sqlite.prepare(`SELECT countries FROM tenders ORDER BY id`).all()).toEqual([{ countries: '[]' }, { countries: '[]' }]);

    const fixed = { ...fakeSource('src', () => []), parserVersion: 2, fetch: () => { throw new Error('reparse must not fetch'); } };
    const s = reparseSource(t.store.sqlite, fixed as any);
    expect(s.counts).toMatchObject({ seen: 3, amended: 2, failed: 1 });
    expect(t.store.sqlite.prepare(`SELECT countries FROM tenders ORDER BY id`).all()).toEqual([{ countries: '["KE"]' }, { countries: '["AF"]' }]);
    const v = t.store.sqlite.prepare(`SELECT changes FROM tender_versions ORDER BY id`).all() as any[];
    expect(JSON.parse(v[0].changes).countries).toEqual({ from: [], to: ['KE'] });
    expect(t.store.sqlite.prepare(`SELECT DISTINCT parser_version AS v FROM raw_notices WHERE parse_error IS NULL`).all()).toEqual([{ v: 2 }]);
  });
});
