import { describe, expect, it } from 'vitest';
import type { ScrapeContext } from '../../scrapers/contract.js';
import type { HttpClient } from '../../scrapers/http-client.js';
import { IDB_UNSUPPORTED_REASON, idb } from '../../scrapers/idb.js';

const noNetwork: HttpClient = {
  request: (url) => Promise.reject(new Error(`unexpected request to ${url}`)),
  getText: (url) => Promise.reject(new Error(`unexpected request to ${url}`)),
  getJson: (url) => Promise.reject(new Error(`unexpected request to ${url}`)),
  close: () => Promise.resolve(),
};

describe('idb', () => {
  it('is unsupported, with the reason', () => {
    expect(idb.status).toEqual({ supported: false, reason: IDB_UNSUPPORTED_REASON });
    expect(IDB_UNSUPPORTED_REASON).toMatch(/JavaScript/);
    expect(IDB_UNSUPPORTED_REASON).toMatch(/robots\.txt/);
  });

  it('fetch yields one problem and makes no request', async () => {
    const ctx: ScrapeContext = { http: noNetwork, baseUrl: idb.defaultBaseUrl, sample: false, since: null, log: () => {} };
    const items = [];
    for await (const item of idb.fetch(ctx)) items.push(item);
    expect(items).toEqual([{ kind: 'problem', message: `idb is not supported: ${IDB_UNSUPPORTED_REASON}` }]);
  });

  it('parse returns no notice with that problem', () => {
    expect(idb.parse({ sourceId: '1', payload: '{}', contentType: 'application/json', url: null, fetchedAt: '' })).toEqual({
      notice: null,
      problems: [`idb is not supported: ${IDB_UNSUPPORTED_REASON}`],
    });
  });
});
