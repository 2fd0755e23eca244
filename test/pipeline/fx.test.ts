/** Currencies and dated rates: ISO 4217 only, the latest rate on or before the date, a missing rate said so. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../db/client.js';
import { buildApp } from '../../src/app.js';
import { ConfigError } from '../../src/config.js';
import { RATES_AS_OF } from '../../src/matching/currency.js';
import { convert, isCurrency, loadFxTable, parseFxTable, rateOn } from '../../src/pipeline/fx.js';
import { testConfig } from '../helpers/store.js';

const CSV = ['date,currency,unitsPerUsd', '2026-01-01,KRW,1300', '2026-04-01,KRW,1400', '2026-01-01,EUR,0.8', '2026-04-01,eur,0.9'].join('\n');

describe('exchange rates', () => {
  it('knows ISO 4217 codes', () => {
    for (const c of ['USD', 'KRW', 'EUR', 'XOF', 'AFN']) expect(isCurrency(c), c).toBe(true);
    for (const c of ['XYZ', 'usd', 'EURO', '']) expect(isCurrency(c), c).toBe(false);
  });

  it('uses the latest rate on or before the date', () => {
    const fx = parseFxTable(CSV, 'csv', 'test');
    expect(rateOn(fx, 'EUR', '2025-12-31')).toBeNull();
    expect(rateOn(fx, 'EUR', '2026-01-01')).toEqual({ currency: 'EUR', date: '2026-01-01', unitsPerUsd: 0.8 });
    expect(rateOn(fx, 'EUR', '2026-03-31')?.unitsPerUsd).toBe(0.8);
    expect(rateOn(fx, 'EUR', '2026-04-01')?.unitsPerUsd).toBe(0.9);
    expect(rateOn(fx, 'EUR', '2030-01-01')?.unitsPerUsd).toBe(0.9);
    expect(rateOn(fx, 'USD', '1999-01-01')?.unitsPerUsd).toBe(1);
    expect(convert(fx, 800, 'EUR', '2026-02-01')).toEqual({ ok: true, usd: 1000, krw: 1_300_000, rates: [{ currency: 'EUR', date: '2026-01-01', unitsPerUsd: 0.8 }, { currency: 'KRW', date: '2026-01-01', unitsPerUsd: 1300 }] });
    expect(convert(fx, 1_400_000, 'KRW', '2026-05-01')).toMatchObject({ ok: true, usd: 1000, krw: 1_400_000 });
    expect(convert(fx, 5, 'JPY', '2026-05-01')).toEqual({ ok: false, reason: 'no JPY rate on or before 2026-05-01 in the test table' });
  });

  it('reads JSON tables too, and reports every bad row', () => {
    const json = parseFxTable(JSON.stringify({ rates: [{ date: '2026-01-01', currency: 'KRW', unitsPerUsd: 1300 }] }), 'json', 'test');
    expect(rateOn(json, 'KRW', '2026-06-01')?.unitsPerUsd).toBe(1300);
    const bad = ['date,currency,unitsPerUsd', '2026-13-01,KRW,1300', '2026-01-01,XYZ,1', '2026-01-01,KRW,0', '2026-01-01,KRW,', '2026-01-02,KRW,1300', '2026-01-02,KRW,1301'].join('\n');
    expect(() => parseFxTable(bad, 'csv', 'x')).toThrow(
      'row 2: date "2026-13-01" is not yyyy-mm-dd; row 3: currency "XYZ" is not ISO 4217; row 4: unitsPerUsd must be a positive number; row 5: unitsPerUsd must be a positive number; row 7: KRW on 2026-01-02 is listed twice',
    );
  });

  it('has a built-in table: the matcher’s reference snapshot, dated', () => {
    const fx = loadFxTable(null);
    expect(fx.source).toBe(`built-in (${RATES_AS_OF})`);
    expect(rateOn(fx, 'KRW', RATES_AS_OF)).toEqual({ currency: 'KRW', date: RATES_AS_OF, unitsPerUsd: 1380 });
    expect(rateOn(fx, 'EUR', RATES_AS_OF)?.unitsPerUsd).toBe(0.92);
    // Before the snapshot there is no rate: such amounts are reported, not guessed.
    expect(convert(fx, 100, 'USD', '2026-01-01')).toMatchObject({ ok: false, reason: expect.stringMatching(/^no KRW rate on or before 2026-01-01/) });
  });

  it('fails start-up on a bad FX_RATES_PATH, naming the variable', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gpass-fx-'));
    try {
      expect(() => loadFxTable(path.join(dir, 'missing.csv'))).toThrow(ConfigError);
      const file = path.join(dir, 'rates.csv');
      fs.writeFileSync(file, 'date,currency,unitsPerUsd\n2026-01-01,KRW,-1\n');
      expect(() => loadFxTable(file)).toThrow(/^FX_RATES_PATH: .*rates\.csv: row 2: unitsPerUsd must be a positive number$/);
      const store = openStore(':memory:');
      await expect(buildApp({ config: testConfig({ FX_RATES_PATH: file }), store })).rejects.toThrow(/FX_RATES_PATH/);
      store.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
