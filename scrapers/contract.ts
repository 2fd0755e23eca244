/**
 * The scraper contract: what every source file declares and returns.
 *
 * A source fetches raw payloads (one per notice, exactly as fetched) and parses each one
 * with a pure function into a normalized TenderInput. Ingest stores the raw payload first,
 * so a parser fix can be re-run over stored payloads without refetching (`reparse`).
 */
import type { HttpClient } from './http-client.js';

/** One vocabulary for notice types across sources; the source's own label is kept beside it. */
export const NOTICE_TYPES = [
  'request_for_quotation',
  'invitation_to_bid',
  'request_for_proposal',
  'expression_of_interest',
  'prequalification',
  'general_procurement_notice',
  'contract_award',
  'amendment',
  'cancellation',
  'other',
] as const;
export type NoticeType = (typeof NOTICE_TYPES)[number];

export const CATEGORIES = ['goods', 'works', 'consulting', 'non_consulting'] as const;
export type Category = (typeof CATEGORIES)[number];

export const TENDER_STATUSES = ['open', 'closed', 'cancelled', 'awarded'] as const;
export type TenderStatus = (typeof TENDER_STATUSES)[number];

export interface DeadlineInput {
  /** UTC ISO-8601 instant (`2026-10-22T08:00:00.000Z`). When the zone is unknown, the local time read as UTC. */
  at: string;
  /** The source's text exactly as shown, e.g. `22-Oct-2026 08:00 (GMT 0.00)`. */
  raw: string;
  /** IANA zone (`Europe/London`) or fixed offset (`+04:30`) the source gave; null when unknown. */
  zone: string | null;
  /** False when the source gave no zone (World Bank API without a zone in the notice text). */
  zoneKnown: boolean;
}

/** A notice as a parser returns it: normalized, ready to upsert. */
export interface TenderInput {
  /** The source's own id for this notice (unique within the source). */
  sourceId: string;
  reference: string | null;
  title: string;
  /** Plain text, no HTML. */
  description: string | null;
  buyer: string | null;
  /** ISO 3166-1 alpha-2 codes, upper case; [] when global or unknown. */
  countries: string[];
  noticeType: NoticeType;
  /** The source's own label, e.g. `Request for Expression of Interest`. */
  noticeTypeLabel: string | null;
  procurementMethod: string | null;
  category: Category | null;
  /** UNSPSC codes as published (digits only, 2–8 long). */
  unspsc: string[];
  /** UTC ISO-8601 instant or null. */
  publishedAt: string | null;
  deadline: DeadlineInput | null;
  /** Null lets ingest derive it: open until the deadline passes. */
  status: TenderStatus | null;
  value: { amount: number; currency: string } | null;
  /** ISO 639-1. */
  language: string | null;
  url: string | null;
  /** Bank project code (World Bank `P…`, EBRD project id, ADB `NNNNN-NNN`). */
  projectId: string | null;
  /** Other identifiers useful for linking across sources (e.g. `bidReference`, `eceppId`, `agency`). */
  identifiers: Record<string, string>;
}

/** A payload as fetched, one per notice. Composite payloads are a JSON envelope of the exact fetched texts. */
export interface RawNotice {
  sourceId: string;
  payload: string;
  contentType: 'application/json' | 'text/html' | 'application/xml' | 'text/javascript';
  url: string | null;
  fetchedAt: string;
}

export interface ParseOutcome {
  /** What could be parsed; null when nothing usable (the raw payload is still kept). */
  notice: TenderInput | null;
  /** Human-readable problems, e.g. `label "Reference" not found`. Non-fatal when notice is set. */
  problems: string[];
}

/** A problem met while fetching or listing, not tied to one notice. */
export interface FetchProblem {
  kind: 'problem';
  message: string;
  url?: string;
}

export interface ScrapeContext {
  http: HttpClient;
  /** Base URL in effect (source default, SOURCE_<ID>_BASE_URL or --base-url), no trailing slash. */
  baseUrl: string;
  /** Stop after the first page. */
  sample: boolean;
  /** UTC ISO instant of the last successful run's start, for incremental sources; null on first run. */
  since: string | null;
  signal?: AbortSignal;
  /** Called once per fetched listing page (progress). */
  onPage?: (info: { page: number; items: number; total?: number }) => void;
  log: (message: string) => void;
}

export interface SourceDefinition {
  id: string;
  name: string;
  defaultBaseUrl: string;
  /** node-cron expression, UTC. */
  schedule: string;
  politeness: {
    /** Minimum gap between two requests to the same host. */
    minIntervalMs: number;
    /** Honour robots.txt for HTML pages. */
    robots: boolean;
  };
  /** Supported, or unsupported with the reason (README source table). */
  status: { supported: true } | { supported: false; reason: string };
  /** Bump when parse() changes so stored payloads can be re-parsed. */
  parserVersion: number;
  /** Settings the source can't run without; the scheduler and `scrape --all` skip it until they are set. */
  requiresEnv?: string[];
  fetch(ctx: ScrapeContext): AsyncGenerator<RawNotice | FetchProblem>;
  parse(raw: RawNotice): ParseOutcome;
}

/**
 * A parse function that never throws: an unexpected error becomes a problem on the notice
 * (the raw payload is kept by ingest), so one broken notice never aborts a run.
 */
export function neverThrows(parse: (raw: RawNotice) => ParseOutcome): (raw: RawNotice) => ParseOutcome {
  return (raw) => {
    try {
      return parse(raw);
    } catch (err) {
      return { notice: null, problems: [`parser error: ${err instanceof Error ? err.message : String(err)}`] };
    }
  };
}

/**
 * The payload of sources whose notice is a listing row plus a detail page (UNGM, EBRD): both
 * fetched texts, exactly as received, in one JSON envelope.
 */
export function rowDetailPayload(row: string, detail: string | null): string {
  return JSON.stringify({ row, detail });
}

/** The envelope back, or the problem that makes it unreadable. */
export function readRowDetailPayload(raw: RawNotice): { row: string; detail: string | null } | { problem: string } {
  let envelope: unknown;
  try {
    envelope = JSON.parse(raw.payload);
  } catch {
    return { problem: 'payload is not the {row, detail} JSON envelope' };
  }
  const row = (envelope as { row?: unknown } | null)?.row;
  const detail = (envelope as { detail?: unknown } | null)?.detail;
  if (typeof row !== 'string') return { problem: 'envelope has no "row" HTML' };
  return { row, detail: typeof detail === 'string' ? detail : null };
}
