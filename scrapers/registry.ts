/**
 * Every registered source. The generic scraper test runs over this list.
 */
import type { SourceDefinition } from './contract.js';
import { ungm } from './ungm.js';
import { worldbank } from './worldbank.js';

export const SOURCES: readonly SourceDefinition[] = [worldbank, ungm];

export function findSource(id: string): SourceDefinition | undefined {
  return SOURCES.find((s) => s.id === id);
}
