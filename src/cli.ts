/**
 * `gpass-tenders` command line: serve, migrate, scrape (more commands register in COMMANDS).
 * Bad arguments: non-zero exit and a one-line reason.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, checkBaseUrl, loadConfig, type Config } from './config.js';

export class UsageError extends Error {}

export interface CommandContext {
  config: Config;
  out: (line: string) => void;
  err: (line: string) => void;
  isTTY: boolean;
}

export interface Command {
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  allowPositionals?: boolean;
  run(ctx: CommandContext, values: Record<string, unknown>, positionals: string[]): Promise<number>;
}

const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./commands/serve.js')).serve,
  migrate: async () => (await import('./commands/migrate.js')).migrate,
  scrape: async () => (await import('./commands/scrape.js')).scrapeCommand,
  match: async () => (await import('./commands/match.js')).matchCommand,
  eval: async () => (await import('./commands/eval.js')).evalCommand,
  firms: async () => (await import('./commands/firms.js')).firmsCommand,
  reparse: async () => (await import('./commands/reparse.js')).reparseCommand,
  keys: async () => (await import('./commands/keys.js')).keysCommand,
  notify: async () => (await import('./commands/notify.js')).notifyCommand,
  backup: async () => (await import('./commands/backup.js')).backupCommand,
  restore: async () => (await import('./commands/backup.js')).restoreCommand,
  bench: async () => (await import('./commands/bench.js')).benchCommand,
};

export function registerCommand(name: string, load: () => Promise<Command>) {
  COMMANDS[name] = load;
}

function help(): string {
  return [
    'usage: gpass-tenders <command> [options]',
    '',
    'commands:',
    ...Object.keys(COMMANDS).map((c) => `  ${c}`),
    '',
    'Run `gpass-tenders <command> --help` for its options.',
  ].join('\n');
}

export async function main(argv: string[], io: Partial<Pick<CommandContext, 'out' | 'err' | 'isTTY'>> = {}): Promise<number> {
  const out = io.out ?? ((l: string) => process.stdout.write(l + '\n'));
  const err = io.err ?? ((l: string) => process.stderr.write(l + '\n'));
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    out(help());
    return name ? 0 : 2;
  }
  const load = COMMANDS[name];
  if (!load) {
    err(`gpass-tenders: unknown command "${name}" (try --help)`);
    return 2;
  }
  const command = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    out(`usage: gpass-tenders ${command.usage}\n\n${command.summary}`);
    return 0;
  }
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: rest, options: command.options, allowPositionals: command.allowPositionals ?? false, strict: true });
  } catch (e) {
    err(`gpass-tenders ${name}: ${(e as Error).message.split('\n')[0]}`);
    return 2;
  }
  let config: Config;
  try {
    config = loadConfig();
  } catch (e) {
    err(`gpass-tenders: bad setting ${(e as Error).message}`);
    return 2;
  }
  try {
    return await command.run({ config, out, err, isTTY: io.isTTY ?? Boolean(process.stderr.isTTY) }, parsed.values, parsed.positionals);
  } catch (e) {
    if (e instanceof UsageError || e instanceof ConfigError) {
      err(`gpass-tenders ${name}: ${e.message}`);
      return 2;
    }
    err(`gpass-tenders ${name}: ${(e as Error).message}`);
    return 1;
  }
}

export { checkBaseUrl };
