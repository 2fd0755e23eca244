/**
 * Child processes for the reliability scenarios: the real CLI (`bin/gpass-tenders.js`) or a
 * TypeScript entry (`bin/run-ts.js`), with their output kept and their exit awaited.
 * A seeded random source, so every kill point and fuzzed input can be replayed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');

export interface Child {
  proc: ChildProcess;
  /** stdout and stderr so far, interleaved as received. */
  output: () => string;
  /** Resolves with the first stdout line matching (already printed or to come); rejects when the process exits first. */
  waitFor: (re: RegExp, timeoutMs?: number) => Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Writes a line to the child's stdin (spawned with `stdin: true`). */
  send: (line: string) => void;
}

/** Spawns `node <script> ...args` in the project root; env is added to a minimal copy of ours. */
export function spawnNode(script: string, args: string[], env: NodeJS.ProcessEnv, opts: { stdin?: boolean } = {}): Child {
  const proc = spawn(process.execPath, [script, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR, ...env },
    stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let lines = '';
  const seen: string[] = [];
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  proc.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    lines += d.toString();
    let nl: number;
    while ((nl = lines.indexOf('\n')) >= 0) {
      const line = lines.slice(0, nl);
      lines = lines.slice(nl + 1);
      seen.push(line);
      for (const w of [...waiters]) {
        if (w.re.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    proc,
    output: () => out,
    exited,
    send: (line) => void proc.stdin?.write(`${line}\n`),
    waitFor: (re, timeoutMs = 30_000) =>
      new Promise<string>((resolve, reject) => {
        const earlier = seen.find((l) => re.test(l));
        if (earlier !== undefined) return resolve(earlier);
        const timer = setTimeout(() => reject(new Error(`no line matching ${re} within ${timeoutMs} ms:\n${out.slice(-2000)}`)), timeoutMs);
        const w = { re, resolve: (l: string) => (clearTimeout(timer), resolve(l)) };
        waiters.push(w);
        void exited.then(() => {
          if (!waiters.includes(w)) return;
          clearTimeout(timer);
          reject(new Error(`process exited before printing ${re}:\n${out.slice(-2000)}`));
        });
      }),
  };
}

export const cli = (args: string[], env: NodeJS.ProcessEnv) => spawnNode('bin/gpass-tenders.js', args, env);
export const runTs = (entry: string, args: string[], env: NodeJS.ProcessEnv, opts: { stdin?: boolean } = {}) => spawnNode('bin/run-ts.js', [entry, ...args], env, opts);

/** Kills a child that is still running (test cleanup). */
export function killIfRunning(c: Child | null | undefined): void {
  if (c && c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
}

/** mulberry32: a small seeded generator in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Environment that keeps a served process on loopback: every registered source's base URL
 * points at a closed local port and its schedule at a rare date (29 February at midnight; were it to fire, it could reach nothing),
 * except the sources given in `sources`.
 */
export function loopbackEnv(sourceIds: readonly string[], overrides: Record<string, { baseUrl: string; schedule?: string }> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { HOST: '127.0.0.1', SCHEDULER_JITTER_MS: '0', HTTP_MIN_INTERVAL_MS: '0', OCDS_PACKAGE_URL: '' };
  for (const id of sourceIds) {
    const key = id.toUpperCase();
    env[`SOURCE_${key}_BASE_URL`] = overrides[id]?.baseUrl ?? 'http://127.0.0.1:9';
    env[`SOURCE_${key}_SCHEDULE`] = overrides[id]?.schedule ?? '0 0 29 2 *';
  }
  return env;
}
