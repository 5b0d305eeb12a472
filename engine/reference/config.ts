/**
 * The model configuration: the HF `config.json` (validated once with zod) and the reference-named view the forward
 * pass uses (spec §1.1 maps one to the other; §1.2 gives the derived constants).
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { ScaleFormat } from './numerics.js';

const int = z.number().int();
const posInt = int.positive();

const RopeScalingSchema = z.looseObject({
  type: z.string().optional(),
  rope_type: z.string().optional(),
  factor: z.number().positive(),
  original_max_position_embeddings: posInt,
  beta_fast: z.number(),
  beta_slow: z.number(),
  mscale: z.number().optional(),
  mscale_all_dim: z.number().optional(),
});

const QuantizationSchema = z.looseObject({
  quant_method: z.literal('fp8'),
  fmt: z.literal('e4m3'),
  scale_fmt: z.enum(['ue8m0']).nullable().optional(),
  activation_scheme: z.literal('dynamic'),
  weight_block_size: z.tuple([z.literal(128), z.literal(128)]),
});

/** The HF `config.json` fields of the DeepSeek V3 / V3.2 family (spec §1.1, §13). Unknown fields are kept. */
export const HFConfigSchema = z.looseObject({
  architectures: z.array(z.string()).min(1),
  model_type: z.string(),
  vocab_size: posInt,
  hidden_size: posInt,
  intermediate_size: posInt,
  moe_intermediate_size: posInt,
  num_hidden_layers: posInt,
  first_k_dense_replace: int.nonnegative(),
  moe_layer_freq: posInt.default(1),
  num_attention_heads: posInt,
  num_key_value_heads: posInt.optional(),
  n_routed_experts: posInt,
  n_shared_experts: int.nonnegative(),
  num_experts_per_tok: posInt,
  n_group: posInt,
  topk_group: posInt,
  routed_scaling_factor: z.number().positive(),
  scoring_func: z.enum(['sigmoid', 'softmax']),
  topk_method: z.string(),
  norm_topk_prob: z.boolean(),
  q_lora_rank: posInt,
  kv_lora_rank: posInt,
  qk_nope_head_dim: posInt,
  qk_rope_head_dim: posInt,
  v_head_dim: posInt,
  index_n_heads: posInt.optional(),
  index_head_dim: posInt.optional(),
  index_topk: posInt.optional(),
  rms_norm_eps: z.number().positive(),
  rope_theta: z.number().positive(),
  rope_scaling: RopeScalingSchema.nullable().optional(),
  max_position_embeddings: posInt,
  hidden_act: z.literal('silu'),
  attention_bias: z.literal(false).optional(),
  tie_word_embeddings: z.literal(false).optional(),
  bos_token_id: int.nonnegative(),
  eos_token_id: int.nonnegative(),
  num_nextn_predict_layers: int.nonnegative().optional(),
  torch_dtype: z.string().optional(),
  initializer_range: z.number().optional(),
  quantization_config: QuantizationSchema.optional(),
});

export type HFConfig = z.infer<typeof HFConfigSchema>;

export type Arch = 'v32' | 'v3';

/** Reference-named configuration (DeepSeek `ModelArgs`), plus the constants derived from it. */
export interface ModelConfig {
  arch: Arch;
  vocabSize: number;
  dim: number;
  interDim: number;
  moeInterDim: number;
  nLayers: number;
  nDenseLayers: number;
  moeLayerFreq: number;
  nHeads: number;
  nRoutedExperts: number;
  nSharedExperts: number;
  nActivatedExperts: number;
  nExpertGroups: number;
  nLimitedGroups: number;
  routeScale: number;
  scoreFunc: 'sigmoid' | 'softmax';
  /** noaux_tc: selection uses the `e_score_correction_bias` and top-2-sum group scores (spec §6.2). */
  routerBias: boolean;
  normTopkProb: boolean;
  qLoraRank: number;
  kvLoraRank: number;
  qkNopeHeadDim: number;
  qkRopeHeadDim: number;
  qkHeadDim: number;
  vHeadDim: number;
  /** Indexer; zero for V3 (no DSA). */
  indexNHeads: number;
  indexHeadDim: number;
  indexTopk: number;
  normEps: number;
  ropeTheta: number;
  /** YaRN parameters, or null for plain RoPE. */
  yarn: { factor: number; originalSeqLen: number; betaFast: number; betaSlow: number; mscaleAllDim: number } | null;
  maxSeqLen: number;
  /** 'fp8' when the checkpoint declares FP8 block quantisation. */
  weightFormat: 'fp8' | 'bf16';
  /** Scale format of activation quantisation (act_quant, latent and indexer FP8). */
  scaleFmt: ScaleFormat;
  /** MLA softmax scale: qk_head_dim^-0.5 · mscale² (spec §2.7). */
  softmaxScale: number;
  bosTokenId: number;
  eosTokenId: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Whether layer `l` is an MoE layer (HF rule: past first_k_dense_replace and on the moe_layer_freq grid). */
export function isMoeLayer(cfg: ModelConfig, l: number): boolean {
  return l >= cfg.nDenseLayers && l % cfg.moeLayerFreq === 0;
}

/** Validate an HF config object (`source` names it in errors) and derive the reference view. */
export function parseConfig(json: unknown, source = 'config.json'): ModelConfig {
  const parsed = HFConfigSchema.safeParse(json);
  if (!parsed.success) {
    const msgs = parsed.error.issues.map((i) => `field \`${i.path.join('.') || '(root)'}\`: ${i.message}`);
    throw new ConfigError(`${source}: ${msgs.join('; ')}`);
  }
  const c = parsed.data;
  const fail = (msg: string): never => {
    throw new ConfigError(`${source}: ${msg}`);
  };

  const archName = c.architectures[0];
  let arch: Arch;
  if (archName === 'DeepseekV32ForCausalLM' && c.model_type === 'deepseek_v32') arch = 'v32';
  else if (archName === 'DeepseekV3ForCausalLM' && c.model_type === 'deepseek_v3') arch = 'v3';
  else return fail(`unsupported architecture ${archName} / model_type ${c.model_type} (expected DeepseekV32ForCausalLM/deepseek_v32 or DeepseekV3ForCausalLM/deepseek_v3)`);

  if (c.qk_rope_head_dim % 2 !== 0) fail(`field \`qk_rope_head_dim\`: ${c.qk_rope_head_dim} must be even (RoPE rotates pairs)`);
  if (c.kv_lora_rank % 128 !== 0) fail(`field \`kv_lora_rank\`: ${c.kv_lora_rank} must be a multiple of 128 (the FP8 latent uses 128-element groups)`);
  if (c.n_routed_experts % c.n_group !== 0) fail(`field \`n_group\`: ${c.n_group} does not divide n_routed_experts ${c.n_routed_experts}`);
  if (c.topk_group > c.n_group) fail(`field \`topk_group\`: ${c.topk_group} exceeds n_group ${c.n_group}`);
  const keptExperts = (c.n_routed_experts / c.n_group) * c.topk_group;
  if (c.num_experts_per_tok > keptExperts) fail(`field \`num_experts_per_tok\`: ${c.num_experts_per_tok} exceeds the ${keptExperts} experts in the kept groups`);
  if (c.routed_scaling_factor <= 0) fail('field `routed_scaling_factor` must be positive');
  if (c.topk_method === 'noaux_tc' && c.n_group > 1 && c.n_routed_experts / c.n_group < 2) fail('noaux_tc needs at least 2 experts per group (top-2 group sum)');

  let indexNHeads = 0;
  let indexHeadDim = 0;
  let indexTopk = 0;
  if (arch === 'v32') {
    if (c.index_n_heads === undefined || c.index_head_dim === undefined || c.index_topk === undefined) {
      fail('DeepseekV32 needs index_n_heads, index_head_dim and index_topk');
    }
    indexNHeads = c.index_n_heads!;
    indexHeadDim = c.index_head_dim!;
    indexTopk = c.index_topk!;
    if (indexHeadDim !== 128) fail(`field \`index_head_dim\`: ${indexHeadDim}; the indexer quantises each head as one 128-element group, so it must be 128`);
    if (c.qk_rope_head_dim > indexHeadDim) fail(`field \`qk_rope_head_dim\`: ${c.qk_rope_head_dim} exceeds index_head_dim ${indexHeadDim}`);
  }

  let yarn: ModelConfig['yarn'] = null;
  const rs = c.rope_scaling;
  if (rs) {
    const kind = rs.type ?? rs.rope_type;
    if (kind !== 'yarn') fail(`field \`rope_scaling.type\`: ${JSON.stringify(kind)} is not supported (only "yarn")`);
    yarn = {
      factor: rs.factor,
      originalSeqLen: rs.original_max_position_embeddings,
      betaFast: rs.beta_fast,
      betaSlow: rs.beta_slow,
      mscaleAllDim: rs.mscale_all_dim ?? 1,
    };
  }
  const qkHeadDim = c.qk_nope_head_dim + c.qk_rope_head_dim;
  const m = yarn && yarn.factor > 1 ? 0.1 * yarn.mscaleAllDim * Math.log(yarn.factor) + 1 : 1;

  return {
    arch,
    vocabSize: c.vocab_size,
    dim: c.hidden_size,
    interDim: c.intermediate_size,
    moeInterDim: c.moe_intermediate_size,
    nLayers: c.num_hidden_layers,
    nDenseLayers: c.first_k_dense_replace,
    moeLayerFreq: c.moe_layer_freq,
    nHeads: c.num_attention_heads,
    nRoutedExperts: c.n_routed_experts,
    nSharedExperts: c.n_shared_experts,
    nActivatedExperts: c.num_experts_per_tok,
    nExpertGroups: c.n_group,
    nLimitedGroups: c.topk_group,
    routeScale: c.routed_scaling_factor,
    scoreFunc: c.scoring_func,
    routerBias: c.topk_method === 'noaux_tc',
    normTopkProb: c.norm_topk_prob,
    qLoraRank: c.q_lora_rank,
    kvLoraRank: c.kv_lora_rank,
    qkNopeHeadDim: c.qk_nope_head_dim,
    qkRopeHeadDim: c.qk_rope_head_dim,
    qkHeadDim,
    vHeadDim: c.v_head_dim,
    indexNHeads,
    indexHeadDim,
    indexTopk,
    normEps: c.rms_norm_eps,
    ropeTheta: c.rope_theta,
    yarn,
    maxSeqLen: c.max_position_embeddings,
    weightFormat: c.quantization_config ? 'fp8' : 'bf16',
    // FP8 checkpoints say it (V3.1+: ue8m0; V3: absent = plain fp32 scales). A bf16 checkpoint has no
    // quantization_config; the latent and indexer FP8 of V3.2 still use ue8m0.
    scaleFmt: c.quantization_config ? (c.quantization_config.scale_fmt === 'ue8m0' ? 'ue8m0' : 'fp32') : 'ue8m0',
    softmaxScale: qkHeadDim ** -0.5 * m * m,
    bosTokenId: c.bos_token_id,
    eosTokenId: c.eos_token_id,
  };
}

/** Read and validate `<dir>/config.json`. */
export function readConfig(dir: string): ModelConfig {
  const path = join(dir, 'config.json');
  if (!existsSync(path)) throw new ConfigError(`${path}: file not found`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ConfigError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  return parseConfig(json, path);
}
