/**
 * Verified keys are remembered briefly: a revocation in this process takes effect at once,
 * one made by another process within KEY_CACHE_MS. The clock is passed in; nothing is timed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../db/client.js';
import { buildApp } from '../../src/app.js';
import { KEY_CACHE_MS, createApiKey, createKeyVerifier, revokeKey } from '../../src/auth/keys.js';
import { createFirm } from '../../src/firms/repository.js';
import { tempStore, testConfig } from '../helpers/store.js';

describe('key verification cache', () => {
  let t: ReturnType<typeof tempStore>;
  let other: Store;
  let now: number;
  const clock = () => now;

  beforeEach(() => {
    t = tempStore();
    other = openStore(t.file, { migrate: false });
    createFirm(t.store.sqlite, { id: 'hanbit', name: 'Hanbit Solar', keywords: ['solar PV'] });
    now = Date.parse('2026-11-21T00:00:00.000Z');
  });
  afterEach(() => {
    other.close();
    t.cleanup();
  });

  it('stops a key revoked in this process at once', () => {
    const { key, record } = createApiKey(t.store.sqlite, { role: 'firm', firmId: 'hanbit' });
    const verify = createKeyVerifier(() => t.store.sqlite, { clock });
    expect(verify(key)).toEqual({ keyId: record.id, role: 'firm', firmId: 'hanbit' });
    revokeKey(t.store.sqlite, record.id);
    expect(verify(key)).toBeNull();
  });

  it('stops a key revoked by another process within KEY_CACHE_MS', () => {
    const { key, record } = createApiKey(t.store.sqlite, { role: 'adviser' });
    const verify = createKeyVerifier(() => t.store.sqlite, { clock });
    expect(verify(key)?.keyId).toBe(record.id);
    // Another process (the CLI) revokes it: this process is not told.
    other.sqlite.prepare(`UPDATE api_keys SET revoked_at = ? WHERE id = ?`).run(new Date(now).toISOString(), record.id);
    now += KEY_CACHE_MS - 1;
    expect(verify(key)?.keyId).toBe(record.id);
    now += 1;
    expect(verify(key)).toBeNull();
    now += 10 * KEY_CACHE_MS;
    expect(verify(key)).toBeNull();
  });

  it('never takes a wrong secret for a remembered key', () => {
    const { key } = createApiKey(t.store.sqlite, { role: 'admin' });
    const verify = createKeyVerifier(() => t.store.sqlite, { clock });
    expect(verify(key)).not.toBeNull();
    const [prefix, id, secret] = key.split('_');
    const wrong = `${prefix}_${id}_${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
    expect(verify(wrong)).toBeNull();
    expect(verify(`${key} `)).toBeNull();
    expect(verify(key)).not.toBeNull();
  });

  it('still records the last use, to the minute', () => {
    const { key, record } = createApiKey(t.store.sqlite, { role: 'adviser' });
    const verify = createKeyVerifier(() => t.store.sqlite, { clock });
    const lastUsed = () => (t.store.sqlite.prepare(`SELECT last_used_at AS at FROM api_keys WHERE id = ?`).get(record.id) as { at: string | null }).at;
    verify(key);
    expect(lastUsed()).toBe(new Date(now).toISOString());
    const first = lastUsed();
    now += 30_000;
    verify(key);
    expect(lastUsed()).toBe(first);
    now += 30_000;
    verify(key);
    expect(lastUsed()).toBe(new Date(now).toISOString());
  });

  it('answers 401 to a key revoked through the API on its very next request', async () => {
    const app = await buildApp({ config: testConfig(), store: t.store });
    try {
      const admin = { authorization: `Bearer ${createApiKey(t.store.sqlite, { role: 'admin' }).key}` };
      const { key, record } = createApiKey(t.store.sqlite, { role: 'firm', firmId: 'hanbit' });
      const firm = { authorization: `Bearer ${key}` };
      expect((await app.inject({ url: '/firms/hanbit/alerts', headers: firm })).statusCode).toBe(200);
      expect((await app.inject({ method: 'DELETE', url: `/keys/${record.id}`, headers: admin })).statusCode).toBe(204);
      const r = await app.inject({ url: '/firms/hanbit/alerts', headers: firm });
      expect(r.statusCode).toBe(401);
      expect(r.json()).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    } finally {
      await app.close();
    }
  });
});
