/**
 * Item scores of a run: each item's graded attempts reduced to one number by a named metric's reducer
 * (avg@n, pass@k, maj@k), the unit that compare, gates and the report pair and resample.
 */
import type { GradedAttempt, Reducer } from '../harness/types.js';
import { majAtKReducer, meanReducer, passAtKReducer } from '../harness/metrics.js';
import type { Store, StoredRun } from './store.js';

export class MetricNameError extends Error {}

/**
 * The reducer behind a metric name: "avg@n" / "avg@<k>" (mean score over all attempts), "pass@<k>",
 * "maj@<k>". `n` is the run's attempts per item; k must not exceed it.
 */
export function reducerFor(metric: string, n: number): Reducer {
  const m = /^(avg|pass|maj)@(n|\d+)$/.exec(metric.trim());
  if (!m) throw new MetricNameError(`unknown metric "${metric}" (expected avg@n, pass@<k> or maj@<k>)`);
  const k = m[2] === 'n' ? n : Number(m[2]);
  if (k < 1) throw new MetricNameError(`metric "${metric}": k must be at least 1`);
  if (m[1] === 'avg') return { ...meanReducer, name: `avg@${n}` };
  if (k > n) throw new MetricNameError(`metric "${metric}" needs ${k} attempts per item; the run has ${n}`);
  return m[1] === 'pass' ? passAtKReducer(k) : majAtKReducer(k);
}

/** The canonical name of a metric for a run ("avg@n" → "avg@4"). */
export const metricNameFor = (metric: string, n: number): string => reducerFor(metric, n).name;

export interface ItemScore {
  itemId: string;
  score: number;
  attempts: GradedAttempt[];
}

export interface RunItemScores {
  metric: string;
  /** Items with at least one graded attempt, in dataset order. */
  scores: Map<string, ItemScore>;
  /** Items stored for the run without any graded attempt. */
  ungraded: string[];
  /** True when every item has exactly one attempt and every score is 0 or 1. */
  binarySingle: boolean;
}

export async function runItemScores(store: Store, run: StoredRun, metric = 'avg@n'): Promise<RunItemScores> {
  const reducer = reducerFor(metric, run.n);
  const byItem = await store.gradedByItem(run.runId);
  const scores = new Map<string, ItemScore>();
  const ungraded: string[] = [];
  let binarySingle = true;
  for (const [itemId, attempts] of byItem) {
    if (attempts.length === 0) {
      ungraded.push(itemId);
      continue;
    }
    const score = reducer.reduce(attempts);
    if (attempts.length !== 1 || (score !== 0 && score !== 1)) binarySingle = false;
    scores.set(itemId, { itemId, score, attempts });
  }
  return { metric: reducer.name, scores, ungraded, binarySingle: binarySingle && scores.size > 0 };
}
