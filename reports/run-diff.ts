/**
 * What differs between two runs, read from their fingerprints: which fingerprint components changed, the
 * effective settings behind them (temperature 0.6 → 1.0 rather than two hashes), and, for data and
 * prompts, which items. Compare refuses to pair runs whose data or prompts differ unless told to.
 */
import type { Json, Sampling } from '../harness/types.js';
import { resolveSampling } from '../harness/plan.js';
import type { RunConfig } from '../harness/config.js';
import { loadSuite } from '../suites/index.js';
import type { Store, StoredRun } from './store.js';

/** The settings a run actually used: its stored config resolved against the suite's recipe defaults. */
export interface RunSettings {
  suite: string;
  model: string;
  n: number;
  sampling: Sampling;
  seed: number | null;
  suiteOptions: Record<string, Json>;
  chatFormat: string | null;
  api: string | null;
  judge: string | null;
  limit: number | null;
}

const asRecord = (v: Json | undefined): Record<string, Json> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, Json>) : {};

export async function runSettings(run: StoredRun): Promise<RunSettings> {
  const config = run.config as unknown as Partial<RunConfig>;
  let sampling: Sampling;
  try {
    sampling = resolveSampling(await loadSuite(run.suite), config as RunConfig).sampling;
  } catch {
    // A suite this dseval does not know: the stored config is all there is.
    sampling = {
      temperature: config.temperature ?? NaN,
      topP: config.topP ?? NaN,
      topK: config.topK ?? 0,
      maxTokens: config.maxTokens ?? NaN,
      stop: config.stop ?? [],
      thinking: config.thinking ?? null,
    };
  }
  return {
    suite: run.suite,
    model: run.model,
    n: run.n,
    sampling,
    seed: typeof config.seed === 'number' ? config.seed : null,
    suiteOptions: asRecord(run.config.suiteOptions),
    chatFormat: typeof config.chatFormat === 'string' ? config.chatFormat : null,
    api: typeof config.api === 'string' ? config.api : null,
    judge: run.versions.judge ?? run.fingerprintParts.judge ?? null,
    limit: typeof config.limit === 'number' ? config.limit : null,
  };
}

const show = (v: unknown): string => (v === undefined ? '(unset)' : typeof v === 'string' ? v : JSON.stringify(v));

/** Field-by-field differences of two runs' settings, as "temperature: 0.6 → 1". */
export function settingDifferences(a: RunSettings, b: RunSettings): Array<{ field: string; baseline: string; candidate: string }> {
  const flat = (s: RunSettings): Record<string, unknown> => ({
    model: s.model,
    n: s.n,
    temperature: s.sampling.temperature,
    topP: s.sampling.topP,
    topK: s.sampling.topK,
    maxTokens: s.sampling.maxTokens,
    stop: s.sampling.stop,
    thinking: s.sampling.thinking,
    seed: s.seed,
    chatFormat: s.chatFormat,
    api: s.api,
    judge: s.judge,
    limit: s.limit,
    ...Object.fromEntries(Object.entries(s.suiteOptions).map(([k, v]) => [`suite option ${k}`, v])),
  });
  const fa = flat(a);
  const fb = flat(b);
  const fields = [...new Set([...Object.keys(fa), ...Object.keys(fb)])];
  return fields
    .filter((f) => JSON.stringify(fa[f]) !== JSON.stringify(fb[f]))
    .map((f) => ({ field: f, baseline: show(fa[f]), candidate: show(fb[f]) }));
}

/** Fingerprint components that make two runs incomparable item by item. */
export const BLOCKING_PARTS = ['suite', 'data', 'prompts'] as const;

export interface ItemDifferences {
  common: number;
  onlyBaseline: string[];
  onlyCandidate: string[];
  /** Common items whose fields or target differ. */
  dataChanged: string[];
  /** Common items whose rendered prompt differs. */
  promptChanged: string[];
}

export interface RunDifferences {
  /** Fingerprint components that differ, with their hashes. */
  parts: Array<{ part: string; baseline: string; candidate: string; blocking: boolean }>;
  settings: Array<{ field: string; baseline: string; candidate: string }>;
  items: ItemDifferences;
  /** True when data or prompts differ (compare refuses unless told otherwise). */
  blocking: boolean;
}

async function itemHashes(store: Store, runId: string): Promise<Map<string, { data: string; prompt: string }>> {
  const rows = await store.all(`SELECT item_id, data_hash, prompt_hash FROM run_items WHERE run_id = ? ORDER BY position`, [runId]);
  return new Map(rows.map((r) => [String(r.item_id), { data: String(r.data_hash), prompt: String(r.prompt_hash) }]));
}

export async function runDifferences(
  baseline: { store: Store; run: StoredRun },
  candidate: { store: Store; run: StoredRun },
): Promise<RunDifferences> {
  const pa = baseline.run.fingerprintParts;
  const pb = candidate.run.fingerprintParts;
  const parts = [...new Set([...Object.keys(pa), ...Object.keys(pb)])]
    .filter((k) => pa[k] !== pb[k])
    .map((k) => ({
      part: k,
      baseline: pa[k] ?? '(absent)',
      candidate: pb[k] ?? '(absent)',
      blocking: (BLOCKING_PARTS as readonly string[]).includes(k),
    }));
  const [ha, hb] = await Promise.all([itemHashes(baseline.store, baseline.run.runId), itemHashes(candidate.store, candidate.run.runId)]);
  const items: ItemDifferences = { common: 0, onlyBaseline: [], onlyCandidate: [], dataChanged: [], promptChanged: [] };
  for (const [id, a] of ha) {
    const b = hb.get(id);
    if (!b) {
      items.onlyBaseline.push(id);
      continue;
    }
    items.common += 1;
    if (a.data !== b.data) items.dataChanged.push(id);
    if (a.prompt !== b.prompt) items.promptChanged.push(id);
  }
  for (const id of hb.keys()) if (!ha.has(id)) items.onlyCandidate.push(id);
  const [sa, sb] = await Promise.all([runSettings(baseline.run), runSettings(candidate.run)]);
  return { parts, settings: settingDifferences(sa, sb), items, blocking: parts.some((p) => p.blocking) };
}

const few = (ids: string[], k = 5) => (ids.length <= k ? ids.join(', ') : `${ids.slice(0, k).join(', ')} … (${ids.length} in all)`);

/** Human-readable lines saying what differs, blocking differences first. */
export function describeDifferences(d: RunDifferences): string[] {
  const out: string[] = [];
  for (const p of d.parts.filter((x) => x.blocking)) {
    if (p.part === 'data') {
      const bits: string[] = [];
      if (d.items.onlyBaseline.length) bits.push(`${d.items.onlyBaseline.length} items only in the baseline (${few(d.items.onlyBaseline)})`);
      if (d.items.onlyCandidate.length) bits.push(`${d.items.onlyCandidate.length} items only in the candidate (${few(d.items.onlyCandidate)})`);
      if (d.items.dataChanged.length) bits.push(`${d.items.dataChanged.length} items with different content (${few(d.items.dataChanged)})`);
      out.push(`data differs (${p.baseline} vs ${p.candidate}): ${bits.join('; ') || 'same item ids and content, different order'}`);
    } else if (p.part === 'prompts') {
      const n = d.items.promptChanged.length;
      out.push(`prompts differ (${p.baseline} vs ${p.candidate}): ${n ? `${n} of ${d.items.common} common items render differently (${few(d.items.promptChanged)})` : 'the item sets differ'}`);
    } else {
      out.push(`${p.part} differs: ${p.baseline} vs ${p.candidate}`);
    }
  }
  for (const s of d.settings) out.push(`${s.field}: ${s.baseline} → ${s.candidate}`);
  const explained = new Set(['sampling', 'model', 'judge', 'suiteOptions', 'chatFormat', 'api']);
  for (const p of d.parts.filter((x) => !x.blocking && !(explained.has(x.part) && d.settings.length))) {
    out.push(`${p.part} differs: ${p.baseline} vs ${p.candidate}`);
  }
  return out;
}
