/**
 * Scrape one or more sources the way the CLI and the scheduler both do: one HTTP client per
 * source with that source's politeness, bounded concurrency, every outcome recorded.
 */
import type { Store } from '../../db/client.js';
import type { SourceDefinition } from '../../scrapers/contract.js';
import { createHttpClient, type HttpClient, type HttpClientOptions } from '../../scrapers/http-client.js';
import type { Config } from '../config.js';
import { announceTenders, autoPublish, propagateChanges } from '../alerts/service.js';
import { runMatch } from '../matching/matcher.js';
import { linkAwardNotices } from '../pipeline/awards.js';
import { linkTenders } from './cluster.js';
import { runSource, runSources, type RunOptions, type RunSummary } from './run-source.js';

export interface ScrapeSummary extends RunSummary {
  /** New tenders linked to an existing cluster (same tender on another source). */
  linked: number;
  /** Matches written by the incremental match after the run. */
  matched: number;
}

export interface ScrapeOptions {
  store: Store;
  config: Config;
  sources: readonly SourceDefinition[];
  sample?: boolean;
  /** Overrides every selected source's base URL (CLI `--base-url`, meant for one source). */
  baseUrl?: string;
  log?: (message: string) => void;
  onProgress?: RunOptions['onProgress'];
  signal?: AbortSignal;
  /** Tests inject a client factory (MockAgent, fast retries). */
  httpFactory?: (options: HttpClientOptions) => HttpClient;
}

export function httpOptionsFor(source: SourceDefinition, config: Config): HttpClientOptions {
  return {
    minIntervalMs: Math.max(source.politeness.minIntervalMs, config.httpMinIntervalMs),
    robots: source.politeness.robots,
    ...(config.httpUserAgent ? { userAgent: config.httpUserAgent } : {}),
  };
}

/** After a run: link the new tenders into clusters, then match what changed (one tender, one alert). */
export function afterRun(store: Store, summary: RunSummary): ScrapeSummary {
  const newIds = summary.changed.filter((c) => c.result === 'new').map((c) => c.id);
  const linked = linkTenders(store.sqlite, newIds).length;
  const changedIds = summary.changed.map((c) => c.id);
  const matched = changedIds.length ? runMatch(store.sqlite, { tenderIds: changedIds }).matched : 0;
  // Firms hear about changes to tenders they were alerted to; advisers' systems about new tenders.
  propagateChanges(store.sqlite, summary.changed.filter((c) => c.result === 'amended').map((c) => c.id));
  announceTenders(store.sqlite, newIds);
  // A tender's award notice, once ingested, is linked to the pursuits that bid on it.
  linkAwardNotices(store.sqlite, { tenderIds: changedIds });
  autoPublish(store.sqlite);
  return { ...summary, linked, matched };
}

export async function scrape(opts: ScrapeOptions): Promise<ScrapeSummary[]> {
  const factory = opts.httpFactory ?? createHttpClient;
  const results = await runSources([...opts.sources], opts.config.scrapeConcurrency, async (source): Promise<ScrapeSummary> => {
    const http = factory(httpOptionsFor(source, opts.config));
    try {
      const summary = await runSource({
        sqlite: opts.store.sqlite,
        source,
        http,
        baseUrl: opts.baseUrl ?? opts.config.baseUrls[source.id] ?? source.defaultBaseUrl,
        sample: opts.sample,
        signal: opts.signal,
        log: opts.log,
        onProgress: opts.onProgress,
      });
      return afterRun(opts.store, summary);
    } finally {
      await http.close();
    }
  });
  return results.map((r) => ({ linked: 0, matched: 0, ...r }) as ScrapeSummary);
}
