/**
 * Open Contracting Data Standard packages (SOURCES.md §10): any publisher's release package
 * or record package, from an http(s) URL or a local file.
 *
 * None of the MDB/UN sources publishes OCDS (SOURCES.md §10), so this is a generic reader for
 * national publishers a deployment chooses: `createOcdsSource({ id, name, url })` per publisher,
 * plus `ocds`, which reads its package URL from `OCDS_PACKAGE_URL` when it runs.
 *
 * One RawNotice per contracting process: the release, as JSON (sourceId = `ocid`).
 *
 * Decisions:
 * - Several releases of one ocid in one package: only the latest by `date` is yielded (ties:
 *   the later one in the file). Releases are immutable versions of one process (OCDS
 *   reference), and the store upserts by sourceId, so later runs record amendments.
 * - Record packages: the embedded `compiledRelease` if present (the merged current state),
 *   else the latest embedded release. Linked releases (`releases[{url,date,tag}]` only, as in
 *   the Paraguay fixture) are reported as a FetchProblem per record and NOT fetched: one
 *   request per record to a publisher whose terms we have not reviewed is a different job
 *   (kingfisher-collect does it per publisher); point the source at a release package instead.
 * - The package `uri` (or the URL fetched) is kept as RawNotice.url: the notice URL falls back
 *   to it when the release has no document URL.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type {
  Category,
  DeadlineInput,
  FetchProblem,
  NoticeType,
  ParseOutcome,
  RawNotice,
  ScrapeContext,
  SourceDefinition,
  TenderInput,
  TenderStatus,
} from './contract.js';
import { neverThrows } from './contract.js';
import {
  cleanOrNull,
  htmlToPlainText,
  languageCode,
  mapNoticeType,
  toCountryCodes,
  tryMakeDeadline,
} from '../src/ingest/normalize.js';

export interface OcdsSourceOptions {
  id: string;
  name: string;
  /**
   * File path, `file:` URL or http(s) URL of a release package or record package; or
   * `env:NAME` to read it from that environment variable each time the source runs.
   */
  url: string;
  schedule?: string;
}

/** Notices yielded in sample mode. */
const SAMPLE_RELEASES = 10;
/** Shown as the base URL when the package is a file or not yet known: the OCP Data Registry. */
const REGISTRY = 'https://data.open-contracting.org';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | null {
  if (typeof v === 'string') return v.trim() === '' ? null : v.trim();
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function httpUrl(v: unknown): string | null {
  const s = str(v);
  if (!s) return null;
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : null;
  } catch {
    return null;
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Epoch ms of an OCDS date, or -Infinity when absent/unreadable (sorts first). */
function dateValue(release: Json): number {
  const t = Date.parse(str(release.date) ?? '');
  return Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t;
}

/** Releases that carry content (not the `{url, date, tag}` stubs of a linked record). */
function isEmbedded(release: Json): boolean {
  return Object.keys(release).some((k) => !['url', 'date', 'tag'].includes(k));
}

export interface PackageItem {
  ocid: string;
  release: Json;
}

export interface ReadPackage {
  kind: 'release package' | 'record package' | 'release';
  items: PackageItem[];
  problems: string[];
  /** The package `uri` when it is http(s). */
  uri: string | null;
}

/**
 * The processes of a package, one release each (the latest per ocid / the compiled release),
 * in package order; problems for what was skipped. Pure: no fetching.
 */
export function readOcdsPackage(data: unknown): ReadPackage {
  const problems: string[] = [];
  if (!isObject(data)) return { kind: 'release', items: [], problems: ['not a JSON object: not an OCDS package'], uri: null };
  const uri = httpUrl(data.uri);
  const latest = new Map<string, Json>();
  const offer = (release: Json, where: string): void => {
    const ocid = str(release.ocid);
    if (!ocid) {
      problems.push(`${where} has no ocid: skipped`);
      return;
    }
    const current = latest.get(ocid);
    if (!current || dateValue(release) >= dateValue(current)) latest.set(ocid, release);
  };

  if (Array.isArray(data.releases)) {
    data.releases.forEach((r, i) => {
      if (isObject(r)) offer(r, `release ${i + 1}`);
      else problems.push(`release ${i + 1} is not an object: skipped`);
    });
    return { kind: 'release package', items: [...latest].map(([ocid, release]) => ({ ocid, release })), problems, uri };
  }
  if (Array.isArray(data.records)) {
    data.records.forEach((rec, i) => {
      if (!isObject(rec)) {
        problems.push(`record ${i + 1} is not an object: skipped`);
        return;
      }
      const ocid = str(rec.ocid) ?? `record ${i + 1}`;
      if (isObject(rec.compiledRelease)) {
        offer({ ocid: rec.ocid, ...rec.compiledRelease }, `record ${ocid}'s compiledRelease`);
        return;
      }
      const releases = arr(rec.releases).filter(isObject);
      const embedded = releases.filter(isEmbedded);
      if (embedded.length > 0) {
        for (const r of embedded) offer({ ocid: rec.ocid, ...r }, `record ${ocid}'s release`);
        return;
      }
      if (releases.length > 0) {
        const urls = releases.map((r) => str(r.url)).filter(Boolean);
        problems.push(`record ${ocid}: its ${releases.length} release(s) are linked by URL, not embedded (${urls.join(', ')}); linked releases are not fetched`);
        return;
      }
      problems.push(`record ${ocid} has neither a compiledRelease nor releases: skipped`);
    });
    return { kind: 'record package', items: [...latest].map(([ocid, release]) => ({ ocid, release })), problems, uri };
  }
  if (str(data.ocid)) {
    offer(data, 'the release');
    return { kind: 'release', items: [...latest].map(([ocid, release]) => ({ ocid, release })), problems, uri: null };
  }
  return { kind: 'release', items: [], problems: ['neither "releases" nor "records" nor "ocid": not an OCDS package'], uri };
}

async function load(url: string, ctx: ScrapeContext): Promise<string> {
  if (/^https?:\/\//i.test(url)) return ctx.http.getText(url, { signal: ctx.signal, headers: { Accept: 'application/json' } });
  const path = /^file:/i.test(url) ? fileURLToPath(url) : url;
  return readFile(path, { encoding: 'utf8', signal: ctx.signal });
}

async function* fetchPackage(ctx: ScrapeContext, url: string | null, envName: string | null): AsyncGenerator<RawNotice | FetchProblem> {
  if (!url) {
    yield { kind: 'problem', message: `${envName ?? 'the package URL'} is not set: no OCDS package to read` };
    return;
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !/^(https?|file):/i.test(url)) {
    yield { kind: 'problem', message: `unsupported package URL scheme: ${url}`, url };
    return;
  }
  let body: string;
  try {
    body = await load(url, ctx);
  } catch (err) {
    if (ctx.signal?.aborted) return;
    yield { kind: 'problem', message: `package could not be read: ${message(err)}`, url };
    return;
  }
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    yield { kind: 'problem', message: `package is not JSON ("${body.slice(0, 80).replace(/\s+/g, ' ')}")`, url };
    return;
  }
  const pkg = readOcdsPackage(data);
  ctx.onPage?.({ page: 1, items: pkg.items.length, total: pkg.items.length });
  for (const problem of pkg.problems) yield { kind: 'problem', message: problem, url };
  const fetchedAt = new Date().toISOString();
  const noticeUrl = pkg.uri ?? httpUrl(url);
  const items = ctx.sample ? pkg.items.slice(0, SAMPLE_RELEASES) : pkg.items;
  for (const item of items) {
    yield { sourceId: item.ocid, payload: JSON.stringify(item.release), contentType: 'application/json', url: noticeUrl, fetchedAt };
  }
}

// ---------------------------------------------------------------------------------------------
// parse
// ---------------------------------------------------------------------------------------------

/** OCDS `mainProcurementCategory` codelist → ours. `services` are non-consulting services. */
const CATEGORY: Record<string, Category> = {
  goods: 'goods',
  works: 'works',
  services: 'non_consulting',
  consultingservices: 'consulting',
};

/** OCDS tender status codelist → ours (`active` → null: open until the deadline passes). */
const STATUS: Record<string, TenderStatus | null> = {
  planning: null,
  planned: null,
  active: null,
  cancelled: 'cancelled',
  unsuccessful: 'closed',
  complete: 'closed',
  withdrawn: 'cancelled',
};

/** ISO 8601 with or without an offset → DeadlineInput (offset → zone; none → zone unknown). */
export function isoDeadline(raw: string): DeadlineInput | null {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(raw.trim());
  if (!m) return null;
  const [, date, hm, sec, frac, offset] = m;
  const local = `${date}T${hm ?? '23:59'}${sec ? `:${sec}${frac ? `.${frac.slice(0, 3)}` : ''}` : ''}`;
  const zone = offset ? (offset.toUpperCase() === 'Z' ? '+00:00' : offset.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')) : null;
  return tryMakeDeadline(raw, local, zone);
}

/** An ISO date-time → UTC instant (`Z` ms), or null. Without an offset it is read as UTC. */
function isoInstant(raw: string | null): string | null {
  return raw ? (isoDeadline(raw)?.at ?? null) : null;
}

function noticeTypeOf(tags: string[], tender: Json): NoticeType {
  const t = tags.map((x) => x.toLowerCase());
  if (t.some((x) => x === 'tendercancellation')) return 'cancellation';
  if (t.some((x) => /^(award|awardupdate|awardcancellation|contract|contractupdate|contractamendment|contracttermination|implementation|implementationupdate)$/.test(x))) return 'contract_award';
  if (t.some((x) => x === 'tenderamendment' || x === 'tenderupdate')) return 'amendment';
  if (t.includes('planning') || t.includes('planningupdate')) return 'general_procurement_notice';
  const byDetails = mapNoticeType(str(tender.procurementMethodDetails));
  return byDetails !== 'other' ? byDetails : 'invitation_to_bid';
}

function partyNames(release: Json, roles: string[]): Json[] {
  return arr(release.parties).filter(isObject).filter((p) => arr(p.roles).some((r) => typeof r === 'string' && roles.includes(r)));
}

function parseRelease(raw: RawNotice): ParseOutcome {
  const problems: string[] = [];
  let release: unknown;
  try {
    release = JSON.parse(raw.payload);
  } catch {
    return { notice: null, problems: ['payload is not valid JSON'] };
  }
  if (!isObject(release)) return { notice: null, problems: ['payload is not a JSON object'] };
  const ocid = str(release.ocid);
  if (!ocid) return { notice: null, problems: ['release has no ocid'] };
  const tender = isObject(release.tender) ? release.tender : {};
  if (!isObject(release.tender)) problems.push('release has no tender');
  const tags = arr(release.tag).filter((x): x is string => typeof x === 'string');

  const description = htmlToPlainText(str(tender.description)) || null;
  let title = cleanOrNull(str(tender.title));
  if (!title) {
    problems.push('tender.title missing');
    title = description?.split('\n')[0]?.slice(0, 200) ?? ocid;
  }

  const buyerParty = partyNames(release, ['buyer'])[0];
  const procuringParty = partyNames(release, ['procuringEntity'])[0];
  const buyer =
    cleanOrNull(str(isObject(release.buyer) ? release.buyer.name : null)) ??
    cleanOrNull(str(buyerParty?.name)) ??
    cleanOrNull(str(isObject(tender.procuringEntity) ? tender.procuringEntity.name : null)) ??
    cleanOrNull(str(procuringParty?.name));
  if (!buyer) problems.push('no buyer or procuring entity');

  // Countries of the buyer's side only: suppliers and tenderers may be foreign.
  const countryNames = partyNames(release, ['buyer', 'procuringEntity', 'payer'])
    .map((p) => (isObject(p.address) ? str(p.address.countryName) : null))
    .filter((n): n is string => n !== null);
  const { codes, unknown } = toCountryCodes(countryNames);
  for (const name of unknown) problems.push(`countryName "${name}" not recognised`);

  const categoryRaw = str(tender.mainProcurementCategory);
  const category = categoryRaw ? (CATEGORY[categoryRaw.toLowerCase()] ?? null) : null;
  if (categoryRaw && !category) problems.push(`mainProcurementCategory "${categoryRaw}" not mapped`);

  const method = str(tender.procurementMethod);
  const methodDetails = cleanOrNull(str(tender.procurementMethodDetails));
  const procurementMethod = methodDetails && method ? `${methodDetails} (${method})` : (methodDetails ?? method);

  let value: TenderInput['value'] = null;
  if (isObject(tender.value)) {
    const amount = typeof tender.value.amount === 'number' ? tender.value.amount : Number(str(tender.value.amount));
    const currency = str(tender.value.currency)?.toUpperCase() ?? '';
    if (Number.isFinite(amount) && amount >= 0 && /^[A-Z]{3}$/.test(currency)) value = { amount, currency };
    else problems.push(`tender.value unreadable: ${JSON.stringify(tender.value).slice(0, 80)}`);
  }

  const period = isObject(tender.tenderPeriod) ? tender.tenderPeriod : {};
  const endRaw = str(period.endDate);
  const deadline = endRaw ? isoDeadline(endRaw) : null;
  if (endRaw && !deadline) problems.push(`tenderPeriod.endDate unreadable: "${endRaw}"`);
  if (deadline && !deadline.zoneKnown) problems.push(`tenderPeriod.endDate has no offset: "${endRaw}"`);
  // Published: the earlier of the release date and the tender period start (an amendment
  // release is dated later than the notice it amends; a start can be announced ahead).
  const published = [isoInstant(str(release.date)), isoInstant(str(period.startDate))].filter((x): x is string => x !== null).sort();
  if (published.length === 0) problems.push('neither date nor tenderPeriod.startDate readable');

  const unspsc = new Set<string>();
  for (const item of arr(tender.items).filter(isObject)) {
    for (const c of [item.classification, ...arr(item.additionalClassifications)]) {
      if (!isObject(c) || str(c.scheme)?.toUpperCase() !== 'UNSPSC') continue;
      const id = str(c.id)?.replace(/\s+/g, '') ?? '';
      if (/^\d{2,8}$/.test(id)) unspsc.add(id);
      else problems.push(`UNSPSC id unreadable: "${String(c.id)}"`);
    }
  }

  const langRaw = str(release.language);
  const language = languageCode(langRaw);
  if (langRaw && !language) problems.push(`language "${langRaw}" not mapped`);

  const documentUrl = arr(tender.documents).filter(isObject).map((d) => httpUrl(d.url)).find((u) => u !== null) ?? null;

  const noticeType = noticeTypeOf(tags, tender);
  const statusRaw = str(tender.status)?.toLowerCase() ?? null;
  let status: TenderStatus | null = statusRaw ? (STATUS[statusRaw] ?? null) : null;
  if (statusRaw && !(statusRaw in STATUS)) problems.push(`tender.status "${statusRaw}" not mapped`);
  if (noticeType === 'contract_award' && status !== 'cancelled') status = 'awarded';
  if (noticeType === 'cancellation') status = 'cancelled';

  const releaseId = str(release.id);
  const identifiers: Record<string, string> = { ocid };
  if (releaseId) identifiers.releaseId = releaseId;
  const planning = isObject(release.planning) ? release.planning : {};
  const projectId = str(isObject(planning.budget) ? planning.budget.projectID : null);

  const notice: TenderInput = {
    sourceId: ocid,
    reference: str(tender.id),
    title,
    description,
    buyer,
    countries: codes,
    noticeType,
    noticeTypeLabel: tags.length > 0 ? tags.join(', ') : null,
    procurementMethod,
    category,
    unspsc: [...unspsc],
    publishedAt: published[0] ?? null,
    deadline,
    status,
    value,
    language,
    url: documentUrl ?? httpUrl(raw.url),
    projectId,
    identifiers,
  };
  return { notice, problems };
}

const parse = neverThrows(parseRelease);

const POLITENESS = {
  // Publishers' bulk files are meant to be downloaded (OCDS publication policy); one request a
  // run, robots.txt honoured for http(s) URLs.
  minIntervalMs: 1000,
  robots: true,
};

/** `env:NAME` as a package URL: read from that environment variable when the source runs. */
const ENV_PREFIX = 'env:';

export function createOcdsSource(options: OcdsSourceOptions): SourceDefinition {
  const envName = options.url.startsWith(ENV_PREFIX) ? options.url.slice(ENV_PREFIX.length) : null;
  const base = !envName && /^https?:\/\//i.test(options.url) ? new URL(options.url).origin : REGISTRY;
  return {
    id: options.id,
    name: options.name,
    defaultBaseUrl: base,
    schedule: options.schedule ?? '15 4 * * *',
    politeness: {
      // A publisher's bulk file is meant to be downloaded whole: one request a run, robots.txt
      // honoured for http(s) URLs. Publishers' own terms vary: check them when adding one.
      minIntervalMs: 1000,
      robots: true,
    },
    status: { supported: true },
    parserVersion: 1,
    ...(envName ? { requiresEnv: [envName] } : {}),
    fetch: (ctx) => fetchPackage(ctx, envName ? process.env[envName]?.trim() || null : options.url, envName),
    parse,
  };
}

/** The generic source: its package URL comes from `OCDS_PACKAGE_URL`, read when it runs. */
export const ocds = createOcdsSource({ id: 'ocds', name: 'OCDS package (OCDS_PACKAGE_URL)', url: 'env:OCDS_PACKAGE_URL' });
