/**
 * Keeps a test process on loopback, whatever the code under test is asked to reach: DNS
 * answers only for localhost names, and a TCP connection to anything but 127.0.0.0/8 or ::1
 * fails at once. Fuzzed webhook URLs, for one, would otherwise make the SSRF guard ask DNS.
 */
import dns from 'node:dns';
import net from 'node:net';

const isLoopbackHost = (host: string) => {
  const h = host.replace(/^\[|\]$/g, '');
  return h === '::1' || (net.isIPv4(h) && h.startsWith('127.')) || h === 'localhost' || h.endsWith('.localhost');
};

export interface NetworkGuard {
  /** Hosts something tried to reach and was refused. */
  refused: string[];
  restore(): void;
}

export function guardNetwork(): NetworkGuard {
  const refused: string[] = [];
  const original = { lookup: dns.lookup, promisesLookup: dns.promises.lookup, connect: net.Socket.prototype.connect };
  const refuse = (host: string) => {
    refused.push(host);
    return Object.assign(new Error(`network guard: ${host} is not loopback`), { code: 'ENOTFOUND' });
  };

  (dns as { lookup: unknown }).lookup = function lookup(host: string, ...rest: unknown[]) {
    const cb = rest[rest.length - 1] as (err: Error | null) => void;
    if (!isLoopbackHost(host) && !net.isIP(host)) return process.nextTick(() => cb(refuse(host)));
    return (original.lookup as (...a: unknown[]) => void).call(dns, host, ...rest);
  };
  (dns.promises as { lookup: unknown }).lookup = async (host: string, ...rest: unknown[]) => {
    if (!isLoopbackHost(host) && !net.isIP(host)) throw refuse(host);
    return (original.promisesLookup as (...a: unknown[]) => Promise<unknown>).call(dns.promises, host, ...rest);
  };
  net.Socket.prototype.connect = function connect(this: net.Socket, ...args: unknown[]) {
    const first = args[0];
    const opts = (Array.isArray(first) ? first[0] : first) as { host?: string; path?: string } | number | string | undefined;
    const host = typeof opts === 'object' && opts !== null ? (opts.path ? null : opts.host ?? 'localhost') : typeof args[1] === 'string' ? args[1] : typeof opts === 'number' ? 'localhost' : null;
    if (host !== null && !isLoopbackHost(host)) {
      const err = refuse(host);
      process.nextTick(() => this.destroy(err));
      return this;
    }
    return (original.connect as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof net.Socket.prototype.connect;

  return {
    refused,
    restore() {
      (dns as { lookup: unknown }).lookup = original.lookup;
      (dns.promises as { lookup: unknown }).lookup = original.promisesLookup;
      net.Socket.prototype.connect = original.connect;
    },
  };
}
