import type { FetchProblem, RawNotice, SourceDefinition, TenderInput } from '../../scrapers/contract.js';

export function tender(overrides: Partial<TenderInput> & { sourceId: string }): TenderInput {
  return {
    reference: `REF-${overrides.sourceId}`,
    title: `Supply of solar PV systems ${overrides.sourceId}`,
    description: 'Supply and installation of photovoltaic systems for health centres.',
    buyer: 'UNDP Afghanistan',
    countries: ['AF'],
    noticeType: 'invitation_to_bid',
    noticeTypeLabel: 'Invitation to bid',
    procurementMethod: null,
    category: 'goods',
    unspsc: [],
    publishedAt: '2026-10-05T00:00:00.000Z',
    deadline: { at: '2026-12-22T08:00:00.000Z', raw: '22-Dec-2026 08:00 (GMT 0.00)', zone: '+00:00', zoneKnown: true },
    status: null,
    value: null,
    language: 'en',
    url: `https://example.org/notice/${overrides.sourceId}`,
    projectId: null,
    identifiers: {},
    ...overrides,
  };
}

export function raw(t: TenderInput | string, sourceId?: string): RawNotice {
  const payload = typeof t === 'string' ? t : JSON.stringify(t);
  return { sourceId: sourceId ?? (typeof t === 'string' ? 'broken' : t.sourceId), payload, contentType: 'application/json', url: null, fetchedAt: '2026-11-21T00:00:00.000Z' };
}

/** A source whose payloads are TenderInput JSON; `items` scripts what fetch yields (an Error = throw). */
export function fakeSource(id: string, items: () => Array<RawNotice | FetchProblem | Error>): SourceDefinition {
  return {
    id,
    name: `Fake ${id}`,
    defaultBaseUrl: 'http://127.0.0.1:9',
    schedule: '0 3 * * *',
    politeness: { minIntervalMs: 0, robots: false },
    status: { supported: true },
    parserVersion: 1,
    async *fetch(ctx) {
      ctx.onPage?.({ page: 1, items: 0 });
      for (const item of items()) {
        if (item instanceof Error) throw item;
        yield item;
      }
    },
    parse(r) {
      try {
        return { notice: JSON.parse(r.payload) as TenderInput, problems: [] };
      } catch (err) {
        return { notice: null, problems: [`not JSON: ${(err as Error).message}`] };
      }
    },
  };
}
