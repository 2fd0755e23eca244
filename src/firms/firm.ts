/**
 * A firm as the API and the importer take it: identity, G-Pass designation, contact and the
 * matching profile, flat (the profile fields are those of shared/eval/firms.json, plus ours).
 * Validation returns every problem with its field, so an import can report by row and field.
 */
import countries from 'i18n-iso-countries';
import { Type, type Static } from 'typebox';
import { Nullable } from '../schemas.js';
import { Value } from 'typebox/value';
import { FirmProfileSchema, emptyProfile, type FirmProfile } from './profile.js';
import { isRegion } from './regions.js';

export const FIRM_ID_PATTERN = '^[a-z0-9][a-z0-9_-]{0,63}$';

/** A firm's industry, for pipeline reports: the sectors of the matching glossary (src/matching/glossary/). */
export const SECTORS = ['agriculture', 'construction', 'education', 'energy', 'environment', 'goods', 'ict', 'medical', 'security', 'services', 'transport', 'water'] as const;
export type Sector = (typeof SECTORS)[number];


export const FirmInputSchema = Type.Object(
  {
    id: Type.Optional(Type.String({ pattern: FIRM_ID_PATTERN, description: 'Slug; generated from the name when omitted' })),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    nameKo: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
    description: Type.Optional(Nullable(Type.String({ maxLength: 4000 }))),
    gpassDesignated: Type.Optional(Type.Boolean()),
    gpassExpiresAt: Type.Optional(Nullable(Type.String({ format: 'date', description: 'yyyy-mm-dd' }))),
    gpassDesignatedOn: Type.Optional(Nullable(Type.String({ format: 'date', description: 'When the firm was designated (yyyy-mm-dd); reports group firms by its year' }))),
    sector: Type.Optional(Nullable(Type.Enum(SECTORS, { description: 'The firm’s industry; reports group and filter by it' }))),
    contactName: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
    contactEmail: Type.Optional(Nullable(Type.String({ format: 'email', maxLength: 320 }))),
    ...Type.Partial(FirmProfileSchema).properties,
  },
  {
    additionalProperties: false,
    examples: [
      {
        id: 'hanbit-solar',
        name: 'Hanbit Solar Systems Co., Ltd.',
        nameKo: '한빛솔라시스템(주)',
        gpassDesignated: true,
        gpassExpiresAt: '2027-12-31',
        gpassDesignatedOn: '2024-12-31',
        sector: 'energy',
        keywords: ['solar PV', 'mini-grid', 'solar water pumping'],
        keywordsKo: ['태양광', '미니그리드'],
        excludeKeywords: ['solar water heating'],
        countries: ['AF', 'BD', 'east-africa'],
        maxValueUsd: 10000000,
        minDaysToDeadline: 10,
      },
    ],
  },
);
export type FirmInput = Static<typeof FirmInputSchema>;

export const FirmPatchSchema = Type.Partial(Type.Omit(FirmInputSchema, ['id']), { additionalProperties: false });
export type FirmPatch = Static<typeof FirmPatchSchema>;

export interface FieldError {
  field: string;
  message: string;
}

export const PROFILE_FIELDS = Object.keys(FirmProfileSchema.properties) as (keyof FirmProfile)[];

/** Schema errors plus the checks a schema can't express (country codes, value range order). */
export function validateFirmInput(input: unknown, schema = FirmInputSchema): FieldError[] {
  const errors: FieldError[] = [];
  if (!Value.Check(schema, input)) {
    for (const e of Value.Errors(schema, input)) {
      const field = e.instancePath.replace(/^\//, '').replace(/\//g, '.') || (e.params && 'additionalProperties' in e.params ? String((e.params as { additionalProperties: unknown }).additionalProperties) : '(root)');
      errors.push({ field, message: e.message });
    }
    return dedupe(errors);
  }
  const f = input as Partial<FirmInput>;
  (f.countries ?? []).forEach((c, i) => {
    if (!isRegion(c) && !(c.length === 2 && (countries.isValid(c.toUpperCase()) || c.toUpperCase() === 'XK'))) {
      errors.push({ field: `countries.${i}`, message: `"${c}" is neither an ISO 3166-1 alpha-2 code nor a known region` });
    }
  });
  if (f.minValueUsd != null && f.maxValueUsd != null && f.minValueUsd > f.maxValueUsd) {
    errors.push({ field: 'minValueUsd', message: `must not exceed maxValueUsd (${f.maxValueUsd})` });
  }
  return errors;
}

/** One error per field: union alternatives ("must be number", "must be null") become one message. */
function dedupe(errors: FieldError[]): FieldError[] {
  const byField = new Map<string, string[]>();
  for (const e of errors) {
    if (/anyOf|oneOf/.test(e.message)) continue;
    const list = byField.get(e.field) ?? [];
    if (!list.includes(e.message)) list.push(e.message);
    byField.set(e.field, list);
  }
  for (const e of errors) if (!byField.has(e.field)) byField.set(e.field, [e.message]);
  return [...byField.entries()].map(([field, messages]) => ({
    field,
    message: messages.length > 1 && messages.every((m) => m.startsWith('must be ')) ? `must be ${messages.map((m) => m.slice(8)).join(' or ')}` : messages.join('; '),
  }));
}

export function slugify(name: string): string {
  const s = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48);
  return s || 'firm';
}

/** The profile part of an input, defaults filled in. */
export function profileOf(input: Partial<FirmInput>, base: FirmProfile = emptyProfile()): FirmProfile {
  const p: FirmProfile = { ...base };
  for (const key of PROFILE_FIELDS) {
    if (input[key] !== undefined) (p as Record<string, unknown>)[key] = input[key];
  }
  p.countries = p.countries.map((c) => (isRegion(c) ? c.toLowerCase() : c.toUpperCase()));
  return p;
}
