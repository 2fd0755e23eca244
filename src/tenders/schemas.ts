import { Type } from 'typebox';
import { Nullable } from '../schemas.js';
import { NOTICE_TYPES, TENDER_STATUSES } from '../../scrapers/contract.js';

const csv = (description: string, pattern?: string) =>
  Type.String({ description: `${description} (comma-separated for several)`, maxLength: 500, ...(pattern ? { pattern } : {}) });
const instant = (description: string) => Type.String({ format: 'date-time', description });

export const TenderSchema = Type.Object(
  {
    id: Type.Integer(),
    source: Type.String(),
    sourceId: Type.String(),
    clusterId: Nullable(Type.Integer()),
    reference: Nullable(Type.String()),
    title: Type.String(),
    description: Nullable(Type.String()),
    buyer: Nullable(Type.String()),
    countries: Type.Array(Type.String(), { description: 'ISO 3166-1 alpha-2' }),
    noticeType: Type.String({ description: `One of ${NOTICE_TYPES.join(', ')}` }),
    noticeTypeLabel: Nullable(Type.String({ description: "The source's own label" })),
    procurementMethod: Nullable(Type.String()),
    category: Nullable(Type.String()),
    unspsc: Type.Array(Type.String()),
    publishedAt: Nullable(Type.String()),
    deadline: Nullable(
      Type.Object({
        at: Type.String({ description: 'UTC instant' }),
        raw: Nullable(Type.String({ description: 'As the source showed it' })),
        zone: Nullable(Type.String({ description: "The source's zone (IANA name or offset)" })),
        zoneKnown: Type.Boolean({ description: 'False when the source gave no zone: `at` is then the local time read as UTC' }),
      }),
    ),
    status: Type.String({ description: `One of ${TENDER_STATUSES.join(', ')}` }),
    value: Nullable(Type.Object({ amount: Type.Number(), currency: Type.String() })),
    language: Nullable(Type.String()),
    url: Nullable(Type.String()),
    projectId: Nullable(Type.String()),
    identifiers: Type.Record(Type.String(), Type.String()),
    version: Type.Integer(),
    firstSeenAt: Type.String(),
    lastSeenAt: Type.String(),
    updatedAt: Type.String(),
  },
  { description: 'One source record of a tender' },
);

export const TenderVersionSchema = Type.Object({
  version: Type.Integer(),
  changedAt: Type.String(),
  changes: Type.Record(Type.String(), Type.Object({ from: Type.Unknown(), to: Type.Unknown() })),
});

export const TenderListQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 500, examples: ['solar pumps', 'purificateur eau', '정수기'], description: 'Full-text search (same analysis as the matcher: stems, accents, Korean bigrams); every word must match' })),
    source: Type.Optional(csv('Source id', '^[a-z0-9_-]+(,[a-z0-9_-]+)*$')),
    country: Type.Optional(csv('ISO 3166-1 alpha-2 code', '^[A-Za-z]{2}(,[A-Za-z]{2})*$')),
    status: Type.Optional(csv(`Status: ${TENDER_STATUSES.join(', ')}`, `^(${TENDER_STATUSES.join('|')})(,(${TENDER_STATUSES.join('|')}))*$`)),
    noticeType: Type.Optional(csv(`Notice type: ${NOTICE_TYPES.join(', ')}`, `^(${NOTICE_TYPES.join('|')})(,(${NOTICE_TYPES.join('|')}))*$`)),
    deadlineFrom: Type.Optional(instant('Deadline at or after (ISO 8601)')),
    deadlineTo: Type.Optional(instant('Deadline at or before (ISO 8601)')),
    publishedFrom: Type.Optional(instant('Published at or after (ISO 8601)')),
    publishedTo: Type.Optional(instant('Published at or before (ISO 8601)')),
    sort: Type.Optional(Type.Union([Type.Literal('published_desc'), Type.Literal('deadline_asc'), Type.Literal('updated_desc'), Type.Literal('relevance')], { description: 'Default: relevance with q, else published_desc' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 1000, description: 'nextCursor of the previous page' })),
  },
  { additionalProperties: false },
);

const ClusterMemberSchema = Type.Object({
  id: Type.Integer(),
  source: Type.String(),
  sourceId: Type.String(),
  reference: Nullable(Type.String()),
  url: Nullable(Type.String()),
});

/** A tender as listed: the cluster's canonical record and every source record of the cluster. */
export const TenderListItem = Type.Object({
  ...TenderSchema.properties,
  sources: Type.Array(ClusterMemberSchema, { description: 'Every source record of this tender (the same tender seen on several sources)' }),
});

export const TenderListResponse = Type.Object({
  items: Type.Array(TenderListItem),
  nextCursor: Nullable(Type.String()),
});

export const TenderDetailResponse = Type.Object({ ...TenderSchema.properties, sources: Type.Array(ClusterMemberSchema), versions: Type.Array(TenderVersionSchema) });
