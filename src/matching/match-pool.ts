/**
 * Scoring off the main thread. Workers compile the profiles and build the stored-query index
 * once, then score chunks of tender rows; the main thread reads tenders and writes matches
 * while they score. Scoring is pure, so the matches are exactly what one thread finds.
 */
import { Worker } from 'node:worker_threads';
import type { ScoredChunk } from './match-rows.js';
import type { FirmRow } from './matcher.js';

export interface MatchPool {
  size: number;
  /** Scores tender rows (as the matcher selects them); chunks are spread over the workers. */
  score(rows: unknown[]): Promise<ScoredChunk>;
  close(): Promise<void>;
}

export function createMatchPool(o: { firms: FirmRow[]; now: string; minScore: number; workers: number }): MatchPool {
  let failure: Error | null = null;
  const pending = new Map<number, { resolve: (c: ScoredChunk) => void; reject: (e: Error) => void }>();
  const failAll = (err: Error) => {
    failure ??= err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  const workers = Array.from({ length: Math.max(1, o.workers) }, () => {
    // The same TypeScript boot as the parse worker: tsx's loader, then the entry module.
    const w = new Worker(new URL('../ingest/parse-worker-boot.mjs', import.meta.url), {
      workerData: { entry: new URL('./match-worker.ts', import.meta.url).href, firms: o.firms, now: o.now, minScore: o.minScore },
    });
    w.on('message', (m: { seq?: number; chunk?: ScoredChunk; error?: string }) => {
      if (m.seq === undefined) return;
      const p = pending.get(m.seq);
      pending.delete(m.seq);
      if (m.error !== undefined) p?.reject(new Error(`match worker: ${m.error}`));
      else p?.resolve(m.chunk!);
    });
    w.on('error', failAll);
    w.on('exit', (code) => {
      if (pending.size) failAll(new Error(`match worker exited with code ${code}`));
    });
    return w;
  });
  let seq = 0;
  return {
    size: workers.length,
    score(rows) {
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => {
        const id = ++seq;
        pending.set(id, { resolve, reject });
        workers[id % workers.length].postMessage({ seq: id, rows });
      });
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
