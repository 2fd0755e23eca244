/**
 * Console sessions: an adviser signs in once with an adviser (or admin) key and gets a random
 * session token in a secure, http-only, SameSite=Strict cookie. The store keeps only the
 * token's SHA-256. A session ends at sign-out, at expiry, or when its key is revoked.
 * CSRF tokens are derived from a per-session secret with @fastify/csrf (synchronizer tokens).
 */
import { createHash, randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import { Tokens } from '@fastify/csrf';
import type { ConsoleLang } from './i18n.js';

export const SESSION_COOKIE = 'gpc_session';
/** Before sign-in there is no session: the sign-in form's CSRF secret rides in its own cookie. */
export const LOGIN_COOKIE = 'gpc_login';

export interface ConsoleSession {
  keyId: string;
  role: 'admin' | 'adviser';
  lang: ConsoleLang;
  csrfSecret: string;
  expiresAt: string;
}

/** Tokens without user info (the secret is already per session); the typings' first overload would demand it. */
export const csrfTokens = new Tokens() as unknown as { secretSync(): string; create(secret: string): string; verify(secret: string, token: string): boolean };

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export function createSession(sqlite: Database.Database, keyId: string, lang: ConsoleLang, ttlMs: number, now = new Date()): { token: string; session: ConsoleSession } {
  const token = randomBytes(32).toString('base64url');
  const csrfSecret = csrfTokens.secretSync();
  const expiresAt = new Date(now.getTime() + ttlMs).toISOString();
  sqlite.transaction(() => {
    // Expired sessions go when anyone signs in; there is no other writer to wait for.
    sqlite.prepare(`DELETE FROM console_sessions WHERE expires_at <= ?`).run(now.toISOString());
    sqlite
      .prepare(`INSERT INTO console_sessions (token_hash, key_id, csrf_secret, lang, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`)
      .run(hashToken(token), keyId, csrfSecret, lang, now.toISOString(), expiresAt);
  })();
  const role = (sqlite.prepare(`SELECT role FROM api_keys WHERE id = ?`).get(keyId) as { role: ConsoleSession['role'] }).role;
  return { token, session: { keyId, role, lang, csrfSecret, expiresAt } };
}

/** The live session for a cookie value: not expired, its key not revoked and still an adviser or admin key. */
export function readSession(sqlite: Database.Database, token: string | undefined, now = new Date()): ConsoleSession | null {
  if (!token || token.length > 100) return null;
  const row = sqlite
    .prepare(
      `SELECT s.key_id, s.csrf_secret, s.lang, s.expires_at, k.role FROM console_sessions s JOIN api_keys k ON k.id = s.key_id
       WHERE s.token_hash = ? AND s.expires_at > ? AND k.revoked_at IS NULL AND k.role IN ('admin', 'adviser')`,
    )
    .get(hashToken(token), now.toISOString()) as { key_id: string; csrf_secret: string; lang: ConsoleLang; expires_at: string; role: ConsoleSession['role'] } | undefined;
  return row ? { keyId: row.key_id, role: row.role, lang: row.lang, csrfSecret: row.csrf_secret, expiresAt: row.expires_at } : null;
}

export function endSession(sqlite: Database.Database, token: string | undefined): void {
  if (token) sqlite.prepare(`DELETE FROM console_sessions WHERE token_hash = ?`).run(hashToken(token));
}

export function setSessionLang(sqlite: Database.Database, token: string, lang: ConsoleLang): void {
  sqlite.prepare(`UPDATE console_sessions SET lang = ? WHERE token_hash = ?`).run(lang, hashToken(token));
}
