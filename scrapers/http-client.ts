/**
 * The one HTTP client every scraper uses (undici). INTERFACE ONLY: implementation pending.
 */
export interface HttpRequestInit {
  method?: 'GET' | 'POST' | 'HEAD';
  headers?: Record<string, string>;
  body?: string;
  /** Check robots.txt before fetching (default: the client's `robots` option). */
  robots?: boolean;
}

export interface HttpResponse {
  status: number;
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface HttpClient {
  /** Any 2xx resolves; other statuses throw HttpError after retries. Cookies are kept per host. */
  request(url: string, init?: HttpRequestInit): Promise<HttpResponse>;
  getText(url: string, init?: HttpRequestInit): Promise<string>;
  getJson<T = unknown>(url: string, init?: HttpRequestInit): Promise<T>;
  close(): Promise<void>;
}

export interface HttpClientOptions {
  userAgent?: string;
  minIntervalMs?: number;
  robots?: boolean;
  retries?: number;
  connectTimeoutMs?: number;
  bodyTimeoutMs?: number;
  headersTimeoutMs?: number;
  maxBodyBytes?: number;
  baseRetryDelayMs?: number;
  maxRetryDelayMs?: number;
}

export class HttpError extends Error {
  constructor(message: string, readonly status: number | null, readonly url: string) {
    super(message);
    this.name = 'HttpError';
  }
}

export class RobotsDisallowedError extends Error {
  constructor(readonly url: string) {
    super(`robots.txt disallows ${url}`);
    this.name = 'RobotsDisallowedError';
  }
}

export function createHttpClient(_options: HttpClientOptions = {}): HttpClient {
  throw new Error('not implemented yet');
}
