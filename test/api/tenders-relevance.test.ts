/**
 * Full-text search by relevance ranks in the index first and joins only its best ids, growing
 * that set when the filters reject too many: it must give exactly what ranking every match and
 * filtering them would, page after page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngestor } from '../../src/ingest/ingest.js';
import { ftsQuery, listTenders, statusSql } from '../../src/tenders/repository.js';
import { fakeSource, raw, tender } from '../helpers/fake-source.js';
import { tempStore } from '../helpers/store.js';

const NOW = '2026-11-21T00:00:00.000Z';
const PAST = { at: '2026-01-10T08:00:00.000Z', raw: '10-Jan-2026 08:00 (GMT 0.00)', zone: '+00:00', zoneKnown: true };
const BUYERS = ['UNDP Kenya', 'UNICEF Benin', 'World Bank Nepal', 'ADB Viet Nam', 'AfDB Senegal'];
const WORDS = ['pumps', 'lighting', 'panels', 'batteries', 'inverters', 'kiosks', 'water heaters', 'cold rooms'];

describe('GET /tenders?q= by relevance', () => {
  let t: ReturnType<typeof tempStore>;
  beforeAll(() => {
    t = tempStore();
    const ing = createIngestor(t.store.sqlite, fakeSource('fake', () => []), { runId: null });
    // 300 notices mentioning solar a different number of times; only every 37th is still open,
    // so a page of open ones needs far more ranked ids than the first cap.
    const items = Array.from({ length: 300 }, (_, i) =>
      tender({
        sourceId: `n${i}`,
        reference: `REF/${i}`,
        title: `${i % 3 === 0 ? 'Solar ' : ''}${WORDS[i % WORDS.length]} for district ${i} (${BUYERS[i % BUYERS.length]})`,
        description: `${'solar '.repeat(1 + (i % 5))}equipment, lot ${i}, ${WORDS[(i * 7) % WORDS.length]} and spare parts for site ${i * 13}.`,
        buyer: BUYERS[i % BUYERS.length],
        countries: [['KE', 'BJ', 'NP', 'VN', 'SN'][i % 5]],
        ...(i % 37 === 0 ? {} : { deadline: PAST }),
      }),
    );
    ing.ingestBatch(items.map((x) => raw(x)));
  });
  afterAll(() => t.cleanup());

  /** Every match ranked, then filtered: the straightforward query. */
  const reference = (q: string, extra = '', params: Record<string, unknown> = {}) =>
    (
      t.store.sqlite
        .prepare(
          `SELECT t.id FROM tenders_fts JOIN tenders t ON t.id = tenders_fts.rowid
           WHERE tenders_fts MATCH @m AND (t.cluster_id IS NULL OR t.cluster_id = t.id) ${extra}
           ORDER BY bm25(tenders_fts, 3.0, 1.0), t.id`,
        )
        .all({ m: ftsQuery(q), now: NOW, ...params }) as { id: number }[]
    ).map((r) => r.id);

  const pages = (f: Parameters<typeof listTenders>[1]) => {
    const seen: number[][] = [];
    let cursor: string | undefined;
    do {
      const page = listTenders(t.store.sqlite, { ...f, cursor }, NOW);
      seen.push(page.items.map((i) => i.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor && seen.length < 100);
    return seen;
  };

  it('gives the same rows in the same order as ranking every match, page by page', () => {
    const all = reference('solar');
    expect(all.length).toBeGreaterThan(250);
    const paged = pages({ q: 'solar', limit: 40 });
    expect(paged.flat()).toEqual(all);
    expect(paged.slice(0, -1).every((p) => p.length === 40)).toBe(true);
  });

  it('grows the ranked set when the filters reject most of it, and still pages in order', () => {
    const open = reference('solar', `AND ${statusSql('@now')} = 'open'`);
    expect(open.length).toBeGreaterThanOrEqual(5);
    expect(open.length).toBeLessThan(12);
    // The first page alone needs more than the first cap of ranked ids (64).
    expect(reference('solar').indexOf(open[2])).toBeGreaterThan(64);
    expect(pages({ q: 'solar', status: ['open'], limit: 3 }).flat()).toEqual(open);
  });

  it('ends when no match passes the filters', () => {
    expect(listTenders(t.store.sqlite, { q: 'solar', country: ['FR'], limit: 5 }, NOW)).toEqual({ items: [], nextCursor: null });
    const kenya = reference('solar', `AND EXISTS (SELECT 1 FROM json_each(t.countries) WHERE json_each.value = 'KE')`);
    expect(pages({ q: 'solar', country: ['KE'], limit: 7 }).flat()).toEqual(kenya);
  });
});
