/**
 * Authentication and authorization, in one place. Keys travel as `Authorization: Bearer <key>`.
 *
 * A route says who may call it with `config: { auth }`:
 * - `'public'`: no key (health, docs, metrics when configured, feeds with their own token);
 * - a list of roles: only those (others get 403);
 * - absent: any valid key.
 * Firm-scoped data goes through `firmScope`, which answers 404 for another firm's id, exactly
 * like an id that does not exist, so a firm key can't even learn which firms exist.
 */
import fp from 'fastify-plugin';
import rateLimit from '@fastify/rate-limit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createKeyVerifier, type Principal, type Role } from './keys.js';

export type RouteAuth = 'public' | readonly Role[];

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    auth?: RouteAuth;
  }
}

const PUBLIC_PREFIXES = ['/docs'];

export class HttpProblem extends Error {
  constructor(readonly statusCode: number, message: string) {
    super(message);
  }
}

/** Throws 404 unless the caller may see this firm's data (advisers and admins see all firms). */
export function firmScope(req: FastifyRequest, firmId: string): void {
  const p = req.principal;
  if (p?.role === 'firm' && p.firmId !== firmId) throw new HttpProblem(404, `firm ${firmId} not found`);
}

/** The firm a firm key is bound to; null for advisers and admins. */
export function ownFirm(req: FastifyRequest): string | null {
  return req.principal?.role === 'firm' ? req.principal.firmId : null;
}

export const authPlugin = fp(
  async (app, opts: { metricsPublic: boolean; rateLimitPerMinute: number }) => {
    app.decorateRequest('principal', null);
    const verify = createKeyVerifier(() => app.store.sqlite);
    /** Answers 401/403 itself and returns true, or returns false to let the request through. */
    const refuse = (req: FastifyRequest, reply: FastifyReply): boolean => {
      const path = req.url.split('?')[0];
      const auth = req.routeOptions.config?.auth;
      const isPublic =
        auth === 'public' ||
        PUBLIC_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`)) ||
        (path === '/metrics' && opts.metricsPublic) ||
        // An unknown route answers 404 whoever asks.
        req.routeOptions.url === undefined;
      const header = req.headers.authorization;
      if (header) {
        const m = /^Bearer\s+(\S+)$/i.exec(header);
        const principal = m ? verify(m[1]) : null;
        if (!principal) {
          if (isPublic) return false;
          reply.code(401).send({ statusCode: 401, error: 'Unauthorized', message: 'the API key is invalid or revoked' });
          return true;
        }
        req.principal = principal;
      }
      if (isPublic) return false;
      if (!req.principal) {
        reply
          .code(401)
          .header('www-authenticate', 'Bearer')
          .send({ statusCode: 401, error: 'Unauthorized', message: 'an API key is required: Authorization: Bearer <key>' });
        return true;
      }
      if (Array.isArray(auth) && !auth.includes(req.principal.role)) {
        reply.code(403).send({ statusCode: 403, error: 'Forbidden', message: `this route is for ${auth.join(' or ')} keys` });
        return true;
      }
      return false;
    };
    // Callback style: it runs on every request, and an async hook costs a promise and a microtask turn.
    app.addHook('onRequest', (req, reply, done) => {
      if (!refuse(req, reply)) done();
    });
    // Per key (per address for anonymous calls); after authentication, so the key is known.
    await app.register(rateLimit, {
      hook: 'preHandler',
      max: opts.rateLimitPerMinute,
      timeWindow: 60_000,
      keyGenerator: (req) => (req.principal ? `key:${req.principal.keyId}` : `ip:${req.ip}`),
      errorResponseBuilder: (_req, ctx) => ({ statusCode: 429, error: 'Too Many Requests', message: `rate limit: ${ctx.max} requests a minute; retry in ${Math.ceil(ctx.ttl / 1000)} s` }),
    });
  },
  { name: 'auth' },
);
