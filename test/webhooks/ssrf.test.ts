/**
 * The SSRF guard. Nothing here can reach the network even if the guard were broken: DNS is an
 * injected table, and the base connector is a stub that records what would have been dialled
 * and never dials. The assertions are on that record.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { request, type buildConnector } from 'undici';
import { createGuardedDispatcher, createUrlGuard, UnsafeUrlError, type Resolver, type UrlPolicy } from '../../src/webhooks/ssrf.js';
import { send } from '../../src/webhooks/worker.js';
import { loadConfig } from '../../src/config.js';

const PUBLIC_V4 = '93.184.216.34';
const PUBLIC_V6 = '2606:2800:21f:cb07:6820:80da:af6b:8b2c';

const DNS: Record<string, string[] | Error> = {
  'hooks.example.com': [PUBLIC_V4],
  'v6.example.com': [PUBLIC_V6],
  'dual.example.com': [PUBLIC_V4, PUBLIC_V6],
  'internal.example': ['10.0.0.1'],
  'metadata.example': ['169.254.169.254'],
  'loop.example': ['127.0.0.1'],
  'loop6.example': ['::1'],
  'mixed.example': [PUBLIC_V4, '10.0.0.1'],
  'ula.example': ['fd00::1'],
  'mapped.example': ['::ffff:10.0.0.1'],
  'cgnat.example': ['100.64.0.1'],
  'zero.example': ['0.0.0.0'],
  'empty.example': [],
  'nx.example': Object.assign(new Error('getaddrinfo ENOTFOUND nx.example'), { code: 'ENOTFOUND' }),
};

const asked: string[] = [];
const tableResolver: Resolver = async (host) => {
  asked.push(host);
  const r = DNS[host];
  if (r === undefined) throw new Error(`unexpected DNS question in a test: ${host}`);
  if (r instanceof Error) throw r;
  return r;
};

/** Records every address the dispatcher would have dialled, and dials nothing. */
function recordingConnect() {
  const dialled: string[] = [];
  const connect: buildConnector.connector = (opts, cb) => {
    dialled.push(opts.hostname);
    cb(new Error('stub connector: not dialling'), null);
  };
  return { dialled, connect };
}

const STRICT: UrlPolicy = { allowNetworks: [], allowHttp: false };

const REFUSED: [string, RegExp][] = [
  // cloud metadata, loopback, private, by literal
  ['http://169.254.169.254/', /link-local/],
  ['https://169.254.169.254/latest/meta-data/', /link-local/],
  ['https://169.254.0.1/', /link-local/],
  ['http://[::ffff:127.0.0.1]/', /IPv4-mapped/],
  ['https://[::ffff:169.254.169.254]/', /IPv4-mapped/],
  ['https://[::ffff:a00:1]/', /IPv4-mapped/],
  ['http://2130706433/', /loopback/],
  ['https://0x7f000001/', /loopback/],
  ['https://0177.0.0.1/', /loopback/],
  ['https://127.1/', /loopback/],
  ['https://127.0.0.1/', /loopback/],
  ['https://127.255.255.254:8443/', /loopback/],
  ['http://0/', /unspecified/],
  ['https://0.0.0.0/', /unspecified/],
  ['https://[::]/', /unspecified/],
  ['https://[::1]/', /loopback/],
  ['https://localhost/', /loopback/],
  ['https://localhost./', /loopback/],
  ['https://LOCALHOST/', /loopback/],
  ['https://api.localhost/', /loopback/],
  ['https://10.0.0.1/', /private/],
  ['https://172.16.5.4/', /private/],
  ['https://192.168.1.1/', /private/],
  ['https://100.64.0.1/', /carrier-grade NAT/],
  ['https://224.0.0.1/', /multicast/],
  ['https://255.255.255.255/', /broadcast/],
  ['https://192.0.2.1/', /reserved/],
  ['https://240.0.0.1/', /reserved/],
  ['https://[fe80::1]/', /link-local/],
  ['https://[fc00::1]/', /unique-local/],
  ['https://[fd00:ec2::254]/', /unique-local/],
  ['https://[ff02::1]/', /multicast/],
  ['https://[64:ff9b::a00:1]/', /NAT64/],
  ['https://[2002:7f00:1::1]/', /6to4/],
  ['https://[2001:0:4136:e378::1]/', /Teredo/],
  ['https://[::127.0.0.1]/', /global unicast/],
  ['https://[2001:db8::1]/', /reserved/],
  // names that resolve to what the literals above are
  ['https://internal.example/', /internal\.example resolves to a private/],
  ['https://metadata.example/', /link-local/],
  ['https://loop.example/', /loopback/],
  ['https://loop6.example/', /loopback/],
  ['https://mixed.example/', /private/],
  ['https://ula.example/', /unique-local/],
  ['https://mapped.example/', /IPv4-mapped/],
  ['https://cgnat.example/', /carrier-grade NAT/],
  ['https://zero.example/', /unspecified/],
  ['https://empty.example/', /does not resolve/],
  ['https://nx.example/', /does not resolve/],
  // scheme and form
  ['http://hooks.example.com/', /must use https/],
  ['ftp://hooks.example.com/', /must use https/],
  ['file:///etc/passwd', /must use https/],
  ['gopher://hooks.example.com/', /must use https/],
  ['javascript:alert(1)', /must use https/],
  ['https://user:pass@hooks.example.com/', /credentials/],
  ['https://user@hooks.example.com/', /credentials/],
  ['not a url', /not a valid URL/],
  ['https://[fe80::1%25eth0]/', /not a valid URL|link-local/],
  [`https://hooks.example.com/${'a'.repeat(2100)}`, /longer than/],
];

const URL_ONLY = /must use https|credentials|not a valid URL|longer than/;

const ALLOWED: [string, UrlPolicy, string][] = [
  ['https://hooks.example.com/webhooks', STRICT, PUBLIC_V4],
  ['https://hooks.example.com./x?y=1', STRICT, PUBLIC_V4],
  ['https://v6.example.com:8443/', STRICT, PUBLIC_V6],
  ['https://dual.example.com/', STRICT, PUBLIC_V4],
  ['https://93.184.216.34/hook', STRICT, PUBLIC_V4],
  [`https://[${PUBLIC_V6}]/hook`, STRICT, PUBLIC_V6],
  ['http://hooks.example.com/', { allowNetworks: [], allowHttp: true }, PUBLIC_V4],
  ['http://127.0.0.1:8080/hook', { allowNetworks: ['127.0.0.0/8'], allowHttp: false }, '127.0.0.1'],
  ['http://internal.example/', { allowNetworks: ['10.0.0.0/8'], allowHttp: false }, '10.0.0.1'],
  ['https://ula.example/', { allowNetworks: ['fd00::/8'], allowHttp: false }, 'fd00::1'],
];

afterEach(() => {
  asked.length = 0;
});

describe('webhook URL guard', () => {
  it(`has at least 30 refused URLs in its table (${REFUSED.length})`, () => {
    expect(REFUSED.length).toBeGreaterThanOrEqual(30);
  });

  it.each(REFUSED)('refuses %s when saved, before a delivery and at connect time', async (url, why) => {
    const guard = createUrlGuard(STRICT, tableResolver);
    await expect(guard.check(url)).rejects.toThrow(UnsafeUrlError);
    await expect(guard.check(url)).rejects.toThrow(why);

    const { dialled, connect } = recordingConnect();
    const dispatcher = createGuardedDispatcher(guard, connect);
    try {
      // Through the worker's send (check, then request) ...
      const outcome = await send({ guard, dispatcher }, { url, msgId: 'msg_1', body: '{}', secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'] }, new Date());
      expect(outcome.statusCode).toBeNull();
      expect(outcome.error).toMatch(/refused|not a valid|longer than/);
      // ... and straight at the dispatcher, as if that check were broken: the connector refuses
      // every address-based case (scheme, credentials and length are the URL check's alone).
      if (!URL_ONLY.test(String(why))) await expect(Promise.resolve().then(() => request(url, { dispatcher, method: 'POST', body: '{}' }))).rejects.toThrow();
    } finally {
      await dispatcher.close();
    }
    expect(dialled).toEqual([]);
  });

  it.each(ALLOWED)('allows %s and would dial only the checked address', async (url, policy, address) => {
    const guard = createUrlGuard(policy, tableResolver);
    const { addresses } = await guard.check(url);
    expect(addresses).toContain(address);
    const { dialled, connect } = recordingConnect();
    const dispatcher = createGuardedDispatcher(guard, connect);
    try {
      await expect(request(url, { dispatcher, method: 'POST', body: '{}' })).rejects.toThrow(/stub connector/);
    } finally {
      await dispatcher.close();
    }
    expect(dialled).toEqual([address]);
  });

  it('keeps IPv4-mapped, ::1 and localhost refused when only 127.0.0.0/8 is allowed', async () => {
    const guard = createUrlGuard({ allowNetworks: ['127.0.0.0/8'], allowHttp: false }, tableResolver);
    await expect(guard.check('http://127.0.0.1:9/')).resolves.toBeTruthy();
    await expect(guard.check('http://[::ffff:127.0.0.1]/')).rejects.toThrow(/IPv4-mapped/);
    await expect(guard.check('http://[::1]/')).rejects.toThrow(/loopback/);
    await expect(guard.check('http://localhost/')).rejects.toThrow(/loopback/);
    await expect(guard.check('http://10.0.0.1/')).rejects.toThrow(/private/);
  });

  it('never echoes the address a name resolved to', async () => {
    const guard = createUrlGuard(STRICT, tableResolver);
    const err = await guard.check('https://internal.example/').catch((e: Error) => e);
    expect(String(err)).not.toContain('10.0.0.1');
  });

  it('re-checks at connect time, so a name that rebinds to a private address is not dialled', async () => {
    let calls = 0;
    // Public when saved and before the delivery; private by the time the socket would open.
    const rebinding: Resolver = async () => (++calls <= 2 ? [PUBLIC_V4] : ['10.0.0.1']);
    const guard = createUrlGuard(STRICT, rebinding);
    await expect(guard.check('https://rebind.example/')).resolves.toBeTruthy();
    const { dialled, connect } = recordingConnect();
    const dispatcher = createGuardedDispatcher(guard, connect);
    try {
      const outcome = await send({ guard, dispatcher }, { url: 'https://rebind.example/', msgId: 'msg_1', body: '{}', secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'] }, new Date());
      expect(outcome.error).toMatch(/private/);
    } finally {
      await dispatcher.close();
    }
    expect(calls).toBe(3); // saved, before the delivery, at connect
    expect(dialled).toEqual([]);
  });

  it('reads WEBHOOK_ALLOW_NETWORKS as CIDRs and fails fast naming the variable', () => {
    expect(loadConfig({}).webhookAllowNetworks).toEqual([]);
    expect(loadConfig({ WEBHOOK_ALLOW_NETWORKS: '127.0.0.0/8, ::1/128' }).webhookAllowNetworks).toEqual(['127.0.0.0/8', '::1/128']);
    expect(() => loadConfig({ WEBHOOK_ALLOW_NETWORKS: '127.0.0.1' })).toThrow(/^WEBHOOK_ALLOW_NETWORKS: /);
    expect(() => loadConfig({ WEBHOOK_ALLOW_NETWORKS: '10.0.0.0/33' })).toThrow(/WEBHOOK_ALLOW_NETWORKS/);
    expect(loadConfig({}).webhookAllowHttp).toBe(false);
    expect(loadConfig({}).webhookWorker).toBe(true);
  });
});
