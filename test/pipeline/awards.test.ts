/**
 * A tender's award notice, when ingested, is linked to the pursuits that bid on it (same
 * reference), once; other notices and pursuits without a bid are left alone.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { linkAwardNotices } from '../../src/pipeline/awards.js';
import { pursuitHistory } from '../../src/pipeline/pursuits.js';
import { movePursuit } from '../../src/pipeline/service.js';
import { ADVISER, pipelineWorld, tender } from './helpers.js';

const BID = { bidAmount: 480_000, bidCurrency: 'USD', submittedOn: '2026-10-15' };
const award = (sourceId: string, reference: string, title: string) =>
  tender({ sourceId, reference, title, noticeType: 'contract_award', noticeTypeLabel: 'Contract Award', status: 'awarded', deadline: null, value: { amount: 455_000, currency: 'USD' } });

describe('award notices', () => {
  let w: Awaited<ReturnType<typeof pipelineWorld>>;
  let submitted: number;
  let interested: number;
  const pursuitOf = (alertId: number) => w.sqlite.prepare(`SELECT id, award_tender_id, award_linked_at FROM pursuits WHERE match_id = ?`).get(alertId) as { id: number; award_tender_id: number | null; award_linked_at: string | null };
  const linkEvents = () => w.sqlite.prepare(`SELECT match_id, payload FROM events WHERE type = 'pursuit.award_linked' ORDER BY id`).all() as { match_id: number; payload: string }[];

  beforeEach(async () => {
    w = await pipelineWorld();
    w.ingest([
      tender({ sourceId: 'itb-1', reference: 'KE-REA-2026-0042', title: 'Solar PV mini-grids for rural clinics', countries: ['KE'] }),
      tender({ sourceId: 'itb-2', reference: 'UG-MOH-2026-0100', title: 'Solar water pumping for health centres', countries: ['UG'], deadline: { at: '2026-12-01T08:00:00.000Z', raw: '', zone: null, zoneKnown: false } }),
    ]);
    submitted = w.alert('itb-1', 'hanbit');
    interested = w.alert('itb-2', 'hanbit');
    movePursuit(w.sqlite, 'hanbit', submitted, { stage: 'submitted', ...BID }, ADVISER);
    movePursuit(w.sqlite, 'hanbit', interested, { stage: 'interested' }, ADVISER);
  });
  afterEach(async () => w.close());

  it('links the award notice ingested with the same reference to the submitted pursuit, once', async () => {
    // The same reference written another way, on another notice.
    w.ingest([award('award-1', 'KE/REA/2026/0042', 'Contract award: solar PV mini-grids for rural clinics')]);
    const awardId = w.tenderId('award-1');
    const p = pursuitOf(submitted);
    expect(p.award_tender_id).toBe(awardId);
    expect(p.award_linked_at).toBeTypeOf('string');
    expect(pursuitHistory(w.sqlite, p.id).at(-1)).toMatchObject({ kind: 'award_linked', fromStage: 'submitted', toStage: 'submitted', actor: 'ingest', role: 'system', changes: { awardTenderId: { from: null, to: awardId } } });
    const events = linkEvents();
    expect(events.map((e) => e.match_id)).toEqual([submitted]);
    expect(JSON.parse(events[0].payload).data).toMatchObject({ alertId: submitted, to: 'submitted', awardNotice: { tenderId: awardId, title: 'Contract award: solar PV mini-grids for rural clinics' }, actor: { role: 'system' } });
    const shown = await w.call('GET', `/firms/hanbit/pipeline/${p.id}`, w.keys.firm);
    expect(shown.body.awardNotice).toMatchObject({ tenderId: awardId, url: 'https://example.org/notice/award-1' });

    // Idempotent: again directly, or the same notice ingested again or amended, links nothing more.
    expect(linkAwardNotices(w.sqlite, {})).toEqual([]);
    expect(linkAwardNotices(w.sqlite, { tenderIds: [awardId] })).toEqual([]);
    w.ingest([award('award-1', 'KE/REA/2026/0042', 'Contract award (amended): solar PV mini-grids for rural clinics')]);
    expect(linkEvents()).toHaveLength(1);
    expect(pursuitHistory(w.sqlite, p.id).filter((h) => h.kind === 'award_linked')).toHaveLength(1);
  });

  it('links nothing for another reference, a notice that is not an award, or a pursuit without a bid', () => {
    w.ingest([
      award('award-x', 'TZ-TANESCO-2026-0999', 'Contract award: transmission line towers'),
      tender({ sourceId: 'amend-1', reference: 'KE-REA-2026-0042', title: 'Amendment 1: solar PV mini-grids for rural clinics', noticeType: 'amendment', countries: ['KE'] }),
      award('award-2', 'UG-MOH-2026-0100', 'Contract award: solar water pumping for health centres'),
    ]);
    expect(pursuitOf(submitted).award_tender_id).toBeNull();
    // interested: no bid, so nothing to link yet.
    expect(pursuitOf(interested).award_tender_id).toBeNull();
    expect(linkEvents()).toEqual([]);
  });

  it('links an award notice that came first when the pursuit reaches submitted', () => {
    w.ingest([award('award-2', 'UG-MOH-2026-0100', 'Contract award: solar water pumping for health centres')]);
    expect(pursuitOf(interested).award_tender_id).toBeNull();
    movePursuit(w.sqlite, 'hanbit', interested, { stage: 'submitted', ...BID }, ADVISER);
    expect(pursuitOf(interested).award_tender_id).toBe(w.tenderId('award-2'));
    expect(linkEvents().map((e) => e.match_id)).toEqual([interested]);
  });

  it('is a function of its own: scoped to tenders or to pursuits', () => {
    w.ingest([award('award-1', 'KE-REA-2026-0042', 'Contract award: solar PV mini-grids')]);
    const awardId = w.tenderId('award-1');
    // Undo what the ingest did, to call the function alone.
    w.sqlite.prepare(`UPDATE pursuits SET award_tender_id = NULL, award_linked_at = NULL`).run();
    expect(linkAwardNotices(w.sqlite, { pursuitIds: [pursuitOf(interested).id] })).toEqual([]);
    expect(linkAwardNotices(w.sqlite, { tenderIds: [] })).toEqual([]);
    expect(linkAwardNotices(w.sqlite, { pursuitIds: [pursuitOf(submitted).id] })).toEqual([{ pursuitId: pursuitOf(submitted).id, awardTenderId: awardId }]);
    expect(linkAwardNotices(w.sqlite, { pursuitIds: [pursuitOf(submitted).id] })).toEqual([]);
  });
});
