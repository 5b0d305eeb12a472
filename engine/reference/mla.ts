/**
 * Multi-head latent attention with DSA masking (spec §4), in the naive ("MHA") formulation: every cached latent is
 * decompressed by kv_b_proj into per-head k_nope and v when it is appended. Both formulations are the same math
 * (spec §4.4); this one is the easiest to check against the equations.
 *
 * Choices where the spec leaves room (also listed in README.md here):
 * - scores, softmax and the weighted sum of v run in float64; the reference runs its prefill einsum and softmax in
 *   bf16. The attention output per head is rounded to bf16, as the reference's einsum output is.
 * - k_nope/v are the bf16 output of kv_b_proj applied to the FP8-simulated latent (the reference's prefill path).
 * - every position is computed from the caches only, so results do not depend on how tokens are chunked.
 */
import type { ModelConfig } from './config.js';
import { indexerKeys, indexerQueries, indexScores, topK, type IndexerKey, type IndexerOptions } from './indexer.js';
import { fp8RoundTrip, toBf16 } from './numerics.js';
import { linear, rmsNorm, type LinearMode } from './ops.js';
import { ropeInterleaved, type RopeTable } from './rope.js';
import type { LayerWeights } from './weights.js';

export interface AttentionOptions extends LinearMode {
  /** Restrict attention to the indexer's top-k (V3.2 only). */
  dsa: boolean;
  /** FP8-simulate the MLA latent before caching it (post-fix reference, spec §4.2 step 4). */
  fp8Latent: boolean;
  /** FP8 round trips inside the indexer (spec §5.2 step 5). */
  fp8Indexer: boolean;
}

/** Per-layer caches, one entry per absolute position. */
export class LayerCache {
  /** c_kv after kv_norm (and the FP8 simulation), kv_lora_rank values. */
  readonly latent: Float64Array[] = [];
  /** Rotated k_pe, qk_rope_head_dim values, shared by all heads. */
  readonly kPe: Float64Array[] = [];
  /** kv_b_proj(latent): per head [k_nope | v], bf16. */
  readonly kv: Float64Array[] = [];
  /** Indexer keys (V3.2). */
  readonly indexKeys: IndexerKey[] = [];

  get length(): number {
    return this.latent.length;
  }
}

export interface AttentionResult {
  out: Float64Array[];
  /** Per query of the chunk: selected key positions (ascending); empty arrays when DSA is off or absent. */
  selected: number[][];
}

/** Attention for a chunk of tokens at positions cache.length … (x = attn_norm output, bf16). */
export function mlaAttention(xs: Float64Array[], W: LayerWeights, cache: LayerCache, cfg: ModelConfig, rope: RopeTable, opts: AttentionOptions): AttentionResult {
  const pos0 = cache.length;
  const H = cfg.nHeads;
  const nope = cfg.qkNopeHeadDim;
  const rd = cfg.qkRopeHeadDim;
  const qkd = cfg.qkHeadDim;
  const vd = cfg.vHeadDim;

  // §4.2 steps 1–2: q latent (also the indexer's qr), per-head q with interleaved RoPE on the last rd dims.
  const qrs = linear(xs, W.wqA, opts).map((qa) => rmsNorm(qa, W.qNorm, cfg.normEps));
  const qs = linear(qrs, W.wqB, opts);
  qs.forEach((q, i) => {
    for (let h = 0; h < H; h++) ropeInterleaved(q, h * qkd + nope, rd, rope.at(pos0 + i));
  });

  // §4.2 steps 3–5: latent and k_pe, FP8 latent simulation, cache append (the whole chunk first, spec §5.3).
  const kvA = linear(xs, W.wkvA, opts);
  const latents = kvA.map((kv) => {
    const c = rmsNorm(kv.subarray(0, cfg.kvLoraRank), W.kvNorm, cfg.normEps);
    return opts.fp8Latent ? fp8RoundTrip(c, opts.scaleFmt) : c;
  });
  const kvB = linear(latents, W.wkvB, opts);
  kvA.forEach((kv, i) => {
    const kPe = kv.slice(cfg.kvLoraRank, cfg.kvLoraRank + rd);
    ropeInterleaved(kPe, 0, rd, rope.at(pos0 + i));
    cache.latent.push(latents[i]!);
    cache.kPe.push(kPe);
    cache.kv.push(kvB[i]!);
  });

  // §5: indexer keys for the chunk (always cached), then each query's top-k over keys 0..t. While t+1 ≤ index_topk
  // the top-k is every causal key whatever the scores, so those queries are not scored (spec §5.3 shortcut).
  const useDsa = opts.dsa && W.indexer !== null;
  const selected: number[][] = xs.map(() => []);
  if (useDsa) {
    const ixOpts: IndexerOptions = { ...opts, fp8: opts.fp8Indexer };
    cache.indexKeys.push(...indexerKeys(xs, pos0, W.indexer!, cfg, rope, ixOpts));
    const scored = xs.map((_, i) => i).filter((i) => pos0 + i + 1 > cfg.indexTopk);
    for (let i = 0; i < xs.length; i++) if (!scored.includes(i)) selected[i] = Array.from({ length: pos0 + i + 1 }, (_, s) => s);
    const positions = scored.map((i) => pos0 + i);
    const queries = indexerQueries(scored.map((i) => xs[i]!), scored.map((i) => qrs[i]!), positions, W.indexer!, cfg, rope, ixOpts);
    queries.forEach((q, j) => {
      const t = positions[j]!;
      selected[scored[j]!] = topK(indexScores(q, cache.indexKeys, t + 1), cfg.indexTopk);
    });
  }

  // §4.3: softmax attention over A(t) = causal ∩ top-k.
  const heads = qs.map((q, i) => {
    const t = pos0 + i;
    const allowed = useDsa ? selected[i]! : Array.from({ length: t + 1 }, (_, s) => s);
    const o = new Float64Array(H * vd);
    const p = new Float64Array(allowed.length);
    const acc = new Float64Array(vd);
    for (let h = 0; h < H; h++) {
      const qOff = h * qkd;
      const kvOff = h * (nope + vd);
      let max = -Infinity;
      for (let j = 0; j < allowed.length; j++) {
        const kv = cache.kv[allowed[j]!]!;
        const kPe = cache.kPe[allowed[j]!]!;
        let dot = 0;
        for (let d = 0; d < nope; d++) dot += q[qOff + d]! * kv[kvOff + d]!;
        for (let r = 0; r < rd; r++) dot += q[qOff + nope + r]! * kPe[r]!;
        p[j] = dot * cfg.softmaxScale;
        if (p[j]! > max) max = p[j]!;
      }
      let z = 0;
      for (let j = 0; j < allowed.length; j++) {
        p[j] = Math.exp(p[j]! - max);
        z += p[j]!;
      }
      acc.fill(0);
      for (let j = 0; j < allowed.length; j++) {
        const kv = cache.kv[allowed[j]!]!;
        for (let d = 0; d < vd; d++) acc[d] += p[j]! * kv[kvOff + nope + d]!;
      }
      for (let d = 0; d < vd; d++) o[h * vd + d] = toBf16(acc[d]! / z);
    }
    return o;
  });
  return { out: linear(heads, W.wo, opts), selected };
}
