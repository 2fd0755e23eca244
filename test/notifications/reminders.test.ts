/**
 * Deadline reminders for alerts marked interested: N days before the deadline on the
 * recipient's own calendar, at their send hour; once per deadline; a notice when it moves.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { markAlert } from '../../src/alerts/feedback.js';
import { createSmtpSender } from '../../src/notifications/sender.js';
import { runNotifications } from '../../src/notifications/service.js';
import { NY_DEADLINE, TITLES, smtpConfig, startSmtp, world } from './helpers.js';

describe('deadline reminders', () => {
  let w: ReturnType<typeof world>;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;

  beforeEach(async () => {
    w = world();
    smtp = await startSmtp();
    // Weekly digests, so the daily clock below mostly meets reminders.
    w.recipient({ email: 'minji@hanbit.example', language: 'ko', cadence: 'weekly' });
    w.recipient({ email: 'jane@hanbit.example', language: 'en', cadence: 'weekly', timeZone: 'America/New_York' });
    // Deadline 17:30 on Tue 1 Dec in New York = 07:30 on Wed 2 Dec in Seoul.
    w.publish([w.solar('a'), w.solar('b')]);
    markAlert(w.sqlite, 'hanbit', w.alertId('a'), 'interested', null, { id: 'k', role: 'firm' });
  });
  afterEach(async () => {
    await smtp.close();
    w.cleanup();
  });

  const run = async (iso: string) => {
    const config = smtpConfig(smtp.port);
    const sender = createSmtpSender(config);
    try {
      await runNotifications({ sqlite: w.sqlite, config, sender, now: new Date(iso) });
    } finally {
      sender.close();
    }
  };
  /** Subjects received since the last call, per recipient. */
  let seen = 0;
  const news = () => {
    const out = smtp.received.slice(seen).filter((m) => !/입찰 알림\]|alerts for/.test(m.mail.subject ?? '')).map((m) => `${m.to[0]}: ${m.mail.subject}`);
    seen = smtp.received.length;
    return out.sort();
  };

  it('reminds 7 and 2 days before, on the local day at the local send hour, once each', async () => {
    seen = 0;
    await run('2099-11-24T12:00:00Z'); // Seoul: Tue 24 Nov 21:00 (D-8); New York: Tue 24 Nov 07:00 (before 08:00)
    expect(news()).toEqual([]);
    await run('2099-11-24T13:00:00Z'); // New York: 08:00 on Tue 24 Nov, 7 days before Tue 1 Dec
    expect(news()).toEqual([`jane@hanbit.example: Deadline in 7 days: ${TITLES.a}`]);
    await run('2099-11-24T22:45:00Z'); // Seoul: 07:45 on Wed 25 Nov, before the send hour
    expect(news()).toEqual([]);
    await run('2099-11-24T23:00:00Z'); // Seoul: 08:00 on Wed 25 Nov, 7 days before Wed 2 Dec
    expect(news()).toEqual([`minji@hanbit.example: [G-Pass 마감 알림] 마감 7일 전: ${TITLES.a}`]);
    await run('2099-11-25T05:00:00Z'); // later the same days: nothing twice
    expect(news()).toEqual([]);

    await run('2099-11-29T13:00:00Z'); // New York: 08:00 on Sun 29 Nov
    expect(news()).toEqual([`jane@hanbit.example: Deadline in 2 days: ${TITLES.a}`]);
    await run('2099-11-29T23:00:00Z'); // Seoul: 08:00 on Mon 30 Nov
    const reminder = smtp.received.at(-1)!;
    expect(news()).toEqual([`minji@hanbit.example: [G-Pass 마감 알림] 마감 2일 전: ${TITLES.a}`]);
    expect(reminder.mail.text).toContain('관심 표시하신 입찰의 마감이 2일 남았습니다.');
    expect(reminder.mail.text).toContain('2099년 12월 2일 (수) 07:30 (Asia/Seoul) — D-2 (2일 남음)');
    expect(reminder.mail.html).toContain('2099년 12월 1일 (화) 17:30 (America/New_York)');
    expect(reminder.mail.headerLines.some((h) => h.key === 'list-unsubscribe')).toBe(true);
    // Only the alert marked interested was reminded.
    expect(w.sends().filter((s) => s.kind === 'reminder').map((s) => JSON.parse(s.alert_ids))).toEqual(Array(4).fill([w.alertId('a')]));
  });

  it('sends a notice when the deadline moves, and reminds again for the new deadline', async () => {
    seen = 0;
    await run('2099-11-24T13:00:00Z');
    expect(news()).toEqual([`jane@hanbit.example: Deadline in 7 days: ${TITLES.a}`]);
    // Moved a week later: 17:30 on Tue 8 Dec in New York.
    w.publish([w.solar('a', { deadline: { ...NY_DEADLINE, at: '2099-12-08T22:30:00.000Z' } })]);
    await run('2099-11-24T14:00:00Z');
    expect(news()).toEqual([`jane@hanbit.example: Deadline moved: ${TITLES.a}`, `minji@hanbit.example: [G-Pass 마감일 변경] ${TITLES.a}`]);
    const en = smtp.received.find((m) => m.to[0] === 'jane@hanbit.example' && m.mail.subject?.startsWith('Deadline moved'))!;
    expect(en.mail.text).toContain('Deadline moved from Tue 1 Dec 2099, 17:30 (America/New_York) to Tue 8 Dec 2099, 17:30 (America/New_York).');
    // The old deadline's reminders are void; the new one gets its own.
    await run('2099-11-29T13:00:00Z');
    expect(news()).toEqual([]);
    await run('2099-12-01T13:00:00Z');
    expect(news()).toEqual([`jane@hanbit.example: Deadline in 7 days: ${TITLES.a}`]);
  });

  it('tells an instant recipient of a moved deadline once, in the instant email of the change', async () => {
    seen = 0;
    w.recipient({ email: 'ops@hanbit.example', language: 'en', cadence: 'instant' });
    w.publish([w.solar('a', { deadline: { ...NY_DEADLINE, at: '2099-12-08T22:30:00.000Z' } })]);
    await run('2099-11-20T00:00:00Z');
    const ops = smtp.received.filter((m) => m.to[0] === 'ops@hanbit.example');
    expect(ops.map((m) => m.mail.subject)).toEqual([`Tender alert changed: ${TITLES.a}`]);
    expect(ops[0].mail.text).toContain('Deadline moved from Wed 2 Dec 2099, 07:30 (Asia/Seoul) to Wed 9 Dec 2099, 07:30 (Asia/Seoul).');
    expect(w.sends().filter((s) => s.kind === 'deadline_moved').map((s) => s.recipient_id)).toHaveLength(2);
  });

  it('does not remind about alerts that are not marked interested, or when reminders are off', async () => {
    seen = 0;
    markAlert(w.sqlite, 'hanbit', w.alertId('a'), 'seen', null, { id: 'k', role: 'firm' });
    await run('2099-11-24T13:00:00Z');
    expect(news()).toEqual([]);
    markAlert(w.sqlite, 'hanbit', w.alertId('a'), 'interested', null, { id: 'k', role: 'firm' });
    const config = smtpConfig(smtp.port, { REMINDER_DAYS: '' });
    const sender = createSmtpSender(config);
    await runNotifications({ sqlite: w.sqlite, config, sender, now: new Date('2099-11-24T13:00:00Z') });
    sender.close();
    expect(news()).toEqual([]);
  });
});
