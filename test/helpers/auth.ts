import type { Store } from '../../db/client.js';
import { createApiKey, type Role } from '../../src/auth/keys.js';

/** An Authorization header for a new key of that role. */
export function bearer(store: Store, role: Role, firmId?: string): { authorization: string } {
  return { authorization: `Bearer ${createApiKey(store.sqlite, { role, firmId }).key}` };
}
