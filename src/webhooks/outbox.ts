/**
 * The webhook outbox. PLACEHOLDER: deliveries are enqueued here once webhooks land.
 */
import type Database from 'better-sqlite3';
import type { EventRecord } from '../events/events.js';

export function enqueueDeliveries(_sqlite: Database.Database, _event: EventRecord): number {
  return 0;
}
