/**
 * RoPE with YaRN (spec §2.7): one frequency table shared by MLA and the indexer, two pairings of the elements.
 * MLA rotates interleaved pairs (x[2i], x[2i+1]); the indexer rotates half-split pairs (x[i], x[i+d/2]) — the
 * post-fix DeepSeek code; the 2025-10 GitHub snapshot wrongly used interleaved pairs in the indexer (spec §0).
 */
import { toBf16, toF32 } from './numerics.js';

export interface YarnParams {
  factor: number;
  originalSeqLen: number;
  betaFast: number;
  betaSlow: number;
}

export interface RopeParams {
  /** Rotated dims (qk_rope_head_dim); pairs = dim/2. */
  dim: number;
  theta: number;
  yarn: YarnParams | null;
}

/** corr(r) = d·ln(L0/(2π·r)) / (2·ln θ): the dim whose wavelength makes r turns over L0. */
function correctionDim(rotations: number, p: RopeParams, originalSeqLen: number): number {
  return (p.dim * Math.log(originalSeqLen / (rotations * 2 * Math.PI))) / (2 * Math.log(p.theta));
}

/** The YaRN ramp bounds: low = max(floor(corr(β_fast)), 0), high = min(ceil(corr(β_slow)), d−1). */
export function yarnRange(p: RopeParams & { yarn: YarnParams }): { low: number; high: number } {
  const low = Math.max(Math.floor(correctionDim(p.yarn.betaFast, p, p.yarn.originalSeqLen)), 0);
  const high = Math.min(Math.ceil(correctionDim(p.yarn.betaSlow, p, p.yarn.originalSeqLen)), p.dim - 1);
  return { low, high };
}

/**
 * f'_i for i < dim/2. `precision: 'f64'` evaluates the formula exactly in doubles (the spec's golden table);
 * `'f32'` follows the reference's fp32 tensor arithmetic step by step, which is what positions are multiplied by.
 */
export function ropeFrequencies(p: RopeParams, precision: 'f32' | 'f64' = 'f32'): Float64Array {
  const half = p.dim / 2;
  const r = precision === 'f32' ? toF32 : (x: number) => x;
  const out = new Float64Array(half);
  let low = 0;
  let high = 0;
  if (p.yarn) {
    ({ low, high } = yarnRange({ ...p, yarn: p.yarn }));
    if (low === high) high += 0.001;
  }
  for (let i = 0; i < half; i++) {
    const f = r(1 / r(p.theta ** r((2 * i) / p.dim)));
    if (!p.yarn) {
      out[i] = f;
      continue;
    }
    const ramp = Math.min(Math.max(r(r(i - low) / r(high - low)), 0), 1);
    const smooth = r(1 - ramp);
    // Reference form: f/s·(1 − smooth) + f·smooth, with smooth = 1 − ramp.
    out[i] = r(r(r(f / p.yarn.factor) * r(1 - smooth)) + r(f * smooth));
  }
  return out;
}

/** cos/sin of the rotation angles at one position: φ_i = fp32(t · f'_i), then fp32 cos/sin (spec §2.7 step 4). */
export interface RopeAngles {
  cos: Float64Array;
  sin: Float64Array;
}

export class RopeTable {
  readonly freqs: Float64Array;
  private readonly cache = new Map<number, RopeAngles>();

  constructor(readonly params: RopeParams) {
    this.freqs = ropeFrequencies(params, 'f32');
  }

  at(t: number): RopeAngles {
    let a = this.cache.get(t);
    if (!a) {
      const half = this.freqs.length;
      a = { cos: new Float64Array(half), sin: new Float64Array(half) };
      for (let i = 0; i < half; i++) {
        const phi = toF32(toF32(t) * this.freqs[i]!);
        a.cos[i] = toF32(Math.cos(phi));
        a.sin[i] = toF32(Math.sin(phi));
      }
      this.cache.set(t, a);
    }
    return a;
  }
}

/**
 * Interleaved (GPT-J) rotation of `x[off .. off+dim)` in place, rounded to bf16:
 * y[2i] = x[2i]·cos − x[2i+1]·sin, y[2i+1] = x[2i]·sin + x[2i+1]·cos. Used by MLA (q_pe, k_pe).
 */
export function ropeInterleaved(x: Float64Array, off: number, dim: number, a: RopeAngles): void {
  for (let i = 0; i < dim / 2; i++) {
    const x0 = x[off + 2 * i]!;
    const x1 = x[off + 2 * i + 1]!;
    x[off + 2 * i] = toBf16(x0 * a.cos[i]! - x1 * a.sin[i]!);
    x[off + 2 * i + 1] = toBf16(x0 * a.sin[i]! + x1 * a.cos[i]!);
  }
}

/**
 * Half-split (NeoX / rotate-half) rotation of `x[off .. off+dim)` in place, rounded to bf16:
 * y[i] = x[i]·cos − x[i+d/2]·sin, y[i+d/2] = x[i+d/2]·cos + x[i]·sin. Used by the indexer.
 */
export function ropeHalfSplit(x: Float64Array, off: number, dim: number, a: RopeAngles): void {
  const half = dim / 2;
  for (let i = 0; i < half; i++) {
    const x0 = x[off + i]!;
    const x1 = x[off + i + half]!;
    x[off + i] = toBf16(x0 * a.cos[i]! - x1 * a.sin[i]!);
    x[off + i + half] = toBf16(x1 * a.cos[i]! + x0 * a.sin[i]!);
  }
}
