/**
 * A cooperative time budget. Every loop of the checker that can grow with its input (tokens, parser
 * recursion, exact arithmetic, evaluation, matching) calls `check()`; a pathological answer then ends
 * with a clear `BudgetExceeded` instead of running until the pool's hard kill.
 */
/** Time budget of one grade unless configured: Math-Verify's 5 s per parse and per comparison. */
export const DEFAULT_BUDGET_MS = 5_000;

export class BudgetExceeded extends Error {
  constructor(readonly stage: string, readonly budgetMs: number) {
    super(`time budget of ${budgetMs} ms exceeded during ${stage}`);
    this.name = 'BudgetExceeded';
  }
}

export class Deadline {
  private readonly end: number;
  private counter = 0;
  constructor(readonly budgetMs: number) {
    this.end = performance.now() + budgetMs;
  }

  /** Throws when the budget is spent. Cheap: reads the clock once every 64 calls. */
  check(stage: string): void {
    if ((++this.counter & 63) !== 0) return;
    if (performance.now() > this.end) throw new BudgetExceeded(stage, this.budgetMs);
  }

  /** Like check(), but always reads the clock (before an expensive step). */
  checkNow(stage: string): void {
    if (performance.now() > this.end) throw new BudgetExceeded(stage, this.budgetMs);
  }

  remainingMs(): number {
    return Math.max(0, this.end - performance.now());
  }

  /** A deadline that never fires (tests of the pure core that do not care about time). */
  static none(): Deadline {
    return new Deadline(Number.POSITIVE_INFINITY);
  }
}
