/**
 * The checkpoint's tensor inventory under HF names (spec §7), derived from the configuration: what the generator
 * writes and what the reference loader expects. MTP layers (`num_nextn_predict_layers`) are not part of it.
 */
import { isMoeLayer, type ModelConfig } from './config.js';

/**
 * How a tensor is stored and drawn:
 * - `linear`: a projection that is FP8 (+ weight_scale_inv) in FP8 checkpoints, bf16 otherwise;
 * - `embed`, `head`, `gate`, `weights_proj`: always bf16;
 * - `norm` (RMSNorm / LayerNorm weight), `norm_bias` (k_norm bias), `router_bias` (e_score_correction_bias): fp32.
 */
export type TensorRole = 'linear' | 'embed' | 'head' | 'gate' | 'weights_proj' | 'norm' | 'norm_bias' | 'router_bias';

export interface TensorSpec {
  name: string;
  shape: number[];
  role: TensorRole;
}

export const SCALE_SUFFIX = '_scale_inv';

/** Name of the scale companion of an FP8 weight (`…weight` → `…weight_scale_inv`). */
export function scaleName(weightName: string): string {
  return `${weightName}${SCALE_SUFFIX}`;
}

export function layerPrefix(l: number): string {
  return `model.layers.${l}`;
}

/** Every tensor of the main model (no MTP), in a stable order. */
export function tensorLayout(cfg: ModelConfig): TensorSpec[] {
  const out: TensorSpec[] = [];
  const add = (name: string, shape: number[], role: TensorRole): void => {
    out.push({ name, shape, role });
  };
  const { dim } = cfg;
  add('model.embed_tokens.weight', [cfg.vocabSize, dim], 'embed');
  for (let l = 0; l < cfg.nLayers; l++) {
    const p = layerPrefix(l);
    const a = `${p}.self_attn`;
    add(`${p}.input_layernorm.weight`, [dim], 'norm');
    add(`${a}.q_a_proj.weight`, [cfg.qLoraRank, dim], 'linear');
    add(`${a}.q_a_layernorm.weight`, [cfg.qLoraRank], 'norm');
    add(`${a}.q_b_proj.weight`, [cfg.nHeads * cfg.qkHeadDim, cfg.qLoraRank], 'linear');
    add(`${a}.kv_a_proj_with_mqa.weight`, [cfg.kvLoraRank + cfg.qkRopeHeadDim, dim], 'linear');
    add(`${a}.kv_a_layernorm.weight`, [cfg.kvLoraRank], 'norm');
    add(`${a}.kv_b_proj.weight`, [cfg.nHeads * (cfg.qkNopeHeadDim + cfg.vHeadDim), cfg.kvLoraRank], 'linear');
    add(`${a}.o_proj.weight`, [dim, cfg.nHeads * cfg.vHeadDim], 'linear');
    if (cfg.arch === 'v32') {
      const ix = `${a}.indexer`;
      add(`${ix}.wq_b.weight`, [cfg.indexNHeads * cfg.indexHeadDim, cfg.qLoraRank], 'linear');
      add(`${ix}.wk.weight`, [cfg.indexHeadDim, dim], 'linear');
      add(`${ix}.k_norm.weight`, [cfg.indexHeadDim], 'norm');
      add(`${ix}.k_norm.bias`, [cfg.indexHeadDim], 'norm_bias');
      add(`${ix}.weights_proj.weight`, [cfg.indexNHeads, dim], 'weights_proj');
    }
    add(`${p}.post_attention_layernorm.weight`, [dim], 'norm');
    if (!isMoeLayer(cfg, l)) {
      addMlp(add, `${p}.mlp`, dim, cfg.interDim);
    } else {
      add(`${p}.mlp.gate.weight`, [cfg.nRoutedExperts, dim], 'gate');
      if (cfg.routerBias) add(`${p}.mlp.gate.e_score_correction_bias`, [cfg.nRoutedExperts], 'router_bias');
      if (cfg.nSharedExperts > 0) addMlp(add, `${p}.mlp.shared_experts`, dim, cfg.nSharedExperts * cfg.moeInterDim);
      for (let e = 0; e < cfg.nRoutedExperts; e++) addMlp(add, `${p}.mlp.experts.${e}`, dim, cfg.moeInterDim);
    }
  }
  add('model.norm.weight', [dim], 'norm');
  add('lm_head.weight', [cfg.vocabSize, dim], 'head');
  return out;
}

function addMlp(add: (name: string, shape: number[], role: TensorRole) => void, p: string, dim: number, inter: number): void {
  add(`${p}.gate_proj.weight`, [inter, dim], 'linear');
  add(`${p}.up_proj.weight`, [inter, dim], 'linear');
  add(`${p}.down_proj.weight`, [dim, inter], 'linear');
}
