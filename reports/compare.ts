/**
 * `dseval compare`: a paired statistical verdict between a baseline and a candidate, suite by suite.
 *
 * Items are paired by id; each item's attempts reduce to one score (avg@n by default), so an item with n
 * attempts is one cluster. Per suite: the mean difference (candidate − baseline) with a paired bootstrap
 * interval, a two-sided sign-flip permutation p-value (McNemar's exact test when both runs have one binary
 * attempt per item — the same test, written the classic way), Holm's (or Benjamini–Hochberg's) correction
 * across suites, and a
 * verdict. Exit codes are in COMPARE_EXIT and docs/reports.md.
 */
import type { Store, StoredRun } from './store.js';
import { runItemScores } from './item-scores.js';
import { describeDifferences, runDifferences, type RunDifferences } from './run-diff.js';
import { benjaminiHochberg, holm, mcnemarExact, mdeAtAttempts, varianceComponents, type VarianceComponents, minimumDetectableEffect, pairedBootstrap, signFlipTest, type Interval } from './stats.js';

/** Exit codes of `dseval compare` (documented in docs/reports.md). */
export const COMPARE_EXIT = { improved: 0, regressed: 1, inconclusive: 2, notComparable: 3, error: 4 } as const;

export type Verdict = 'improved' | 'regressed' | 'inconclusive';

/** Correction across suites: Holm (family-wise error rate, the default) or Benjamini–Hochberg (false discovery rate). */
export type Correction = 'holm' | 'bh';
export const CORRECTION_NAME: Record<Correction, string> = { holm: 'Holm', bh: 'BH' };

export interface RunRef {
  store: Store;
  run: StoredRun;
}

export interface CompareOptions {
  /** avg@n (default), pass@<k> or maj@<k>. */
  metric?: string;
  /** Significance level across suites (default 0.05): family-wise with Holm, a false discovery rate with BH. */
  alpha?: number;
  /** How p-values are corrected across suites (default holm). */
  correction?: Correction;
  /** Compare even when data or prompts differ (only items present and unchanged in both are paired). */
  allowDifferent?: boolean;
  /** A significant difference smaller than this (in score units, 0.02 = 2 points) stays inconclusive. */
  minEffect?: number;
  resamples?: number;
  seed?: number;
}

/** Raised when two runs cannot be paired; the message says what differs. Exit code 3. */
export class NotComparableError extends Error {}

export interface ItemDelta {
  itemId: string;
  baseline: number;
  candidate: number;
  delta: number;
}

export interface SuiteComparison {
  suite: string;
  baselineRun: string;
  candidateRun: string;
  /** The metric per side ("avg@4"); sides may differ in n. */
  baselineMetric: string;
  candidateMetric: string;
  /** Items paired. */
  items: number;
  baselineMean: number;
  candidateMean: number;
  /** candidate − baseline, with its paired bootstrap interval. */
  diff: Interval;
  test: 'sign-flip' | 'mcnemar';
  /** Exact, Monte Carlo or a Hoeffding bound below 1e-20 (sign-flip); McNemar is always exact. */
  pMethod: 'exact' | 'monte-carlo' | 'bound';
  pValue: number;
  /** Adjusted across the compared suites (Comparison.correction). */
  pAdjusted: number;
  /** For McNemar: b = correct → wrong, c = wrong → correct. */
  discordant: { worse: number; better: number } | null;
  /**
   * avg@n only, with at least two attempts per item on both sides: the split of the items' noise into a part
   * more attempts would shrink and one they would not, and the MDE it projects for more attempts per item
   * (n = null: infinitely many, the items alone). Tells "run more attempts" from "add items".
   */
  noise: VarianceComponents | null;
  attemptPlan: Array<{ n: number | null; mde: number }> | null;
  /** Smallest difference detectable with 80% power at the strictest level of the correction (α / suites); null if unknown. */
  mde: number | null;
  verdict: Verdict;
  reason: string;
  /** Items that got worse / better, largest change first. */
  worse: ItemDelta[];
  better: ItemDelta[];
  excluded: { onlyBaseline: number; onlyCandidate: number; changedData: number; ungraded: number };
  differences: RunDifferences;
  notes: string[];
}

export interface Comparison {
  alpha: number;
  correction: Correction;
  metric: string;
  minEffect: number;
  suites: SuiteComparison[];
  /** Suites with a run on one side only. */
  unpaired: Array<{ suite: string; side: 'baseline' | 'candidate'; runId: string }>;
  verdict: Verdict;
  exitCode: number;
}

interface PairedScores {
  base: Awaited<ReturnType<typeof runItemScores>>;
  cand: Awaited<ReturnType<typeof runItemScores>>;
  ids: string[];
  differences: RunDifferences;
  excluded: SuiteComparison['excluded'];
}

async function pairItems(baseline: RunRef, candidate: RunRef, opts: CompareOptions): Promise<PairedScores> {
  const differences = await runDifferences(baseline, candidate);
  if (differences.blocking && !opts.allowDifferent) {
    throw new NotComparableError(
      `cannot compare ${baseline.run.runId} with ${candidate.run.runId} item by item:\n` +
        describeDifferences(differences).map((l) => `  ${l}`).join('\n') +
        `\n  (pass --allow-different to pair the items present and unchanged in both)`,
    );
  }
  const metric = opts.metric ?? 'avg@n';
  const [base, cand] = await Promise.all([runItemScores(baseline.store, baseline.run, metric), runItemScores(candidate.store, candidate.run, metric)]);
  const changed = new Set(differences.items.dataChanged);
  const ids = [...base.scores.keys()].filter((id) => cand.scores.has(id) && !changed.has(id));
  if (ids.length === 0) {
    throw new NotComparableError(`${baseline.run.runId} and ${candidate.run.runId} have no graded item in common to pair`);
  }
  const ungraded = new Set([...base.ungraded, ...cand.ungraded]);
  return {
    base,
    cand,
    ids,
    differences,
    excluded: {
      onlyBaseline: differences.items.onlyBaseline.length,
      onlyCandidate: differences.items.onlyCandidate.length,
      changedData: changed.size,
      ungraded: ungraded.size,
    },
  };
}

/** The statistics of one suite, before the correction across suites. */
export async function compareSuite(baseline: RunRef, candidate: RunRef, opts: CompareOptions = {}): Promise<SuiteComparison> {
  if (baseline.run.suite !== candidate.run.suite) {
    throw new NotComparableError(`${baseline.run.runId} is ${baseline.run.suite} but ${candidate.run.runId} is ${candidate.run.suite}`);
  }
  const p = await pairItems(baseline, candidate, opts);
  const b = p.ids.map((id) => p.base.scores.get(id)!.score);
  const c = p.ids.map((id) => p.cand.scores.get(id)!.score);
  const diffs = p.ids.map((_, i) => c[i] - b[i]);
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const diff = pairedBootstrap(diffs, { resamples: opts.resamples, level: 1 - (opts.alpha ?? 0.05), seed: opts.seed });
  const binary = p.base.binarySingle && p.cand.binarySingle;
  let test: SuiteComparison['test'];
  let pValue: number;
  let pMethod: SuiteComparison['pMethod'];
  let discordant: SuiteComparison['discordant'] = null;
  if (binary) {
    const worse = diffs.filter((d) => d < 0).length;
    const better = diffs.filter((d) => d > 0).length;
    test = 'mcnemar';
    pValue = mcnemarExact(worse, better);
    pMethod = 'exact';
    discordant = { worse, better };
  } else {
    const r = signFlipTest(diffs, { seed: opts.seed });
    test = 'sign-flip';
    pValue = r.pValue;
    pMethod = r.method;
  }
  const deltas: ItemDelta[] = p.ids.map((id, i) => ({ itemId: id, baseline: b[i], candidate: c[i], delta: diffs[i] }));
  const byMagnitude = (x: ItemDelta, y: ItemDelta) => Math.abs(y.delta) - Math.abs(x.delta) || x.itemId.localeCompare(y.itemId);
  const notes: string[] = [];
  if (p.base.scores.size && p.cand.scores.size && baseline.run.n !== candidate.run.n) {
    notes.push(`attempts per item differ (${baseline.run.n} vs ${candidate.run.n}): item scores are means over different n`);
  }
  if (p.differences.blocking) notes.push(...describeDifferences(p.differences).filter((l) => /^(data|prompts|suite) differ/.test(l)));
  return {
    suite: baseline.run.suite,
    baselineRun: baseline.run.runId,
    candidateRun: candidate.run.runId,
    baselineMetric: p.base.metric,
    candidateMetric: p.cand.metric,
    items: p.ids.length,
    baselineMean: mean(b),
    candidateMean: mean(c),
    diff,
    test,
    pMethod,
    pValue,
    pAdjusted: pValue,
    discordant,
    noise:
      p.base.metric.startsWith('avg@') && p.cand.metric.startsWith('avg@')
        ? varianceComponents(p.ids.map((id) => ({ base: p.base.scores.get(id)!.attempts.map((a) => a.score), cand: p.cand.scores.get(id)!.attempts.map((a) => a.score) })))
        : null,
    attemptPlan: null,
    mde: null,
    verdict: 'inconclusive',
    reason: '',
    worse: deltas.filter((d) => d.delta < 0).sort(byMagnitude),
    better: deltas.filter((d) => d.delta > 0).sort(byMagnitude),
    excluded: p.excluded,
    differences: p.differences,
    notes,
  };
}

/** Applies the correction across suites, the minimum-effect rule and the per-suite and overall verdicts. */
export function decide(
  suites: SuiteComparison[],
  opts: { alpha: number; minEffect: number; correction?: Correction },
  diffsOf: (s: SuiteComparison) => number[],
): Verdict {
  const correction = opts.correction ?? 'holm';
  const adjusted = (correction === 'bh' ? benjaminiHochberg : holm)(suites.map((s) => s.pValue));
  const pName = suites.length > 1 ? `${CORRECTION_NAME[correction]}-adjusted p` : 'p';
  suites.forEach((s, i) => {
    s.pAdjusted = adjusted[i];
    // The strictest step of either correction tests at alpha / m: an effect this size is detected even there.
    s.mde = minimumDetectableEffect(diffsOf(s), opts.alpha / suites.length);
    if (s.noise) {
      const noise = s.noise;
      const n = Math.max(candidateN(s), 1);
      s.attemptPlan = [n, 2 * n, 4 * n, 8 * n, Infinity].map((k) => ({ n: Number.isFinite(k) ? k : null, mde: mdeAtAttempts(noise, k, opts.alpha / suites.length) }));
    }
    const significant = s.pAdjusted < opts.alpha;
    const large = Math.abs(s.diff.mean) >= opts.minEffect;
    if (significant && large) {
      s.verdict = s.diff.mean < 0 ? 'regressed' : 'improved';
      s.reason = `${pName} ${fmtP(s.pAdjusted)} < α ${opts.alpha}`;
    } else {
      s.verdict = 'inconclusive';
      s.reason = significant
        ? `significant (${pName} ${fmtP(s.pAdjusted)}) but |Δ| ${(100 * Math.abs(s.diff.mean)).toFixed(2)} pts is below --min-effect ${(100 * opts.minEffect).toFixed(2)} pts`
        : `${pName} ${fmtP(s.pAdjusted)} ≥ α ${opts.alpha}`;
    }
  });
  if (suites.some((s) => s.verdict === 'regressed')) return 'regressed';
  if (suites.some((s) => s.verdict === 'improved')) return 'improved';
  return 'inconclusive';
}

/** Attempts per item of the candidate run, from its metric name ("avg@4" → 4). */
const candidateN = (s: SuiteComparison) => Number(s.candidateMetric.split('@')[1]) || 1;

/** p for display; below 1e-20 the windowed exact test is only bounded, so it shows as such. */
export const fmtP = (p: number): string => (p >= 0.001 ? p.toFixed(3) : p < 1e-20 ? '<1e-20' : p.toExponential(1));

/** Pairs two sets of runs by suite; a suite with several runs on one side is ambiguous. */
export function pairBySuite(baseline: RunRef[], candidate: RunRef[]): { pairs: Array<[RunRef, RunRef]>; unpaired: Comparison['unpaired'] } {
  const bySuite = (refs: RunRef[], side: string) => {
    const m = new Map<string, RunRef>();
    for (const r of refs) {
      const prev = m.get(r.run.suite);
      if (prev) throw new Error(`the ${side} has two runs of suite ${r.run.suite} (${prev.run.runId}, ${r.run.runId}); name one run per suite`);
      m.set(r.run.suite, r);
    }
    return m;
  };
  const a = bySuite(baseline, 'baseline');
  const b = bySuite(candidate, 'candidate');
  if (baseline.length === 1 && candidate.length === 1 && baseline[0].run.suite !== candidate[0].run.suite) {
    throw new NotComparableError(
      `${baseline[0].run.runId} is suite ${baseline[0].run.suite} but ${candidate[0].run.runId} is suite ${candidate[0].run.suite}`,
    );
  }
  const pairs: Array<[RunRef, RunRef]> = [];
  const unpaired: Comparison['unpaired'] = [];
  for (const [suite, ref] of a) {
    const other = b.get(suite);
    if (other) pairs.push([ref, other]);
    else unpaired.push({ suite, side: 'baseline', runId: ref.run.runId });
  }
  for (const [suite, ref] of b) if (!a.has(suite)) unpaired.push({ suite, side: 'candidate', runId: ref.run.runId });
  if (pairs.length === 0) throw new NotComparableError('the baseline and the candidate share no suite');
  return { pairs, unpaired };
}

/** The full comparison: pair by suite, test each, correct across suites, decide. */
export async function compareRuns(baseline: RunRef[], candidate: RunRef[], opts: CompareOptions = {}): Promise<Comparison> {
  const alpha = opts.alpha ?? 0.05;
  const minEffect = opts.minEffect ?? 0;
  const correction = opts.correction ?? 'holm';
  if (!(alpha > 0 && alpha < 1)) throw new Error(`alpha must be in (0, 1), got ${alpha}`);
  const { pairs, unpaired } = pairBySuite(baseline, candidate);
  const suites: SuiteComparison[] = [];
  const diffs = new Map<SuiteComparison, number[]>();
  for (const [b, c] of pairs) {
    const s = await compareSuite(b, c, opts);
    suites.push(s);
    diffs.set(s, [...s.worse, ...s.better].map((d) => d.delta).concat(new Array(s.items - s.worse.length - s.better.length).fill(0)));
  }
  const verdict = decide(suites, { alpha, minEffect, correction }, (s) => diffs.get(s)!);
  return { alpha, correction, metric: opts.metric ?? 'avg@n', minEffect, suites, unpaired, verdict, exitCode: COMPARE_EXIT[verdict] };
}
