/**
 * Parse worker: prepares payloads (parse, validate, hash, analyze) for one registered source,
 * so the main thread only writes to the store.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { RawNotice } from '../../scrapers/contract.js';
import { findSource } from '../../scrapers/registry.js';
import { prepareNotice } from './ingest.js';

const source = findSource(workerData.sourceId as string);
if (!source) throw new Error(`parse worker: unknown source ${String(workerData.sourceId)}`);
parentPort!.on('message', (msg: { seq: number; raws: RawNotice[] }) => {
  parentPort!.postMessage({ seq: msg.seq, prepared: msg.raws.map((raw) => prepareNotice(source, raw)) });
});
parentPort!.postMessage({ ready: true });
