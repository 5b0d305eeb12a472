/**
 * The tiny test configuration of spec §13 under HF `config.json` names: every code path of the real model
 * (q-LoRA, MLA with interleaved RoPE, DSA indexer, dense layer, grouped MoE with bias, YaRN active) at sizes a
 * float64 TypeScript forward can run in a second.
 */
import type { HFConfig } from '../reference/config.js';

export type TinyArch = 'v32' | 'v3';
export type TinyDtype = 'fp8' | 'bf16';

export function tinyConfig(arch: TinyArch = 'v32', dtype: TinyDtype = 'fp8', overrides: Partial<HFConfig> = {}): HFConfig {
  const base: HFConfig = {
    architectures: [arch === 'v32' ? 'DeepseekV32ForCausalLM' : 'DeepseekV3ForCausalLM'],
    model_type: arch === 'v32' ? 'deepseek_v32' : 'deepseek_v3',
    vocab_size: 1024,
    hidden_size: 256,
    intermediate_size: 512,
    moe_intermediate_size: 128,
    num_hidden_layers: 4,
    first_k_dense_replace: 1,
    moe_layer_freq: 1,
    num_attention_heads: 4,
    num_key_value_heads: 4,
    n_routed_experts: 16,
    n_shared_experts: 1,
    num_experts_per_tok: 4,
    n_group: 4,
    topk_group: 2,
    routed_scaling_factor: 2.5,
    scoring_func: 'sigmoid',
    topk_method: 'noaux_tc',
    norm_topk_prob: true,
    q_lora_rank: 512,
    kv_lora_rank: 256,
    qk_nope_head_dim: 32,
    qk_rope_head_dim: 64,
    v_head_dim: 96,
    ...(arch === 'v32' ? { index_n_heads: 16, index_head_dim: 128, index_topk: 32 } : {}),
    rms_norm_eps: 1e-6,
    rope_theta: 10000,
    rope_scaling: {
      type: 'yarn',
      factor: 40,
      original_max_position_embeddings: 4096,
      beta_fast: 32,
      beta_slow: 1,
      mscale: 1.0,
      mscale_all_dim: 1.0,
    },
    max_position_embeddings: 8192,
    hidden_act: 'silu',
    attention_bias: false,
    attention_dropout: 0.0,
    tie_word_embeddings: false,
    bos_token_id: 0,
    eos_token_id: 1,
    num_nextn_predict_layers: 0,
    torch_dtype: 'bfloat16',
    initializer_range: 0.02,
    use_cache: true,
    ep_size: 1,
    ...(dtype === 'fp8'
      ? {
          quantization_config: {
            quant_method: 'fp8',
            fmt: 'e4m3',
            scale_fmt: 'ue8m0',
            activation_scheme: 'dynamic',
            weight_block_size: [128, 128],
          },
        }
      : {}),
  };
  return { ...base, ...overrides };
}
