/**
 * Conformance against the real OCDS publisher data in the shared fixtures folder
 * (/work/shared/fixtures/ocds, see PROVENANCE.md). Not copied into the project: read in place.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FetchProblem, ParseOutcome, RawNotice, ScrapeContext } from '../../scrapers/contract.js';
import type { HttpClient } from '../../scrapers/http-client.js';
import { createOcdsSource, readOcdsPackage } from '../../scrapers/ocds.js';
import { validateTenderInput } from '../../src/ingest/validate.js';

const SHARED = process.env.SHARED_FIXTURES_DIR ?? path.resolve(import.meta.dirname, '../../../shared/fixtures');
const DIR = path.join(SHARED, 'ocds');
const exists = existsSync(DIR);
if (!exists) console.warn(`shared fixtures absent (${DIR}): OCDS conformance tests skipped`);

const NSW = 'release-package_nsw-etendering_tender_unspsc.json';
const JALISCO = 'release-package_jalisco_tender.json';
const PARAGUAY = 'record-package_paraguay-dncp_284437.json';
const files = exists ? readdirSync(DIR).filter((f) => !f.startsWith('.')).sort() : [];

/** Files are read from disk: any request is a test failure. */
const noNetwork: HttpClient = {
  request: (url) => Promise.reject(new Error(`unexpected request to ${url}`)),
  getText: (url) => Promise.reject(new Error(`unexpected request to ${url}`)),
  getJson: (url) => Promise.reject(new Error(`unexpected request to ${url}`)),
  close: () => Promise.resolve(),
};

async function run(file: string): Promise<{ notices: RawNotice[]; problems: FetchProblem[]; parsed: Map<string, ParseOutcome> }> {
  const source = createOcdsSource({ id: 'ocds_fixture', name: file, url: path.join(DIR, file) });
  const ctx: ScrapeContext = { http: noNetwork, baseUrl: source.defaultBaseUrl, sample: false, since: null, log: () => {} };
  const notices: RawNotice[] = [];
  const problems: FetchProblem[] = [];
  for await (const item of source.fetch(ctx)) {
    if ('kind' in item) problems.push(item);
    else notices.push(item);
  }
  return { notices, problems, parsed: new Map(notices.map((n) => [n.sourceId, source.parse(n)])) };
}

describe.skipIf(!exists)('OCDS conformance (shared fixtures)', () => {
  it('finds the fixture files', () => {
    expect(files).toEqual([PARAGUAY, JALISCO, NSW]);
  });

  it.each(files)('%s: read; every notice validates; every problem is expected', async (file) => {
    const { notices, problems, parsed } = await run(file);
    if (file === PARAGUAY) {
      expect(notices).toEqual([]);
      expect(problems).toHaveLength(1);
      return;
    }
    expect(problems).toEqual([]);
    expect(notices.length).toBeGreaterThan(0);
    for (const [id, outcome] of parsed) {
      expect(outcome.problems, id).toEqual([]);
      expect(validateTenderInput(outcome.notice!), id).toEqual([]);
    }
  });

  it('NSW eTendering: UNSPSC " 80131503" trimmed, UTC deadline, complete → closed', async () => {
    const { parsed } = await run(NSW);
    const { notice } = parsed.get('ocds-43qwtd-RFT-6B3C8D82-C664-CEEB-881AFF1660306567')!;
    expect(notice).toEqual({
      sourceId: 'ocds-43qwtd-RFT-6B3C8D82-C664-CEEB-881AFF1660306567',
      reference: 'EOI -00001',
      title: 'Leasing of Irrigation land',
      description: 'Leasing of Irrigation land',
      buyer: 'Hawkesbury City Council',
      countries: [],
      noticeType: 'invitation_to_bid',
      noticeTypeLabel: 'tender',
      procurementMethod: 'open',
      category: null,
      unspsc: ['80131503'],
      publishedAt: '2017-12-15T00:16:18.000Z',
      deadline: { at: '2018-01-24T04:00:00.000Z', raw: '2018-01-24T04:00:00Z', zone: '+00:00', zoneKnown: true },
      status: 'closed',
      value: null,
      language: 'en',
      url: 'http://tenders.nsw.gov.au/?event=public.RFT.viewDocuments&rftuuid=6B3C8D82-C664-CEEB-881AFF1660306567',
      projectId: null,
      identifiers: { ocid: 'ocds-43qwtd-RFT-6B3C8D82-C664-CEEB-881AFF1660306567', releaseId: 'RFT-6B3C8D82-C664-CEEB-881AFF1660306567' },
    });
  });

  it('Jalisco: MXN value, Spanish, México → MX, buyer, method details, package uri as URL', async () => {
    const { parsed } = await run(JALISCO);
    const { notice } = parsed.get('ocds-xs1qbl-SFIN-03-0001-00-2017')!;
    expect(notice).toMatchObject({
      title: 'FORMAS IMPRESAS',
      description: 'PARA LA COORDINACION DE ALMACENES DISTRIBUCION Y SERVICIOS',
      buyer: 'SEPAF | SECRETARíA DE PLANEACIóN, ADMINISTRACIóN Y FINANZAS (SUB-FINANZAS)',
      countries: ['MX'],
      value: { amount: 10348360, currency: 'MXN' },
      language: 'es',
      category: 'goods',
      procurementMethod: 'Licitación Pública (open)',
      noticeType: 'invitation_to_bid',
      status: null,
      deadline: null,
      unspsc: [],
      publishedAt: '2018-01-18T04:39:51.000Z',
      url: 'https://contratacionesabiertas.jalisco.gob.mx/OCApi/release/ocds-xs1qbl-SFIN-03-0001-00-2017-20180118T043951992Z-tender',
      identifiers: { ocid: 'ocds-xs1qbl-SFIN-03-0001-00-2017', releaseId: 'ocds-xs1qbl-SFIN-03-0001-00-2017-20180118T043951992Z-tender' },
    });
  });

  it('Paraguay DNCP: the linked (not embedded) releases are reported with their URL', async () => {
    const { notices, problems } = await run(PARAGUAY);
    expect(notices).toEqual([]);
    expect(problems).toEqual([
      {
        kind: 'problem',
        message:
          'record ocds-03ad3f-284437: its 1 release(s) are linked by URL, not embedded (https://www.contrataciones.gov.py/datos/id/planning/284437-adquisicion-equipamientos-medicos-servicio-emergencia-medicas-extra-hospit.json); linked releases are not fetched',
        url: path.join(DIR, PARAGUAY),
      },
    ]);
    const pkg = readOcdsPackage(JSON.parse(readFileSync(path.join(DIR, PARAGUAY), 'utf8')));
    expect(pkg.kind).toBe('record package');
    expect(pkg.uri).toBe('https://www.contrataciones.gov.py/datos/record-package/284437.json');
  });
});
