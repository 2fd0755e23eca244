/**
 * A World Bank API mirror on 127.0.0.1 serving `count` generated notices, 100 a page, in the
 * shape the real `procnotices` endpoint answers (see test/fixtures/worldbank). `generation`
 * amends a slice of the notices, so successive runs produce new, amended and unchanged ones.
 */
import { startServer } from '../helpers/http-server.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const COUNTRIES = ['Kosovo', 'Kenya', 'Viet Nam', 'Peru', 'Nepal', 'Ghana', 'Bolivia', 'Mongolia', 'Senegal', 'Jordan'];
const GOODS = ['solar PV systems', 'water pumps', 'laboratory equipment', 'school furniture', 'LED street lighting', 'ambulances', 'IT servers', 'water meters'];
const PLACES = ['district hospitals', 'rural schools', 'the capital', 'regional clinics', 'border posts', 'municipal offices'];

/** `15-Oct-2026` for today (UTC): inside the incremental window of any later run. */
export function worldbankDate(d = new Date()): string {
  return `${String(d.getUTCDate()).padStart(2, '0')}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()}`;
}

export const noticeId = (i: number) => `OP9${String(i).padStart(7, '0')}`;

/** Notice i as the API would list it; generation g re-times the deadline of every 7th notice. */
export function worldbankRow(i: number, generation = 0, noticedate = worldbankDate()) {
  const amended = generation > 0 && i % 7 === generation % 7;
  const hour = amended ? 10 + (generation % 8) : 18;
  return {
    id: noticeId(i),
    notice_type: i % 5 === 0 ? 'Request for Expression of Interest' : 'Invitation for Bids',
    noticedate,
    notice_lang_name: 'English',
    notice_status: 'Published',
    submission_deadline_date: `2099-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 27) + 1).padStart(2, '0')}T00:00:00Z`,
    submission_deadline_time: `${hour}:00`,
    project_ctry_name: COUNTRIES[i % COUNTRIES.length],
    project_id: `P5${String(i).padStart(5, '0')}`,
    project_name: `Project ${i}`,
    bid_reference_no: `WB-${i}-GO-RFB-${(i * 7919) % 100_000}`,
    bid_description: `Supply of ${GOODS[i % GOODS.length]} for ${PLACES[(i >> 3) % PLACES.length]}, lot ${i}`,
    procurement_group: i % 3 === 0 ? 'CW' : 'GO',
    procurement_method_name: 'Request for Bids',
    contact_organization: `Ministry ${i % 40}, Project Management Unit`,
    notice_text: `<p><strong>INVITATION FOR BIDS</strong> lot ${i}.</p><p>Bids must be delivered on or before <strong>${hour}:00 CET</strong>.</p>`,
  };
}

export function worldbankPage(count: number, offset: number, rows: number, generation = 0, noticedate?: string): string {
  const items = [];
  for (let i = offset; i < Math.min(count, offset + rows); i++) items.push(worldbankRow(i, generation, noticedate));
  return JSON.stringify({ rows, os: String(offset), page: String(offset / rows + 1), total: String(count), procnotices: items });
}

/** The mirror; `state` can be changed between runs (generation, count, noticedate); `onPage` hears of each page served. */
export async function startWorldbankMirror(count: number) {
  const state = { count, generation: 0, noticedate: worldbankDate(), pagesServed: 0, onPage: null as null | ((n: number) => void) };
  const server = await startServer((req) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/robots.txt') return { status: 404, body: '' };
    if (url.pathname !== '/api/v2/procnotices') return { status: 404, body: 'not here' };
    const offset = Number(url.searchParams.get('os') ?? 0);
    const rows = Number(url.searchParams.get('rows') ?? 100);
    const body = worldbankPage(state.count, offset, rows, state.generation, state.noticedate);
    state.pagesServed++;
    // After the page is made: a change made here applies from the next page on.
    state.onPage?.(state.pagesServed);
    return { body };
  });
  return { ...server, state };
}
