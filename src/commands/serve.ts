import type { Command } from '../cli.js';
import { startServer } from '../server.js';

export const serve: Command = {
  summary: 'Run the API (and the scheduler unless SCHEDULER=off) on DATABASE_PATH.',
  usage: 'serve',
  options: {},
  async run(ctx) {
    const app = await startServer(ctx.config);
    await new Promise<void>((resolve) => app.server.once('close', () => resolve()));
    return 0;
  },
};
