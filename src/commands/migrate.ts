import { openStore } from '../../db/client.js';
import type { Command } from '../cli.js';

export const migrate: Command = {
  summary: 'Create or upgrade the database at DATABASE_PATH (also done at every start).',
  usage: 'migrate',
  options: {},
  async run(ctx) {
    const store = openStore(ctx.config.databasePath);
    const rows = store.sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number };
    store.close();
    ctx.out(`migrated ${ctx.config.databasePath}: ${rows.n} migrations applied`);
    return 0;
  },
};
