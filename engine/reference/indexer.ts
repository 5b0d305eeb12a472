/**
 * The DSA lightning indexer (spec §5.2): per token a shared 128-d key, per query 16/64 heads of 128-d queries and
 * a per-head gate; index score I[t,s] = Σ_h w[t,h] · ReLU(q̂[t,h] · k̂[s]) / √(H·d); the attention of query t is
 * restricted to the top min(index_topk, t+1) keys by that score (spec §4.5). No sinks, no local window.
 */
import type { ModelConfig } from './config.js';
import { actQuant, E4M3_TABLE, hadamardRotate, type ScaleFormat } from './numerics.js';
import { layerNorm, linear, type LinearMode } from './ops.js';
import { ropeHalfSplit, type RopeTable } from './rope.js';
import type { IndexerWeights } from './weights.js';

export interface IndexerOptions extends LinearMode {
  /** Round-trip q and k through FP8 with ue8m0 scales, as the reference does (spec §5.2 step 5). Off = bf16 indexer. */
  fp8: boolean;
}

/** A rotated key, as its FP8 values (or bf16 values when FP8 is off) and the scale that multiplies them. */
export interface IndexerKey {
  k: Float64Array;
  scale: number;
}

export interface IndexerQuery {
  /** q̂ per head (FP8 values or bf16 values). */
  heads: Float64Array[];
  /** w[t,h] · σq[t,h] · index_head_dim^-½, the factor in front of ReLU(q̂·k̂). */
  headWeights: Float64Array;
}

/** Quantise a rotated 128-d vector into (values, scale), or keep it when FP8 is off. */
function quantize(v: Float64Array, fp8: boolean, fmt: ScaleFormat): IndexerKey {
  if (!fp8) return { k: v, scale: 1 };
  const q = actQuant(v, fmt, v.length);
  return { k: Float64Array.from(q.codes, (c) => E4M3_TABLE[c]!), scale: q.scales[0]! };
}

/** Keys for a chunk of tokens (x = attn_norm output) at positions pos0, pos0+1, … (spec §5.2 steps 3–6). */
export function indexerKeys(xs: Float64Array[], pos0: number, W: IndexerWeights, cfg: ModelConfig, rope: RopeTable, opts: IndexerOptions): IndexerKey[] {
  const raw = linear(xs, W.wk, opts);
  return raw.map((kRaw, i) => {
    const k = layerNorm(kRaw, W.kNormWeight, W.kNormBias, 1e-6);
    ropeHalfSplit(k, 0, cfg.qkRopeHeadDim, rope.at(pos0 + i)); // head layout [rope | nope]
    return quantize(hadamardRotate(k), opts.fp8, opts.scaleFmt);
  });
}

/** Queries for tokens at `positions` (qr = MLA's normalised q latent), spec §5.2 steps 1–2, 4–5, 7. */
export function indexerQueries(
  xs: Float64Array[],
  qrs: Float64Array[],
  positions: number[],
  W: IndexerWeights,
  cfg: ModelConfig,
  rope: RopeTable,
  opts: IndexerOptions,
): IndexerQuery[] {
  const H = cfg.indexNHeads;
  const D = cfg.indexHeadDim;
  const qAll = linear(qrs, W.wqB, opts);
  // weights_proj runs on fp32(x) with fp32 weights and is not rounded to bf16 (post-fix reference).
  const gates = linear(xs, W.weightsProj, { ...opts, fp8Activations: false }, 'exact');
  return qAll.map((q, i) => {
    const heads: Float64Array[] = [];
    const headWeights = new Float64Array(H);
    for (let h = 0; h < H; h++) {
      const head = q.slice(h * D, (h + 1) * D);
      ropeHalfSplit(head, 0, cfg.qkRopeHeadDim, rope.at(positions[i]!));
      const { k: qHat, scale } = quantize(hadamardRotate(head), opts.fp8, opts.scaleFmt);
      heads.push(qHat);
      headWeights[h] = gates[i]![h]! * H ** -0.5 * scale * D ** -0.5;
    }
    return { heads, headWeights };
  });
}

/** I[t,s] for every key s in `keys[0 .. count)`. */
export function indexScores(q: IndexerQuery, keys: IndexerKey[], count: number): Float64Array {
  const scores = new Float64Array(count);
  for (let s = 0; s < count; s++) {
    const key = keys[s]!;
    let sum = 0;
    for (let h = 0; h < q.heads.length; h++) {
      const qh = q.heads[h]!;
      let dot = 0;
      for (let d = 0; d < qh.length; d++) dot += qh[d]! * key.k[d]!;
      if (dot > 0) sum += q.headWeights[h]! * dot;
    }
    scores[s] = key.scale * sum;
  }
  return scores;
}

/**
 * The positions of the k largest scores, returned in ascending position order. Ties (equal scores) prefer the
 * lower position, so the result is deterministic; the reference's torch.topk breaks ties arbitrarily (spec §12.3).
 */
export function topK(scores: Float64Array, k: number): number[] {
  const idx = Array.from({ length: scores.length }, (_, i) => i);
  idx.sort((a, b) => scores[b]! - scores[a]! || a - b);
  return idx.slice(0, Math.min(k, scores.length)).sort((a, b) => a - b);
}
