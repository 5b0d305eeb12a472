/**
 * Random weights for a test model, drawn as spec §13 says: projections bf16 N(0, 0.02²) then block-quantised to
 * FP8 (ue8m0 128×128 scales); embedding N(0,1); LM head, router gate and indexer weights_proj bf16 N(0, 0.02²);
 * norm weights 1 + 0.1·N(0,1) and the k_norm bias 0.1·N(0,1) in fp32; e_score_correction_bias U(−0.05, 0.05).
 *
 * A bf16 checkpoint stores the *dequantised* FP8 values (what DeepSeek's fp8→bf16 cast produces), so the FP8 and
 * bf16 checkpoints of one seed describe the same model and differ only in storage.
 */
import type { ModelConfig } from '../reference/config.js';
import { scaleName, tensorLayout, type TensorSpec } from '../reference/layout.js';
import { bf16Bits, blockDequantize, blockQuantize, toBf16, toF32 } from '../reference/numerics.js';
import { numel, type TensorData } from '../reference/safetensors.js';
import { Rng } from './prng.js';

export function bf16Bytes(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setUint16(2 * i, bf16Bits(values[i]!), true);
  return out;
}

export function f32Bytes(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(4 * i, values[i]!, true);
  return out;
}

function normals(rng: Rng, n: number, std: number, round: (x: number) => number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = round(std * rng.normal());
  return out;
}

/** Draw one tensor (and its scale companion for FP8) into `out`. Its values depend only on (seed, name). */
export function drawTensor(spec: TensorSpec, fp8: boolean, seed: number, out: Map<string, TensorData>): void {
  const rng = new Rng(seed, spec.name);
  const n = numel(spec.shape);
  switch (spec.role) {
    case 'linear': {
      const [rows, cols] = spec.shape as [number, number];
      const w = normals(rng, n, 0.02, toBf16);
      const q = blockQuantize(w, rows, cols);
      if (fp8) {
        out.set(spec.name, { dtype: 'F8_E4M3', shape: spec.shape, bytes: q.codes });
        out.set(scaleName(spec.name), { dtype: 'F32', shape: [Math.ceil(rows / 128), Math.ceil(cols / 128)], bytes: f32Bytes(q.scales) });
      } else {
        out.set(spec.name, { dtype: 'BF16', shape: spec.shape, bytes: bf16Bytes(blockDequantize(q.codes, rows, cols, q.scales)) });
      }
      return;
    }
    case 'embed':
      out.set(spec.name, { dtype: 'BF16', shape: spec.shape, bytes: bf16Bytes(normals(rng, n, 1, toBf16)) });
      return;
    case 'head':
    case 'gate':
    case 'weights_proj':
      out.set(spec.name, { dtype: 'BF16', shape: spec.shape, bytes: bf16Bytes(normals(rng, n, 0.02, toBf16)) });
      return;
    case 'norm':
      out.set(spec.name, { dtype: 'F32', shape: spec.shape, bytes: f32Bytes(normals(rng, n, 0.1, (x) => toF32(1 + x))) });
      return;
    case 'norm_bias':
      out.set(spec.name, { dtype: 'F32', shape: spec.shape, bytes: f32Bytes(normals(rng, n, 0.1, toF32)) });
      return;
    case 'router_bias': {
      const v = Float64Array.from({ length: n }, () => toF32(rng.uniformIn(-0.05, 0.05)));
      out.set(spec.name, { dtype: 'F32', shape: spec.shape, bytes: f32Bytes(v) });
      return;
    }
  }
}

/** All tensors of the model described by `cfg`, deterministic in `seed`. */
export function drawWeights(cfg: ModelConfig, seed: number): Map<string, TensorData> {
  const out = new Map<string, TensorData>();
  for (const spec of tensorLayout(cfg)) drawTensor(spec, cfg.weightFormat === 'fp8', seed, out);
  return out;
}
