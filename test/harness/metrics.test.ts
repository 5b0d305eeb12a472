/** The metrics math: unbiased pass@k, maj@k with ties, avg@n, bootstrap intervals. */
import { describe, expect, it } from 'vitest';
import { bootstrapMean, majAtKReducer, meanReducer, passAtK, passAtKReducer, standardMetrics } from '../../harness/metrics.js';
import type { GradedAttempt } from '../../harness/types.js';

const binom = (n: number, k: number): number => {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
};

const att = (index: number, correct: boolean, key: string | null = correct ? 'A' : 'B', score = correct ? 1 : 0): GradedAttempt => ({
  index,
  outcome: correct ? 'correct' : key === null ? 'no_answer' : 'wrong',
  score,
  answerKey: key,
});

describe('passAtK', () => {
  it('equals 1 − C(n−c,k)/C(n,k) for every n ≤ 12', () => {
    for (let n = 1; n <= 12; n++)
      for (let c = 0; c <= n; c++)
        for (let k = 1; k <= n; k++) {
          const exact = n - c < k ? 1 : 1 - binom(n - c, k) / binom(n, k);
          expect(passAtK(n, c, k)).toBeCloseTo(exact, 12);
        }
  });
  it('pass@1 is the fraction correct; large n does not overflow', () => {
    expect(passAtK(64, 16, 1)).toBeCloseTo(0.25, 14);
    expect(passAtK(1000, 1, 500)).toBeCloseTo(0.5, 12);
    expect(passAtK(1000, 0, 10)).toBe(0);
  });
  it('refuses k > n', () => {
    expect(() => passAtK(4, 1, 5)).toThrow(/exceeds/);
  });
});

describe('reducers', () => {
  it('avg@n keeps partial credit', () => {
    expect(meanReducer.reduce([att(0, true), att(1, false, 'B', 0.5)])).toBe(0.75);
  });
  it('pass@k counts outcomes, not scores', () => {
    expect(passAtKReducer(2).reduce([att(0, true), att(1, false), att(2, false), att(3, false)])).toBeCloseTo(0.5, 12);
  });
  it('maj@k votes on answer keys; no-answer attempts do not vote; ties score their mean', () => {
    const maj = majAtKReducer(5);
    expect(maj.reduce([att(0, false, 'B'), att(1, false, 'B'), att(2, true), att(3, false, null), att(4, false, null)])).toBe(0);
    expect(maj.reduce([att(0, true), att(1, true), att(2, false, 'B'), att(3, false, 'C'), att(4, false, 'C')])).toBe(0.5);
    expect(maj.reduce([att(0, true), att(1, true), att(2, false, 'B')])).toBe(1);
    expect(maj.reduce([att(0, false, null)])).toBe(0);
    // only the first k attempts by index vote
    expect(majAtKReducer(2).reduce([att(2, false, 'B'), att(3, false, 'B'), att(0, true), att(1, true)])).toBe(1);
  });
});

describe('bootstrapMean', () => {
  it('is reproducible and brackets the mean', () => {
    const values = Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const a = bootstrapMean(values);
    expect(bootstrapMean(values)).toEqual(a);
    expect(a.value).toBeCloseTo(1 / 3, 12);
    expect(a.ciLow).toBeLessThan(a.value);
    expect(a.ciHigh).toBeGreaterThan(a.value);
    // the normal-approximation half width is 1.96·sqrt(p(1-p)/n) ≈ 0.169; the bootstrap lands near it
    expect(a.ciHigh - a.ciLow).toBeGreaterThan(0.25);
    expect(a.ciHigh - a.ciLow).toBeLessThan(0.42);
  });
  it('degenerate samples give a zero-width interval', () => {
    expect(bootstrapMean([1, 1, 1])).toMatchObject({ value: 1, ciLow: 1, ciHigh: 1, n: 3 });
    expect(bootstrapMean([]).n).toBe(0);
  });
});

describe('standardMetrics', () => {
  it('names avg@n, pass@k for powers of two and n, maj@n', () => {
    expect(standardMetrics(6).map((m) => m.name)).toEqual(['avg@6', 'pass@1', 'pass@2', 'pass@4', 'pass@6', 'maj@6']);
    expect(standardMetrics(1).map((m) => m.name)).toEqual(['avg@1', 'pass@1']);
  });
});
