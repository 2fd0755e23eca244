/** Unsubscribe tokens and the notification settings. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { signUnsubscribe, unsubscribeSecret, verifyUnsubscribe } from '../../src/notifications/unsubscribe.js';
import { tempStore } from '../helpers/store.js';

const SECRET = 's'.repeat(40);
const emails: Record<number, string> = { 7: 'minji@hanbit.example', 8: 'jane@hanbit.example' };
const emailOf = (id: number) => emails[id] ?? null;

describe('unsubscribe tokens', () => {
  it('verify for the recipient they were made for, and nothing else', () => {
    const token = signUnsubscribe(SECRET, { id: 7, email: emails[7] });
    expect(token).toMatch(/^u1\.7\.[A-Za-z0-9_-]{43}$/);
    expect(verifyUnsubscribe(SECRET, token, emailOf)).toBe(7);
    expect(verifyUnsubscribe('t'.repeat(40), token, emailOf)).toBeNull();
    expect(verifyUnsubscribe(SECRET, token.replace('u1.7.', 'u1.8.'), emailOf)).toBeNull();
    expect(verifyUnsubscribe(SECRET, token, (id) => (id === 7 ? 'changed@hanbit.example' : null))).toBeNull();
    expect(verifyUnsubscribe(SECRET, token.slice(0, -1), emailOf)).toBeNull();
    expect(verifyUnsubscribe(SECRET, signUnsubscribe(SECRET, { id: 9, email: '' }), emailOf)).toBeNull();
  });

  it('use the configured secret, or one made once and kept in the database', () => {
    const t = tempStore();
    try {
      expect(unsubscribeSecret(t.store.sqlite, { unsubscribeSecret: SECRET })).toBe(SECRET);
      const made = unsubscribeSecret(t.store.sqlite, { unsubscribeSecret: null });
      expect(made).toHaveLength(43);
      expect(unsubscribeSecret(t.store.sqlite, { unsubscribeSecret: null })).toBe(made);
    } finally {
      t.cleanup();
    }
  });
});

describe('notification settings', () => {
  it('have defaults', () => {
    expect(loadConfig({})).toMatchObject({ notify: false, smtpHost: null, smtpPort: 587, smtpSecure: false, mailFrom: null, reminderDays: [7, 2], unsubscribeSecret: null });
    expect(loadConfig({ REMINDER_DAYS: '1, 14,3,3' }).reminderDays).toEqual([14, 3, 1]);
    expect(loadConfig({ MAIL_FROM: 'G-Pass <alerts@gpass.example>' }).mailFrom).toBe('G-Pass <alerts@gpass.example>');
  });
  it('fail fast naming the variable, and never echo a secret', () => {
    expect(() => loadConfig({ SMTP_PORT: '0' })).toThrow(/^SMTP_PORT:/);
    expect(() => loadConfig({ SMTP_SECURE: 'maybe' })).toThrow(/^SMTP_SECURE:/);
    expect(() => loadConfig({ NOTIFY: 'sometimes' })).toThrow(/^NOTIFY:/);
    expect(() => loadConfig({ MAIL_FROM: 'nobody' })).toThrow(/^MAIL_FROM:/);
    expect(() => loadConfig({ REMINDER_DAYS: '7,two' })).toThrow(/^REMINDER_DAYS:/);
    expect(() => loadConfig({ UNSUBSCRIBE_SECRET: 'short-secret' })).toThrow(/^UNSUBSCRIBE_SECRET:/);
    expect(() => loadConfig({ UNSUBSCRIBE_SECRET: 'short-secret' })).not.toThrow(/short-secret/);
  });
});
