/**
 * API keys: `gpk_<id>_<secret>`. The id is public (it finds the row); only a SHA-256 hash of
 * the secret is stored — the secret is 32 random bytes, so a fast hash is enough (as for
 * GitHub or Stripe tokens) — and compared in constant time. Shown once at creation.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type Database from 'better-sqlite3';
import { prepareCached } from '../../db/client.js';

export const ROLES = ['admin', 'adviser', 'firm'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  keyId: string;
  role: Role;
  /** Set for firm keys: the one firm this key reaches. */
  firmId: string | null;
}

export interface ApiKeyRecord {
  id: string;
  role: Role;
  firmId: string | null;
  name: string | null;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

const hash = (secret: string) => createHash('sha256').update(secret).digest();

export class KeyError extends Error {
  readonly statusCode = 400;
}

export function createApiKey(sqlite: Database.Database, opts: { role: Role; firmId?: string | null; name?: string | null }, now = new Date().toISOString()) {
  if (!ROLES.includes(opts.role)) throw new KeyError(`role must be one of ${ROLES.join(', ')}`);
  if (opts.role === 'firm' && !opts.firmId) throw new KeyError('a firm key needs a firm id');
  if (opts.role !== 'firm' && opts.firmId) throw new KeyError(`an ${opts.role} key is not bound to a firm`);
  if (opts.firmId && !sqlite.prepare('SELECT 1 FROM firms WHERE id = ?').get(opts.firmId)) throw new KeyError(`firm "${opts.firmId}" does not exist`);
  const id = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  sqlite
    .prepare(`INSERT INTO api_keys (id, secret_hash, role, firm_id, name, created_at) VALUES (?, ?, ?, ?, ?, ?)`)
    .run(id, hash(secret).toString('hex'), opts.role, opts.firmId ?? null, opts.name ?? null, now);
  return { key: `gpk_${id}_${secret}`, record: getKey(sqlite, id)! };
}

const LAST_USED_RESOLUTION_MS = 60_000;

const KEY_RE = /^gpk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

/** The principal for a presented key, or null (unknown, malformed, revoked, wrong secret). */
export function verifyApiKey(sqlite: Database.Database, presented: string, now = new Date().toISOString()): Principal | null {
  const m = KEY_RE.exec(presented);
  if (!m) return null;
  // Read at each verification: revoked_at as it is now (the request path remembers a result
  // for KEY_CACHE_MS, see createKeyVerifier).
  const row = prepareCached(sqlite, `SELECT id, secret_hash, role, firm_id, revoked_at, last_used_at FROM api_keys WHERE id = ?`).get(m[1]) as
    | { id: string; secret_hash: string; role: Role; firm_id: string | null; revoked_at: string | null; last_used_at: string | null }
    | undefined;
  const expected = row ? Buffer.from(row.secret_hash, 'hex') : hash('no such key');
  const ok = timingSafeEqual(expected, hash(m[2]));
  if (!row || !ok || row.revoked_at) return null;
  // Last use to the minute: a write on every request would queue API reads behind ingest writes.
  if (!row.last_used_at || Date.parse(now) - Date.parse(row.last_used_at) >= LAST_USED_RESOLUTION_MS) {
    prepareCached(sqlite, `UPDATE api_keys SET last_used_at = ? WHERE id = ?`).run(now, row.id);
  }
  return { keyId: row.id, role: row.role, firmId: row.firm_id };
}

/** Bumped by every revocation in this process: verifications cached before it no longer count. */
let revocations = 0;

/** How long a verified key is served from memory; a key revoked by another process (the CLI) stops working within it. */
export const KEY_CACHE_MS = 1000;

/**
 * `verifyApiKey` with a short memory, for the per-request path: a key verified in the last
 * KEY_CACHE_MS (hashed, compared in constant time, revoked_at checked) is taken as is when the
 * exact same string comes again. A revocation in this process (`revokeKey`: the admin route)
 * voids every cached verification at once; one made by another process takes effect within
 * KEY_CACHE_MS. Only keys that verified are remembered, at most `maxEntries`. `sqlite` is asked
 * for the connection at each verification (the app's store may be given a new one).
 */
export function createKeyVerifier(sqlite: () => Database.Database, opts: { ttlMs?: number; maxEntries?: number; clock?: () => number } = {}) {
  const ttlMs = opts.ttlMs ?? KEY_CACHE_MS;
  const maxEntries = opts.maxEntries ?? 10_000;
  const clock = opts.clock ?? Date.now;
  const verified = new Map<string, { principal: Principal; until: number; revocations: number }>();
  return (presented: string): Principal | null => {
    const now = clock();
    const hit = verified.get(presented);
    if (hit && hit.until > now && hit.revocations === revocations) return hit.principal;
    if (hit) verified.delete(presented);
    const seenRevocations = revocations;
    const principal = verifyApiKey(sqlite(), presented, new Date(now).toISOString());
    if (principal) {
      if (verified.size >= maxEntries) verified.delete(verified.keys().next().value!);
      verified.set(presented, { principal: Object.freeze(principal), until: now + ttlMs, revocations: seenRevocations });
    }
    return principal;
  };
}

function toRecord(r: { id: string; role: Role; firm_id: string | null; name: string | null; created_at: string; revoked_at: string | null; last_used_at: string | null }): ApiKeyRecord {
  return { id: r.id, role: r.role, firmId: r.firm_id, name: r.name, createdAt: r.created_at, revokedAt: r.revoked_at, lastUsedAt: r.last_used_at };
}

export function getKey(sqlite: Database.Database, id: string): ApiKeyRecord | null {
  const r = sqlite.prepare(`SELECT * FROM api_keys WHERE id = ?`).get(id) as Parameters<typeof toRecord>[0] | undefined;
  return r ? toRecord(r) : null;
}

export function listKeys(sqlite: Database.Database): ApiKeyRecord[] {
  return (sqlite.prepare(`SELECT * FROM api_keys ORDER BY created_at, id`).all() as Parameters<typeof toRecord>[0][]).map(toRecord);
}

export function revokeKey(sqlite: Database.Database, id: string, now = new Date().toISOString()): boolean {
  const changed = sqlite.prepare(`UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?`).run(now, id).changes > 0;
  revocations++;
  return changed;
}
