/** The lcb suite's metrics: pass@1 and unbiased pass@k (LCB's estimator) per item, bootstrap intervals over items. */
import { describe, expect, it } from 'vitest';
import type { GradedAttempt } from '../../../harness/types.js';
import { computeMetric, passAtK } from '../../../harness/metrics.js';
import suite from '../../../suites/lcb/suite.js';

const attempts = (n: number, c: number): GradedAttempt[] =>
  Array.from({ length: n }, (_, i) => ({ index: i, outcome: i < c ? 'correct' : i % 2 ? 'wrong' : 'no_answer', score: i < c ? 1 : 0, answerKey: null }));

/** LCB's pass_k_utils estimator, written out: 1 − Π_{i=n−c+1}^{n} (1 − k/i), 1 when n − c < k. */
function lcbEstimator(n: number, c: number, k: number): number {
  if (n - c < k) return 1;
  let prod = 1;
  for (let i = n - c + 1; i <= n; i++) prod *= 1 - k / i;
  return 1 - prod;
}

describe('lcb metrics', () => {
  it('offers pass@1, pass@5, pass@10 … up to n, and pass@n', () => {
    expect(suite.metrics(1).map((m) => m.name)).toEqual(['pass@1']);
    expect(suite.metrics(4).map((m) => m.name)).toEqual(['pass@1', 'pass@4']);
    expect(suite.metrics(10).map((m) => m.name)).toEqual(['pass@1', 'pass@5', 'pass@10']);
    expect(suite.metrics(16).map((m) => m.name)).toEqual(['pass@1', 'pass@5', 'pass@10', 'pass@16']);
    expect(suite.breakdowns).toEqual(['difficulty', 'platform']);
  });

  it("matches LCB's estimator and averages over problems with an interval", () => {
    const byItem = new Map([
      ['a', attempts(10, 0)],
      ['b', attempts(10, 3)],
      ['c', attempts(10, 10)],
      ['d', attempts(10, 7)],
    ]);
    const counts = [0, 3, 10, 7];
    for (const m of suite.metrics(10)) {
      const k = Number(m.name.slice('pass@'.length));
      const e = computeMetric(m, byItem);
      const want = counts.reduce((s, c) => s + lcbEstimator(10, c, k), 0) / counts.length;
      expect(e.value).toBeCloseTo(want, 12);
      expect(e.n).toBe(4);
      expect(e.ciLow).toBeLessThanOrEqual(e.value);
      expect(e.ciHigh).toBeGreaterThanOrEqual(e.value);
      counts.forEach((c) => expect(passAtK(10, c, k)).toBeCloseTo(lcbEstimator(10, c, k), 12));
    }
    expect(computeMetric(suite.metrics(10)[0], byItem).value).toBeCloseTo(0.5, 12); // pass@1 = (0 + .3 + 1 + .7) / 4
  });
});
