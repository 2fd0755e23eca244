/**
 * When a recipient is due, in the recipient's own zone. Pure: the instant is passed in.
 *
 * - daily: from the local send hour to midnight, period `daily:YYYY-MM-DD` (local date);
 * - weekly: from Monday's local send hour to the end of Sunday, period `weekly:YYYY-Www`
 *   (ISO week of the local date);
 * - instant: every run (period per alert, `instant:<alert id>`); off: never.
 * A run that misses the hour (the service was down) still sends later the same day or week,
 * and the period key makes sure it is sent once.
 */
import { DateTime } from 'luxon';
import type { Cadence } from './recipients.js';

export interface Schedule {
  cadence: Cadence;
  sendHour: number;
  timeZone: string;
}

const local = (now: Date, zone: string) => DateTime.fromJSDate(now, { zone: 'utc' }).setZone(zone);

/** The digest period due at `now`, or null (not yet, instant, or off). */
export function digestPeriod(r: Schedule, now: Date): string | null {
  const t = local(now, r.timeZone);
  if (r.cadence === 'daily') return t.hour >= r.sendHour ? `daily:${t.toISODate()}` : null;
  if (r.cadence === 'weekly') {
    if (t.weekday === 1 && t.hour < r.sendHour) return null;
    return `weekly:${t.weekYear}-W${String(t.weekNumber).padStart(2, '0')}`;
  }
  return null;
}

/**
 * Whether the reminder `days` before the deadline is due at `now`: on that local day (the
 * deadline's local date minus `days`), from the send hour on, and before the deadline.
 */
export function reminderDue(deadlineUtc: string, days: number, r: Pick<Schedule, 'sendHour' | 'timeZone'>, now: Date): boolean {
  const deadline = DateTime.fromISO(deadlineUtc, { zone: 'utc' });
  if (deadline.toMillis() <= now.getTime()) return false;
  const t = local(now, r.timeZone);
  const day = deadline.setZone(r.timeZone).minus({ days }).toISODate();
  return t.toISODate() === day && t.hour >= r.sendHour;
}
