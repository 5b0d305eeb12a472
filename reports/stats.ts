/**
 * Paired statistics for comparing two runs item by item: the paired bootstrap interval of the mean
 * difference, the sign-flip permutation test, McNemar's exact test, Holm's step-down and Benjamini–Hochberg's
 * step-up corrections and the
 * minimum detectable effect. Pure functions of per-item differences; compare.ts pairs the items. Also the
 * unpaired two-sample bootstrap, for two disjoint groups of items of one run (cutoff.ts).
 *
 * The unit of resampling is always the item: with n attempts per item the item's mean score is the
 * observation, so attempts of one item stay together (a cluster bootstrap / cluster permutation).
 */
import { mulberry32, quantile } from '../harness/metrics.js';

/** Work budget (inner-loop steps) that the permutation procedures scale to. */
const WORK_BUDGET = 2e8;
/** The bootstrap's budget: 10,000 resamples up to 5,000 items, fewer (at least 1,000) beyond. */
const BOOTSTRAP_BUDGET = 5e7;

export interface Interval {
  mean: number;
  ciLow: number;
  ciHigh: number;
  /** Bootstrap resamples drawn. */
  resamples: number;
}

/**
 * Mean of the paired differences with a percentile-bootstrap interval: resample items with replacement,
 * keeping each item's (baseline, candidate) pair together.
 */
export function pairedBootstrap(diffs: number[], opts: { resamples?: number; level?: number; seed?: number } = {}): Interval {
  const m = diffs.length;
  if (m === 0) return { mean: NaN, ciLow: NaN, ciHigh: NaN, resamples: 0 };
  const mean = diffs.reduce((s, d) => s + d, 0) / m;
  if (diffs.every((d) => d === diffs[0])) return { mean, ciLow: mean, ciHigh: mean, resamples: 0 };
  const resamples = Math.max(1000, Math.min(opts.resamples ?? 10_000, Math.floor(BOOTSTRAP_BUDGET / m)));
  const level = opts.level ?? 0.95;
  const rand = mulberry32(opts.seed ?? 20250101);
  const values = Float64Array.from(diffs);
  const means = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let s = 0;
    for (let i = 0; i < m; i++) s += values[(rand() * m) | 0];
    means[b] = s / m;
  }
  means.sort();
  const alpha = (1 - level) / 2;
  return { mean, ciLow: quantile(means, alpha), ciHigh: quantile(means, 1 - alpha), resamples };
}

/**
 * Difference of means b − a of two independent groups of items (e.g. problems released before and after a
 * training cutoff) with a percentile-bootstrap interval: each group resampled with replacement on its own.
 */
export function twoSampleBootstrap(a: number[], b: number[], opts: { resamples?: number; level?: number; seed?: number } = {}): Interval {
  const na = a.length, nb = b.length;
  if (na === 0 || nb === 0) return { mean: NaN, ciLow: NaN, ciHigh: NaN, resamples: 0 };
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const diff = mean(b) - mean(a);
  const resamples = Math.max(1000, Math.min(opts.resamples ?? 10_000, Math.floor(BOOTSTRAP_BUDGET / (na + nb))));
  const level = opts.level ?? 0.95;
  const rand = mulberry32(opts.seed ?? 20250101);
  const va = Float64Array.from(a), vb = Float64Array.from(b);
  const diffs = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sa = 0, sb = 0;
    for (let i = 0; i < na; i++) sa += va[(rand() * na) | 0];
    for (let i = 0; i < nb; i++) sb += vb[(rand() * nb) | 0];
    diffs[r] = sb / nb - sa / na;
  }
  diffs.sort();
  const alpha = (1 - level) / 2;
  return { mean: diff, ciLow: quantile(diffs, alpha), ciHigh: quantile(diffs, 1 - alpha), resamples };
}

/** exact; monte-carlo (add-one estimate); bound: Hoeffding's bound, used when it is below 1e-20. */
export type PermutationMethod = 'exact' | 'monte-carlo' | 'bound';

export interface PermutationResult {
  /** Two-sided p-value of H0: baseline and candidate are exchangeable within each item. */
  /** Two-sided; with method 'bound' an upper bound (below 1e-20). */
  pValue: number;
  method: PermutationMethod;
  /** Random sign assignments drawn (Monte Carlo only). */
  resamples: number;
}

/** Greatest common divisor and least common multiple of positive integers. */
const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const lcm = (a: number, b: number): number => (a / gcd(a, b)) * b;

/** The smallest denominator q ≤ maxQ with x ≈ p/q (continued fractions), or null. */
export function smallDenominator(x: number, maxQ = 10_000, eps = 1e-9): number | null {
  const target = Math.abs(x);
  let [h0, h1, k0, k1] = [0, 1, 1, 0];
  let rest = target;
  for (let step = 0; step < 64; step++) {
    const a = Math.floor(rest);
    [h0, h1] = [h1, a * h1 + h0];
    [k0, k1] = [k1, a * k1 + k0];
    if (k1 > maxQ) return null;
    if (Math.abs(target - h1 / k1) < eps) return k1;
    const frac = rest - a;
    if (frac < 1e-15) return null;
    rest = 1 / frac;
  }
  return null;
}

/**
 * The differences as integers on a common lattice (d_i = k_i / scale), when one with a modest scale exists:
 * true whenever scores are fractions with small denominators (binary grades over n attempts, RULER's
 * partial credit). Null for arbitrary reals.
 */
export function toLattice(diffs: number[], maxScale = 1_000_000): { ints: number[]; scale: number } | null {
  let scale = 1;
  for (const d of diffs) {
    if (Math.abs(d * scale - Math.round(d * scale)) < 1e-9 * scale) continue;
    const q = smallDenominator(d);
    if (q === null) return null;
    scale = lcm(scale, q);
    if (scale > maxScale) return null;
  }
  return { ints: diffs.map((d) => Math.round(d * scale)), scale };
}

/** Standard deviations of the sign-flip sum kept by the dynamic programme (Hoeffding: what is cut is < 2m·e^−72). */
const WINDOW_SDS = 12;

/**
 * Two-sided sign-flip p-value for integer differences: the distribution of Σ ε_i k_i over all 2^m sign
 * assignments, by dynamic programming over the reachable sums. Sums beyond max(|t|, 12σ) (σ² = Σ k_i²) are
 * dropped; by Hoeffding's inequality the dropped mass is below 2m·e^−72, so the result is exact to far below
 * any p-value that matters. Null when even the windowed table is too large.
 */
function exactLatticePValue(ints: number[]): number | null {
  const ks = ints.filter((k) => k !== 0).map(Math.abs);
  if (ks.length === 0) return 1;
  const observed = Math.abs(ints.reduce((s, k) => s + k, 0));
  const total = ks.reduce((s, k) => s + k, 0);
  const sd = Math.sqrt(ks.reduce((s, k) => s + k * k, 0));
  const kMax = ks.reduce((m, k) => (k > m ? k : m), 0); // not Math.max(...ks): a spread of 100k+ items overflows the stack
  const half = Math.min(total, Math.ceil(Math.max(observed, WINDOW_SDS * sd)) + kMax);
  if (ks.length * (2 * half + 1) > 2.5 * WORK_BUDGET) return null;
  // dist[half + s] = P(partial sum = s); the arrays carry kMax cells of margin on each side.
  const size = 2 * (half + kMax) + 1;
  const zero = half + kMax;
  let dist = new Float64Array(size);
  let next = new Float64Array(size);
  dist[zero] = 1;
  let reach = 0;
  for (const k of ks) {
    const lo = Math.max(-half, -reach);
    const hi = Math.min(half, reach);
    next.fill(0, zero + lo - k, zero + hi + k + 1);
    for (let s = zero + lo; s <= zero + hi; s++) {
      const p = dist[s];
      if (p === 0) continue;
      next[s - k] += p / 2;
      next[s + k] += p / 2;
    }
    reach = Math.min(half, reach + k);
    // sums pushed beyond the window are dropped (see above)
    next.fill(0, 0, zero - half);
    next.fill(0, zero + half + 1, size);
    [dist, next] = [next, dist];
  }
  let p = 0;
  for (let s = -half; s <= half; s++) if (Math.abs(s) >= observed) p += dist[zero + s];
  return Math.min(1, p);
}

/** Exact p-value by enumerating every sign assignment (small m with arbitrary real differences). */
function enumeratedPValue(diffs: number[]): number {
  const xs = diffs.filter((d) => d !== 0);
  const m = xs.length;
  const observed = Math.abs(xs.reduce((s, d) => s + d, 0));
  const tol = 1e-12 * xs.reduce((s, d) => s + Math.abs(d), 0);
  let extreme = 0;
  for (let mask = 0; mask < 1 << m; mask++) {
    let s = 0;
    for (let i = 0; i < m; i++) s += mask & (1 << i) ? -xs[i] : xs[i];
    if (Math.abs(s) >= observed - tol) extreme++;
  }
  return extreme / 2 ** m;
}

/**
 * Sign-flip (paired permutation) test of the mean difference. Exact when the differences sit on a small
 * lattice (dynamic programming) or are few (enumeration); otherwise Monte Carlo with the add-one estimate
 * (1 + extreme) / (1 + R), which never reports 0 and stays valid.
 */
export function signFlipTest(diffs: number[], opts: { resamples?: number; seed?: number } = {}): PermutationResult {
  const nonzero = diffs.filter((d) => d !== 0);
  if (nonzero.length === 0) return { pValue: 1, method: 'exact', resamples: 0 };
  // Far in the tail no exact value is needed: P(|Σ ε_i d_i| ≥ t) ≤ 2·exp(−t² / 2Σd_i²) (Hoeffding).
  const t = Math.abs(nonzero.reduce((s, d) => s + d, 0));
  const bound = 2 * Math.exp(-(t * t) / (2 * nonzero.reduce((s, d) => s + d * d, 0)));
  if (bound < 1e-20) return { pValue: bound, method: 'bound', resamples: 0 };
  const lattice = toLattice(nonzero);
  if (lattice) {
    const p = exactLatticePValue(lattice.ints);
    if (p !== null) return { pValue: p, method: 'exact', resamples: 0 };
  }
  if (nonzero.length <= 16) return { pValue: enumeratedPValue(nonzero), method: 'exact', resamples: 0 };
  const m = nonzero.length;
  const resamples = Math.max(2000, Math.min(opts.resamples ?? 100_000, Math.floor(WORK_BUDGET / m)));
  const xs = Float64Array.from(nonzero);
  const observed = Math.abs(nonzero.reduce((s, d) => s + d, 0));
  const tol = 1e-12 * nonzero.reduce((s, d) => s + Math.abs(d), 0);
  const rand = mulberry32(opts.seed ?? 20250102);
  let extreme = 0;
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (let i = 0; i < m; i++) s += rand() < 0.5 ? -xs[i] : xs[i];
    if (Math.abs(s) >= observed - tol) extreme++;
  }
  return { pValue: (1 + extreme) / (1 + resamples), method: 'monte-carlo', resamples };
}

/**
 * McNemar's exact test for one binary attempt per item: b items went correct → wrong, c went wrong →
 * correct. Two-sided p = P(|X − m/2| ≥ |c − m/2|), X ~ Binomial(m = b + c, ½); the binomial terms are built
 * in log space one from the next, so large m costs O(m).
 */
export function mcnemarExact(b: number, c: number): number {
  const m = b + c;
  if (m === 0) return 1;
  const dev = Math.abs(c - m / 2);
  let logPmf = -m * Math.LN2; // P(X = 0)
  let p = 0;
  for (let x = 0; x <= m; x++) {
    if (Math.abs(x - m / 2) >= dev - 1e-9) p += Math.exp(logPmf);
    logPmf += Math.log(m - x) - Math.log(x + 1);
  }
  return Math.min(1, p);
}

/** Holm's step-down adjusted p-values (controls the family-wise error rate across suites). */
export function holm(pValues: number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach(([p, i], rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[i] = running;
  });
  return adjusted;
}

/**
 * Benjamini–Hochberg step-up adjusted p-values (controls the false discovery rate across suites: more power
 * than Holm when many suites are compared, at the price of expecting a share α of the flagged ones to be false).
 */
export function benjaminiHochberg(pValues: number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => [p, i] as const).sort((a, b) => b[0] - a[0]);
  const adjusted = new Array<number>(m);
  let running = 1;
  order.forEach(([p, i], k) => {
    running = Math.min(running, (m * p) / (m - k));
    adjusted[i] = running;
  });
  return adjusted;
}

/** Inverse of the standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new Error(`normalQuantile: p must be in (0, 1), got ${p}`);
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/** Sample standard deviation (n − 1 in the denominator); 0 for fewer than two values. */
export function sampleSd(xs: number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  return Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1));
}

/**
 * The smallest true mean difference a two-sided paired test at level `alpha` detects with probability
 * `power`, given the observed spread of the item differences (normal approximation):
 * (z_{1−α/2} + z_{power}) · sd(d) / √m. Null when the spread is unknown (fewer than two items, or no item
 * changed at all).
 */
export function minimumDetectableEffect(diffs: number[], alpha: number, power = 0.8): number | null {
  const sd = sampleSd(diffs);
  if (diffs.length < 2 || sd === 0) return null;
  return ((normalQuantile(1 - alpha / 2) + normalQuantile(power)) * sd) / Math.sqrt(diffs.length);
}

/**
 * Where the noise of an avg@n comparison comes from. An item's difference d = mean(candidate attempts) −
 * mean(baseline attempts) varies for two reasons: the items differ (between-item variance τ², which more
 * attempts cannot shrink) and each side's attempts are a sample (within-item variance, which falls as 1/n).
 * The within part at the runs' own n is estimated from the unbiased per-item variances of the attempt scores,
 * s²_candidate / n_candidate + s²_baseline / n_baseline averaged over items, capped at the observed var(d) (when
 * attempts are less noisy than independent draws would be, all of var(d) is taken as attempt noise);
 * τ² = var(d) − that part. `withinUnit` scales it to one attempt a side, so the within part at n attempts a side
 * is withinUnit / n, and at the runs' own n the projection gives back the observed spread. Null unless every
 * item has at least two attempts on both sides.
 */
export interface VarianceComponents {
  items: number;
  between: number;
  withinUnit: number;
}

export function varianceComponents(items: Array<{ base: number[]; cand: number[] }>): VarianceComponents | null {
  if (items.length < 2 || items.some((i) => i.base.length < 2 || i.cand.length < 2)) return null;
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const variance = (xs: number[]) => sampleSd(xs) ** 2;
  const diffs = items.map((i) => mean(i.cand) - mean(i.base));
  const total = variance(diffs);
  const withinNow = mean(items.map((i) => variance(i.cand) / i.cand.length + variance(i.base) / i.base.length));
  const within = Math.min(withinNow, total);
  const perAttempt = mean(items.map((i) => variance(i.cand) + variance(i.base)));
  return { items: items.length, between: total - within, withinUnit: withinNow > 0 ? (perAttempt * within) / withinNow : 0 };
}

/** The MDE (as minimumDetectableEffect) with n attempts per item on both sides; n = Infinity: the items alone. */
export function mdeAtAttempts(v: VarianceComponents, n: number, alpha: number, power = 0.8): number {
  const within = Number.isFinite(n) ? v.withinUnit / n : 0;
  return ((normalQuantile(1 - alpha / 2) + normalQuantile(power)) * Math.sqrt(v.between + within)) / Math.sqrt(v.items);
}
