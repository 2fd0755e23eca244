/**
 * A firm's matching profile: what it sells, where, and which notices it wants.
 * The JSON form is a superset of the profile format of `shared/eval/firms.json`.
 */
import { Type, type Static } from 'typebox';
import { CATEGORIES, NOTICE_TYPES } from '../../scrapers/contract.js';
import { Nullable } from '../schemas.js';

export const UNKNOWN_VALUE_POLICIES = ['include', 'exclude'] as const;

export const FirmProfileSchema = Type.Object(
  {
    keywords: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 200, default: [] }),
    keywordsKo: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 200, default: [] }),
    excludeKeywords: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 100, default: [] }),
    /** UNSPSC codes or prefixes: 2 (segment), 4 (family), 6 (class) or 8 (commodity) digits. */
    unspsc: Type.Array(Type.String({ pattern: '^(\\d{2}|\\d{4}|\\d{6}|\\d{8})$' }), { maxItems: 200, default: [] }),
    /** ISO 3166-1 alpha-2 codes or region names (see src/firms/regions.ts); [] = anywhere. */
    countries: Type.Array(Type.String({ minLength: 2, maxLength: 40 }), { maxItems: 250, default: [] }),
    minValueUsd: Nullable(Type.Number({ minimum: 0, default: null })),
    maxValueUsd: Nullable(Type.Number({ minimum: 0, default: null })),
    /** What to do with tenders that state no value: keep them (default) or drop them. */
    unknownValuePolicy: Type.Enum(UNKNOWN_VALUE_POLICIES, { default: 'include' }),
    /** [] = every notice type. */
    noticeTypes: Type.Array(Type.Enum(NOTICE_TYPES), { default: [] }),
    /** [] = every category. */
    categories: Type.Array(Type.Enum(CATEGORIES), { default: [] }),
    minDaysToDeadline: Type.Integer({ minimum: 0, maximum: 365, default: 0 }),
  },
  { additionalProperties: false },
);

export type FirmProfile = Static<typeof FirmProfileSchema>;

export function emptyProfile(): FirmProfile {
  return {
    keywords: [],
    keywordsKo: [],
    excludeKeywords: [],
    unspsc: [],
    countries: [],
    minValueUsd: null,
    maxValueUsd: null,
    unknownValuePolicy: 'include',
    noticeTypes: [],
    categories: [],
    minDaysToDeadline: 0,
  };
}
