/**
 * Dates as the judged set writes them (shared/eval/README.md "Dates"): `2018-06-11`,
 * `2015-05`, local date-times, numeric offsets, RFC 9557 bracketed zones
 * (`2025-10-02T02:00[America/New_York]`) and `T24:00` (end of day).
 */
import { DateTime } from 'luxon';

export interface JudgedDate {
  /** UTC instant. */
  at: string;
  raw: string;
  zone: string | null;
  zoneKnown: boolean;
}

const RE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?)?)?(Z|[+-]\d{2}:?\d{2})?(?:\[([A-Za-z0-9_+\-/]+)\])?$/;

/** Parses one judged date; throws an Error saying why when it can't. */
export function parseJudgedDate(raw: string): JudgedDate {
  const m = RE.exec(raw.trim());
  if (!m) throw new Error(`unreadable date "${raw}"`);
  const [, y, mo = '01', d = '01', hh = '00', mi = '00', ss = '00', offset, zoneName] = m;
  let hour = Number(hh);
  let dayShift = 0;
  if (hour === 24 && mi === '00') {
    // `24:00` is the end of the day: midnight of the next one.
    hour = 0;
    dayShift = 1;
  }
  const zone = zoneName ?? (offset ? (offset === 'Z' ? 'UTC' : `UTC${offset.length === 5 ? offset.slice(0, 3) + ':' + offset.slice(3) : offset}`) : null);
  const dt = DateTime.fromObject(
    { year: Number(y), month: Number(mo), day: Number(d), hour, minute: Number(mi), second: Number(ss) },
    { zone: zone ?? 'UTC' },
  ).plus({ days: dayShift });
  if (!dt.isValid) throw new Error(`invalid date "${raw}": ${dt.invalidExplanation ?? dt.invalidReason}`);
  return { at: dt.toUTC().toISO({ suppressMilliseconds: false })!, raw, zone: zoneName ?? offset ?? null, zoneKnown: zone !== null };
}
