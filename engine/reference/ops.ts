/**
 * The dense building blocks (spec §2.4–§2.6, §2.9): linear layers, RMSNorm with the fused residual add, the
 * indexer's LayerNorm and SwiGLU. An activation row is a Float64Array holding bf16 (or fp32) values.
 *
 * Precision: sums run in float64 (the reference accumulates in fp32); each op's output is rounded to the format
 * the reference stores there (bf16 for activations, fp32 for the residual sum seen by the norm). The difference
 * to fp32 accumulation is far below one bf16 ulp.
 */
import { actQuant, dequantize, toBf16, toF32, type ScaleFormat } from './numerics.js';
import type { Matrix } from './weights.js';

/** How a linear layer's output is stored: bf16 (every FP8/bf16 GEMM in the reference) or kept unrounded. */
export type OutFormat = 'bf16' | 'exact';

export interface LinearMode {
  /** Apply act_quant to the input of FP8-weight linears (DeepSeek's deployed numerics, spec §2.4). */
  fp8Activations: boolean;
  scaleFmt: ScaleFormat;
}

/**
 * y = x · Wᵀ for each row of `xs`. FP8 weights in FP8-activation mode see dequant(act_quant(x)), which equals the
 * reference's Σ_kb s_x·s_w·Σ q_x·q_w exactly; otherwise x as given (bf16).
 */
export function linear(xs: Float64Array[], W: Matrix, mode: LinearMode, out: OutFormat = 'bf16'): Float64Array[] {
  const inputs = xs.map((x) => {
    if (x.length !== W.cols) throw new Error(`linear ${W.name}: input has ${x.length} elements, weight has ${W.cols} columns`);
    if (!(W.fp8 && mode.fp8Activations)) return x;
    if (x.length % 128 !== 0) throw new Error(`linear ${W.name}: act_quant needs the input width (${x.length}) to be a multiple of 128`);
    return dequantize(actQuant(x, mode.scaleFmt));
  });
  const ys = inputs.map(() => new Float64Array(W.rows));
  const { w, cols } = W;
  const T = inputs.length;
  const round = out === 'bf16' ? toBf16 : (v: number) => v;
  // Four rows of x share each weight load; every sum still runs over k in order.
  for (let n = 0; n < W.rows; n++) {
    const base = n * cols;
    let t = 0;
    for (; t + 3 < T; t += 4) {
      const x0 = inputs[t]!;
      const x1 = inputs[t + 1]!;
      const x2 = inputs[t + 2]!;
      const x3 = inputs[t + 3]!;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      for (let k = 0; k < cols; k++) {
        const wv = w[base + k]!;
        a0 += x0[k]! * wv;
        a1 += x1[k]! * wv;
        a2 += x2[k]! * wv;
        a3 += x3[k]! * wv;
      }
      ys[t]![n] = round(a0);
      ys[t + 1]![n] = round(a1);
      ys[t + 2]![n] = round(a2);
      ys[t + 3]![n] = round(a3);
    }
    for (; t < T; t++) {
      const x = inputs[t]!;
      let acc = 0;
      for (let k = 0; k < cols; k++) acc += x[k]! * w[base + k]!;
      ys[t]![n] = round(acc);
    }
  }
  return ys;
}

/** RMSNorm: bf16( w ⊙ x · (mean(x²) + eps)^−½ ), computed on the given (fp32) values. */
export function rmsNorm(x: Float64Array, w: Float64Array, eps: number): Float64Array {
  let ss = 0;
  for (let i = 0; i < x.length; i++) ss += x[i]! * x[i]!;
  const inv = 1 / Math.sqrt(ss / x.length + eps);
  const y = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = toBf16(w[i]! * (x[i]! * inv));
  return y;
}

/**
 * The fused residual variant (spec §2.5): s = fp32(h) + fp32(residual) kept in fp32; the norm sees s; the carried
 * residual is bf16(s).
 */
export function rmsNormResidual(h: Float64Array, residual: Float64Array, w: Float64Array, eps: number): { x: Float64Array; residual: Float64Array } {
  const s = new Float64Array(h.length);
  for (let i = 0; i < h.length; i++) s[i] = toF32(h[i]! + residual[i]!);
  const r = new Float64Array(h.length);
  for (let i = 0; i < h.length; i++) r[i] = toBf16(s[i]!);
  return { x: rmsNorm(s, w, eps), residual: r };
}

/** LayerNorm with bias (the indexer's k_norm, spec §2.6): biased variance, eps inside the root, bf16 output. */
export function layerNorm(x: Float64Array, w: Float64Array, b: Float64Array, eps: number): Float64Array {
  let mean = 0;
  for (let i = 0; i < x.length; i++) mean += x[i]!;
  mean /= x.length;
  let v = 0;
  for (let i = 0; i < x.length; i++) v += (x[i]! - mean) ** 2;
  const inv = 1 / Math.sqrt(v / x.length + eps);
  const y = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = toBf16((x[i]! - mean) * inv * w[i]! + b[i]!);
  return y;
}

export function silu(z: number): number {
  return z / (1 + Math.exp(-z));
}

/** SwiGLU MLP (spec §2.9): w2( bf16( silu(w1·x) · (w3·x) ) ), w1/w3 outputs bf16. */
export function swiglu(xs: Float64Array[], gate: Matrix, up: Matrix, down: Matrix, mode: LinearMode): Float64Array[] {
  const g = linear(xs, gate, mode);
  const u = linear(xs, up, mode);
  const hidden = g.map((gt, t) => {
    const ut = u[t]!;
    const hrow = new Float64Array(gt.length);
    for (let i = 0; i < gt.length; i++) hrow[i] = toBf16(silu(gt[i]!) * ut[i]!);
    return hrow;
  });
  return linear(hidden, down, mode);
}
