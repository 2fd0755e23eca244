/**
 * API keys: `gpk_<id>_<secret>`. The id is public (it finds the row); only a SHA-256 hash of
 * the secret is stored — the secret is 32 random bytes, so a fast hash is enough (as for
 * GitHub or Stripe tokens) — and compared in constant time. Shown once at creation.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type Database from 'better-sqlite3';

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
  const row = sqlite.prepare(`SELECT id, secret_hash, role, firm_id, revoked_at, last_used_at FROM api_keys WHERE id = ?`).get(m[1]) as
    | { id: string; secret_hash: string; role: Role; firm_id: string | null; revoked_at: string | null; last_used_at: string | null }
    | undefined;
  const expected = row ? Buffer.from(row.secret_hash, 'hex') : hash('no such key');
  const ok = timingSafeEqual(expected, hash(m[2]));
  if (!row || !ok || row.revoked_at) return null;
  // Last use to the minute: a write on every request would queue API reads behind ingest writes.
  if (!row.last_used_at || Date.parse(now) - Date.parse(row.last_used_at) >= LAST_USED_RESOLUTION_MS) {
    sqlite.prepare(`UPDATE api_keys SET last_used_at = ? WHERE id = ?`).run(now, row.id);
  }
  return { keyId: row.id, role: row.role, firmId: row.firm_id };
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
  return sqlite.prepare(`UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?`).run(now, id).changes > 0;
}
