import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { linkTenders, pairScore, unlinkTender } from '../../src/ingest/cluster.js';
import { createIngestor } from '../../src/ingest/ingest.js';
import { fakeSource, raw, tender } from '../helpers/fake-source.js';
import { bearer } from '../helpers/auth.js';
import { tempStore, testConfig } from '../helpers/store.js';

describe('one record per tender across sources', () => {
  let t: ReturnType<typeof tempStore>;
  beforeEach(() => (t = tempStore()));
  afterEach(() => t.cleanup());

  const ingest = (source: string, items: ReturnType<typeof tender>[]) => {
    const ing = createIngestor(t.store.sqlite, fakeSource(source, () => []), { runId: null });
    ing.ingestBatch(items.map((x) => raw(x)));
    return ing.changed.filter((c) => c.result === 'new').map((c) => c.id);
  };
  const clusterOf = (source: string, sourceId: string) =>
    (t.store.sqlite.prepare(`SELECT COALESCE(cluster_id, id) AS c FROM tenders WHERE source = ? AND source_id = ?`).get(source, sourceId) as any).c;

  const ungmNotice = tender({
    sourceId: '316874',
    reference: 'UNDP-AFG-00891',
    title: 'Rehabilitation and Construction of Access Roads, Drainage and RCC Box Culverts i',
    buyer: 'UNDP',
    countries: ['AF'],
    deadline: { at: '2026-10-22T08:00:00.000Z', raw: '22-Oct-2026 08:00 (GMT 0.00)', zone: '+00:00', zoneKnown: true },
  });
  const agencyNotice = tender({
    sourceId: 'nego-38408',
    reference: 'UNDP-AFG-00891',
    title: 'Rehabilitation and Construction of Access Roads, Drainage and RCC Box Culverts in Kandahar',
    buyer: 'UNDP Afghanistan',
    countries: ['AF'],
    deadline: { at: '2026-10-22T03:30:00.000Z', raw: '22-Oct-26 08:00 AM', zone: 'Asia/Kabul', zoneKnown: true },
  });

  it('links a UNGM notice and the same notice from the agency into one cluster', () => {
    ingest('ungm', [ungmNotice]);
    const ids = ingest('undp', [agencyNotice]);
    const links = linkTenders(t.store.sqlite, ids);
    expect(links).toHaveLength(1);
    expect(links[0].reasons).toContain('same reference');
    expect(clusterOf('undp', 'nego-38408')).toBe(clusterOf('ungm', '316874'));
  });

  it('keeps two similar but different tenders apart (two lots of one programme)', () => {
    ingest('ungm', [tender({ sourceId: 'lot1', reference: 'RFQ-2026-101', title: 'Supply of laptops for schools, Lot 1: Kabul', countries: ['AF'] })]);
    const ids = ingest('ungm', [tender({ sourceId: 'lot2', reference: 'RFQ-2026-102', title: 'Supply of laptops for schools, Lot 2: Herat', countries: ['AF'] })]);
    expect(linkTenders(t.store.sqlite, ids)).toEqual([]);
    expect(clusterOf('ungm', 'lot2')).not.toBe(clusterOf('ungm', 'lot1'));
  });

  it('keeps apart same-titled notices in different countries or with far-apart deadlines', () => {
    const x = { id: 1, cluster_id: 1, source: 'a', title_key: 'suppli vehicl', deadline_at: '2026-10-01T00:00:00Z', project_id: null, countries: '["AF"]', notice_type: 'invitation_to_bid' };
    expect(pairScore(x, { ...x, id: 2, countries: '["KE"]' }, false).score).toBeLessThan(0.65);
    expect(pairScore(x, { ...x, id: 2, deadline_at: '2026-11-15T00:00:00Z' }, false).score).toBeLessThan(0.65);
    expect(pairScore(x, { ...x, id: 2 }, false).score).toBeGreaterThanOrEqual(0.65);
  });

  it('links a corrigendum published as a separate notice to the notice it amends', () => {
    ingest('worldbank', [tender({ sourceId: 'OP1', reference: null, identifiers: { bidReference: 'AF-MOE-123456-GO-RFB' }, title: 'Supply of solar PV systems for schools', projectId: 'P179311' })]);
    const ids = ingest('worldbank', [
      tender({
        sourceId: 'OP2', reference: null, noticeType: 'amendment', identifiers: { bidReference: 'AF-MOE-123456-GO-RFB' },
        title: 'Corrigendum: Supply of solar PV systems for schools', projectId: 'P179311',
        deadline: { at: '2027-01-15T12:00:00.000Z', raw: '15-Jan-2027 12:00', zone: null, zoneKnown: false },
      }),
    ]);
    expect(linkTenders(t.store.sqlite, ids)).toHaveLength(1);
    expect(clusterOf('worldbank', 'OP2')).toBe(clusterOf('worldbank', 'OP1'));
  });

  it('changes a tender\'s status when the source cancels it', async () => {
    ingest('ungm', [ungmNotice]);
    ingest('ungm', [{ ...ungmNotice, status: 'cancelled' }]);
    const app = await buildApp({ config: testConfig(), store: t.store, sources: [fakeSource('ungm', () => [])] });
    const headers = bearer(t.store, 'adviser');
    const r = (await app.inject({ url: '/tenders?status=cancelled', headers })).json();
    expect(r.items.map((x: any) => x.sourceId)).toEqual(['316874']);
    expect((await app.inject({ url: `/tenders/${r.items[0].id}`, headers })).json().versions[0].changes.sourceStatus).toEqual({ from: null, to: 'cancelled' });
    await app.close();
  });

  it('shows a cluster once with all its sources, and an adviser can undo a wrong link for good', async () => {
    t.store.sqlite.prepare(`INSERT INTO firms (id, name, profile, created_at, updated_at) VALUES ('f1', 'F1', '{}', '', '')`).run();
    const [ungmId] = ingest('ungm', [ungmNotice]);
    const ids = ingest('undp', [agencyNotice]);
    linkTenders(t.store.sqlite, ids);
    const app = await buildApp({ config: testConfig(), store: t.store, sources: [fakeSource('ungm', () => [])] });
    const headers = bearer(t.store, 'adviser');
    const list = (await app.inject({ url: '/tenders', headers })).json();
    expect(list.items).toHaveLength(1);
    expect(list.items[0].sources.map((s: any) => s.source).sort()).toEqual(['undp', 'ungm']);
    expect((await app.inject({ url: '/tenders?source=undp', headers })).json().items).toHaveLength(1);

    const r = await app.inject({ method: 'POST', url: `/tenders/${ids[0]}/unlink`, headers });
    expect(r.statusCode).toBe(200);
    expect((await app.inject({ url: '/tenders', headers })).json().items).toHaveLength(2);
    // The linker never makes that link again.
    expect(linkTenders(t.store.sqlite, ids)).toEqual([]);
    expect(clusterOf('undp', 'nego-38408')).not.toBe(ungmId);
    expect((await app.inject({ method: 'POST', url: '/tenders/999999/unlink', headers })).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: `/tenders/${ids[0]}/unlink`, headers: bearer(t.store, 'firm', 'f1') })).statusCode).toBe(403);
    await app.close();
  });

  it('promotes the next member when the canonical record is unlinked', () => {
    const [first] = ingest('ungm', [ungmNotice]);
    const ids = ingest('undp', [agencyNotice]);
    linkTenders(t.store.sqlite, ids);
    expect(unlinkTender(t.store.sqlite, first, 'test')).toEqual([first, ids[0]]);
    expect(clusterOf('undp', 'nego-38408')).toBe(ids[0]);
    expect(clusterOf('ungm', '316874')).toBe(first);
  });
});
