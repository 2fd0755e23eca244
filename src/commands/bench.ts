import { UsageError, type Command } from '../cli.js';

// The suites live in bench/ (a checkout; the Docker image leaves them out), loaded on demand.
const load = () => import('../../bench/run.js');

export const benchCommand: Command = {
  summary:
    'Run the benchmark suites (the same code as `npm run bench`) and write docs/BENCHMARKS.md and bench/results.json under --out. --scale multiplies the sizes (0.01 for a smoke run); --full-tenders sets the full match on its own (1000000 for the million-tender run).',
  usage: 'bench [--suite NAME...] [--scale N] [--out DIR] [--full-tenders N] [--incremental-profiles 5000,20000]',
  options: {
    suite: { type: 'string', multiple: true },
    scale: { type: 'string', default: '1' },
    out: { type: 'string', default: '.' },
    'full-tenders': { type: 'string' },
    'incremental-profiles': { type: 'string', default: '5000,20000' },
  },
  async run(ctx, values) {
    let bench: Awaited<ReturnType<typeof load>>;
    try {
      bench = await load();
    } catch (e) {
      throw new Error(`the benchmarks are not in this installation (bench/ comes with a checkout, with dev dependencies): ${(e as Error).message}`);
    }
    let settings: ReturnType<typeof bench.benchSettings>;
    try {
      settings = bench.benchSettings(values);
    } catch (e) {
      if (e instanceof bench.BenchUsageError) throw new UsageError(e.message);
      throw e;
    }
    await bench.runBench(settings, ctx.err);
    return 0;
  },
};
