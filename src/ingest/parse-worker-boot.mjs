// Worker entry: TypeScript sources run through tsx's loader, as in the main thread.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);
