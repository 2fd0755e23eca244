import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore, type Store } from '../../db/client.js';
import { loadConfig, type Config } from '../../src/config.js';

/** A migrated store in a fresh temporary folder; removed by cleanup(). */
export function tempStore(): { store: Store; file: string; dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gpass-test-'));
  const file = path.join(dir, 'test.db');
  const store = openStore(file);
  return {
    store,
    file,
    dir,
    cleanup: () => {
      try {
        store.close();
      } catch {
        /* already closed */
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function testConfig(overrides: NodeJS.ProcessEnv = {}): Config {
  return loadConfig({ SCHEDULER: 'off', LOG_LEVEL: 'silent', HTTP_MIN_INTERVAL_MS: '0', ...overrides });
}

/** Where the shared, real fixtures live (CI puts shared/ beside the checkout). */
export const SHARED_DIR = process.env.SHARED_DIR ?? path.resolve(import.meta.dirname, '../../../shared');
export const sharedExists = (sub: string) => fs.existsSync(path.join(SHARED_DIR, sub));
