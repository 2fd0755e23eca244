import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FetchProblem, RawNotice, ScrapeContext } from '../../scrapers/contract.js';
import {
  afdb,
  afdbFeedUrls,
  findDeadlineInText,
  guessLanguage,
  readRssItem,
  rssDate,
  sliceRssItems,
} from '../../scrapers/afdb.js';
import { HttpError, type HttpClient } from '../../scrapers/http-client.js';
import { validateTenderInput } from '../../src/ingest/validate.js';
import { FakeHttp } from '../helpers/fake-http.js';

const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(`../fixtures/afdb/${name}`, import.meta.url)), 'utf8');
const SPN = fixture('spn-rss.xml');
const GPN = fixture('gpn-rss.xml');
const BASE = 'https://www.afdb.org';
const [SPN_URL, GPN_URL] = afdbFeedUrls(BASE) as [string, string];

/** These feeds are served by their full URL string. */
const fakeHttp = (serve: (url: string) => string) => new FakeHttp((url) => serve(url.href));

const forbidden = (url: string): never => {
  throw new HttpError(`GET ${url} failed: HTTP 403 Forbidden`, 403, url);
};

function site(pages: Record<string, string | ((url: string) => string)>): FakeHttp {
  return fakeHttp((url) => {
    const page = pages[url];
    if (typeof page === 'function') return page(url);
    if (page === undefined) throw new HttpError(`GET ${url} failed: HTTP 404 Not Found`, 404, url);
    return page;
  });
}

function context(http: HttpClient, over: Partial<ScrapeContext> = {}): ScrapeContext {
  return { http, baseUrl: BASE, sample: false, since: null, log: () => {}, ...over };
}

async function collect(ctx: ScrapeContext): Promise<{ notices: RawNotice[]; problems: FetchProblem[] }> {
  const notices: RawNotice[] = [];
  const problems: FetchProblem[] = [];
  for await (const item of afdb.fetch(ctx)) {
    if ('kind' in item) problems.push(item);
    else notices.push(item);
  }
  return { notices, problems };
}

describe('RSS mechanics', () => {
  it('slices items exactly as received, stepping over CDATA and comments', () => {
    const xml = '<rss><channel><item><title><![CDATA[a </item> b]]></title><!-- </item> --></item>\n<item id="2"><title>c</title></item></channel></rss>';
    expect(sliceRssItems(xml)).toEqual(['<item><title><![CDATA[a </item> b]]></title><!-- </item> --></item>', '<item id="2"><title>c</title></item>']);
    expect(sliceRssItems('<item><title>unterminated')).toEqual([]);
    expect(sliceRssItems(SPN)).toHaveLength(3);
  });

  it('reads an item: entities decoded once (the description stays HTML), numeric guid kept a string', () => {
    const item = readRssItem('<item><title>A &amp; B</title><description>&lt;p&gt;x&amp;nbsp;y&lt;/p&gt;</description><guid isPermaLink="false">00123</guid><dc:creator>me</dc:creator></item>');
    expect(item).toEqual({ title: 'A & B', link: null, descriptionHtml: '<p>x&nbsp;y</p>', pubDate: null, guid: '00123', creator: 'me' });
  });

  it('refuses DOCTYPE and entity declarations in an item', () => {
    expect(() => readRssItem('<!DOCTYPE x [<!ENTITY a "aaaa">]><item><title>&a;</title></item>')).toThrow('refused');
  });

  it('reads RFC 822 dates', () => {
    expect(rssDate('Tue, 06 Oct 2026 09:12:45 +0000')).toBe('2026-10-06T09:12:45.000Z');
    expect(rssDate('Tue, 06 Oct 2026 09:12:45 +0300')).toBe('2026-10-06T06:12:45.000Z');
    expect(rssDate('yesterday')).toBeNull();
  });

  it.each([
    ['The deadline for submission of bids is 16 November 2026 at 10:00 hours (EAT).', { at: '2026-11-16T07:00:00.000Z', raw: '16 November 2026 at 10:00 hours (EAT)', zone: 'Africa/Nairobi', zoneKnown: true }],
    ['La date limite de dépôt des offres est fixée au 3 décembre 2026 à 10h00 (heure locale).', { at: '2026-12-03T09:00:00.000Z', raw: '3 décembre 2026 à 10h00 (heure locale)', zone: 'Africa/Tunis', zoneKnown: true }],
    ['Closing date: 20th October 2026', { at: '2026-10-20T23:59:00.000Z', raw: '20th October 2026', zone: null, zoneKnown: false }],
    ['Date limite : 1er février 2027 à 15:30', { at: '2027-02-01T15:30:00.000Z', raw: '1er février 2027 à 15:30', zone: null, zoneKnown: false }],
    ['Submission deadline: October 30, 2026 at 4:00 PM Abidjan time', { at: '2026-10-30T16:00:00.000Z', raw: 'October 30, 2026 at 4:00 PM Abidjan time', zone: 'Africa/Abidjan', zoneKnown: true }],
  ])('deadline in %j', (text, expected) => {
    expect(findDeadlineInText(text, text.includes('offres') ? 'TN' : null)).toEqual(expected);
  });

  it('no labelled date, no deadline', () => {
    expect(findDeadlineInText('Published on 3 October 2026. Bids are due soon.', null)).toBeNull();
    expect(findDeadlineInText('Deadline: to be announced', null)).toBeNull();
  });

  it('guesses French and English', () => {
    expect(guessLanguage("Avis d'appel d'offres pour la réhabilitation des routes et des ponts")).toBe('fr');
    expect(guessLanguage('Invitation for bids for the supply of meters and the installation of pumps')).toBe('en');
    expect(guessLanguage('Kenya')).toBeNull();
  });
});

describe('afdb.fetch', () => {
  it('reads both feeds, one notice per item, an item in both feeds once', async () => {
    const http = site({ [SPN_URL]: SPN, [GPN_URL]: GPN });
    const { notices, problems } = await collect(context(http));
    expect(problems).toEqual([]);
    expect(http.urls).toEqual([SPN_URL, GPN_URL]);
    expect(notices.map((n) => n.sourceId)).toEqual([
      '98765 at https://www.afdb.org',
      '98801 at https://www.afdb.org',
      '98850 at https://www.afdb.org',
      '98700 at https://www.afdb.org',
    ]);
    expect(JSON.parse(notices[0]!.payload)).toEqual({ feed: SPN_URL, item: sliceRssItems(SPN)[0] });
    expect(notices[0]).toMatchObject({ contentType: 'application/xml', url: 'https://www.afdb.org/en/documents/kenya-nairobi-water-supply-improvement-project-supply-and-installation-bulk-water-meters' });
    for (const n of notices) expect(validateTenderInput(afdb.parse(n).notice!)).toEqual([]);
  });

  it('a 403 ends the run as one problem that points to UNGM agency 84', async () => {
    const http = site({ [SPN_URL]: forbidden, [GPN_URL]: GPN });
    const { notices, problems } = await collect(context(http));
    expect(notices).toEqual([]);
    expect(http.urls).toEqual([SPN_URL]);
    expect(problems).toEqual([
      { kind: 'problem', message: expect.stringMatching(/HTTP 403.*UNGM \(agency 84\)/), url: SPN_URL },
    ]);
  });

  it('a WAF challenge page (HTML with 200) and a 404 are problems; the other feed is still read', async () => {
    const challenge = await collect(context(site({ [SPN_URL]: '<!DOCTYPE html><html><title>Just a moment...</title></html>', [GPN_URL]: GPN })));
    expect(challenge.problems).toEqual([expect.objectContaining({ message: expect.stringContaining('not an RSS feed'), url: SPN_URL })]);
    expect(challenge.notices).toHaveLength(2);
    const missing = await collect(context(site({ [GPN_URL]: GPN })));
    expect(missing.problems).toEqual([expect.objectContaining({ message: expect.stringContaining('HTTP 404'), url: SPN_URL })]);
    expect(missing.notices).toHaveLength(2);
  });

  it('sample mode stops after the first feed', async () => {
    const http = site({ [SPN_URL]: SPN, [GPN_URL]: GPN });
    const { notices } = await collect(context(http, { sample: true }));
    expect(http.urls).toEqual([SPN_URL]);
    expect(notices).toHaveLength(3);
  });

  it('an unreadable item is a problem; the others are kept', async () => {
    const broken = SPN.replace('<title>Kenya', '<title><b>Kenya').replace('Meters</title>', 'Meters</title></i>');
    const { notices, problems } = await collect(context(site({ [SPN_URL]: broken, [GPN_URL]: GPN })));
    expect(problems).toEqual([expect.objectContaining({ message: expect.stringMatching(/^item 1 unreadable/) })]);
    expect(notices.map((n) => n.sourceId)).toContain('98801 at https://www.afdb.org');
  });
});

describe('afdb.parse', () => {
  const parsed = async () => {
    const { notices } = await collect(context(site({ [SPN_URL]: SPN, [GPN_URL]: GPN })));
    return new Map(notices.map((n) => [n.sourceId.split(' ')[0]!, afdb.parse(n)]));
  };

  it('an English SPN: country from the title, deadline with zone, project code, plain-text description', async () => {
    const { notice, problems } = (await parsed()).get('98765')!;
    expect(problems).toEqual([]);
    expect(notice).toMatchObject({
      sourceId: '98765 at https://www.afdb.org',
      title: 'Kenya - Nairobi Water Supply Improvement Project - Supply and Installation of Bulk Water Meters',
      countries: ['KE'],
      noticeType: 'invitation_to_bid',
      noticeTypeLabel: 'Specific Procurement Notice',
      category: 'goods',
      publishedAt: '2026-10-06T09:12:45.000Z',
      deadline: { at: '2026-11-16T07:00:00.000Z', zone: 'Africa/Nairobi', zoneKnown: true },
      language: 'en',
      projectId: 'P-KE-E00-012',
      status: null,
    });
    expect(notice!.description).toContain('The deadline for submission of bids is 16 November 2026 at 10:00 hours (EAT). Late bids will be rejected.');
    expect(notice!.description).not.toContain('<');
  });

  it('a French SPN: Tunisie → TN, French deadline in local time, language fr, works', async () => {
    const { notice, problems } = (await parsed()).get('98801')!;
    expect(problems).toEqual([]);
    expect(notice).toMatchObject({
      title: "Tunisie - Projet d'appui à la modernisation des infrastructures routières - Avis d'appel d'offres - Travaux de réhabilitation",
      countries: ['TN'],
      noticeType: 'invitation_to_bid',
      category: 'works',
      language: 'fr',
      deadline: { at: '2026-12-03T09:00:00.000Z', raw: '3 décembre 2026 à 10h00 (heure locale)', zone: 'Africa/Tunis', zoneKnown: true },
    });
  });

  it('a multinational REOI: no country, no problem; date-only deadline with zone unknown', async () => {
    const { notice, problems } = (await parsed()).get('98850')!;
    expect(problems).toEqual([]);
    expect(notice).toMatchObject({ countries: [], noticeType: 'expression_of_interest', category: 'consulting', deadline: { at: '2026-10-20T23:59:00.000Z', zoneKnown: false } });
  });

  it('a GPN whose title does not say so takes its type from the feed', async () => {
    const { notice } = (await parsed()).get('98700')!;
    expect(notice).toMatchObject({ noticeType: 'general_procurement_notice', noticeTypeLabel: 'General Procurement Notice', countries: ['ET'], deadline: null });
  });

  it('reports a deadline it cannot read', () => {
    const item = '<item><title>Ghana - Rural Roads - Invitation for Bids</title><link>https://www.afdb.org/en/documents/x</link><description>Deadline: see the bidding document</description><guid>1 at https://www.afdb.org</guid></item>';
    const { notice, problems } = afdb.parse({ sourceId: '1', payload: JSON.stringify({ feed: SPN_URL, item }), contentType: 'application/xml', url: null, fetchedAt: '' });
    expect(notice).toMatchObject({ countries: ['GH'], deadline: null, publishedAt: null });
    expect(problems).toEqual(['pubDate missing', 'deadline mentioned but no date read: "Deadline: see the bidding document"']);
  });

  it.each([
    ['', 'payload is not the {feed, item} JSON envelope'],
    ['{"feed": "x"}', 'envelope has no "item" XML'],
    ['{"item": "<html></html>"}', 'item XML unreadable: no <item> element'],
    ['{"item": "<item><title>x"}', expect.stringMatching(/^item XML unreadable: /)],
  ])('returns no notice for %j', (payload, problem) => {
    expect(afdb.parse({ sourceId: 'x', payload, contentType: 'application/xml', url: null, fetchedAt: '' })).toEqual({ notice: null, problems: [problem] });
  });
});
