import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { FetchProblem, RawNotice, ScrapeContext, SourceDefinition } from '../../scrapers/contract.js';
import { HttpError, type HttpClient } from '../../scrapers/http-client.js';
import { createOcdsSource, isoDeadline, ocds, readOcdsPackage } from '../../scrapers/ocds.js';
import { validateTenderInput } from '../../src/ingest/validate.js';
import { FakeHttp } from '../helpers/fake-http.js';

const fixturePath = (name: string): string => fileURLToPath(new URL(`../fixtures/ocds/${name}`, import.meta.url));
const RELEASE_PACKAGE = readFileSync(fixturePath('release-package.json'), 'utf8');
const RECORD_PACKAGE = readFileSync(fixturePath('record-package.json'), 'utf8');
const PACKAGE_URL = 'https://example.gov/ocds/release-package/2026-10-14.json';


/** An HttpClient that must not be used (file sources). */
const noNetwork = new FakeHttp((url) => {
  throw new Error(`unexpected request to ${url}`);
});

function context(http: HttpClient, over: Partial<ScrapeContext> = {}): ScrapeContext {
  return { http, baseUrl: 'https://example.gov', sample: false, since: null, log: () => {}, ...over };
}

async function collect(source: SourceDefinition, ctx: ScrapeContext): Promise<{ notices: RawNotice[]; problems: FetchProblem[] }> {
  const notices: RawNotice[] = [];
  const problems: FetchProblem[] = [];
  for await (const item of source.fetch(ctx)) {
    if ('kind' in item) problems.push(item);
    else notices.push(item);
  }
  return { notices, problems };
}

const fromFile = (name: string): SourceDefinition => createOcdsSource({ id: 'test_ocds', name: 'Test OCDS', url: fixturePath(name) });

describe('readOcdsPackage', () => {
  it('keeps the latest release of each ocid, in package order', () => {
    const pkg = readOcdsPackage(JSON.parse(RELEASE_PACKAGE));
    expect(pkg.kind).toBe('release package');
    expect(pkg.uri).toBe(PACKAGE_URL);
    expect(pkg.problems).toEqual([]);
    expect(pkg.items.map((i) => [i.ocid, i.release.id])).toEqual([
      ['ocds-test01-2026-0042', 'ocds-test01-2026-0042-amendment-2'],
      ['ocds-test01-2026-0007', 'ocds-test01-2026-0007-award-1'],
    ]);
  });

  it('record package: compiledRelease first, else the latest embedded release; linked releases reported', () => {
    const pkg = readOcdsPackage(JSON.parse(RECORD_PACKAGE));
    expect(pkg.kind).toBe('record package');
    expect(pkg.items.map((i) => [i.ocid, i.release.id])).toEqual([
      ['ocds-test01-2026-0100', 'ocds-test01-2026-0100-compiled'],
      ['ocds-test01-2026-0101', 'ocds-test01-2026-0101-tender-1'],
    ]);
    expect(pkg.problems).toEqual([
      'record ocds-test01-2026-0102: its 1 release(s) are linked by URL, not embedded (https://example.gov/ocds/release/ocds-test01-2026-0102-planning.json); linked releases are not fetched',
    ]);
  });

  it('is not fooled by other JSON', () => {
    expect(readOcdsPackage([1, 2]).problems).toEqual(['not a JSON object: not an OCDS package']);
    expect(readOcdsPackage({ data: [] }).problems).toEqual(['neither "releases" nor "records" nor "ocid": not an OCDS package']);
    expect(readOcdsPackage({ releases: [{ id: 'x' }, 'y'] }).problems).toEqual(['release 1 has no ocid: skipped', 'release 2 is not an object: skipped']);
  });
});

describe('OCDS dates', () => {
  it.each([
    ['2026-11-05T09:30:00-03:00', { at: '2026-11-05T12:30:00.000Z', zone: '-03:00', zoneKnown: true }],
    ['2018-01-24T04:00:00Z', { at: '2018-01-24T04:00:00.000Z', zone: '+00:00', zoneKnown: true }],
    ['2026-11-05T09:30:00.123456+0530', { at: '2026-11-05T04:00:00.123Z', zone: '+05:30', zoneKnown: true }],
    ['2026-11-05T09:30:00', { at: '2026-11-05T09:30:00.000Z', zone: null, zoneKnown: false }],
    ['2026-11-05', { at: '2026-11-05T23:59:00.000Z', zone: null, zoneKnown: false }],
  ])('%s', (raw, expected) => {
    expect(isoDeadline(raw)).toEqual({ raw, ...expected });
  });

  it('refuses non-dates', () => {
    expect(isoDeadline('next week')).toBeNull();
    expect(isoDeadline('2026-13-45T10:00:00Z')).toBeNull();
  });
});

describe('ocds.fetch', () => {
  afterEach(() => {
    delete process.env.OCDS_PACKAGE_URL;
  });

  it('reads a package from a file path without the network', async () => {
    const source = fromFile('release-package.json');
    const { notices, problems } = await collect(source, context(noNetwork));
    expect(problems).toEqual([]);
    expect(noNetwork.urls).toEqual([]);
    expect(notices.map((n) => n.sourceId)).toEqual(['ocds-test01-2026-0042', 'ocds-test01-2026-0007']);
    expect(notices[0]).toMatchObject({ contentType: 'application/json', url: PACKAGE_URL });
    expect(JSON.parse(notices[0]!.payload)).toEqual(JSON.parse(RELEASE_PACKAGE).releases[1]);
  });

  it('reads a file: URL and reports linked releases per record', async () => {
    const source = createOcdsSource({ id: 't', name: 't', url: pathToFileURL(fixturePath('record-package.json')).href });
    const { notices, problems } = await collect(source, context(noNetwork));
    expect(notices.map((n) => n.sourceId)).toEqual(['ocds-test01-2026-0100', 'ocds-test01-2026-0101']);
    expect(problems).toEqual([expect.objectContaining({ message: expect.stringContaining('record ocds-test01-2026-0102: its 1 release(s) are linked by URL, not embedded') })]);
  });

  it('fetches an http(s) package through the shared client', async () => {
    const http = new FakeHttp((url) => (url.toString() === PACKAGE_URL ? RELEASE_PACKAGE : '{}'));
    const source = createOcdsSource({ id: 't', name: 't', url: PACKAGE_URL });
    expect(source.defaultBaseUrl).toBe('https://example.gov');
    const { notices } = await collect(source, context(http));
    expect(http.urls).toEqual([PACKAGE_URL]);
    expect(notices).toHaveLength(2);
  });

  it('a 403 and a non-JSON body are problems, not crashes', async () => {
    const refused = new FakeHttp((url) => {
      throw new HttpError(`GET ${url} failed: HTTP 403 Forbidden`, 403, url.toString());
    });
    const source = createOcdsSource({ id: 't', name: 't', url: PACKAGE_URL });
    expect((await collect(source, context(refused))).problems).toEqual([expect.objectContaining({ message: expect.stringContaining('package could not be read: GET') })]);
    const html = await collect(source, context(new FakeHttp(() => '<html>maintenance</html>')));
    expect(html.notices).toEqual([]);
    expect(html.problems).toEqual([expect.objectContaining({ message: 'package is not JSON ("<html>maintenance</html>")' })]);
  });

  it('a missing file is a problem', async () => {
    const { problems } = await collect(fromFile('no-such-package.json'), context(noNetwork));
    expect(problems[0]!.message).toMatch(/^package could not be read: ENOENT/);
  });

  it('ocds reads OCDS_PACKAGE_URL when it runs, and says so when it is unset', async () => {
    expect(ocds.status).toEqual({ supported: true });
    expect((await collect(ocds, context(noNetwork))).problems).toEqual([{ kind: 'problem', message: 'OCDS_PACKAGE_URL is not set: no OCDS package to read' }]);
    process.env.OCDS_PACKAGE_URL = fixturePath('release-package.json');
    expect((await collect(ocds, context(noNetwork))).notices).toHaveLength(2);
  });

  it('sample mode yields at most 10 releases', async () => {
    const pkg = JSON.parse(RELEASE_PACKAGE) as { releases: Array<Record<string, unknown>> };
    pkg.releases = Array.from({ length: 14 }, (_, i) => ({ ...pkg.releases[0], ocid: `ocds-test01-s${i}` }));
    const source = createOcdsSource({ id: 't', name: 't', url: PACKAGE_URL });
    const { notices } = await collect(source, context(new FakeHttp(() => JSON.stringify(pkg)), { sample: true }));
    expect(notices).toHaveLength(10);
  });
});

describe('ocds.parse', () => {
  const parsed = async (file: string) => {
    const { notices } = await collect(fromFile(file), context(noNetwork));
    return new Map(notices.map((n) => [n.sourceId, ocds.parse(n)]));
  };

  it('a tender amendment (latest release): fields, UNSPSC trimmed, offset deadline, buyer-side country only', async () => {
    const { notice, problems } = (await parsed('release-package.json')).get('ocds-test01-2026-0042')!;
    expect(problems).toEqual([]);
    expect(notice).toEqual({
      sourceId: 'ocds-test01-2026-0042',
      reference: 'LPN-42-2026',
      title: 'Adquisición de equipos de rayos X',
      description: 'Suministro e instalación de equipos de rayos X para hospitales regionales. Enmienda 1: plazo prorrogado.',
      buyer: 'Ministerio de Salud',
      countries: ['PY'],
      noticeType: 'amendment',
      noticeTypeLabel: 'tenderAmendment',
      procurementMethod: 'Licitación Pública Nacional (open)',
      category: 'goods',
      unspsc: ['42201701'],
      // the earlier of the release date (10 Oct) and the tender period start (1 Oct)
      publishedAt: '2026-10-01T13:00:00.000Z',
      deadline: { at: '2026-11-19T12:30:00.000Z', raw: '2026-11-19T09:30:00-03:00', zone: '-03:00', zoneKnown: true },
      status: null,
      value: { amount: 1250000000, currency: 'PYG' },
      language: 'es',
      url: PACKAGE_URL,
      projectId: null,
      identifiers: { ocid: 'ocds-test01-2026-0042', releaseId: 'ocds-test01-2026-0042-amendment-2' },
    });
    expect(validateTenderInput(notice!)).toEqual([]);
  });

  it('the first release of that ocid: document URL, HTML description, additional UNSPSC classifications', () => {
    const release = JSON.parse(RELEASE_PACKAGE).releases[0];
    const { notice } = ocds.parse({ sourceId: release.ocid, payload: JSON.stringify(release), contentType: 'application/json', url: PACKAGE_URL, fetchedAt: '' });
    expect(notice).toMatchObject({
      noticeType: 'invitation_to_bid',
      description: 'Suministro e instalación de equipos de rayos X para hospitales regionales.',
      unspsc: ['42201701', '42201700'],
      url: 'https://example.gov/docs/LPN-42-2026/pliego.pdf',
      deadline: { at: '2026-11-05T12:30:00.000Z' },
    });
  });

  it('an award release: contract_award, awarded, consultingServices → consulting, procuringEntity as buyer', async () => {
    const { notice } = (await parsed('release-package.json')).get('ocds-test01-2026-0007')!;
    expect(notice).toMatchObject({
      noticeType: 'contract_award',
      status: 'awarded',
      category: 'consulting',
      buyer: 'Roads Directorate',
      countries: ['PY'],
      procurementMethod: 'selective',
      language: 'en',
      publishedAt: '2026-10-12T12:00:00.000Z',
    });
  });

  it('record package: compiled release (services → non_consulting) and a cancelled tender', async () => {
    const notices = await parsed('record-package.json');
    expect(notices.get('ocds-test01-2026-0100')!.notice).toMatchObject({
      title: 'Maintenance services for pumping stations (updated)',
      category: 'non_consulting',
      buyer: 'Water Services Authority',
      deadline: { at: '2026-11-09T03:00:00.000Z', zone: '+11:00', zoneKnown: true },
      publishedAt: '2026-10-01T22:00:00.000Z',
      status: null,
      url: 'https://example.gov/ocds/record-package/2026-10-14.json',
    });
    const cancelled = notices.get('ocds-test01-2026-0101')!;
    expect(cancelled.notice).toMatchObject({ status: 'cancelled', category: 'goods', countries: [] });
    expect(cancelled.problems).toEqual(['no buyer or procuring entity']);
  });

  it.each([
    ['', 'payload is not valid JSON'],
    ['[]', 'payload is not a JSON object'],
    ['{"id": "x"}', 'release has no ocid'],
  ])('returns no notice for %j', (payload, problem) => {
    expect(ocds.parse({ sourceId: 'x', payload, contentType: 'application/json', url: null, fetchedAt: '' })).toEqual({ notice: null, problems: [problem] });
  });
});
