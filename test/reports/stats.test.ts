/** The paired statistics against values computed independently (closed forms, brute force). */
import { describe, expect, it } from 'vitest';
import {
  benjaminiHochberg,
  mdeAtAttempts,
  varianceComponents,
  holm,
  mcnemarExact,
  minimumDetectableEffect,
  normalQuantile,
  pairedBootstrap,
  signFlipTest,
  smallDenominator,
  toLattice,
} from '../../reports/stats.js';
import { mulberry32 } from '../../harness/metrics.js';

/** Brute-force two-sided sign-flip p-value over all 2^m sign vectors. */
function bruteForce(diffs: number[]): number {
  const xs = diffs.filter((d) => d !== 0);
  const t = Math.abs(xs.reduce((s, d) => s + d, 0));
  let k = 0;
  for (let mask = 0; mask < 1 << xs.length; mask++) {
    const s = xs.reduce((acc, d, i) => acc + (mask & (1 << i) ? -d : d), 0);
    if (Math.abs(s) >= t - 1e-9) k++;
  }
  return k / 2 ** xs.length;
}

describe('sign-flip permutation test', () => {
  it('is exact on lattice differences and equals brute force', () => {
    const rand = mulberry32(7);
    for (let trial = 0; trial < 20; trial++) {
      // avg@4 differences: multiples of 1/4 in [-1, 1]
      const diffs = Array.from({ length: 14 }, () => Math.round(rand() * 8 - 4) / 4);
      const r = signFlipTest(diffs);
      expect(r.method).toBe('exact');
      expect(r.pValue).toBeCloseTo(bruteForce(diffs), 12);
    }
  });

  it('is exact for arbitrary reals by enumeration when few, Monte Carlo otherwise', () => {
    const few = [0.1234567, -0.7654321, 0.33333337, 0.5, 0.918273, 0.0000123, 0.42];
    const r = signFlipTest(few);
    expect(r.method).toBe('exact');
    expect(r.pValue).toBeCloseTo(bruteForce(few), 12);
    const rand = mulberry32(3);
    const many = Array.from({ length: 60 }, () => rand() * 0.2 + Math.PI / 1e4);
    const mc = signFlipTest(many, { resamples: 20_000 });
    expect(mc.method).toBe('monte-carlo');
    // all differences positive: only the two all-same-sign assignments are as extreme → p ≈ 2^-59, so the add-one estimate is 1/(R+1)
    expect(mc.pValue).toBeCloseTo(1 / (mc.resamples + 1), 10);
  });

  it('stays exact for tens of thousands of items (windowed dynamic programme)', () => {
    // 30,000 items with one binary attempt: 9,000 worse, 9,400 better → equals McNemar on 18,400 discordant
    const diffs = [...new Array(9000).fill(-1), ...new Array(9400).fill(1), ...new Array(11_600).fill(0)];
    const r = signFlipTest(diffs);
    expect(r.method).toBe('exact');
    expect(r.pValue).toBeCloseTo(mcnemarExact(9000, 9400), 10);
    expect(r.pValue).toBeGreaterThan(0.001);
    expect(r.pValue).toBeLessThan(0.01);
    // avg@4 differences on 39,000 items (RULER-sized) with no real change: exact
    const rand = mulberry32(5);
    const big = Array.from({ length: 39_000 }, () => Math.round((rand() - 0.5) * 3) / 4);
    const rb = signFlipTest(big);
    expect(rb.method).toBe('exact');
    expect(rb.pValue).toBeGreaterThan(0.001);
    // a planted drop far in the tail is answered by Hoeffding's bound
    const drop = Array.from({ length: 5000 }, () => Math.round((rand() - 0.55) * 3) / 4);
    const bounded = signFlipTest(drop);
    expect(bounded.method).toBe('bound');
    expect(bounded.pValue).toBeLessThan(1e-20);
  });

  it('gives p = 1 when nothing changed and the classic values for one-sided flips', () => {
    expect(signFlipTest([0, 0, 0]).pValue).toBe(1);
    // 10 items all +1: two-sided p = 2 / 2^10
    expect(signFlipTest(new Array(10).fill(1)).pValue).toBeCloseTo(2 / 1024, 15);
  });

  it('equals McNemar exact for one binary attempt per item', () => {
    for (const [b, c] of [[3, 11], [0, 6], [5, 5], [12, 30], [1, 0]]) {
      const diffs = [...new Array(b).fill(-1), ...new Array(c).fill(1), ...new Array(17).fill(0)];
      expect(signFlipTest(diffs).pValue).toBeCloseTo(mcnemarExact(b, c), 12);
    }
    // closed form: b=0, c=6 → 2 · 2^-6
    expect(mcnemarExact(0, 6)).toBeCloseTo(2 / 64, 15);
    // b=3, c=11 (m=14): 2·P(X ≤ 3) = 2·(1+14+91+364)/16384
    expect(mcnemarExact(3, 11)).toBeCloseTo((2 * 470) / 16384, 15);
    expect(mcnemarExact(5, 5)).toBe(1);
  });
});

describe('large runs', () => {
  it('a sign-flip test over 240,000 paired items returns a p-value (no argument spread that overflows the stack)', () => {
    const diffs = Array.from({ length: 240_000 }, (_, i) => (i % 2 ? 1 : -1));
    const r = signFlipTest(diffs, { resamples: 200 });
    expect(r.pValue).toBeGreaterThan(0.05);
    expect(r.pValue).toBeLessThanOrEqual(1);
  }, 120_000);
});

describe('paired bootstrap', () => {
  it('centres on the mean difference and covers it; collapses when every item moved the same', () => {
    const rand = mulberry32(11);
    const diffs: number[] = Array.from({ length: 200 }, () => (rand() < 0.3 ? -1 : rand() < 0.2 ? 1 : 0));
    const mean = diffs.reduce((s, d) => s + d, 0) / diffs.length;
    const r = pairedBootstrap(diffs, { resamples: 4000 });
    expect(r.mean).toBeCloseTo(mean, 12);
    expect(r.ciLow).toBeLessThan(mean);
    expect(r.ciHigh).toBeGreaterThan(mean);
    // the normal-theory half width is 1.96·sd/√n; the percentile interval agrees within 15%
    const sd = Math.sqrt(diffs.reduce((s, d) => s + (d - mean) ** 2, 0) / (diffs.length - 1));
    expect((r.ciHigh - r.ciLow) / 2).toBeGreaterThan(0.85 * 1.96 * (sd / Math.sqrt(200)));
    expect((r.ciHigh - r.ciLow) / 2).toBeLessThan(1.15 * 1.96 * (sd / Math.sqrt(200)));
    expect(pairedBootstrap([0.25, 0.25, 0.25])).toMatchObject({ mean: 0.25, ciLow: 0.25, ciHigh: 0.25 });
  });
});

describe('Holm, normal quantiles, MDE, lattices', () => {
  it('adjusts step-down with monotonicity', () => {
    expect(holm([0.01, 0.04, 0.03])).toEqual([0.03, 0.06, 0.06]);
    expect(holm([0.5, 0.001])).toEqual([0.5, 0.002]);
    expect(holm([0.9, 0.8, 0.7])).toEqual([1, 1, 1]);
    expect(holm([0.2, 0.3])).toEqual([0.4, 0.4]);
    // BH step-up: p_(k) · m / k, then the running minimum from the largest down.
    const bh = benjaminiHochberg([0.01, 0.04, 0.03, 0.2]);
    [0.04, 0.16 / 3, 0.16 / 3, 0.2].forEach((want, i) => expect(bh[i]).toBeCloseTo(want, 12));
    expect(benjaminiHochberg([0.5, 0.001])).toEqual([0.5, 0.002]);
    expect(benjaminiHochberg([0.9, 0.8, 0.7])).toEqual([0.9, 0.9, 0.9]);
    // never stricter than Holm
    const ps = [0.001, 0.012, 0.02, 0.03, 0.2];
    benjaminiHochberg(ps).forEach((b, i) => expect(b).toBeLessThanOrEqual(holm(ps)[i]));
  });

  it('inverts the normal CDF', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 7);
    expect(normalQuantile(0.8)).toBeCloseTo(0.841621234, 7);
    expect(normalQuantile(0.005)).toBeCloseTo(-2.575829304, 7);
    expect(normalQuantile(0.5)).toBe(0);
  });

  it('computes the minimum detectable effect', () => {
    const diffs = [1, -1, 0, 0, 1, 0, -1, 0, 0, 1];
    const sd = Math.sqrt(diffs.reduce((s, d) => s + (d - 0.1) ** 2, 0) / 9);
    expect(minimumDetectableEffect(diffs, 0.05)).toBeCloseTo(((1.959963985 + 0.841621234) * sd) / Math.sqrt(10), 6);
    expect(minimumDetectableEffect([0, 0, 0], 0.05)).toBeNull();
  });

  it('finds small denominators and common lattices', () => {
    expect(smallDenominator(0.375)).toBe(8);
    expect(smallDenominator(-2 / 3)).toBe(3);
    expect(smallDenominator(Math.PI / 10)).toBeNull();
    expect(toLattice([0.25, -0.5, 1 / 3])).toEqual({ ints: [3, -6, 4], scale: 12 });
  });
});

describe('noise components and the attempts-per-item plan', () => {
  // Three items, two attempts a side. Differences 0.5, 0.5, −0.5: var 1/3. Per-item attempt variances give a
  // within part of 1/4 at n = 2 (withinUnit 1/2), so the items themselves account for τ² = 1/12.
  const items = [
    { base: [1, 0], cand: [1, 1] },
    { base: [0, 0], cand: [1, 0] },
    { base: [1, 1], cand: [0, 1] },
  ];
  const z = normalQuantile(0.975) + normalQuantile(0.8);

  it('splits the variance of the item differences by hand-computed values', () => {
    const v = varianceComponents(items)!;
    expect(v.items).toBe(3);
    expect(v.between).toBeCloseTo(1 / 12, 12);
    expect(v.withinUnit).toBeCloseTo(1 / 2, 12);
  });

  it('projects the MDE: at the runs\' own n it is the observed MDE; it falls with n towards the floor of the items', () => {
    const v = varianceComponents(items)!;
    expect(mdeAtAttempts(v, 2, 0.05)).toBeCloseTo(minimumDetectableEffect([0.5, 0.5, -0.5], 0.05)!, 12);
    expect(mdeAtAttempts(v, 2, 0.05)).toBeCloseTo(z / 3, 12);
    expect(mdeAtAttempts(v, 8, 0.05)).toBeCloseTo((z * Math.sqrt(1 / 12 + 1 / 16)) / Math.sqrt(3), 12);
    expect(mdeAtAttempts(v, Infinity, 0.05)).toBeCloseTo(z / 6, 12);
  });

  it('needs two attempts per item on both sides', () => {
    expect(varianceComponents([{ base: [1], cand: [0, 1] }, { base: [1, 0], cand: [1, 1] }])).toBeNull();
    expect(varianceComponents([{ base: [1, 0], cand: [0, 1] }])).toBeNull();
  });
});
