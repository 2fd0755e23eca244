/**
 * `gpass-tenders notify [--dry-run] [--at ISO]` against a database on disk and an SMTP server
 * on 127.0.0.1.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../db/client.js';
import { main } from '../../src/cli.js';
import { TITLES, startSmtp, world } from './helpers.js';

const ENV = ['DATABASE_PATH', 'SMTP_HOST', 'SMTP_PORT', 'MAIL_FROM', 'UNSUBSCRIBE_SECRET', 'PUBLIC_BASE_URL'];

async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l), isTTY: false });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('gpass-tenders notify', () => {
  let w: ReturnType<typeof world>;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;

  beforeEach(async () => {
    w = world();
    w.recipient({ email: 'minji@hanbit.example', language: 'ko' });
    w.recipient({ email: 'jane@hanbit.example', language: 'en', timeZone: 'Europe/London' });
    w.publish([w.solar('a'), w.solar('b')]);
    w.store.close();
    smtp = await startSmtp();
    process.env.DATABASE_PATH = w.file;
    process.env.PUBLIC_BASE_URL = 'https://tenders.gpass.example';
  });
  afterEach(async () => {
    for (const k of ENV) delete process.env[k];
    await smtp.close();
    w.cleanup();
  });

  const sends = () => {
    const s = openStore(w.file);
    try {
      return s.sqlite.prepare(`SELECT count(*) AS n FROM notification_sends`).get() as { n: number };
    } finally {
      s.close();
    }
  };

  it('--dry-run prints what would be sent, per recipient, and sends and records nothing', async () => {
    const r = await cli(['notify', '--dry-run', '--at', '2099-11-20T09:00:00Z']);
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('minji@hanbit.example\tdigest\tdaily:2099-11-20\tnew=2 changed=0 pipeline=0 attempt=1\t[G-Pass 입찰 알림] Hanbit Solar: 신규 2건 (2099년 11월 20일)');
    expect(lines[1]).toBe('jane@hanbit.example\tdigest\tdaily:2099-11-20\tnew=2 changed=0 pipeline=0 attempt=1\tTender alerts for Hanbit Solar: 2 new (20 Nov 2099)');
    expect(lines[2]).toMatch(/2 message\(s\) would be sent; nothing was sent or recorded$/);
    expect(sends()).toEqual({ n: 0 });
    expect(smtp.offered()).toBe(0);
    // 07:00 in London: not due yet for Jane.
    const early = await cli(['notify', '--dry-run', '--at', '2099-11-20T07:00:00Z']);
    expect(early.out.split('\n').map((l) => l.split('\t')[0])).toEqual(['minji@hanbit.example', expect.stringContaining('1 message(s)')]);
  });

  it('sends for real with the SMTP settings, once', async () => {
    Object.assign(process.env, { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), MAIL_FROM: 'alerts@gpass.example', UNSUBSCRIBE_SECRET: 'x'.repeat(40) });
    const r = await cli(['notify', '--at', '2099-11-20T09:00:00Z']);
    expect(r).toMatchObject({ code: 0, out: 'notify at 2099-11-20T09:00:00.000Z: claimed=2 sent=2 failed=0 dead=0 skipped=0 cancelled=0' });
    expect(smtp.received.map((m) => m.to[0]).sort()).toEqual(['jane@hanbit.example', 'minji@hanbit.example']);
    expect(smtp.received[0].mail.text).toContain(TITLES.a);
    expect((await cli(['notify', '--at', '2099-11-20T10:00:00Z'])).out).toContain('claimed=0 sent=0');
    expect(smtp.received).toHaveLength(2);
  });

  it('names what is missing or wrong', async () => {
    const noHost = await cli(['notify']);
    expect(noHost.code).toBe(2);
    expect(noHost.err).toContain('SMTP_HOST: required');
    const badAt = await cli(['notify', '--dry-run', '--at', 'tomorrow']);
    expect(badAt).toMatchObject({ code: 2, err: expect.stringContaining('--at: not an ISO-8601 instant') });
    process.env.SMTP_PORT = 'many';
    expect((await cli(['notify', '--dry-run'])).err).toContain('SMTP_PORT');
  });
});
