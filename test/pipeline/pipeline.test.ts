/**
 * The pipeline API: a firm records its pursuit from interest to the award, with validated
 * figures; advisers move any pursuit and follow it; events go out to webhooks; a firm key never
 * sees another firm's pipeline (404).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEndpoint } from '../../src/webhooks/endpoints.js';
import { pipelineWorld, tender } from './helpers.js';

describe('pipeline API', () => {
  let w: Awaited<ReturnType<typeof pipelineWorld>>;
  let alertId: number;
  let otherAlert: number;
  const move = (body: object, key = w.keys.firm, id = alertId, firm = 'hanbit') => w.call('POST', `/firms/${firm}/alerts/${id}/pursuit`, key, body);

  beforeEach(async () => {
    w = await pipelineWorld();
    w.ingest([
      tender({ sourceId: 'ke-solar', reference: 'KE-REA-2026-0042', title: 'Solar PV mini-grids for rural clinics', countries: ['KE'], buyer: 'UNDP Kenya' }),
      tender({ sourceId: 'af-cctv', reference: 'AF-MOI-2026-0007', title: 'CCTV for border posts', countries: ['AF'], buyer: 'UNOPS' }),
    ]);
    alertId = w.alert('ke-solar', 'hanbit');
    otherAlert = w.alert('af-cctv', 'secu');
  });
  afterEach(async () => w.close());

  it('takes a pursuit from interest to the award, with a history of who did what and when', async () => {
    const start = await move({ stage: 'interested', note: 'fits our 2 MW range' });
    expect(start.status).toBe(201);
    expect(start.body).toMatchObject({ alertId, firmId: 'hanbit', stage: 'interested', bid: null, contract: null, assignee: null, tender: { title: 'Solar PV mini-grids for rural clinics', countries: ['KE'] } });
    expect((await move({ stage: 'preparing' })).status).toBe(200);
    const submitted = await move({ stage: 'submitted', bidAmount: 1_250_000.5, bidCurrency: 'usd', submittedOn: '2026-10-01', note: 'joint bid with the Nairobi partner' });
    expect(submitted.status).toBe(200);
    expect(submitted.body.bid).toEqual({ amount: 1_250_000.5, currency: 'USD', submittedOn: '2026-10-01' });
    const won = await move({ stage: 'won', contractValue: 1_180_000, contractCurrency: 'EUR', awardedOn: '2026-11-02' }, w.keys.adviser);
    expect(won.body).toMatchObject({ stage: 'won', contract: { value: 1_180_000, currency: 'EUR', awardedOn: '2026-11-02' } });

    const detail = await w.call('GET', `/firms/hanbit/pipeline/${won.body.id}`, w.keys.firm);
    expect(detail.status).toBe(200);
    expect(detail.body.history.map((h: any) => [h.fromStage, h.toStage, h.role, h.note])).toEqual([
      [null, 'interested', 'firm', 'fits our 2 MW range'],
      ['interested', 'preparing', 'firm', null],
      ['preparing', 'submitted', 'firm', 'joint bid with the Nairobi partner'],
      ['submitted', 'won', 'adviser', null],
    ]);
    expect(detail.body.history.every((h: any) => typeof h.at === 'string' && h.actor.length > 0)).toBe(true);

    const list = await w.call('GET', '/firms/hanbit/pipeline?stage=won', w.keys.firm);
    expect(list.body.items.map((p: any) => p.id)).toEqual([won.body.id]);
    expect((await w.call('GET', '/firms/hanbit/pipeline?stage=lost', w.keys.firm)).body.items).toEqual([]);
  });

  it('marks the alert interested when a pursuit starts, unless the firm marked it itself', async () => {
    const firmState = (id: number) => (w.sqlite.prepare(`SELECT firm_state, firm_reason FROM matches WHERE id = ?`).get(id) as { firm_state: string; firm_reason: string | null });
    expect(firmState(alertId).firm_state).toBe('new');
    expect((await move({ stage: 'preparing' })).status).toBe(201);
    // Deadline reminders and the deadlines calendar follow alerts marked interested.
    expect(firmState(alertId)).toEqual({ firm_state: 'interested', firm_reason: 'pursuit started' });
    const alert = await w.call('GET', `/firms/hanbit/alerts/${alertId}`, w.keys.firm);
    expect(alert.body.firmState).toBe('interested');
    const logged = w.sqlite.prepare(`SELECT action, reason_code, note FROM curation_actions WHERE match_id = ? AND action = 'feedback'`).all(alertId);
    expect(logged).toEqual([{ action: 'feedback', reason_code: 'interested', note: 'pursuit started' }]);

    // The firm's own "not relevant" stands; a pursuit that starts as no bid marks nothing.
    w.ingest([
      tender({ sourceId: 'ke-pumps', reference: 'KE-WS-2026-0003', title: 'Solar water pumps for boreholes', countries: ['KE'], buyer: 'UNICEF Kenya' }),
      tender({ sourceId: 'ke-grid', reference: 'KE-REA-2026-0051', title: 'Solar PV mini-grid extension', countries: ['KE'], buyer: 'REREC' }),
    ]);
    const rejected = w.alert('ke-pumps', 'hanbit');
    expect((await w.call('POST', `/firms/hanbit/alerts/${rejected}/feedback`, w.keys.firm, { state: 'not_relevant', reason: 'pumps are not ours' })).status).toBe(200);
    expect((await move({ stage: 'interested' }, w.keys.firm, rejected)).status).toBe(201);
    expect(firmState(rejected)).toEqual({ firm_state: 'not_relevant', firm_reason: 'pumps are not ours' });
    const declined = w.alert('ke-grid', 'hanbit');
    expect((await move({ stage: 'no_bid', reason: 'capacity' }, w.keys.firm, declined)).status).toBe(201);
    expect(firmState(declined).firm_state).toBe('new');
  });

  it('validates amounts, currencies, dates and what each stage records', async () => {
    const bad = async (body: object, message: RegExp) => {
      const r = await move(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.message).toMatch(message);
    };
    const bid = { stage: 'submitted', bidAmount: 1000, bidCurrency: 'USD', submittedOn: '2026-10-01' };
    await bad({ ...bid, bidAmount: -5 }, /bidAmount must be > 0/);
    await bad({ ...bid, bidAmount: 0 }, /bidAmount must be > 0/);
    await bad({ ...bid, bidAmount: 'lots' }, /bidAmount/);
    await bad({ ...bid, bidCurrency: 'XYZ' }, /bidCurrency must be an ISO 4217 currency code, not "XYZ"/);
    await bad({ ...bid, bidCurrency: 'US$' }, /bidCurrency must match pattern/);
    await bad({ ...bid, submittedOn: '2026-02-30' }, /submittedOn must match format "date"|submittedOn must be a date/);
    await bad({ ...bid, submittedOn: '2099-01-01' }, /submittedOn is after today/);
    await bad({ stage: 'submitted', bidAmount: 1000, bidCurrency: 'USD' }, /submitted records submittedOn/);
    await bad({ stage: 'interested', bidAmount: 1000 }, /bidAmount: a bid is recorded at submitted, won, lost or abandoned, not interested/);
    await bad({ stage: 'interested', reason: 'x' }, /reason: a reason is recorded at lost, abandoned, no_bid/);
    await bad({ stage: 'no_bid' }, /no_bid records reason/);
    await bad({ stage: 'interested', bogus: 1 }, /bogus is not allowed/);
    expect((await move(bid)).status).toBe(201);
    await bad({ stage: 'won', contractValue: 900, contractCurrency: 'USD' }, /won records awardedOn/);
    await bad({ stage: 'won', contractValue: 900, contractCurrency: 'USD', awardedOn: '2026-09-01' }, /awardedOn \(2026-09-01\) is before the bid's submission \(2026-10-01\)/);
    await bad({ stage: 'lost', contractValue: 900 }, /a contract is recorded at won, not lost/);
    // Nothing was written by the refusals.
    expect((await w.call('GET', '/firms/hanbit/pipeline', w.keys.firm)).body.items.map((p: any) => p.stage)).toEqual(['submitted']);
  });

  it('refuses a step back without a correction (409), logs it with one', async () => {
    await move({ stage: 'submitted', bidAmount: 1000, bidCurrency: 'KRW', submittedOn: '2026-10-01' });
    const back = await move({ stage: 'interested' });
    expect(back.status).toBe(409);
    expect(back.body).toMatchObject({ statusCode: 409, error: 'Conflict', message: expect.stringMatching(/backwards; that is a correction/) });
    expect((await move({ stage: 'interested', correction: true })).status).toBe(400);
    const fixed = await move({ stage: 'interested', correction: true, note: 'the bid was for another lot' });
    expect(fixed.status).toBe(200);
    expect(fixed.body).toMatchObject({ stage: 'interested', bid: null });
    expect(fixed.body.history.at(-1)).toMatchObject({ fromStage: 'submitted', toStage: 'interested', correction: true, note: 'the bid was for another lot' });
  });

  it('emits pursuit.stage_changed, delivered to the firm’s subscribed webhooks', async () => {
    const ep = createEndpoint(w.sqlite, { firmId: 'hanbit', url: 'https://93.184.216.34/hook', eventTypes: ['pursuit.stage_changed'] }).endpoint.id;
    const other = createEndpoint(w.sqlite, { firmId: 'secu', url: 'https://93.184.216.34/other', eventTypes: ['pursuit.stage_changed'] }).endpoint.id;
    await move({ stage: 'interested' });
    await move({ stage: 'no_bid', reason: 'no local partner', note: 'revisit next year' });
    const events = w.sqlite.prepare(`SELECT type, firm_id, match_id, payload FROM events WHERE type LIKE 'pursuit.%' ORDER BY id`).all() as any[];
    expect(events.map((e) => [e.type, e.firm_id, e.match_id])).toEqual([
      ['pursuit.stage_changed', 'hanbit', alertId],
      ['pursuit.stage_changed', 'hanbit', alertId],
    ]);
    expect(JSON.parse(events[1].payload).data).toMatchObject({
      alertId,
      firmId: 'hanbit',
      from: 'interested',
      to: 'no_bid',
      correction: false,
      reason: 'no local partner',
      note: 'revisit next year',
      actor: { role: 'firm' },
      tender: { title: 'Solar PV mini-grids for rural clinics', reference: 'KE-REA-2026-0042' },
    });
    const queued = (id: string) => w.sqlite.prepare(`SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = ?`).pluck().get(id);
    expect(queued(ep)).toBe(2);
    expect(queued(other)).toBe(0);
    const types = (await w.call('GET', '/webhooks/event-types', w.keys.firm)).body.items.map((t: any) => t.type);
    expect(types).toEqual(expect.arrayContaining(['pursuit.stage_changed', 'pursuit.award_linked']));
  });

  it('lets advisers follow a pursuit; firms cannot assign', async () => {
    const p = (await move({ stage: 'interested' })).body;
    expect((await w.call('POST', `/firms/hanbit/pipeline/${p.id}/assign`, w.keys.firm)).status).toBe(403);
    const mine = await w.call('POST', `/firms/hanbit/pipeline/${p.id}/assign`, w.keys.adviser);
    expect(mine.status).toBe(200);
    expect(mine.body.assignee).toMatch(/^[0-9a-f]{12}$/);
    expect(mine.body.history.at(-1)).toMatchObject({ kind: 'assign', changes: { assignee: { from: null, to: mine.body.assignee } } });
    expect((await w.call('GET', '/pipeline?assignee=me', w.keys.adviser)).body.items.map((x: any) => x.id)).toEqual([p.id]);
    expect((await w.call('GET', '/pipeline?assignee=me', w.keys.admin)).body.items).toEqual([]);
    expect((await w.call('POST', `/firms/hanbit/pipeline/${p.id}/assign`, w.keys.adviser, { assignee: 'nobody' })).status).toBe(400);
    const cleared = await w.call('POST', `/firms/hanbit/pipeline/${p.id}/assign`, w.keys.adviser, { assignee: null });
    expect(cleared.body.assignee).toBeNull();
  });

  it('answers 404 to a firm key for another firm’s pipeline, pursuit, alert or report', async () => {
    const theirs = (await move({ stage: 'interested' }, w.keys.otherFirm, otherAlert, 'secu')).body;
    expect(theirs.firmId).toBe('secu');
    for (const url of ['/firms/secu/pipeline', `/firms/secu/pipeline/${theirs.id}`, '/firms/secu/report', '/reports/pipeline?firm=secu', '/firms/secu/report?format=csv']) {
      const r = await w.call('GET', url, w.keys.firm);
      expect(r.status, url).toBe(404);
      expect(r.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
    }
    // Its own firm id with another firm's pursuit or alert id: not found either.
    expect((await w.call('GET', `/firms/hanbit/pipeline/${theirs.id}`, w.keys.firm)).status).toBe(404);
    expect((await move({ stage: 'preparing' }, w.keys.firm, otherAlert, 'secu')).status).toBe(404);
    expect((await move({ stage: 'preparing' }, w.keys.firm, otherAlert, 'hanbit')).status).toBe(404);
    // Cohort reports are for advisers; a firm key's report is its own.
    expect((await w.call('GET', '/reports/pipeline?sector=energy', w.keys.firm)).status).toBe(403);
    const own = await w.call('GET', '/reports/pipeline?from=2026-01-01&to=2026-12-31', w.keys.firm);
    expect(own.body.scope.firmIds).toEqual(['hanbit']);
    // Advisers see both.
    expect((await w.call('GET', `/firms/secu/pipeline/${theirs.id}`, w.keys.adviser)).status).toBe(200);
  });

  it('is documented in the OpenAPI document, event payloads included', async () => {
    const doc = (await w.app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/firms/{id}/pipeline', '/firms/{id}/alerts/{alertId}/pursuit', '/firms/{id}/report', '/reports/pipeline']));
    expect(Object.keys(doc.paths['/reports/pipeline'].get.responses['200'].content)).toEqual(['application/json', 'text/csv']);
    const titles = Object.values(doc.components.schemas as Record<string, { title?: string }>).map((x) => x.title);
    expect(titles).toEqual(expect.arrayContaining(['pursuit.stage_changed (v1)', 'pursuit.award_linked (v1)']));
  });

  it('only pursues published alerts', async () => {
    w.ingest([tender({ sourceId: 'ke-2', reference: 'KE-REA-2026-0043', title: 'Solar PV for schools', countries: ['KE'] })]);
    const proposed = w.sqlite.prepare(`SELECT id FROM matches WHERE state = 'proposed' AND firm_id = 'hanbit'`).pluck().get() as number;
    expect(proposed).toBeTypeOf('number');
    expect((await move({ stage: 'interested' }, w.keys.adviser, proposed)).status).toBe(404);
  });
});
