/**
 * Every registered source. The generic scraper test runs over this list.
 */
import type { SourceDefinition } from './contract.js';
import { adb } from './adb.js';
import { afdb } from './afdb.js';
import { aiib } from './aiib.js';
import { ebrd } from './ebrd.js';
import { idb } from './idb.js';
import { ocds } from './ocds.js';
import { ungm } from './ungm.js';
import { worldbank } from './worldbank.js';

export const SOURCES: readonly SourceDefinition[] = [worldbank, ungm, ebrd, aiib, afdb, adb, ocds, idb];

export function findSource(id: string): SourceDefinition | undefined {
  return SOURCES.find((s) => s.id === id);
}

/** A source can run now when it is supported and every setting it needs is set. */
export function isRunnable(s: SourceDefinition, env: NodeJS.ProcessEnv = process.env): boolean {
  return s.status.supported && (s.requiresEnv ?? []).every((name) => Boolean(env[name]?.trim()));
}

export function runnableSources(env: NodeJS.ProcessEnv = process.env): SourceDefinition[] {
  return SOURCES.filter((s) => isRunnable(s, env));
}
