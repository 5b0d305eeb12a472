/**
 * Metrics math: reducers (attempts of one item → item score) and metrics (item scores → suite figure with
 * a bootstrap confidence interval over items). Pure functions; reports and suites share them.
 */
import type { Estimate, GradedAttempt, Metric, Reducer } from './types.js';
import { mulberry32 } from './random.js';

export { mulberry32 };

/**
 * Unbiased pass@k (Chen et al. 2021): the probability that at least one of k attempts drawn without
 * replacement from n, of which c are correct, is correct. 1 − C(n−c, k)/C(n, k), computed as a product so
 * that large n does not overflow.
 */
export function passAtK(n: number, c: number, k: number): number {
  if (k <= 0 || n <= 0) throw new Error(`passAtK: need n > 0 and k > 0 (n=${n}, k=${k})`);
  if (k > n) throw new Error(`passAtK: k=${k} exceeds the ${n} attempts`);
  if (n - c < k) return 1;
  let allWrong = 1;
  for (let i = n - c + 1; i <= n; i++) allWrong *= 1 - k / i;
  return 1 - allWrong;
}

/** avg@n: the mean score over all attempts of the item (partial credit kept). */
export const meanReducer: Reducer = {
  name: 'avg@n',
  reduce(attempts) {
    if (attempts.length === 0) return 0;
    return attempts.reduce((s, a) => s + a.score, 0) / attempts.length;
  },
};

/** pass@k over all n attempts of the item, counting an attempt correct when its outcome is `correct`. */
export function passAtKReducer(k: number): Reducer {
  return {
    name: `pass@${k}`,
    reduce(attempts) {
      const n = attempts.length;
      if (n === 0) return 0;
      const c = attempts.filter((a) => a.outcome === 'correct').length;
      return passAtK(n, c, Math.min(k, n));
    },
  };
}

/**
 * maj@k: majority vote over the first k attempts (by index) on their canonical answer keys. Attempts
 * without an answer do not vote. A tie scores the mean correctness of the tied answers (the expected score
 * of a fair tie-break), so the figure does not depend on an arbitrary order.
 */
export function majAtKReducer(k: number): Reducer {
  return {
    name: `maj@${k}`,
    reduce(attempts) {
      const first = [...attempts].sort((a, b) => a.index - b.index).slice(0, k);
      const votes = new Map<string, { count: number; correct: boolean }>();
      for (const a of first) {
        if (a.answerKey === null) continue;
        const v = votes.get(a.answerKey) ?? { count: 0, correct: false };
        v.count += 1;
        v.correct ||= a.outcome === 'correct';
        votes.set(a.answerKey, v);
      }
      if (votes.size === 0) return 0;
      const top = Math.max(...[...votes.values()].map((v) => v.count));
      const tied = [...votes.values()].filter((v) => v.count === top);
      return tied.filter((v) => v.correct).length / tied.length;
    },
  };
}

/** The q-quantile (0..1) of sorted values, linear interpolation between order statistics. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export interface BootstrapOptions {
  resamples?: number;
  /** Two-sided confidence level, default 0.95. */
  level?: number;
  seed?: number;
}

/** Mean of the values with a percentile-bootstrap confidence interval (resampling items). */
export function bootstrapMean(values: number[], opts: BootstrapOptions = {}): Estimate {
  const n = values.length;
  if (n === 0) return { value: NaN, ciLow: NaN, ciHigh: NaN, n: 0 };
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const resamples = opts.resamples ?? 2000;
  const level = opts.level ?? 0.95;
  const rand = mulberry32(opts.seed ?? 12345);
  const means = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += values[Math.floor(rand() * n)];
    means[b] = s / n;
  }
  means.sort();
  const alpha = (1 - level) / 2;
  return { value: mean, ciLow: quantile(means, alpha), ciHigh: quantile(means, 1 - alpha), n };
}

/** A metric: reduce each item's attempts with `reducer`, then the mean over items with a bootstrap CI. */
export function bootstrapMetric(reducer: Reducer, opts: BootstrapOptions = {}): Metric {
  return { name: reducer.name, reducer, compute: (scores) => bootstrapMean(scores, opts) };
}

/**
 * The standard metric set for n attempts per item: avg@n (named with the actual n), pass@k for
 * k ∈ {1, 2, 4, 8, …} ≤ n plus n itself, and maj@n when answers can be voted on.
 */
export function standardMetrics(n: number, opts: { majority?: boolean } = {}): Metric[] {
  const metrics: Metric[] = [bootstrapMetric({ ...meanReducer, name: `avg@${n}` })];
  const ks = new Set<number>();
  for (let k = 1; k <= n; k *= 2) ks.add(k);
  ks.add(n);
  for (const k of [...ks].sort((a, b) => a - b)) metrics.push(bootstrapMetric(passAtKReducer(k)));
  if (opts.majority !== false && n > 1) metrics.push(bootstrapMetric(majAtKReducer(n)));
  return metrics;
}

/** Reduce per item and compute a metric: the one place where item grouping happens. */
export function computeMetric(metric: Metric, byItem: Map<string, GradedAttempt[]>): Estimate {
  const scores = [...byItem.values()].map((attempts) => metric.reducer.reduce(attempts));
  return metric.compute(scores);
}
