/**
 * `firms import FILE`: CSV or JSON (an array of firms in the flat format of
 * shared/eval/firms.json, plus our fields). Every row is validated; errors are reported by row
 * and field; nothing is written unless every row is valid, or `partial` is set (then the valid
 * rows are written and the others reported). Existing ids are updated (profile version bumps).
 */
import { parse as parseCsv } from 'csv-parse/sync';
import type Database from 'better-sqlite3';
import { FirmInputSchema, validateFirmInput, type FieldError, type FirmInput } from './firm.js';
import { createFirm, getFirm, updateFirm } from './repository.js';

export interface RowError extends FieldError {
  row: number;
}

export interface ImportResult {
  rows: number;
  created: number;
  updated: number;
  errors: RowError[];
  written: boolean;
}

const LIST_FIELDS = new Set(['keywords', 'keywordsKo', 'excludeKeywords', 'unspsc', 'countries', 'noticeTypes', 'categories']);
const NUMBER_FIELDS = new Set(['minValueUsd', 'maxValueUsd', 'minDaysToDeadline']);
const BOOL_FIELDS = new Set(['gpassDesignated']);

/** A CSV cell into the JSON value the schema expects: lists split on `;`, empty = absent/null. */
function csvValue(field: string, cell: string): unknown {
  const v = cell.trim();
  if (LIST_FIELDS.has(field)) return v === '' ? [] : v.split(';').map((x) => x.trim()).filter(Boolean);
  if (NUMBER_FIELDS.has(field)) return v === '' ? null : Number.isFinite(Number(v)) ? Number(v) : v;
  if (BOOL_FIELDS.has(field)) return v === '' ? undefined : ['true', 'yes', '1', 'y'].includes(v.toLowerCase()) ? true : ['false', 'no', '0', 'n'].includes(v.toLowerCase()) ? false : v;
  return v === '' ? undefined : v;
}

export function readFirmsFile(text: string, format: 'csv' | 'json'): { rows: unknown[]; errors: RowError[] } {
  if (format === 'json') {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (err) {
      return { rows: [], errors: [{ row: 0, field: '(file)', message: `not JSON: ${(err as Error).message}` }] };
    }
    if (!Array.isArray(data)) return { rows: [], errors: [{ row: 0, field: '(file)', message: 'expected a JSON array of firms' }] };
    return { rows: data, errors: [] };
  }
  let records: Record<string, string>[];
  try {
    records = parseCsv(text, { columns: true, skip_empty_lines: true, bom: true, trim: false, relax_column_count: false });
  } catch (err) {
    return { rows: [], errors: [{ row: 0, field: '(file)', message: `not valid CSV: ${(err as Error).message}` }] };
  }
  const known = new Set(Object.keys(FirmInputSchema.properties));
  const rows = records.map((rec) => {
    const out: Record<string, unknown> = {};
    for (const [k, cell] of Object.entries(rec)) {
      const field = k.trim();
      const value = known.has(field) ? csvValue(field, cell) : cell;
      if (value !== undefined) out[field] = value;
    }
    // The eval format writes `nullable` numbers; keep null only where the schema allows it.
    return out;
  });
  return { rows, errors: [] };
}

export function importFirms(sqlite: Database.Database, text: string, format: 'csv' | 'json', opts: { partial?: boolean } = {}): ImportResult {
  const { rows, errors } = readFirmsFile(text, format);
  const result: ImportResult = { rows: rows.length, created: 0, updated: 0, errors: [...errors], written: false };
  if (errors.length) return result;
  const valid: { row: number; input: FirmInput }[] = [];
  const seenIds = new Map<string, number>();
  rows.forEach((raw, i) => {
    const row = i + 1;
    const rowErrors = validateFirmInput(raw).map((e) => ({ row, ...e }));
    const id = (raw as { id?: unknown }).id;
    if (typeof id === 'string') {
      if (seenIds.has(id)) rowErrors.push({ row, field: 'id', message: `duplicate of row ${seenIds.get(id)}` });
      else seenIds.set(id, row);
    }
    if (rowErrors.length) result.errors.push(...rowErrors);
    else valid.push({ row, input: raw as FirmInput });
  });
  if (result.errors.length && !opts.partial) return result;
  sqlite.transaction(() => {
    for (const { input } of valid) {
      if (input.id && getFirm(sqlite, input.id)) {
        const { id, ...patch } = input;
        updateFirm(sqlite, id, patch);
        result.updated++;
      } else {
        createFirm(sqlite, input);
        result.created++;
      }
    }
  })();
  result.written = valid.length > 0;
  return result;
}
