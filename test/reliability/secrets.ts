/**
 * Looking for secrets where they must not be: logs, error answers. A hit is reported by its
 * kind and first characters only, so a failing test does not print the secret either.
 */
import { Writable } from 'node:stream';

/** The secrets (masked) that occur in `text`; [] when none does. */
export function scanForSecrets(text: string, secrets: readonly string[]): string[] {
  return [...new Set(secrets.filter((s) => s.length >= 8 && text.includes(s)))].map((s) => `${s.slice(0, 6)}…(${s.length} chars)`);
}

/** A pino destination that keeps every line, for a Fastify logger at trace level. */
export function logCapture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { stream, lines, text: () => lines.join('') };
}
