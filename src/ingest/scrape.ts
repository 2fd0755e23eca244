/**
 * Scrape one or more sources the way the CLI and the scheduler both do: one HTTP client per
 * source with that source's politeness, bounded concurrency, every outcome recorded.
 */
import type { Store } from '../../db/client.js';
import type { SourceDefinition } from '../../scrapers/contract.js';
import { createHttpClient, type HttpClient, type HttpClientOptions } from '../../scrapers/http-client.js';
import type { Config } from '../config.js';
import { runSource, runSources, type RunOptions, type RunSummary } from './run-source.js';

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

export async function scrape(opts: ScrapeOptions): Promise<RunSummary[]> {
  const factory = opts.httpFactory ?? createHttpClient;
  return runSources([...opts.sources], opts.config.scrapeConcurrency, async (source) => {
    const http = factory(httpOptionsFor(source, opts.config));
    try {
      return await runSource({
        sqlite: opts.store.sqlite,
        source,
        http,
        baseUrl: opts.baseUrl ?? opts.config.baseUrls[source.id] ?? source.defaultBaseUrl,
        sample: opts.sample,
        signal: opts.signal,
        log: opts.log,
        onProgress: opts.onProgress,
      });
    } finally {
      await http.close();
    }
  });
}
