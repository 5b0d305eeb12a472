/**
 * Feed-forward layers (spec §6): the dense SwiGLU MLP, the group-limited router and the MoE combine.
 */
import type { ModelConfig } from './config.js';
import { toBf16 } from './numerics.js';
import { linear, swiglu, type LinearMode } from './ops.js';
import type { MlpWeights, MoeWeights } from './weights.js';

export interface RouterConfig {
  nExperts: number;
  nGroups: number;
  nLimitedGroups: number;
  topK: number;
  routeScale: number;
  scoreFunc: 'sigmoid' | 'softmax';
  normTopkProb: boolean;
}

export interface Routing {
  /** Selected experts, in selection order (highest biased score first). */
  experts: number[];
  /** Their combine weights (after renormalisation and route scaling). */
  weights: number[];
}

/** Indices of the k largest values; ties prefer the lower index. −∞ entries are never preferred over finite ones. */
function argTopK(values: ArrayLike<number>, k: number): number[] {
  const idx = Array.from({ length: values.length }, (_, i) => i);
  idx.sort((a, b) => {
    const va = values[a]!;
    const vb = values[b]!;
    return va === vb ? a - b : vb > va ? 1 : -1;
  });
  return idx.slice(0, k);
}

/**
 * Route one token from its gate logits (spec §6.2): scores = sigmoid (or softmax); selection on scores + bias with
 * groups ranked by the sum of their top-2 biased scores (max when there is no bias); weights from the unbiased
 * scores, renormalised over the selected experts when norm_topk_prob, then × routed_scaling_factor.
 */
export function route(logits: ArrayLike<number>, bias: ArrayLike<number> | null, rc: RouterConfig): Routing {
  const n = rc.nExperts;
  let scores: Float64Array;
  if (rc.scoreFunc === 'sigmoid') {
    scores = Float64Array.from({ length: n }, (_, e) => 1 / (1 + Math.exp(-logits[e]!)));
  } else {
    const max = Math.max(...Array.from(logits));
    const ex = Float64Array.from({ length: n }, (_, e) => Math.exp(logits[e]! - max));
    const z = ex.reduce((a, b) => a + b, 0);
    scores = ex.map((v) => v / z);
  }
  const biased = Float64Array.from(scores, (s, e) => s + (bias ? bias[e]! : 0));
  if (rc.nGroups > 1) {
    const per = n / rc.nGroups;
    const groupScores = Array.from({ length: rc.nGroups }, (_, g) => {
      const members = biased.subarray(g * per, (g + 1) * per);
      if (!bias) return Math.max(...members);
      const top2 = argTopK(members, 2);
      return members[top2[0]!]! + members[top2[1]!]!;
    });
    const kept = new Set(argTopK(groupScores, rc.nLimitedGroups));
    for (let e = 0; e < n; e++) if (!kept.has(Math.floor(e / per))) biased[e] = -Infinity;
  }
  const experts = argTopK(biased, rc.topK);
  let weights = experts.map((e) => scores[e]!);
  if (rc.normTopkProb) {
    const sum = weights.reduce((a, b) => a + b, 0);
    weights = weights.map((w) => w / sum);
  }
  return { experts, weights: weights.map((w) => w * rc.routeScale) };
}

export function routerConfig(cfg: ModelConfig): RouterConfig {
  return {
    nExperts: cfg.nRoutedExperts,
    nGroups: cfg.nExpertGroups,
    nLimitedGroups: cfg.nLimitedGroups,
    topK: cfg.nActivatedExperts,
    routeScale: cfg.routeScale,
    scoreFunc: cfg.scoreFunc,
    normTopkProb: cfg.normTopkProb,
  };
}

export function denseMlp(xs: Float64Array[], W: MlpWeights, mode: LinearMode): Float64Array[] {
  return swiglu(xs, W.gate, W.up, W.down, mode);
}

/**
 * MoE layer (spec §6.3): y = Σ_j w_j · expert_j(x) + shared(x), with bf16 expert outputs summed in float64 (the
 * reference: fp32), then bf16(y). Gate logits are fp32(x)·fp32(W)ᵀ, not rounded.
 */
export function moe(xs: Float64Array[], W: MoeWeights, cfg: ModelConfig, mode: LinearMode): { out: Float64Array[]; routing: Routing[] } {
  const rc = routerConfig(cfg);
  const logits = linear(xs, W.gate, { ...mode, fp8Activations: false }, 'exact');
  const routing = logits.map((l) => route(l, W.bias, rc));
  const acc = xs.map((x) => new Float64Array(x.length));
  for (let e = 0; e < cfg.nRoutedExperts; e++) {
    const users: { t: number; w: number }[] = [];
    routing.forEach((r, t) => {
      const j = r.experts.indexOf(e);
      if (j >= 0) users.push({ t, w: r.weights[j]! });
    });
    if (users.length === 0) continue;
    const ys = denseMlp(users.map((u) => xs[u.t]!), W.experts[e]!, mode);
    users.forEach((u, i) => {
      const y = ys[i]!;
      const a = acc[u.t]!;
      for (let d = 0; d < a.length; d++) a[d] += u.w * y[d]!;
    });
  }
  if (W.shared) {
    const ys = denseMlp(xs, W.shared, mode);
    ys.forEach((y, t) => {
      const a = acc[t]!;
      for (let d = 0; d < a.length; d++) a[d] += y[d]!;
    });
  }
  return { out: acc.map((a) => a.map(toBf16)), routing };
}
