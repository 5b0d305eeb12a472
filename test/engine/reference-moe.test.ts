// Router cases of spec §6.2 with hand-made score vectors (spec §12.1).
import { describe, expect, it } from 'vitest';
import { route, type RouterConfig } from '../../engine/reference/moe.js';

const RC: RouterConfig = { nExperts: 16, nGroups: 4, nLimitedGroups: 2, topK: 4, routeScale: 2.5, scoreFunc: 'sigmoid', normTopkProb: true };

/** Logits whose sigmoid is exactly the wanted score (up to float rounding). */
const logit = (p: number) => Math.log(p / (1 - p));
const logitsFor = (scores: number[]) => scores.map(logit);
const group = (e: number) => Math.floor(e / 4);

function lcg(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('noaux_tc router', () => {
  it('ranks groups by the sum of their top-2 biased scores, not by their max', () => {
    // group 0: one outstanding expert (max 0.99, top-2 sum 1.00); group 1: 0.6 + 0.6 = 1.2;
    // group 2: 0.55 + 0.55 = 1.1; group 3: all 0.3 (sum 0.6).
    const scores = [0.99, 0.01, 0.01, 0.01, 0.6, 0.6, 0.1, 0.1, 0.55, 0.55, 0.1, 0.1, 0.3, 0.3, 0.3, 0.3];
    const r = route(logitsFor(scores), new Float64Array(16), RC);
    expect(r.experts).toEqual([4, 5, 8, 9]);
    expect(r.experts.every((e) => group(e) === 1 || group(e) === 2)).toBe(true);
    // Without a bias the reference falls back to the max per group: group 0 wins a slot.
    const noBias = route(logitsFor(scores), null, RC);
    expect(noBias.experts[0]).toBe(0);
    expect(new Set(noBias.experts.map(group))).toEqual(new Set([0, 1]));
  });

  it('uses the bias for selection only; weights come from the unbiased scores', () => {
    const scores = [0.5, 0.4, 0.3, 0.2, 0.5, 0.4, 0.3, 0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1];
    const none = route(logitsFor(scores), new Float64Array(16), RC);
    expect(none.experts).toEqual([0, 4, 1, 5]);
    // A bias of +0.25 on expert 3 lifts its biased score to 0.45: it displaces expert 1 (0.4) and 5 (0.4 → ties
    // are broken towards the lower index, so 1 stays and 5 goes).
    const bias = new Float64Array(16);
    bias[3] = 0.25;
    const r = route(logitsFor(scores), bias, RC);
    expect(r.experts).toEqual([0, 4, 3, 1]);
    const p = [0.5, 0.5, 0.2, 0.4];
    const sum = p.reduce((a, b) => a + b, 0);
    r.weights.forEach((w, j) => expect(w).toBeCloseTo((2.5 * p[j]!) / sum, 12));
  });

  it('renormalises the selected weights and scales them by 2.5', () => {
    const rnd = lcg(1);
    for (let trial = 0; trial < 50; trial++) {
      const logits = Array.from({ length: 16 }, () => rnd() * 6 - 3);
      const bias = Float64Array.from({ length: 16 }, () => rnd() * 0.1 - 0.05);
      const r = route(logits, bias, RC);
      expect(r.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(2.5, 12);
      const plain = route(logits, bias, { ...RC, routeScale: 1 });
      r.weights.forEach((w, j) => expect(w).toBeCloseTo(2.5 * plain.weights[j]!, 12));
    }
    // Without norm_topk_prob the weights are the raw sigmoid scores × scale.
    const scores = [0.9, 0.8, 0.7, 0.6, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1];
    const raw = route(logitsFor(scores), new Float64Array(16), { ...RC, normTopkProb: false });
    raw.weights.forEach((w, j) => expect(w).toBeCloseTo(2.5 * scores[j]!, 12));
  });

  it('selects experts only inside the kept groups (brute-force check on random scores)', () => {
    const rnd = lcg(2);
    for (let trial = 0; trial < 200; trial++) {
      const logits = Array.from({ length: 16 }, () => rnd() * 8 - 4);
      const bias = Float64Array.from({ length: 16 }, () => rnd() * 0.1 - 0.05);
      const biased = logits.map((l, e) => 1 / (1 + Math.exp(-l)) + bias[e]!);
      const groupScore = [0, 1, 2, 3].map((g) => {
        const m = biased.slice(4 * g, 4 * g + 4).sort((a, b) => b - a);
        return m[0]! + m[1]!;
      });
      const kept = [0, 1, 2, 3].sort((a, b) => groupScore[b]! - groupScore[a]!).slice(0, 2);
      const r = route(logits, bias, RC);
      expect(r.experts.length).toBe(4);
      expect(new Set(r.experts).size).toBe(4);
      expect(r.experts.every((e) => kept.includes(group(e)))).toBe(true);
      // Within the kept groups the choice is the top-4 biased scores.
      const candidates = biased.map((b, e) => ({ b, e })).filter(({ e }) => kept.includes(group(e)));
      const best = candidates.sort((x, y) => y.b - x.b).slice(0, 4).map((c) => c.e);
      expect([...r.experts].sort()).toEqual([...best].sort());
    }
  });

  it('supports softmax scoring (V2-style) with the max-per-group fallback', () => {
    const logits = [3, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0];
    const r = route(logits, null, { ...RC, scoreFunc: 'softmax' });
    expect(new Set(r.experts.map(group))).toEqual(new Set([0, 3]));
    expect(r.experts[0]).toBe(0);
    expect(r.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(2.5, 12);
  });
});
