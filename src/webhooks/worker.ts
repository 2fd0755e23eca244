/**
 * The delivery worker: takes the due head of each enabled endpoint's queue (so per endpoint,
 * events go out in order, one at a time), signs it, POSTs it, and records the outcome.
 *
 * - 2xx is success; anything else fails, 3xx included (redirects are not followed).
 * - Retry schedule (delay before each attempt, counted from the previous one): immediately,
 *   5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h — eight attempts over about 28 hours, each delay
 *   with ±20 % jitter; after the eighth the delivery is dead-lettered and the next one goes.
 * - 410 Gone disables the endpoint; so does failing continuously for more than 3 days.
 * - 15 s for the whole request; the answer's first 4 KB are kept for the log.
 * - The URL is checked again before each attempt, and the address again at connect time.
 *
 * One worker per database: it remembers in memory which endpoints it has in flight. The
 * clock, the schedule, the dispatcher and the resolver are injectable for tests.
 */
import { performance } from 'node:perf_hooks';
import type Database from 'better-sqlite3';
import { request, type Dispatcher } from 'undici';
import { dueDeliveries, outboxSignal, recordOutcome, type DueDelivery, type Outcome } from './outbox.js';
import { signingKeys } from './endpoints.js';
import { signedHeaders, signingSecrets } from './signing.js';
import { createGuardedDispatcher, type UrlGuard } from './ssrf.js';

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
/** Delay before attempt n (n = 0 is the first). */
export const RETRY_SCHEDULE_MS: readonly number[] = [0, 5 * S, 5 * MIN, 30 * MIN, 2 * H, 5 * H, 10 * H, 10 * H];
export const DISABLE_AFTER_MS = 3 * 24 * H;
export const TIMEOUT_MS = 15 * S;
export const RESPONSE_CAP_BYTES = 4096;
export const USER_AGENT = 'gpass-tenders-webhooks/1';

export interface SendOptions {
  guard: UrlGuard;
  dispatcher: Dispatcher;
  timeoutMs?: number;
}

/** One signed POST. Never throws: every failure is an Outcome with an error text. */
export async function send(opts: SendOptions, d: { url: string; msgId: string; body: string; secrets: readonly string[] }, at: Date): Promise<Outcome> {
  const timeoutMs = opts.timeoutMs ?? TIMEOUT_MS;
  const started = performance.now();
  const outcome = (statusCode: number | null, error: string | null, responseBody: string | null): Outcome => ({
    at,
    statusCode,
    error,
    latencyMs: Math.round(performance.now() - started),
    responseBody,
  });
  try {
    await opts.guard.check(d.url);
    const res = await request(d.url, {
      method: 'POST',
      dispatcher: opts.dispatcher,
      headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT, ...signedHeaders(d.msgId, at, d.body, d.secrets) },
      body: d.body,
      signal: AbortSignal.timeout(timeoutMs),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const text = await readCapped(res.body, RESPONSE_CAP_BYTES);
    const code = res.statusCode;
    const error = code >= 200 && code < 300 ? null : code >= 300 && code < 400 ? `HTTP ${code} (redirects are not followed)` : `HTTP ${code}`;
    return outcome(code, error, text);
  } catch (err) {
    return outcome(null, describe(err, timeoutMs), null);
  }
}

async function readCapped(body: Dispatcher.ResponseData['body'], cap: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= cap) break; // leaving the loop destroys the stream: the rest is never read
  }
  return Buffer.concat(chunks).subarray(0, cap).toString('utf8');
}

/** A short, secret-free description of why no HTTP answer came. */
function describe(err: unknown, timeoutMs: number): string {
  const e = err as Error & { code?: string; cause?: { code?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError' || e?.code === 'UND_ERR_HEADERS_TIMEOUT' || e?.code === 'UND_ERR_BODY_TIMEOUT') {
    return `timed out after ${timeoutMs / 1000} s`;
  }
  if (e?.name === 'UnsafeUrlError') return `refused: ${e.message}`;
  const code = e?.code ?? e?.cause?.code;
  return `${code ? `${code}: ` : ''}${e?.message ?? String(err)}`.slice(0, 500);
}

export interface WorkerOptions {
  sqlite: Database.Database;
  guard: UrlGuard;
  /** Default: a guarded undici Agent for `guard`. */
  dispatcher?: Dispatcher;
  now?: () => Date;
  random?: () => number;
  scheduleMs?: readonly number[];
  /** ±fraction of each delay (default 0.2). */
  jitter?: number;
  timeoutMs?: number;
  disableAfterMs?: number;
  pollIntervalMs?: number;
  /** Endpoints served at once (each one at most one request at a time). */
  concurrency?: number;
  log?: { error(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

export interface DeliveryWorker {
  start(): void;
  /** Stops polling and waits for the requests in flight. */
  stop(): Promise<void>;
  /** Delivers everything due at the current clock (and what becomes due meanwhile), then resolves. */
  runDue(): Promise<number>;
}

export function createDeliveryWorker(opts: WorkerOptions): DeliveryWorker {
  const now = opts.now ?? (() => new Date());
  const random = opts.random ?? Math.random;
  const schedule = opts.scheduleMs ?? RETRY_SCHEDULE_MS;
  const jitter = opts.jitter ?? 0.2;
  const concurrency = opts.concurrency ?? 16;
  const ownDispatcher = opts.dispatcher ? null : createGuardedDispatcher(opts.guard);
  const sendOpts: SendOptions = { guard: opts.guard, dispatcher: opts.dispatcher ?? ownDispatcher!, timeoutMs: opts.timeoutMs };
  const rules = {
    disableAfterMs: opts.disableAfterMs ?? DISABLE_AFTER_MS,
    nextDelayMs: (attempts: number) => (attempts >= schedule.length ? null : Math.round(schedule[attempts] * (1 + jitter * (2 * random() - 1)))),
  };
  const inFlight = new Map<string, Promise<void>>();
  let running = false;
  let timer: NodeJS.Timeout | null = null;
  let kicked = false;
  let attempted = 0;

  async function attempt(d: DueDelivery): Promise<void> {
    const keys = signingKeys(opts.sqlite, d.endpointId);
    if (!keys) return; // deleted meanwhile (its deliveries went with it)
    const at = now();
    const outcome = await send(sendOpts, { ...d, secrets: signingSecrets(keys, at) }, at);
    attempted++;
    const r = recordOutcome(opts.sqlite, d.id, outcome, rules);
    if (r?.disabled) opts.log?.warn({ endpointId: d.endpointId, reason: r.disabled }, 'webhook endpoint disabled');
  }

  /** Starts attempts for due heads while slots are free. */
  function pump(): void {
    const free = concurrency - inFlight.size;
    if (free <= 0) return;
    let due: DueDelivery[];
    try {
      due = dueDeliveries(opts.sqlite, now().toISOString(), free, [...inFlight.keys()]);
    } catch (err) {
      opts.log?.error({ err }, 'webhook outbox unreadable');
      return;
    }
    for (const d of due) {
      const p = attempt(d)
        .catch((err: unknown) => opts.log?.error({ err, deliveryId: d.id }, 'webhook delivery failed to record'))
        .finally(() => {
          inFlight.delete(d.endpointId);
          if (running) kick();
        });
      inFlight.set(d.endpointId, p);
    }
  }

  function kick(): void {
    if (kicked) return;
    kicked = true;
    setImmediate(() => {
      kicked = false;
      if (running) pump();
    });
  }

  return {
    start() {
      if (running) return;
      running = true;
      outboxSignal.on('enqueued', kick);
      timer = setInterval(pump, opts.pollIntervalMs ?? 1000);
      timer.unref();
      kick();
    },
    async stop() {
      running = false;
      outboxSignal.off('enqueued', kick);
      if (timer) clearInterval(timer);
      timer = null;
      await Promise.allSettled([...inFlight.values()]);
      await ownDispatcher?.close();
    },
    async runDue() {
      const before = attempted;
      for (;;) {
        pump();
        if (inFlight.size === 0) return attempted - before;
        await Promise.race(inFlight.values());
      }
    },
  };
}
