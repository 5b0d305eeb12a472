/**
 * Everything the HTML report shows about one run, read from the store in one place: metrics, outcome
 * counts, token and speed distributions, the judge's self-check, and every item with its graded attempts.
 */
import type { JsonObject, Outcome, Prompt } from '../harness/types.js';
import type { MetricRow, Store, StoredAttempt, StoredGrade, StoredRun } from './store.js';
import { attemptDistribution, budgetAttempts, judgeSelfCheck, outcomeCounts, tokensByOutcome, type Distribution, type JudgeSelfCheck, type OutcomeCounts } from './queries.js';
import type { BudgetAttempt } from './budget.js';
import { primaryMetric } from './slices.js';
import { runSettings, type RunSettings } from './run-diff.js';

export interface ItemData {
  id: string;
  position: number;
  metadata: JsonObject;
  target: unknown;
  prompt: Prompt;
  attempts: Array<{ attempt: StoredAttempt; grade: StoredGrade | null }>;
}

export interface RunData {
  run: StoredRun;
  settings: RunSettings;
  metrics: MetricRow[];
  /** avg@n when the suite has it, else the suite's first metric (pass@1 for LCB). */
  primary: string | null;
  outcomes: OutcomeCounts;
  speed: { ttftMs: Distribution; tokensPerSecond: Distribution; latencyMs: Distribution };
  tokens: { completion: Distribution; prompt: Distribution; byOutcome: Record<Outcome, { attempts: number; meanCompletionTokens: number | null }> };
  /** Each item's attempts as (completion tokens, score): the token-budget curve's input (budget.ts). */
  budgetAttempts: BudgetAttempt[][];
  selfCheck: JudgeSelfCheck;
  items: ItemData[];
}

/** The preferred headline metric: avg@n, then pass@1, then whatever the run has. */
function headline(metrics: MetricRow[], n: number): string | null {
  const overall = new Set(metrics.filter((m) => m.breakdown === '').map((m) => m.metric));
  if (overall.has(`avg@${n}`)) return `avg@${n}`;
  if (overall.has('pass@1')) return 'pass@1';
  return primaryMetric(metrics, n);
}

export async function loadRunData(store: Store, run: StoredRun): Promise<RunData> {
  const id = run.runId;
  const [metrics, outcomes, ttft, tps, latency, completion, prompt, byOutcome, selfCheck, items, attempts, grades, settings, budgetItems] = await Promise.all([
    store.getMetrics(id),
    outcomeCounts(store, id),
    attemptDistribution(store, id, 'ttft_ms'),
    attemptDistribution(store, id, 'tokens_per_s'),
    attemptDistribution(store, id, 'latency_ms'),
    attemptDistribution(store, id, 'completion_tokens'),
    attemptDistribution(store, id, 'prompt_tokens'),
    tokensByOutcome(store, id),
    judgeSelfCheck(store, id),
    store.getItems(id),
    store.getAttempts(id),
    store.getGrades(id),
    runSettings(run),
    budgetAttempts(store, id),
  ]);
  const key = (item: string, a: number) => `${item}\u0000${a}`;
  const gradeOf = new Map(grades.map((g) => [key(g.itemId, g.attempt), g]));
  const attemptsOf = new Map<string, ItemData['attempts']>();
  for (const a of attempts) {
    if (!attemptsOf.has(a.itemId)) attemptsOf.set(a.itemId, []);
    attemptsOf.get(a.itemId)!.push({ attempt: a, grade: gradeOf.get(key(a.itemId, a.index)) ?? null });
  }
  return {
    run,
    settings,
    metrics,
    primary: headline(metrics, run.n),
    outcomes,
    speed: { ttftMs: ttft, tokensPerSecond: tps, latencyMs: latency },
    tokens: { completion, prompt, byOutcome },
    budgetAttempts: budgetItems,
    selfCheck,
    items: items.map((r) => ({
      id: r.item.id,
      position: r.position,
      metadata: r.item.metadata,
      target: r.item.target,
      prompt: r.prompt,
      attempts: (attemptsOf.get(r.item.id) ?? []).sort((x, y) => x.attempt.index - y.attempt.index),
    })),
  };
}
