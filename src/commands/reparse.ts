import { openStore } from '../../db/client.js';
import { SOURCES, findSource } from '../../scrapers/registry.js';
import { UsageError, type Command } from '../cli.js';
import { reparseSource } from '../ingest/reparse.js';
import { afterRun } from '../ingest/scrape.js';

export const reparseCommand: Command = {
  summary: 'Re-run the parser over stored raw payloads of a source (after a parser fix), without refetching.',
  usage: 'reparse --source ID',
  options: { source: { type: 'string' } },
  async run(ctx, values) {
    const id = values.source as string | undefined;
    if (!id) throw new UsageError(`--source ID is required (one of ${SOURCES.map((s) => s.id).join(', ')})`);
    const source = findSource(id);
    if (!source) throw new UsageError(`unknown source "${id}"`);
    const store = openStore(ctx.config.databasePath);
    try {
      const s = afterRun(store, reparseSource(store.sqlite, source));
      const c = s.counts;
      ctx.out(`${s.source}: reparsed seen=${c.seen} new=${c.new} amended=${c.amended} unchanged=${c.unchanged} failed=${c.failed} linked=${s.linked} matched=${s.matched}`);
      return 0;
    } finally {
      store.close();
    }
  },
};
