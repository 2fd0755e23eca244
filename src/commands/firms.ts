import fs from 'node:fs';
import path from 'node:path';
import { openStore } from '../../db/client.js';
import { UsageError, type Command } from '../cli.js';
import { importFirms } from '../firms/import.js';

export const firmsCommand: Command = {
  summary:
    'firms import FILE: create or update firms from CSV (lists separated by ";") or JSON (the shared/eval/firms.json format). ' +
    'Every row is validated and errors are reported by row and field; nothing is written unless all rows are valid, or --partial is given.',
  usage: 'firms import FILE [--format csv|json] [--partial]',
  options: {
    format: { type: 'string' },
    partial: { type: 'boolean', default: false },
  },
  allowPositionals: true,
  async run(ctx, values, positionals) {
    const [sub, file, ...extra] = positionals;
    if (sub !== 'import') throw new UsageError(`unknown subcommand "${sub ?? ''}" (expected: import FILE)`);
    if (!file) throw new UsageError('import needs a FILE');
    if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
    if (!fs.existsSync(file)) throw new UsageError(`no such file ${file}`);
    const format = ((values.format as string | undefined) ?? path.extname(file).slice(1).toLowerCase()) as string;
    if (format !== 'csv' && format !== 'json') throw new UsageError(`--format: expected csv or json, got "${format}"`);
    const store = openStore(ctx.config.databasePath);
    try {
      const r = importFirms(store.sqlite, fs.readFileSync(file, 'utf8'), format, { partial: values.partial as boolean });
      for (const e of r.errors) ctx.err(`row ${e.row}: ${e.field}: ${e.message}`);
      ctx.out(`firms import: rows=${r.rows} created=${r.created} updated=${r.updated} invalid_rows=${new Set(r.errors.map((e) => e.row)).size} written=${r.written ? 'yes' : 'no'}`);
      return r.errors.length ? 1 : 0;
    } finally {
      store.close();
    }
  },
};
