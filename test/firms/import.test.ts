import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importFirms } from '../../src/firms/import.js';
import { getFirm } from '../../src/firms/repository.js';
import { tempStore } from '../helpers/store.js';

describe('firms import', () => {
  let t: ReturnType<typeof tempStore>;
  beforeEach(() => (t = tempStore()));
  afterEach(() => t.cleanup());
  const count = () => (t.store.sqlite.prepare('SELECT count(*) n FROM firms').get() as any).n;

  const evalFormat = JSON.stringify([
    { id: 'firm-02', name: 'Hanbit Solar', nameKo: '한빛솔라', description: 'PV', keywords: ['solar PV'], keywordsKo: ['태양광'], excludeKeywords: [], unspsc: [], countries: ['AF', 'BJ'], minValueUsd: null, maxValueUsd: 10000000 },
    { id: 'firm-06', name: 'SecuVision', keywords: ['CCTV'], unspsc: ['461716'], countries: [], minValueUsd: null, maxValueUsd: null },
  ]);

  it('imports the profile format of the judged set', () => {
    const r = importFirms(t.store.sqlite, evalFormat, 'json');
    expect(r).toMatchObject({ rows: 2, created: 2, errors: [], written: true });
    expect(getFirm(t.store.sqlite, 'firm-02')).toMatchObject({ nameKo: '한빛솔라', keywordsKo: ['태양광'], maxValueUsd: 10000000, profileVersion: 1 });
  });

  it('reports errors by row and field and writes nothing', () => {
    const bad = JSON.stringify([
      { id: 'ok-1', name: 'Fine', keywords: ['pumps'] },
      { id: 'bad-2', name: 'Bad', keywords: 'pumps', countries: ['Narnia'] },
      { id: 'bad-3', name: '', keywords: [], unspsc: ['4321x'], minValueUsd: 5, maxValueUsd: 1 },
    ]);
    const r = importFirms(t.store.sqlite, bad, 'json');
    expect(r.written).toBe(false);
    expect(count()).toBe(0);
    const byRow = (row: number) => r.errors.filter((e) => e.row === row).map((e) => e.field);
    expect(byRow(1)).toEqual([]);
    expect(byRow(2)).toContain('keywords');
    expect(byRow(3)).toEqual(expect.arrayContaining(['name', 'unspsc.0']));
  });

  it('reports the semantic checks by field', () => {
    const r = importFirms(t.store.sqlite, JSON.stringify([{ name: 'X', countries: ['ZZ'], minValueUsd: 5, maxValueUsd: 1 }]), 'json');
    expect(r.errors.map((e) => e.field).sort()).toEqual(['countries.0', 'minValueUsd']);
  });

  it('writes the valid rows with --partial', () => {
    const mixed = JSON.stringify([{ id: 'ok-1', name: 'Fine' }, { id: 'bad-2', name: 'Bad', extra: 1 }]);
    const r = importFirms(t.store.sqlite, mixed, 'json', { partial: true });
    expect(r).toMatchObject({ created: 1, written: true });
    expect(r.errors[0]).toMatchObject({ row: 2, field: 'extra' });
    expect(count()).toBe(1);
  });

  it('imports CSV with lists separated by ";" and updates existing firms, bumping the profile version', () => {
    const csv = 'id,name,keywords,countries,maxValueUsd\nfirm-a,Alpha,"water purifier; water filter",AF;KE,500000\nfirm-b,Beta,CCTV,,\n';
    expect(importFirms(t.store.sqlite, csv, 'csv')).toMatchObject({ created: 2, errors: [] });
    expect(getFirm(t.store.sqlite, 'firm-a')).toMatchObject({ keywords: ['water purifier', 'water filter'], countries: ['AF', 'KE'], maxValueUsd: 500000 });
    const again = 'id,name,keywords\nfirm-a,Alpha,desalination\n';
    expect(importFirms(t.store.sqlite, again, 'csv')).toMatchObject({ updated: 1 });
    expect(getFirm(t.store.sqlite, 'firm-a')).toMatchObject({ keywords: ['desalination'], profileVersion: 2 });
  });

  it('reports a CSV row with a bad number by row and field', () => {
    const csv = 'name,maxValueUsd\nAlpha,lots\n';
    const r = importFirms(t.store.sqlite, csv, 'csv');
    expect(r.errors).toEqual([expect.objectContaining({ row: 1, field: 'maxValueUsd' })]);
  });

  it('rejects a file that is not JSON or not an array', () => {
    expect(importFirms(t.store.sqlite, '{oops', 'json').errors[0]).toMatchObject({ row: 0, field: '(file)' });
    expect(importFirms(t.store.sqlite, '{}', 'json').errors[0].message).toMatch(/array/);
  });
});
