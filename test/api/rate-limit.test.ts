import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { bearer } from '../helpers/auth.js';
import { tempStore, testConfig } from '../helpers/store.js';

describe('rate limits per key', () => {
  let t: ReturnType<typeof tempStore>;
  let app: App;
  beforeEach(async () => {
    t = tempStore();
    app = await buildApp({ config: testConfig({ RATE_LIMIT_PER_MINUTE: '3' }), store: t.store });
  });
  afterEach(async () => {
    await app.close();
    t.cleanup();
  });

  it('answers 429 in the standard shape once a key spends its budget; another key has its own', async () => {
    const a = bearer(t.store, 'adviser');
    const b = bearer(t.store, 'adviser');
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await app.inject({ url: '/tenders', headers: a })).statusCode);
    expect(codes).toEqual([200, 200, 200, 429]);
    const limited = await app.inject({ url: '/tenders', headers: a });
    expect(limited.json()).toMatchObject({ statusCode: 429, error: 'Too Many Requests', message: expect.stringMatching(/3 requests a minute/) });
    expect((await app.inject({ url: '/tenders', headers: b })).statusCode).toBe(200);
  });
});
