/**
 * Regions a profile may name instead of listing countries (World Bank / UN groupings,
 * simplified). Region names are case-insensitive; anything else must be an ISO alpha-2 code.
 */
export const REGIONS: Record<string, string[]> = {
  'east-asia-pacific': ['CN', 'MN', 'KH', 'LA', 'MM', 'VN', 'TH', 'MY', 'ID', 'PH', 'TL', 'PG', 'FJ', 'SB', 'VU', 'WS', 'TO', 'KI', 'FM', 'MH', 'PW', 'TV', 'NR'],
  'southeast-asia': ['KH', 'LA', 'MM', 'VN', 'TH', 'MY', 'ID', 'PH', 'TL', 'SG', 'BN'],
  'south-asia': ['AF', 'BD', 'BT', 'IN', 'MV', 'NP', 'PK', 'LK'],
  'central-asia': ['KZ', 'KG', 'TJ', 'TM', 'UZ'],
  'europe-central-asia': ['AL', 'AM', 'AZ', 'BY', 'BA', 'GE', 'KZ', 'XK', 'KG', 'MD', 'ME', 'MK', 'RS', 'TJ', 'TR', 'TM', 'UA', 'UZ'],
  'middle-east-north-africa': ['DZ', 'BH', 'DJ', 'EG', 'IR', 'IQ', 'JO', 'KW', 'LB', 'LY', 'MA', 'OM', 'PS', 'QA', 'SA', 'SY', 'TN', 'AE', 'YE'],
  'east-africa': ['BI', 'KM', 'DJ', 'ER', 'ET', 'KE', 'MG', 'MW', 'MU', 'MZ', 'RW', 'SC', 'SO', 'SS', 'SD', 'TZ', 'UG', 'ZM', 'ZW'],
  'west-africa': ['BJ', 'BF', 'CV', 'CI', 'GM', 'GH', 'GN', 'GW', 'LR', 'ML', 'MR', 'NE', 'NG', 'SN', 'SL', 'TG'],
  'central-africa': ['AO', 'CM', 'CF', 'TD', 'CG', 'CD', 'GQ', 'GA', 'ST'],
  'southern-africa': ['BW', 'LS', 'NA', 'ZA', 'SZ', 'ZM', 'ZW', 'MZ', 'MW', 'AO', 'MG'],
  'latin-america-caribbean': ['AR', 'BZ', 'BO', 'BR', 'CL', 'CO', 'CR', 'CU', 'DM', 'DO', 'EC', 'SV', 'GD', 'GT', 'GY', 'HT', 'HN', 'JM', 'MX', 'NI', 'PA', 'PY', 'PE', 'LC', 'VC', 'SR', 'TT', 'UY', 'VE'],
  'pacific-islands': ['FJ', 'KI', 'MH', 'FM', 'NR', 'PW', 'PG', 'WS', 'SB', 'TO', 'TV', 'VU'],
};
REGIONS['africa'] = [...new Set([...REGIONS['east-africa'], ...REGIONS['west-africa'], ...REGIONS['central-africa'], ...REGIONS['southern-africa'], 'DZ', 'EG', 'LY', 'MA', 'TN'])];
REGIONS['asia'] = [...new Set([...REGIONS['east-asia-pacific'], ...REGIONS['south-asia'], ...REGIONS['central-asia']])];

export function isRegion(name: string): boolean {
  return Object.hasOwn(REGIONS, name.toLowerCase());
}

/** ISO codes for a list of codes and region names. */
export function expandRegions(entries: string[]): Set<string> {
  const out = new Set<string>();
  for (const e of entries) {
    const region = REGIONS[e.toLowerCase()];
    if (region) region.forEach((c) => out.add(c));
    else out.add(e.toUpperCase());
  }
  return out;
}
