/**
 * A firm's email recipients: the queries of the `recipients` table. A new recipient (or one
 * who turns emails back on) starts at the newest event, so the first digest has only what
 * happened after, never the firm's whole history.
 */
import type Database from 'better-sqlite3';
import { IANAZone } from 'luxon';

export const LANGUAGES = ['ko', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const CADENCES = ['instant', 'daily', 'weekly', 'off'] as const;
export type Cadence = (typeof CADENCES)[number];
export const DEFAULT_TIME_ZONE = 'Asia/Seoul';

export interface Recipient {
  id: number;
  firmId: string;
  name: string | null;
  email: string;
  language: Language;
  cadence: Cadence;
  sendHour: number;
  timeZone: string;
  maxItems: number;
  createdAt: string;
  updatedAt: string;
}

/** A recipient with the cursors the notification run reads. */
export interface RecipientRow extends Recipient {
  digestEventId: number;
  noticeEventId: number;
}

export interface RecipientInput {
  name?: string | null;
  email: string;
  language?: Language;
  cadence?: Cadence;
  sendHour?: number;
  timeZone?: string;
  maxItems?: number;
}

export class RecipientError extends Error {
  constructor(readonly statusCode: number, message: string) {
    super(message);
  }
}

const SELECT = `SELECT id, firm_id AS firmId, name, email, language, cadence, send_hour AS sendHour, time_zone AS timeZone,
  max_items AS maxItems, created_at AS createdAt, updated_at AS updatedAt, digest_event_id AS digestEventId, notice_event_id AS noticeEventId
  FROM recipients`;

const publicView = ({ digestEventId: _d, noticeEventId: _n, ...r }: RecipientRow): Recipient => r;

export const isTimeZone = (zone: string) => IANAZone.isValidZone(zone);

function checkZone(zone: string | undefined) {
  if (zone !== undefined && !isTimeZone(zone)) throw new RecipientError(400, `body parameter timeZone: "${zone}" is not an IANA time zone such as Asia/Seoul`);
}

const latestEventId = (sqlite: Database.Database) => (sqlite.prepare(`SELECT COALESCE(max(id), 0) AS id FROM events`).get() as { id: number }).id;

export function getRecipientRow(sqlite: Database.Database, id: number): RecipientRow | null {
  return (sqlite.prepare(`${SELECT} WHERE id = ?`).get(id) as RecipientRow | undefined) ?? null;
}

export function getRecipient(sqlite: Database.Database, firmId: string, id: number): Recipient | null {
  const r = sqlite.prepare(`${SELECT} WHERE id = ? AND firm_id = ?`).get(id, firmId) as RecipientRow | undefined;
  return r ? publicView(r) : null;
}

export function listRecipients(sqlite: Database.Database, firmId: string): Recipient[] {
  return (sqlite.prepare(`${SELECT} WHERE firm_id = ? ORDER BY id`).all(firmId) as RecipientRow[]).map(publicView);
}

/** Every recipient who gets email (cadence not off), for the notification run. */
export function activeRecipients(sqlite: Database.Database): RecipientRow[] {
  return sqlite.prepare(`${SELECT} WHERE cadence != 'off' ORDER BY id`).all() as RecipientRow[];
}

export function createRecipient(sqlite: Database.Database, firmId: string, input: RecipientInput, now = new Date().toISOString()): Recipient {
  checkZone(input.timeZone);
  if (!sqlite.prepare(`SELECT 1 FROM firms WHERE id = ?`).get(firmId)) throw new RecipientError(404, `firm ${firmId} not found`);
  const email = input.email.trim().toLowerCase();
  if (sqlite.prepare(`SELECT 1 FROM recipients WHERE firm_id = ? AND email = ?`).get(firmId, email)) {
    throw new RecipientError(409, `${email} is already a recipient of firm ${firmId}`);
  }
  const cursor = latestEventId(sqlite);
  const info = sqlite
    .prepare(
      `INSERT INTO recipients (firm_id, name, email, language, cadence, send_hour, time_zone, max_items, digest_event_id, notice_event_id, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(firmId, input.name ?? null, email, input.language ?? 'ko', input.cadence ?? 'daily', input.sendHour ?? 8, input.timeZone ?? DEFAULT_TIME_ZONE, input.maxItems ?? 20, cursor, cursor, now, now);
  return getRecipient(sqlite, firmId, Number(info.lastInsertRowid))!;
}

const COLUMNS: Record<keyof Omit<RecipientInput, 'email'>, string> = {
  name: 'name',
  language: 'language',
  cadence: 'cadence',
  sendHour: 'send_hour',
  timeZone: 'time_zone',
  maxItems: 'max_items',
};

export function updateRecipient(sqlite: Database.Database, firmId: string, id: number, patch: Partial<RecipientInput>, now = new Date().toISOString()): Recipient | null {
  checkZone(patch.timeZone);
  const before = getRecipient(sqlite, firmId, id);
  if (!before) return null;
  const sets: string[] = [];
  const params: unknown[] = [];
  for (const [key, column] of Object.entries(COLUMNS)) {
    const v = patch[key as keyof typeof COLUMNS];
    if (v !== undefined) sets.push(`${column} = ?`), params.push(v);
  }
  if (patch.email !== undefined) {
    const email = patch.email.trim().toLowerCase();
    if (sqlite.prepare(`SELECT 1 FROM recipients WHERE firm_id = ? AND email = ? AND id != ?`).get(firmId, email, id)) {
      throw new RecipientError(409, `${email} is already a recipient of firm ${firmId}`);
    }
    sets.push('email = ?'), params.push(email);
  }
  // Back on after being off: start from now, not from the day they left.
  if (before.cadence === 'off' && patch.cadence && patch.cadence !== 'off') {
    const cursor = latestEventId(sqlite);
    sets.push('digest_event_id = ?', 'notice_event_id = ?'), params.push(cursor, cursor);
  }
  sets.push('updated_at = ?'), params.push(now);
  sqlite.prepare(`UPDATE recipients SET ${sets.join(', ')} WHERE id = ? AND firm_id = ?`).run(...params, id, firmId);
  return getRecipient(sqlite, firmId, id);
}

export function deleteRecipient(sqlite: Database.Database, firmId: string, id: number): boolean {
  return sqlite.prepare(`DELETE FROM recipients WHERE id = ? AND firm_id = ?`).run(id, firmId).changes > 0;
}

/** Cadence off, and the messages not yet sent are cancelled. */
export function unsubscribeRecipient(sqlite: Database.Database, id: number, now = new Date().toISOString()): void {
  sqlite.transaction(() => {
    sqlite.prepare(`UPDATE recipients SET cadence = 'off', updated_at = ? WHERE id = ?`).run(now, id);
    sqlite
      .prepare(`UPDATE notification_sends SET status = 'cancelled', error = 'unsubscribed', next_attempt_at = NULL WHERE recipient_id = ? AND status IN ('pending', 'failed')`)
      .run(id);
  })();
}
