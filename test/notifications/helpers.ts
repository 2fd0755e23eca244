/**
 * A real SMTP server on 127.0.0.1 (smtp-server) that keeps what it accepts, parsed with
 * mailparser, and can refuse messages on a script; and a store with a firm, its recipients
 * and alerts published by the real pipeline (ingest, match, auto-publish).
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { setAutoPublishThreshold } from '../../src/alerts/service.js';
import type { Config } from '../../src/config.js';
import { createFirm } from '../../src/firms/repository.js';
import { createIngestor } from '../../src/ingest/ingest.js';
import { afterRun } from '../../src/ingest/scrape.js';
import { createRecipient, type RecipientInput } from '../../src/notifications/recipients.js';
import { fakeSource, raw, tender } from '../helpers/fake-source.js';
import { tempStore, testConfig } from '../helpers/store.js';

export interface Received {
  from: string;
  to: string[];
  raw: string;
  mail: ParsedMail;
}

export interface SmtpOptions {
  /** Refuse the n-th message (1-based, counting refused ones) with this text; null accepts. */
  refuse?: (n: number) => string | null;
  /** Require AUTH with these credentials. */
  auth?: { user: string; pass: string };
  /** Called with each accepted message before it is acknowledged. */
  onAccept?: (m: Received) => void;
}

export async function startSmtp(opts: SmtpOptions = {}) {
  const received: Received[] = [];
  let n = 0;
  const server = new SMTPServer({
    authOptional: !opts.auth,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (opts.auth && auth.username === opts.auth.user && auth.password === opts.auth.pass) return callback(null, { user: auth.username });
      callback(Object.assign(new Error('Authentication failed'), { responseCode: 535 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        n++;
        const refusal = opts.refuse?.(n);
        if (refusal) return callback(Object.assign(new Error(refusal), { responseCode: 451 }));
        const rawText = Buffer.concat(chunks).toString('utf8');
        const m: Received = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: rawText,
          mail: await simpleParser(rawText),
        };
        received.push(m);
        try {
          opts.onAccept?.(m);
        } finally {
          callback();
        }
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    received,
    /** Messages offered so far, refused ones included. */
    offered: () => n,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export const BASE_URL = 'https://tenders.gpass.example';

export function smtpConfig(port: number, extra: NodeJS.ProcessEnv = {}): Config {
  return testConfig({
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(port),
    MAIL_FROM: 'G-Pass Tenders <alerts@gpass.example>',
    UNSUBSCRIBE_SECRET: 'test-unsubscribe-secret-0123456789abcdef',
    PUBLIC_BASE_URL: BASE_URL,
    ...extra,
  });
}

/** Deadline 1 Dec 2099 17:30 in New York (EST): 2 Dec 2099 07:30 in Seoul. */
export const NY_DEADLINE = { at: '2099-12-01T22:30:00.000Z', raw: '01-Dec-2099 17:30 EST', zone: 'America/New_York', zoneKnown: true };

/** Titles far enough apart that duplicate linking keeps them apart. */
export const TITLES = {
  a: 'Solar PV systems for rural clinics',
  b: 'Solar PV irrigation pumps for farmers',
  c: 'Solar PV street lighting in the capital',
  d: 'Solar PV mini-grid for mountain schools',
  e: 'Solar PV water heaters for district hospitals',
} as const;

/** A store with firm `hanbit` (alerts published as soon as matched) and a way to publish tenders. */
export function world() {
  const t = tempStore();
  const sqlite = t.store.sqlite;
  createFirm(sqlite, { id: 'hanbit', name: 'Hanbit Solar', keywords: ['solar PV'] });
  setAutoPublishThreshold(sqlite, 'hanbit', 0, { id: 'test', role: 'admin' });
  const src = fakeSource('fake', () => []);
  const publish = (items: ReturnType<typeof tender>[]) => {
    const ing = createIngestor(sqlite, src, { runId: null });
    ing.ingestBatch(items.map((x) => raw(x)));
    afterRun(t.store, { runId: 0, source: 'fake', status: 'success', pages: 1, counts: ing.counts, problems: 0, error: null, changed: ing.changed, startedAt: '', finishedAt: '' });
  };
  const solar = (id: keyof typeof TITLES, over: Partial<ReturnType<typeof tender>> = {}) =>
    tender({ sourceId: id, title: TITLES[id], description: null, buyer: 'UNDP New York', countries: ['US'], deadline: NY_DEADLINE, ...over });
  const recipient = (input: Partial<RecipientInput> & { email: string }) => createRecipient(sqlite, 'hanbit', input);
  const alertId = (sourceId: string) =>
    (sqlite.prepare(`SELECT m.id FROM matches m JOIN tenders t ON t.id = m.tender_id WHERE t.source_id = ? AND m.firm_id = 'hanbit'`).get(sourceId) as { id: number }).id;
  const sends = () => sqlite.prepare(`SELECT * FROM notification_sends ORDER BY id`).all() as Record<string, any>[];
  return { ...t, sqlite, publish, solar, recipient, alertId, sends };
}
