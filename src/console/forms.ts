/**
 * HTML form bodies (application/x-www-form-urlencoded) to the API's shapes. Forms send text:
 * lists come one per line or comma-separated, numbers as text, checkboxes only when ticked.
 * Anything that can't be read becomes a field error the page shows beside the field.
 */
import { FirmInputSchema, FirmPatchSchema, validateFirmInput, type FieldError, type FirmPatch } from '../firms/firm.js';
import { CATEGORIES, NOTICE_TYPES } from '../../scrapers/contract.js';
import { REASON_CODES, type ReasonCode } from '../alerts/service.js';

export type FormBody = Record<string, string | string[] | undefined>;

/** One value of a field (the last, if the form sent it twice). */
export const one = (b: FormBody, k: string): string | undefined => {
  const v = b[k];
  return Array.isArray(v) ? v[v.length - 1] : v;
};
export const many = (b: FormBody, k: string): string[] => {
  const v = b[k];
  return v === undefined ? [] : [v].flat();
};

const lines = (v: string | undefined) => (v ?? '').split(/\r?\n/).map((s) => s.trim()).filter(Boolean);
const commaList = (v: string | undefined) => (v ?? '').split(/[,\n]/).map((s) => s.trim()).filter(Boolean);
const orNull = (v: string | undefined) => (v === undefined || v.trim() === '' ? null : v.trim());

export const PROFILE_FORM_FIELDS = [
  'name', 'nameKo', 'gpassDesignated', 'gpassExpiresAt', 'contactName', 'contactEmail',
  'keywords', 'keywordsKo', 'excludeKeywords', 'unspsc', 'countries', 'minValueUsd', 'maxValueUsd',
  'unknownValuePolicy', 'noticeTypes', 'categories', 'minDaysToDeadline',
] as const;

/** The firm patch a profile form describes, and every problem with it by field (validated as the API does). */
export function firmPatchFromForm(b: FormBody): { patch: FirmPatch; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const num = (field: string, integer = false): number | null => {
    const raw = orNull(one(b, field));
    if (raw === null) return null;
    const n = Number(raw.replace(/[,_\s]/g, ''));
    if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) {
      errors.push({ field, message: integer ? 'must be a whole number' : 'must be a number' });
      return null;
    }
    return n;
  };
  const patch: FirmPatch = {
    name: (one(b, 'name') ?? '').trim(),
    nameKo: orNull(one(b, 'nameKo')),
    gpassDesignated: one(b, 'gpassDesignated') === 'on',
    gpassExpiresAt: orNull(one(b, 'gpassExpiresAt')),
    contactName: orNull(one(b, 'contactName')),
    contactEmail: orNull(one(b, 'contactEmail')),
    keywords: lines(one(b, 'keywords')),
    keywordsKo: lines(one(b, 'keywordsKo')),
    excludeKeywords: lines(one(b, 'excludeKeywords')),
    unspsc: commaList(one(b, 'unspsc')),
    countries: commaList(one(b, 'countries')),
    minValueUsd: num('minValueUsd'),
    maxValueUsd: num('maxValueUsd'),
    unknownValuePolicy: one(b, 'unknownValuePolicy') === 'exclude' ? 'exclude' : 'include',
    noticeTypes: many(b, 'noticeTypes') as FirmPatch['noticeTypes'],
    categories: many(b, 'categories') as FirmPatch['categories'],
    minDaysToDeadline: num('minDaysToDeadline', true) ?? 0,
  };
  const bad = errors.map((e) => e.field);
  // The schema check stops before the country and range checks; run those on their own too, so
  // the page names every problem at once.
  const schemaErrors = validateFirmInput(patch, FirmPatchSchema as unknown as typeof FirmInputSchema);
  const extra = validateFirmInput({ countries: patch.countries, minValueUsd: patch.minValueUsd, maxValueUsd: patch.maxValueUsd }, FirmPatchSchema as unknown as typeof FirmInputSchema);
  for (const e of [...schemaErrors, ...extra.filter((x) => !schemaErrors.some((s) => s.field.split('.')[0] === x.field.split('.')[0]))]) {
    const field = e.field.split('.')[0];
    if (!bad.includes(field)) errors.push({ field, message: e.field.includes('.') && !e.message.includes(describeItem(patch, e.field).slice(0, -1)) ? `${describeItem(patch, e.field)} ${friendly(field, e.message)}` : e.message });
  }
  return { patch, errors };
}

/** Schema patterns read badly on a page: say what the field takes instead. */
function friendly(field: string, message: string): string {
  if (field === 'unspsc' && message.startsWith('must match pattern')) return 'must be 2, 4, 6 or 8 digits (segment, family, class or commodity)';
  return message;
}

/** "keywords.3" → `"the value"` so the message names the bad entry, not an index. */
function describeItem(patch: FirmPatch, path: string): string {
  const [field, index] = path.split('.');
  const list = (patch as Record<string, unknown>)[field];
  const item = Array.isArray(list) ? list[Number(index)] : undefined;
  return item === undefined ? path : `"${String(item)}":`;
}

export { CATEGORIES, NOTICE_TYPES };

export function reasonOf(v: string | undefined): ReasonCode | null {
  return v && (REASON_CODES as readonly string[]).includes(v) ? (v as ReasonCode) : null;
}
