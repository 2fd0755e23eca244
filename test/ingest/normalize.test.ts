import { describe, expect, it } from 'vitest';
import {
  categoryFromLabel,
  categoryFromProcurementGroup,
  cleanText,
  countryZone,
  decodeEntities,
  findZoneInText,
  fixMojibake,
  gmtLabelToOffset,
  htmlToPlainText,
  languageCode,
  localToUtc,
  makeDeadline,
  mapNoticeType,
  normalizeOffset,
  parseClockTime,
  parseMonthDate,
  toCountryCode,
  toCountryCodes,
  tryMakeDeadline,
  zoneFromName,
} from '../../src/ingest/normalize.js';

describe('toCountryCode', () => {
  it.each([
    ['Gambia, The', 'GM'],
    ['Viet Nam', 'VN'],
    ["Côte d'Ivoire", 'CI'],
    ["Cote d'Ivoire", 'CI'],
    ['Côte-d’Ivoire', 'CI'],
    ['Bosnia And Herzegovina', 'BA'],
    ['Macedonia FYR', 'MK'],
    ['FYR Macedonia', 'MK'],
    ['North Macedonia', 'MK'],
    ['Kosovo', 'XK'],
    ['Congo, Democratic Republic of', 'CD'],
    ['Congo, Democratic Republic of the', 'CD'],
    ['Democratic Republic of the Congo', 'CD'],
    ['Congo, Republic of', 'CG'],
    ['Congo', 'CG'],
    ['Lao PDR', 'LA'],
    ['Turkiye', 'TR'],
    ['Türkiye', 'TR'],
    ['Syrian Arab Republic', 'SY'],
    ['Yemen, Republic of', 'YE'],
    ['Egypt, Arab Republic of', 'EG'],
    ['Iran, Islamic Republic of', 'IR'],
    ['Korea, Republic of', 'KR'],
    ['Micronesia, Federated States of', 'FM'],
    ['West Bank and Gaza', 'PS'],
    ['Kyrgyz Republic', 'KG'],
    ['Slovak Republic', 'SK'],
    ['Afghanistan', 'AF'],
    ['AFGHANISTAN', 'AF'],
    ['  afghanistan ', 'AF'],
    ['Bahamas, The', 'BS'],
    ['Venezuela, RB', 'VE'],
    ['Timor-Leste', 'TL'],
    ['St. Lucia', 'LC'],
  ])('%s → %s', (name, code) => {
    expect(toCountryCode(name)).toBe(code);
  });

  it('reads French and Spanish names', () => {
    expect(toCountryCode('Sénégal')).toBe('SN');
    expect(toCountryCode('Allemagne')).toBe('DE');
    expect(toCountryCode('République démocratique du Congo')).toBe('CD');
    expect(toCountryCode('Estados Unidos')).toBe('US');
    expect(toCountryCode('Perú')).toBe('PE');
    expect(toCountryCode('Haití')).toBe('HT');
  });

  it('reads alpha-3 and alpha-2 codes', () => {
    expect(toCountryCode('AFG')).toBe('AF');
    expect(toCountryCode('gmb')).toBe('GM');
    expect(toCountryCode('ke')).toBe('KE');
    expect(toCountryCode('XK')).toBe('XK');
    expect(toCountryCode('UK')).toBe('GB');
    expect(toCountryCode('QQ')).toBeNull();
  });

  it('does not confuse neighbours with similar names', () => {
    expect(toCountryCode('Niger')).toBe('NE');
    expect(toCountryCode('Nigeria')).toBe('NG');
    expect(toCountryCode('Guinea')).toBe('GN');
    expect(toCountryCode('Guinea-Bissau')).toBe('GW');
    expect(toCountryCode('Equatorial Guinea')).toBe('GQ');
    expect(toCountryCode('Sudan')).toBe('SD');
    expect(toCountryCode('South Sudan')).toBe('SS');
    expect(toCountryCode('Dominica')).toBe('DM');
    expect(toCountryCode('Dominican Republic')).toBe('DO');
  });

  it.each(['Multiple destinations', 'World', 'Global', 'Western and Central Africa', 'South Asia', 'Africa', 'Latin America and Caribbean', 'OECS Countries', '', 'Narnia'])(
    '%s → null',
    (name) => {
      expect(toCountryCode(name)).toBeNull();
    },
  );
});

describe('toCountryCodes', () => {
  it('de-duplicates in order and reports unknown names but not regions', () => {
    expect(toCountryCodes(['Kenya', 'Afghanistan', 'KEN', 'Multiple destinations', 'Narnia', 'World', 'AF'])).toEqual({
      codes: ['KE', 'AF'],
      unknown: ['Narnia'],
    });
  });
});

describe('text', () => {
  it('cleanText decodes entities, normalises to NFC and collapses whitespace', () => {
    expect(cleanText('  Caf\u0065\u0301 &amp; Co&nbsp;&ndash;\r\n\t Ltd  ')).toBe('Café & Co – Ltd');
    expect(cleanText(null)).toBe('');
    expect(cleanText('a < b & c')).toBe('a < b & c');
  });

  it('decodeEntities handles the double-encoded EBRD form', () => {
    expect(decodeEntities('&amp;ETH;&amp;#144;')).toBe('Ð\u0090');
  });

  it('fixMojibake repairs UTF-8 read as Latin-1 / Windows-1252', () => {
    expect(fixMojibake('Ukraine: Tender No. Ð\u0090 2.1')).toBe('Ukraine: Tender No. А 2.1');
    expect(fixMojibake('Ministryâ€™s')).toBe('Ministry’s');
    expect(fixMojibake(cleanText('&amp;ETH;&amp;#144;'))).toBe('А');
  });

  it('fixMojibake leaves genuine accents and dashes alone', () => {
    expect(fixMojibake('Côte d’Ivoire – café')).toBe('Côte d’Ivoire – café');
    expect(fixMojibake('Ã')).toBe('Ã');
    expect(fixMojibake('plain ascii')).toBe('plain ascii');
  });

  it('htmlToPlainText keeps structure, drops link URLs and images, collapses blanks', () => {
    const html =
      '<h4>Contract Award</h4><p><b>Project:</b> P179311 &ndash; Water&nbsp;&nbsp;Relief<br/>Second   line</p>' +
      '<p>&nbsp;</p><p>&nbsp;</p><p>See <a href="https://example.org/x">the website</a> <img src="a.png" alt="logo"></p>' +
      '<ul><li>one</li><li>two</li></ul><table><tr><td>Bid Price</td><td>AFN 46702.00</td></tr></table>';
    expect(htmlToPlainText(html)).toBe(
      'Contract Award\n\nProject: P179311 – Water Relief\nSecond line\n\nSee the website\n\n* one\n* two\n\nBid Price AFN 46702.00',
    );
    expect(htmlToPlainText('')).toBe('');
    expect(htmlToPlainText(null)).toBe('');
  });
});

describe('mapNoticeType', () => {
  it.each([
    ['Invitation to bid', 'invitation_to_bid'],
    ['Invitation for Bids', 'invitation_to_bid'],
    ['Request for Bids', 'invitation_to_bid'],
    ['Invitation For Tenders Two Stage', 'invitation_to_bid'],
    ['Specific Procurement Notice', 'invitation_to_bid'],
    ['Request for quotation', 'request_for_quotation'],
    ['RFQ', 'request_for_quotation'],
    ['Request for proposal', 'request_for_proposal'],
    ['Request for Proposals', 'request_for_proposal'],
    ['Request for Expression of Interest', 'expression_of_interest'],
    ['Call for individual consultants', 'expression_of_interest'],
    ['General Procurement Notice', 'general_procurement_notice'],
    ['Contract Award', 'contract_award'],
    ['Contract  Award  Notice', 'contract_award'],
    ['Shortlist Notice', 'other'],
    ['Notices of Prequalified Participants', 'other'],
    ['Invitation For Prequalification', 'prequalification'],
    ['Invitation                    For Prequalification', 'prequalification'],
    ['Addendum', 'amendment'],
    ['Corrigendum', 'amendment'],
    ['Amendment', 'amendment'],
    ['Ebrd Contract Notice Addendum', 'amendment'],
    ['Extension of Tender Submission', 'amendment'],
    ['Cancellation', 'cancellation'],
    ['Cancellation Notice', 'cancellation'],
  ])('English: %s → %s', (label, type) => {
    expect(mapNoticeType(label)).toBe(type);
  });

  it.each([
    ["Avis d'appel d'offres", 'invitation_to_bid'],
    ["Avis d’appel d’offres international", 'invitation_to_bid'],
    ["Sollicitation de manifestations d'intérêt", 'expression_of_interest'],
    ['Avis à manifestation d’intérêt', 'expression_of_interest'],
    ['Demande de cotation', 'request_for_quotation'],
    ['Demande de propositions', 'request_for_proposal'],
    ['Avis général de passation des marchés', 'general_procurement_notice'],
    ["Avis d'attribution de marché", 'contract_award'],
    ["Avis d'annulation", 'cancellation'],
    ['Rectificatif', 'amendment'],
  ])('French: %s → %s', (label, type) => {
    expect(mapNoticeType(label)).toBe(type);
  });

  it.each([
    ['Licitación Pública Internacional', 'invitation_to_bid'],
    ['Llamado a Licitación', 'invitation_to_bid'],
    ['Solicitud de Expresiones de Interés', 'expression_of_interest'],
    ['Solicitud de Cotizaciones', 'request_for_quotation'],
    ['Solicitud de Propuestas', 'request_for_proposal'],
    ['Aviso de Adjudicación', 'contract_award'],
    ['Enmienda', 'amendment'],
    ['Cancelación', 'cancellation'],
    ['Precalificación', 'prequalification'],
  ])('Spanish: %s → %s', (label, type) => {
    expect(mapNoticeType(label)).toBe(type);
  });

  it('unknown and empty labels are other', () => {
    expect(mapNoticeType('Not set')).toBe('other');
    expect(mapNoticeType('')).toBe('other');
    expect(mapNoticeType(null)).toBe('other');
    expect(mapNoticeType(undefined)).toBe('other');
  });
});

describe('categories and languages', () => {
  it('maps World Bank procurement groups', () => {
    expect(categoryFromProcurementGroup('GO')).toBe('goods');
    expect(categoryFromProcurementGroup('CW')).toBe('works');
    expect(categoryFromProcurementGroup('CS')).toBe('consulting');
    expect(categoryFromProcurementGroup('nc')).toBe('non_consulting');
    expect(categoryFromProcurementGroup('SE')).toBeNull();
    expect(categoryFromProcurementGroup(null)).toBeNull();
  });

  it('maps category labels in words', () => {
    expect(categoryFromLabel('Non-consulting Services')).toBe('non_consulting');
    expect(categoryFromLabel('Consultancy')).toBe('consulting');
    expect(categoryFromLabel('Travaux')).toBe('works');
    expect(categoryFromLabel('Goods')).toBe('goods');
    expect(categoryFromLabel('Something else')).toBeNull();
  });

  it('maps language names', () => {
    expect(languageCode('English')).toBe('en');
    expect(languageCode('French')).toBe('fr');
    expect(languageCode('Spanish; Castilian')).toBe('es');
    expect(languageCode('Portuguese')).toBe('pt');
    expect(languageCode('Klingon')).toBeNull();
  });
});

describe('dates and zones', () => {
  it('gmtLabelToOffset reads UNGM (GMT h.mm) offsets: the part after the dot is minutes', () => {
    expect(gmtLabelToOffset('GMT 4.30')).toBe('+04:30');
    expect(gmtLabelToOffset('(GMT -4.00)')).toBe('-04:00');
    expect(gmtLabelToOffset('GMT 0.00')).toBe('+00:00');
    expect(gmtLabelToOffset('GMT 5.45')).toBe('+05:45');
    expect(gmtLabelToOffset('GMT+4')).toBe('+04:00');
    expect(gmtLabelToOffset('no zone')).toBeNull();
  });

  it('normalizeOffset accepts the usual spellings and rejects nonsense', () => {
    expect(normalizeOffset('+04:30')).toBe('+04:30');
    expect(normalizeOffset('-4:00')).toBe('-04:00');
    expect(normalizeOffset('+4')).toBe('+04:00');
    expect(normalizeOffset('UTC-0430')).toBe('-04:30');
    expect(normalizeOffset('UTC')).toBe('+00:00');
    expect(normalizeOffset('+15:00')).toBeNull();
    expect(normalizeOffset('Europe/London')).toBeNull();
  });

  it('localToUtc converts fixed offsets', () => {
    expect(localToUtc('2026-10-19T23:59', '+04:30')).toBe('2026-10-19T19:29:00.000Z');
    expect(localToUtc('2026-10-20T08:00', '-4:00')).toBe('2026-10-20T12:00:00.000Z');
    expect(localToUtc('2026-10-20T08:00', gmtLabelToOffset('GMT -4.00')!)).toBe('2026-10-20T12:00:00.000Z');
    expect(localToUtc('2026-10-22T08:00', '+00:00')).toBe('2026-10-22T08:00:00.000Z');
  });

  it('localToUtc follows DST in IANA zones (Europe/London)', () => {
    expect(localToUtc('2026-01-15T12:00', 'Europe/London')).toBe('2026-01-15T12:00:00.000Z');
    expect(localToUtc('2026-07-15T12:00', 'Europe/London')).toBe('2026-07-15T11:00:00.000Z');
    // 2026-03-29 clocks go forward at 01:00 GMT; 00:59 is still GMT, 02:00 is BST
    expect(localToUtc('2026-03-29T00:59', 'Europe/London')).toBe('2026-03-29T00:59:00.000Z');
    expect(localToUtc('2026-03-29T02:00', 'Europe/London')).toBe('2026-03-29T01:00:00.000Z');
    // 2026-10-25 clocks go back
    expect(localToUtc('2026-10-24T12:00', 'Europe/London')).toBe('2026-10-24T11:00:00.000Z');
    expect(localToUtc('2026-10-26T12:00', 'Europe/London')).toBe('2026-10-26T12:00:00.000Z');
  });

  it('localToUtc returns null for bad input', () => {
    expect(localToUtc('2026-02-31T12:00', 'UTC')).toBeNull();
    expect(localToUtc('22-Oct-2026 08:00', 'UTC')).toBeNull();
    expect(localToUtc('2026-10-22T08:00', 'Mars/Olympus')).toBeNull();
  });

  it('makeDeadline keeps the zone or flags it unknown', () => {
    expect(makeDeadline('22-Oct-2026 08:00 (GMT 4.30)', '2026-10-22T08:00', '+04:30')).toEqual({
      at: '2026-10-22T03:30:00.000Z',
      raw: '22-Oct-2026 08:00 (GMT 4.30)',
      zone: '+04:30',
      zoneKnown: true,
    });
    expect(makeDeadline('x', '2026-06-28T18:00', 'Europe/Brussels').at).toBe('2026-06-28T16:00:00.000Z');
    expect(makeDeadline('x', '2026-06-28T18:00', null)).toEqual({
      at: '2026-06-28T18:00:00.000Z',
      raw: 'x',
      zone: null,
      zoneKnown: false,
    });
    expect(makeDeadline('x', '2026-06-28T18:00', 'Not/AZone').zoneKnown).toBe(false);
    expect(() => makeDeadline('x', 'garbage', null)).toThrow(RangeError);
    expect(tryMakeDeadline('x', 'garbage', null)).toBeNull();
  });

  it('parseMonthDate reads dd-Mon-yyyy and dd-Mon-yy', () => {
    expect(parseMonthDate('12-Jun-2026')).toBe('2026-06-12');
    expect(parseMonthDate('05-Oct-2026')).toBe('2026-10-05');
    expect(parseMonthDate('13-Aug-26')).toBe('2026-08-13');
    expect(parseMonthDate('5 October 2026')).toBe('2026-10-05');
    expect(parseMonthDate('31-Feb-2026')).toBeNull();
    expect(parseMonthDate('12-Foo-2026')).toBeNull();
    expect(parseMonthDate('')).toBeNull();
    expect(parseMonthDate(null)).toBeNull();
  });

  it('parseClockTime reads 12 and 24 hour clocks', () => {
    expect(parseClockTime('18:00')).toBe('18:00');
    expect(parseClockTime('4:00PM')).toBe('16:00');
    expect(parseClockTime('12:30 a.m.')).toBe('00:30');
    expect(parseClockTime('16h00')).toBe('16:00');
    expect(parseClockTime('25:00')).toBeNull();
  });

  it('zoneFromName understands abbreviations, offsets, cities and local time', () => {
    expect(zoneFromName('CET')).toBe('Europe/Brussels');
    expect(zoneFromName('EST')).toBe('America/New_York');
    expect(zoneFromName('GMT+4')).toBe('+04:00');
    expect(zoneFromName('UTC -05:00')).toBe('-05:00');
    expect(zoneFromName('Kabul Local Time')).toBe('Asia/Kabul');
    expect(zoneFromName('Washington DC time')).toBe('America/New_York');
    expect(zoneFromName('Bangladesh Standard Time')).toBe('Asia/Dhaka');
    expect(zoneFromName('BST', 'BD')).toBe('Asia/Dhaka');
    expect(zoneFromName('local time', 'KE')).toBe('Africa/Nairobi');
    expect(zoneFromName('local time', 'US')).toBeNull();
    expect(zoneFromName('local time')).toBeNull();
    expect(zoneFromName('heure de Dakar')).toBe('Africa/Dakar');
  });

  it('countryZone knows single-zone countries only', () => {
    expect(countryZone('AF')).toBe('Asia/Kabul');
    expect(countryZone('XK')).toBe('Europe/Belgrade');
    expect(countryZone('BR')).toBeNull();
  });

  it('findZoneInText prefers the phrase at the deadline time', () => {
    const text = 'Bids by June 28, 2026, at 18:00 CET. Office hours 9:00 to 17:00 (Kabul local time).';
    expect(findZoneInText(text, { time: '18:00' })).toMatchObject({ zone: 'Europe/Brussels', matched: '18:00 CET' });
    expect(findZoneInText(text, { time: '09:00' }).ambiguous).toBe(true);
    expect(findZoneInText('at 4:00PM (Kabul Local Time)', { time: '16:00' }).zone).toBe('Asia/Kabul');
    expect(findZoneInText('avant le 12 juin 2026 à 16h00 heure locale', { time: '16:00', countryCode: 'SN' }).zone).toBe('Africa/Dakar');
    expect(findZoneInText('not later than 14:00 GMT+4', { time: '14:00' }).zone).toBe('+04:00');
    expect(findZoneInText('Le dossier est disponible à 10:00.', { time: '10:00' })).toEqual({ zone: null, matched: null, ambiguous: false });
  });
});
