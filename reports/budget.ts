/**
 * Accuracy against the token budget: what avg@n would have been had `max_tokens` been B, for a ladder of B,
 * from one run's stored attempts. An attempt scores at budget B when its whole completion (reasoning and
 * answer) fit in B tokens; one that needed more would have been cut off and truncated. With seeded,
 * batch-invariant decoding (the bundled engine) the first B tokens of an attempt do not depend on
 * max_tokens, so the curve is exactly the accuracy of those shorter runs; through a server that batches
 * non-deterministically it is the same estimate up to that noise. Also: completion tokens spent per correct
 * attempt, the run's cost of one right answer.
 */
import { bootstrapMean } from '../harness/metrics.js';
import type { Estimate } from '../harness/types.js';

/** One attempt as the curve needs it. */
export interface BudgetAttempt {
  completionTokens: number | null;
  /** The graded score in [0, 1] (0 when ungraded). */
  score: number;
}

export interface BudgetPoint extends Estimate {
  budget: number;
}

export interface BudgetCurve {
  points: BudgetPoint[];
  /** Completion tokens of every attempt over the number of correct (score-weighted) attempts; null when none is correct. */
  tokensPerCorrect: number | null;
  /** Scored attempts without a completion-token count: the curve is not drawn when there are any. */
  scoredWithoutTokens: number;
}

/** Powers of two from 256 up to the first one ≥ the longest completion, and the longest completion itself. */
export function budgetLadder(maxCompletion: number): number[] {
  if (!(maxCompletion > 0)) return [];
  const out: number[] = [];
  let b = 256;
  for (; b < maxCompletion; b *= 2) out.push(b);
  out.push(maxCompletion);
  return out;
}

/** The longest completion among the attempts (0 when none has a count); a loop, as runs can hold millions. */
export function longestCompletion(items: BudgetAttempt[][]): number {
  let max = 0;
  for (const attempts of items) for (const a of attempts) if (a.completionTokens !== null && a.completionTokens > max) max = a.completionTokens;
  return max;
}

/**
 * Completion tokens of every attempt over the correct (score-weighted) attempts: what one right answer costs.
 * Null when nothing is correct or some attempt has no token count.
 */
export function tokensPerCorrect(items: BudgetAttempt[][]): number | null {
  let spent = 0, correct = 0;
  for (const attempts of items)
    for (const a of attempts) {
      if (a.completionTokens === null) return null;
      spent += a.completionTokens;
      correct += a.score;
    }
  return correct > 0 ? spent / correct : null;
}

/**
 * items: each item's attempts. `intervals: false` skips the bootstrap (ciLow/ciHigh are NaN): the terminal
 * summary prints only the values, and on a large run (39k items) the intervals cost seconds.
 */
export function budgetCurve(items: BudgetAttempt[][], budgets?: number[], opts: { intervals?: boolean } = {}): BudgetCurve {
  const scoredWithoutTokens = items.flat().filter((a) => a.score > 0 && a.completionTokens === null).length;
  const perCorrect = tokensPerCorrect(items);
  if (scoredWithoutTokens > 0 || items.length === 0) return { points: [], tokensPerCorrect: perCorrect, scoredWithoutTokens };
  const ladder = budgets ?? budgetLadder(longestCompletion(items));
  const points = ladder.map((budget) => {
    const perItem = items.map((attempts) =>
      attempts.length ? attempts.reduce((s, a) => s + (a.completionTokens !== null && a.completionTokens <= budget ? a.score : 0), 0) / attempts.length : 0,
    );
    if (opts.intervals === false) return { budget, value: perItem.reduce((a, x) => a + x, 0) / perItem.length, ciLow: NaN, ciHigh: NaN, n: perItem.length };
    return { budget, ...bootstrapMean(perItem) };
  });
  return { points, tokensPerCorrect: perCorrect, scoredWithoutTokens };
}

/** "512", "1K", "1.5K", "32K": budgets as axis labels. */
export function formatBudget(tokens: number): string {
  return tokens >= 1024 ? `${Number((tokens / 1024).toFixed(1))}K` : String(tokens);
}
