/**
 * Unsubscribe links: `u1.<recipient id>.<HMAC-SHA256>` over the recipient id and address, so a
 * link works without logging in, only for that recipient, and stops working if the address
 * changes. Verified in constant time. The key is UNSUBSCRIBE_SECRET, or — when it is not set —
 * a random key made once and kept in the database (so links survive restarts).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Config } from '../config.js';

const PREFIX = 'u1';
const TOKEN = /^u1\.([1-9][0-9]{0,15})\.([A-Za-z0-9_-]{43})$/;

/** The signing key: the configured one, else the stored one (made on first use). */
export function unsubscribeSecret(sqlite: Database.Database, config: Pick<Config, 'unsubscribeSecret'>): string {
  if (config.unsubscribeSecret) return config.unsubscribeSecret;
  sqlite
    .prepare(`INSERT OR IGNORE INTO notification_secrets (name, secret, created_at) VALUES ('unsubscribe', ?, ?)`)
    .run(randomBytes(32).toString('base64url'), new Date().toISOString());
  return (sqlite.prepare(`SELECT secret FROM notification_secrets WHERE name = 'unsubscribe'`).get() as { secret: string }).secret;
}

function mac(secret: string, recipientId: number, email: string): Buffer {
  return createHmac('sha256', secret).update(`unsubscribe:${recipientId}:${email}`).digest();
}

export function signUnsubscribe(secret: string, recipient: { id: number; email: string }): string {
  return `${PREFIX}.${recipient.id}.${mac(secret, recipient.id, recipient.email).toString('base64url')}`;
}

/** The recipient id the token names, if its signature is right for that recipient's address. */
export function verifyUnsubscribe(secret: string, token: string, emailOf: (recipientId: number) => string | null): number | null {
  const m = TOKEN.exec(token);
  if (!m) return null;
  const id = Number(m[1]);
  const email = emailOf(id);
  const given = Buffer.from(m[2], 'base64url');
  // The same work whether or not the recipient exists.
  const expected = mac(secret, id, email ?? '');
  const ok = given.length === expected.length && timingSafeEqual(given, expected);
  return ok && email !== null ? id : null;
}

/** The signed token for a recipient of this store (emails, tests). */
export function unsubscribeToken(sqlite: Database.Database, config: Pick<Config, 'unsubscribeSecret'>, recipient: { id: number; email: string }): string {
  return signUnsubscribe(unsubscribeSecret(sqlite, config), recipient);
}
