import fs from 'node:fs';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { lowerThreadPriority } from '../../src/jobs/priority.js';

/** A thread's nice value as the kernel reports it: field 19 of /proc/self/task/<tid>/stat. */
function threadNice(tid: string | number): number {
  const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at field 3, the state.
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19 - 3]);
}

interface WorkerReport {
  tid: string;
  applied: boolean;
  again: boolean;
  lower: boolean;
  outOfRange: boolean;
  priority: number;
}

// The worker runs the helper through the same TypeScript boot as the service's workers, reports
// its thread id and results, and stays alive until told to exit so its /proc entry can be read.
const WORKER = `
import fs from 'node:fs';
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
const { lowerThreadPriority } = await import(workerData.helper);
const tid = fs.readlinkSync('/proc/thread-self').split('/').pop();
const applied = lowerThreadPriority(workerData.nice);
const again = lowerThreadPriority(workerData.nice);
const lower = lowerThreadPriority(workerData.nice - 1);
const outOfRange = lowerThreadPriority(40);
parentPort.postMessage({ tid, applied, again, lower, outOfRange, priority: os.getPriority() });
parentPort.once('message', () => parentPort.close());
`;

function startWorker(nice: number): Promise<{ worker: Worker; report: WorkerReport }> {
  const worker = new Worker(new URL('../../src/ingest/parse-worker-boot.mjs', import.meta.url), {
    workerData: { entry: `data:text/javascript,${encodeURIComponent(WORKER)}`, helper: new URL('../../src/jobs/priority.ts', import.meta.url).href, nice },
  });
  return new Promise((resolve, reject) => {
    worker.once('message', (report: WorkerReport) => resolve({ worker, report }));
    worker.once('error', reject);
  });
}

describe('lowerThreadPriority', () => {
  it.skipIf(process.platform !== 'linux')('lowers the calling worker thread only, never raises it back, and never throws', async () => {
    const mainBefore = os.getPriority();
    const nice = mainBefore < 10 ? 10 : 19;
    expect(nice, 'this process already runs at nice 19; nothing left to lower').toBeGreaterThan(mainBefore);
    const { worker, report } = await startWorker(nice);
    try {
      expect(report).toEqual({ tid: expect.stringMatching(/^\d+$/), applied: true, again: false, lower: false, outOfRange: false, priority: nice });
      // The kernel's view of that thread, read from here while it is still running.
      expect(threadNice(report.tid)).toBe(nice);
      // The thread that answers requests is where it was.
      expect(os.getPriority()).toBe(mainBefore);
      expect(threadNice(fs.readlinkSync('/proc/thread-self').split('/').pop()!)).toBe(mainBefore);
    } finally {
      worker.postMessage('exit');
      await new Promise((resolve) => worker.once('exit', resolve));
    }
  });

  it('does nothing when off or not on Linux', () => {
    const before = os.getPriority();
    expect(lowerThreadPriority(0)).toBe(false);
    expect(lowerThreadPriority(Number.NaN)).toBe(false);
    expect(lowerThreadPriority(5, 'darwin')).toBe(false);
    expect(lowerThreadPriority(5, 'win32')).toBe(false);
    expect(os.getPriority()).toBe(before);
  });
});

describe('BACKGROUND_NICE', () => {
  it('defaults to 10, 0 turns it off, anything but a whole number from 0 to 19 stops start-up', () => {
    expect(loadConfig({}).backgroundNice).toBe(10);
    expect(loadConfig({ BACKGROUND_NICE: '0' }).backgroundNice).toBe(0);
    expect(loadConfig({ BACKGROUND_NICE: '19' }).backgroundNice).toBe(19);
    for (const bad of ['20', '-1', '2.5', 'low']) expect(() => loadConfig({ BACKGROUND_NICE: bad })).toThrow(/^BACKGROUND_NICE: expected an integer from 0 to 19/);
  });
});
