import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { createFirm, getFirm } from '../../src/firms/repository.js';
import { bearer } from '../helpers/auth.js';
import { tempStore, testConfig } from '../helpers/store.js';

describe('nullable fields keep their values through validation', () => {
  let t: ReturnType<typeof tempStore>;
  let app: App;
  beforeEach(async () => {
    t = tempStore();
    createFirm(t.store.sqlite, { id: 'f1', name: 'F1', nameKo: '에프원', maxValueUsd: 5 });
    app = await buildApp({ config: testConfig(), store: t.store });
  });
  afterEach(async () => {
    await app.close();
    t.cleanup();
  });

  it('stores a JSON null as null, not as an empty string or zero', async () => {
    const r = await app.inject({ method: 'PATCH', url: '/firms/f1', headers: bearer(t.store, 'adviser'), payload: { nameKo: null, maxValueUsd: null } });
    expect(r.statusCode).toBe(200);
    expect(getFirm(t.store.sqlite, 'f1')).toMatchObject({ nameKo: null, maxValueUsd: null });
  });

  it('keeps a zero as zero', async () => {
    const r = await app.inject({ method: 'PUT', url: '/firms/f1/auto-publish', headers: bearer(t.store, 'adviser'), payload: { threshold: 0 } });
    expect(r.json()).toMatchObject({ threshold: 0 });
    const row = t.store.sqlite.prepare(`SELECT auto_publish_threshold AS x FROM firms WHERE id = 'f1'`).get() as { x: number | null };
    expect(row.x).toBe(0);
  });
});
