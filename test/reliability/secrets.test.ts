/**
 * Scenario 6 — secrets. API keys, webhook secrets and SMTP credentials must never appear in a
 * log (captured at trace level) or in an error answer; each secret appears once, in the answer
 * that created it. The scenarios: the key lifecycle (create, use, tamper, revoke, use again),
 * the webhook lifecycle (create, rotate, ping, deliveries that succeed, fail and cannot
 * connect), email sent through a local SMTP server with the configured credentials and then
 * with a wrong password (refused: logged and stored), the `keys create` command, and the real
 * service started at trace level.
 * (The other scenarios scan their own service logs with the same helper.)
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../db/client.js';
import { SOURCES } from '../../scrapers/registry.js';
import { main } from '../../src/cli.js';
import { createSmtpSender } from '../../src/notifications/sender.js';
import { runNotifications } from '../../src/notifications/service.js';
import { tempStore, testConfig } from '../helpers/store.js';
import { apiFixture, type ApiFixture } from './api-fixture.js';
import { guardNetwork, type NetworkGuard } from './network-guard.js';
import { cli, killIfRunning, loopbackEnv, type Child } from './processes.js';
import { report } from './scale.js';
import { logCapture, scanForSecrets } from './secrets.js';

const SMTP_USER = 'gpass-mailer-7c1f0e';
const SMTP_PASSWORD = 'smtp-pa55word-4f9d2b1a';
const WRONG_SMTP_PASSWORD = 'smtp-wrong-pa55-81d0c3';
const UNSUBSCRIBE_SECRET = 'unsubscribe-secret-0f3a9c7e5b2d4a6c8e1f';

async function smtp(accepts: { user: string; pass: string }) {
  const server = new SMTPServer({
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === accepts.user && auth.password === accepts.pass) return cb(null, { user: auth.username });
      cb(Object.assign(new Error('Authentication failed'), { responseCode: 535 }));
    },
    onData(stream, _session, cb) {
      stream.resume();
      stream.on('end', () => cb());
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { port: (server.server.address() as AddressInfo).port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('secrets never reach a log or an error answer', () => {
  let f: ApiFixture;
  let guard: NetworkGuard;
  let receiver: http.Server;
  let receiverUrl: string;
  let goodSmtp: Awaited<ReturnType<typeof smtp>>;
  let service: Child | null = null;
  const cap = logCapture();
  const figures = { secrets: 0, logLines: 0, answers: 0 };

  beforeAll(async () => {
    guard = guardNetwork();
    goodSmtp = await smtp({ user: SMTP_USER, pass: SMTP_PASSWORD });
    // Answers every other webhook with a 500 that echoes the headers it got (signature included).
    let n = 0;
    receiver = http.createServer((req, res) => {
      req.resume();
      if (++n % 2) res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify(req.headers));
      else res.writeHead(204).end();
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const config = testConfig({
      RATE_LIMIT_PER_MINUTE: '100000',
      WEBHOOK_ALLOW_NETWORKS: '127.0.0.0/8',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(goodSmtp.port),
      SMTP_USER,
      SMTP_PASSWORD,
      MAIL_FROM: 'G-Pass Tenders <alerts@gpass.example>',
      UNSUBSCRIBE_SECRET,
      LOG_LEVEL: 'trace',
    });
    f = await apiFixture({ config, logger: { level: 'trace', stream: cap.stream }, webhookWorker: true });
  });
  afterAll(async () => {
    killIfRunning(service);
    await f?.close();
    await goodSmtp?.close();
    await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
    guard?.restore();
    report('secrets', { secretsTracked: figures.secrets, logLinesScanned: figures.logLines, answersScanned: figures.answers, leaks: 0 });
  });

  it('across keys, webhooks, deliveries, email, the CLI and the service', { timeout: 60_000 }, async () => {
    const secrets: string[] = [...f.secrets, SMTP_USER, SMTP_PASSWORD, WRONG_SMTP_PASSWORD, UNSUBSCRIBE_SECRET];
    /** Answers in which no secret may appear; creation answers are checked apart. */
    const answers: string[] = [];
    const created: { secret: string; answer: string }[] = [];
    const admin = { authorization: `Bearer ${f.keys.admin}` };
    const call = async (method: string, url: string, headers: Record<string, string>, payload?: object) => {
      const res = await f.app.inject({ method: method as 'GET', url, headers, ...(payload ? { payload } : {}) });
      return res;
    };
    const answer = async (method: string, url: string, headers: Record<string, string>, payload?: object) => {
      const res = await call(method, url, headers, payload);
      answers.push(`${method} ${url} -> ${res.statusCode} ${res.body}`);
      return res;
    };

    // A recipient for instant email, before anything is published.
    for (const firm of ['f1', 'f2']) expect((await answer('POST', `/firms/${firm}/recipients`, admin, { email: `bids@${firm}.example`, cadence: 'instant', language: 'en' })).statusCode).toBe(201);

    // Keys: create (the one answer with the key), use, tamper, revoke, use again.
    const made = await call('POST', '/keys', admin, { role: 'adviser', name: 'secrets test' });
    const key = made.json().key as string;
    secrets.push(key);
    created.push({ secret: key, answer: made.body });
    const bearerKey = { authorization: `Bearer ${key}` };
    expect((await answer('GET', '/tenders', bearerKey)).statusCode).toBe(200);
    expect((await answer('GET', '/keys', bearerKey)).statusCode).toBe(403);
    const tampered = key.slice(0, -4) + (key.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    secrets.push(tampered);
    expect((await answer('GET', '/tenders', { authorization: `Bearer ${tampered}` })).statusCode).toBe(401);
    expect((await answer('GET', '/tenders', { authorization: key })).statusCode).toBe(401);
    // A key pasted into invalid fields: the 400s name the field, never echo the value.
    expect((await answer('POST', '/keys', admin, { role: key })).statusCode).toBe(400);
    expect((await answer('POST', '/firms', admin, { id: key, name: 'x' })).statusCode).toBe(400);
    expect((await answer('POST', '/webhooks', admin, { url: key, eventTypes: ['alert.created'], firmId: 'f1' })).statusCode).toBe(400);
    expect((await answer('DELETE', `/keys/${made.json().record.id}`, admin)).statusCode).toBe(204);
    expect((await answer('GET', '/tenders', bearerKey)).statusCode).toBe(401);
    expect((await answer('GET', '/keys', admin)).statusCode).toBe(200);

    // Webhooks: create, read, rotate, ping (a 500 that echoes the signed headers), deliveries.
    const hook = await call('POST', '/webhooks', admin, { url: receiverUrl, eventTypes: ['alert.created'], firmId: 'f1' });
    expect(hook.statusCode).toBe(201);
    secrets.push(hook.json().secret);
    created.push({ secret: hook.json().secret, answer: hook.body });
    const id = hook.json().endpoint?.id ?? hook.json().id;
    const dead = await call('POST', '/webhooks', admin, { url: 'http://127.0.0.1:9/refused', eventTypes: ['alert.created'], firmId: 'f1' });
    secrets.push(dead.json().secret);
    created.push({ secret: dead.json().secret, answer: dead.body });
    expect((await answer('GET', `/webhooks/${id}`, admin)).statusCode).toBe(200);
    const rotated = await call('POST', `/webhooks/${id}/rotate-secret`, admin, { overlapSeconds: 60 });
    expect(rotated.statusCode).toBe(200);
    secrets.push(rotated.json().secret);
    created.push({ secret: rotated.json().secret, answer: rotated.body });
    await answer('POST', `/webhooks/${id}/ping`, admin);
    await answer('POST', `/webhooks/${id}/ping`, admin);
    // A published alert: events for both endpoints, delivered by the worker (one fails to connect).
    const proposed = f.ids.matches[1];
    expect((await answer('POST', `/curation/matches/${proposed}/approve`, admin, { note: 'for the secrets test' })).statusCode).toBe(200);
    const until = Date.now() + 10_000;
    const attempts = () => (f.store.sqlite.prepare(`SELECT count(*) n FROM webhook_attempts`).get() as { n: number }).n;
    while (attempts() < 4 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(attempts()).toBeGreaterThanOrEqual(4);
    await answer('GET', `/webhooks/${id}/deliveries`, admin);
    await answer('GET', `/webhooks/${dead.json().endpoint?.id ?? dead.json().id}/deliveries`, admin);
    await answer('GET', '/webhooks', admin);

    // Email: sent with the right credentials, then refused with the wrong ones (logged, stored).
    const sent = await runNotifications({ sqlite: f.store.sqlite, config: f.app.config, sender: createSmtpSender(f.app.config, { timeoutMs: 5000 }), log: f.app.log });
    expect(sent.sent).toBeGreaterThan(0);
    // Firm f2's alert: its email is sent with a wrong password, which the server refuses.
    expect((await answer('POST', `/curation/matches/${f.ids.matches[2]}/approve`, admin, {})).statusCode).toBe(200);
    const wrong = { ...f.app.config, smtpPassword: WRONG_SMTP_PASSWORD };
    const refused = await runNotifications({ sqlite: f.store.sqlite, config: wrong, sender: createSmtpSender(wrong, { timeoutMs: 5000 }), log: f.app.log });
    // The refusal is what gets logged and stored: it must have happened.
    expect(refused.sent).toBe(0);
    expect(refused.failed + refused.dead).toBeGreaterThan(0);
    await answer('GET', '/firms/f1/recipients', admin);

    // The command line: the key on stdout once, nothing on stderr.
    const t = tempStore();
    try {
      const out: string[] = [];
      const err: string[] = [];
      process.env.DATABASE_PATH = t.file;
      t.store.close();
      expect(await main(['keys', 'create', '--role', 'admin'], { out: (l) => out.push(l), err: (l) => err.push(l), isTTY: false })).toBe(0);
      const cliKey = out.join('\n').trim();
      secrets.push(cliKey);
      expect(cliKey).toMatch(/^gpk_/);
      expect(scanForSecrets(err.join('\n'), secrets)).toEqual([]);
      const s = openStore(t.file);
      try {
        // Kept as a hash: the database itself never holds the key.
        expect(scanForSecrets(Buffer.from(s.sqlite.serialize()).toString('latin1'), [cliKey, cliKey.split('_')[2]])).toEqual([]);
      } finally {
        s.close();
      }

      // The service at trace level, with the SMTP settings in its environment, answering a key.
      service = cli(['serve'], {
        ...loopbackEnv(SOURCES.map((x) => x.id)),
        DATABASE_PATH: t.file, PORT: '0', LOG_LEVEL: 'trace', SCHEDULER: 'off', WEBHOOK_WORKER: 'off',
        SMTP_HOST: '127.0.0.1', SMTP_PORT: String(goodSmtp.port), SMTP_USER, SMTP_PASSWORD, MAIL_FROM: 'alerts@gpass.example', UNSUBSCRIBE_SECRET,
      });
      const url = /"msg":"Server listening at (http:\/\/127\.0\.0\.1:\d+)"/.exec(await service.waitFor(/Server listening at/))![1];
      for (const auth of [`Bearer ${cliKey}`, `Bearer ${cliKey}x`, cliKey]) {
        const res = await fetch(`${url}/keys`, { headers: { authorization: auth } });
        answers.push(`serve GET /keys -> ${res.status} ${await res.text()}`);
      }
      service.proc.kill('SIGTERM');
      await service.exited;
      expect(scanForSecrets(service.output(), secrets), 'secrets in the service log').toEqual([]);
    } finally {
      delete process.env.DATABASE_PATH;
      t.cleanup();
    }

    // The stored error texts of failed sends and deliveries.
    const stored = [
      ...(f.store.sqlite.prepare(`SELECT error FROM notification_sends WHERE error IS NOT NULL`).all() as { error: string }[]).map((r) => r.error),
      ...(f.store.sqlite.prepare(`SELECT error, response_body FROM webhook_attempts`).all() as { error: string | null; response_body: string | null }[]).map((r) => `${r.error} ${r.response_body}`),
    ].join('\n');
    expect(scanForSecrets(stored, [SMTP_USER, SMTP_PASSWORD, WRONG_SMTP_PASSWORD, ...f.secrets]), 'secrets in stored error texts').toEqual([]);

    // The scan.
    await new Promise((r) => setTimeout(r, 50));
    const logs = cap.text();
    expect(logs.length).toBeGreaterThan(1000);
    expect(scanForSecrets(logs, secrets), 'secrets in the trace logs').toEqual([]);
    expect(scanForSecrets(answers.join('\n'), secrets), 'secrets in answers').toEqual([]);
    for (const c of created) {
      expect(c.answer).toContain(c.secret);
      expect(scanForSecrets(c.answer, secrets.filter((s) => s !== c.secret)), 'another secret in a creation answer').toEqual([]);
    }
    expect(guard.refused).toEqual([]);
    figures.secrets = new Set(secrets).size;
    figures.logLines = cap.lines.length;
    figures.answers = answers.length;
  });

  // KNOWN BUG (docs/RELIABILITY.md, "Findings"): feed and unsubscribe tokens are credentials
  // carried in the URL path, and the request log (info level) records every URL, so each use
  // of a feed writes its token to the log. Fix: a `req` serializer that masks
  // /feeds/:token and /unsubscribe/:token. Flip to `it` when fixed.
  it('feed and unsubscribe tokens stay out of the request log (masked by the req serializer)', async () => {
    const before = cap.lines.length;
    const [feed] = f.ids.feedTokens;
    const [unsubscribe] = f.ids.unsubscribeTokens;
    expect((await f.app.inject({ url: `/feeds/${feed}/alerts.atom` })).statusCode).toBe(200);
    await f.app.inject({ url: `/unsubscribe/${unsubscribe}` });
    expect(scanForSecrets(cap.lines.slice(before).join(''), [feed, unsubscribe])).toEqual([]);
  });
});
