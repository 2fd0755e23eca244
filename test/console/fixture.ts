/**
 * A store for console tests: three firms, tenders from two sources (one amended), proposed
 * matches across firms, a recipient and a webhook, an adviser key and a firm key.
 */
import { buildApp, type App } from '../../src/app.js';
import { createApiKey } from '../../src/auth/keys.js';
import { createFirm } from '../../src/firms/repository.js';
import { createIngestor } from '../../src/ingest/ingest.js';
import { afterRun } from '../../src/ingest/scrape.js';
import { createRecipient } from '../../src/notifications/recipients.js';
import { createEndpoint } from '../../src/webhooks/endpoints.js';
import { fakeSource, raw, tender } from '../helpers/fake-source.js';
import { tempStore, testConfig } from '../helpers/store.js';

const day = 86_400_000;
const at = (days: number) => {
  const iso = new Date(Date.now() + days * day).toISOString();
  return { at: iso, raw: iso, zone: '+00:00', zoneKnown: true };
};

export async function consoleFixture() {
  const t = tempStore();
  const sqlite = t.store.sqlite;
  createFirm(sqlite, { id: 'hanbit', name: 'Hanbit Solar', nameKo: '한빛솔라', gpassDesignated: true, keywords: ['solar PV', 'mini-grid', 'solar water pumping'], countries: [] });
  createFirm(sqlite, { id: 'secu', name: 'SecuVision', nameKo: '시큐비전', keywords: ['CCTV', 'video surveillance'] });
  createFirm(sqlite, { id: 'aqua', name: 'Aqua Pumps', keywords: ['water pumps', 'borehole'] });
  const undp = fakeSource('undp', () => []);
  const wb = fakeSource('wb', () => []);
  const ingest = (src: ReturnType<typeof fakeSource>, items: ReturnType<typeof tender>[]) => {
    const ing = createIngestor(sqlite, src, { runId: null });
    ing.ingestBatch(items.map((x) => raw(x)));
    afterRun(t.store, { runId: 0, source: src.id, status: 'success', pages: 1, counts: ing.counts, problems: 0, error: null, changed: ing.changed, startedAt: '', finishedAt: '' });
  };
  ingest(undp, [
    tender({ sourceId: 'u1', title: 'Supply of solar PV systems for rural clinics', description: 'Supply and installation of solar PV systems and batteries for 40 clinics.', buyer: 'UNDP Afghanistan', countries: ['AF'], deadline: at(20) }),
    tender({ sourceId: 'u2', title: 'Hybrid mini-grid for a health centre', description: 'Design and build of a solar mini-grid with storage.', buyer: 'UNICEF Kenya', countries: ['KE'], deadline: at(5) }),
    tender({ sourceId: 'u3', title: 'CCTV and video surveillance for the ministry', description: 'Supply of CCTV cameras and a video management system.', buyer: 'UNOPS', countries: ['KE'], deadline: at(40) }),
    tender({ sourceId: 'u4', title: 'Solar water pumping systems and water pumps for boreholes', description: 'Solar water pumping for 12 boreholes, with water pumps and controllers.', buyer: 'UNICEF Ethiopia', countries: ['ET'], deadline: at(12) }),
  ]);
  ingest(wb, [
    tender({ sourceId: 'w1', title: 'Solar PV mini-grids for islands', description: 'Solar PV mini-grids on five islands.', buyer: 'Ministry of Energy', countries: ['FJ'], deadline: at(30) }),
    tender({ sourceId: 'w2', title: 'Road rehabilitation works', description: 'Rehabilitation of 30 km of rural roads.', buyer: 'Ministry of Works', countries: ['TZ'], deadline: at(25) }),
  ]);
  // An amendment: the deadline of u1 moves.
  ingest(undp, [tender({ sourceId: 'u1', title: 'Supply of solar PV systems for rural clinics', description: 'Supply and installation of solar PV systems and batteries for 40 clinics.', buyer: 'UNDP Afghanistan', countries: ['AF'], deadline: at(27) })]);
  createRecipient(sqlite, 'hanbit', { email: 'bids@hanbit.example', name: 'Kim Bid', language: 'ko' });
  createEndpoint(sqlite, { firmId: 'hanbit', url: 'https://93.184.216.34/hook', eventTypes: ['alert.created'] });
  const adviser = createApiKey(sqlite, { role: 'adviser', name: 'Park (PPS)' });
  const admin = createApiKey(sqlite, { role: 'admin' });
  const firmKey = createApiKey(sqlite, { role: 'firm', firmId: 'hanbit' });
  const app: App = await buildApp({ config: testConfig(), store: t.store, sources: [undp, wb] });
  const tenderId = (sourceId: string) => (sqlite.prepare(`SELECT id FROM tenders WHERE source_id = ?`).get(sourceId) as { id: number }).id;
  const matchId = (firm: string, sourceId: string) => (sqlite.prepare(`SELECT id FROM matches WHERE firm_id = ? AND tender_id = ?`).get(firm, tenderId(sourceId)) as { id: number } | undefined)?.id;
  return {
    app,
    store: t.store,
    sqlite,
    keys: { adviser: adviser.key, adviserId: adviser.record.id, admin: admin.key, firm: firmKey.key },
    tenderId,
    matchId,
    cleanup: async () => {
      await app.close();
      t.cleanup();
    },
  };
}
export type ConsoleFixture = Awaited<ReturnType<typeof consoleFixture>>;
