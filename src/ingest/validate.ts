/**
 * The edge check between a parser and the store: a parser bug must not write a malformed tender.
 */
import { CATEGORIES, NOTICE_TYPES, TENDER_STATUSES, type TenderInput } from '../../scrapers/contract.js';

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
const COUNTRY = /^[A-Z]{2}$/;
const CURRENCY = /^[A-Z]{3}$/;
const UNSPSC = /^\d{2,8}$/;

/** Returns the problems that make the notice unstorable; [] when it is fine. */
export function validateTenderInput(n: TenderInput): string[] {
  const errors: string[] = [];
  if (typeof n.sourceId !== 'string' || n.sourceId.trim() === '') errors.push('sourceId is empty');
  if (typeof n.title !== 'string' || n.title.trim() === '') errors.push('title is empty');
  if (!NOTICE_TYPES.includes(n.noticeType)) errors.push(`noticeType "${String(n.noticeType)}" is not in the vocabulary`);
  if (n.category !== null && !CATEGORIES.includes(n.category)) errors.push(`category "${String(n.category)}" is not known`);
  if (n.status !== null && !TENDER_STATUSES.includes(n.status)) errors.push(`status "${String(n.status)}" is not known`);
  if (!Array.isArray(n.countries) || n.countries.some((c) => !COUNTRY.test(c))) errors.push(`countries must be ISO 3166-1 alpha-2: ${JSON.stringify(n.countries)}`);
  if (!Array.isArray(n.unspsc) || n.unspsc.some((c) => !UNSPSC.test(c))) errors.push(`unspsc codes must be 2-8 digits: ${JSON.stringify(n.unspsc)}`);
  if (n.publishedAt !== null && !ISO_INSTANT.test(n.publishedAt)) errors.push(`publishedAt is not a UTC instant: ${n.publishedAt}`);
  if (n.deadline !== null) {
    if (!ISO_INSTANT.test(n.deadline.at)) errors.push(`deadline.at is not a UTC instant: ${n.deadline.at}`);
    if (typeof n.deadline.raw !== 'string') errors.push('deadline.raw is missing');
  }
  if (n.value !== null) {
    if (!Number.isFinite(n.value.amount) || n.value.amount < 0) errors.push(`value.amount is not a positive number: ${n.value.amount}`);
    if (!CURRENCY.test(n.value.currency)) errors.push(`value.currency is not ISO 4217: ${n.value.currency}`);
  }
  if (n.url !== null) {
    try {
      const u = new URL(n.url);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') errors.push(`url is not http(s): ${n.url}`);
    } catch {
      errors.push(`url is not a URL: ${n.url}`);
    }
  }
  return errors;
}
