/**
 * Shared normalization helpers for every source parser: countries → ISO 3166-1 alpha-2,
 * HTML → plain text, entity/whitespace/mojibake clean-up, notice-type vocabulary,
 * procurement category, language names, and local date/time → UTC.
 *
 * All functions are pure. The ones that can fail return null (documented per function);
 * only `makeDeadline` throws, on an unreadable local time (use `tryMakeDeadline` to get null).
 * See /work/shared/SOURCES.md "Notes for the normaliser".
 */
import { createRequire } from 'node:module';
import * as cheerio from 'cheerio';
import { Parser } from 'htmlparser2';
import countries from 'i18n-iso-countries';
import { DateTime, FixedOffsetZone, IANAZone } from 'luxon';
import type { Category, DeadlineInput, NoticeType } from '../../scrapers/contract.js';

// ---------------------------------------------------------------------------------------------
// Countries
// ---------------------------------------------------------------------------------------------

const require = createRequire(import.meta.url);
type LocaleData = Parameters<typeof countries.registerLocale>[0];
for (const lang of ['en', 'fr', 'es'] as const) {
  countries.registerLocale(require(`i18n-iso-countries/langs/${lang}.json`) as LocaleData);
}

/** Lower case, no accents, `&`→and, punctuation dropped, single spaces: the lookup key for names. */
export function countryKey(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/['’‘`´]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/**
 * World Bank / UN / EBRD / UNDP spellings the i18n-iso-countries names don't cover (or cover
 * ambiguously: plain "Congo" is both CD and CG there; ISO's short name "Congo" is CG).
 * Keys are written naturally and passed through countryKey().
 */
const COUNTRY_ALIASES: Record<string, string> = {
  'Gambia, The': 'GM',
  'Viet Nam': 'VN',
  'Lao PDR': 'LA',
  'Lao': 'LA',
  'Laos': 'LA',
  "Lao People's Democratic Republic": 'LA',
  'Kosovo': 'XK',
  'Congo': 'CG',
  'Congo, Republic of': 'CG',
  'Congo, Rep.': 'CG',
  'Congo Brazzaville': 'CG',
  'Congo, Democratic Republic of': 'CD',
  'Congo, Democratic Republic of the': 'CD',
  'Congo, Dem. Rep.': 'CD',
  'Democratic Republic of Congo': 'CD',
  'DR Congo': 'CD',
  'DRC': 'CD',
  'Congo Kinshasa': 'CD',
  'République démocratique du Congo': 'CD',
  'RDC': 'CD',
  'Turkiye': 'TR',
  'Türkiye': 'TR',
  'Syrian Arab Republic': 'SY',
  'Syria': 'SY',
  'Yemen, Republic of': 'YE',
  'Yemen, Rep.': 'YE',
  'Republic of Yemen': 'YE',
  'Egypt, Arab Republic of': 'EG',
  'Egypt, Arab Rep.': 'EG',
  'Arab Republic of Egypt': 'EG',
  'Iran, Islamic Republic of': 'IR',
  'Iran, Islamic Rep.': 'IR',
  'Korea, Republic of': 'KR',
  'Korea, Rep.': 'KR',
  'Republic of Korea': 'KR',
  'Korea': 'KR',
  "Korea, Democratic People's Republic of": 'KP',
  "Democratic People's Republic of Korea": 'KP',
  'Micronesia, Federated States of': 'FM',
  'Micronesia, Fed. Sts.': 'FM',
  'Federated States of Micronesia': 'FM',
  'Micronesia': 'FM',
  'West Bank and Gaza': 'PS',
  'West Bank & Gaza': 'PS',
  'Palestinian Territories': 'PS',
  'Occupied Palestinian Territory': 'PS',
  'Kyrgyz Republic': 'KG',
  'Slovak Republic': 'SK',
  'Macedonia FYR': 'MK',
  'FYR Macedonia': 'MK',
  'Macedonia, FYR': 'MK',
  'Macedonia, former Yugoslav Republic of': 'MK',
  'former Yugoslav Republic of Macedonia': 'MK',
  'The former Yugoslav Republic of Macedonia': 'MK',
  'Macedonia': 'MK',
  'Republic of North Macedonia': 'MK',
  'Bosnia And Herzegovina': 'BA',
  'Bosnia-Herzegovina': 'BA',
  'Bosnia': 'BA',
  "Cote d'Ivoire": 'CI',
  'Ivory Coast': 'CI',
  'Venezuela, Republica Bolivariana de': 'VE',
  'Venezuela, RB': 'VE',
  'Bolivarian Republic of Venezuela': 'VE',
  'Bolivia, Plurinational State of': 'BO',
  'Plurinational State of Bolivia': 'BO',
  'Tanzania, United Republic of': 'TZ',
  'Moldova': 'MD',
  'Republic of Moldova': 'MD',
  'Cabo Verde': 'CV',
  'Cape Verde': 'CV',
  'Swaziland': 'SZ',
  'Kingdom of Eswatini': 'SZ',
  'Sao Tome and Principe': 'ST',
  'São Tomé and Príncipe': 'ST',
  'Bahamas, The': 'BS',
  'The Bahamas': 'BS',
  'Timor-Leste': 'TL',
  'East Timor': 'TL',
  'Burma': 'MM',
  'Myanmar': 'MM',
  'Russia': 'RU',
  'Hong Kong SAR, China': 'HK',
  'Macao SAR, China': 'MO',
  'Taiwan, China': 'TW',
  'St. Lucia': 'LC',
  'St. Kitts and Nevis': 'KN',
  'St. Vincent and the Grenadines': 'VC',
  'Saint Vincent and Grenadines': 'VC',
  'United States': 'US',
  'United Kingdom': 'GB',
  'Great Britain': 'GB',
  'Vatican': 'VA',
  'Holy See': 'VA',
  'Curacao': 'CW',
  'Czechia': 'CZ',
  'Czech Republic': 'CZ',
  'Brunei Darussalam': 'BN',
  'Brunei': 'BN',
  'Guinea-Bissau': 'GW',
  'UAE': 'AE',
  'U.A.E.': 'AE',
  'Somaliland': 'SO',
  'Zanzibar': 'TZ',
  // French / Spanish forms the locale files lack
  "République de Côte d'Ivoire": 'CI',
  'République du Congo': 'CG',
  'Congo (República del)': 'CG',
  'República del Congo': 'CG',
  'República Democrática del Congo': 'CD',
  'Laos (République démocratique populaire lao)': 'LA',
  'République centrafricaine': 'CF',
  'Haïti': 'HT',
  'Bénin': 'BJ',
  'Guinée-Bissau': 'GW',
  'Guinée équatoriale': 'GQ',
  'République dominicaine': 'DO',
  'Cisjordanie et Gaza': 'PS',
  'Ribera Occidental y Gaza': 'PS',
};

/**
 * Names that are not one country (regions, "several"): they map to null and are not
 * reported as unknown by toCountryCodes (UNGM `Multiple destinations`, World Bank region names).
 */
const NON_COUNTRY_PATTERNS: RegExp[] = [
  /^multiple( destinations| countries)?$/,
  /^(world|global|worldwide|international|regional|various|several countries|multi ?country|multinational|all countries|n a|none|not applicable|tbd|other)$/,
  /\b(region|regional)\b/,
  /^(africa|asia|europe|americas?|oceania|caribbean|pacific( islands)?|latin america|south asia|east asia|central asia|middle east|north africa|sub saharan africa|balkans|sahel|mena|lac|eca|eap|sar|afr|western balkans)$/,
  /\b(africa|asia|america|europe|pacific|caribbean|balkans)\b.*\b(and|&)\b/,
  /^(eastern|western|southern|northern|central|south|east|west|north) (and (eastern|western|southern|northern|central) )?(africa|asia|europe|balkans)$/,
  /^oecs( countries)?$/,
  /^(afrique|asie|europe|amerique latine|monde|mondial|plusieurs pays|multiples destinations|multinational|regional|mundial|varios paises|america latina|regional)$/,
];

let countryIndex: Map<string, string> | null = null;

function buildCountryIndex(): Map<string, string> {
  const index = new Map<string, string>();
  const add = (name: string, code: string): void => {
    const key = countryKey(name);
    if (key && !index.has(key)) index.set(key, code);
  };
  for (const [name, code] of Object.entries(COUNTRY_ALIASES)) add(name, code);
  for (const lang of ['en', 'fr', 'es']) {
    const names = countries.getNames(lang, { select: 'all' });
    for (const [code, list] of Object.entries(names)) {
      for (const name of list) add(name, code);
    }
  }
  return index;
}

/** True for `Multiple destinations`, `World`, `Global` and region names: not one country. */
export function isNonCountry(name: string): boolean {
  const key = countryKey(name);
  return key !== '' && NON_COUNTRY_PATTERNS.some((re) => re.test(key));
}

/**
 * ISO 3166-1 alpha-2 for a country name (English, French, Spanish, World Bank/UN spellings),
 * an alpha-3 or an alpha-2 code. Case-, accent- and punctuation-insensitive.
 * Null for regions, `Multiple destinations`, `World`, and names it does not know.
 */
export function toCountryCode(name: string): string | null {
  if (typeof name !== 'string') return null;
  const trimmed = name.normalize('NFC').trim();
  if (!trimmed) return null;
  if (/^[A-Za-z]{2}$/.test(trimmed)) {
    const code = trimmed.toUpperCase();
    if (code === 'XK' || countries.isValid(code)) return code;
    return code === 'UK' ? 'GB' : null;
  }
  if (/^[A-Za-z]{3}$/.test(trimmed)) {
    const code = trimmed.toUpperCase();
    if (code === 'XKX' || code === 'KSV') return 'XK';
    const a2 = countries.alpha3ToAlpha2(code);
    if (a2) return a2;
    // fall through: three-letter aliases such as DRC, UAE
  }
  if (isNonCountry(trimmed)) return null;
  countryIndex ??= buildCountryIndex();
  const key = countryKey(trimmed);
  const direct = countryIndex.get(key);
  if (direct) return direct;
  // "Gambia, The" → "The Gambia"; "Korea, Republic of" → "Republic of Korea"
  const comma = trimmed.indexOf(',');
  if (comma > 0) {
    const swapped = countryKey(`${trimmed.slice(comma + 1)} ${trimmed.slice(0, comma)}`);
    const hit = countryIndex.get(swapped);
    if (hit) return hit;
  }
  const withoutThe = key.replace(/^(the|la|le|les|el|los|las) /, '');
  if (withoutThe !== key) return countryIndex.get(withoutThe) ?? null;
  return null;
}

/**
 * Codes for several names, de-duplicated in first-seen order. `unknown` lists the names that
 * are neither a country nor a known region/"multiple" label (those are silently dropped).
 */
export function toCountryCodes(names: Iterable<string>): { codes: string[]; unknown: string[] } {
  const codes: string[] = [];
  const unknown: string[] = [];
  for (const raw of names) {
    const name = typeof raw === 'string' ? raw.trim() : '';
    if (!name) continue;
    const code = toCountryCode(name);
    if (code) {
      if (!codes.includes(code)) codes.push(code);
    } else if (!isNonCountry(name) && !unknown.includes(name)) {
      unknown.push(name);
    }
  }
  return { codes, unknown };
}

/**
 * One IANA zone per country, for "local time" in a notice. Generated from tzdata `zone.tab`
 * (countries with a single zone) plus hand-picked main zones for countries whose extra zones
 * share the main offset or are remote islands. Countries spanning several offsets (US, BR, MX,
 * ID, RU, CD, MN, AU, CA, KI, FM…) are absent on purpose: "local time" there is ambiguous.
 */
const COUNTRY_ZONE_TABLE =
  'AD:Europe/Andorra,AE:Asia/Dubai,AF:Asia/Kabul,AG:America/Antigua,AI:America/Anguilla,AL:Europe/Tirane,AM:Asia/Yerevan,AO:Africa/Luanda,AS:Pacific/Pago_Pago,AT:Europe/Vienna,AW:America/Aruba,AZ:Asia/Baku,BA:Europe/Sarajevo,BB:America/Barbados,BD:Asia/Dhaka,BE:Europe/Brussels,BF:Africa/Ouagadougou,BG:Europe/Sofia,BH:Asia/Bahrain,BI:Africa/Bujumbura,BJ:Africa/Porto-Novo,BM:Atlantic/Bermuda,BN:Asia/Brunei,BO:America/La_Paz,BS:America/Nassau,BT:Asia/Thimphu,BW:Africa/Gaborone,BY:Europe/Minsk,BZ:America/Belize,CF:Africa/Bangui,CG:Africa/Brazzaville,CH:Europe/Zurich,CI:Africa/Abidjan,CK:Pacific/Rarotonga,CM:Africa/Douala,CO:America/Bogota,CR:America/Costa_Rica,CU:America/Havana,CV:Atlantic/Cape_Verde,CW:America/Curacao,CZ:Europe/Prague,DJ:Africa/Djibouti,DK:Europe/Copenhagen,DM:America/Dominica,DO:America/Santo_Domingo,DZ:Africa/Algiers,EE:Europe/Tallinn,EG:Africa/Cairo,ER:Africa/Asmara,ET:Africa/Addis_Ababa,FI:Europe/Helsinki,FJ:Pacific/Fiji,FR:Europe/Paris,GA:Africa/Libreville,GB:Europe/London,GD:America/Grenada,GE:Asia/Tbilisi,GH:Africa/Accra,GM:Africa/Banjul,GN:Africa/Conakry,GQ:Africa/Malabo,GR:Europe/Athens,GT:America/Guatemala,GU:Pacific/Guam,GW:Africa/Bissau,GY:America/Guyana,HK:Asia/Hong_Kong,HN:America/Tegucigalpa,HR:Europe/Zagreb,HT:America/Port-au-Prince,HU:Europe/Budapest,IE:Europe/Dublin,IL:Asia/Jerusalem,IN:Asia/Kolkata,IQ:Asia/Baghdad,IR:Asia/Tehran,IS:Atlantic/Reykjavik,IT:Europe/Rome,JM:America/Jamaica,JO:Asia/Amman,JP:Asia/Tokyo,KE:Africa/Nairobi,KG:Asia/Bishkek,KH:Asia/Phnom_Penh,KM:Indian/Comoro,KN:America/St_Kitts,KP:Asia/Pyongyang,KR:Asia/Seoul,KW:Asia/Kuwait,KY:America/Cayman,LA:Asia/Vientiane,LB:Asia/Beirut,LC:America/St_Lucia,LI:Europe/Vaduz,LK:Asia/Colombo,LR:Africa/Monrovia,LS:Africa/Maseru,LT:Europe/Vilnius,LU:Europe/Luxembourg,LV:Europe/Riga,LY:Africa/Tripoli,MA:Africa/Casablanca,MC:Europe/Monaco,MD:Europe/Chisinau,ME:Europe/Podgorica,MG:Indian/Antananarivo,MK:Europe/Skopje,ML:Africa/Bamako,MM:Asia/Yangon,MO:Asia/Macau,MP:Pacific/Saipan,MR:Africa/Nouakchott,MS:America/Montserrat,MT:Europe/Malta,MU:Indian/Mauritius,MV:Indian/Maldives,MW:Africa/Blantyre,MZ:Africa/Maputo,NA:Africa/Windhoek,NC:Pacific/Noumea,NE:Africa/Niamey,NG:Africa/Lagos,NI:America/Managua,NL:Europe/Amsterdam,NO:Europe/Oslo,NP:Asia/Kathmandu,NR:Pacific/Nauru,NU:Pacific/Niue,OM:Asia/Muscat,PA:America/Panama,PE:America/Lima,PH:Asia/Manila,PK:Asia/Karachi,PL:Europe/Warsaw,PR:America/Puerto_Rico,PW:Pacific/Palau,PY:America/Asuncion,QA:Asia/Qatar,RO:Europe/Bucharest,RS:Europe/Belgrade,RW:Africa/Kigali,SA:Asia/Riyadh,SB:Pacific/Guadalcanal,SC:Indian/Mahe,SD:Africa/Khartoum,SE:Europe/Stockholm,SG:Asia/Singapore,SI:Europe/Ljubljana,SK:Europe/Bratislava,SL:Africa/Freetown,SM:Europe/San_Marino,SN:Africa/Dakar,SO:Africa/Mogadishu,SR:America/Paramaribo,SS:Africa/Juba,ST:Africa/Sao_Tome,SV:America/El_Salvador,SY:Asia/Damascus,SZ:Africa/Mbabane,TD:Africa/Ndjamena,TG:Africa/Lome,TH:Asia/Bangkok,TJ:Asia/Dushanbe,TL:Asia/Dili,TM:Asia/Ashgabat,TN:Africa/Tunis,TO:Pacific/Tongatapu,TR:Europe/Istanbul,TT:America/Port_of_Spain,TV:Pacific/Funafuti,TW:Asia/Taipei,TZ:Africa/Dar_es_Salaam,UG:Africa/Kampala,UY:America/Montevideo,VA:Europe/Vatican,VC:America/St_Vincent,VE:America/Caracas,VN:Asia/Ho_Chi_Minh,VU:Pacific/Efate,WS:Pacific/Apia,YE:Asia/Aden,ZA:Africa/Johannesburg,ZM:Africa/Lusaka,ZW:Africa/Harare,' +
  // hand-picked: extra zones share the offset, or are remote islands
  'AR:America/Argentina/Buenos_Aires,CL:America/Santiago,CN:Asia/Shanghai,CY:Asia/Nicosia,DE:Europe/Berlin,EC:America/Guayaquil,ES:Europe/Madrid,KZ:Asia/Almaty,MH:Pacific/Majuro,MY:Asia/Kuala_Lumpur,NZ:Pacific/Auckland,PG:Pacific/Port_Moresby,PS:Asia/Hebron,PT:Europe/Lisbon,UA:Europe/Kyiv,UZ:Asia/Tashkent,XK:Europe/Belgrade';

const COUNTRY_ZONES: ReadonlyMap<string, string> = new Map(
  COUNTRY_ZONE_TABLE.split(',').map((pair) => pair.split(':') as [string, string]),
);

/** The single IANA zone of a country (alpha-2), or null when it has several offsets / is unknown. */
export function countryZone(code: string | null | undefined): string | null {
  return code ? (COUNTRY_ZONES.get(code.toUpperCase()) ?? null) : null;
}

// ---------------------------------------------------------------------------------------------
// Text
// ---------------------------------------------------------------------------------------------

const ENTITY_RE = /&(?:#\d{1,7}|#x[0-9a-f]{1,6}|[a-z][a-z0-9]{1,31});/i;

/**
 * Decode HTML character references (all HTML5 named ones) via cheerio's parser. `<` is escaped
 * first so the input is read as text, never as markup. Decodes twice when the first pass still
 * leaves references (EBRD double-encodes: `&amp;ETH;&amp;#144;`, SOURCES.md §7).
 */
export function decodeEntities(s: string): string {
  let out = s;
  for (let pass = 0; pass < 2 && ENTITY_RE.test(out); pass++) {
    out = cheerio.load(out.replace(/</g, '&lt;'), null, false).text();
  }
  return out;
}

/** Windows-1252 characters in 0x80–0x9F, reversed: what a cp1252 mis-read turned each byte into. */
const CP1252_REVERSE: ReadonlyMap<string, number> = new Map(
  [...'€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ'].map((ch, i) => [ch, 0x80 + i]),
);
const MOJIBAKE_RUN = /[\u0080-\u00ff€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]{2,}/g;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Repair UTF-8 that was read as Latin-1/Windows-1252 (`Ð\u0090` → `А`, `â€™` → `’`).
 * Each run of high characters is turned back into bytes and decoded as strict UTF-8; a run is
 * replaced only when that decode succeeds (so genuine `café` or `–` stays as it is).
 */
export function fixMojibake(s: string): string {
  if (!/[\u0080-\u00ff]/.test(s)) return s;
  return s.replace(MOJIBAKE_RUN, (run) => {
    const bytes: number[] = [];
    for (const ch of run) {
      const code = ch.charCodeAt(0);
      bytes.push(code <= 0xff ? code : (CP1252_REVERSE.get(ch) ?? -1));
    }
    if (bytes.includes(-1)) return run;
    try {
      const decoded = strictUtf8.decode(Uint8Array.from(bytes));
      // round trip: the repaired text must encode back to exactly these bytes
      const again = Buffer.from(decoded, 'utf8');
      return again.length === bytes.length && again.every((b, i) => b === bytes[i]) ? decoded : run;
    } catch {
      return run;
    }
  });
}

/** NFC, HTML entities decoded, all whitespace runs (incl. NBSP, CR/LF) → one space, trimmed. */
export function cleanText(s: string | null | undefined): string {
  if (s == null) return '';
  return decodeEntities(String(s))
    .normalize('NFC')
    .replace(/[\s\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]+/g, ' ')
    .trim();
}

/** cleanText, but null for an empty result. */
export function cleanOrNull(s: string | null | undefined): string | null {
  const out = cleanText(s);
  return out === '' ? null : out;
}

// Elements whose boundaries are line breaks in the text; their content stays.
const BLOCK_TAGS = new Set([
  'address', 'article', 'aside', 'blockquote', 'br', 'dd', 'div', 'dl', 'dt', 'fieldset', 'figcaption', 'figure', 'footer',
  'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'li', 'main', 'nav', 'ol', 'p', 'pre', 'section', 'table',
  'tbody', 'thead', 'tfoot', 'tr', 'ul', 'caption',
]);
// Elements whose content is not text a reader sees.
const SKIP_TAGS = new Set(['script', 'style', 'noscript', 'template', 'head', 'title', 'svg', 'img', 'object', 'iframe']);
const CELL_TAGS = new Set(['td', 'th']);

/**
 * Markup to text with htmlparser2's streaming parser (entities decoded, malformed markup
 * tolerated): block elements become line breaks, table cells are separated, scripts, styles
 * and images are dropped, links keep their text only.
 */
function htmlText(html: string): string {
  const out: string[] = [];
  let skip = 0;
  const parser = new Parser(
    {
      onopentagname(name) {
        if (SKIP_TAGS.has(name)) skip++;
        else if (name === 'li') out.push('\n* ');
        else if (BLOCK_TAGS.has(name)) out.push('\n');
        else if (CELL_TAGS.has(name)) out.push(' ');
      },
      ontext(text) {
        if (skip === 0) out.push(text);
      },
      onclosetag(name, isImplied) {
        if (SKIP_TAGS.has(name)) skip = Math.max(0, skip - 1);
        else if (name !== 'li' && BLOCK_TAGS.has(name) && !isImplied) out.push('\n');
        else if (CELL_TAGS.has(name)) out.push(' ');
      },
    },
    { decodeEntities: true, lowerCaseTags: true, recognizeSelfClosing: true },
  );
  parser.write(html);
  parser.end();
  return out.join('');
}

/**
 * HTML → plain text (htmlparser2: entities decoded, no word wrap, links as their text only,
 * images and scripts dropped). Whitespace collapsed within each line, runs of blank lines
 * collapsed to one.
 */
export function htmlToPlainText(html: string | null | undefined): string {
  if (html == null || html === '') return '';
  let text: string;
  try {
    text = htmlText(String(html));
  } catch {
    // The parser tolerates bad markup; should it ever throw, fall back to tag stripping.
    text = String(html).replace(/<[^>]*>/g, ' ');
  }
  const lines = text
    .normalize('NFC')
    .split(/\r\n|\r|\n/)
    .map((line) => line.replace(/[\s\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]+/g, ' ').trim());
  const out: string[] = [];
  for (const line of lines) {
    if (line === '' && (out.length === 0 || out[out.length - 1] === '')) continue;
    out.push(line);
  }
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Vocabularies
// ---------------------------------------------------------------------------------------------

/** Lower case, no accents, apostrophes unified, whitespace collapsed: the key for label tables. */
export function labelKey(label: string): string {
  return label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/['’‘`´]/g, "'")
    .replace(/[\s\u00a0]+/g, ' ')
    .trim()
    .toLowerCase();
}

/**
 * Notice-type rules, first match wins, so the order matters: amendments and cancellations of
 * an invitation are amendments/cancellations; results (awards) come before solicitations.
 *
 * Decisions:
 * - `Call for individual consultants` (UNGM) → expression_of_interest: it invites individuals to
 *   apply/express interest; there is no bid or proposal price at that stage.
 * - `Request for information` → expression_of_interest (market sounding; firms answer by
 *   expressing interest).
 * - `Shortlist Notice` (EBRD) and `Notices of Prequalified Participants` → other: they publish
 *   the outcome of an EOI/prequalification stage. Not an award (the contract is still to be
 *   let) and no longer open to new firms.
 * - `Specific Procurement Notice` (AfDB/AIIB) and `Invitation For Tenders …` (EBRD) →
 *   invitation_to_bid.
 * - `Extension of Tender Submission` (AIIB) → amendment.
 * - `Procurement Plan` → other.
 */
const NOTICE_TYPE_RULES: Array<[RegExp, NoticeType]> = [
  [/\b(cancel+ation|cancel+ed|annulation|annule|anulacion|cancelacion|anulado|cancelado|withdrawn|retrait)\b/, 'cancellation'],
  [/\b(addend(um|a)|corrigend(um|a)|amendment|amended|modification|rectificati(f|ve)|erratum|enmienda|adenda|modificacion|enmendado|extension of (tender|bid|the)? ?(submission|deadline|closing)|deadline extension|prorogation|report de (la )?date)\b/, 'amendment'],
  [/\b(short ?list(ed)?|prequalified (participants|firms|bidders|applicants)|liste restreinte|lista corta)\b/, 'other'],
  [/\b(contract award|award of contract|award notice|notification of award|awards?|avis d'attribution|attribution (du |de )?(marche|contrat)|adjudicacion|adjudicado|contrato adjudicado)\b/, 'contract_award'],
  [/\b(pre-? ?qualification|precalification|pre-? ?calificacion|precalificacion|pqq)\b/, 'prequalification'],
  [/\b(general procurement notice|gpn|avis general (de passation des marches|d'acquisition)|anuncio general (de adquisiciones)?|aviso general de adquisiciones)\b/, 'general_procurement_notice'],
  [/\b(expressions? of interest|eoi|reoi|call for individual consultants?|individual consultan(t|cy)|request for information|rfi|manifestations? d'interet|sollicitation de manifestation|avis a manifestation|ami|expresion(es)? de interes|solicitud de expresiones|llamado a expresiones)\b/, 'expression_of_interest'],
  [/\b(request for quotations?|rfq|invitation to quote|demande de (cotation|prix|devis)|solicitud de (cotizacion|cotizaciones)|shopping)\b/, 'request_for_quotation'],
  [/\b(request for proposals?|rfp|call for proposals?|demande de propositions?|appel a propositions?|solicitud de propuestas?|solicitud de propuesta|llamado a propuestas)\b/, 'request_for_proposal'],
  [/\b(invitation (to|for) (bids?|tenders?)|invitation for tenders?|invitation to tender|request for bids?|call for (bids?|tenders?)|itb|ifb|rfb|specific procurement notice|spn|tender notice|appel d'offres|avis d'appel|dossier d'appel|licitacion|llamado a licitacion|invitacion a licitar)\b/, 'invitation_to_bid'],
];

/** A source's notice-type label (English, French, Spanish) → the project vocabulary; unknown → other. */
export function mapNoticeType(label: string | null | undefined): NoticeType {
  if (!label) return 'other';
  const key = labelKey(label);
  if (!key) return 'other';
  for (const [re, type] of NOTICE_TYPE_RULES) {
    if (re.test(key)) return type;
  }
  return 'other';
}

/** World Bank `procurement_group` codes (SOURCES.md §2). `SE` is listed by R7 without meaning → null. */
const PROCUREMENT_GROUPS: Record<string, Category> = {
  GO: 'goods',
  CW: 'works',
  CS: 'consulting',
  NC: 'non_consulting',
};

/** World Bank `GO`/`CW`/`CS`/`NC` → category; null for anything else. */
export function categoryFromProcurementGroup(code: string | null | undefined): Category | null {
  if (!code) return null;
  return PROCUREMENT_GROUPS[code.trim().toUpperCase()] ?? null;
}

/**
 * A category label in words (`Goods`, `Works`, `Consultancy`, `Consulting Services`,
 * `Non-consulting services`, `Biens`, `Travaux`, `Obras`, `Servicios de consultoría`…) or a
 * World Bank group code → category; null when not recognised.
 */
export function categoryFromLabel(label: string | null | undefined): Category | null {
  if (!label) return null;
  const byCode = categoryFromProcurementGroup(label);
  if (byCode) return byCode;
  const key = labelKey(label);
  if (/\bnon[- ]?consult/.test(key) || /\b(services autres que|autres services|servicios distintos|servicios de no consultoria)\b/.test(key)) return 'non_consulting';
  if (/\b(consult\w*|advisory|consultoria)\b/.test(key)) return 'consulting';
  if (/\b(works?|civil works|construction|travaux|obras?)\b/.test(key)) return 'works';
  if (/\b(goods|supply|supplies|equipment|fournitures?|biens|bienes|suministros?)\b/.test(key)) return 'goods';
  return null;
}

/** Language names as sources write them (World Bank `notice_lang_name`) → ISO 639-1. */
const LANGUAGES: Record<string, string> = {
  english: 'en', french: 'fr', spanish: 'es', castilian: 'es', portuguese: 'pt', arabic: 'ar',
  russian: 'ru', chinese: 'zh', romanian: 'ro', moldavian: 'ro', moldovan: 'ro', ukrainian: 'uk',
  turkish: 'tr', vietnamese: 'vi', indonesian: 'id', mongolian: 'mn', georgian: 'ka',
  armenian: 'hy', azerbaijani: 'az', albanian: 'sq', serbian: 'sr', bosnian: 'bs',
  croatian: 'hr', macedonian: 'mk', bulgarian: 'bg', uzbek: 'uz', kazakh: 'kk', tajik: 'tg',
  kirghiz: 'ky', kyrgyz: 'ky', lao: 'lo', khmer: 'km', central_khmer: 'km', thai: 'th',
  burmese: 'my', bengali: 'bn', bangla: 'bn', nepali: 'ne', sinhala: 'si', sinhalese: 'si',
  persian: 'fa', farsi: 'fa', dari: 'fa', pashto: 'ps', pushto: 'ps', amharic: 'am',
  swahili: 'sw', somali: 'so', haitian: 'ht', haitian_creole: 'ht', german: 'de',
  italian: 'it', polish: 'pl', dutch: 'nl', flemish: 'nl', greek: 'el', hindi: 'hi',
  urdu: 'ur', korean: 'ko', japanese: 'ja', hebrew: 'he', malay: 'ms', tetum: 'tet',
  montenegrin: 'sr', hungarian: 'hu', czech: 'cs', slovak: 'sk', slovenian: 'sl',
  estonian: 'et', latvian: 'lv', lithuanian: 'lt', belarusian: 'be', turkmen: 'tk',
  malagasy: 'mg', kinyarwanda: 'rw', tigrinya: 'ti', hausa: 'ha', yoruba: 'yo',
  francais: 'fr', espanol: 'es', anglais: 'en', ingles: 'en', portugues: 'pt',
};

/**
 * A language name (`English`, `Spanish; Castilian`, `Français`) or code → ISO 639-1; null if unknown.
 * For `A; B` names the first part that is known wins.
 */
export function languageCode(name: string | null | undefined): string | null {
  if (!name) return null;
  const trimmed = name.trim();
  if (/^[a-z]{2}$/i.test(trimmed)) return trimmed.toLowerCase();
  for (const part of trimmed.split(/[;,/]/)) {
    const key = labelKey(part).replace(/[\s-]+/g, '_');
    const code = LANGUAGES[key];
    if (code) return code;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Dates and zones
// ---------------------------------------------------------------------------------------------

const OFFSET_RE = /^(?:(?:UTC|GMT)\s*)?([+\-−])\s*(\d{1,2})(?:[:.h]?(\d{2}))?$/i;

/**
 * A fixed offset written `+04:30`, `-4:00`, `+4`, `-0430`, `UTC+5`, `GMT-04.00` → `+04:30`
 * style; `UTC`/`GMT`/`Z` → `+00:00`; null when not an offset or beyond ±14:00.
 */
export function normalizeOffset(s: string): string | null {
  const t = s.trim();
  if (/^(utc|gmt|z)$/i.test(t)) return '+00:00';
  const m = OFFSET_RE.exec(t);
  if (!m) return null;
  const hours = Number(m[2]);
  const minutes = m[3] ? Number(m[3]) : 0;
  if (hours > 14 || minutes > 59 || (hours === 14 && minutes > 0)) return null;
  const sign = m[1] === '+' ? '+' : '-';
  return `${sign}${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`;
}

/**
 * UNGM's `GMT h.mm` (`GMT 4.30` = UTC+04:30, `GMT -4.00`, `GMT 0.00`; the part after the dot
 * is minutes, not a fraction: SOURCES.md §1) → `+04:30`; null if unreadable.
 */
export function gmtLabelToOffset(label: string): string | null {
  const m = /(?:GMT|UTC)\s*([+\-−])?\s*(\d{1,2})(?:[.:](\d{1,2}))?/i.exec(label);
  if (!m) return null;
  const sign = m[1] === '-' || m[1] === '−' ? '-' : '+';
  const minutes = m[3] ? m[3].padEnd(2, '0') : '00';
  return normalizeOffset(`${sign}${m[2]}:${minutes}`);
}

/** A luxon zone for an IANA name or a fixed offset; null when invalid. */
function toLuxonZone(zone: string): FixedOffsetZone | IANAZone | null {
  const offset = normalizeOffset(zone);
  if (offset) {
    const sign = offset.startsWith('-') ? -1 : 1;
    const [h, m] = offset.slice(1).split(':').map(Number) as [number, number];
    return FixedOffsetZone.instance(sign * (h * 60 + m));
  }
  const iana = IANAZone.create(zone.trim());
  return iana.isValid ? iana : null;
}

/** True for an IANA zone name or a fixed offset that localToUtc accepts. */
export function isValidZone(zone: string): boolean {
  return toLuxonZone(zone) !== null;
}

const LOCAL_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?$/;

/**
 * Local wall time `yyyy-MM-ddTHH:mm` (seconds optional) in `zone` (IANA `Europe/London`, or an
 * offset `+04:30`/`-4:00`) → UTC ISO with milliseconds (`2026-10-22T07:00:00.000Z`).
 * Null when the time or the zone is invalid. A wall time inside a DST gap moves forward (luxon).
 */
// Deadlines repeat (the same day and hour in the same zone across many notices), and luxon's
// zone arithmetic is the costly part of a parse: remember recent answers.
const utcCache = new Map<string, string | null>();
const UTC_CACHE_LIMIT = 50_000;

export function localToUtc(local: string, zone: string): string | null {
  if (typeof local !== 'string' || !LOCAL_RE.test(local.trim())) return null;
  const key = `${zone}|${local.trim()}`;
  const hit = utcCache.get(key);
  if (hit !== undefined) return hit;
  const z = toLuxonZone(zone);
  if (!z) return null;
  const dt = DateTime.fromISO(local.trim(), { zone: z });
  const out = dt.isValid ? dt.toUTC().toISO() : null;
  if (utcCache.size >= UTC_CACHE_LIMIT) utcCache.clear();
  utcCache.set(key, out);
  return out;
}

/**
 * A deadline from the source's raw text, the local wall time and its zone. With `zone` null the
 * local time is read as UTC and `zoneKnown` is false (contract.ts DeadlineInput).
 * An invalid zone is treated as unknown. Throws RangeError when `local` is unreadable.
 */
export function makeDeadline(raw: string, local: string, zone: string | null): DeadlineInput {
  if (zone !== null) {
    const at = localToUtc(local, zone);
    if (at) return { at, raw, zone: normalizeOffset(zone) ?? zone.trim(), zoneKnown: true };
  }
  const at = localToUtc(local, 'UTC');
  if (!at) throw new RangeError(`unreadable local date-time "${local}"`);
  return { at, raw, zone: null, zoneKnown: false };
}

/** makeDeadline, but null instead of throwing. */
export function tryMakeDeadline(raw: string, local: string, zone: string | null): DeadlineInput | null {
  try {
    return makeDeadline(raw, local, zone);
  } catch {
    return null;
  }
}

const MONTHS: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, sept: 9, oct: 10, nov: 11, dec: 12,
};

/**
 * `dd-Mon-yyyy` / `dd-Mon-yy` (also `d Mon yyyy`, full English month names; yy → 20yy) →
 * `yyyy-MM-dd`; null when unreadable or not a real date (31-Feb).
 */
export function parseMonthDate(s: string | null | undefined): string | null {
  if (!s) return null;
  const m = /^\s*(\d{1,2})[-\s/.]+([A-Za-z]{3,9})\.?[-\s/.,]+(\d{4}|\d{2})\s*$/.exec(s);
  if (!m) return null;
  const name = m[2]!.toLowerCase();
  const month = MONTHS[name] ?? MONTHS[name.slice(0, 3)];
  if (!month || (name.length > 4 && !FULL_MONTHS.includes(name))) return null;
  const year = m[3]!.length === 2 ? 2000 + Number(m[3]) : Number(m[3]);
  const dt = DateTime.fromObject({ year, month, day: Number(m[1]) }, { zone: 'UTC' });
  return dt.isValid ? dt.toISODate() : null;
}
const FULL_MONTHS = ['january', 'february', 'march', 'april', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/** A `yyyy-MM-dd` date → `yyyy-MM-ddT00:00:00.000Z` (publication dates without a time). */
export function dateToUtcMidnight(date: string | null): string | null {
  if (!date || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return null;
  const d = new Date(`${date}T00:00:00.000Z`);
  // Date rolls 2026-02-30 over to March; a real calendar date survives the round trip.
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(date) ? d.toISOString() : null;
}

/** `HH:mm`, `H:mm`, `4:00PM`, `4 pm`, `16h00`, `16.00` → `HH:mm` (24 h); null if unreadable. */
export function parseClockTime(s: string | null | undefined): string | null {
  if (!s) return null;
  const m = /^\s*(\d{1,2})(?:\s*[:.h]\s*(\d{2}))?\s*(?:(a|p)\.?\s*m\.?)?\s*(?:hrs?|hours|h)?\s*$/i.exec(s);
  if (!m || (!m[2] && !m[3])) return null;
  let hours = Number(m[1]);
  const minutes = m[2] ? Number(m[2]) : 0;
  if (m[3]) {
    if (hours < 1 || hours > 12) return null;
    const pm = m[3].toLowerCase() === 'p';
    hours = (hours % 12) + (pm ? 12 : 0);
  }
  if (hours > 23 || minutes > 59) return null;
  return `${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`;
}

/**
 * Zone abbreviations and names seen in notice texts → IANA zone or fixed offset.
 * Abbreviations are read as the wall clock of the place people mean, not the literal offset:
 * "18:00 CET" written for a June deadline means Central European wall time (CEST then), so
 * CET/CEST → Europe/Brussels (tzdata 2024b made `CET` a link to Europe/Brussels);
 * EST/EDT/"Washington time" → America/New_York (World Bank HQ, UN HQ). `IST` → India and
 * `BST` → Europe/London unless the notice's country says Bangladesh (the only ambiguous ones).
 */
const ZONE_ABBREVIATIONS: Record<string, string> = {
  gmt: '+00:00', utc: '+00:00', wet: 'Europe/Lisbon', west: 'Europe/Lisbon',
  cet: 'Europe/Brussels', cest: 'Europe/Brussels', met: 'Europe/Brussels', mez: 'Europe/Berlin',
  eet: 'Europe/Bucharest', eest: 'Europe/Bucharest', msk: 'Europe/Moscow',
  bst: 'Europe/London', ist: 'Asia/Kolkata',
  est: 'America/New_York', edt: 'America/New_York',
  cst: 'America/Chicago', cdt: 'America/Chicago', pst: 'America/Los_Angeles', pdt: 'America/Los_Angeles',
  wat: 'Africa/Lagos', cat: 'Africa/Maputo', eat: 'Africa/Nairobi', sast: 'Africa/Johannesburg',
  aft: 'Asia/Kabul', pkt: 'Asia/Karachi', npt: 'Asia/Kathmandu', ict: 'Asia/Bangkok',
  wib: 'Asia/Jakarta', wita: 'Asia/Makassar', wit: 'Asia/Jayapura', pht: 'Asia/Manila',
  sgt: 'Asia/Singapore', myt: 'Asia/Kuala_Lumpur', hkt: 'Asia/Hong_Kong', kst: 'Asia/Seoul', jst: 'Asia/Tokyo',
  gst: 'Asia/Dubai', trt: 'Europe/Istanbul', irst: 'Asia/Tehran',
  uzt: 'Asia/Tashkent', almt: 'Asia/Almaty', kgt: 'Asia/Bishkek', tjt: 'Asia/Dushanbe', get: 'Asia/Tbilisi',
  azt: 'Asia/Baku', ulat: 'Asia/Ulaanbaatar', mmt: 'Asia/Yangon',
  ect: 'America/Guayaquil', cot: 'America/Bogota', pet: 'America/Lima', bot: 'America/La_Paz',
  art: 'America/Argentina/Buenos_Aires', brt: 'America/Sao_Paulo', clt: 'America/Santiago',
  pyt: 'America/Asuncion', uyt: 'America/Montevideo', vet: 'America/Caracas',
};

/** Cities named in "Kabul Local Time", "Washington DC time", "heure de Dakar"… → IANA zone. */
const CITY_ZONES: Record<string, string> = {
  kabul: 'Asia/Kabul', dhaka: 'Asia/Dhaka', kathmandu: 'Asia/Kathmandu', islamabad: 'Asia/Karachi',
  karachi: 'Asia/Karachi', lahore: 'Asia/Karachi', delhi: 'Asia/Kolkata', 'new delhi': 'Asia/Kolkata',
  mumbai: 'Asia/Kolkata', colombo: 'Asia/Colombo', male: 'Indian/Maldives', thimphu: 'Asia/Thimphu',
  nairobi: 'Africa/Nairobi', 'addis ababa': 'Africa/Addis_Ababa', kampala: 'Africa/Kampala',
  'dar es salaam': 'Africa/Dar_es_Salaam', dodoma: 'Africa/Dar_es_Salaam', kigali: 'Africa/Kigali',
  lagos: 'Africa/Lagos', abuja: 'Africa/Lagos', accra: 'Africa/Accra', dakar: 'Africa/Dakar',
  abidjan: 'Africa/Abidjan', bamako: 'Africa/Bamako', ouagadougou: 'Africa/Ouagadougou',
  niamey: 'Africa/Niamey', conakry: 'Africa/Conakry', kinshasa: 'Africa/Kinshasa',
  lubumbashi: 'Africa/Lubumbashi', lusaka: 'Africa/Lusaka', harare: 'Africa/Harare',
  maputo: 'Africa/Maputo', lilongwe: 'Africa/Blantyre', antananarivo: 'Indian/Antananarivo',
  mogadishu: 'Africa/Mogadishu', juba: 'Africa/Juba', khartoum: 'Africa/Khartoum',
  cairo: 'Africa/Cairo', tunis: 'Africa/Tunis', rabat: 'Africa/Casablanca', amman: 'Asia/Amman',
  beirut: 'Asia/Beirut', baghdad: 'Asia/Baghdad', sanaa: 'Asia/Aden', aden: 'Asia/Aden',
  ramallah: 'Asia/Hebron', kyiv: 'Europe/Kyiv', kiev: 'Europe/Kyiv', tbilisi: 'Asia/Tbilisi',
  yerevan: 'Asia/Yerevan', baku: 'Asia/Baku', tashkent: 'Asia/Tashkent', dushanbe: 'Asia/Dushanbe',
  bishkek: 'Asia/Bishkek', almaty: 'Asia/Almaty', astana: 'Asia/Almaty', ulaanbaatar: 'Asia/Ulaanbaatar',
  hanoi: 'Asia/Ho_Chi_Minh', 'phnom penh': 'Asia/Phnom_Penh', vientiane: 'Asia/Vientiane',
  manila: 'Asia/Manila', jakarta: 'Asia/Jakarta', beijing: 'Asia/Shanghai', dili: 'Asia/Dili',
  washington: 'America/New_York', 'washington dc': 'America/New_York', 'washington d c': 'America/New_York',
  'new york': 'America/New_York', paris: 'Europe/Paris', london: 'Europe/London',
  brussels: 'Europe/Brussels', geneva: 'Europe/Zurich', rome: 'Europe/Rome', copenhagen: 'Europe/Copenhagen',
  vienna: 'Europe/Vienna', lima: 'America/Lima', bogota: 'America/Bogota', quito: 'America/Guayaquil',
  'la paz': 'America/La_Paz', 'buenos aires': 'America/Argentina/Buenos_Aires',
  'port au prince': 'America/Port-au-Prince', tegucigalpa: 'America/Tegucigalpa',
  managua: 'America/Managua', 'guatemala city': 'America/Guatemala', 'san salvador': 'America/El_Salvador',
  'santo domingo': 'America/Santo_Domingo', asuncion: 'America/Asuncion', montevideo: 'America/Montevideo',
  pristina: 'Europe/Belgrade', belgrade: 'Europe/Belgrade', sarajevo: 'Europe/Sarajevo', skopje: 'Europe/Skopje',
  tirana: 'Europe/Tirane', chisinau: 'Europe/Chisinau', ankara: 'Europe/Istanbul', istanbul: 'Europe/Istanbul',
};

/**
 * A zone as written in a notice → IANA zone or `+hh:mm`; null when not recognised.
 * Understands `GMT+4`, `UTC -05:00`, `GMT 4.30`, abbreviations (`CET`, `EST`, table above),
 * `<city> (local) time`, `<country> (local|standard) time`, and bare `local time` when
 * `countryCode` (the notice's country) has a single zone.
 */
export function zoneFromName(name: string, countryCode?: string | null): string | null {
  const raw = name.trim().replace(/^[([]\s*|\s*[)\]]$/g, '');
  if (!raw) return null;
  const offset = /^(?:GMT|UTC)\s*[+\-−]?\s*\d/i.test(raw) ? gmtLabelToOffset(raw) : normalizeOffset(raw);
  if (offset) return offset;
  const key = countryKey(raw);
  if (key === 'bst' && countryCode?.toUpperCase() === 'BD') return 'Asia/Dhaka';
  const abbr = ZONE_ABBREVIATIONS[key.replace(/ time$/, '')];
  if (abbr) return abbr;
  if (/^(central european|central europe)( summer| standard)? time$/.test(key)) return 'Europe/Brussels';
  if (/^(eastern)( standard| daylight)? time$/.test(key)) return 'America/New_York';
  const place = key
    .replace(/\b(local|standard|official|daylight|summer)\b/g, ' ')
    .replace(/\b(time|hours?|hrs)\b/g, ' ')
    .replace(/^(heure (de |d )?|hora (de )?)/, '')
    .replace(/\b(heure|hora|locale?)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (place === '') return /\b(local|locale)\b/.test(key) ? countryZone(countryCode) : null;
  const city = CITY_ZONES[place];
  if (city) return city;
  const country = toCountryCode(place);
  if (country) return countryZone(country);
  return null;
}

const ZONE_ABBREVIATION_RE = new RegExp(
  `\\b(${Object.keys(ZONE_ABBREVIATIONS).map((k) => k.toUpperCase()).join('|')})\\b`,
);
const TIME_RE = /(?<![\d:.,/])(\d{1,2})(?:\s*[:.h]\s*(\d{2}))?(?!\d)\s*(?:([AaPp])\.?\s*[Mm]\.?)?\s*(?:hrs?\.?|hours)?/y;
/** What may follow a time as its zone (case-sensitive for abbreviations: French "est" is a verb). */
const ZONE_AFTER_TIME_RE = new RegExp(
  [
    /(?:GMT|UTC)\s*[+\-−]\s*\d{1,2}(?:[:.]\d{2})?/.source,
    /(?:GMT|UTC)\b/.source,
    ZONE_ABBREVIATION_RE.source,
    /(?:[A-Z][A-Za-z'.-]*\s+){1,3}(?:[Ll]ocal\s+|[Ss]tandard\s+)?[Tt]ime\b/.source,
    /[Ll]ocal\s+(?:[Tt]ime|hours?)\b/.source,
    /heure\s+(?:locale|de\s+[A-Z][\w-]*|d'[A-Z][\w-]*|GMT|TU)\b/.source,
    /hora\s+(?:local|oficial|de\s+[A-Z][\w-]*)\b/.source,
  ]
    .map((s) => `(?:${s})`)
    .join('|'),
  'y',
);

export interface ZoneInText {
  /** IANA zone or `+hh:mm`; null when none or several disagreeing zones were found. */
  zone: string | null;
  /** The text that gave the zone, e.g. `18:00 CET`. */
  matched: string | null;
  /** True when the text names more than one zone and none sits next to the deadline time. */
  ambiguous: boolean;
}

/**
 * Find the zone a free text (a notice body) gives for its deadline: every "time + zone"
 * phrase (`18:00 CET`, `4:00PM (Kabul Local Time)`, `16h00 heure locale`, `10:00 GMT+4`) is
 * read; the one whose time equals `time` (`HH:mm`, the deadline's time) wins, else a zone all
 * phrases agree on. `countryCode` resolves a bare "local time".
 */
export function findZoneInText(
  text: string,
  opts: { time?: string | null; countryCode?: string | null } = {},
): ZoneInText {
  const found: Array<{ time: string | null; zone: string; matched: string }> = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) continue;
    if (i > 0 && /[\d:.,/]/.test(text[i - 1]!)) continue;
    TIME_RE.lastIndex = i;
    const t = TIME_RE.exec(text);
    if (!t || (!t[2] && !t[3])) continue;
    const time = parseClockTime(`${t[1]}${t[2] ? `:${t[2]}` : ''}${t[3] ? `${t[3]}m` : ''}`);
    let j = i + t[0].length;
    const gap = /^\s*[,([–-]?\s*/.exec(text.slice(j, j + 8));
    j += gap ? gap[0].length : 0;
    ZONE_AFTER_TIME_RE.lastIndex = j;
    const z = ZONE_AFTER_TIME_RE.exec(text);
    if (!z) continue;
    const zone = zoneFromName(z[0], opts.countryCode);
    if (zone) found.push({ time, zone, matched: text.slice(i, j + z[0].length) });
    i = j + z[0].length - 1;
  }
  if (found.length === 0) return { zone: null, matched: null, ambiguous: false };
  const atTime = opts.time ? found.find((f) => f.time === opts.time) : undefined;
  if (atTime) return { zone: atTime.zone, matched: atTime.matched, ambiguous: false };
  const zones = new Set(found.map((f) => f.zone));
  if (zones.size === 1) return { zone: found[0]!.zone, matched: found[0]!.matched, ambiguous: false };
  return { zone: null, matched: null, ambiguous: true };
}

// ---------------------------------------------------------------------------------------------
// Written dates in English, French and Spanish (added for the AIIB, AfDB and ADB sources)
// ---------------------------------------------------------------------------------------------

/** Month names and abbreviations, accent-free lower case (`fevrier`, `aout`, `decembre`). */
const WRITTEN_MONTHS: Record<string, number> = {
  january: 1, february: 2, march: 3, april: 4, may: 5, june: 6, july: 7, august: 8, september: 9, october: 10, november: 11, december: 12,
  jan: 1, feb: 2, mar: 3, apr: 4, jun: 6, jul: 7, aug: 8, sep: 9, sept: 9, oct: 10, nov: 11, dec: 12,
  janvier: 1, fevrier: 2, mars: 3, avril: 4, mai: 5, juin: 6, juillet: 7, aout: 8, septembre: 9, octobre: 10, novembre: 11, decembre: 12,
  janv: 1, fevr: 2, fev: 2, avr: 4, juil: 7,
  enero: 1, febrero: 2, marzo: 3, abril: 4, mayo: 5, junio: 6, julio: 7, agosto: 8, septiembre: 9, setiembre: 9, octubre: 10, noviembre: 11, diciembre: 12,
  ene: 1, abr: 4, ago: 8, dic: 12,
};
const WEEKDAY_PREFIX =
  /^(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|monday|tuesday|wednesday|thursday|friday|saturday|sunday|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lunes|martes|miercoles|jueves|viernes|sabado|domingo)\.?,?\s+/;

/**
 * A date written with a month name, day first or month first, in English, French or Spanish →
 * `yyyy-MM-dd`; null when unreadable or not a real date. Accepts the irregular spacing AIIB
 * publishes (`May29,2026`, `June 10,2026`), ordinals (`1st`, `1er`), `15 de octubre de 2026`
 * and a leading weekday (`Monday, 12 October 2026`). Two-digit years are not accepted.
 */
export function parseWrittenDate(s: string | null | undefined): string | null {
  if (typeof s !== 'string' || s.length > 80) return null;
  const t = s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[\s\u00a0]+/g, ' ')
    .trim()
    .replace(WEEKDAY_PREFIX, '');
  let day: string | undefined;
  let name: string | undefined;
  let year: string | undefined;
  const dayFirst = /^(\d{1,2})(?:st|nd|rd|th|er|re|e)?[\s\-/.,]*(?:de )?([a-z]{3,10})\.?[\s\-/.,]*(?:de )?(\d{4})$/.exec(t);
  const monthFirst = /^([a-z]{3,10})\.?[\s\-/.,]*(\d{1,2})(?:st|nd|rd|th)?[\s,.]*(\d{4})$/.exec(t);
  if (dayFirst) [, day, name, year] = dayFirst;
  else if (monthFirst) [, name, day, year] = monthFirst;
  else return null;
  const month = WRITTEN_MONTHS[name!];
  if (!month) return null;
  const dt = DateTime.fromObject({ year: Number(year), month, day: Number(day) }, { zone: 'UTC' });
  return dt.isValid ? dt.toISODate() : null;
}
