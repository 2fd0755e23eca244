/**
 * Inter-American Development Bank procurement notices (SOURCES.md §6): not supported.
 *
 * The listing `https://projectprocurement.iadb.org/en/procurement-notices` is rendered in the
 * browser (R11 drives it with Selenium and pages by clicking). SOURCES.md "Decisions" asks for
 * a data endpoint the page itself calls, or the source marked unsupported: the material holds
 * none (`/api/procurement` appears only in public code and looks guessed), and the Power BI /
 * CKAN routes are reported robots.txt-blocked. We do not run a browser against the site.
 * Revisit when a documented endpoint is found; until then IDB notices are not collected.
 */
import type { FetchProblem, ParseOutcome, RawNotice, SourceDefinition } from './contract.js';

export const IDB_UNSUPPORTED_REASON =
  'The IDB notice listing is rendered by JavaScript in the browser (R11 uses Selenium); no documented data endpoint that the page calls was found, and the Power BI / CKAN routes are reported blocked by robots.txt.';

export const idb: SourceDefinition = {
  id: 'idb',
  name: 'Inter-American Development Bank procurement notices',
  defaultBaseUrl: 'https://projectprocurement.iadb.org',
  schedule: '0 5 * * *',
  politeness: {
    // Nothing is fetched. Kept at the project default should a supported route be added.
    minIntervalMs: 1000,
    robots: true,
  },
  status: { supported: false, reason: IDB_UNSUPPORTED_REASON },
  parserVersion: 1,
  async *fetch(): AsyncGenerator<RawNotice | FetchProblem> {
    yield { kind: 'problem', message: `idb is not supported: ${IDB_UNSUPPORTED_REASON}` };
  },
  parse(): ParseOutcome {
    return { notice: null, problems: [`idb is not supported: ${IDB_UNSUPPORTED_REASON}`] };
  },
};
