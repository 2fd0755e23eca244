/**
 * Delivery under failure, against a real SMTP server on 127.0.0.1: refusals are retried with
 * backoff and lose no alert; a run stopped or killed midway and then restarted sends each
 * recipient exactly one digest; credentials never reach the log.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../db/client.js';
import { createSmtpSender, RETRY_SCHEDULE_MS } from '../../src/notifications/sender.js';
import { runNotifications, SENDING_LEASE_MS } from '../../src/notifications/service.js';
import { TITLES, smtpConfig, startSmtp, world, type SmtpOptions } from './helpers.js';

const T0 = '2099-11-20T00:00:00.000Z'; // 09:00 in Seoul
const after = (iso: string, ms: number) => new Date(new Date(iso).getTime() + ms).toISOString();

describe('digest delivery under failure', () => {
  let w: ReturnType<typeof world>;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let extraStores: Store[];

  beforeEach(() => {
    w = world();
    extraStores = [];
  });
  afterEach(async () => {
    await smtp?.close();
    for (const s of extraStores) if (s.sqlite.open) s.close();
    w.cleanup();
  });

  const start = async (opts: SmtpOptions = {}) => (smtp = await startSmtp(opts));
  const run = async (iso: string, opts: { store?: Store; signal?: AbortSignal; env?: NodeJS.ProcessEnv; log?: unknown[] } = {}) => {
    const config = smtpConfig(smtp.port, opts.env);
    const sender = createSmtpSender(config);
    try {
      return await runNotifications({
        sqlite: (opts.store ?? w.store).sqlite,
        config,
        sender,
        now: new Date(iso),
        signal: opts.signal,
        log: { warn: (o, m) => opts.log?.push({ ...o, m }) },
      });
    } finally {
      sender.close();
    }
  };
  const titlesIn = (i: number) => Object.values(TITLES).filter((t) => smtp.received[i].mail.text!.includes(t));

  it('retries a refused digest with backoff and delivers every alert it carried', async () => {
    await start({ refuse: (n) => (n <= 2 ? 'Try again later: mailbox busy' : null) });
    w.recipient({ email: 'minji@hanbit.example' });
    w.publish([w.solar('a'), w.solar('b')]);

    expect(await run(T0)).toMatchObject({ claimed: 1, sent: 0, failed: 1 });
    let [row] = w.sends();
    expect(row).toMatchObject({ status: 'failed', attempts: 1, next_attempt_at: after(T0, RETRY_SCHEDULE_MS[0]) });
    expect(row.error).toContain('451');
    // Not before the backoff is over.
    await run(after(T0, RETRY_SCHEDULE_MS[0] - 1000));
    expect(smtp.offered()).toBe(1);
    await run(after(T0, RETRY_SCHEDULE_MS[0]));
    [row] = w.sends();
    expect(row).toMatchObject({ status: 'failed', attempts: 2, next_attempt_at: after(after(T0, RETRY_SCHEDULE_MS[0]), RETRY_SCHEDULE_MS[1]) });
    await run(after(T0, RETRY_SCHEDULE_MS[0] + RETRY_SCHEDULE_MS[1]));
    expect(smtp.received).toHaveLength(1);
    expect(titlesIn(0)).toEqual([TITLES.a, TITLES.b]);
    expect(w.sends()).toMatchObject([{ status: 'sent', attempts: 3, error: null }]);
  });

  it('carries the alerts of a digest that never got through into the next one', async () => {
    // Refuses everything on the first day, accepts from the second.
    let accepting = false;
    await start({ refuse: () => (accepting ? null : 'Service unavailable') });
    w.recipient({ email: 'minji@hanbit.example' });
    w.publish([w.solar('a'), w.solar('b')]);
    let at = T0;
    for (const delay of [0, ...RETRY_SCHEDULE_MS.slice(0, 3)]) {
      at = after(at, delay);
      await run(at);
    }
    expect(smtp.offered()).toBe(4);
    expect(w.sends()).toMatchObject([{ period_key: 'daily:2099-11-20', status: 'failed', attempts: 4 }]);

    accepting = true;
    w.publish([w.solar('c')]);
    await run('2099-11-21T00:00:00.000Z');
    expect(smtp.received).toHaveLength(1);
    expect(titlesIn(0)).toEqual([TITLES.a, TITLES.b, TITLES.c]);
    const [day1, day2] = w.sends();
    expect(day1).toMatchObject({ status: 'merged', merged_into: day2.id });
    expect(day2).toMatchObject({ period_key: 'daily:2099-11-21', status: 'sent' });
    expect(JSON.parse(day2.alert_ids)).toHaveLength(3);
  });

  it('a run stopped after the first recipient and restarted sends each recipient exactly one digest', async () => {
    const stop = new AbortController();
    await start({ onAccept: () => stop.abort() });
    const emails = ['a@hanbit.example', 'b@hanbit.example', 'c@hanbit.example'];
    for (const email of emails) w.recipient({ email });
    w.publish([w.solar('a')]);

    expect(await run(T0, { signal: stop.signal })).toMatchObject({ claimed: 3, sent: 1 });
    expect(w.sends().map((s) => s.status)).toEqual(['sent', 'pending', 'pending']);
    // The process ends; a new one opens the database and runs at the next tick.
    w.store.close();
    const restarted = openStore(w.file);
    extraStores.push(restarted);
    expect(await run(after(T0, 15 * 60_000), { store: restarted })).toMatchObject({ claimed: 0, sent: 2 });
    await run(after(T0, 30 * 60_000), { store: restarted });
    expect(smtp.received.map((m) => m.to[0]).sort()).toEqual(emails);
  });

  it('a run killed during an SMTP exchange is finished by the next run, once per recipient', async () => {
    // The second message is refused and, at that moment, the process "dies" (its database is gone).
    await start({
      refuse: (n) => {
        if (n !== 2) return null;
        w.store.close();
        return 'Connection dropped';
      },
    });
    const emails = ['a@hanbit.example', 'b@hanbit.example', 'c@hanbit.example'];
    for (const email of emails) w.recipient({ email });
    w.publish([w.solar('a')]);

    await expect(run(T0)).rejects.toThrow(/database connection is not open/);
    const restarted = openStore(w.file);
    extraStores.push(restarted);
    const statuses = () => (restarted.sqlite.prepare(`SELECT status FROM notification_sends ORDER BY id`).all() as { status: string }[]).map((r) => r.status);
    expect(statuses()).toEqual(['sent', 'sending', 'pending']);
    // Within the lease the interrupted one is left alone (it may still be in flight elsewhere).
    await run(after(T0, 60_000), { store: restarted });
    expect(statuses()).toEqual(['sent', 'sending', 'sent']);
    await run(after(T0, SENDING_LEASE_MS + 60_000), { store: restarted });
    expect(statuses()).toEqual(['sent', 'sent', 'sent']);
    await run(after(T0, SENDING_LEASE_MS + 20 * 60_000), { store: restarted });
    expect(smtp.received.map((m) => m.to[0]).sort()).toEqual(emails);
  });

  it('stops at an unreachable server and leaves the rest for the next run', async () => {
    await start();
    await smtp.close(); // nothing listens on that port any more
    const emails = ['a@hanbit.example', 'b@hanbit.example', 'c@hanbit.example'];
    for (const email of emails) w.recipient({ email });
    w.publish([w.solar('a')]);
    expect(await run(T0)).toMatchObject({ claimed: 3, sent: 0, failed: 1 });
    expect(w.sends().map((s) => s.status)).toEqual(['failed', 'pending', 'pending']);
    expect(w.sends()[0].error).toMatch(/ECONNREFUSED|ECONNECTION|ESOCKET/);
    await start();
    await run(after(T0, RETRY_SCHEDULE_MS[0]));
    expect(smtp.received.map((m) => m.to[0]).sort()).toEqual(emails);
  });

  it('authenticates with the configured credentials and keeps them out of the send log and the logs', async () => {
    await start({ auth: { user: 'mailer', pass: 'right-password-42' } });
    w.recipient({ email: 'minji@hanbit.example' });
    w.publish([w.solar('a')]);
    const log: unknown[] = [];
    await run(T0, { env: { SMTP_USER: 'mailer', SMTP_PASSWORD: 'wrong-password-17' }, log });
    const [row] = w.sends();
    expect(row).toMatchObject({ status: 'failed' });
    expect(row.error).toMatch(/535|auth/i);
    const everything = JSON.stringify([w.sends(), log]);
    expect(log).toHaveLength(1);
    expect(everything).not.toContain('wrong-password-17');
    await run(after(T0, RETRY_SCHEDULE_MS[0]), { env: { SMTP_USER: 'mailer', SMTP_PASSWORD: 'right-password-42' } });
    expect(smtp.received).toHaveLength(1);
    expect(JSON.stringify(w.sends())).not.toContain('right-password-42');
  });
});
