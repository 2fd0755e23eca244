/**
 * Sending: nodemailer over SMTP, and the retry rules. A failed message is not retried here but
 * by the next runs (the send log keeps it `failed` with `next_attempt_at`), so a restart loses
 * nothing. Error texts are cut short and scrubbed of the SMTP credentials before being stored.
 */
import nodemailer from 'nodemailer';
import type { Config } from '../config.js';
import { ConfigError } from '../config.js';

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
/** Delay before the next attempt after the n-th failed one (n = 1 is the first failure). */
export const RETRY_SCHEDULE_MS: readonly number[] = [1 * MIN, 5 * MIN, 15 * MIN, 1 * H, 3 * H, 6 * H, 12 * H];
/** After this many attempts a message is dead (a digest's alerts still go into the next digest). */
export const MAX_ATTEMPTS = RETRY_SCHEDULE_MS.length + 1;

/** When to try again after `attempts` failed attempts; null = give up. */
export function nextAttemptAt(attempts: number, now: Date): string | null {
  if (attempts >= MAX_ATTEMPTS) return null;
  const delay = RETRY_SCHEDULE_MS[Math.min(attempts, RETRY_SCHEDULE_MS.length) - 1] ?? RETRY_SCHEDULE_MS[0];
  return new Date(now.getTime() + delay).toISOString();
}

export interface OutgoingMail {
  to: { name: string; address: string };
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
  /** `<…@…>`: stable per send-log row, so a retry is recognisably the same message. */
  messageId: string;
}

/** A failed send; `connection` when the server could not be reached or refused us (not this message). */
export class SendError extends Error {
  constructor(message: string, readonly connection: boolean) {
    super(message);
    this.name = 'SendError';
  }
}

/** nodemailer's codes for failures of the connection or the session rather than of one message. */
const CONNECTION_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ETLS', 'EAUTH', 'ECONNREFUSED', 'ECONNRESET']);

export interface MailSender {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

export type SmtpSettings = Pick<Config, 'smtpHost' | 'smtpPort' | 'smtpSecure' | 'smtpUser' | 'smtpPassword' | 'mailFrom'>;

/** Fails naming the variable when sending is asked for without the settings it needs. */
export function requireSmtp(config: SmtpSettings): asserts config is SmtpSettings & { smtpHost: string; mailFrom: string } {
  if (!config.smtpHost) throw new ConfigError('SMTP_HOST', 'required to send email (NOTIFY=on or `notify` without --dry-run)');
  if (!config.mailFrom) throw new ConfigError('MAIL_FROM', 'required to send email (NOTIFY=on or `notify` without --dry-run)');
  if (config.smtpPassword && !config.smtpUser) throw new ConfigError('SMTP_USER', 'required when SMTP_PASSWORD is set');
}

export function createSmtpSender(config: SmtpSettings, opts: { timeoutMs?: number } = {}): MailSender {
  requireSmtp(config);
  const timeout = opts.timeoutMs ?? 30 * S;
  const transport = nodemailer.createTransport({
    host: config.smtpHost,
    port: config.smtpPort,
    secure: config.smtpSecure,
    auth: config.smtpUser ? { user: config.smtpUser, pass: config.smtpPassword ?? '' } : undefined,
    // One connection reused for a run's messages, one message at a time.
    pool: true,
    maxConnections: 1,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    logger: false,
    debug: false,
  });
  const secrets = [config.smtpPassword, config.smtpUser].filter((s): s is string => Boolean(s));
  const from = config.mailFrom;
  return {
    async send(mail) {
      try {
        await transport.sendMail({
          from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          headers: mail.headers,
          messageId: mail.messageId,
        });
      } catch (err) {
        throw new SendError(describeSmtpError(err, secrets), CONNECTION_CODES.has((err as { code?: string }).code ?? ''));
      }
    },
    close: () => transport.close(),
  };
}

/** A short, credential-free description of a failed send. */
export function describeSmtpError(err: unknown, secrets: readonly string[] = []): string {
  const e = err as Error & { code?: string; responseCode?: number; response?: string };
  let text = [e?.code, e?.responseCode, e?.response ?? e?.message ?? String(err)].filter((x) => x !== undefined && x !== '').join(' ');
  for (const s of secrets) if (s.length >= 3) text = text.split(s).join('***');
  return text.replace(/\s+/g, ' ').slice(0, 500);
}
