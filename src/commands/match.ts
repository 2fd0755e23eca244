import { openStore } from '../../db/client.js';
import { UsageError, type Command } from '../cli.js';
import { autoPublish } from '../alerts/service.js';
import { runMatch, runMatchInWorkers } from '../matching/matcher.js';

export const matchCommand: Command = {
  summary: 'Match open tenders against firm profiles. --full re-matches everything; --tender matches only the given tenders.',
  usage: 'match (--full | --tender ID...) [--firm ID...]',
  options: {
    full: { type: 'boolean', default: false },
    tender: { type: 'string', multiple: true },
    firm: { type: 'string', multiple: true },
  },
  async run(ctx, values) {
    const full = values.full as boolean;
    const tenderArgs = (values.tender as string[] | undefined) ?? [];
    if (full === (tenderArgs.length > 0)) throw new UsageError('give either --full or --tender ID');
    const tenderIds = tenderArgs.map((t) => {
      const n = Number(t);
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`--tender: not a tender id: "${t}"`);
      return n;
    });
    const store = openStore(ctx.config.databasePath);
    try {
      const firmIds = values.firm as string[] | undefined;
      // A full re-match scores in worker threads while this one writes; a few tenders, here.
      const s = full ? await runMatchInWorkers(store.sqlite, { firmIds }) : runMatch(store.sqlite, { tenderIds, firmIds });
      const published = autoPublish(store.sqlite);
      ctx.out(`match ${s.mode}: tenders=${s.tenders} profiles=${s.profiles} candidates=${s.candidates} matched=${s.matched} written=${s.written} unchanged=${s.unchanged} removed=${s.removed} auto_published=${published} seconds=${s.seconds.toFixed(2)}`);
      return 0;
    } finally {
      store.close();
    }
  },
};
