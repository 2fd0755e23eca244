/**
 * Serialized pages of `GET /firms/:id/alerts`, kept in memory and served again while nothing
 * they show can have changed:
 * - the firm's alerts version is the one the page was built at (`alert_versions`, moved by
 *   triggers on every write that touches what the listing shows, from any connection or
 *   process, so an alert published by the scheduler's worker is seen on the next request);
 * - the clock is before the first instant a clock-derived field changes (days left, a tender
 *   closing at its deadline: `viewsChangeAt`);
 * - the page is younger than MAX_AGE_MS, a bound should the database ever change without the
 *   triggers (a file restored underneath a running process, rows edited by hand).
 * A page is keyed by the firm id and the whole normalized query, and the route checks that the
 * key may see that firm before it asks, so a key only ever reaches its own firm's pages.
 * Bounded by bytes; the least recently used page goes first.
 *
 * A client that accepts gzip (browsers, Node's fetch, most HTTP libraries) gets the page
 * compressed, once per page rather than per request: a page of 50 alerts is ~70 KB of JSON and
 * ~8 KB gzipped. Each representation has its own strong ETag.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { negotiate } from '@fastify/accept-negotiator';

export const MAX_AGE_MS = 60_000;
const DEFAULT_MAX_BYTES = 32 * 2 ** 20;
/** Smaller bodies go as they are: gzip's header and the work would gain nothing. */
export const GZIP_MIN_BYTES = 1024;

export interface AlertPage {
  body: Buffer;
  /** Strong validator: a hash of the firm id and the body. */
  etag: string;
  version: number;
  /** Served while Date.now() is below this. */
  expiresAt: number;
  /** The body gzipped, made the first time a client asks for it. */
  gzip?: Buffer;
  /** The cache key, for the byte count when the gzipped body is added. */
  key: string;
}

export interface Representation {
  body: Buffer;
  etag: string;
  /** `gzip`, or null for the body as it is. */
  encoding: 'gzip' | null;
}

export function createAlertPageCache(maxBytes = DEFAULT_MAX_BYTES) {
  const pages = new Map<string, AlertPage>();
  let bytes = 0;
  const drop = (key: string, page: AlertPage) => {
    pages.delete(key);
    bytes -= page.body.length + (page.gzip?.length ?? 0);
  };
  return {
    get(key: string, version: number, now = Date.now()): AlertPage | null {
      const page = pages.get(key);
      if (!page) return null;
      if (page.version !== version || now >= page.expiresAt) {
        drop(key, page);
        return null;
      }
      // Most recently used last: Map keeps insertion order.
      pages.delete(key);
      pages.set(key, page);
      return page;
    },
    /** Builds the page (body, ETag) and keeps it when it may be served again. */
    set(key: string, p: { firmId: string; version: number; body: string; validUntil: number }, now = Date.now()): AlertPage {
      const body = Buffer.from(p.body);
      const etag = `"${createHash('sha256').update(p.firmId).update('\u0000').update(body).digest('base64url').slice(0, 32)}"`;
      const page: AlertPage = { body, etag, version: p.version, expiresAt: Math.min(p.validUntil, now + MAX_AGE_MS), key };
      const old = pages.get(key);
      if (old) drop(key, old);
      if (page.expiresAt > now && body.length <= maxBytes / 4) {
        pages.set(key, page);
        bytes += body.length;
        for (const [k, v] of pages) {
          if (bytes <= maxBytes) break;
          drop(k, v);
        }
      }
      return page;
    },
    /**
     * What to send to a client with this Accept-Encoding: the gzipped body when it accepts gzip
     * and the page is big enough to gain from it, else the body.
     */
    representation(page: AlertPage, acceptEncoding: string | undefined): Representation {
      if (!acceptEncoding || page.body.length < GZIP_MIN_BYTES || negotiate(acceptEncoding, ['gzip']) !== 'gzip') {
        return { body: page.body, etag: page.etag, encoding: null };
      }
      if (!page.gzip) {
        page.gzip = gzipSync(page.body);
        // Counted while the page is kept (a page not kept is not in `pages`).
        if (pages.get(page.key) === page) bytes += page.gzip.length;
      }
      return { body: page.gzip, etag: `${page.etag.slice(0, -1)}-gzip"`, encoding: 'gzip' };
    },
    get size() {
      return pages.size;
    },
    get bytes() {
      return bytes;
    },
  };
}

/** If-None-Match against the current ETag, with the weak comparison RFC 9110 §13.1.2 asks for. */
export function notModified(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}
