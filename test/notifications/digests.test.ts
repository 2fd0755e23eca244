/**
 * Digests end to end: alerts published by the real pipeline, a notification run, and a real
 * SMTP server on 127.0.0.1 whose received messages are parsed and checked.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { createSmtpSender } from '../../src/notifications/sender.js';
import { runNotifications } from '../../src/notifications/service.js';
import { BASE_URL, NY_DEADLINE, TITLES, smtpConfig, startSmtp, world, type Received } from './helpers.js';

const header = (m: Received, name: string) => m.mail.headerLines.find((h) => h.key === name)?.line.replace(/^[^:]+:\s*/, '').replace(/\r?\n\s+/g, ' ');

describe('email digests', () => {
  let w: ReturnType<typeof world>;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;

  beforeEach(async () => {
    w = world();
    smtp = await startSmtp();
  });
  afterEach(async () => {
    await smtp.close();
    w.cleanup();
  });

  const run = async (iso: string, config = smtpConfig(smtp.port)) => {
    const sender = createSmtpSender(config);
    try {
      return await runNotifications({ sqlite: w.sqlite, config, sender, now: new Date(iso) });
    } finally {
      sender.close();
    }
  };
  const to = (email: string) => smtp.received.filter((m) => m.to.includes(email));

  it('sends one digest per recipient with headers, both parts, in their language and zone', async () => {
    w.recipient({ email: 'minji@hanbit.example', name: '김민지', language: 'ko' });
    w.recipient({ email: 'Jane@Hanbit.example', name: 'Jane Doe', language: 'en', timeZone: 'America/New_York' });
    w.publish([w.solar('a'), w.solar('b', { deadline: { ...NY_DEADLINE, at: '2099-12-20T22:30:00.000Z' } })]);

    // 09:00 in Seoul on Friday 20 Nov; 19:00 on Thursday 19 Nov in New York.
    const summary = await run('2099-11-20T00:00:00Z');
    expect(summary).toMatchObject({ claimed: 2, sent: 2, failed: 0 });
    expect(smtp.received).toHaveLength(2);

    const [ko] = to('minji@hanbit.example');
    expect(ko.from).toBe('alerts@gpass.example');
    expect(ko.mail.from?.value[0]).toMatchObject({ address: 'alerts@gpass.example', name: 'G-Pass Tenders' });
    expect(ko.mail.to && !Array.isArray(ko.mail.to) && ko.mail.to.value[0]).toMatchObject({ address: 'minji@hanbit.example', name: '김민지' });
    expect(ko.mail.subject).toBe('[G-Pass 입찰 알림] Hanbit Solar: 신규 2건 (2099년 11월 20일)');
    expect(ko.mail.messageId).toMatch(/^<gpass-digest-\d+-\d+@tenders\.gpass\.example>$/);
    const unsubscribe = header(ko, 'list-unsubscribe');
    expect(unsubscribe).toMatch(new RegExp(`^<${BASE_URL}/unsubscribe/u1\\.\\d+\\.[A-Za-z0-9_-]{43}>$`));
    expect(header(ko, 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    // The date line: 17:30 on 1 Dec in New York is 07:30 on 2 Dec in Seoul.
    for (const part of [ko.mail.text!, ko.mail.html as string]) {
      expect(part).toContain('2099년 12월 2일 (수) 07:30 (Asia/Seoul)');
      expect(part).toContain('2099년 12월 1일 (화) 17:30 (America/New_York)');
      expect(part).toContain('D-12 (12일 남음)');
      expect(part).toContain('마감 여유');
      expect(part).toContain('발주처');
      expect(part).toContain('UNDP New York');
      expect(part).toContain('미국'); // the country, in Korean
      expect(part).toContain(`${BASE_URL}/firms/hanbit/alerts/${w.alertId('a')}`);
      expect(part).toContain('https://example.org/notice/a');
      expect(part).toContain(unsubscribe!.slice(1, -1));
    }
    expect(ko.mail.text).toContain('제목의 "solar PV" 일치');
    expect(ko.mail.html).toContain('제목의 &quot;solar PV&quot; 일치');
    expect(ko.mail.html).toMatch(/^<!doctype html><html lang="ko">/);
    expect(ko.mail.text).toMatch(/^김민지 님, 안녕하세요\./);

    const [en] = to('jane@hanbit.example');
    expect(en.mail.subject).toBe('Tender alerts for Hanbit Solar: 2 new (19 Nov 2099)');
    for (const part of [en.mail.text!, en.mail.html as string]) {
      expect(part).toContain('Tue 1 Dec 2099, 17:30 (America/New_York) — 12 days left');
      expect(part).toContain('New alerts (2) — Later deadlines');
      expect(part).toContain('United States of America');
    }
    expect(en.mail.text).toContain('Matched "solar PV" in the title');
    expect(en.mail.html).toContain('Matched &quot;solar PV&quot; in the title');
    expect(en.mail.text).toMatch(/^Dear Jane Doe,/);
    // Sent means logged: recipient, period, alerts, status.
    const log = w.sends();
    expect(log.map((s) => [s.kind, s.period_key, s.status, JSON.parse(s.alert_ids).length])).toEqual([
      ['digest', 'daily:2099-11-20', 'sent', 2],
      ['digest', 'daily:2099-11-19', 'sent', 2],
    ]);
  });

  it('sends nothing when nothing is new, and each period once', async () => {
    w.recipient({ email: 'minji@hanbit.example' });
    w.publish([w.solar('a')]);
    await run('2099-11-20T00:00:00Z');
    expect(smtp.received).toHaveLength(1);
    // Later the same day: the period is done, even with something new (it waits for tomorrow).
    w.publish([w.solar('b')]);
    await run('2099-11-20T06:00:00Z');
    expect(smtp.received).toHaveLength(1);
    // Before tomorrow's send hour (07:00 in Seoul): not yet.
    await run('2099-11-20T22:00:00Z');
    expect(smtp.received).toHaveLength(1);
    await run('2099-11-20T23:15:00Z');
    expect(smtp.received).toHaveLength(2);
    expect(smtp.received[1].mail.text).toContain(TITLES.b);
    expect(smtp.received[1].mail.text).not.toContain(TITLES.a);
    // The day after, nothing new: nothing sent, the period logged as skipped.
    await run('2099-11-22T00:00:00Z');
    expect(smtp.received).toHaveLength(2);
    expect(w.sends().at(-1)).toMatchObject({ period_key: 'daily:2099-11-22', status: 'skipped' });
  });

  it('caps a digest with "and N more" linking to the full list', async () => {
    w.recipient({ email: 'jane@hanbit.example', language: 'en', maxItems: 2 });
    w.publish((['a', 'b', 'c', 'd', 'e'] as const).map((id) => w.solar(id)));
    await run('2099-11-20T00:00:00Z');
    const [m] = smtp.received;
    expect(m.mail.subject).toBe('Tender alerts for Hanbit Solar: 5 new (20 Nov 2099)');
    expect(m.mail.text!.match(/^ {2}Alert: /gm)).toHaveLength(2);
    expect(m.mail.text).toContain(`and 3 more: See all alerts ${BASE_URL}/firms/hanbit/alerts`);
    expect(m.mail.html).toContain(`<a href="${BASE_URL}/firms/hanbit/alerts">and 3 more — See all alerts</a>`);
    // All five were carried (the three not shown are behind the link).
    expect(JSON.parse(w.sends()[0].alert_ids)).toHaveLength(5);
  });

  it('lists changed alerts in their own section', async () => {
    w.recipient({ email: 'jane@hanbit.example', language: 'en', timeZone: 'Asia/Seoul' });
    w.publish([w.solar('a'), w.solar('b')]);
    await run('2099-11-20T00:00:00Z');
    w.publish([w.solar('a', { deadline: { ...NY_DEADLINE, at: '2099-12-08T22:30:00.000Z' } }), w.solar('b', { status: 'cancelled' })]);
    w.publish([w.solar('c')]);
    await run('2099-11-21T00:00:00Z');
    const m = smtp.received[1];
    expect(m.mail.subject).toBe('Tender alerts for Hanbit Solar: 1 new, 2 changed (21 Nov 2099)');
    const text = m.mail.text!;
    expect(text.indexOf('== Changed alerts (2) ==')).toBeGreaterThan(text.indexOf(TITLES.c));
    expect(text).toContain('Deadline moved from Wed 2 Dec 2099, 07:30 (Asia/Seoul) to Wed 9 Dec 2099, 07:30 (Asia/Seoul).');
    expect(text).toContain('Cancelled');
  });

  it('sends instant alerts one by one', async () => {
    w.recipient({ email: 'ops@hanbit.example', language: 'en', cadence: 'instant', sendHour: 23 });
    w.publish([w.solar('a'), w.solar('b')]);
    await run('2099-11-20T00:00:00Z');
    expect(smtp.received.map((m) => m.mail.subject).sort()).toEqual([`New tender alert: ${TITLES.a}`, `New tender alert: ${TITLES.b}`].sort());
    expect(w.sends().map((s) => s.period_key)).toEqual([`instant:${w.alertId('a')}`, `instant:${w.alertId('b')}`]);
    await run('2099-11-20T00:15:00Z');
    expect(smtp.received).toHaveLength(2);
  });

  it('unsubscribes through the link in the email, without a key (GET and one-click POST)', async () => {
    const config = smtpConfig(smtp.port);
    w.recipient({ email: 'minji@hanbit.example', language: 'ko' });
    w.recipient({ email: 'jane@hanbit.example', language: 'en' });
    w.publish([w.solar('a')]);
    await run('2099-11-20T00:00:00Z', config);
    const app = await buildApp({ config, store: w.store });
    try {
      const link = (email: string) => header(to(email)[0], 'list-unsubscribe')!.slice(1, -1).replace(BASE_URL, '');
      const page = await app.inject({ method: 'GET', url: link('minji@hanbit.example') });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toContain('text/html');
      expect(page.body).toContain('<html lang="ko">');
      expect(page.body).toContain('수신 거부 완료');
      const oneClick = await app.inject({
        method: 'POST',
        url: link('jane@hanbit.example'),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'List-Unsubscribe=One-Click',
      });
      expect(oneClick.statusCode).toBe(200);
      expect(oneClick.body).toContain('Unsubscribed');
      expect(w.sqlite.prepare(`SELECT cadence FROM recipients ORDER BY id`).all()).toEqual([{ cadence: 'off' }, { cadence: 'off' }]);
      // A forged or altered token does nothing.
      const forged = link('minji@hanbit.example').replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
      const bad = await app.inject({ method: 'GET', url: forged });
      expect(bad.statusCode).toBe(404);
      expect(bad.json()).toMatchObject({ statusCode: 404, error: 'Not Found' });
    } finally {
      await app.close();
    }
    w.publish([w.solar('b')]);
    await run('2099-11-21T00:00:00Z', config);
    expect(smtp.received).toHaveLength(2);
  });
});
