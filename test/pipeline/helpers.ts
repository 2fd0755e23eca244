/**
 * A store with two firms and published alerts (tenders ingested through the real ingestor,
 * alerts published by an adviser's recommendation), and the app built on it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TenderInput } from '../../scrapers/contract.js';
import { recommend } from '../../src/alerts/service.js';
import { buildApp, type App } from '../../src/app.js';
import { createFirm } from '../../src/firms/repository.js';
import { createIngestor } from '../../src/ingest/ingest.js';
import { afterRun } from '../../src/ingest/scrape.js';
import { bearer } from '../helpers/auth.js';
import { fakeSource, raw, tender } from '../helpers/fake-source.js';
import { tempStore, testConfig } from '../helpers/store.js';

export const ADVISER = { id: 'adviser-1', role: 'adviser' };

export async function pipelineWorld(opts: { fxCsv?: string } = {}) {
  const t = tempStore();
  const sqlite = t.store.sqlite;
  createFirm(sqlite, { id: 'hanbit', name: 'Hanbit Solar', nameKo: '한빛솔라', keywords: ['solar PV'], countries: ['east-africa'], sector: 'energy', gpassDesignatedOn: '2024-03-15' });
  createFirm(sqlite, { id: 'secu', name: 'SecuVision', nameKo: '시큐비전', keywords: ['CCTV'], countries: ['AF'], sector: 'security', gpassDesignatedOn: '2025-06-01' });
  const src = fakeSource('fake', () => []);
  const ingest = (items: TenderInput[]) => {
    const ing = createIngestor(sqlite, src, { runId: null });
    ing.ingestBatch(items.map((x) => raw(x)));
    return afterRun(t.store, { runId: 0, source: 'fake', status: 'success', pages: 1, counts: ing.counts, problems: 0, error: null, changed: ing.changed, startedAt: '', finishedAt: '' });
  };
  const tenderId = (sourceId: string) => (sqlite.prepare(`SELECT id FROM tenders WHERE source_id = ?`).get(sourceId) as { id: number }).id;
  /** Publishes the tender to the firm as an alert; answers the alert id. */
  const alert = (sourceId: string, firmId: string, now?: string) => recommend(sqlite, tenderId(sourceId), [firmId], 'worth a bid', ADVISER, now)[0];

  let fxPath: string | undefined;
  if (opts.fxCsv) fs.writeFileSync((fxPath = path.join(t.dir, 'rates.csv')), opts.fxCsv);
  const app: App = await buildApp({ config: testConfig(fxPath ? { FX_RATES_PATH: fxPath } : {}), store: t.store, sources: [src] });
  const keys = {
    adviser: bearer(t.store, 'adviser'),
    admin: bearer(t.store, 'admin'),
    firm: bearer(t.store, 'firm', 'hanbit'),
    otherFirm: bearer(t.store, 'firm', 'secu'),
  };
  const call = async (method: string, url: string, headers: object, payload?: object) => {
    const r = await app.inject({ method: method as 'GET', url, headers: headers as Record<string, string>, ...(payload ? { payload } : {}) });
    const json = r.headers['content-type']?.toString().includes('json');
    return { status: r.statusCode, body: r.body && json ? r.json() : r.body, headers: r.headers } as { status: number; body: any; headers: Record<string, unknown> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  return {
    store: t.store,
    sqlite,
    app,
    keys,
    call,
    ingest,
    alert,
    tenderId,
    async close() {
      await app.close();
      t.cleanup();
    },
  };
}

export { tender };
