/**
 * Loads a checkpoint into dequantised reference weights, checking every tensor against the layout the config
 * implies (name, shape, dtype, FP8 scale companion). FP8 weights become fp32 `decode(code) · scale` (exact for the
 * power-of-two scales of V3.1+); bf16/fp32 tensors keep their values.
 */
import { isMoeLayer, type ModelConfig } from './config.js';
import { layerPrefix, scaleName, SCALE_SUFFIX, tensorLayout, type TensorSpec } from './layout.js';
import { blockDequantize, scaleShape } from './numerics.js';
import { Checkpoint, decodeFloats, numel, SafetensorsError } from './safetensors.js';

/** A [rows, cols] projection, y = x · Wᵀ. `fp8` marks weights stored as FP8 (they take act_quant inputs in FP8-activation mode). */
export interface Matrix {
  name: string;
  rows: number;
  cols: number;
  w: Float32Array;
  fp8: boolean;
}

export interface MlpWeights {
  gate: Matrix; // w1
  up: Matrix; // w3
  down: Matrix; // w2
}

export interface IndexerWeights {
  wqB: Matrix;
  wk: Matrix;
  kNormWeight: Float64Array;
  kNormBias: Float64Array;
  weightsProj: Matrix;
}

export interface MoeWeights {
  gate: Matrix;
  bias: Float64Array | null;
  shared: MlpWeights | null;
  experts: MlpWeights[];
}

export interface LayerWeights {
  attnNorm: Float64Array;
  ffnNorm: Float64Array;
  wqA: Matrix;
  qNorm: Float64Array;
  wqB: Matrix;
  wkvA: Matrix;
  kvNorm: Float64Array;
  wkvB: Matrix;
  wo: Matrix;
  indexer: IndexerWeights | null;
  mlp: MlpWeights | null;
  moe: MoeWeights | null;
}

export interface ModelWeights {
  embed: Matrix;
  layers: LayerWeights[];
  norm: Float64Array;
  head: Matrix;
}

const FLOAT_DTYPES = new Set(['F32', 'BF16', 'F16', 'F64']);

/** Read every tensor the config needs from `ck`, validated. */
export function loadWeights(ck: Checkpoint, cfg: ModelConfig): ModelWeights {
  const layout = tensorLayout(cfg);
  checkNoStrangers(ck, cfg, layout);
  const matrices = new Map<string, Matrix>();
  const vectors = new Map<string, Float64Array>();
  for (const spec of layout) {
    if (spec.role === 'norm' || spec.role === 'norm_bias' || spec.role === 'router_bias') vectors.set(spec.name, readVector(ck, spec));
    else matrices.set(spec.name, readMatrix(ck, spec));
  }
  const M = (name: string): Matrix => matrices.get(name)!;
  const V = (name: string): Float64Array => vectors.get(name)!;
  const mlp = (p: string): MlpWeights => ({ gate: M(`${p}.gate_proj.weight`), up: M(`${p}.up_proj.weight`), down: M(`${p}.down_proj.weight`) });

  const layers: LayerWeights[] = [];
  for (let l = 0; l < cfg.nLayers; l++) {
    const p = layerPrefix(l);
    const a = `${p}.self_attn`;
    const moe = isMoeLayer(cfg, l);
    layers.push({
      attnNorm: V(`${p}.input_layernorm.weight`),
      ffnNorm: V(`${p}.post_attention_layernorm.weight`),
      wqA: M(`${a}.q_a_proj.weight`),
      qNorm: V(`${a}.q_a_layernorm.weight`),
      wqB: M(`${a}.q_b_proj.weight`),
      wkvA: M(`${a}.kv_a_proj_with_mqa.weight`),
      kvNorm: V(`${a}.kv_a_layernorm.weight`),
      wkvB: M(`${a}.kv_b_proj.weight`),
      wo: M(`${a}.o_proj.weight`),
      indexer:
        cfg.arch === 'v32'
          ? {
              wqB: M(`${a}.indexer.wq_b.weight`),
              wk: M(`${a}.indexer.wk.weight`),
              kNormWeight: V(`${a}.indexer.k_norm.weight`),
              kNormBias: V(`${a}.indexer.k_norm.bias`),
              weightsProj: M(`${a}.indexer.weights_proj.weight`),
            }
          : null,
      mlp: moe ? null : mlp(`${p}.mlp`),
      moe: moe
        ? {
            gate: M(`${p}.mlp.gate.weight`),
            bias: cfg.routerBias ? V(`${p}.mlp.gate.e_score_correction_bias`) : null,
            shared: cfg.nSharedExperts > 0 ? mlp(`${p}.mlp.shared_experts`) : null,
            experts: Array.from({ length: cfg.nRoutedExperts }, (_, e) => mlp(`${p}.mlp.experts.${e}`)),
          }
        : null,
    });
  }
  return { embed: M('model.embed_tokens.weight'), layers, norm: V('model.norm.weight'), head: M('lm_head.weight') };
}

/** Tensors the config does not explain are an error (e.g. a V3.2 checkpoint read with a V3 config); MTP layers are skipped. */
function checkNoStrangers(ck: Checkpoint, cfg: ModelConfig, layout: TensorSpec[]): void {
  const known = new Set(layout.map((s) => s.name));
  for (const name of ck.names()) {
    if (known.has(name)) continue;
    if (name.endsWith(SCALE_SUFFIX) && known.has(name.slice(0, -SCALE_SUFFIX.length))) continue;
    const m = /^model\.layers\.(\d+)\./.exec(name);
    if (m && Number(m[1]) >= cfg.nLayers) continue; // MTP module (spec §7.6)
    throw new SafetensorsError(`${ck.dir}: tensor "${name}" is not part of a ${cfg.arch === 'v32' ? 'DeepseekV32' : 'DeepseekV3'} model with this config.json`);
  }
}

function entryFor(ck: Checkpoint, spec: TensorSpec, expectDtype: string) {
  if (!ck.has(spec.name)) {
    throw new SafetensorsError(`${ck.dir}: checkpoint lacks tensor "${spec.name}" (expected ${expectDtype} [${spec.shape.join(', ')}])`);
  }
  const e = ck.entry(spec.name);
  if (e.shape.length !== spec.shape.length || e.shape.some((d, i) => d !== spec.shape[i])) {
    throw new SafetensorsError(`${e.file}: tensor "${spec.name}" has shape [${e.shape.join(', ')}] but config.json implies [${spec.shape.join(', ')}]`);
  }
  return e;
}

function readVector(ck: Checkpoint, spec: TensorSpec): Float64Array {
  const e = entryFor(ck, spec, 'F32');
  if (!FLOAT_DTYPES.has(e.dtype)) throw new SafetensorsError(`${e.file}: tensor "${spec.name}" has dtype ${e.dtype}; expected a float dtype (F32)`);
  return decodeFloats(ck.read(spec.name), `${e.file}: tensor "${spec.name}"`);
}

function readMatrix(ck: Checkpoint, spec: TensorSpec): Matrix {
  const expect = spec.role === 'linear' ? 'F8_E4M3 or BF16' : 'BF16';
  const e = entryFor(ck, spec, expect);
  const [rows, cols] = spec.shape as [number, number];
  const where = `${e.file}: tensor "${spec.name}"`;
  if (e.dtype === 'F8_E4M3') {
    if (spec.role !== 'linear') throw new SafetensorsError(`${where} is F8_E4M3, but this tensor is never quantised (expected BF16)`);
    const sName = scaleName(spec.name);
    const sShape = scaleShape(rows, cols);
    if (!ck.has(sName)) throw new SafetensorsError(`${ck.dir}: FP8 weight "${spec.name}" has no scale tensor "${sName}" (expected F32 [${sShape.join(', ')}])`);
    const se = ck.entry(sName);
    if (se.shape.length !== 2 || se.shape[0] !== sShape[0] || se.shape[1] !== sShape[1]) {
      throw new SafetensorsError(`${se.file}: tensor "${sName}" has shape [${se.shape.join(', ')}] but a [${rows}, ${cols}] weight in 128×128 blocks needs [${sShape.join(', ')}]`);
    }
    if (!FLOAT_DTYPES.has(se.dtype)) throw new SafetensorsError(`${se.file}: tensor "${sName}" has dtype ${se.dtype}; expected F32`);
    const scales = decodeFloats(ck.read(sName), `${se.file}: tensor "${sName}"`);
    const codes = ck.read(spec.name).bytes;
    return { name: spec.name, rows, cols, w: blockDequantize(codes, rows, cols, scales), fp8: true };
  }
  if (!FLOAT_DTYPES.has(e.dtype)) throw new SafetensorsError(`${where} has dtype ${e.dtype}; expected ${expect}`);
  const values = decodeFloats(ck.read(spec.name), where);
  if (values.length !== numel(spec.shape)) throw new SafetensorsError(`${where}: element count mismatch`);
  return { name: spec.name, rows, cols, w: Float32Array.from(values), fp8: false };
}
