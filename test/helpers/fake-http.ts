import type { FetchProblem, RawNotice, ScrapeContext, SourceDefinition } from '../../scrapers/contract.js';
import type { HttpClient, HttpRequestInit, HttpResponse } from '../../scrapers/http-client.js';

/** A scripted HttpClient for scraper tests: `serve` answers each URL (throw to fail it); every call is recorded. */
export class FakeHttp implements HttpClient {
  readonly calls: Array<{ url: string; init?: HttpRequestInit }> = [];
  constructor(private readonly serve: (url: URL, init?: HttpRequestInit) => string) {}
  get urls(): string[] {
    return this.calls.map((c) => c.url);
  }
  async request(url: string, init?: HttpRequestInit): Promise<HttpResponse> {
    this.calls.push({ url, init });
    return { status: 200, url, headers: {}, body: this.serve(new URL(url), init) };
  }
  async getText(url: string, init?: HttpRequestInit): Promise<string> {
    return (await this.request(url, init)).body;
  }
  async getJson<T = unknown>(url: string, init?: HttpRequestInit): Promise<T> {
    return JSON.parse(await this.getText(url, init)) as T;
  }
  async close(): Promise<void> {}
}

/** Everything a source's fetch yields, split into notices and problems. */
export async function collectFrom(source: SourceDefinition, ctx: ScrapeContext): Promise<{ notices: RawNotice[]; problems: FetchProblem[] }> {
  const notices: RawNotice[] = [];
  const problems: FetchProblem[] = [];
  for await (const item of source.fetch(ctx)) {
    if ('kind' in item) problems.push(item);
    else notices.push(item);
  }
  return { notices, problems };
}
