/**
 * The adviser console at /console: server-rendered pages (Eta templates through @fastify/view),
 * htmx for partial updates, every asset served from the package (nothing loaded from the
 * internet). Advisers sign in with an adviser or admin key; firm keys are refused. Every form
 * carries a CSRF token bound to the session, and every POST without a valid one is refused.
 *
 * The plugin is encapsulated: its form-body parser, cookie handling, error pages and CSRF hook
 * apply to /console only; the JSON API around it is unchanged.
 */
import path from 'node:path';
import { createRequire } from 'node:module';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import view from '@fastify/view';
import { Eta } from 'eta';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AlertError, decide, recommend, type Decision } from '../alerts/service.js';
import { verifyApiKey } from '../auth/keys.js';
import { FirmConflictError, updateFirm } from '../firms/repository.js';
import { previewProfile } from '../matching/matcher.js';
import { profileOf } from '../firms/firm.js';
import { DEADLINE_WINDOWS, REASON_CODES, SCORE_BANDS, firmChoices, firmList, firmPage, highlight, matchedTokens, parseQueueFilters, queue, queueSources, sourcesPage, tenderPage } from './data.js';
import { CATEGORIES, NOTICE_TYPES, PROFILE_FORM_FIELDS, firmPatchFromForm, many, one, reasonOf, type FormBody } from './forms.js';
import { reportCsv } from '../pipeline/csv.js';
import { isDate, loadFxTable } from '../pipeline/fx.js';
import { pipelineReport, type ReportScope } from '../pipeline/report.js';
import { barChartSvg } from './chart.js';
import { isConsoleLang, translator, type ConsoleLang } from './i18n.js';
import { LOGIN_COOKIE, SESSION_COOKIE, createSession, csrfTokens, endSession, readSession, setSessionLang, type ConsoleSession } from './session.js';

declare module 'fastify' {
  interface FastifyRequest {
    consoleSession: ConsoleSession | null;
  }
}

const HERE = import.meta.dirname;
const require = createRequire(import.meta.url);
const HTMX_DIR = path.dirname(require.resolve('htmx.org/dist/htmx.min.js'));

/** Pages are never cached, framed or fed scripts from elsewhere. */
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
};

const PUBLIC = { auth: 'public' as const, console: 'public' as const };
const SIGNED_IN = { auth: 'public' as const, console: 'adviser' as const };

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Console routes: `public` (sign-in, assets) or `adviser` (a console session). */
    console?: 'public' | 'adviser';
  }
}

class ConsoleProblem extends Error {
  constructor(readonly statusCode: number, message: string) {
    super(message);
  }
}

/** A same-origin path to go back to after a form post (never an absolute URL). */
function safeBack(v: string | undefined, fallback: string): string {
  return v && /^\/console(\/|\?|$)/.test(v) && !v.includes('//') && !v.includes('\\') ? v : fallback;
}

export async function consolePlugin(app: FastifyInstance, _opts: { prefix?: string }) {
  const sqlite = () => app.store.sqlite;
  const sessionTtlMs = app.config.consoleSessionHours * 3600_000;
  const cookieSecure = app.config.consoleCookieSecure;

  // Routes of this plugin answer to console sessions, not API keys; the static files (assets,
  // htmx) are public. A route that says nothing is public, so a page must opt in to `adviser`.
  app.addHook('onRoute', (r) => {
    r.config = { ...(r.config ?? {}), auth: 'public', console: (r.config as { console?: 'public' | 'adviser' } | undefined)?.console ?? 'public' };
    // HTML pages, not API operations: kept out of the OpenAPI document.
    r.schema = { ...(r.schema ?? {}), hide: true };
  });
  await app.register(cookie);
  await app.register(formbody, { bodyLimit: 256 * 1024 });
  const eta = new Eta({ views: path.join(HERE, 'views'), cache: process.env.NODE_ENV === 'production', autoEscape: true, autoTrim: false });
  await app.register(view, { engine: { eta }, root: path.join(HERE, 'views'), viewExt: 'eta' });
  await app.register(fastifyStatic, { root: path.join(HERE, 'assets'), prefix: '/assets/', decorateReply: false, index: false, maxAge: '1h', allowedPath: (p) => !p.includes('..') });
  // htmx from its npm package: `GET /console/vendor/htmx.min.js`.
  await app.register(fastifyStatic, { root: HTMX_DIR, prefix: '/vendor/', decorateReply: false, index: false, maxAge: '1d', allowedPath: (p) => p === '/htmx.min.js' });

  app.decorateRequest('consoleSession', null);

  const secureFor = (req: FastifyRequest) => (cookieSecure === 'auto' ? req.protocol === 'https' : cookieSecure);
  const cookieOptions = (req: FastifyRequest, maxAgeS: number) => ({ path: '/console', httpOnly: true, sameSite: 'strict' as const, secure: secureFor(req), maxAge: maxAgeS });

  const isHtmx = (req: FastifyRequest) => req.headers['hx-request'] === 'true';

  // Every console answer carries the security headers; signed-in routes need a session.
  app.addHook('onRequest', async (req, reply) => {
    reply.headers(SECURITY_HEADERS);
    if (req.routeOptions.config?.console !== 'adviser') return;
    const session = readSession(sqlite(), req.cookies[SESSION_COOKIE]);
    if (!session) {
      const login = `/console/login?next=${encodeURIComponent(req.url)}`;
      if (isHtmx(req)) return reply.code(401).header('hx-redirect', login).send('');
      if (req.method === 'GET') return reply.redirect(login, 303);
      return reply.code(401).type('text/html').send(await renderError(reply, 'en', 401, translator('en')('sessionEnded')));
    }
    req.consoleSession = session;
  });

  // CSRF: every state-changing request of a session carries a token made from its secret.
  app.addHook('preHandler', async (req, reply) => {
    if (req.method === 'GET' || req.method === 'HEAD') return;
    const body = (req.body ?? {}) as FormBody;
    const token = (req.headers['x-csrf-token'] as string | undefined) ?? one(body, '_csrf');
    const secret = req.consoleSession?.csrfSecret ?? (req.routeOptions.config?.console === 'public' ? req.cookies[LOGIN_COOKIE] : undefined);
    if (!secret || !token || !csrfTokens.verify(secret, token)) {
      const lang = req.consoleSession?.lang ?? 'en';
      req.log.warn({ url: req.url }, 'console form refused: missing or invalid CSRF token');
      return reply.code(403).type('text/html').send(await renderError(reply, lang, 403, translator(lang)('csrfRefused')));
    }
  });

  app.setErrorHandler(async (err: Error & { statusCode?: number }, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500) req.log.error({ err }, 'console request failed');
    const lang = req.consoleSession?.lang ?? 'en';
    const message = status >= 500 ? 'internal error; the failure was logged' : err.message;
    return reply.code(status).type('text/html').send(await renderError(reply, lang, status, message));
  });
  app.setNotFoundHandler(async (req, reply) => {
    reply.headers(SECURITY_HEADERS);
    return reply.code(404).type('text/html').send(await renderError(reply, 'en', 404, `no page ${req.url.split('?')[0]}`));
  });

  async function renderError(reply: FastifyReply, lang: ConsoleLang, status: number, message: string): Promise<string> {
    return reply.viewAsync('error', { ...baseLocals(null, lang), status, message });
  }

  function baseLocals(req: FastifyRequest | null, langOverride?: ConsoleLang) {
    const session = req?.consoleSession ?? null;
    const lang = langOverride ?? session?.lang ?? 'en';
    return {
      t: translator(lang),
      lang,
      session,
      csrf: session ? csrfTokens.create(session.csrfSecret) : '',
      nav: '',
      hasReports: true,
      flash: null as string | null,
    };
  }

  const page = (reply: FastifyReply, name: string, req: FastifyRequest, data: Record<string, unknown>) =>
    reply.type('text/html').view(name, { ...baseLocals(req), ...data });

  // ------------------------------------------------------------------ sign-in

  app.get('/login', { config: PUBLIC }, async (req, reply) => {
    const secret = csrfTokens.secretSync();
    reply.setCookie(LOGIN_COOKIE, secret, cookieOptions(req, 3600));
    const q = req.query as Record<string, string | undefined>;
    const lang = isConsoleLang(q.lang) ? q.lang : 'en';
    return page(reply, 'login', req, { ...baseLocals(null, lang), loginCsrf: csrfTokens.create(secret), next: safeBack(q.next, '/console/queue'), error: null });
  });

  app.post('/login', { config: PUBLIC }, async (req, reply) => {
    const b = (req.body ?? {}) as FormBody;
    const lang: ConsoleLang = isConsoleLang(one(b, 'lang')) ? (one(b, 'lang') as ConsoleLang) : 'en';
    const t = translator(lang);
    const principal = verifyApiKey(sqlite(), (one(b, 'key') ?? '').trim());
    const retry = async (status: number, error: string) => {
      const secret = csrfTokens.secretSync();
      reply.setCookie(LOGIN_COOKIE, secret, cookieOptions(req, 3600));
      return reply.code(status).type('text/html').view('login', { ...baseLocals(null, lang), loginCsrf: csrfTokens.create(secret), next: safeBack(one(b, 'next'), '/console/queue'), error });
    };
    if (!principal) return retry(401, t('badKey'));
    if (principal.role !== 'adviser' && principal.role !== 'admin') return retry(403, t('firmKeyRefused'));
    const { token } = createSession(sqlite(), principal.keyId, lang, sessionTtlMs);
    reply.clearCookie(LOGIN_COOKIE, { path: '/console' });
    reply.setCookie(SESSION_COOKIE, token, cookieOptions(req, Math.floor(sessionTtlMs / 1000)));
    return reply.redirect(safeBack(one(b, 'next'), '/console/queue'), 303);
  });

  app.post('/logout', { config: SIGNED_IN }, async (req, reply) => {
    endSession(sqlite(), req.cookies[SESSION_COOKIE]);
    reply.clearCookie(SESSION_COOKIE, { path: '/console' });
    return reply.redirect('/console/login', 303);
  });

  app.post('/lang', { config: SIGNED_IN }, async (req, reply) => {
    const b = (req.body ?? {}) as FormBody;
    const lang = one(b, 'lang');
    if (!isConsoleLang(lang)) throw new ConsoleProblem(400, 'lang must be en or ko');
    setSessionLang(sqlite(), req.cookies[SESSION_COOKIE]!, lang);
    return reply.redirect(safeBack(one(b, 'back'), '/console/queue'), 303);
  });

  app.get('/', { config: SIGNED_IN }, async (_req, reply) => reply.redirect('/console/queue', 303));

  // ------------------------------------------------------------------ queue

  async function renderQueue(req: FastifyRequest, reply: FastifyReply, query: Record<string, unknown>, flash: string | null, partial: boolean, status = 200) {
    const filters = parseQueueFilters(query);
    const now = new Date();
    const { items, total } = queue(sqlite(), filters, now);
    const rows = items.map((m) => {
      const hits = m.explanation?.text?.hits ?? [];
      const tokens = matchedTokens(hits);
      return { ...m, titleHtml: highlight(m.tender.title, tokens, Infinity, m.language), descriptionHtml: highlight(m.description, tokens, 360, m.language) };
    });
    const qs = new URLSearchParams(Object.entries(query).filter(([k, v]) => typeof v === 'string' && v !== '' && k !== '_csrf') as [string, string][]).toString();
    const data = {
      ...baseLocals(req),
      nav: 'queue',
      flash,
      filters,
      rows,
      total,
      back: `/console/queue${qs ? `?${qs}` : ''}`,
      firms: firmChoices(sqlite()),
      sources: queueSources(sqlite()),
      bands: Object.keys(SCORE_BANDS),
      windows: DEADLINE_WINDOWS,
      reasons: REASON_CODES,
    };
    reply.code(status).type('text/html');
    return reply.view(partial ? 'queue-region' : 'queue', data);
  }

  app.get('/queue', { config: SIGNED_IN }, async (req, reply) => renderQueue(req, reply, req.query as Record<string, unknown>, null, isHtmx(req) && req.headers['hx-target'] === 'queue-region'));

  app.post('/queue/decide', { config: SIGNED_IN }, async (req, reply) => {
    const b = (req.body ?? {}) as FormBody;
    const t = translator(req.consoleSession!.lang);
    const back = safeBack(one(b, 'back'), '/console/queue');
    const backQuery = Object.fromEntries(new URL(back, 'http://console.invalid').searchParams);
    const single = one(b, 'one');
    const bulk = one(b, 'bulk');
    let decisions: Decision[];
    if (single) {
      const m = /^(approve|reject):(\d{1,15})$/.exec(single);
      if (!m) throw new ConsoleProblem(400, 'unknown decision');
      const id = Number(m[2]);
      decisions = [{ matchId: id, action: m[1] as Decision['action'], note: one(b, `note-${id}`)?.trim() || null, reasonCode: reasonOf(one(b, `reason-${id}`)) }];
    } else if (bulk === 'approve' || bulk === 'reject') {
      const ids = many(b, 'ids').filter((v) => /^\d{1,15}$/.test(v)).map(Number);
      if (ids.length === 0) return renderQueue(req, reply, backQuery, t('noneSelected'), isHtmx(req), 400);
      decisions = ids.map((matchId) => ({ matchId, action: bulk, note: one(b, 'bulkNote')?.trim() || null, reasonCode: reasonOf(one(b, 'bulkReason')) }));
    } else {
      throw new ConsoleProblem(400, 'unknown decision');
    }
    for (const d of decisions) if (d.note && d.note.length > 2000) throw new ConsoleProblem(400, 'a note is at most 2,000 characters');
    try {
      decide(sqlite(), decisions, { id: req.consoleSession!.keyId, role: req.consoleSession!.role });
    } catch (e) {
      if (e instanceof AlertError) return renderQueue(req, reply, backQuery, e.message, isHtmx(req), e.statusCode);
      throw e;
    }
    const verb = decisions[0].action === 'approve' ? t('approved') : t('rejected');
    const flash = `${verb}: ${decisions.length} ${t('decided')}`;
    if (isHtmx(req)) return renderQueue(req, reply, backQuery, flash, true);
    return reply.redirect(back, 303);
  });

  // ------------------------------------------------------------------ tender

  async function renderTender(req: FastifyRequest, reply: FastifyReply, id: number, flash: string | null, status = 200) {
    const data = tenderPage(sqlite(), id);
    if (!data) throw new ConsoleProblem(404, `tender ${id} not found`);
    const matchedFirms = new Set(data.matches.filter((m) => m.state === 'published').map((m) => m.firmId));
    reply.code(status);
    return page(reply, 'tender', req, { nav: 'queue', flash, ...data, firms: firmChoices(sqlite()).map((f) => ({ ...f, alerted: matchedFirms.has(f.id) })) });
  }

  const idParam = (req: FastifyRequest) => {
    const raw = (req.params as { id: string }).id;
    if (!/^\d{1,15}$/.test(raw)) throw new ConsoleProblem(404, `tender ${raw} not found`);
    return Number(raw);
  };

  app.get('/tenders/:id', { config: SIGNED_IN }, async (req, reply) => renderTender(req, reply, idParam(req), null));

  app.post('/tenders/:id/recommend', { config: SIGNED_IN }, async (req, reply) => {
    const id = idParam(req);
    const b = (req.body ?? {}) as FormBody;
    const t = translator(req.consoleSession!.lang);
    const firmIds = [...new Set(many(b, 'firms').filter((f) => /^[a-z0-9][a-z0-9_-]{0,63}$/.test(f)))];
    const note = (one(b, 'note') ?? '').trim();
    if (firmIds.length === 0) return renderTender(req, reply, id, t('chooseFirms'), 400);
    if (note.length > 2000) return renderTender(req, reply, id, 'a note is at most 2,000 characters', 400);
    try {
      recommend(sqlite(), id, firmIds, note, { id: req.consoleSession!.keyId, role: req.consoleSession!.role });
    } catch (e) {
      if (e instanceof AlertError) return renderTender(req, reply, id, e.message, e.statusCode);
      throw e;
    }
    return renderTender(req, reply, id, `${t('recommendedTo')}: ${firmIds.join(', ')}`);
  });

  // ------------------------------------------------------------------ firms

  app.get('/firms', { config: SIGNED_IN }, async (req, reply) => page(reply, 'firms', req, { nav: 'firms', firms: firmList(sqlite()) }));

  const firmParam = (req: FastifyRequest) => {
    const raw = (req.params as { id: string }).id;
    if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(raw)) throw new ConsoleProblem(404, `firm ${raw} not found`);
    return raw;
  };

  async function renderFirm(req: FastifyRequest, reply: FastifyReply, id: string, extra: { form?: FormBody; errors?: { field: string; message: string }[]; flash?: string | null }, status = 200) {
    const data = firmPage(sqlite(), id);
    if (!data) throw new ConsoleProblem(404, `firm ${id} not found`);
    const f = data.firm;
    // The form shows what was posted when it was refused, else the stored profile.
    const form: Record<string, unknown> = extra.form
      ? Object.fromEntries(PROFILE_FORM_FIELDS.map((k) => [k, k === 'noticeTypes' || k === 'categories' ? many(extra.form!, k) : k === 'gpassDesignated' ? one(extra.form!, k) === 'on' : (one(extra.form!, k) ?? '')]))
      : {
          name: f.name, nameKo: f.nameKo ?? '', gpassDesignated: f.gpassDesignated, gpassExpiresAt: f.gpassExpiresAt ?? '', contactName: f.contactName ?? '', contactEmail: f.contactEmail ?? '',
          keywords: f.keywords.join('\n'), keywordsKo: f.keywordsKo.join('\n'), excludeKeywords: f.excludeKeywords.join('\n'), unspsc: f.unspsc.join(', '), countries: f.countries.join(', '),
          minValueUsd: f.minValueUsd ?? '', maxValueUsd: f.maxValueUsd ?? '', unknownValuePolicy: f.unknownValuePolicy, noticeTypes: f.noticeTypes, categories: f.categories, minDaysToDeadline: f.minDaysToDeadline,
        };
    const errors = Object.fromEntries((extra.errors ?? []).map((e) => [e.field, e.message]));
    reply.code(status);
    return page(reply, 'firm', req, { nav: 'firms', flash: extra.flash ?? null, ...data, form, errors, errorCount: Object.keys(errors).length, noticeTypes: NOTICE_TYPES, categories: CATEGORIES });
  }

  app.get('/firms/:id', { config: SIGNED_IN }, async (req, reply) => {
    const saved = Number((req.query as Record<string, string>).saved);
    const t = translator(req.consoleSession!.lang);
    return renderFirm(req, reply, firmParam(req), { flash: Number.isInteger(saved) && saved > 0 ? `${t('saved')} ${saved}` : null });
  });

  app.post('/firms/:id', { config: SIGNED_IN }, async (req, reply) => {
    const id = firmParam(req);
    const b = (req.body ?? {}) as FormBody;
    const { patch, errors } = firmPatchFromForm(b);
    if (errors.length > 0) return renderFirm(req, reply, id, { form: b, errors, flash: translator(req.consoleSession!.lang)('fixErrors') }, 422);
    let firm;
    try {
      firm = updateFirm(sqlite(), id, patch);
    } catch (e) {
      if (e instanceof FirmConflictError) return renderFirm(req, reply, id, { form: b, errors: [{ field: 'name', message: e.message }] }, 409);
      throw e;
    }
    if (!firm) throw new ConsoleProblem(404, `firm ${id} not found`);
    return reply.redirect(`/console/firms/${id}?saved=${firm.profileVersion}`, 303);
  });

  // Expected matches a day for the profile as edited, before it is saved (htmx, on every change).
  app.post('/firms/:id/preview', { config: SIGNED_IN }, async (req, reply) => {
    const id = firmParam(req);
    const b = (req.body ?? {}) as FormBody;
    const { patch, errors } = firmPatchFromForm(b);
    const base = firmPage(sqlite(), id)?.firm;
    if (!base) throw new ConsoleProblem(404, `firm ${id} not found`);
    const preview = errors.length > 0 ? null : previewProfile(sqlite(), profileOf(patch, base));
    return reply.type('text/html').view('firm-preview', { ...baseLocals(req), preview, errors });
  });

  // ------------------------------------------------------------------ reports (bid pipeline)

  const fx = loadFxTable(app.config.fxRatesPath);

  /** The report's scope and period from the filter form; a bad value is a message on the page, not a 500. */
  function reportQuery(raw: Record<string, unknown>) {
    const s = (k: string) => (typeof raw[k] === 'string' && (raw[k] as string).trim() !== '' ? (raw[k] as string).trim() : undefined);
    const today = new Date().toISOString().slice(0, 10);
    const q = { from: s('from') ?? `${today.slice(0, 4)}-01-01`, to: s('to') ?? today, firm: s('firm'), designationYear: s('designationYear'), sector: s('sector'), region: s('region'), by: (['firm', 'agency', 'country', 'sector'] as const).find((b) => b === s('by')) ?? 'firm' };
    let error: string | null = null;
    if (!isDate(q.from) || !isDate(q.to)) error = 'from and to must be dates (yyyy-mm-dd)';
    else if (q.from > q.to) error = `from (${q.from}) is after to (${q.to})`;
    else if (q.designationYear && !/^\d{4}$/.test(q.designationYear)) error = 'the designation year is four digits';
    else if (q.firm && !/^[a-z0-9][a-z0-9_-]{0,63}$/.test(q.firm)) error = 'unknown firm';
    else if (q.region && q.region.length > 40) error = 'region too long';
    const scope: ReportScope = {
      ...(q.firm ? { firmIds: [q.firm] } : {}),
      ...(q.designationYear ? { designationYear: Number(q.designationYear) } : {}),
      ...(q.sector ? { sector: q.sector } : {}),
      ...(q.region ? { region: q.region } : {}),
    };
    const qs = new URLSearchParams(Object.entries(q).filter(([, v]) => v !== undefined) as [string, string][]).toString();
    return { q, scope, error, qs };
  }

  const money = (m: { usd: number; krw: number; notConverted: number }) =>
    `USD ${m.usd.toLocaleString('en-US', { maximumFractionDigits: 0 })} · KRW ${m.krw.toLocaleString('en-US', { maximumFractionDigits: 0 })}${m.notConverted ? ` (+${m.notConverted} not converted)` : ''}`;

  app.get('/reports', { config: SIGNED_IN }, async (req, reply) => {
    const t = translator(req.consoleSession!.lang);
    const { q, scope, error, qs } = reportQuery(req.query as Record<string, unknown>);
    const report = error ? null : pipelineReport(sqlite(), scope, { from: q.from, to: q.to }, fx);
    const groups = report ? { firm: report.byFirm, agency: report.byAgency, country: report.byCountry, sector: report.bySector }[q.by] : [];
    const lang = req.consoleSession!.lang;
    const chart = report
      ? barChartSvg({
          id: 'pipeline-chart',
          title: `${t('reportsTitle')} — ${t(`by_${q.by}`)} (${q.from} – ${q.to})`,
          description: groups.map((g) => `${g.label}: ${g.alertsReceived} / ${g.interested} / ${g.bidsSubmitted} / ${g.wins}`).join('; ') || t('noData'),
          series: [
            { key: 'alertsReceived', label: t('alertsReceived'), color: '#8fb3de' },
            { key: 'interested', label: t('interestedCount'), color: '#0b4f9c' },
            { key: 'bidsSubmitted', label: t('bidsSubmitted'), color: '#b86e00' },
            { key: 'wins', label: t('wins'), color: '#1d6b2f' },
          ],
          groups: groups.slice(0, 15).map((g) => ({ label: lang === 'ko' && g.labelKo ? g.labelKo : g.label, values: { alertsReceived: g.alertsReceived, interested: g.interested, bidsSubmitted: g.bidsSubmitted, wins: g.wins } })),
        })
      : '';
    const sectors = (sqlite().prepare(`SELECT DISTINCT sector FROM firms WHERE sector IS NOT NULL ORDER BY sector`).pluck().all() as string[]);
    reply.code(error ? 400 : 200);
    return page(reply, 'reports', req, { nav: 'reports', report, groups, chart, query: q, qs, error, money, firms: firmChoices(sqlite()), sectors });
  });

  app.get('/reports.csv', { config: SIGNED_IN }, async (req, reply) => {
    const { q, scope, error } = reportQuery(req.query as Record<string, unknown>);
    if (error) throw new ConsoleProblem(400, error);
    const report = pipelineReport(sqlite(), scope, { from: q.from, to: q.to }, fx);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="pipeline-report_${q.firm ?? 'cohort'}_${q.from}_${q.to}.csv"`)
      .send(reportCsv(report));
  });

  // ------------------------------------------------------------------ sources

  app.get('/sources', { config: SIGNED_IN }, async (req, reply) => page(reply, 'sources', req, { nav: 'sources', sources: sourcesPage(sqlite(), app.sources, app.config.schedules) }));
}
