import cliProgress from 'cli-progress';
import { openStore } from '../../db/client.js';
import { SOURCES, findSource, runnableSources } from '../../scrapers/registry.js';
import { UsageError, checkBaseUrl, type Command } from '../cli.js';
import { scrape } from '../ingest/scrape.js';

export const scrapeCommand: Command = {
  summary: 'Fetch, parse and store notices. One line per source: status and new / amended / unchanged / failed counts.',
  usage: 'scrape (--source ID | --all) [--sample] [--base-url URL]',
  options: {
    source: { type: 'string', multiple: true },
    all: { type: 'boolean', default: false },
    sample: { type: 'boolean', default: false },
    'base-url': { type: 'string' },
  },
  async run(ctx, values) {
    const ids = (values.source as string[] | undefined) ?? [];
    const all = values.all as boolean;
    if (all && ids.length) throw new UsageError('give either --source or --all, not both');
    if (!all && ids.length === 0) throw new UsageError(`give --source ID (one of ${SOURCES.map((s) => s.id).join(', ')}) or --all`);
    if (all) {
      for (const s of SOURCES.filter((x) => x.status.supported && !runnableSources().includes(x))) {
        ctx.err(`${s.id}: skipped, needs ${s.requiresEnv?.join(', ')}`);
      }
    }
    const sources = all
      ? runnableSources()
      : ids.map((id) => {
          const s = findSource(id);
          if (!s) throw new UsageError(`unknown source "${id}" (known: ${SOURCES.map((x) => x.id).join(', ')})`);
          if (!s.status.supported) throw new UsageError(`source "${id}" is unsupported: ${s.status.reason}`);
          return s;
        });
    const baseUrl = values['base-url'] as string | undefined;
    if (baseUrl !== undefined && sources.length !== 1) throw new UsageError('--base-url applies to one --source');
    const store = openStore(ctx.config.databasePath);
    const bars = ctx.isTTY ? new cliProgress.MultiBar({ format: '{source} [{bar}] {value} notices, {pages} pages', hideCursor: true }, cliProgress.Presets.shades_classic) : null;
    const barBySource = new Map<string, cliProgress.SingleBar>();
    try {
      const summaries = await scrape({
        store,
        config: ctx.config,
        sources,
        sample: values.sample as boolean,
        baseUrl: baseUrl === undefined ? undefined : checkBaseUrl('--base-url', baseUrl),
        log: (m) => (bars ? bars.log(m + '\n') : ctx.err(m)),
        onProgress: (p) => {
          if (!bars) return ctx.err(`${p.source}: page ${p.pages}, ${p.seen} notices`);
          let bar = barBySource.get(p.source);
          if (!bar) barBySource.set(p.source, (bar = bars.create(p.total ?? 0, 0, { source: p.source, pages: 0 })));
          if (p.total) bar.setTotal(p.total);
          bar.update(p.seen, { pages: p.pages });
        },
      });
      bars?.stop();
      for (const s of summaries) {
        const c = s.counts;
        ctx.out(
          `${s.source}: ${s.status} run=${s.runId} pages=${s.pages} seen=${c.seen} new=${c.new} amended=${c.amended} unchanged=${c.unchanged} failed=${c.failed}` +
            ` linked=${s.linked} matched=${s.matched}` +
            (s.problems ? ` problems=${s.problems}` : '') +
            (s.error ? ` error="${s.error}"` : ''),
        );
      }
      return summaries.every((s) => s.status !== 'failed') ? 0 : 1;
    } finally {
      bars?.stop();
      store.close();
    }
  },
};
