/**
 * The webhook outbox: `webhook_deliveries` rows, written in the same transaction as their event
 * (see src/events/events.ts), so a delivery exists exactly when its event does and survives a
 * restart. Per endpoint the queued rows (pending, failed-awaiting-retry) go out in id order: the
 * oldest queued row is the endpoint's head, and nothing behind it is sent before it is delivered
 * or dead-lettered.
 */
import { EventEmitter } from 'node:events';
import type Database from 'better-sqlite3';
import { EVENT_TYPES, type EventRecord } from '../events/events.js';
import { ADVISER_ONLY_EVENT_TYPES, disableEndpoint } from './endpoints.js';

/** Emits 'enqueued' when rows were added, so a running worker need not wait for its next poll. */
export const outboxSignal = new EventEmitter();
outboxSignal.setMaxListeners(0);

export class OutboxError extends Error {
  constructor(readonly statusCode: number, message: string) {
    super(message);
  }
}

const ADVISER_ONLY = JSON.stringify(ADVISER_ONLY_EVENT_TYPES);
export const MAX_REPLAY = 10_000;

const cache = new WeakMap<Database.Database, Map<string, Database.Statement>>();
function stmt(sqlite: Database.Database, sql: string): Database.Statement {
  let m = cache.get(sqlite);
  if (!m) cache.set(sqlite, (m = new Map()));
  let s = m.get(sql);
  if (!s) m.set(sql, (s = sqlite.prepare(sql)));
  return s;
}

/**
 * One pending delivery per enabled endpoint subscribed to the event's type: the firm's own
 * endpoints for its events, adviser-level endpoints (firm_id null) for every event; firm
 * endpoints never get adviser-only types (tender.published). Call inside the event's transaction.
 */
export function enqueueDeliveries(sqlite: Database.Database, event: EventRecord): number {
  // Read at call time: events.ts is still initialising when this module is first evaluated.
  if (!(EVENT_TYPES as readonly string[]).includes(event.type)) return 0;
  const r = stmt(
    sqlite,
    `INSERT INTO webhook_deliveries (endpoint_id, event_id, status, attempts, next_attempt_at, created_at)
     SELECT e.id, @eventId, 'pending', 0, @now, @now FROM webhook_endpoints e
     WHERE e.enabled = 1
       AND (e.firm_id IS NULL OR (e.firm_id = @firmId AND @type NOT IN (SELECT value FROM json_each(@adviserOnly))))
       AND EXISTS (SELECT 1 FROM json_each(e.event_types) WHERE value = @type)
     ORDER BY e.id`,
  ).run({ eventId: event.id, now: isoOf(event.createdAt), firmId: event.firmId, type: event.type, adviserOnly: ADVISER_ONLY });
  if (r.changes > 0) outboxSignal.emit('enqueued');
  return r.changes;
}

/** The worker compares times as strings: keep one ISO form (and never throw inside the event's transaction). */
function isoOf(at: string): string {
  const ms = Date.parse(at);
  return Number.isNaN(ms) ? at : new Date(ms).toISOString();
}

/** Queues again every event of [from, to) this endpoint would have received, in event order. */
export function replayEvents(sqlite: Database.Database, endpointId: string, range: { from: string; to: string }, now = new Date().toISOString()): number {
  const where = `FROM events ev, webhook_endpoints e
     WHERE e.id = @endpointId AND ev.created_at >= @from AND ev.created_at < @to
       AND ev.type IN (SELECT value FROM json_each(e.event_types))
       AND (e.firm_id IS NULL OR (ev.firm_id = e.firm_id AND ev.type NOT IN (SELECT value FROM json_each(@adviserOnly))))`;
  const params = { endpointId, from: range.from, to: range.to, adviserOnly: ADVISER_ONLY, now };
  return sqlite.transaction(() => {
    const { n } = stmt(sqlite, `SELECT count(*) AS n ${where}`).get(params) as { n: number };
    if (n > MAX_REPLAY) throw new OutboxError(400, `the range holds ${n} events; replay at most ${MAX_REPLAY} at a time`);
    const r = stmt(sqlite, `INSERT INTO webhook_deliveries (endpoint_id, event_id, status, attempts, next_attempt_at, created_at) SELECT e.id, ev.id, 'pending', 0, @now, @now ${where} ORDER BY ev.id`).run(params);
    if (r.changes > 0) outboxSignal.emit('enqueued');
    return r.changes;
  })();
}

/**
 * Retry one delivery now: a queued one is made due at once; a delivered or dead one is queued
 * again from the start of the schedule (it keeps its place: older rows go first).
 */
export function retryDelivery(sqlite: Database.Database, endpointId: string, deliveryId: number, now = new Date().toISOString()): boolean {
  const r = stmt(
    sqlite,
    `UPDATE webhook_deliveries SET
       attempts = CASE WHEN status IN ('pending', 'failed') THEN attempts ELSE 0 END,
       status = CASE WHEN status IN ('pending', 'failed') THEN status ELSE 'pending' END,
       next_attempt_at = ?, delivered_at = NULL
     WHERE id = ? AND endpoint_id = ?`,
  ).run(now, deliveryId, endpointId);
  if (r.changes > 0) outboxSignal.emit('enqueued');
  return r.changes > 0;
}

export interface DeliveryAttempt {
  at: string;
  statusCode: number | null;
  error: string | null;
  latencyMs: number;
  responseBody: string | null;
}

export interface Delivery {
  id: number;
  endpointId: string;
  eventId: string;
  eventType: string;
  status: 'pending' | 'delivered' | 'failed' | 'dead';
  attempts: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  lastLatencyMs: number | null;
  createdAt: string;
  deliveredAt: string | null;
  payload: unknown;
  log: DeliveryAttempt[];
}

/** The delivery log of one endpoint, newest first, each with its attempts. */
export function listDeliveries(sqlite: Database.Database, endpointId: string, q: { status?: string; limit?: number; before?: number; id?: number } = {}): Delivery[] {
  const rows = sqlite
    .prepare(
      `SELECT d.*, ev.public_id, ev.type, ev.payload FROM webhook_deliveries d JOIN events ev ON ev.id = d.event_id
       WHERE d.endpoint_id = ? ${q.status ? 'AND d.status = ?' : ''} ${q.before ? 'AND d.id < ?' : ''} ${q.id ? 'AND d.id = ?' : ''}
       ORDER BY d.id DESC LIMIT ?`,
    )
    .all(endpointId, ...[q.status, q.before, q.id].filter((x) => x !== undefined), q.limit ?? 50) as Record<string, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  const attempts = stmt(sqlite, `SELECT attempted_at, status_code, error, latency_ms, response_body FROM webhook_attempts WHERE delivery_id = ? ORDER BY id`);
  return rows.map((r) => ({
    id: r.id,
    endpointId: r.endpoint_id,
    eventId: r.public_id,
    eventType: r.type,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastStatusCode: r.last_status_code,
    lastError: r.last_error,
    lastLatencyMs: r.last_latency_ms,
    createdAt: r.created_at,
    deliveredAt: r.delivered_at,
    payload: JSON.parse(r.payload),
    log: (attempts.all(r.id) as Record<string, any>[]).map((a) => ({ at: a.attempted_at, statusCode: a.status_code, error: a.error, latencyMs: a.latency_ms, responseBody: a.response_body })), // eslint-disable-line @typescript-eslint/no-explicit-any
  }));
}

// ------------------------------------------------------------------ for the worker

export interface DueDelivery {
  id: number;
  endpointId: string;
  url: string;
  /** The event's public id: the `webhook-id`, the same on every retry. */
  msgId: string;
  /** The event payload exactly as stored. */
  body: string;
}

/** The heads of enabled endpoints' queues that are due, skipping endpoints already in flight. */
export function dueDeliveries(sqlite: Database.Database, now: string, limit: number, busyEndpoints: readonly string[]): DueDelivery[] {
  return stmt(
    sqlite,
    `SELECT d.id, d.endpoint_id AS endpointId, e.url, ev.public_id AS msgId, ev.payload AS body
     FROM webhook_endpoints e
     JOIN webhook_deliveries d ON d.id = (SELECT min(q.id) FROM webhook_deliveries q WHERE q.endpoint_id = e.id AND status IN ('pending', 'failed'))
     JOIN events ev ON ev.id = d.event_id
     WHERE e.enabled = 1 AND d.next_attempt_at <= ? AND e.id NOT IN (SELECT value FROM json_each(?))
     ORDER BY d.next_attempt_at, d.id LIMIT ?`,
  ).all(now, JSON.stringify(busyEndpoints), limit) as DueDelivery[];
}

export interface Outcome {
  at: Date;
  statusCode: number | null;
  error: string | null;
  latencyMs: number;
  responseBody: string | null;
}

export const isSuccess = (o: Pick<Outcome, 'statusCode'>) => o.statusCode !== null && o.statusCode >= 200 && o.statusCode < 300;

export interface OutcomeRules {
  /** Delay before the next attempt after `attempts` failed ones; null = that was the last (dead-letter). */
  nextDelayMs(attempts: number): number | null;
  /** An endpoint failing continuously for longer than this is disabled. */
  disableAfterMs: number;
}

/**
 * Records one attempt and moves the delivery on: delivered; failed with the next attempt
 * scheduled; dead after the last. 410 Gone disables the endpoint (the delivery stays queued, so
 * re-enabling resumes it). Any failure starts or continues the endpoint's failure streak, and a
 * streak longer than `disableAfterMs` disables it. Answers the new status, null if the row is gone.
 */
export function recordOutcome(sqlite: Database.Database, deliveryId: number, o: Outcome, rules: OutcomeRules): { status: string; disabled: string | null } | null {
  const at = o.at.toISOString();
  return sqlite.transaction(() => {
    const cur = stmt(sqlite, `SELECT endpoint_id, attempts FROM webhook_deliveries WHERE id = ?`).get(deliveryId) as { endpoint_id: string; attempts: number } | undefined;
    if (!cur) return null;
    insertAttempt(sqlite, deliveryId, o);
    const attempts = cur.attempts + 1;
    const last = { code: o.statusCode, error: o.error, latency: o.latencyMs };
    const update = stmt(
      sqlite,
      `UPDATE webhook_deliveries SET status = ?, attempts = ?, next_attempt_at = ?, delivered_at = ?, last_status_code = ?, last_error = ?, last_latency_ms = ? WHERE id = ?`,
    );
    if (isSuccess(o)) {
      update.run('delivered', attempts, null, at, last.code, last.error, last.latency, deliveryId);
      stmt(sqlite, `UPDATE webhook_endpoints SET failing_since = NULL WHERE id = ? AND failing_since IS NOT NULL`).run(cur.endpoint_id);
      return { status: 'delivered', disabled: null };
    }
    const gone = o.statusCode === 410;
    const delay = gone ? 0 : rules.nextDelayMs(attempts);
    const status = delay === null ? 'dead' : 'failed';
    const next = delay === null ? null : new Date(o.at.getTime() + delay).toISOString();
    update.run(status, attempts, next, null, last.code, last.error, last.latency, deliveryId);
    return { status, disabled: markFailing(sqlite, cur.endpoint_id, o, rules.disableAfterMs) };
  })();
}

/** A ping: sent outside the queue, logged as a delivery that is not retried. */
export function recordPing(sqlite: Database.Database, endpointId: string, eventId: number, o: Outcome): number {
  const at = o.at.toISOString();
  return sqlite.transaction(() => {
    const ok = isSuccess(o);
    const info = stmt(
      sqlite,
      `INSERT INTO webhook_deliveries (endpoint_id, event_id, status, attempts, next_attempt_at, last_status_code, last_error, last_latency_ms, created_at, delivered_at)
       VALUES (?, ?, ?, 1, NULL, ?, ?, ?, ?, ?)`,
    ).run(endpointId, eventId, ok ? 'delivered' : 'dead', o.statusCode, o.error, o.latencyMs, at, ok ? at : null);
    const id = Number(info.lastInsertRowid);
    insertAttempt(sqlite, id, o);
    if (o.statusCode === 410) disableEndpoint(sqlite, endpointId, goneReason(at), at);
    return id;
  })();
}

function insertAttempt(sqlite: Database.Database, deliveryId: number, o: Outcome) {
  stmt(sqlite, `INSERT INTO webhook_attempts (delivery_id, attempted_at, status_code, error, latency_ms, response_body) VALUES (?, ?, ?, ?, ?, ?)`).run(
    deliveryId,
    o.at.toISOString(),
    o.statusCode,
    o.error,
    o.latencyMs,
    o.responseBody,
  );
}

const goneReason = (at: string) => `the receiver answered 410 Gone at ${at}`;

/** Starts or continues the failure streak; disables on 410 or a streak too long. Answers the reason if disabled now. */
function markFailing(sqlite: Database.Database, endpointId: string, o: Outcome, disableAfterMs: number): string | null {
  const at = o.at.toISOString();
  stmt(sqlite, `UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, ?) WHERE id = ?`).run(at, endpointId);
  let reason: string | null = null;
  if (o.statusCode === 410) reason = goneReason(at);
  else {
    const { failing_since: since } = stmt(sqlite, `SELECT failing_since FROM webhook_endpoints WHERE id = ?`).get(endpointId) as { failing_since: string };
    if (o.at.getTime() - Date.parse(since) > disableAfterMs) {
      const days = Math.round(disableAfterMs / 86_400_000);
      reason = `deliveries failed continuously since ${since} (more than ${days} days); last error: ${o.error ?? 'none'}`;
    }
  }
  return reason && disableEndpoint(sqlite, endpointId, reason, at) ? reason : null;
}
