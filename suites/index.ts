/**
 * The suite registry: name → loader of the suite module. Adding a suite adds its folder and one line here.
 * Modules load lazily so `dseval list suites` and a run of one suite do not import every suite.
 */
import type { Suite } from '../harness/types.js';

const registry: Record<string, () => Promise<Suite>> = {
  aime25: async () => (await import('./aime25/suite.js')).default,
  aime24: async () => (await import('./aime24/suite.js')).default,
  hmmt_feb25: async () => (await import('./hmmt_feb25/suite.js')).default,
  ruler: async () => (await import('./ruler/suite.js')).default,
  niah: async () => (await import('./niah/suite.js')).default,
  lcb: async () => (await import('./lcb/suite.js')).default,
};

export function suiteNames(): string[] {
  return Object.keys(registry).sort();
}

export async function loadSuite(name: string): Promise<Suite> {
  const load = registry[name];
  if (!load) {
    throw new Error(`unknown suite "${name}"; known suites: ${suiteNames().join(', ')}`);
  }
  return load();
}
