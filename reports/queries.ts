/**
 * Read-side queries over the store that every view shares (terminal summary, HTML report, gates):
 * outcome counts and rates, token use, speed percentiles, the judge's self-check disagreement rate, and the
 * per-attempt (tokens, score) pairs behind the token-budget curve.
 */
import type { Outcome } from '../harness/types.js';
import { OUTCOMES } from '../harness/types.js';
import type { Store } from './store.js';
import type { BudgetAttempt } from './budget.js';

export interface OutcomeCounts {
  total: number;
  counts: Record<Outcome, number>;
  rates: Record<Outcome, number>;
  /** Attempts stored but not (yet) graded. */
  ungraded: number;
}

export interface SpeedStats {
  attempts: number;
  latencyMs: { p50: number | null; p95: number | null };
  ttftMs: { p50: number | null; p95: number | null };
  tokensPerSecond: { p50: number | null; p95: number | null };
  completionTokens: { mean: number | null; total: number };
  promptTokens: { mean: number | null; total: number };
}

export interface JudgeSelfCheck {
  checked: number;
  disagreements: number;
  rate: number | null;
}

export async function outcomeCounts(store: Store, runId: string): Promise<OutcomeCounts> {
  const rows = await store.all(`SELECT outcome, count(*) AS n FROM grades WHERE run_id = ? GROUP BY outcome`, [runId]);
  const counts = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
  for (const r of rows) counts[String(r.outcome) as Outcome] = Number(r.n);
  const total = Object.values(counts).reduce((s, n) => s + n, 0);
  const rates = Object.fromEntries(OUTCOMES.map((o) => [o, total ? counts[o] / total : 0])) as Record<Outcome, number>;
  const ung = await store.all(
    `SELECT count(*) AS n FROM attempts a ANTI JOIN grades g USING (run_id, item_id, attempt) WHERE a.run_id = ?`,
    [runId],
  );
  return { total, counts, rates, ungraded: Number(ung[0].n) };
}

const numOrNull = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export async function speedStats(store: Store, runId: string): Promise<SpeedStats> {
  const [r] = await store.all(
    `SELECT count(*) AS n,
            quantile_cont(latency_ms, 0.5) AS lat50, quantile_cont(latency_ms, 0.95) AS lat95,
            quantile_cont(ttft_ms, 0.5) AS ttft50, quantile_cont(ttft_ms, 0.95) AS ttft95,
            quantile_cont(tokens_per_s, 0.5) AS tps50, quantile_cont(tokens_per_s, 0.95) AS tps95,
            avg(completion_tokens) AS ct_mean, coalesce(sum(completion_tokens), 0) AS ct_sum,
            avg(prompt_tokens) AS pt_mean, coalesce(sum(prompt_tokens), 0) AS pt_sum
     FROM attempts WHERE run_id = ? AND finish <> 'error'`,
    [runId],
  );
  return {
    attempts: Number(r.n),
    latencyMs: { p50: numOrNull(r.lat50), p95: numOrNull(r.lat95) },
    ttftMs: { p50: numOrNull(r.ttft50), p95: numOrNull(r.ttft95) },
    tokensPerSecond: { p50: numOrNull(r.tps50), p95: numOrNull(r.tps95) },
    completionTokens: { mean: numOrNull(r.ct_mean), total: Number(r.ct_sum) },
    promptTokens: { mean: numOrNull(r.pt_mean), total: Number(r.pt_sum) },
  };
}

export async function judgeSelfCheck(store: Store, runId: string): Promise<JudgeSelfCheck> {
  const [r] = await store.all(
    `SELECT count(judge_disagreement) AS checked, count(*) FILTER (WHERE judge_disagreement) AS bad
     FROM grades WHERE run_id = ?`,
    [runId],
  );
  const checked = Number(r.checked);
  const disagreements = Number(r.bad);
  return { checked, disagreements, rate: checked ? disagreements / checked : null };
}

/** Per-attempt columns whose distributions the report and gates read. */
export const ATTEMPT_MEASURES = {
  latency_ms: 'latency_ms',
  ttft_ms: 'ttft_ms',
  tokens_per_s: 'tokens_per_s',
  completion_tokens: 'completion_tokens',
  prompt_tokens: 'prompt_tokens',
} as const;
export type AttemptMeasure = keyof typeof ATTEMPT_MEASURES;

export interface Distribution {
  /** Attempts with a value (errored attempts are left out). */
  count: number;
  mean: number | null;
  min: number | null;
  max: number | null;
  p5: number | null;
  p25: number | null;
  p50: number | null;
  p75: number | null;
  p95: number | null;
  p99: number | null;
}

/** The distribution of one per-attempt measure over a run's non-errored attempts. */
export async function attemptDistribution(store: Store, runId: string, measure: AttemptMeasure): Promise<Distribution> {
  const col = ATTEMPT_MEASURES[measure];
  if (!col) throw new Error(`unknown attempt measure "${measure}"`);
  const [r] = await store.all(
    `SELECT count(${col}) AS n, avg(${col}) AS mean, min(${col}) AS lo, max(${col}) AS hi,
            quantile_cont(${col}, [0.05, 0.25, 0.5, 0.75, 0.95, 0.99]) AS q
     FROM attempts WHERE run_id = ? AND finish <> 'error'`,
    [runId],
  );
  const q = (r.q as unknown[] | null) ?? [];
  const at = (i: number) => numOrNull(q[i]);
  return {
    count: Number(r.n),
    mean: numOrNull(r.mean),
    min: numOrNull(r.lo),
    max: numOrNull(r.hi),
    p5: at(0),
    p25: at(1),
    p50: at(2),
    p75: at(3),
    p95: at(4),
    p99: at(5),
  };
}

/** Mean completion tokens of the attempts of each outcome (tokens spent on correct vs failed answers). */
export async function tokensByOutcome(store: Store, runId: string): Promise<Record<Outcome, { attempts: number; meanCompletionTokens: number | null }>> {
  const rows = await store.all(
    `SELECT g.outcome, count(*) AS n, avg(a.completion_tokens) AS mean
     FROM attempts a JOIN grades g USING (run_id, item_id, attempt)
     WHERE a.run_id = ? GROUP BY g.outcome`,
    [runId],
  );
  const out = Object.fromEntries(OUTCOMES.map((o) => [o, { attempts: 0, meanCompletionTokens: null }])) as Record<
    Outcome,
    { attempts: number; meanCompletionTokens: number | null }
  >;
  for (const r of rows) out[String(r.outcome) as Outcome] = { attempts: Number(r.n), meanCompletionTokens: numOrNull(r.mean) };
  return out;
}

/** Every item's attempts as (completion tokens, score), for the token-budget curve (budget.ts); items in run order. */
export async function budgetAttempts(store: Store, runId: string): Promise<BudgetAttempt[][]> {
  const rows = await store.all(
    `SELECT i.item_id, a.attempt, a.completion_tokens AS tokens, coalesce(g.score, 0) AS score
     FROM items i
     LEFT JOIN attempts a ON a.run_id = i.run_id AND a.item_id = i.item_id
     LEFT JOIN grades g ON g.run_id = a.run_id AND g.item_id = a.item_id AND g.attempt = a.attempt
     WHERE i.run_id = ? ORDER BY i.position, a.attempt`,
    [runId],
  );
  const byItem = new Map<string, BudgetAttempt[]>();
  for (const r of rows) {
    const id = String(r.item_id);
    if (!byItem.has(id)) byItem.set(id, []);
    if (r.attempt !== null) byItem.get(id)!.push({ completionTokens: numOrNull(r.tokens), score: Number(r.score) });
  }
  return [...byItem.values()];
}
