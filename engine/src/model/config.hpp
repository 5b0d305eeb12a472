// The model configuration read from an HF config.json (spec §1.1 field table, HF names), validated
// once: every bad field is a one-line error naming the field. Derived constants (§1.2) live here too.
#pragma once
#include <string>

#include "util/json.hpp"

namespace dse {

enum class Arch { V32, V3 };  // DeepseekV32ForCausalLM (with indexer) / DeepseekV3ForCausalLM
enum class ScoringFunc { Sigmoid, Softmax };

struct ModelConfig {
  Arch arch = Arch::V32;
  std::string architecture;  // the HF class name
  int vocab_size = 0;
  int hidden_size = 0;
  int intermediate_size = 0;
  int moe_intermediate_size = 0;
  int num_hidden_layers = 0;
  int first_k_dense_replace = 0;
  int moe_layer_freq = 1;
  int num_attention_heads = 0;
  int n_routed_experts = 0;
  int n_shared_experts = 0;
  int num_experts_per_tok = 0;
  int n_group = 1;
  int topk_group = 1;
  double routed_scaling_factor = 1.0;
  ScoringFunc scoring_func = ScoringFunc::Sigmoid;
  bool gate_bias = true;  // topk_method == "noaux_tc": e_score_correction_bias + top-2-sum groups
  bool norm_topk_prob = true;
  int q_lora_rank = 0;
  int kv_lora_rank = 0;
  int qk_nope_head_dim = 0;
  int qk_rope_head_dim = 0;
  int v_head_dim = 0;
  int index_n_heads = 0;   // 0 for V3
  int index_head_dim = 0;
  int index_topk = 0;
  double rms_norm_eps = 1e-6;
  double rope_theta = 10000.0;
  bool yarn = false;
  double rope_factor = 1.0;
  int original_max_position_embeddings = 0;
  double beta_fast = 32.0;
  double beta_slow = 1.0;
  double mscale_all_dim = 1.0;
  int max_position_embeddings = 0;
  int num_nextn_predict_layers = 0;
  bool fp8_quantized = false;  // quantization_config present (fp8, e4m3, 128×128 blocks)
  bool ue8m0 = true;           // act_quant scales are powers of two (scale_fmt "ue8m0"; default without quantization_config)
  int bos_token_id = -1;
  int eos_token_id = -1;

  bool has_indexer() const { return arch == Arch::V32; }
  // The post-fix V3.2 reference simulates an FP8 latent cache (§4.2 step 4); V3 does not.
  bool fp8_latent() const { return arch == Arch::V32; }
  bool is_moe_layer(int l) const { return n_routed_experts > 0 && l >= first_k_dense_replace && l % moe_layer_freq == 0; }
  int qk_head_dim() const { return qk_nope_head_dim + qk_rope_head_dim; }
  // qk_head_dim^-0.5 · m², m = 0.1·mscale_all_dim·ln(factor) + 1 (§2.7 step 6).
  double softmax_scale() const;
  // Parameters of the main model (MTP excluded), from the shapes the config implies.
  double param_count() const;

  std::string summary_json() const;
};

// path is used in messages ("<dir>/config.json: field \"hidden_size\": ...").
ModelConfig parse_config(const Json& j, const std::string& path);
ModelConfig load_config_file(const std::string& path);

}  // namespace dse
