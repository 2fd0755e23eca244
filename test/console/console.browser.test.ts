/**
 * The adviser console in a real browser: playwright-core driving Debian's chromium
 * (/usr/bin/chromium, installed by .ci/run). Each flow asserts on what the page then shows and
 * on the database. Screenshots of every page at 1280x800 go to test/artifacts/ (not committed).
 * Where chromium is missing the suite says so and skips.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { movePursuit } from '../../src/pipeline/service.js';
import { consoleFixture, type ConsoleFixture } from './fixture.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = fs.existsSync(CHROMIUM);
if (!hasChromium) console.warn(`console browser tests skipped: no chromium at ${CHROMIUM} (.ci/run installs Debian's chromium)`);
const ARTIFACTS = path.resolve(import.meta.dirname, '../artifacts');

describe.skipIf(!hasChromium)('adviser console in the browser', { timeout: 60_000 }, () => {
  let f: ConsoleFixture;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let base: string;

  const shot = async (name: string) => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, `console-${name}.png`), fullPage: false });
  };
  const state = (id: number) => f.sqlite.prepare(`SELECT state, note, reason_code AS reasonCode, reviewer FROM matches WHERE id = ?`).get(id) as { state: string; note: string | null; reasonCode: string | null; reviewer: string | null };

  beforeAll(async () => {
    f = await consoleFixture();
    await f.app.listen({ host: '127.0.0.1', port: 0 });
    const addr = f.app.server.address() as { port: number };
    base = `http://127.0.0.1:${addr.port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: base });
    // Nothing may leave the machine: every request that is not to this server fails.
    await context.route(/.*/, (route) => (route.request().url().startsWith(base) ? route.continue() : route.abort()));
    page = await context.newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await f?.cleanup();
  });

  it('refuses a firm key at sign-in, then signs an adviser in', async () => {
    await page.goto('/console/queue');
    await expect.poll(() => page.url()).toContain('/console/login');
    await shot('login');
    await page.getByLabel('Adviser key').fill(f.keys.firm);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Firm keys cannot sign in');
    await page.getByLabel('Adviser key').fill(f.keys.adviser);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/console/queue');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Proposed matches');
    const rows = await page.locator('table.queue tbody tr').count();
    expect(rows).toBe(f.sqlite.prepare(`SELECT count(*) AS n FROM matches WHERE state = 'proposed'`).pluck().get());
    // Matched terms are highlighted in the title.
    expect(await page.locator('table.queue tbody tr mark').count()).toBeGreaterThan(0);
    await shot('queue');
  });

  it('filters the queue by firm and by deadline window', async () => {
    await page.getByLabel('Firm', { exact: true }).selectOption('hanbit');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.url()).toContain('firm=hanbit');
    await expect.poll(() => page.locator('table.queue tbody tr .firm-name').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('Hanbit Solar')]));
    const names = await page.locator('table.queue tbody tr .firm-name').allTextContents();
    expect(names.every((n) => n.includes('Hanbit Solar'))).toBe(true);
    expect(names.length).toBe(f.sqlite.prepare(`SELECT count(*) AS n FROM matches WHERE state = 'proposed' AND firm_id = 'hanbit'`).pluck().get());
    await page.getByLabel('Deadline within').selectOption('7');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.locator('table.queue tbody tr').count()).toBe(1);
    expect(await page.locator('table.queue tbody tr .title').textContent()).toContain('Hybrid mini-grid');
    await page.getByRole('link', { name: 'Reset' }).click();
    await page.waitForURL('**/console/queue');
  });

  it('approves and rejects single matches with a note and a reason', async () => {
    const approveId = f.matchId('secu', 'u3')!;
    const row = page.locator(`#m-${approveId}`);
    await row.getByLabel('Note').fill('Core product; bid with the Nairobi partner');
    await row.getByLabel('Reason').selectOption('relevant');
    await row.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => page.locator('#flash').textContent()).toContain('Approved: 1');
    await expect.poll(() => page.locator(`#m-${approveId}`).count()).toBe(0);
    expect(state(approveId)).toEqual({ state: 'published', note: 'Core product; bid with the Nairobi partner', reasonCode: 'relevant', reviewer: f.keys.adviserId });

    const rejectId = f.matchId('hanbit', 'u2')!;
    const r = page.locator(`#m-${rejectId}`);
    await r.getByLabel('Note').fill('Grid works are outside their scope');
    await r.getByLabel('Reason').selectOption('wrong_category');
    await r.getByRole('button', { name: 'Reject' }).click();
    await expect.poll(() => page.locator('#flash').textContent()).toContain('Rejected: 1');
    await expect.poll(() => page.locator(`#m-${rejectId}`).count()).toBe(0);
    expect(state(rejectId)).toMatchObject({ state: 'rejected', note: 'Grid works are outside their scope', reasonCode: 'wrong_category' });
    const log = f.sqlite.prepare(`SELECT action, note FROM curation_actions ORDER BY id`).all();
    expect(log).toEqual([{ action: 'approve', note: 'Core product; bid with the Nairobi partner' }, { action: 'reject', note: 'Grid works are outside their scope' }]);
  });

  it('bulk-approves the selected matches, chosen with the keyboard and the mouse', async () => {
    const a = f.matchId('hanbit', 'u1')!;
    const b = f.matchId('aqua', 'u4')!;
    // Keyboard: focus the row's checkbox and press x.
    await page.locator(`#sel-${a}`).focus();
    await page.keyboard.press('x');
    expect(await page.locator(`#sel-${a}`).isChecked()).toBe(true);
    await page.locator(`#sel-${b}`).check();
    await page.getByLabel('Note', { exact: true }).first().fill('Batch approved after the Monday review');
    await page.getByRole('button', { name: 'Approve selected' }).click();
    await expect.poll(() => page.locator('#flash').textContent()).toContain('Approved: 2');
    expect(state(a)).toMatchObject({ state: 'published', note: 'Batch approved after the Monday review' });
    expect(state(b)).toMatchObject({ state: 'published', note: 'Batch approved after the Monday review' });
    await expect.poll(() => page.locator(`#m-${a}, #m-${b}`).count()).toBe(0);
  });

  it('edits a profile: a validation error first, then a valid save; the expected matches show before saving', async () => {
    await page.goto('/console/firms/hanbit');
    await expect.poll(() => page.locator('#expected-per-day').count()).toBe(1);
    await shot('firm');
    await page.getByLabel('Countries or regions').fill('KE, ZZ');
    await page.getByLabel('Minimum value (USD)').fill('lots');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('The profile was not saved');
    expect(await page.locator('#err-countries').textContent()).toContain('"ZZ"');
    expect(await page.locator('#err-minValueUsd').textContent()).toBe('must be a number');
    expect(await page.getByLabel('Countries or regions').getAttribute('aria-invalid')).toBe('true');
    expect(f.sqlite.prepare(`SELECT profile_version FROM firms WHERE id = 'hanbit'`).pluck().get()).toBe(1);
    await shot('firm-errors');

    await page.getByLabel('Countries or regions').fill('KE, east-africa');
    await page.getByLabel('Minimum value (USD)').fill('50000');
    await page.getByLabel('Keywords and phrases').fill('solar PV\nmini-grid\nsolar water pumping\nbattery storage');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await expect.poll(() => page.locator('#flash').textContent()).toContain('Profile saved: version 2');
    const firm = f.sqlite.prepare(`SELECT profile, profile_version FROM firms WHERE id = 'hanbit'`).get() as { profile: string; profile_version: number };
    expect(firm.profile_version).toBe(2);
    expect(JSON.parse(firm.profile)).toMatchObject({ countries: ['KE', 'east-africa'], minValueUsd: 50000, keywords: ['solar PV', 'mini-grid', 'solar water pumping', 'battery storage'] });
  });

  it('recommends a tender to two firms', async () => {
    const tid = f.tenderId('w1');
    await page.goto(`/console/tenders/${tid}`);
    await shot('tender');
    await page.getByLabel('SecuVision').check();
    await page.getByLabel('Aqua Pumps').check();
    await page.getByLabel('Note').fill('Islands programme: worth a look for both');
    await page.getByRole('button', { name: 'Recommend', exact: true }).click();
    await expect.poll(() => page.locator('#flash').textContent()).toContain('Recommended to: aqua, secu');
    const shown = await page.locator('#tender-matches tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-firm'), tr.querySelector('.state')?.textContent]));
    expect(shown).toEqual(expect.arrayContaining([['secu', 'published'], ['aqua', 'published']]));
    const rows = f.sqlite.prepare(`SELECT firm_id, state, note FROM matches WHERE tender_id = ? AND firm_id IN ('secu', 'aqua') ORDER BY firm_id`).all(tid);
    expect(rows).toEqual([
      { firm_id: 'aqua', state: 'published', note: 'Islands programme: worth a look for both' },
      { firm_id: 'secu', state: 'published', note: 'Islands programme: worth a look for both' },
    ]);
    // Firms already alerted can't be picked again.
    expect(await page.getByLabel('SecuVision').isDisabled()).toBe(true);
  });

  it('shows source health and switches the interface to Korean', async () => {
    await page.goto('/console/sources');
    expect(await page.locator('section.source').count()).toBe(2);
    await shot('sources');
    await page.getByLabel('Language').selectOption('ko');
    await page.getByRole('button', { name: 'OK' }).click();
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('ko');
    expect(await page.getByRole('link', { name: '검토 대기' }).count()).toBe(1);
    await page.goto('/console/queue');
    await shot('queue-ko');
  });

  it('renders the bid pipeline report with its chart, and exports it as CSV', async () => {
    // Two of the alerts published above go through the pipeline: one bid and won, one bid in EUR.
    const actor = { id: f.keys.adviserId, role: 'adviser' };
    const won = f.matchId('secu', 'u3')!;
    const bid = f.matchId('aqua', 'u4')!;
    const today = new Date().toISOString().slice(0, 10);
    movePursuit(f.sqlite, 'secu', won, { stage: 'interested' }, actor);
    movePursuit(f.sqlite, 'secu', won, { stage: 'submitted', bidAmount: 120_000, bidCurrency: 'USD', submittedOn: today }, actor);
    movePursuit(f.sqlite, 'secu', won, { stage: 'won', contractValue: 118_000, contractCurrency: 'USD', awardedOn: today }, actor);
    movePursuit(f.sqlite, 'aqua', bid, { stage: 'submitted', bidAmount: 80_000, bidCurrency: 'EUR', submittedOn: today }, actor);
    await page.goto('/console/reports');
    const bars = page.locator('#pipeline-chart rect.bar');
    await expect.poll(() => bars.count()).toBeGreaterThan(0);
    const values = await bars.evaluateAll((rs) => rs.map((r) => [r.getAttribute('data-series'), Number(r.getAttribute('data-value')), r.getBoundingClientRect().width]));
    // The chart is drawn: bids (2) and a win (1) show as bars with width in the browser.
    expect(values.filter(([s]) => s === 'bidsSubmitted').reduce((n, [, v]) => n + (v as number), 0)).toBe(2);
    expect(values.filter(([s]) => s === 'wins').reduce((n, [, v]) => n + (v as number), 0)).toBe(1);
    expect(values.some(([s, v, w]) => s === 'wins' && v === 1 && (w as number) > 0)).toBe(true);
    const totals = await page.locator('#report-totals dd').allTextContents();
    expect(totals.slice(2, 4)).toEqual(['2', '1']);
    await shot('reports');
    const bytes = await page.evaluate(async () => Array.from(new Uint8Array(await (await fetch('/console/reports.csv' + location.search)).arrayBuffer())));
    const csv = Buffer.from(bytes);
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // the BOM a spreadsheet needs for Korean text
    expect(csv.toString('utf8')).toContain('Bids submitted / 입찰 제출');
  });

  it('refuses a form whose CSRF token was tampered with', async () => {
    await page.goto('/console/queue');
    await page.locator('#queue-form input[name=_csrf]').evaluate((el) => ((el as HTMLInputElement).value = 'forged'));
    await page.locator('body').evaluate((el) => el.setAttribute('hx-headers', '{"X-CSRF-Token": "forged"}'));
    const before = f.sqlite.prepare(`SELECT count(*) FROM matches WHERE state = 'proposed'`).pluck().get();
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/console/queue/decide')),
      page.locator('#queue-form button.approve').first().click(),
    ]);
    expect(response.status()).toBe(403);
    expect(f.sqlite.prepare(`SELECT count(*) FROM matches WHERE state = 'proposed'`).pluck().get()).toBe(before);
  });
});
