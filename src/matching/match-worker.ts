/**
 * Match worker: compiles the run's profiles once, then scores chunks of tender rows and sends
 * back the matches (typed arrays moved, not copied). See match-pool.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createSegmentInferrer, scoringContext } from './engine.js';
import { scoreChunk, transferables } from './match-rows.js';
import { compileFirm, rowToFacts, type FirmRow } from './matcher.js';
import { buildProfileIndex } from './percolator.js';
import { buildTenderDoc } from './tender-doc.js';

const { firms, now, minScore } = workerData as { firms: FirmRow[]; now: string; minScore: number };
const index = buildProfileIndex(firms.map(compileFirm));
const ctx = scoringContext(new Date(now), createSegmentInferrer(), minScore);

parentPort!.on('message', (msg: { seq: number; rows: unknown[] }) => {
  try {
    const started = performance.now();
    const chunk = scoreChunk(index, msg.rows.map((r) => buildTenderDoc(rowToFacts(r))), ctx, minScore, started);
    parentPort!.postMessage({ seq: msg.seq, chunk }, transferables(chunk));
  } catch (e) {
    parentPort!.postMessage({ seq: msg.seq, error: (e as Error).stack ?? String(e) });
  }
});
