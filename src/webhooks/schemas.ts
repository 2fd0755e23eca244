/**
 * Schemas of the webhook routes, and the JSON Schemas of the event payloads (version 1), which
 * are registered with `$id`s so they appear in the OpenAPI document's components. Payload
 * version 1 only grows: fields may be added, none removed or changed; a breaking change would
 * be a new event type.
 */
import { Type } from 'typebox';
import { Nullable } from '../schemas.js';

/** For bodies: null first, or the app's type coercion would turn a null into "" before the union sees it. */
const NullOr = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([Type.Null(), t]);

export const EventTypeSchema = Type.Union(
  [
    Type.Literal('alert.created'),
    Type.Literal('alert.updated'),
    Type.Literal('alert.cancelled'),
    Type.Literal('tender.published'),
    Type.Literal('pursuit.stage_changed'),
    Type.Literal('pursuit.award_linked'),
  ],
  { description: 'tender.published goes to adviser-level endpoints only' },
);

export const ENDPOINT_ID_PATTERN = '^wh_[0-9a-f]{24}$';

export const EndpointSchema = Type.Object({
  id: Type.String({ description: 'wh_…' }),
  firmId: Nullable(Type.String({ description: 'null: an adviser-level endpoint (events of every firm, and tender.published)' })),
  url: Type.String(),
  eventTypes: Type.Array(EventTypeSchema),
  description: Nullable(Type.String()),
  enabled: Type.Boolean(),
  disabledReason: Nullable(Type.String({ description: 'Why the endpoint was disabled: 410 Gone, failing for more than 3 days, or by hand' })),
  failingSince: Nullable(Type.String({ description: 'First failed attempt since the last success' })),
  previousSecretExpiresAt: Nullable(Type.String({ description: 'While set, the secret before the last rotation also signs' })),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const CreatedEndpointSchema = Type.Object({
  ...EndpointSchema.properties,
  secret: Type.String({ description: 'whsec_… signing secret: shown this once, never again' }),
});

const Url = Type.String({ minLength: 1, maxLength: 2048, description: 'https (http only where configured); checked against private addresses' });
const Description = NullOr(Type.String({ maxLength: 500 }));
const EventTypes = Type.Array(EventTypeSchema, { minItems: 1, maxItems: 6, uniqueItems: true });

export const CreateEndpointBody = Type.Object(
  {
    url: Url,
    eventTypes: EventTypes,
    description: Type.Optional(Description),
    enabled: Type.Optional(Type.Boolean({ default: true })),
    firmId: Type.Optional(NullOr(Type.String({ maxLength: 64, description: 'Advisers and admins: the firm (null or absent = adviser-level). A firm key: its own firm' }))),
  },
  { additionalProperties: false },
);

export const PatchEndpointBody = Type.Object(
  { url: Type.Optional(Url), eventTypes: Type.Optional(EventTypes), description: Type.Optional(Description), enabled: Type.Optional(Type.Boolean()) },
  { additionalProperties: false, minProperties: 1 },
);

export const EndpointParams = Type.Object({ id: Type.String({ pattern: ENDPOINT_ID_PATTERN }) });

export const DeliveryStatusSchema = Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed'), Type.Literal('dead')], {
  description: 'pending: not tried yet; failed: a retry is scheduled at nextAttemptAt; delivered; dead: gave up after the last attempt',
});

export const DeliverySchema = Type.Object({
  id: Type.Integer(),
  endpointId: Type.String(),
  eventId: Type.String({ description: 'The webhook-id header' }),
  eventType: Type.String(),
  status: DeliveryStatusSchema,
  attempts: Type.Integer(),
  nextAttemptAt: Nullable(Type.String()),
  lastStatusCode: Nullable(Type.Integer()),
  lastError: Nullable(Type.String()),
  lastLatencyMs: Nullable(Type.Integer()),
  createdAt: Type.String(),
  deliveredAt: Nullable(Type.String()),
  payload: Type.Unknown({ description: 'The body as sent: see the Webhook* schemas' }),
  log: Type.Array(
    Type.Object({
      at: Type.String(),
      statusCode: Nullable(Type.Integer()),
      error: Nullable(Type.String()),
      latencyMs: Type.Integer(),
      responseBody: Nullable(Type.String({ description: 'The first 4 KB of the answer' })),
    }),
  ),
});

export const PingResultSchema = Type.Object({
  deliveryId: Type.Integer(),
  eventId: Type.String(),
  delivered: Type.Boolean(),
  statusCode: Nullable(Type.Integer()),
  error: Nullable(Type.String()),
  latencyMs: Type.Integer(),
});

// ------------------------------------------------------------------ event payloads (v1)

const Timestamp = Type.String({ format: 'date-time', description: 'When the event happened (UTC)' });

const AlertTender = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  url: Nullable(Type.String()),
  deadlineAt: Nullable(Type.String({ description: 'UTC' })),
  source: Type.String(),
  reference: Nullable(Type.String()),
});

const AlertData = {
  alertId: Type.Integer(),
  firmId: Type.String(),
  tender: AlertTender,
  score: Type.Number(),
  note: Nullable(Type.String({ description: "The adviser's note" })),
};

const AlertChange = Type.Object({
  kind: Type.Union([Type.Literal('amended'), Type.Literal('deadline_moved'), Type.Literal('cancelled')]),
  at: Type.String(),
  tenderId: Type.Integer(),
  version: Type.Integer(),
  changes: Type.Record(Type.String(), Type.Object({ from: Type.Unknown(), to: Type.Unknown() }), { description: 'Changed fields, each with from and to' }),
});

const Money = (amount: string) => Type.Object({ [amount]: Type.Number(), currency: Type.String({ description: 'ISO 4217' }) });

const PursuitData = {
  pursuitId: Type.Integer(),
  alertId: Type.Integer(),
  firmId: Type.String(),
  tender: AlertTender,
  from: Nullable(Type.String({ description: 'The stage before; null when the pursuit started' })),
  to: Type.String({ description: 'interested | preparing | submitted | won | lost | abandoned | no_bid' }),
  correction: Type.Boolean({ description: 'A step back, a move out of a final stage, or a fix of the figures' }),
  note: Nullable(Type.String()),
  reason: Nullable(Type.String({ description: 'Why it was lost, abandoned or not bid' })),
  bid: Nullable(Type.Object({ ...Money('amount').properties, submittedOn: Type.String({ format: 'date' }) })),
  contract: Nullable(Type.Object({ ...Money('value').properties, awardedOn: Type.String({ format: 'date' }) })),
  awardNotice: Nullable(Type.Object({ tenderId: Type.Integer(), title: Type.String(), url: Nullable(Type.String()), linkedAt: Type.String() })),
  actor: Type.Object({ role: Type.String({ description: 'admin | adviser | firm | system' }) }),
};

const envelope = (type: string, id: string, description: string, data: ReturnType<typeof Type.Object>) => ({
  type,
  id,
  description,
  schema: Type.Object({ type: Type.Literal(type), timestamp: Timestamp, data }, { $id: id, title: `${type} (v1)`, description }),
});

/** Each event type with its payload schema; `schema` has an `$id` for `app.addSchema`. */
export const EVENT_PAYLOADS = [
  envelope('alert.created', 'WebhookAlertCreated', 'A tender was published to the firm as an alert.', Type.Object(AlertData)),
  envelope('alert.updated', 'WebhookAlertUpdated', "An alert's tender was amended or its deadline moved.", Type.Object({ ...AlertData, change: AlertChange })),
  envelope('alert.cancelled', 'WebhookAlertCancelled', "An alert's tender was cancelled.", Type.Object({ ...AlertData, change: AlertChange })),
  envelope(
    'tender.published',
    'WebhookTenderPublished',
    'A new tender (adviser-level endpoints only).',
    Type.Object({
      tender: Type.Object({
        id: Type.Integer(),
        source: Type.String(),
        source_id: Type.String(),
        title: Type.String(),
        url: Nullable(Type.String()),
        deadline_at: Nullable(Type.String()),
        countries: Type.Array(Type.String()),
      }),
    }),
  ),
  envelope('pursuit.stage_changed', 'WebhookPursuitStageChanged', "A pursuit of one of the firm's alerts moved stage (a correction is flagged).", Type.Object(PursuitData)),
  envelope('pursuit.award_linked', 'WebhookPursuitAwardLinked', "The tender's award notice was ingested and linked to the firm's pursuit (by reference).", Type.Object(PursuitData)),
  envelope('webhook.ping', 'WebhookPing', 'Sent by POST /webhooks/{id}/ping to test an endpoint.', Type.Object({ endpointId: Type.String(), message: Type.String() })),
];

export const EventTypeInfoSchema = Type.Object({
  type: Type.String(),
  description: Type.String(),
  firmEndpoints: Type.Boolean({ description: 'Whether firm endpoints may subscribe (adviser-level endpoints get every type)' }),
  version: Type.Integer(),
  schema: Type.Unknown({ description: 'The JSON Schema of the payload (also in this document\'s components, titled "<type> (v1)")' }),
});
