/**
 * African Development Bank procurement notices: the Drupal RSS feeds (SOURCES.md §5, R10).
 *
 * `GET {base}/en/projects-and-operations/procurement/resources-for-businesses/specific-procurement-notices-spns/rss.xml`
 * and `…/general-procurement-notices-gpns/rss.xml` (neither verified live). One RawNotice per
 * `<item>`: `{"feed": <feed URL>, "item": <the item's XML as received>}` (the feed says whether
 * it is a specific or a general notice when the title does not).
 *
 * Access: R7 reports that afdb.org answers 403 to non-browser clients (a WAF). We identify
 * ourselves and never imitate a browser (SOURCES.md "Decisions"), so a 403 ends the run as a
 * problem; the same notices reach us through UNGM (AfDB is agency 84 there, R3), which the
 * UNGM source reads with an agency list.
 *
 * Also here, shared with the ADB source: the RSS item reader and the deadline finder.
 * Decisions: detail pages are not fetched (same WAF; the description carries the text);
 * the deadline comes from the description (`deadline` / `closing date` / `date limite` …
 * followed by a written date), with the time and zone when the text gives them.
 */
import { XMLParser } from 'fast-xml-parser';
import { DateTime } from 'luxon';
import type {
  DeadlineInput,
  FetchProblem,
  NoticeType,
  ParseOutcome,
  RawNotice,
  ScrapeContext,
  SourceDefinition,
  TenderInput,
} from './contract.js';
import { neverThrows } from './contract.js';
import { HttpError } from './http-client.js';
import {
  categoryFromLabel,
  cleanOrNull,
  cleanText,
  findZoneInText,
  htmlToPlainText,
  isNonCountry,
  mapNoticeType,
  parseClockTime,
  parseWrittenDate,
  toCountryCode,
  tryMakeDeadline,
} from '../src/ingest/normalize.js';

// ---------------------------------------------------------------------------------------------
// RSS mechanics (shared with adb.ts)
// ---------------------------------------------------------------------------------------------

export interface RssItem {
  title: string | null;
  link: string | null;
  /** The description as published (HTML). */
  descriptionHtml: string | null;
  pubDate: string | null;
  guid: string | null;
  creator: string | null;
}

/** The `<item>` elements of a feed, each sliced exactly as received (CDATA and comments skipped over). */
export function sliceRssItems(xml: string): string[] {
  const items: string[] = [];
  const open = /<item[\s>]/g;
  let m: RegExpExecArray | null;
  while ((m = open.exec(xml)) !== null) {
    const start = m.index;
    let i = start + m[0].length;
    let end = -1;
    while (i < xml.length) {
      if (xml.startsWith('<![CDATA[', i)) {
        const close = xml.indexOf(']]>', i + 9);
        i = close < 0 ? xml.length : close + 3;
      } else if (xml.startsWith('<!--', i)) {
        const close = xml.indexOf('-->', i + 4);
        i = close < 0 ? xml.length : close + 3;
      } else if (xml.startsWith('</item>', i)) {
        end = i + 7;
        break;
      } else {
        i++;
      }
    }
    if (end < 0) break;
    items.push(xml.slice(start, end));
    open.lastIndex = end;
  }
  return items;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  textNodeName: '#text',
  // Keep every value a string: a numeric guid must not become a number.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  cdataPropName: false,
  processEntities: true,
  htmlEntities: false,
});

function textOf(v: unknown): string | null {
  if (typeof v === 'string') return v.trim() === '' ? null : v.trim();
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return textOf(v[0]);
  if (typeof v === 'object' && v !== null) return textOf((v as Record<string, unknown>)['#text']);
  return null;
}

/** One `<item>`'s fields; throws on XML that is not an item (callers wrap it). */
export function readRssItem(itemXml: string): RssItem {
  if (/<!DOCTYPE|<!ENTITY/i.test(itemXml)) throw new Error('item XML declares a DOCTYPE or entities: refused');
  const doc = parser.parse(itemXml, true) as Record<string, unknown>;
  const item = doc.item;
  if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new Error('no <item> element');
  const get = (name: string): string | null => textOf((item as Record<string, unknown>)[name]);
  return {
    title: get('title'),
    link: get('link'),
    descriptionHtml: get('description') ?? get('content:encoded'),
    pubDate: get('pubDate') ?? get('dc:date'),
    guid: get('guid'),
    creator: get('dc:creator'),
  };
}

/** RFC 822 `Tue, 06 Oct 2026 09:12:45 +0000` (or ISO) → UTC instant; null when unreadable. */
export function rssDate(s: string | null): string | null {
  if (!s) return null;
  let dt = DateTime.fromRFC2822(s.trim(), { zone: 'UTC' });
  if (!dt.isValid) dt = DateTime.fromISO(s.trim(), { zone: 'UTC' });
  return dt.isValid ? dt.toUTC().toISO() : null;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Reads each feed in turn and yields its items as `{feed, item}` envelopes. A 403 ends the run
 * with a problem naming `fallback`; other failures skip to the next feed.
 */
export async function* fetchRssFeeds(ctx: ScrapeContext, feeds: string[], fallback: string): AsyncGenerator<RawNotice | FetchProblem> {
  const seen = new Set<string>();
  for (const [index, url] of feeds.entries()) {
    if (ctx.signal?.aborted) return;
    let xml: string;
    try {
      xml = await ctx.http.getText(url, { signal: ctx.signal, headers: { Accept: 'application/rss+xml, application/xml;q=0.9, text/xml;q=0.8' } });
    } catch (err) {
      if (ctx.signal?.aborted) return;
      if (err instanceof HttpError && err.status === 403) {
        yield { kind: 'problem', message: `feed refused with HTTP 403 (the site is reported to block non-browser clients): ${fallback}`, url };
        return;
      }
      yield { kind: 'problem', message: `feed failed: ${message(err)}`, url };
      continue;
    }
    if (!/<rss[\s>]|<channel[\s>]/i.test(xml.slice(0, 5000))) {
      yield { kind: 'problem', message: `not an RSS feed ("${xml.slice(0, 80).replace(/\s+/g, ' ')}"): ${fallback}`, url };
      continue;
    }
    const items = sliceRssItems(xml);
    ctx.onPage?.({ page: index + 1, items: items.length });
    const fetchedAt = new Date().toISOString();
    for (const [i, itemXml] of items.entries()) {
      let item: RssItem;
      try {
        item = readRssItem(itemXml);
      } catch (err) {
        yield { kind: 'problem', message: `item ${i + 1} unreadable: ${message(err)}`, url };
        continue;
      }
      const sourceId = item.guid ?? item.link;
      if (!sourceId) {
        yield { kind: 'problem', message: `item ${i + 1} has neither guid nor link: skipped`, url };
        continue;
      }
      // A notice listed in both feeds is one notice.
      if (seen.has(sourceId)) continue;
      seen.add(sourceId);
      yield { sourceId, payload: JSON.stringify({ feed: url, item: itemXml }), contentType: 'application/xml', url: item.link, fetchedAt };
    }
    if (ctx.sample) return;
  }
}

/** The `{feed, item}` envelope of a stored payload, read. */
export function readEnvelope(payload: string): { feed: string | null; item: RssItem } | { error: string } {
  let envelope: unknown;
  try {
    envelope = JSON.parse(payload);
  } catch {
    return { error: 'payload is not the {feed, item} JSON envelope' };
  }
  const itemXml = (envelope as { item?: unknown } | null)?.item;
  const feed = (envelope as { feed?: unknown } | null)?.feed;
  if (typeof itemXml !== 'string') return { error: 'envelope has no "item" XML' };
  try {
    return { feed: typeof feed === 'string' ? feed : null, item: readRssItem(itemXml) };
  } catch (err) {
    return { error: `item XML unreadable: ${message(err)}` };
  }
}

// Day-first or month-first written dates (English and French month names), optional weekday.
const WRITTEN_DATE =
  /(?:(?:[A-Za-zé]+day|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche),?\s+)?(?:\d{1,2}(?:st|nd|rd|th|er)?\s+(?:de\s+)?[A-Za-zéû]{3,10}\.?,?\s+(?:de\s+)?\d{4}|[A-Za-z]{3,10}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s*\d{4})/;
const DEADLINE_LABEL =
  /(?:deadline|closing\s+date|submission\s+date|date\s+limite|date\s+de\s+cl[ôo]ture|fecha\s+l[íi]mite)[^.\n]{0,80}?/i;
const TIME_AFTER = /^[\s,]*(?:at|à|a\s+las|by|before|avant)?\s*(\d{1,2}\s*(?:[:.h]\s*\d{2})?\s*(?:[ap]\.?\s*m\.?)?)(?!\d)/i;

/**
 * The deadline a notice text gives: a deadline label, then within the sentence a written
 * date (`15 October 2026`, `15 octobre 2026`, `October 15, 2026`), then optionally a time
 * (`at 10:00`, `à 15h00`) whose zone findZoneInText reads; without a time, 23:59; without a
 * zone, zone unknown. Null when no labelled date is found.
 */
export function findDeadlineInText(text: string, countryCode: string | null): DeadlineInput | null {
  const re = new RegExp(DEADLINE_LABEL.source + `(${WRITTEN_DATE.source})`, 'gi');
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const written = m[1]!;
    const day = parseWrittenDate(written);
    if (!day) continue;
    const after = text.slice(m.index + m[0].length, m.index + m[0].length + 120);
    const t = TIME_AFTER.exec(after);
    const time = t ? parseClockTime(t[1]!.replace(/\s+/g, '')) : null;
    let zone: string | null = null;
    // raw: the text as shown, from the date to the end of the time (and of its zone, if any).
    let end = 0;
    if (time) {
      end = t![0].length;
      const phrase = after.slice(0, end + 60);
      const found = findZoneInText(phrase, { time, countryCode });
      zone = found.zone;
      if (found.matched) {
        end = phrase.indexOf(found.matched) + found.matched.length;
        if (phrase[end] === ')' && phrase.lastIndexOf('(', end) > phrase.lastIndexOf(')', end - 1)) end++;
      }
    }
    const raw = cleanText(`${written}${after.slice(0, end)}`);
    const deadline = tryMakeDeadline(raw, `${day}T${time ?? '23:59'}`, zone);
    if (deadline) return deadline;
  }
  return null;
}

/** A problem when the text speaks of a deadline but no date could be read from it; else null. */
export function deadlineProblem(text: string, deadline: DeadlineInput | null): string | null {
  if (deadline) return null;
  const m = /(deadline|closing date|date limite|date de cl[ôo]ture)[^\n]{0,60}/i.exec(text);
  return m ? `deadline mentioned but no date read: "${cleanText(m[0])}"` : null;
}

/** A crude language guess for feed texts: French vs English function words; null when unsure. */
/** Published date, deadline and link, the parts of an item AfDB's and ADB's feeds share; problems noted. */
export function readItemBasics(item: RssItem, text: string, country: string | null, base: string, fallbackUrl: string | null, problems: string[]) {
  const publishedAt = rssDate(item.pubDate);
  if (!publishedAt) problems.push(item.pubDate ? `pubDate unreadable: "${item.pubDate}"` : 'pubDate missing');
  const deadline = findDeadlineInText(text, country);
  const unread = deadlineProblem(text, deadline);
  if (unread) problems.push(unread);
  let url: string | null = null;
  try {
    url = item.link ? new URL(item.link, base).toString() : fallbackUrl;
  } catch {
    problems.push(`link unreadable: "${item.link}"`);
  }
  return { publishedAt, deadline, url };
}

export function guessLanguage(text: string): 'en' | 'fr' | null {
  const words = text.toLowerCase().match(/[a-zàâçéèêëîïôûùüÿœ']+/g) ?? [];
  let fr = 0;
  let en = 0;
  for (const w of words) {
    if (/^(le|la|les|des|du|de|et|pour|avis|marché|marchés|projet|d'|l'|aux|une|sur)$/.test(w)) fr++;
    else if (/^(the|and|of|for|to|notice|project|procurement|with|on|is|are)$/.test(w)) en++;
  }
  if (fr + en < 3) return null;
  return fr > en ? 'fr' : en > fr ? 'en' : null;
}

/** The `Country - …` / `Country : …` prefix of a title, or null. */
export function titlePrefix(title: string): string | null {
  return /^\s*([^\-–—:|]{2,60}?)\s*[-–—:|]\s+/.exec(title)?.[1] ?? null;
}

/** A `Country - …` title prefix → alpha-2; null for none, unknown names and `Multinational`-style prefixes. */
export function countryFromTitlePrefix(title: string): string | null {
  const prefix = titlePrefix(title);
  if (!prefix || isNonCountry(prefix)) return null;
  return toCountryCode(prefix);
}

/** A `Country: …` / `Pays : …` line in a notice text → alpha-2, or null. */
export function countryFromLabel(text: string): string | null {
  const m = /(?:^|\n|\s)(?:country|pays|pa[íi]s)\s*:\s*([^\n;,.]{2,60})/i.exec(text);
  return m ? toCountryCode(m[1]!.trim()) : null;
}

// ---------------------------------------------------------------------------------------------
// AfDB
// ---------------------------------------------------------------------------------------------

const DEFAULT_BASE = 'https://www.afdb.org';
const FEED_PATHS = [
  '/en/projects-and-operations/procurement/resources-for-businesses/specific-procurement-notices-spns/rss.xml',
  '/en/projects-and-operations/procurement/resources-for-businesses/general-procurement-notices-gpns/rss.xml',
];
const AFDB_FALLBACK = 'AfDB notices are also read from UNGM (agency 84) by the UNGM source';

export function afdbFeedUrls(baseUrl: string): string[] {
  return FEED_PATHS.map((path) => `${baseUrl}${path}`);
}

/** The feed an item came from: its label and notice type. */
function feedKind(feed: string | null): { label: string; type: NoticeType } | null {
  if (!feed) return null;
  if (/general-procurement-notices/i.test(feed)) return { label: 'General Procurement Notice', type: 'general_procurement_notice' };
  if (/specific-procurement-notices/i.test(feed)) return { label: 'Specific Procurement Notice', type: 'invitation_to_bid' };
  return null;
}

function parseAfdbItem(raw: RawNotice): ParseOutcome {
  const problems: string[] = [];
  const read = readEnvelope(raw.payload);
  if ('error' in read) return { notice: null, problems: [read.error] };
  const { item, feed } = read;
  const sourceId = item.guid ?? item.link ?? raw.sourceId;
  if (!sourceId) return { notice: null, problems: ['item has neither guid nor link'] };
  let title = cleanOrNull(item.title);
  const text = htmlToPlainText(item.descriptionHtml);
  if (!title) {
    problems.push('title missing');
    title = text.split('\n')[0]?.slice(0, 200) || sourceId;
  }

  let noticeType = mapNoticeType(title);
  if (noticeType === 'other') noticeType = mapNoticeType(text.slice(0, 400));
  if (noticeType === 'other') noticeType = feedKind(feed)?.type ?? 'other';
  if (noticeType === 'other') problems.push('notice type not found in the title, text or feed');

  const country = countryFromTitlePrefix(title) ?? countryFromLabel(text);
  const prefix = titlePrefix(title);
  // `Multinational - …` notices have no single country: [] without a problem.
  if (!country && !(prefix && isNonCountry(prefix))) problems.push('country not found in the title prefix or a "Country:" line');

  const { publishedAt, deadline, url } = readItemBasics(item, text, country, DEFAULT_BASE, raw.url, problems);

  const notice: TenderInput = {
    sourceId,
    reference: null,
    title,
    description: text || null,
    buyer: null,
    countries: country ? [country] : [],
    noticeType,
    noticeTypeLabel: feedKind(feed)?.label ?? null,
    procurementMethod: null,
    category: categoryFromLabel(title),
    unspsc: [],
    publishedAt,
    deadline,
    status: noticeType === 'contract_award' ? 'awarded' : noticeType === 'cancellation' ? 'cancelled' : null,
    value: null,
    language: guessLanguage(`${title}\n${text}`),
    url,
    projectId: /\bP-[A-Z]{2}-[A-Z0-9]{3}-\d{3}\b/.exec(`${title} ${text}`)?.[0] ?? null,
    identifiers: item.creator ? { creator: cleanText(item.creator) } : {},
  };
  return { notice, problems };
}

export const afdb: SourceDefinition = {
  id: 'afdb',
  name: 'African Development Bank procurement notices (RSS)',
  defaultBaseUrl: DEFAULT_BASE,
  schedule: '25 6,18 * * *',
  politeness: {
    // No published terms for the feeds were found. R7 reports HTTP 403 to non-browser clients
    // (a WAF): we do not work around it; a 403 ends the run as a problem and the notices come
    // through UNGM agency 84 instead. Two requests a run, 5 s apart; robots.txt honoured.
    minIntervalMs: 5000,
    robots: true,
  },
  status: { supported: true },
  parserVersion: 1,
  fetch: (ctx) => fetchRssFeeds(ctx, afdbFeedUrls(ctx.baseUrl), AFDB_FALLBACK),
  parse: neverThrows(parseAfdbItem),
};
