/**
 * Webhook endpoints: the rows of `webhook_endpoints`. A record never carries the secrets; they
 * leave this module only to sign (`signingKeys`) and, once, to the creator or rotator.
 */
import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { EventType } from '../events/events.js';
import { newSecret, type SigningKeys } from './signing.js';

// events.ts imports the outbox, which imports this module: only types from events.ts here, so
// the import cycle never reads a value before it is initialised.
/** What an endpoint can subscribe to: every event type (EVENT_TYPES) except the ping. */
export type WebhookEventType = Exclude<EventType, 'webhook.ping'>;
/** Adviser-level endpoints (firm_id null) only. */
export const ADVISER_ONLY_EVENT_TYPES: readonly WebhookEventType[] = ['tender.published'];

export interface WebhookEndpoint {
  id: string;
  /** null = adviser-level: events of every firm, and tender.published. */
  firmId: string | null;
  url: string;
  eventTypes: WebhookEventType[];
  description: string | null;
  enabled: boolean;
  disabledReason: string | null;
  failingSince: string | null;
  previousSecretExpiresAt: string | null;
  createdAt: string;
  updatedAt: string;
}

interface Row {
  id: string;
  firm_id: string | null;
  url: string;
  event_types: string;
  description: string | null;
  enabled: number;
  disabled_reason: string | null;
  failing_since: string | null;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: string | null;
  created_at: string;
  updated_at: string;
}

function toEndpoint(r: Row, now: string): WebhookEndpoint {
  return {
    id: r.id,
    firmId: r.firm_id,
    url: r.url,
    eventTypes: JSON.parse(r.event_types) as WebhookEventType[],
    description: r.description,
    enabled: r.enabled === 1,
    disabledReason: r.disabled_reason,
    failingSince: r.failing_since,
    previousSecretExpiresAt: r.previous_secret_expires_at && r.previous_secret_expires_at > now ? r.previous_secret_expires_at : null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export interface EndpointInput {
  firmId: string | null;
  url: string;
  eventTypes: WebhookEventType[];
  description?: string | null;
  enabled?: boolean;
}

/** Creates an endpoint; the secret is answered here and never again. The URL must be checked before. */
export function createEndpoint(sqlite: Database.Database, input: EndpointInput, now = new Date().toISOString()): { endpoint: WebhookEndpoint; secret: string } {
  const id = `wh_${randomBytes(12).toString('hex')}`;
  const secret = newSecret();
  const enabled = input.enabled ?? true;
  sqlite
    .prepare(
      `INSERT INTO webhook_endpoints (id, firm_id, url, event_types, description, enabled, disabled_reason, secret, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(id, input.firmId, input.url, JSON.stringify([...new Set(input.eventTypes)]), input.description ?? null, enabled ? 1 : 0, enabled ? null : 'created disabled', secret, now, now);
  return { endpoint: getEndpoint(sqlite, id, now)!, secret };
}

export function getEndpoint(sqlite: Database.Database, id: string, now = new Date().toISOString()): WebhookEndpoint | null {
  const r = sqlite.prepare(`SELECT * FROM webhook_endpoints WHERE id = ?`).get(id) as Row | undefined;
  return r ? toEndpoint(r, now) : null;
}

/** `firmId` undefined = every endpoint; null = adviser-level ones; a firm id = that firm's. */
export function listEndpoints(sqlite: Database.Database, q: { firmId?: string | null; limit?: number; after?: string }, now = new Date().toISOString()): WebhookEndpoint[] {
  const where: string[] = [];
  const params: unknown[] = [];
  if (q.firmId === null) where.push('firm_id IS NULL');
  else if (q.firmId !== undefined) (where.push('firm_id = ?'), params.push(q.firmId));
  if (q.after) (where.push('id > ?'), params.push(q.after));
  const rows = sqlite
    .prepare(`SELECT * FROM webhook_endpoints ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT ?`)
    .all(...params, q.limit ?? 100) as Row[];
  return rows.map((r) => toEndpoint(r, now));
}

export interface EndpointPatch {
  url?: string;
  eventTypes?: WebhookEventType[];
  description?: string | null;
  enabled?: boolean;
}

/** Re-enabling clears the reason and the failure streak; the queue resumes where it stopped. */
export function updateEndpoint(sqlite: Database.Database, id: string, patch: EndpointPatch, now = new Date().toISOString()): WebhookEndpoint | null {
  const current = getEndpoint(sqlite, id, now);
  if (!current) return null;
  const sets: string[] = ['updated_at = ?'];
  const params: unknown[] = [now];
  if (patch.url !== undefined) (sets.push('url = ?'), params.push(patch.url));
  if (patch.eventTypes !== undefined) (sets.push('event_types = ?'), params.push(JSON.stringify([...new Set(patch.eventTypes)])));
  if (patch.description !== undefined) (sets.push('description = ?'), params.push(patch.description));
  if (patch.enabled === true && !current.enabled) sets.push('enabled = 1', 'disabled_reason = NULL', 'failing_since = NULL');
  if (patch.enabled === false && current.enabled) (sets.push('enabled = 0', 'disabled_reason = ?'), params.push(`disabled through the API at ${now}`));
  sqlite.prepare(`UPDATE webhook_endpoints SET ${sets.join(', ')} WHERE id = ?`).run(...params, id);
  return getEndpoint(sqlite, id, now);
}

export function deleteEndpoint(sqlite: Database.Database, id: string): boolean {
  return sqlite.prepare(`DELETE FROM webhook_endpoints WHERE id = ?`).run(id).changes > 0;
}

/** A new secret; the old one keeps signing for `overlapSeconds` (0 = stops at once). */
export function rotateSecret(sqlite: Database.Database, id: string, overlapSeconds: number, now = new Date()): { secret: string; previousSecretExpiresAt: string | null } | null {
  const secret = newSecret();
  const expires = overlapSeconds > 0 ? new Date(now.getTime() + overlapSeconds * 1000).toISOString() : null;
  const r = sqlite
    .prepare(
      `UPDATE webhook_endpoints SET previous_secret = CASE WHEN ? IS NULL THEN NULL ELSE secret END, previous_secret_expires_at = ?, secret = ?, updated_at = ? WHERE id = ?`,
    )
    .run(expires, expires, secret, now.toISOString(), id);
  return r.changes > 0 ? { secret, previousSecretExpiresAt: expires } : null;
}

/** The keys that sign for this endpoint (see signingSecrets). */
export function signingKeys(sqlite: Database.Database, id: string): SigningKeys | null {
  const r = sqlite.prepare(`SELECT secret, previous_secret, previous_secret_expires_at FROM webhook_endpoints WHERE id = ?`).get(id) as
    | { secret: string; previous_secret: string | null; previous_secret_expires_at: string | null }
    | undefined;
  return r ? { secret: r.secret, previousSecret: r.previous_secret, previousSecretExpiresAt: r.previous_secret_expires_at } : null;
}

/** Disables an enabled endpoint with a reason its owner can read. */
export function disableEndpoint(sqlite: Database.Database, id: string, reason: string, now: string): boolean {
  return sqlite.prepare(`UPDATE webhook_endpoints SET enabled = 0, disabled_reason = ?, updated_at = ? WHERE id = ? AND enabled = 1`).run(reason, now, id).changes > 0;
}
