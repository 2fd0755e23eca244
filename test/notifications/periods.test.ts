/**
 * The pure parts: when a recipient is due (periods in their own zone), when a reminder is due,
 * and what a digest says when there is nothing, or too much.
 */
import { describe, expect, it } from 'vitest';
import { buildDigest, localDaysLeft, type Alert, type MailContext } from '../../src/notifications/digest.js';
import { digestPeriod, reminderDue } from '../../src/notifications/periods.js';

const at = (iso: string) => new Date(iso);

describe('digest periods', () => {
  const seoul = { sendHour: 8, timeZone: 'Asia/Seoul' };
  it('daily: from the local send hour, keyed by the local date', () => {
    expect(digestPeriod({ ...seoul, cadence: 'daily' }, at('2026-11-21T22:59:00Z'))).toBeNull(); // 07:59 on the 22nd in Seoul
    expect(digestPeriod({ ...seoul, cadence: 'daily' }, at('2026-11-21T23:00:00Z'))).toBe('daily:2026-11-22');
    expect(digestPeriod({ ...seoul, cadence: 'daily' }, at('2026-11-22T14:59:00Z'))).toBe('daily:2026-11-22'); // 23:59 in Seoul
    expect(digestPeriod({ sendHour: 8, timeZone: 'America/New_York', cadence: 'daily' }, at('2026-11-22T14:00:00Z'))).toBe('daily:2026-11-22');
    expect(digestPeriod({ sendHour: 8, timeZone: 'America/New_York', cadence: 'daily' }, at('2026-11-22T12:00:00Z'))).toBeNull();
  });
  it('weekly: from Monday at the send hour, keyed by the ISO week of the local date', () => {
    // Monday 23 Nov 2026 07:00 in Seoul: not yet; 08:00: week 48; Sunday 29 Nov: still week 48.
    expect(digestPeriod({ ...seoul, cadence: 'weekly' }, at('2026-11-22T22:00:00Z'))).toBeNull();
    expect(digestPeriod({ ...seoul, cadence: 'weekly' }, at('2026-11-22T23:00:00Z'))).toBe('weekly:2026-W48');
    expect(digestPeriod({ ...seoul, cadence: 'weekly' }, at('2026-11-29T14:00:00Z'))).toBe('weekly:2026-W48');
    // Sunday 22 Nov in Seoul is still week 47.
    expect(digestPeriod({ ...seoul, cadence: 'weekly' }, at('2026-11-22T10:00:00Z'))).toBe('weekly:2026-W47');
    // ISO week-years: Friday 1 Jan 2027 belongs to 2026-W53.
    expect(digestPeriod({ ...seoul, cadence: 'weekly' }, at('2027-01-01T03:00:00Z'))).toBe('weekly:2026-W53');
  });
  it('instant and off have no digest period', () => {
    expect(digestPeriod({ ...seoul, cadence: 'instant' }, at('2026-11-22T03:00:00Z'))).toBeNull();
    expect(digestPeriod({ ...seoul, cadence: 'off' }, at('2026-11-22T03:00:00Z'))).toBeNull();
  });
});

describe('reminders and days left', () => {
  // 17:30 on Tue 1 Dec in New York = 07:30 on Wed 2 Dec in Seoul.
  const deadline = '2026-12-01T22:30:00.000Z';
  it('counts days on the recipient\'s calendar', () => {
    expect(localDaysLeft(deadline, 'Asia/Seoul', at('2026-11-30T23:00:00Z'))).toBe(1); // Tue 1 Dec 08:00 in Seoul
    expect(localDaysLeft(deadline, 'America/New_York', at('2026-11-30T23:00:00Z'))).toBe(1); // Mon 30 Nov 18:00 in NY
    expect(localDaysLeft(deadline, 'America/New_York', at('2026-12-01T13:00:00Z'))).toBe(0);
  });
  it('is due on the local day N days before, from the send hour, and never after the deadline', () => {
    const seoul = { sendHour: 8, timeZone: 'Asia/Seoul' };
    expect(reminderDue(deadline, 7, seoul, at('2026-11-24T23:00:00Z'))).toBe(true); // Wed 25 Nov 08:00
    expect(reminderDue(deadline, 7, seoul, at('2026-11-24T22:00:00Z'))).toBe(false); // 07:00
    expect(reminderDue(deadline, 7, seoul, at('2026-11-25T15:00:00Z'))).toBe(false); // Thu 26 Nov 00:00: the day has passed
    expect(reminderDue(deadline, 0, seoul, at('2026-12-01T23:00:00Z'))).toBe(false); // 08:00 on the day, after 07:30
    expect(reminderDue(deadline, 0, { sendHour: 8, timeZone: 'America/New_York' }, at('2026-12-01T13:00:00Z'))).toBe(true);
  });
});

describe('digest builder', () => {
  const ctx: MailContext = {
    recipient: { name: null, email: 'a@b.example', language: 'en', cadence: 'daily', timeZone: 'Asia/Seoul', maxItems: 1 },
    firm: { id: 'hanbit', name: 'Hanbit <Solar> & Co' },
    baseUrl: 'https://x.example',
    unsubscribeUrl: 'https://x.example/unsubscribe/u1.1.x',
    now: at('2026-11-20T00:00:00Z'),
  };
  const alert = (id: number, title: string, over: Partial<Alert> = {}): Alert => ({
    id, firmId: 'hanbit', score: 0.5, publishedAt: '2026-11-19T00:00:00Z', note: null, firmState: 'new', firmReason: null, change: null,
    explanation: { recommendedBy: 'adv' } as Alert['explanation'],
    tender: { id, source: 'ungm', reference: null, title, buyer: null, countries: [], url: null, status: 'open', deadline: null },
    ...over,
  });

  it('has nothing to say when nothing is new', () => {
    expect(buildDigest(ctx, { periodKey: 'daily:2026-11-20', newAlerts: [], changed: [] })).toBeNull();
  });
  it('escapes HTML, ranks by score, caps, and counts the rest', () => {
    const m = buildDigest(ctx, { periodKey: 'daily:2026-11-20', newAlerts: [alert(1, 'Low <b>'), alert(2, 'High', { score: 0.9, note: 'Bid with "K" & partner' })], changed: [alert(3, 'Moved')] })!;
    expect(m.subject).toBe('Tender alerts for Hanbit <Solar> & Co: 2 new, 1 changed (20 Nov 2026)');
    expect(m.text).toContain('* High');
    expect(m.text).not.toContain('Low <b>');
    expect(m.text).toContain("Adviser's note: Bid with \"K\" & partner");
    expect(m.text).toContain('Why: Recommended by your adviser');
    expect(m.text).toContain('Notice: https://x.example/tenders/2');
    expect(m.text).toContain('and 2 more: See all alerts https://x.example/firms/hanbit/alerts');
    expect(m.html).toContain('Hanbit &lt;Solar&gt; &amp; Co');
    expect(m.html).toContain('Bid with &quot;K&quot; &amp; partner');
    expect(m.html).not.toMatch(/<b>|<Solar>/);
  });
});
