/**
 * `dseval gate`: checks runs against the rules of a gate file (gate-rules.ts) — accuracy bounds, no
 * significant regression against a baseline run, outcome rates, speed, the judge's self-check — and
 * reports each check as pass, fail or error (could not be evaluated). Exit codes are in GATE_EXIT.
 */
import type { Store, StoredRun } from './store.js';
import type { GateFile, GateRule, RuleParams } from './gate-rules.js';
import { attemptDistribution, budgetAttempts, judgeSelfCheck, outcomeCounts, type AttemptMeasure, type Distribution } from './queries.js';
import { tokensPerCorrect } from './budget.js';
import { metricNameFor, runItemScores } from './item-scores.js';
import { bootstrapMean } from '../harness/metrics.js';
import { compareSuite, decide, fmtP, NotComparableError } from './compare.js';
import { selectRuns } from './select.js';
import { textTable } from './terminal.js';

/** Exit codes of `dseval gate` (documented in docs/reports.md). */
export const GATE_EXIT = { pass: 0, fail: 1, invalid: 2 } as const;

export type CheckStatus = 'pass' | 'fail' | 'error';

export interface CheckResult {
  rule: GateRule;
  run: StoredRun | null;
  status: CheckStatus;
  /** What was measured, formatted. */
  actual: string;
  /** Why it passed or failed, one line. */
  message: string;
  seconds: number;
}

export interface GateContext {
  store: Store;
  /** The runs under test. */
  runs: StoredRun[];
  /** Opens (and caches) the store of a baseline database; null = the main store. */
  baselineStore(path: string | null): Promise<Store>;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const inRange = (v: number, min?: number, max?: number) => (min === undefined || v >= min) && (max === undefined || v <= max);

type CheckOutcome = Omit<CheckResult, 'rule' | 'run' | 'seconds'>;

async function checkAccuracy(ctx: GateContext, run: StoredRun, p: RuleParams<'accuracy'>): Promise<CheckOutcome> {
  const metric = metricNameFor(p.metric, run.n);
  const stored = (await ctx.store.getMetrics(run.runId)).find((m) => m.breakdown === '' && m.metric === metric);
  let est: { value: number; ciLow: number; ciHigh: number; n: number };
  if (stored && Number.isFinite(stored.value)) {
    est = { value: stored.value, ciLow: stored.ciLow, ciHigh: stored.ciHigh, n: stored.nItems };
  } else {
    const scores = await runItemScores(ctx.store, run, p.metric);
    est = bootstrapMean([...scores.scores.values()].map((s) => s.score));
  }
  const actual = `${metric} ${pct(est.value)} [${pct(est.ciLow)}, ${pct(est.ciHigh)}], ${est.n} items`;
  if (!est.n || !Number.isFinite(est.value)) return { status: 'fail', actual: 'no graded items', message: `${run.runId} has no graded items` };
  const v = p.bound === 'ci_low' ? est.ciLow : p.bound === 'ci_high' ? est.ciHigh : est.value;
  const ok = inRange(v, p.min, p.max);
  const what = p.bound === 'value' ? metric : `${metric} ${p.bound}`;
  return { status: ok ? 'pass' : 'fail', actual, message: `${what} = ${pct(v)}${ok ? ' is within' : ' is outside'} the bound` };
}

async function checkNoRegression(ctx: GateContext, file: GateFile, run: StoredRun, p: RuleParams<'no_regression'>): Promise<CheckOutcome> {
  const bstore = await ctx.baselineStore(p.db ?? file.baselineDb);
  const candidates = (await selectRuns(bstore, p.baseline)).filter((r) => r.suite === run.suite);
  if (candidates.length !== 1) {
    return {
      status: 'error',
      actual: '–',
      message: candidates.length
        ? `baseline "${p.baseline}" names ${candidates.length} runs of suite ${run.suite}; name one`
        : `baseline "${p.baseline}" has no run of suite ${run.suite} in ${bstore.path}`,
    };
  }
  try {
    const s = await compareSuite({ store: bstore, run: candidates[0] }, { store: ctx.store, run }, { metric: p.metric, allowDifferent: p.allow_different, alpha: p.alpha });
    const diffs = [...s.worse, ...s.better].map((d) => d.delta).concat(new Array(s.items - s.worse.length - s.better.length).fill(0));
    decide([s], { alpha: p.alpha, minEffect: p.min_effect }, () => diffs);
    const sign = (x: number) => `${x >= 0 ? '+' : '−'}${(100 * Math.abs(x)).toFixed(1)}`;
    const actual = `Δ ${sign(s.diff.mean)} pts [${sign(s.diff.ciLow)}, ${sign(s.diff.ciHigh)}], p ${fmtP(s.pValue)} (${s.test}), ${s.items} items vs ${s.baselineRun}`;
    return { status: s.verdict === 'regressed' ? 'fail' : 'pass', actual, message: `${s.verdict}: ${s.reason}` };
  } catch (e) {
    if (e instanceof NotComparableError) return { status: 'error', actual: '–', message: e.message.replace(/\n\s*/g, '; ') };
    throw e;
  }
}

async function checkOutcomeRate(ctx: GateContext, run: StoredRun, p: RuleParams<'outcome_rate'>): Promise<CheckOutcome> {
  const oc = await outcomeCounts(ctx.store, run.runId);
  if (!oc.total) return { status: 'fail', actual: 'no graded attempts', message: `${run.runId} has no graded attempts` };
  const rate = oc.counts[p.outcome] / oc.total;
  const ok = inRange(rate, p.min, p.max);
  return { status: ok ? 'pass' : 'fail', actual: `${pct(rate)} (${oc.counts[p.outcome]} of ${oc.total} attempts)`, message: `${p.outcome} rate ${pct(rate)}${ok ? ' is within' : ' is outside'} the bound` };
}

async function checkSpeed(ctx: GateContext, run: StoredRun, measure: AttemptMeasure, stat: keyof Distribution, bound: { min?: number; max?: number }, unit: { scale: number; label: string }): Promise<CheckOutcome> {
  const d = await attemptDistribution(ctx.store, run.runId, measure);
  const raw = d[stat];
  if (raw === null || !d.count) {
    return { status: 'fail', actual: 'not recorded', message: `${run.runId} recorded no ${measure.replace(/_/g, ' ')} (streaming off, or no attempts)` };
  }
  const v = raw * unit.scale;
  const ok = inRange(v, bound.min, bound.max);
  const shown = `${v.toFixed(v >= 100 ? 0 : 2)} ${unit.label}`;
  return { status: ok ? 'pass' : 'fail', actual: `${stat} ${shown} over ${d.count} attempts`, message: `${stat} ${shown}${ok ? ' is within' : ' is outside'} the bound` };
}

async function checkRule(ctx: GateContext, file: GateFile, rule: GateRule, run: StoredRun): Promise<CheckOutcome> {
  switch (rule.kind) {
    case 'accuracy':
      return checkAccuracy(ctx, run, rule.params);
    case 'no_regression':
      return checkNoRegression(ctx, file, run, rule.params);
    case 'outcome_rate':
      return checkOutcomeRate(ctx, run, rule.params);
    case 'tokens_per_second':
      return checkSpeed(ctx, run, 'tokens_per_s', rule.params.stat, { min: rule.params.min }, { scale: 1, label: 'tokens/s' });
    case 'latency':
      return checkSpeed(ctx, run, 'latency_ms', rule.params.stat, { max: rule.params.max_seconds }, { scale: 1 / 1000, label: 's' });
    case 'ttft':
      return checkSpeed(ctx, run, 'ttft_ms', rule.params.stat, { max: rule.params.max_seconds }, { scale: 1 / 1000, label: 's' });
    case 'judge_disagreement': {
      const sc = await judgeSelfCheck(ctx.store, run.runId);
      if (!sc.checked) return { status: 'error', actual: 'no self-check', message: `the judge of ${run.runId} has no independent self-check to measure` };
      const ok = sc.rate! <= rule.params.max;
      return { status: ok ? 'pass' : 'fail', actual: `${pct(sc.rate!)} (${sc.disagreements} of ${sc.checked} grades)`, message: `disagreement rate ${pct(sc.rate!)}${ok ? ' is within' : ' is outside'} the bound` };
    }
    case 'tokens_per_correct': {
      const t = tokensPerCorrect(await budgetAttempts(ctx.store, run.runId));
      if (t === null) return { status: 'fail', actual: 'not measurable', message: `${run.runId}: no attempt is correct, or some attempt has no completion-token count` };
      const ok = t <= rule.params.max;
      return { status: ok ? 'pass' : 'fail', actual: `${Math.round(t)} tokens per correct attempt`, message: `${Math.round(t)} tokens per correct attempt${ok ? ' is within' : ' is outside'} the bound` };
    }
  }
}

/** Evaluates every rule on every run it applies to; a rule that applies to no run is an error. */
export async function evaluateGate(file: GateFile, ctx: GateContext): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const rule of file.rules) {
    const targets = ctx.runs.filter((r) => rule.suite === null || r.suite === rule.suite);
    if (targets.length === 0) {
      const have = [...new Set(ctx.runs.map((r) => r.suite))].join(', ') || 'none';
      results.push({ rule, run: null, status: 'error', actual: '–', message: `no run of suite ${rule.suite} among the runs checked (suites: ${have})`, seconds: 0 });
      continue;
    }
    for (const run of targets) {
      const t0 = performance.now();
      let out: CheckOutcome;
      try {
        out = await checkRule(ctx, file, rule, run);
      } catch (e) {
        out = { status: 'error', actual: '–', message: (e as Error).message };
      }
      results.push({ rule, run, ...out, seconds: (performance.now() - t0) / 1000 });
    }
  }
  return results;
}

export function gateExitCode(results: CheckResult[]): number {
  return results.every((r) => r.status === 'pass') ? GATE_EXIT.pass : GATE_EXIT.fail;
}

export function formatGateResults(results: CheckResult[]): string {
  const rows = results.map((r) => [r.status.toUpperCase(), `[${r.rule.index + 1}] ${r.rule.name}`, r.run?.runId ?? '–', r.actual, r.status === 'pass' ? '' : r.message]);
  const failed = results.filter((r) => r.status === 'fail').length;
  const errors = results.filter((r) => r.status === 'error').length;
  const rules = new Set(results.map((r) => r.rule.index)).size;
  const summary =
    `${rules} rule${rules === 1 ? '' : 's'}, ${results.length} check${results.length === 1 ? '' : 's'}: ` +
    `${results.length - failed - errors} passed, ${failed} failed, ${errors} could not be evaluated → exit ${gateExitCode(results)}`;
  return `${textTable(['result', 'rule', 'run', 'measured', 'why'], rows)}\n\n${summary}`;
}
