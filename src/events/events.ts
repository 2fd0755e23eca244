/**
 * Recording events. Call inside the transaction that makes the change; the webhook outbox
 * rows are written in the same transaction (src/webhooks/outbox.ts), so a delivery exists
 * exactly when its event does.
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { enqueueDeliveries } from '../webhooks/outbox.js';

export const EVENT_TYPES = ['alert.created', 'alert.updated', 'alert.cancelled', 'tender.published', 'pursuit.stage_changed', 'pursuit.award_linked'] as const;
export type EventType = (typeof EVENT_TYPES)[number] | 'webhook.ping';

export interface EventInput {
  type: EventType;
  firmId: string | null;
  tenderId?: number | null;
  matchId?: number | null;
  data: Record<string, unknown>;
}

export interface EventRecord {
  id: number;
  publicId: string;
  type: EventType;
  firmId: string | null;
  tenderId: number | null;
  matchId: number | null;
  payload: { type: string; timestamp: string; data: Record<string, unknown> };
  createdAt: string;
}

export function recordEvent(sqlite: Database.Database, e: EventInput, now = new Date().toISOString()): EventRecord {
  const publicId = `evt_${randomUUID().replace(/-/g, '')}`;
  const payload = { type: e.type, timestamp: now, data: e.data };
  const info = sqlite
    .prepare(`INSERT INTO events (public_id, type, firm_id, tender_id, match_id, payload, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`)
    .run(publicId, e.type, e.firmId, e.tenderId ?? null, e.matchId ?? null, JSON.stringify(payload), now);
  const record: EventRecord = {
    id: Number(info.lastInsertRowid),
    publicId,
    type: e.type,
    firmId: e.firmId,
    tenderId: e.tenderId ?? null,
    matchId: e.matchId ?? null,
    payload,
    createdAt: now,
  };
  enqueueDeliveries(sqlite, record);
  return record;
}
