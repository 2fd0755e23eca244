/**
 * Settings, read and validated once at start-up. A bad value fails fast naming the variable.
 * Every variable is listed in `.env.example` with its default.
 */
import cron from 'node-cron';
import ipaddr from 'ipaddr.js';

export interface Config {
  databasePath: string;
  host: string;
  port: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  scheduler: boolean;
  /** Per-source cron expressions (UTC), keyed by source id; overrides the source's default. */
  schedules: Record<string, string>;
  /** Per-source base URL overrides (SOURCE_<ID>_BASE_URL). */
  baseUrls: Record<string, string>;
  /** Upper bound of the random delay before a scheduled run, for politeness. */
  schedulerJitterMs: number;
  httpMinIntervalMs: number;
  httpUserAgent: string | null;
  scrapeConcurrency: number;
  /** Nice value (0-19) scheduled scrapes and their re-matches lower their worker threads to, so requests come first; 0 = off. */
  backgroundNice: number;
  /** Serve /metrics without a key (for a Prometheus scraper on a private network). */
  metricsPublic: boolean;
  /** Requests a minute per API key (per address without a key). */
  rateLimitPerMinute: number;
  /** Public address of this service, for links in feeds and emails. */
  publicBaseUrl: string;
  /** CIDR ranges webhook URLs may reach although private (tests, private deployments); http allowed there too. */
  webhookAllowNetworks: string[];
  /** Allow plain http:// webhook URLs to public addresses. */
  webhookAllowHttp: boolean;
  /** Run the webhook delivery worker in `serve`. */
  webhookWorker: boolean;
  /** Run the email digest and reminder job every 15 minutes in `serve` (needs SCHEDULER on, SMTP_HOST and MAIL_FROM). */
  notify: boolean;
  smtpHost: string | null;
  smtpPort: number;
  /** TLS from the first byte (port 465); off = STARTTLS when the server offers it. */
  smtpSecure: boolean;
  smtpUser: string | null;
  /** Never logged, never in an error message. */
  smtpPassword: string | null;
  /** The From of every email: `address` or `Name <address>`. */
  mailFrom: string | null;
  /** Deadline reminders this many local days before the deadline, largest first. */
  reminderDays: number[];
  /** Signs unsubscribe links (32+ characters); null = a random key made once and kept in the database. */
  unsubscribeSecret: string | null;
  /** Dated exchange rates for pipeline reports (CSV or JSON, see src/pipeline/fx.ts); null = the built-in table. */
  fxRatesPath: string | null;
  /** Adviser console sessions last this many hours from sign-in. */
  consoleSessionHours: number;
  /** The console cookie's Secure flag: `auto` = when the request came over HTTPS (behind a proxy, set TRUST_PROXY). */
  consoleCookieSecure: boolean | 'auto';
  /** Trust X-Forwarded-* from a reverse proxy (for the client address and the protocol). */
  trustProxy: boolean;
}

export class ConfigError extends Error {
  constructor(variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(name, `expected an integer from ${min} to ${max}, got "${raw}"`);
  return n;
}

function bool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['on', 'true', '1', 'yes'].includes(raw)) return true;
  if (['off', 'false', '0', 'no'].includes(raw)) return false;
  throw new ConfigError(name, `expected on/off, got "${env[name]}"`);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const logLevel = (env.LOG_LEVEL ?? 'info') as Config['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError('LOG_LEVEL', `expected one of ${LOG_LEVELS.join(', ')}`);
  const schedules: Record<string, string> = {};
  const baseUrls: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined || value === '') continue;
    const sched = /^SOURCE_([A-Z0-9_]+)_SCHEDULE$/.exec(key);
    if (sched) {
      if (!cron.validate(value)) throw new ConfigError(key, `not a valid cron expression: "${value}"`);
      schedules[sched[1].toLowerCase()] = value;
    }
    const base = /^SOURCE_([A-Z0-9_]+)_BASE_URL$/.exec(key);
    if (base) {
      baseUrls[base[1].toLowerCase()] = checkBaseUrl(key, value);
    }
  }
  return {
    databasePath: env.DATABASE_PATH || './data/gpass-tenders.db',
    host: env.HOST || '127.0.0.1',
    port: int(env, 'PORT', 3000, 0, 65535),
    logLevel,
    scheduler: bool(env, 'SCHEDULER', true),
    schedules,
    baseUrls,
    schedulerJitterMs: int(env, 'SCHEDULER_JITTER_MS', 60_000, 0, 3_600_000),
    httpMinIntervalMs: int(env, 'HTTP_MIN_INTERVAL_MS', 1000, 0, 600_000),
    httpUserAgent: env.HTTP_USER_AGENT || null,
    scrapeConcurrency: int(env, 'SCRAPE_CONCURRENCY', 2, 1, 16),
    backgroundNice: int(env, 'BACKGROUND_NICE', 10, 0, 19),
    metricsPublic: bool(env, 'METRICS_PUBLIC', true),
    rateLimitPerMinute: int(env, 'RATE_LIMIT_PER_MINUTE', 600, 1, 1_000_000),
    publicBaseUrl: checkBaseUrl('PUBLIC_BASE_URL', env.PUBLIC_BASE_URL || 'http://localhost:3000'),
    webhookAllowNetworks: (env.WEBHOOK_ALLOW_NETWORKS ?? '').split(',').map((c) => c.trim()).filter(Boolean).map((cidr) => {
      if (!ipaddr.isValidCIDR(cidr)) throw new ConfigError('WEBHOOK_ALLOW_NETWORKS', `expected comma-separated CIDR ranges such as 127.0.0.0/8, got "${cidr}"`);
      return cidr;
    }),
    webhookAllowHttp: bool(env, 'WEBHOOK_ALLOW_HTTP', false),
    webhookWorker: bool(env, 'WEBHOOK_WORKER', true),
    notify: bool(env, 'NOTIFY', false),
    smtpHost: env.SMTP_HOST?.trim() || null,
    smtpPort: int(env, 'SMTP_PORT', 587, 1, 65535),
    smtpSecure: bool(env, 'SMTP_SECURE', false),
    smtpUser: env.SMTP_USER || null,
    smtpPassword: env.SMTP_PASSWORD || null,
    mailFrom: ((v) => {
      if (v && !/^(?:[^<>]*<[^<>@\s]+@[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+)$/.test(v)) throw new ConfigError('MAIL_FROM', `expected "address" or "Name <address>", got "${v}"`);
      return v || null;
    })(env.MAIL_FROM?.trim()),
    reminderDays: ((v) => {
      const days = v.split(',').map((d) => d.trim()).filter(Boolean).map(Number);
      if (days.some((d) => !Number.isInteger(d) || d < 0 || d > 90)) throw new ConfigError('REMINDER_DAYS', `expected comma-separated whole days from 0 to 90, got "${v}"`);
      return [...new Set(days)].sort((a, b) => b - a);
    })(env.REMINDER_DAYS ?? '7,2'),
    unsubscribeSecret: ((v) => {
      if (v && v.length < 32) throw new ConfigError('UNSUBSCRIBE_SECRET', 'must be at least 32 characters');
      return v || null;
    })(env.UNSUBSCRIBE_SECRET),
    fxRatesPath: env.FX_RATES_PATH?.trim() || null,
    consoleSessionHours: int(env, 'CONSOLE_SESSION_HOURS', 12, 1, 24 * 30),
    consoleCookieSecure: env.CONSOLE_COOKIE_SECURE?.trim().toLowerCase() === 'auto' || !env.CONSOLE_COOKIE_SECURE ? 'auto' : bool(env, 'CONSOLE_COOKIE_SECURE', true),
    trustProxy: bool(env, 'TRUST_PROXY', false),
  };
}

export function checkBaseUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(name, `not a URL: "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(name, `expected http(s), got ${url.protocol}`);
  return value.replace(/\/+$/, '');
}
