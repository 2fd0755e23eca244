/**
 * Scenario 3 — hostile API input. For every route the app registers (`app.routeTable`),
 * fast-check generates requests from the route's own schemas (the OpenAPI document) and beyond
 * them, sent with every kind of caller through `app.inject`, each route on a fresh copy of the
 * fixture store. For every answer: no 5xx; every 4xx is JSON in the one error shape; no secret
 * of the fixture in any answer; and a 4xx leaves the database as it was. That last one is
 * checked twice: temporary triggers log every write to every table during each request (a
 * refused request must log none), and a snapshot (row counts and a hash of every row of every
 * table) is compared across every tenth refused request and at the end of each route.
 */
import fc from 'fast-check';
import dns from 'node:dns';
import { once } from 'node:events';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiFixture, type ApiFixture } from './api-fixture.js';
import { diffSnapshots, installChangeLog, snapshot } from './db-checks.js';
import { operationOf, requestArbitrary, type FuzzRequest, type Schema } from './fuzz-requests.js';
import { guardNetwork, type NetworkGuard } from './network-guard.js';
import { SCALE, SEED, report } from './scale.js';

/** At least this many requests in all (10,000 in CI). */
const TOTAL = SCALE.fuzzRequests;

interface Violation {
  route: string;
  request: string;
  status: number;
  problem: string;
}

const describeRequest = (r: FuzzRequest) => {
  const body = r.payload === undefined ? '' : ` body(${r.headers['content-type']}): ${String(r.payload).slice(0, 160)}`;
  return `[${r.kind}] ${r.caller} ${r.method} ${r.url.slice(0, 200)}${body}`;
};

describe('hostile API input (property-based, every route)', () => {
  let routes: { method: string; url: string }[] = [];
  let doc: { paths: Record<string, Record<string, unknown>> };
  let guard: NetworkGuard;
  let f: ApiFixture;
  const counts = { requests: 0, rejected: 0, accepted: 0, snapshotsCompared: 0, byStatus: {} as Record<number, number> };

  beforeAll(async () => {
    guard = guardNetwork();
    f = await apiFixture();
    // The adviser console is HTML behind its own session and CSRF checks; its hostile-input
    // walk is in test/console/console.test.ts.
    routes = f.app.routeTable.filter((r) => r.url !== '/console' && !r.url.startsWith('/console/'));
    doc = f.app.swagger() as unknown as typeof doc;
  });
  afterAll(async () => {
    await f?.close();
    guard?.restore();
    const fivexx = Object.entries(counts.byStatus).filter(([s]) => Number(s) >= 500).reduce((n, [, c]) => n + c, 0);
    report('fuzz', { requests: counts.requests, routes: routes.length, rejected4xx: counts.rejected, accepted: counts.accepted, fivexx, snapshotsCompared: counts.snapshotsCompared, offLoopbackRefused: guard?.refused.length ?? 0, seed: SEED });
    console.log(`[reliability] fuzz statuses: ${JSON.stringify(counts.byStatus)}`);
  });

  it('generates from every route\'s own schemas (every route but the docs UI has an OpenAPI operation)', () => {
    expect(routes.length).toBeGreaterThan(40);
    const without = routes.filter((r) => !r.url.startsWith('/docs') && !operationOf(doc as never, r.method, r.url)).map((r) => `${r.method} ${r.url}`);
    expect(without).toEqual([]);
  });

  it('keeps this process on loopback (the network guard refuses DNS and other addresses)', async () => {
    await expect(dns.promises.lookup('example.com')).rejects.toThrow(/network guard/);
    // TEST-NET-1 (RFC 5737): never routed, should the guard ever fail.
    const socket = net.connect(80, '192.0.2.1');
    const [err] = (await once(socket, 'error')) as [Error];
    expect(err.message).toMatch(/network guard/);
    guard.refused.length = 0;
  });

  // KNOWN BUG (docs/RELIABILITY.md, "Findings"): Ajv's type coercion turns the query strings
  // "Infinity" and "1e999" into Infinity, never checks the type again, and skips minimum/maximum
  // for a non-finite number, so `?limit=Infinity` reaches SQL and `LIMIT ?` fails with
  // "datatype mismatch": a 500. Every route with an integer or number query parameter, from its
  // own schema (where the value is not bound to LIMIT/OFFSET it is accepted out of range: a 200
  // for `scoreMin=Infinity`). Fix centrally (refuse non-finite numbers after coercion); flip to
  // `it` when fixed.
  it('a non-finite number in an integer or number query parameter is refused with a 400', async () => {
    const fails: string[] = [];
    for (const route of routes.filter((r) => r.method === 'GET')) {
      const op = operationOf(doc as never, route.method, route.url);
      const numeric = Object.entries(op?.query ?? {}).filter(([, s]: [string, Schema]) => s.type === 'integer' || s.type === 'number');
      for (const [name] of numeric) {
        const path = route.url.replace(/:([A-Za-z]+)/g, (_, p: string) => String(f.realParam(route.url, p)[0]));
        const url = `${path}?${name}=Infinity`;
        const res = await f.app.inject({ url, headers: { authorization: `Bearer ${f.keys.admin}` } });
        if (res.statusCode !== 400) fails.push(`${url} -> ${res.statusCode}`);
      }
    }
    expect(fails).toEqual([]);
  });

  it(`answers ${TOTAL}+ generated requests without a 5xx, in the error shape, changing nothing when refusing`, { timeout: SCALE.timeoutMs }, async () => {
    const perRoute = Math.ceil(TOTAL / routes.length);
    const violations: Violation[] = [];
    for (const [i, route] of routes.entries()) {
      const db = f.reset();
      const writes = installChangeLog(db);
      const secrets = f.secrets;
      let baseline: Record<string, string> | null = null;
      let refusedSinceBaseline = 0;
      const arb = requestArbitrary({ method: route.method, url: route.url, op: operationOf(doc as never, route.method, route.url), keys: f.keys, realParam: f.realParam });
      const name = `${route.method} ${route.url}`;
      const flag = (r: FuzzRequest, status: number, problem: string) => {
        if (violations.length < 200) violations.push({ route: name, request: describeRequest(r), status, problem });
      };
      const compareSnapshot = (what: string) => {
        if (!baseline || refusedSinceBaseline === 0) return;
        counts.snapshotsCompared++;
        const changed = diffSnapshots(baseline, snapshot(db));
        if (changed.length) violations.push({ route: name, request: what, status: 0, problem: `refused requests changed the database: ${changed.join(', ')}` });
      };
      await fc.assert(
        fc.asyncProperty(arb, async (r) => {
          // A snapshot after every accepted request (it may write), compared across refused ones.
          if (!baseline) (baseline = snapshot(db)), (refusedSinceBaseline = 0);
          else if (refusedSinceBaseline > 0 && counts.rejected % 10 === 0) compareSnapshot('the refused requests before this one');
          writes.take();
          const res = await f.app.inject({ method: r.method as 'GET', url: r.url, headers: r.headers, ...(r.payload !== undefined ? { payload: r.payload } : {}) });
          const written = writes.take();
          counts.requests++;
          counts.byStatus[res.statusCode] = (counts.byStatus[res.statusCode] ?? 0) + 1;
          if (res.statusCode >= 500) return flag(r, res.statusCode, `5xx: ${res.body.slice(0, 300)}`);
          for (const s of secrets) if (res.body.includes(s)) flag(r, res.statusCode, 'a secret of the fixture appears in the answer');
          if (res.statusCode < 400) {
            counts.accepted++;
            if (written.length) baseline = null;
            return;
          }
          counts.rejected++;
          refusedSinceBaseline++;
          if (written.length) {
            flag(r, res.statusCode, `a refused request wrote to the database: ${written.join(', ')}`);
            baseline = null;
          }
          let body: unknown;
          try {
            body = res.json();
          } catch {
            return flag(r, res.statusCode, `4xx not JSON (${res.headers['content-type']}): ${res.body.slice(0, 200)}`);
          }
          const e = body as { statusCode?: unknown; error?: unknown; message?: unknown };
          if (e.statusCode !== res.statusCode || typeof e.error !== 'string' || typeof e.message !== 'string') flag(r, res.statusCode, `4xx not in the error shape: ${res.body.slice(0, 200)}`);
        }),
        // Stateful (each request may change the store), so a failure is reported, never shrunk.
        { numRuns: perRoute, seed: SEED + i, endOnFailure: true },
      );
      compareSnapshot('the last refused requests of the route');
    }
    const seen = new Set<string>();
    const distinct = violations.filter((v) => {
      const k = `${v.route} ${v.status} ${v.problem.slice(0, 60)}`;
      return seen.has(k) ? false : (seen.add(k), true);
    });
    expect(distinct).toEqual([]);
    expect(counts.requests).toBeGreaterThanOrEqual(TOTAL);
  });
});
