import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { MockAgent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createHttpClient,
  DEFAULT_USER_AGENT,
  HttpError,
  JsonParseError,
  parseRetryAfter,
  ResponseTooLargeError,
  RobotsDisallowedError,
  type HttpClient,
  type HttpClientOptions,
} from '../../scrapers/http-client.js';

interface Hit {
  path: string;
  method: string;
  headers: IncomingHttpHeaders;
  at: number;
}

interface TestServer {
  url: string;
  hits: Hit[];
  paths: () => string[];
  close: () => Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse, hit: Hit) => void;

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function startServer(handler: Handler): Promise<TestServer> {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    const hit: Hit = { path: req.url ?? '', method: req.method ?? '', headers: req.headers, at: Date.now() };
    hits.push(hit);
    handler(req, res, hit);
  });
  // Only ever the loopback address: this machine allows no other traffic.
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  cleanups.push(close);
  return { url: `http://127.0.0.1:${port}`, hits, paths: () => hits.map((h) => h.path), close };
}

/** Records requested delays and returns at once, so retry tests never really wait. */
function recordingSleep(): { delays: number[]; sleep: (ms: number) => Promise<void> } {
  const delays: number[] = [];
  return { delays, sleep: async (ms: number) => void delays.push(ms) };
}

function client(options: HttpClientOptions = {}): HttpClient {
  const c = createHttpClient({ robots: false, minIntervalMs: 0, sleep: async () => {}, ...options });
  cleanups.push(() => c.close());
  return c;
}

function send(res: ServerResponse, status: number, body = '', headers: Record<string, string | string[]> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  res.end(body);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the promise to reject');
}

describe('http client: headers and decoding', () => {
  it('sends the default User-Agent naming the service and a contact URL', async () => {
    const srv = await startServer((_req, res) => send(res, 200, 'ok'));
    await client().getText(`${srv.url}/`);
    expect(srv.hits[0].headers['user-agent']).toBe(DEFAULT_USER_AGENT);
    expect(DEFAULT_USER_AGENT).toMatch(/^gpass-tenders\/0\.1 \(\+https:\/\/github\.com\/gpass-tenders\/gpass-tenders;/);
  });

  it('lets the User-Agent be overridden per client and per request', async () => {
    const srv = await startServer((_req, res) => send(res, 200, 'ok'));
    const c = client({ userAgent: 'custom-agent/1' });
    await c.getText(`${srv.url}/a`);
    await c.getText(`${srv.url}/b`, { headers: { 'User-Agent': 'per-request/2' } });
    expect(srv.hits.map((h) => h.headers['user-agent'])).toEqual(['custom-agent/1', 'per-request/2']);
  });

  it('decodes a declared iso-8859-1 charset and gzip bodies', async () => {
    const srv = await startServer((req, res) => {
      if (req.url === '/latin1') {
        res.writeHead(200, { 'content-type': 'text/html; charset=ISO-8859-1' });
        res.end(Buffer.from([0x43, 0x6f, 0x74, 0xe9, 0x20, 0x80, 0x20, 0x93, 0x71, 0x94])); // windows-1252 bytes
      } else {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        res.end(gzipSync(JSON.stringify({ title: 'Côte d’Ivoire' })));
      }
    });
    const c = client();
    expect(await c.getText(`${srv.url}/latin1`)).toBe('Coté € “q”');
    expect(await c.getJson(`${srv.url}/gz`)).toEqual({ title: 'Côte d’Ivoire' });
  });

  it('returns status, final URL and lower-cased headers', async () => {
    const srv = await startServer((_req, res) => send(res, 200, 'hello', { 'X-Thing': 'yes' }));
    const res = await client().request(`${srv.url}/page?q=1#frag`);
    expect(res).toMatchObject({ status: 200, url: `${srv.url}/page?q=1`, body: 'hello' });
    expect(res.headers['x-thing']).toBe('yes');
  });
});

describe('http client: retries', () => {
  it('honours Retry-After in seconds on 429, then succeeds', async () => {
    const srv = await startServer((_req, res, hit) =>
      srv.hits.indexOf(hit) === 0 ? send(res, 429, 'slow down', { 'retry-after': '7' }) : send(res, 200, 'done'),
    );
    const { delays, sleep } = recordingSleep();
    const body = await client({ sleep }).getText(`${srv.url}/x`);
    expect(body).toBe('done');
    expect(srv.hits).toHaveLength(2);
    expect(delays).toEqual([7000]);
  });

  it('honours Retry-After as an HTTP date on 503, capped by maxRetryDelayMs', async () => {
    const nowMs = Date.parse('2026-03-01T12:00:00Z');
    const srv = await startServer((_req, res, hit) => {
      const i = srv.hits.indexOf(hit);
      if (i === 0) send(res, 503, '', { 'retry-after': 'Sun, 01 Mar 2026 12:00:04 GMT' });
      else if (i === 1) send(res, 503, '', { 'retry-after': '3600' });
      else send(res, 200, 'up');
    });
    const { delays, sleep } = recordingSleep();
    await client({ sleep, now: () => nowMs, maxRetryDelayMs: 10_000 }).getText(`${srv.url}/`);
    expect(delays).toEqual([4000, 10_000]);
  });

  it('backs off exponentially with full jitter through a 503 burst, then succeeds', async () => {
    const srv = await startServer((_req, res, hit) => (srv.hits.indexOf(hit) < 3 ? send(res, 503) : send(res, 200, 'ok')));
    const { delays, sleep } = recordingSleep();
    const c = client({ sleep, random: () => 0.999999, baseRetryDelayMs: 100, maxRetryDelayMs: 300 });
    expect(await c.getText(`${srv.url}/`)).toBe('ok');
    expect(srv.hits).toHaveLength(4);
    // Ceilings 100, 200, 400→capped 300; random just under 1 lands just under each ceiling.
    expect(delays).toEqual([99, 199, 299]);
  });

  it('throws HttpError with the status after exhausting retries on 500', async () => {
    const srv = await startServer((_req, res) => send(res, 500, 'boom'));
    const err = await rejection(client({ retries: 2 }).getText(`${srv.url}/broken`));
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(500);
    expect((err as HttpError).url).toBe(`${srv.url}/broken`);
    expect((err as HttpError).message).toContain(`${srv.url}/broken`);
    expect((err as HttpError).message).toMatch(/3 attempts.*HTTP 500/);
    expect(srv.hits).toHaveLength(3);
  });

  it('does not retry a 404', async () => {
    const srv = await startServer((_req, res) => send(res, 404, 'nope'));
    const { delays, sleep } = recordingSleep();
    const err = await rejection(client({ sleep }).getText(`${srv.url}/missing`));
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(404);
    expect(srv.hits).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  // undici's HTTP/1 headers/body timers tick every ~0.5 s, so a 100 ms timeout fires within ~1 s.
  it('times out a server that never answers, within the configured headers timeout', async () => {
    const srv = await startServer(() => {
      /* never respond */
    });
    const started = Date.now();
    const err = await rejection(client({ headersTimeoutMs: 100, retries: 0 }).getText(`${srv.url}/hang`));
    const elapsed = Date.now() - started;
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBeNull();
    expect((err as HttpError).message).toMatch(/headers timeout/i);
    expect(elapsed).toBeLessThan(2500); // the default would be 30 s
  });

  it('retries after a body timeout and succeeds', async () => {
    const srv = await startServer((_req, res, hit) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      if (srv.hits.indexOf(hit) === 0) res.write('partial'); // then stall mid-body
      else res.end('complete');
    });
    const { delays, sleep } = recordingSleep();
    expect(await client({ bodyTimeoutMs: 100, sleep }).getText(`${srv.url}/slow`)).toBe('complete');
    expect(srv.hits).toHaveLength(2);
    expect(delays).toHaveLength(1);
  });

  it('reports a refused connection as HttpError with status null naming the URL', async () => {
    const srv = await startServer((_req, res) => send(res, 200));
    await srv.close();
    const err = await rejection(client({ retries: 1 }).getText(`${srv.url}/gone`));
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBeNull();
    expect((err as HttpError).message).toContain(`${srv.url}/gone`);
    expect((err as HttpError).message).toContain('ECONNREFUSED');
  });

  it('parses Retry-After forms', () => {
    expect(parseRetryAfter('120', 0)).toBe(120_000);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:10 GMT', 4000)).toBe(6000);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:10 GMT', 99_000)).toBe(0);
    expect(parseRetryAfter('soon', 0)).toBeNull();
    expect(parseRetryAfter(undefined, 0)).toBeNull();
  });
});

describe('http client: body limits and JSON', () => {
  it('stops reading a body larger than maxBodyBytes and does not retry', async () => {
    const srv = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' }); // chunked: no content-length to pre-check
      for (let i = 0; i < 20; i++) res.write('x'.repeat(1000));
      res.end();
    });
    const err = await rejection(client({ maxBodyBytes: 5000 }).getText(`${srv.url}/big`));
    expect(err).toBeInstanceOf(ResponseTooLargeError);
    expect((err as Error).message).toContain(`${srv.url}/big`);
    expect(srv.hits).toHaveLength(1);
  });

  it('rejects a declared Content-Length over the limit before reading', async () => {
    const srv = await startServer((_req, res) => send(res, 200, 'y'.repeat(2000)));
    await expect(client({ maxBodyBytes: 1999 }).getText(`${srv.url}/`)).rejects.toBeInstanceOf(ResponseTooLargeError);
    await expect(client({ maxBodyBytes: 2000 }).getText(`${srv.url}/`)).resolves.toHaveLength(2000);
  });

  it('getJson names the URL when a 200 carries an HTML page, without retrying', async () => {
    const srv = await startServer((_req, res) =>
      send(res, 200, '<!DOCTYPE html><html><body>Service unavailable</body></html>', { 'content-type': 'text/html' }),
    );
    const err = await rejection(client().getJson(`${srv.url}/api/notices`));
    expect(err).toBeInstanceOf(JsonParseError);
    expect((err as Error).message).toContain(`${srv.url}/api/notices`);
    expect((err as Error).message).toContain('text/html');
    expect(srv.hits).toHaveLength(1);
    expect(srv.hits[0].headers.accept).toBe('application/json');
  });
});

describe('http client: pacing', () => {
  it('spaces requests to the same host by minIntervalMs', async () => {
    const srv = await startServer((_req, res) => send(res, 200, 'ok'));
    const c = createHttpClient({ robots: false, minIntervalMs: 300 });
    cleanups.push(() => c.close());
    await Promise.all([c.getText(`${srv.url}/1`), c.getText(`${srv.url}/2`), c.getText(`${srv.url}/3`)]);
    const at = srv.hits.map((h) => h.at);
    // 50 ms tolerance for connection setup on the first request; without pacing the gaps are ~0.
    expect(at[1] - at[0]).toBeGreaterThanOrEqual(250);
    expect(at[2] - at[1]).toBeGreaterThanOrEqual(250);
  });

  it('does not make different hosts wait on each other', async () => {
    const a = await startServer((_req, res) => send(res, 200, 'a'));
    const b = await startServer((_req, res) => send(res, 200, 'b'));
    const c = createHttpClient({ robots: false, minIntervalMs: 2000 });
    cleanups.push(() => c.close());
    await c.getText(`${a.url}/warm`);
    const started = Date.now();
    // a/2 now waits out a's 2 s interval; close() in cleanup cancels it.
    void c.getText(`${a.url}/2`).catch(() => {});
    await c.getText(`${b.url}/1`);
    // b is a fresh host; had it queued behind a, it would have waited ~2 s.
    expect(b.hits[0].at - started).toBeLessThan(1000);
    expect(a.paths()).toEqual(['/warm']);
  });

  it('paces the robots.txt fetch with the page fetch', async () => {
    const srv = await startServer((req, res) => send(res, 200, req.url === '/robots.txt' ? 'User-agent: *\nAllow: /\n' : 'page'));
    const c = createHttpClient({ robots: true, minIntervalMs: 250 });
    cleanups.push(() => c.close());
    await c.getText(`${srv.url}/page`);
    expect(srv.paths()).toEqual(['/robots.txt', '/page']);
    expect(srv.hits[1].at - srv.hits[0].at).toBeGreaterThanOrEqual(200);
  });
});

describe('http client: robots.txt', () => {
  const robotsTxt = [
    'User-agent: *',
    'Disallow: /',
    '',
    'User-agent: gpass-tenders',
    'Disallow: /private/',
    'Allow: /',
  ].join('\n');

  it('refuses disallowed paths for our token without fetching them, and caches robots.txt per origin', async () => {
    const srv = await startServer((req, res) => send(res, 200, req.url === '/robots.txt' ? robotsTxt : 'ok'));
    const c = client({ robots: true });
    expect(await c.getText(`${srv.url}/public/1`)).toBe('ok');
    const err = await rejection(c.getText(`${srv.url}/private/secret`));
    expect(err).toBeInstanceOf(RobotsDisallowedError);
    expect((err as RobotsDisallowedError).url).toBe(`${srv.url}/private/secret`);
    expect(await c.getText(`${srv.url}/public/2`)).toBe('ok');
    expect(srv.paths()).toEqual(['/robots.txt', '/public/1', '/public/2']);
  });

  it('shares one robots.txt fetch between concurrent requests', async () => {
    const srv = await startServer((req, res) => send(res, 200, req.url === '/robots.txt' ? robotsTxt : 'ok'));
    const c = client({ robots: true });
    await Promise.all([c.getText(`${srv.url}/a`), c.getText(`${srv.url}/b`)]);
    expect(srv.paths().filter((p) => p === '/robots.txt')).toHaveLength(1);
  });

  it('treats a 404 robots.txt as allow-all', async () => {
    const srv = await startServer((req, res) => (req.url === '/robots.txt' ? send(res, 404) : send(res, 200, 'ok')));
    expect(await client({ robots: true }).getText(`${srv.url}/anything`)).toBe('ok');
    expect(srv.paths()).toEqual(['/robots.txt', '/anything']);
  });

  it('treats a 500 robots.txt as disallow-all (after retrying the robots fetch)', async () => {
    const srv = await startServer((req, res) => (req.url === '/robots.txt' ? send(res, 500) : send(res, 200, 'ok')));
    const err = await rejection(client({ robots: true, retries: 1 }).getText(`${srv.url}/anything`));
    expect(err).toBeInstanceOf(RobotsDisallowedError);
    expect(srv.paths()).toEqual(['/robots.txt', '/robots.txt']);
  });

  it('treats an unreachable robots.txt as disallow-all', async () => {
    const srv = await startServer(() => {});
    await srv.close();
    const err = await rejection(client({ robots: true, retries: 0 }).getText(`${srv.url}/anything`));
    expect(err).toBeInstanceOf(RobotsDisallowedError);
  });

  it('refetches robots.txt after the cache TTL', async () => {
    let t = 1_000_000;
    const srv = await startServer((req, res) => send(res, 200, req.url === '/robots.txt' ? 'User-agent: *\nAllow: /\n' : 'ok'));
    const c = client({ robots: true, now: () => t, robotsCacheTtlMs: 60_000 });
    await c.getText(`${srv.url}/1`);
    t += 30_000;
    await c.getText(`${srv.url}/2`);
    t += 31_000;
    await c.getText(`${srv.url}/3`);
    expect(srv.paths()).toEqual(['/robots.txt', '/1', '/2', '/robots.txt', '/3']);
  });

  it('skips robots.txt when a request opts out', async () => {
    const srv = await startServer((req, res) => send(res, 200, req.url === '/robots.txt' ? robotsTxt : 'ok'));
    expect(await client({ robots: true }).getText(`${srv.url}/private/x`, { robots: false })).toBe('ok');
    expect(srv.paths()).toEqual(['/private/x']);
  });
});

describe('http client: cookies and redirects', () => {
  it('sends cookies set by a host back to that host, ignoring attributes', async () => {
    const srv = await startServer((req, res) => {
      if (req.url === '/login') {
        send(res, 200, 'form', {
          'set-cookie': ['__RequestVerificationToken=tok123; path=/; HttpOnly', 'session=s1; Secure; SameSite=Lax'],
        });
      } else if (req.url === '/rotate') {
        send(res, 200, 'ok', { 'set-cookie': ['session=s2; Path=/', '__RequestVerificationToken=; Max-Age=0'] });
      } else {
        send(res, 200, 'ok');
      }
    });
    const c = client();
    await c.getText(`${srv.url}/first`);
    await c.getText(`${srv.url}/login`);
    await c.request(`${srv.url}/search`, { method: 'POST', body: 'q=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    await c.getText(`${srv.url}/rotate`);
    await c.getText(`${srv.url}/after`, { headers: { Cookie: 'extra=1' } });
    const cookieOf = (path: string) => srv.hits.find((h) => h.path === path)?.headers.cookie;
    expect(cookieOf('/first')).toBeUndefined();
    expect(cookieOf('/search')).toBe('__RequestVerificationToken=tok123; session=s1');
    expect(cookieOf('/after')).toBe('session=s2; extra=1');
  });

  it('follows same-host redirects, switching POST to GET on 303', async () => {
    const srv = await startServer((req, res) => {
      if (req.url === '/old') send(res, 301, '', { location: '/post' });
      else if (req.url === '/post') send(res, 303, '', { location: `${srv.url}/final?x=1` });
      else send(res, 200, `${req.method} ${req.url}`);
    });
    const res = await client().request(`${srv.url}/old`, { method: 'POST', body: 'a=1' });
    expect(res.url).toBe(`${srv.url}/final?x=1`);
    expect(res.body).toBe('GET /final?x=1');
  });

  it('refuses a redirect to another host by default', async () => {
    const other = await startServer((_req, res) => send(res, 200, 'elsewhere'));
    const srv = await startServer((_req, res) => send(res, 302, '', { location: `${other.url}/landing` }));
    const err = await rejection(client().getText(`${srv.url}/go`));
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(302);
    expect((err as Error).message).toContain(`${other.url}/landing`);
    expect(other.hits).toHaveLength(0);
    expect(await client({ followCrossHostRedirects: true }).getText(`${srv.url}/go`)).toBe('elsewhere');
  });

  it('gives up after 5 redirects', async () => {
    const srv = await startServer((req, res) => {
      const n = Number(req.url?.slice(1));
      send(res, 302, '', { location: `/${n + 1}` });
    });
    const err = await rejection(client().getText(`${srv.url}/0`));
    expect(err).toBeInstanceOf(HttpError);
    expect((err as Error).message).toMatch(/exceeded 5 redirects/);
    expect(srv.hits).toHaveLength(6);
  });
});

describe('http client: lifecycle', () => {
  it('rejects requests after close(), including one waiting on pacing', async () => {
    const srv = await startServer((_req, res) => send(res, 200, 'ok'));
    const c = createHttpClient({ robots: false, minIntervalMs: 60_000 });
    await c.getText(`${srv.url}/1`);
    const waiting = rejection(c.getText(`${srv.url}/2`));
    await new Promise((r) => setTimeout(r, 20));
    await c.close();
    expect(await waiting).toBeInstanceOf(HttpError);
    await expect(c.getText(`${srv.url}/3`)).rejects.toThrow(/closed/);
    expect(srv.paths()).toEqual(['/1']);
  });

  it('uses a passed dispatcher (MockAgent) and leaves it open on close()', async () => {
    const mock = new MockAgent();
    mock.disableNetConnect();
    cleanups.push(() => mock.close());
    const pool = mock.get('https://example.test');
    pool.intercept({ path: '/robots.txt' }).reply(404, '');
    pool.intercept({ path: '/api', headers: { 'user-agent': DEFAULT_USER_AGENT } }).reply(200, { ok: true }).times(2);
    const c = createHttpClient({ dispatcher: mock, minIntervalMs: 0 });
    expect(await c.getJson(`https://example.test/api`)).toEqual({ ok: true });
    await c.close();
    const again = createHttpClient({ dispatcher: mock, minIntervalMs: 0, robots: false });
    expect(await again.getJson(`https://example.test/api`)).toEqual({ ok: true });
    await again.close();
    mock.assertNoPendingInterceptors();
  });

  it('aborts via the per-request signal', async () => {
    const srv = await startServer(() => {});
    const c = client();
    const controller = new AbortController();
    const pending = c.getText(`${srv.url}/hang`, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('stop')), 50);
    await expect(pending).rejects.toThrow('stop');
  });
});
