/**
 * Claiming: deciding, per recipient, which messages are due and writing them to the send log
 * before anything is sent, in one transaction per recipient that also moves the recipient's
 * event cursors. The (recipient, kind, period key) unique index makes a claim happen once, so
 * a restarted or concurrent run neither skips nor repeats a recipient's digest; a claimed
 * message then stays in the log until it is sent (or merged into the next digest).
 *
 * The digest cursor reads the firm's alert events and its pipeline events (`pursuit.*`): alerts
 * go into `alert_ids` / `changed_alert_ids`, pipeline events into `detail.pipelineEventIds`
 * (the events themselves are the record of what happened; the message is built from them).
 */
import type Database from 'better-sqlite3';
import { digestPeriod, reminderDue } from './periods.js';
import type { RecipientRow } from './recipients.js';

const ALERT_EVENTS = `('alert.created', 'alert.updated', 'alert.cancelled')`;
/** Stage changes and award notices linked: a digest section of their own, an instant email each. */
export const PIPELINE_EVENTS = ['pursuit.stage_changed', 'pursuit.award_linked'] as const;
const PIPELINE_SQL = `(${PIPELINE_EVENTS.map((t) => `'${t}'`).join(', ')})`;
const isPipeline = (e: EventRow) => (PIPELINE_EVENTS as readonly string[]).includes(e.type);
/** Not yet sent, and not in flight: a new digest takes their alerts over. */
const CARRIED = `('pending', 'failed', 'dead')`;

interface EventRow {
  id: number;
  type: string;
  match_id: number | null;
}

const uniq = (xs: number[]) => [...new Set(xs)];

function insertSend(
  sqlite: Database.Database,
  r: RecipientRow,
  s: { kind: string; periodKey: string; status: 'pending' | 'skipped'; alertIds: number[]; changedIds?: number[]; detail?: Record<string, unknown> | null },
  now: string,
): number | null {
  const info = sqlite
    .prepare(
      `INSERT OR IGNORE INTO notification_sends (recipient_id, firm_id, kind, period_key, status, alert_ids, changed_alert_ids, detail, next_attempt_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(r.id, r.firmId, s.kind, s.periodKey, s.status, JSON.stringify(s.alertIds), JSON.stringify(s.changedIds ?? []), s.detail ? JSON.stringify(s.detail) : null, s.status === 'pending' ? now : null, now);
  return info.changes ? Number(info.lastInsertRowid) : null;
}

/** The pipeline events a digest row carries. */
export const pipelineEventIds = (detail: string | null): number[] => (detail ? ((JSON.parse(detail) as { pipelineEventIds?: number[] }).pipelineEventIds ?? []) : []);

const pipelineDetail = (ids: number[]) => (ids.length ? { pipelineEventIds: ids } : null);

/** Earlier digests not delivered: a new digest carries their alerts and pipeline events. */
function undelivered(sqlite: Database.Database, r: RecipientRow): { ids: number[]; alertIds: number[]; changedIds: number[]; pipelineIds: number[] } {
  const rows = sqlite
    .prepare(`SELECT id, alert_ids, changed_alert_ids, detail FROM notification_sends WHERE recipient_id = ? AND kind = 'digest' AND status IN ${CARRIED} ORDER BY id`)
    .all(r.id) as { id: number; alert_ids: string; changed_alert_ids: string; detail: string | null }[];
  return {
    ids: rows.map((x) => x.id),
    alertIds: rows.flatMap((x) => JSON.parse(x.alert_ids) as number[]),
    changedIds: rows.flatMap((x) => JSON.parse(x.changed_alert_ids) as number[]),
    pipelineIds: rows.flatMap((x) => pipelineEventIds(x.detail)),
  };
}

function markMerged(sqlite: Database.Database, ids: number[], into: number) {
  const mark = sqlite.prepare(`UPDATE notification_sends SET status = 'merged', merged_into = ?, next_attempt_at = NULL WHERE id = ?`);
  for (const id of ids) mark.run(into, id);
}

function newEvents(sqlite: Database.Database, r: RecipientRow): EventRow[] {
  return sqlite
    .prepare(
      `SELECT id, type, match_id FROM events
       WHERE firm_id = ? AND id > ? AND ((type IN ${ALERT_EVENTS} AND match_id IS NOT NULL) OR type IN ${PIPELINE_SQL}) ORDER BY id`,
    )
    .all(r.firmId, r.digestEventId) as EventRow[];
}

const moveDigestCursor = (sqlite: Database.Database, r: RecipientRow, events: EventRow[]) => {
  if (events.length) sqlite.prepare(`UPDATE recipients SET digest_event_id = ? WHERE id = ?`).run(events[events.length - 1].id, r.id);
};

/** Daily or weekly: one message for the period, with what is new since the last digest. */
function claimDigest(sqlite: Database.Database, r: RecipientRow, now: Date): number {
  const period = digestPeriod(r, now);
  if (!period) return 0;
  if (sqlite.prepare(`SELECT 1 FROM notification_sends WHERE recipient_id = ? AND kind = 'digest' AND period_key = ?`).get(r.id, period)) return 0;
  const events = newEvents(sqlite, r);
  const alertEvents = events.filter((e) => !isPipeline(e));
  const created = uniq(alertEvents.filter((e) => e.type === 'alert.created').map((e) => e.match_id!));
  const changed = uniq(alertEvents.filter((e) => e.type !== 'alert.created').map((e) => e.match_id!));
  const carried = undelivered(sqlite, r);
  const alertIds = uniq([...carried.alertIds, ...created]);
  const changedIds = uniq([...carried.changedIds, ...changed]).filter((id) => !alertIds.includes(id));
  const pipelineIds = uniq([...carried.pipelineIds, ...events.filter(isPipeline).map((e) => e.id)]);
  const empty = alertIds.length + changedIds.length + pipelineIds.length === 0;
  const detail = pipelineDetail(pipelineIds);
  const id = insertSend(sqlite, r, { kind: 'digest', periodKey: period, status: empty ? 'skipped' : 'pending', alertIds, changedIds, detail }, now.toISOString());
  if (id !== null && !empty) markMerged(sqlite, carried.ids, id);
  moveDigestCursor(sqlite, r, events);
  return id !== null && !empty ? 1 : 0;
}

/** Instant: a message per new alert, per change of an alert, and per pipeline event. */
function claimInstant(sqlite: Database.Database, r: RecipientRow, now: Date): number {
  const events = newEvents(sqlite, r);
  const carried = undelivered(sqlite, r);
  let last: number | null = null;
  let n = 0;
  const createdHere = new Set<number>();
  for (const e of events) {
    if (isPipeline(e)) {
      const id = insertSend(
        sqlite,
        r,
        { kind: 'digest', periodKey: `instant:pursuit:${e.id}`, status: 'pending', alertIds: [], detail: pipelineDetail([e.id]) },
        now.toISOString(),
      );
      if (id !== null) (last = id), n++;
      continue;
    }
    const isNew = e.type === 'alert.created';
    if (isNew) createdHere.add(e.match_id!);
    else if (createdHere.has(e.match_id!)) continue; // announced in this very run, as it is now
    const id = insertSend(
      sqlite,
      r,
      isNew
        ? { kind: 'digest', periodKey: `instant:${e.match_id}`, status: 'pending', alertIds: [e.match_id!] }
        : { kind: 'digest', periodKey: `instant:change:${e.id}`, status: 'pending', alertIds: [], changedIds: [e.match_id!] },
      now.toISOString(),
    );
    if (id !== null) (last = id), n++;
  }
  // Undelivered earlier messages ride along with the last new one.
  if (last !== null && carried.ids.length) {
    markMerged(sqlite, carried.ids, last);
    const row = sqlite.prepare(`SELECT alert_ids, changed_alert_ids, detail FROM notification_sends WHERE id = ?`).get(last) as { alert_ids: string; changed_alert_ids: string; detail: string | null };
    const alertIds = uniq([...carried.alertIds, ...(JSON.parse(row.alert_ids) as number[])]);
    const changedIds = uniq([...carried.changedIds, ...(JSON.parse(row.changed_alert_ids) as number[])]).filter((id) => !alertIds.includes(id));
    const detail = pipelineDetail(uniq([...carried.pipelineIds, ...pipelineEventIds(row.detail)]));
    sqlite
      .prepare(`UPDATE notification_sends SET alert_ids = ?, changed_alert_ids = ?, detail = ? WHERE id = ?`)
      .run(JSON.stringify(alertIds), JSON.stringify(changedIds), detail ? JSON.stringify(detail) : null, last);
  }
  moveDigestCursor(sqlite, r, events);
  return n;
}

/** Reminders N local days before the deadline of alerts marked interested; once per deadline. */
function claimReminders(sqlite: Database.Database, r: RecipientRow, days: readonly number[], now: Date): number {
  if (!days.length) return 0;
  const alerts = sqlite
    .prepare(
      `SELECT m.id, t.deadline_at FROM matches m JOIN tenders t ON t.id = m.tender_id
       WHERE m.firm_id = ? AND m.state = 'published' AND m.firm_state = 'interested' AND t.deadline_at > ?
         AND (t.source_status IS NULL OR t.source_status NOT IN ('cancelled', 'awarded', 'closed'))`,
    )
    .all(r.firmId, now.toISOString()) as { id: number; deadline_at: string }[];
  let n = 0;
  for (const a of alerts) {
    for (const d of days) {
      if (!reminderDue(a.deadline_at, d, r, now)) continue;
      const detail = { days: d, deadlineAt: a.deadline_at };
      if (insertSend(sqlite, r, { kind: 'reminder', periodKey: `reminder:${d}d:${a.id}:${a.deadline_at}`, status: 'pending', alertIds: [a.id], detail }, now.toISOString()) !== null) n++;
    }
  }
  return n;
}

/** A notice when the deadline of an alert marked interested moves. */
function claimDeadlineNotices(sqlite: Database.Database, r: RecipientRow, now: Date): number {
  const events = sqlite
    .prepare(`SELECT id, match_id, payload FROM events WHERE firm_id = ? AND id > ? AND type = 'alert.updated' AND match_id IS NOT NULL ORDER BY id`)
    .all(r.firmId, r.noticeEventId) as { id: number; match_id: number; payload: string }[];
  const interested = sqlite.prepare(`SELECT 1 FROM matches WHERE id = ? AND state = 'published' AND firm_state = 'interested'`);
  let n = 0;
  for (const e of events) {
    const change = (JSON.parse(e.payload) as { data?: { change?: { kind?: string; changes?: { deadlineAt?: { from: unknown; to: unknown } } } } }).data?.change;
    const moved = change?.kind === 'deadline_moved' ? change.changes?.deadlineAt : undefined;
    // Instant recipients already hear of every change of their alerts as it comes.
    if (!moved || r.cadence === 'instant' || !interested.get(e.match_id)) continue;
    const detail = { from: moved.from ?? null, to: moved.to ?? null };
    if (insertSend(sqlite, r, { kind: 'deadline_moved', periodKey: `deadline_moved:${e.id}`, status: 'pending', alertIds: [e.match_id], detail }, now.toISOString()) !== null) n++;
  }
  if (events.length) sqlite.prepare(`UPDATE recipients SET notice_event_id = ? WHERE id = ?`).run(events[events.length - 1].id, r.id);
  return n;
}

/** Claims what is due for one recipient (read fresh inside the transaction); the number of messages claimed. */
export function claimForRecipient(sqlite: Database.Database, recipientId: number, reminderDays: readonly number[], now: Date): number {
  return sqlite
    .transaction(() => {
      const r = sqlite
        .prepare(
          `SELECT id, firm_id AS firmId, cadence, send_hour AS sendHour, time_zone AS timeZone, digest_event_id AS digestEventId, notice_event_id AS noticeEventId
           FROM recipients WHERE id = ? AND cadence != 'off'`,
        )
        .get(recipientId) as RecipientRow | undefined;
      if (!r) return 0;
      const digests = r.cadence === 'instant' ? claimInstant(sqlite, r, now) : claimDigest(sqlite, r, now);
      return digests + claimReminders(sqlite, r, reminderDays, now) + claimDeadlineNotices(sqlite, r, now);
    })
    .immediate();
}
