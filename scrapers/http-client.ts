/**
 * The one HTTP client every scraper uses (undici).
 *
 * Politeness is enforced here rather than in each scraper so no source can forget it:
 * per-host pacing, robots.txt (RFC 9309), an identifying User-Agent, bounded retries that
 * respect Retry-After, and no silent hops to other hosts.
 */
import { pipeline, type Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip } from 'node:zlib';
import PQueue from 'p-queue';
import robotsParserModule from 'robots-parser';
import { Agent, type Dispatcher } from 'undici';

// robots-parser is CommonJS (`module.exports = fn`) but its typings declare an ES default export,
// so under NodeNext the typed default import is the namespace; at runtime it is the function.
const robotsParser = robotsParserModule as unknown as typeof robotsParserModule.default;

export interface HttpRequestInit {
  method?: 'GET' | 'POST' | 'HEAD';
  headers?: Record<string, string>;
  body?: string;
  /** Check robots.txt before fetching (default: the client's `robots` option). */
  robots?: boolean;
  /** Cancels the request, including any wait for pacing or a retry. */
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface HttpClient {
  /** Any 2xx resolves; other statuses throw HttpError after retries. Cookies are kept per host. */
  request(url: string, init?: HttpRequestInit): Promise<HttpResponse>;
  getText(url: string, init?: HttpRequestInit): Promise<string>;
  getJson<T = unknown>(url: string, init?: HttpRequestInit): Promise<T>;
  close(): Promise<void>;
}

export interface HttpClientOptions {
  userAgent?: string;
  minIntervalMs?: number;
  robots?: boolean;
  retries?: number;
  /** Only applies to the client's own Agent; a passed `dispatcher` brings its own connect timeout. */
  connectTimeoutMs?: number;
  /** Maximum idle time between body chunks. undici checks headers/body timeouts on a ~0.5 s tick. */
  bodyTimeoutMs?: number;
  /**
   * Longest one attempt may take in all (headers and the whole body). The idle timeouts alone
   * let a server that drips a byte at a time hold a run for ever. Default: twice bodyTimeoutMs
   * (at least 5 s).
   * Not retried: a server that slow won't be faster at once.
   */
  requestTimeoutMs?: number;
  headersTimeoutMs?: number;
  /** Limit on the decoded (decompressed) body. */
  maxBodyBytes?: number;
  baseRetryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Product token matched against robots.txt `User-agent` lines. */
  robotsUserAgent?: string;
  robotsCacheTtlMs?: number;
  /** How long a failed robots.txt fetch (5xx, unreachable) keeps the origin disallowed. */
  robotsErrorCacheTtlMs?: number;
  maxRedirects?: number;
  /** Off by default: a hop to another host is refused with an HttpError naming both URLs. */
  followCrossHostRedirects?: boolean;
  /** Defaults to a private undici Agent; a passed dispatcher is not closed by `close()`. */
  dispatcher?: Dispatcher;
  /** Injectable for tests; must reject when `signal` aborts if it is to honour cancellation. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
  /** Source of jitter in [0, 1). */
  random?: () => number;
}

export class HttpError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly url: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'HttpError';
  }
}

export class ResponseTooLargeError extends HttpError {
  constructor(url: string, status: number, readonly limit: number) {
    super(`response from ${url} exceeds maxBodyBytes (${limit} bytes)`, status, url);
    this.name = 'ResponseTooLargeError';
  }
}

export class JsonParseError extends HttpError {
  constructor(url: string, status: number, contentType: string | undefined, body: string, options?: ErrorOptions) {
    const snippet = body.slice(0, 120).replace(/\s+/g, ' ').trim();
    super(
      `expected JSON from ${url} but got ${contentType ?? 'no content-type'} (HTTP ${status}): "${snippet}"`,
      status,
      url,
      options,
    );
    this.name = 'JsonParseError';
  }
}

export class RobotsDisallowedError extends Error {
  constructor(readonly url: string) {
    super(`robots.txt disallows ${url}`);
    this.name = 'RobotsDisallowedError';
  }
}

export const DEFAULT_USER_AGENT =
  'gpass-tenders/0.1 (+https://github.com/gpass-tenders/gpass-tenders; tender matching for PPS G-Pass firms)';
export const ROBOTS_USER_AGENT_TOKEN = 'gpass-tenders';

const RETRYABLE_STATUSES = new Set([408, 425, 429, 500, 502, 503, 504]);
const RETRY_AFTER_STATUSES = new Set([429, 503]);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Errors that would fail the same way on every attempt. */
const NON_RETRYABLE_ERROR_CODES = new Set([
  'UND_ERR_INVALID_ARG',
  'UND_ERR_INVALID_RETURN_VALUE',
  'UND_ERR_NOT_SUPPORTED',
  'UND_ERR_HEADERS_OVERFLOW',
  'UND_ERR_DESTROYED',
  'UND_ERR_CLOSED',
  'UND_ERR_ABORTED',
  'UND_MOCK_ERR_MOCK_NOT_MATCHED',
]);

interface RawResponse {
  status: number;
  statusText: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

interface HostState {
  queue: PQueue;
  lastStartedAt: number | undefined;
}

type RobotsVerdict = { kind: 'rules'; isAllowed: (url: string) => boolean } | { kind: 'allowAll' } | { kind: 'disallowAll' };

interface RobotsCacheEntry {
  verdict: Promise<RobotsVerdict>;
  expiresAt: number;
}

class InternalStop extends Error {}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Parses Retry-After (delta-seconds or HTTP-date) into milliseconds from now; null when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number): number | null {
  if (value === undefined) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function lowerCaseKeys(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) out[name.toLowerCase()] = value;
  return out;
}

/** windows-1252 code points for bytes 0x80–0x9F; the five unassigned bytes stay C1 controls, as in WHATWG. */
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8d, 0x017d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x9d, 0x017e, 0x0178,
];

function decodeBody(bytes: Buffer, contentType: string | undefined): string {
  const charset = /charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '')?.[1];
  if (charset) {
    let decoder: TextDecoder | undefined;
    try {
      decoder = new TextDecoder(charset);
    } catch {
      // Unknown label: UTF-8 below is the best guess for the sites we scrape.
    }
    if (decoder?.encoding === 'windows-1252') {
      // Node 20's TextDecoder decodes this family as plain latin1 (0x80–0x9F become controls), but
      // pages labelled iso-8859-1 routinely contain cp1252 quotes, dashes and the euro sign.
      return bytes.toString('latin1').replace(/[\u0080-\u009f]/g, (c) => String.fromCharCode(CP1252_HIGH[c.charCodeAt(0) - 0x80]));
    }
    if (decoder) return decoder.decode(bytes);
  }
  return new TextDecoder('utf-8').decode(bytes);
}

function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  const detail = err.message || err.name;
  return typeof code === 'string' && !detail.includes(code) ? `${detail} (${code})` : detail;
}

function isRetryableError(err: unknown): boolean {
  if (err instanceof HttpError || err instanceof InternalStop) return false;
  const code = (err as { code?: unknown } | null)?.code;
  return !(typeof code === 'string' && NON_RETRYABLE_ERROR_CODES.has(code));
}

/** Minimal per-host jar: name=value pairs only; attributes are ignored except Max-Age<=0, which deletes. */
class CookieJar {
  private readonly byHost = new Map<string, Map<string, string>>();

  store(hostname: string, setCookie: string | string[] | undefined): void {
    if (setCookie === undefined) return;
    const lines = Array.isArray(setCookie) ? setCookie : [setCookie];
    let jar = this.byHost.get(hostname);
    if (!jar) {
      jar = new Map();
      this.byHost.set(hostname, jar);
    }
    for (const line of lines) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age\s*=\s*(-\d+|0)\s*$/i.test(a));
      if (expired) jar.delete(name);
      else jar.set(name, value);
    }
  }

  /** Cookie header for `hostname`, with pairs from `explicit` overriding stored ones of the same name. */
  header(hostname: string, explicit: string | undefined): string | undefined {
    const merged = new Map(this.byHost.get(hostname) ?? []);
    if (explicit) {
      for (const part of explicit.split(';')) {
        const eq = part.indexOf('=');
        if (eq <= 0) continue;
        merged.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
      }
    }
    if (merged.size === 0) return undefined;
    return [...merged].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
  const robotsToken = options.robotsUserAgent ?? ROBOTS_USER_AGENT_TOKEN;
  const minIntervalMs = options.minIntervalMs ?? 1000;
  const robotsByDefault = options.robots ?? true;
  const retries = Math.max(0, options.retries ?? 4);
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const headersTimeoutMs = options.headersTimeoutMs ?? 30_000;
  const bodyTimeoutMs = options.bodyTimeoutMs ?? 60_000;
  const requestTimeoutMs = options.requestTimeoutMs ?? Math.max(bodyTimeoutMs * 2, 5000);
  const maxBodyBytes = options.maxBodyBytes ?? 20 * 1024 * 1024;
  const baseRetryDelayMs = options.baseRetryDelayMs ?? 500;
  const maxRetryDelayMs = options.maxRetryDelayMs ?? 30_000;
  const robotsCacheTtlMs = options.robotsCacheTtlMs ?? 24 * 60 * 60 * 1000;
  // Short, so a passing outage does not keep a whole source blocked for a day.
  const robotsErrorCacheTtlMs = options.robotsErrorCacheTtlMs ?? 10 * 60 * 1000;
  const maxRedirects = options.maxRedirects ?? 5;
  const followCrossHostRedirects = options.followCrossHostRedirects ?? false;
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;

  const ownAgent = options.dispatcher
    ? undefined
    : new Agent({ connect: { timeout: connectTimeoutMs }, headersTimeout: headersTimeoutMs, bodyTimeout: bodyTimeoutMs });
  const dispatcher: Dispatcher = options.dispatcher ?? ownAgent!;

  const hosts = new Map<string, HostState>();
  const robotsCache = new Map<string, RobotsCacheEntry>();
  const cookies = new CookieJar();
  const closing = new AbortController();
  let closed = false;

  function hostState(host: string): HostState {
    let state = hosts.get(host);
    if (!state) {
      state = { queue: new PQueue({ concurrency: 1 }), lastStartedAt: undefined };
      hosts.set(host, state);
    }
    return state;
  }

  function combinedSignal(signal: AbortSignal | undefined): AbortSignal {
    return signal ? AbortSignal.any([signal, closing.signal]) : closing.signal;
  }

  function throwIfStopped(signal: AbortSignal, url: string): void {
    if (!signal.aborted) return;
    if (closing.signal.aborted) throw new HttpError(`http client closed before ${url} completed`, null, url);
    throw signal.reason;
  }

  async function readBody(body: Dispatcher.ResponseData['body'], encoding: string | undefined, url: string, status: number): Promise<Buffer> {
    const coding = encoding?.trim().toLowerCase();
    const decompressor = coding === 'gzip' || coding === 'x-gzip' ? createGunzip() : coding === 'br' ? createBrotliDecompress() : undefined;
    // pipeline() destroys every stage on error, so the loop below sees decompression and socket errors alike.
    const source: Readable = decompressor ? pipeline(body, decompressor, () => {}) : body;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of source) {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      size += buf.length;
      if (size > maxBodyBytes) {
        source.destroy();
        body.destroy();
        throw new ResponseTooLargeError(url, status, maxBodyBytes);
      }
      chunks.push(buf);
    }
    return Buffer.concat(chunks);
  }

  /** One attempt: waits its turn on the host, sends, reads the whole body, stores cookies. */
  function attemptOnce(url: URL, method: string, headers: Record<string, string>, body: string | undefined, signal: AbortSignal): Promise<RawResponse> {
    const state = hostState(url.host);
    return state.queue.add(async () => {
      throwIfStopped(signal, url.href);
      if (state.lastStartedAt !== undefined) {
        const wait = state.lastStartedAt + minIntervalMs - now();
        if (wait > 0) await sleep(wait, signal);
        throwIfStopped(signal, url.href);
      }
      state.lastStartedAt = now();

      const { cookie: explicitCookie, ...rest } = headers;
      const cookieHeader = cookies.header(url.hostname, explicitCookie);
      const deadline = AbortSignal.timeout(requestTimeoutMs);
      try {
        return await sendOnce(url, method, rest, cookieHeader, body, AbortSignal.any([signal, deadline]));
      } catch (err) {
        if (deadline.aborted && !signal.aborted) {
          throw new HttpError(`${method} ${url.href} took longer than ${requestTimeoutMs} ms in all`, null, url.href);
        }
        throw err;
      }
    }, { signal });
  }

  /** Sends one request and reads its whole body (cookies stored); `signal` bounds it all. */
  async function sendOnce(url: URL, method: string, rest: Record<string, string>, cookieHeader: string | undefined, body: string | undefined, signal: AbortSignal): Promise<RawResponse> {
      const res = await dispatcher.request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: method as Dispatcher.HttpMethod,
        headers: cookieHeader ? { ...rest, cookie: cookieHeader } : rest,
        body,
        headersTimeout: headersTimeoutMs,
        bodyTimeout: bodyTimeoutMs,
        signal,
      });
      cookies.store(url.hostname, res.headers['set-cookie']);
      const flat = flattenHeaders(res.headers);

      if (res.statusCode < 200 || res.statusCode >= 300) {
        // Error and redirect bodies are never returned; dump() frees the connection without buffering it.
        await res.body.dump().catch(() => {});
        return { status: res.statusCode, statusText: res.statusText ?? '', url: url.href, headers: flat, body: '' };
      }
      const declared = Number(flat['content-length']);
      if (method !== 'HEAD' && !flat['content-encoding'] && Number.isFinite(declared) && declared > maxBodyBytes) {
        res.body.destroy();
        throw new ResponseTooLargeError(url.href, res.statusCode, maxBodyBytes);
      }
      const bytes = await readBody(res.body, flat['content-encoding'], url.href, res.statusCode);
      return { status: res.statusCode, statusText: res.statusText ?? '', url: url.href, headers: flat, body: decodeBody(bytes, flat['content-type']) };
  }

  function backoffMs(retryIndex: number): number {
    const ceiling = Math.min(maxRetryDelayMs, baseRetryDelayMs * 2 ** retryIndex);
    return Math.floor(random() * ceiling);
  }

  /** Resolves with a 2xx or 3xx response; throws HttpError for anything else once retries are spent. */
  async function fetchWithRetries(url: URL, method: string, headers: Record<string, string>, body: string | undefined, signal: AbortSignal): Promise<RawResponse> {
    const attempts = retries + 1;
    let lastFailure = '';
    let lastStatus: number | null = null;
    let lastError: unknown;
    for (let attempt = 0; attempt < attempts; attempt++) {
      let delay: number;
      try {
        const res = await attemptOnce(url, method, headers, body, signal);
        if (res.status < 400) return res;
        const httpLabel = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
        if (!RETRYABLE_STATUSES.has(res.status)) {
          throw new HttpError(`${method} ${url.href} failed: ${httpLabel}`, res.status, url.href);
        }
        lastStatus = res.status;
        lastFailure = httpLabel;
        lastError = undefined;
        const retryAfter = RETRY_AFTER_STATUSES.has(res.status) ? parseRetryAfter(res.headers['retry-after'], now()) : null;
        delay = retryAfter === null ? backoffMs(attempt) : Math.min(retryAfter, maxRetryDelayMs);
      } catch (err) {
        throwIfStopped(signal, url.href);
        if (!isRetryableError(err)) throw err;
        lastStatus = null;
        lastFailure = describeError(err);
        lastError = err;
        delay = backoffMs(attempt);
      }
      if (attempt + 1 < attempts) {
        await sleep(delay, signal);
        throwIfStopped(signal, url.href);
      }
    }
    const tries = attempts === 1 ? '1 attempt' : `${attempts} attempts`;
    throw new HttpError(`${method} ${url.href} failed after ${tries}: ${lastFailure}`, lastStatus, url.href, lastError === undefined ? undefined : { cause: lastError });
  }

  async function loadRobots(origin: string): Promise<RobotsVerdict> {
    const robotsUrl = `${origin}/robots.txt`;
    try {
      // RFC 9309 §2.3.1.2: robots.txt redirects may cross hosts.
      const res = await follow(robotsUrl, { method: 'GET', headers: { accept: 'text/plain, */*;q=0.5' } }, false, true, closing.signal);
      const robots = robotsParser(robotsUrl, res.body);
      return { kind: 'rules', isAllowed: (url) => robots.isAllowed(url, robotsToken) !== false };
    } catch (err) {
      // RFC 9309 §2.3.1.3: "unavailable" (4xx) means no restrictions. 429 is a server asking us to
      // slow down, so it is grouped with the unreachable cases below, as major crawlers do.
      if (err instanceof HttpError && err.status !== null && err.status >= 400 && err.status < 500 && err.status !== 429) {
        return { kind: 'allowAll' };
      }
      if (closing.signal.aborted) throw err;
      // RFC 9309 §2.3.1.4: unreachable (5xx, network failure) means complete disallow.
      return { kind: 'disallowAll' };
    }
  }

  async function checkRobots(url: URL): Promise<void> {
    const origin = url.origin;
    let entry = robotsCache.get(origin);
    if (!entry || entry.expiresAt <= now()) {
      const verdict = loadRobots(origin);
      const fresh: RobotsCacheEntry = { verdict, expiresAt: Number.POSITIVE_INFINITY };
      robotsCache.set(origin, fresh);
      entry = fresh;
      // The TTL starts once the fetch settles, so a slow fetch is not immediately stale.
      verdict.then(
        (v) => {
          fresh.expiresAt = now() + (v.kind === 'disallowAll' ? robotsErrorCacheTtlMs : robotsCacheTtlMs);
        },
        () => {
          if (robotsCache.get(origin) === fresh) robotsCache.delete(origin);
        },
      );
    }
    const verdict = await entry.verdict;
    const allowed = verdict.kind === 'allowAll' || (verdict.kind === 'rules' && verdict.isAllowed(url.href));
    if (!allowed) throw new RobotsDisallowedError(url.href);
  }

  async function follow(
    startUrl: string,
    init: HttpRequestInit,
    robots: boolean,
    allowCrossHost: boolean,
    signal: AbortSignal,
  ): Promise<HttpResponse> {
    let url = new URL(startUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new HttpError(`unsupported URL scheme in ${startUrl}`, null, startUrl);
    }
    url.hash = '';
    let method: string = init.method ?? 'GET';
    let body = init.body;
    let headers: Record<string, string> = { 'user-agent': userAgent, 'accept-encoding': 'gzip, br', ...lowerCaseKeys(init.headers) };

    for (let hop = 0; ; hop++) {
      throwIfStopped(signal, url.href);
      if (robots) await checkRobots(url);
      const res = await fetchWithRetries(url, method, headers, body, signal);
      if (!REDIRECT_STATUSES.has(res.status)) {
        if (res.status >= 300) {
          throw new HttpError(`${method} ${url.href} failed: HTTP ${res.status} ${res.statusText}`.trim(), res.status, url.href);
        }
        return { status: res.status, url: res.url, headers: res.headers, body: res.body };
      }

      const location = res.headers.location;
      if (!location) throw new HttpError(`${method} ${url.href} redirected (HTTP ${res.status}) without a Location`, res.status, url.href);
      if (hop >= maxRedirects) {
        throw new HttpError(`${method} ${startUrl} exceeded ${maxRedirects} redirects (last: ${url.href} -> ${location})`, res.status, url.href);
      }
      const next = new URL(location, url);
      next.hash = '';
      if (next.protocol !== 'http:' && next.protocol !== 'https:') {
        throw new HttpError(`${url.href} redirected to unsupported URL ${next.href}`, res.status, url.href);
      }
      if (next.host !== url.host) {
        if (!allowCrossHost) {
          throw new HttpError(`${url.href} redirected (HTTP ${res.status}) to another host: ${next.href}; refusing to follow`, res.status, url.href);
        }
        // Credentials meant for one host must not leak to another.
        const { authorization: _a, cookie: _c, ...kept } = headers;
        headers = kept;
      }
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
        if (method !== 'HEAD') method = 'GET';
        body = undefined;
        const { 'content-type': _t, 'content-length': _l, ...kept } = headers;
        headers = kept;
      }
      url = next;
    }
  }

  async function request(url: string, init: HttpRequestInit = {}): Promise<HttpResponse> {
    if (closed) throw new HttpError(`http client closed; cannot fetch ${url}`, null, url);
    return follow(url, init, init.robots ?? robotsByDefault, followCrossHostRedirects, combinedSignal(init.signal));
  }

  return {
    request,
    async getText(url, init) {
      return (await request(url, init)).body;
    },
    async getJson<T = unknown>(url: string, init: HttpRequestInit = {}): Promise<T> {
      const headers = lowerCaseKeys(init.headers);
      headers.accept ??= 'application/json';
      const res = await request(url, { ...init, headers });
      try {
        return JSON.parse(res.body) as T;
      } catch (err) {
        throw new JsonParseError(res.url, res.status, res.headers['content-type'], res.body, { cause: err });
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      // Queued, sleeping and in-flight requests all listen to this signal, so none is left hanging.
      closing.abort(new InternalStop('http client closed'));
      await ownAgent?.close();
    },
  };
}
