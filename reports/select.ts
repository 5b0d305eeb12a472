/**
 * Naming runs on the command line: run ids or unique prefixes (comma-separated for a set of suites),
 * `latest` (the newest finished run of every suite) or `model:<text>` (the newest finished run of every
 * suite whose model contains <text>).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Store, type StoredRun } from './store.js';

export class RunSelectionError extends Error {}

/** Newest finished run per suite among `runs` (runs come oldest first). */
function latestPerSuite(runs: StoredRun[]): StoredRun[] {
  const bySuite = new Map<string, StoredRun>();
  for (const r of runs) if (r.status === 'finished') bySuite.set(r.suite, r);
  return [...bySuite.values()].sort((a, b) => a.suite.localeCompare(b.suite));
}

export async function selectRuns(store: Store, spec: string): Promise<StoredRun[]> {
  const text = spec.trim();
  if (text === 'latest' || text.startsWith('model:')) {
    const all = await store.listRuns();
    const needle = text === 'latest' ? '' : text.slice('model:'.length);
    const runs = latestPerSuite(all.filter((r) => r.model.includes(needle)));
    if (runs.length === 0) {
      throw new RunSelectionError(`no finished run in ${store.path} matches "${spec}"${needle ? ` (models: ${[...new Set(all.map((r) => r.model))].join(', ') || 'none'})` : ''}`);
    }
    return runs;
  }
  const parts = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (parts.length === 0) throw new RunSelectionError(`no run named in "${spec}"`);
  const runs: StoredRun[] = [];
  for (const p of parts) runs.push(await store.getRun(p));
  return runs;
}

/** Several specs (one per CLI argument), de-duplicated, in the order given. */
export async function selectRunList(store: Store, specs: string[]): Promise<StoredRun[]> {
  const seen = new Set<string>();
  const out: StoredRun[] = [];
  for (const s of specs) {
    for (const r of await selectRuns(store, s)) {
      if (seen.has(r.runId)) continue;
      seen.add(r.runId);
      out.push(r);
    }
  }
  return out;
}

/**
 * Opens an existing database for the read-side commands (report, compare, gate, leaderboard, export):
 * a mistyped path is an error, not a new empty database.
 */
export async function openExistingStore(path: string): Promise<Store> {
  const full = resolve(path);
  if (!existsSync(full)) throw new RunSelectionError(`no database at ${full} (runs are written there by \`dseval run --db ${path}\`)`);
  return Store.open(full);
}

export async function withExistingStore<T>(path: string, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openExistingStore(path);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
