/**
 * The SSRF guard for webhook URLs, which are user input. A URL is refused unless it is https
 * (or http when configured), carries no credentials, and every address its host resolves to is
 * public: loopback, private, link-local (169.254.0.0/16 included), unique-local, CGNAT,
 * unspecified, multicast, broadcast, reserved and every IPv6 form that embeds an IPv4 address
 * (IPv4-mapped, NAT64, 6to4, Teredo) are refused; IPv6 must be global unicast (2000::/3).
 * `WEBHOOK_ALLOW_NETWORKS` ranges are allowed, over plain http too (tests, private deployments).
 *
 * The check runs when a URL is saved, before each delivery, and again in the connector at
 * connect time on the addresses actually dialled (pinned: the socket goes to the address that
 * was checked), so DNS rebinding cannot slip through. The resolver and the base connector are
 * injectable: tests never dial anything they did not mean to.
 */
import dns from 'node:dns';
import net from 'node:net';
import ipaddr from 'ipaddr.js';
import { Agent, buildConnector } from 'undici';

export type Resolver = (hostname: string) => Promise<string[]>;

export const systemResolver: Resolver = async (hostname) =>
  (await dns.promises.lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

export class UnsafeUrlError extends Error {
  readonly statusCode = 400;
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeUrlError';
  }
}

export interface UrlPolicy {
  /** CIDR ranges allowed although not public (over http too). */
  allowNetworks: readonly string[];
  /** Allow http:// to public addresses. */
  allowHttp: boolean;
}

const RANGE_NAMES: Record<string, string> = {
  unspecified: 'an unspecified',
  broadcast: 'a broadcast',
  multicast: 'a multicast',
  linkLocal: 'a link-local',
  loopback: 'a loopback',
  carrierGradeNat: 'a carrier-grade NAT',
  private: 'a private',
  reserved: 'a reserved',
  uniqueLocal: 'a unique-local',
  ipv4Mapped: 'an IPv4-mapped IPv6',
  rfc6145: 'an IPv4-translated IPv6',
  rfc6052: 'a NAT64 (IPv4-embedding)',
  '6to4': 'a 6to4 (IPv4-embedding)',
  teredo: 'a Teredo (IPv4-embedding)',
};

const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');
const MAX_URL_LENGTH = 2048;

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

export interface UrlGuard {
  readonly policy: UrlPolicy;
  /** Throws UnsafeUrlError unless the URL may receive webhooks; answers the checked addresses. */
  check(raw: string): Promise<{ url: URL; addresses: string[] }>;
  /** At connect time: the addresses of `hostname`, all checked; answers the one to dial. */
  pin(hostname: string, protocol: string): Promise<string>;
}

export function createUrlGuard(policy: UrlPolicy, resolver: Resolver = systemResolver): UrlGuard {
  const networks: Cidr[] = policy.allowNetworks.map((c) => ipaddr.parseCIDR(c));
  const allowed = (ip: ipaddr.IPv4 | ipaddr.IPv6) => networks.some(([range, bits]) => range.kind() === ip.kind() && ip.match(range, bits));

  /** What is wrong with dialling this address ("a private address"), 'http' if only the scheme is, or null. */
  function problem(address: string, protocol: string): string | null {
    if (!ipaddr.isValid(address)) return 'something that is not an IP address';
    const ip = ipaddr.parse(address);
    if (allowed(ip)) return null;
    const range = ip.range();
    if (range !== 'unicast') return `${RANGE_NAMES[range] ?? `a special-purpose (${range})`} address`;
    if (ip.kind() === 'ipv6' && !ip.match(GLOBAL_UNICAST_V6)) return 'an IPv6 address outside global unicast (2000::/3)';
    if (protocol === 'http:' && !policy.allowHttp) return 'http';
    return null;
  }

  async function addressesOf(host: string): Promise<{ addresses: string[]; literal: boolean }> {
    if (net.isIP(host)) return { addresses: [host], literal: true };
    // RFC 6761: localhost names are loopback whatever a resolver says.
    if (host === 'localhost' || host.endsWith('.localhost')) return { addresses: ['127.0.0.1', '::1'], literal: false };
    let addresses: string[];
    try {
      addresses = await resolver(host);
    } catch {
      throw new UnsafeUrlError(`the host ${host} does not resolve`);
    }
    if (addresses.length === 0) throw new UnsafeUrlError(`the host ${host} does not resolve`);
    return { addresses, literal: false };
  }

  async function checked(host: string, protocol: string): Promise<string[]> {
    const { addresses, literal } = await addressesOf(host);
    for (const a of addresses) {
      const why = problem(a, protocol);
      if (why === 'http') throw new UnsafeUrlError('the URL must use https (plain http only reaches WEBHOOK_ALLOW_NETWORKS)');
      // A resolved address is not echoed: errors must not map internal names to addresses.
      if (why) throw new UnsafeUrlError(literal ? `the address ${host} is ${why}` : `the host ${host} resolves to ${why}`);
    }
    return addresses;
  }

  return {
    policy,
    async check(raw) {
      if (raw.length > MAX_URL_LENGTH) throw new UnsafeUrlError(`the URL is longer than ${MAX_URL_LENGTH} characters`);
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        throw new UnsafeUrlError('not a valid URL');
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UnsafeUrlError(`the URL must use https, not ${url.protocol.replace(/:$/, '')}`);
      if (url.username || url.password) throw new UnsafeUrlError('the URL must not carry credentials (user:password@)');
      const host = hostOf(url.hostname);
      if (!host) throw new UnsafeUrlError('the URL has no host');
      return { url, addresses: await checked(host, url.protocol) };
    },
    async pin(hostname, protocol) {
      const addresses = await checked(hostOf(hostname), protocol);
      return addresses[0];
    },
  };
}

/** `[::1]` → `::1`; `example.com.` → `example.com`. */
function hostOf(hostname: string): string {
  return hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.+$/, '').toLowerCase();
}

/**
 * An undici connector that re-checks and pins the address at connect time. `base` does the
 * dialling (undici's own by default; a recording stub in tests). TLS still verifies the
 * certificate against the URL's host name: undici derives the SNI name from `host`.
 */
export function guardedConnector(guard: UrlGuard, base: buildConnector.connector = buildConnector({ timeout: 10_000 })): buildConnector.connector {
  return (opts, callback) => {
    guard.pin(opts.hostname, opts.protocol).then(
      (address) => base({ ...opts, hostname: address }, callback),
      (err: Error) => callback(err, null),
    );
  };
}

/** The dispatcher deliveries go through: no redirects (undici follows none by default), pinned addresses. */
export function createGuardedDispatcher(guard: UrlGuard, base?: buildConnector.connector): Agent {
  return new Agent({ connect: guardedConnector(guard, base), connections: 4, keepAliveTimeout: 10_000 });
}
