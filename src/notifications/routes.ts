/**
 * A firm's email recipients (a firm key manages its own firm's, another firm's id answers 404;
 * advisers and admins manage any), and the unsubscribe link of every email, which works
 * without a key: GET shows a page in the recipient's language, POST is RFC 8058 one-click.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { firmScope, HttpProblem } from '../auth/plugin.js';
import { FIRM_ID_PATTERN } from '../firms/firm.js';
import { errorResponses, Nullable } from '../schemas.js';
import { CADENCES, LANGUAGES, createRecipient, deleteRecipient, getRecipientRow, listRecipients, unsubscribeRecipient, updateRecipient, type Language } from './recipients.js';
import { STRINGS } from './templates.js';
import { unsubscribeSecret, verifyUnsubscribe } from './unsubscribe.js';
import { escapeHtml as esc } from '../html.js';

const TAGS = ['notifications'];
const E = { 400: errorResponses[400], 404: errorResponses[404] };

const RecipientSchema = Type.Object({
  id: Type.Integer(),
  firmId: Type.String(),
  name: Nullable(Type.String()),
  email: Type.String(),
  language: Type.Enum(LANGUAGES),
  cadence: Type.Enum(CADENCES),
  sendHour: Type.Integer({ description: 'Local hour (0-23) of daily and weekly digests and of reminders' }),
  timeZone: Type.String({ description: 'IANA time zone, e.g. Asia/Seoul' }),
  maxItems: Type.Integer({ description: 'At most this many alerts listed in one digest ("and N more" links to the rest)' }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

const fields = {
  name: Nullable(Type.String({ maxLength: 200 })),
  email: Type.String({ format: 'email', maxLength: 254 }),
  language: Type.Enum(LANGUAGES, { description: 'ko (default) or en' }),
  cadence: Type.Enum(CADENCES, { description: 'instant, daily (default), weekly (Mondays) or off' }),
  sendHour: Type.Integer({ minimum: 0, maximum: 23, description: 'Default 8' }),
  timeZone: Type.String({ minLength: 1, maxLength: 64, description: 'Default Asia/Seoul' }),
  maxItems: Type.Integer({ minimum: 1, maximum: 200, description: 'Default 20' }),
};
const CreateBody = Type.Object(
  {
    name: Type.Optional(fields.name),
    email: fields.email,
    language: Type.Optional(fields.language),
    cadence: Type.Optional(fields.cadence),
    sendHour: Type.Optional(fields.sendHour),
    timeZone: Type.Optional(fields.timeZone),
    maxItems: Type.Optional(fields.maxItems),
  },
  { additionalProperties: false },
);
const PatchBody = Type.Object(
  {
    name: Type.Optional(fields.name),
    email: Type.Optional(fields.email),
    language: Type.Optional(fields.language),
    cadence: Type.Optional(fields.cadence),
    sendHour: Type.Optional(fields.sendHour),
    timeZone: Type.Optional(fields.timeZone),
    maxItems: Type.Optional(fields.maxItems),
  },
  { additionalProperties: false },
);

const FirmParams = Type.Object({ id: Type.String({ pattern: FIRM_ID_PATTERN }) });
const RecipientParams = Type.Object({ id: Type.String({ pattern: FIRM_ID_PATTERN }), recipientId: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) });
const TokenParams = Type.Object({ token: Type.String({ maxLength: 200 }) });
const HtmlPage = Type.String({ description: 'A short HTML page in the recipient’s language' });


function unsubscribedPage(lang: Language, email: string, firm: string): string {
  const s = STRINGS[lang];
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${esc(s.unsubscribedTitle)}</title></head>
<body style="font-family:sans-serif;max-width:32em;margin:3em auto"><h1>${esc(s.unsubscribedTitle)}</h1><p>${esc(s.unsubscribedBody(email, firm))}</p></body></html>`;
}

export const notificationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const sqlite = () => app.store.sqlite;
  const firmExists = (id: string) => {
    if (!sqlite().prepare('SELECT 1 FROM firms WHERE id = ?').get(id)) throw new HttpProblem(404, `firm ${id} not found`);
  };

  app.get(
    '/firms/:id/recipients',
    { schema: { tags: TAGS, summary: "The firm's email recipients. Roles: all (a firm key: its own)", params: FirmParams, response: { 200: Type.Object({ items: Type.Array(RecipientSchema) }), ...E } } },
    async (req) => {
      firmScope(req, req.params.id);
      firmExists(req.params.id);
      return { items: listRecipients(sqlite(), req.params.id) };
    },
  );

  app.post(
    '/firms/:id/recipients',
    {
      schema: {
        tags: TAGS,
        summary: 'Add an email recipient: language, cadence, local send hour and time zone, items per digest. Roles: all (a firm key: its own)',
        params: FirmParams,
        body: CreateBody,
        response: { 201: RecipientSchema, ...E, 409: errorResponses[404] },
      },
    },
    async (req, reply) => {
      firmScope(req, req.params.id);
      return reply.status(201).send(createRecipient(sqlite(), req.params.id, req.body));
    },
  );

  app.patch(
    '/firms/:id/recipients/:recipientId',
    {
      schema: {
        tags: TAGS,
        summary: 'Change a recipient (cadence off stops their emails). Roles: all (a firm key: its own)',
        params: RecipientParams,
        body: PatchBody,
        response: { 200: RecipientSchema, ...E, 409: errorResponses[404] },
      },
    },
    async (req) => {
      firmScope(req, req.params.id);
      const r = updateRecipient(sqlite(), req.params.id, req.params.recipientId, req.body);
      if (!r) throw new HttpProblem(404, `recipient ${req.params.recipientId} not found`);
      return r;
    },
  );

  app.delete(
    '/firms/:id/recipients/:recipientId',
    { schema: { tags: TAGS, summary: 'Remove a recipient and their send log. Roles: all (a firm key: its own)', params: RecipientParams, response: { 204: Type.Null(), ...E } } },
    async (req, reply) => {
      firmScope(req, req.params.id);
      if (!deleteRecipient(sqlite(), req.params.id, req.params.recipientId)) throw new HttpProblem(404, `recipient ${req.params.recipientId} not found`);
      return reply.status(204).send(null);
    },
  );

  // ------------------------------------------------------------------ unsubscribe (no key: the signed token is the credential)
  // RFC 8058: the one-click POST carries `List-Unsubscribe=One-Click` as a form; its content does not matter.
  const ignoreBody = (_req: unknown, _body: string | Buffer, done: (err: null, body: undefined) => void) => done(null, undefined);
  app.addContentTypeParser(['application/x-www-form-urlencoded', 'multipart/form-data'], { parseAs: 'string', bodyLimit: 4096 }, ignoreBody);

  const unsubscribe = (token: string) => {
    const secret = unsubscribeSecret(sqlite(), app.config);
    const id = verifyUnsubscribe(secret, token, (rid) => getRecipientRow(sqlite(), rid)?.email ?? null);
    if (id === null) throw new HttpProblem(404, 'this unsubscribe link is not valid (it may be for an address that has changed)');
    unsubscribeRecipient(sqlite(), id);
    const r = getRecipientRow(sqlite(), id)!;
    const firm = (sqlite().prepare('SELECT name FROM firms WHERE id = ?').get(r.firmId) as { name: string } | undefined)?.name ?? r.firmId;
    return unsubscribedPage(r.language, r.email, firm);
  };
  const unsubscribeSchema = (summary: string) => ({ tags: TAGS, security: [], summary, params: TokenParams, response: { 200: HtmlPage, ...E } });

  app.get(
    '/unsubscribe/:token',
    { config: { auth: 'public' }, schema: unsubscribeSchema('Unsubscribe link of an email: turns that recipient’s emails off and shows a page in their language (no key)') },
    async (req, reply) => reply.type('text/html; charset=utf-8').send(unsubscribe(req.params.token)),
  );
  app.post(
    '/unsubscribe/:token',
    { config: { auth: 'public' }, schema: unsubscribeSchema('One-click unsubscribe (RFC 8058, List-Unsubscribe-Post) (no key)') },
    async (req, reply) => reply.type('text/html; charset=utf-8').send(unsubscribe(req.params.token)),
  );
};
