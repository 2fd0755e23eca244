/**
 * Parsing off the main thread. The CPU-heavy half of ingest (HTML to text, dates and zones,
 * analysis for the full-text index) runs in a worker while the main thread writes the
 * previous batch, so a 2-core machine ingests about twice as fast, and a running API keeps
 * answering while a scrape parses. Results come back in the order the batches went in.
 */
import { Worker } from 'node:worker_threads';
import type { RawNotice } from '../../scrapers/contract.js';
import { findSource } from '../../scrapers/registry.js';
import type { Prepared } from './ingest.js';

export interface ParsePool {
  prepare(raws: RawNotice[]): Promise<Prepared[]>;
  close(): Promise<void>;
}

/** A one-worker pool for a registered source, or null when the source can't be loaded in a worker. */
export function createParsePool(sourceId: string): ParsePool | null {
  if (!findSource(sourceId)) return null;
  const worker = new Worker(new URL('./parse-worker-boot.mjs', import.meta.url), {
    workerData: { entry: new URL('./parse-worker.ts', import.meta.url).href, sourceId },
  });
  worker.unref();
  let seq = 0;
  const pending = new Map<number, { resolve: (p: Prepared[]) => void; reject: (e: Error) => void }>();
  let failure: Error | null = null;
  const failAll = (err: Error) => {
    failure = err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  worker.on('message', (m: { seq?: number; prepared?: Prepared[] }) => {
    if (m.seq === undefined) return;
    pending.get(m.seq)?.resolve(m.prepared!);
    pending.delete(m.seq);
  });
  worker.on('error', (err) => failAll(err));
  worker.on('exit', (code) => {
    if (pending.size) failAll(new Error(`parse worker exited with code ${code}`));
  });
  return {
    prepare(raws) {
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => {
        const id = ++seq;
        pending.set(id, { resolve, reject });
        worker.postMessage({ seq: id, raws });
      });
    },
    async close() {
      await worker.terminate();
    },
  };
}
