/**
 * Pipeline updates in the emails: a firm's pursuit stage changes and award notices linked go
 * into its recipients' next digest (own section, their language), once, never into another
 * firm's; an instant recipient gets an email per update; a digest that failed carries them on.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setAutoPublishThreshold } from '../../src/alerts/service.js';
import { createFirm } from '../../src/firms/repository.js';
import { createRecipient } from '../../src/notifications/recipients.js';
import { createSmtpSender } from '../../src/notifications/sender.js';
import { buildDigest, type MailContext, type PipelineUpdate } from '../../src/notifications/digest.js';
import { runNotifications } from '../../src/notifications/service.js';
import { movePursuit } from '../../src/pipeline/service.js';
import { tender } from '../helpers/fake-source.js';
import { BASE_URL, TITLES, smtpConfig, startSmtp, world, type SmtpOptions } from './helpers.js';

const FIRM = { id: 'k-hanbit', role: 'firm' };
const ADVISER = { id: 'k-adviser', role: 'adviser' };
const BID = { bidAmount: 480_000, bidCurrency: 'USD', submittedOn: '2099-11-19' };
const NOTE = 'Partner <b>K-Power</b> & "Sun Co" signed';

describe('pipeline updates in the emails', () => {
  let w: ReturnType<typeof world>;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;

  beforeEach(() => {
    w = world();
    // A second firm on the same tenders, with its own recipient.
    createFirm(w.sqlite, { id: 'secu', name: 'SecuVision', keywords: ['solar PV'] });
    setAutoPublishThreshold(w.sqlite, 'secu', 0, { id: 'test', role: 'admin' });
  });
  afterEach(async () => {
    await smtp?.close();
    w.cleanup();
  });

  const start = async (opts: SmtpOptions = {}) => (smtp = await startSmtp(opts));
  const run = async (iso: string) => {
    const config = smtpConfig(smtp.port);
    const sender = createSmtpSender(config);
    try {
      return await runNotifications({ sqlite: w.sqlite, config, sender, now: new Date(iso) });
    } finally {
      sender.close();
    }
  };
  const to = (email: string) => smtp.received.filter((m) => m.to.includes(email));
  const alertOf = (firmId: string, sourceId: string) =>
    (w.sqlite.prepare(`SELECT m.id FROM matches m JOIN tenders t ON t.id = m.tender_id WHERE t.source_id = ? AND m.firm_id = ?`).get(sourceId, firmId) as { id: number }).id;
  const pursuitId = (alertId: number) => (w.sqlite.prepare(`SELECT id FROM pursuits WHERE match_id = ?`).get(alertId) as { id: number }).id;

  it("puts a firm's stage changes into its recipients' next digest, in their language, once", async () => {
    await start();
    w.recipient({ email: 'minji@hanbit.example', name: '김민지', language: 'ko' });
    w.recipient({ email: 'jane@hanbit.example', language: 'en' });
    createRecipient(w.sqlite, 'secu', { email: 'sam@secu.example', language: 'en' });
    w.publish([w.solar('a'), w.solar('b')]);
    await run('2099-11-20T00:00:00Z'); // 09:00 in Seoul: the alerts' digests
    expect(smtp.received).toHaveLength(3);

    const a = alertOf('hanbit', 'a');
    movePursuit(w.sqlite, 'hanbit', a, { stage: 'interested' }, FIRM, '2099-11-20T02:00:00.000Z');
    movePursuit(w.sqlite, 'hanbit', a, { stage: 'submitted', note: NOTE, ...BID }, ADVISER, '2099-11-20T03:00:00.000Z');
    movePursuit(w.sqlite, 'secu', alertOf('secu', 'b'), { stage: 'preparing', note: 'SecuVision internal' }, { id: 'k-secu', role: 'firm' }, '2099-11-20T04:00:00.000Z');
    // The day's digests are done: the updates wait for tomorrow's.
    await run('2099-11-20T06:00:00Z');
    expect(smtp.received).toHaveLength(3);

    await run('2099-11-21T00:00:00Z');
    expect(smtp.received).toHaveLength(6);
    const [, ko] = to('minji@hanbit.example');
    expect(ko.mail.subject).toBe('[G-Pass 입찰 알림] Hanbit Solar: 진행 현황 2건 (2099년 11월 21일)');
    for (const part of [ko.mail.text!, ko.mail.html as string]) {
      expect(part).toContain('입찰 진행 현황 (2건)');
      expect(part).toContain(TITLES.a);
      expect(part).toContain('진행 시작: 관심');
      expect(part).toContain('관심 → 입찰 제출');
      expect(part).toContain('Hanbit Solar'); // who: the firm
      expect(part).toContain('G-Pass 자문관'); // who: the adviser
      expect(part).toContain('USD 480,000 (2099년 11월 19일 제출)');
      expect(part).toContain('2099년 11월 20일 (금) 12:00 (Asia/Seoul)');
      expect(part).toContain(`${BASE_URL}/firms/hanbit/pipeline/${pursuitId(a)}`);
      expect(part).toContain(`${BASE_URL}/unsubscribe/u1.`);
      expect(part).not.toContain('SecuVision');
      expect(part).not.toContain(TITLES.b);
    }
    expect(ko.mail.text).toContain(`메모: ${NOTE}`);
    expect(ko.mail.headerLines.some((h) => h.key === 'list-unsubscribe')).toBe(true);

    const [, en] = to('jane@hanbit.example');
    expect(en.mail.subject).toBe('Tender alerts for Hanbit Solar: 2 pipeline updates (21 Nov 2099)');
    for (const part of [en.mail.text!, en.mail.html as string]) {
      expect(part).toContain('Pipeline updates (2)');
      expect(part).toContain('Pursuit started: Interested');
      expect(part).toContain('Interested → Bid submitted');
      expect(part).toContain('G-Pass adviser');
      expect(part).toContain('USD 480,000 (submitted 19 Nov 2099)');
      expect(part).not.toContain('SecuVision');
    }
    expect(en.mail.text).toContain('  By: Hanbit Solar\n');
    // The note is escaped in HTML, as it is in the plain text part.
    expect(en.mail.text).toContain(`Note: ${NOTE}`);
    expect(en.mail.html).toContain('Partner &lt;b&gt;K-Power&lt;/b&gt; &amp; &quot;Sun Co&quot; signed');
    expect(en.mail.html).not.toContain('<b>K-Power</b>');

    // The other firm hears of its own pursuit only.
    const [, sam] = to('sam@secu.example');
    expect(sam.mail.subject).toBe('Tender alerts for SecuVision: 1 pipeline update (21 Nov 2099)');
    expect(sam.mail.text).toContain('Pursuit started: Preparing a bid');
    expect(sam.mail.text).toContain('SecuVision internal');
    expect(sam.mail.text).not.toContain(TITLES.a);
    expect(sam.mail.text).not.toContain('K-Power');

    // Not repeated: the next day has nothing new.
    await run('2099-11-22T00:00:00Z');
    expect(smtp.received).toHaveLength(6);
    expect(w.sends().slice(-3).map((s) => s.status)).toEqual(['skipped', 'skipped', 'skipped']);
  });

  it('lists an award notice linked to a pursuit', async () => {
    await start();
    w.recipient({ email: 'jane@hanbit.example', language: 'en' });
    w.recipient({ email: 'minji@hanbit.example', language: 'ko' });
    w.publish([w.solar('a', { reference: 'US-UNDP-2099-0042' })]);
    const a = alertOf('hanbit', 'a');
    movePursuit(w.sqlite, 'hanbit', a, { stage: 'submitted', ...BID }, FIRM, '2099-11-20T02:00:00.000Z');
    await run('2099-11-20T00:00:00Z');
    expect(to('jane@hanbit.example')[0].mail.text).toContain('Pursuit started: Bid submitted');

    // The award notice comes in with the tender's reference, written another way.
    w.publish([
      tender({ sourceId: 'award-a', reference: 'US/UNDP/2099/0042', title: 'Contract award: clinic power systems', noticeType: 'contract_award', status: 'awarded', deadline: null, url: 'https://example.org/award/a' }),
    ]);
    expect(w.sqlite.prepare(`SELECT count(*) AS n FROM events WHERE type = 'pursuit.award_linked' AND firm_id = 'hanbit'`).get()).toEqual({ n: 1 });
    await run('2099-11-21T00:00:00Z');
    const en = to('jane@hanbit.example')[1];
    expect(en.mail.subject).toContain('1 pipeline update');
    for (const part of [en.mail.text!, en.mail.html as string]) {
      expect(part).toContain('Award notice linked');
      expect(part).toContain('Contract award: clinic power systems');
      expect(part).toContain('https://example.org/award/a');
      expect(part).toContain('Automatically (award notice matched by reference)');
    }
    const ko = to('minji@hanbit.example')[1];
    expect(ko.mail.text).toContain('낙찰 공고 연결');
    expect(ko.mail.text).toContain('낙찰 공고: Contract award: clinic power systems');
  });

  it('sends an instant recipient an email per update, once', async () => {
    await start();
    w.recipient({ email: 'ops@hanbit.example', language: 'en', cadence: 'instant' });
    w.recipient({ email: 'minji@hanbit.example', language: 'ko', cadence: 'instant' });
    w.publish([w.solar('a')]);
    await run('2099-11-20T00:00:00Z');
    expect(smtp.received).toHaveLength(2);

    const a = alertOf('hanbit', 'a');
    movePursuit(w.sqlite, 'hanbit', a, { stage: 'preparing', note: NOTE }, ADVISER, '2099-11-20T00:05:00.000Z');
    await run('2099-11-20T00:15:00Z');
    const [, ops] = to('ops@hanbit.example');
    expect(ops.mail.subject).toBe(`Pipeline update: ${TITLES.a}`);
    expect(ops.mail.text).toContain('An update of the bid pipeline of Hanbit Solar.');
    expect(ops.mail.text).toContain('Pursuit started: Preparing a bid');
    expect(ops.mail.html).toContain('Partner &lt;b&gt;K-Power&lt;/b&gt;');
    expect(to('minji@hanbit.example')[1].mail.subject).toBe(`[G-Pass 입찰 알림] 진행 현황: ${TITLES.a}`);
    const event = (w.sqlite.prepare(`SELECT id FROM events WHERE type = 'pursuit.stage_changed'`).get() as { id: number }).id;
    expect(w.sends().filter((s) => s.period_key === `instant:pursuit:${event}`)).toHaveLength(2);

    await run('2099-11-20T00:30:00Z');
    expect(smtp.received).toHaveLength(4);
  });

  it('carries the updates of a digest that never got through into the next one', async () => {
    let accepting = false;
    await start({ refuse: () => (accepting ? null : 'Service unavailable') });
    w.recipient({ email: 'jane@hanbit.example', language: 'en' });
    w.publish([w.solar('a'), w.solar('b')]);
    movePursuit(w.sqlite, 'hanbit', alertOf('hanbit', 'a'), { stage: 'interested' }, FIRM, '2099-11-19T12:00:00.000Z');
    await run('2099-11-20T00:00:00Z');
    expect(w.sends()).toMatchObject([{ status: 'failed' }]);

    accepting = true;
    movePursuit(w.sqlite, 'hanbit', alertOf('hanbit', 'b'), { stage: 'no_bid', reason: 'Outside our capacity' }, FIRM, '2099-11-20T12:00:00.000Z');
    await run('2099-11-21T00:00:00Z');
    expect(smtp.received).toHaveLength(1);
    const m = smtp.received[0];
    expect(m.mail.subject).toBe('Tender alerts for Hanbit Solar: 2 new, 2 pipeline updates (21 Nov 2099)');
    expect(m.mail.text).toContain('Pursuit started: Interested');
    expect(m.mail.text).toContain('Pursuit started: No bid');
    expect(m.mail.text).toContain('Reason: Outside our capacity');
    const [day1, day2] = w.sends();
    expect(day1).toMatchObject({ status: 'merged', merged_into: day2.id });
    expect(JSON.parse(day2.detail).pipelineEventIds).toHaveLength(2);
  });
});

describe('pipeline section of the digest builder', () => {
  const ctx: MailContext = {
    recipient: { name: null, email: 'a@b.example', language: 'en', cadence: 'daily', timeZone: 'Asia/Seoul', maxItems: 1 },
    firm: { id: 'hanbit', name: 'Hanbit Solar' },
    baseUrl: 'https://x.example',
    unsubscribeUrl: 'https://x.example/unsubscribe/u1.1.x',
    now: new Date('2026-11-20T00:00:00Z'),
  };
  const update = (eventId: number, over: Partial<PipelineUpdate> = {}): PipelineUpdate => ({
    eventId, type: 'pursuit.stage_changed', at: '2026-11-19T03:00:00.000Z', pursuitId: eventId, tender: { id: eventId, title: `Tender ${eventId}`, url: null },
    from: 'submitted', to: 'won', correction: false, note: null, reason: null,
    bid: { amount: 480_000, currency: 'USD', submittedOn: '2026-10-15' }, contract: { value: 1_250_000_000, currency: 'KRW', awardedOn: '2026-11-02' }, awardNotice: null,
    actor: { role: 'admin' },
    ...over,
  });

  it('caps the updates on their own, with a link to the pipeline, and flags corrections', () => {
    const m = buildDigest(ctx, { periodKey: 'daily:2026-11-20', newAlerts: [], changed: [], pipeline: [update(1, { correction: true, from: 'lost' }), update(2)] })!;
    expect(m.subject).toBe('Tender alerts for Hanbit Solar: 2 pipeline updates (20 Nov 2026)');
    expect(m.text).toContain('Lost → Won (correction)');
    expect(m.text).toContain('By: G-Pass adviser');
    expect(m.text).toContain('Contract: KRW 1,250,000,000 (awarded 2 Nov 2026)');
    expect(m.text).not.toContain('Tender 2');
    expect(m.text).toContain('and 1 more: See the pipeline https://x.example/firms/hanbit/pipeline');
    expect(m.html).toContain('<a href="https://x.example/firms/hanbit/pipeline">and 1 more — See the pipeline</a>');
    expect(m.text).not.toContain('See all alerts');
  });
});
