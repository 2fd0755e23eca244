/**
 * A fault-injecting World Bank API on 127.0.0.1: each fault is a way a real source misbehaves
 * (SOURCES.md lists most of them as seen in the wild). `server.fault` picks the one played;
 * `attempts` counts the requests of the current fault, robots.txt aside.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createGzip } from 'node:zlib';
import { worldbankPage } from './mirror.js';

export type FaultHandler = (req: http.IncomingMessage, res: http.ServerResponse, attempt: number, page: string) => void;

const json = (res: http.ServerResponse, body: string | Buffer, status = 200, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
};

/** A socket reset (RST), not a clean close. */
const reset = (socket: Socket) => (typeof socket.resetAndDestroy === 'function' ? socket.resetAndDestroy() : socket.destroy());

/** Streams `total` bytes of a JSON-looking body without ever holding it whole. */
function stream(res: http.ServerResponse, total: number, headers: Record<string, string> = {}) {
  res.writeHead(200, { 'content-type': 'application/json', ...headers });
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  res.write('{"procnotices": [');
  let sent = 0;
  const pump = () => {
    while (sent < total) {
      sent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    res.end(']}');
  };
  res.on('error', () => {});
  pump();
}

export const FAULTS: Record<string, FaultHandler> = {
  healthy: (_req, res, _n, page) => json(res, page),
  'timeout before headers': () => {
    /* accept and never answer */
  },
  'timeout mid-body': (_req, res, _n, page) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(page.length) });
    res.write(page.slice(0, 200));
  },
  'reset before headers': (req) => reset(req.socket),
  'reset mid-body': (req, res, _n, page) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(page.length) });
    res.write(page.slice(0, 500), () => setTimeout(() => reset(req.socket), 20));
  },
  '429 with Retry-After, then served': (_req, res, n, page) => (n <= 2 ? json(res, '{}', 429, { 'retry-after': '2' }) : json(res, page)),
  '429 with Retry-After as a date': (_req, res, n, page) => (n <= 1 ? json(res, '{}', 429, { 'retry-after': new Date(Date.now() + 3000).toUTCString() }) : json(res, page)),
  '429 without Retry-After, always': (_req, res) => json(res, '{"message":"slow down"}', 429),
  '500 burst, then served': (_req, res, n, page) => (n <= 2 ? json(res, '<h1>500</h1>', 500, { 'content-type': 'text/html' }) : json(res, page)),
  '502/503 burst that outlasts the retries': (_req, res, n) => json(res, 'bad gateway', n % 2 ? 502 : 503, { 'content-type': 'text/plain' }),
  'second page fails': (req, res, _n, page) => (new URL(req.url ?? '/', 'http://x').searchParams.get('os') === '0' ? json(res, page) : json(res, 'oops', 500)),
  'truncated JSON': (_req, res, _n, page) => json(res, page.slice(0, Math.floor(page.length / 2))),
  'HTML error page with 200': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><html><body><h1>Service Unavailable</h1><p>The server is temporarily unable to service your request.</p></body></html>');
  },
  'layout changed (new envelope)': (_req, res, _n, page) => json(res, JSON.stringify({ data: { notices: JSON.parse(page).procnotices }, meta: { total: 100 } })),
  'layout changed (renamed fields)': (_req, res, _n, page) => {
    const data = JSON.parse(page);
    data.procnotices = data.procnotices.map(({ id, bid_description, ...rest }: Record<string, unknown>) => ({ ...rest, noticeId: id, title: bid_description }));
    json(res, JSON.stringify(data));
  },
  'empty result': (_req, res) => json(res, JSON.stringify({ rows: 100, os: '0', total: '0', procnotices: [] })),
  'gigantic page (streamed, no length)': (_req, res) => stream(res, 25 * 1024 * 1024),
  'gigantic page (declared length)': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(3 * 1024 * 1024 * 1024) });
    res.write('{"procnotices": [');
    res.on('error', () => {});
  },
  'gzip bomb': (_req, res) => {
    const body = gzipBomb!;
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(body.length) });
    res.end(body);
  },
  'corrupt gzip': (_req, res, _n, page) => json(res, page, 200, { 'content-encoding': 'gzip' }),
  'slow drip (a byte every 200 ms, for ever)': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const timer = setInterval(() => res.write(' '), 200);
    res.on('close', () => clearInterval(timer));
  },
  'wrong encoding (UTF-16 labelled UTF-8)': (_req, res, _n, page) => json(res, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(page, 'utf16le')]), 200, { 'content-type': 'application/json; charset=utf-8' }),
  'wrong encoding (Latin-1 labelled UTF-8)': (_req, res, _n, page) => json(res, Buffer.from(page.replaceAll('"Kosovo"', '"Côte d\'Ivoire"'), 'latin1'), 200, { 'content-type': 'application/json; charset=utf-8' }),
  'unknown charset label': (_req, res, _n, page) => json(res, page, 200, { 'content-type': 'application/json; charset=x-klingon' }),
  'redirect to another host': (req, res) => {
    res.writeHead(302, { location: `http://127.0.0.1:9${req.url}` });
    res.end();
  },
};

/** 200 MB of spaces, gzipped to about 200 KB; built once, a chunk at a time. */
let gzipBomb: Buffer | null = null;
async function buildGzipBomb(): Promise<Buffer> {
  const gz = createGzip({ level: 9 });
  const parts: Buffer[] = [];
  gz.on('data', (b: Buffer) => parts.push(b));
  const done = new Promise((resolve) => gz.on('end', resolve));
  const chunk = Buffer.alloc(1024 * 1024, 0x20);
  for (let i = 0; i < 200; i++) if (!gz.write(chunk)) await new Promise((resolve) => gz.once('drain', resolve));
  gz.end();
  await done;
  return Buffer.concat(parts);
}

export async function startFaultServer(notices = 100) {
  gzipBomb ??= await buildGzipBomb();
  const state = { fault: 'healthy', attempts: 0, robots: 404 as number };
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    req.resume();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/robots.txt') {
      res.writeHead(state.robots, { 'content-type': 'text/plain' });
      return res.end(state.robots === 200 ? 'User-agent: *\nDisallow: /api/\n' : '');
    }
    state.attempts++;
    const offset = Number(url.searchParams.get('os') ?? 0);
    FAULTS[state.fault](req, res, state.attempts, worldbankPage(notices, offset, 100));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    /** Switches fault and forgets every held connection of the previous one. */
    play(fault: string) {
      state.fault = fault;
      state.attempts = 0;
      for (const s of sockets) s.destroy();
    },
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
