// The model's tensors bound by name from a checkpoint (spec §7), each checked for presence, shape and
// dtype. Matrices stay memory-mapped (FP8 stays FP8); vectors (norms, biases) and block scales are
// copied to fp32.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "io/checkpoint.hpp"
#include "kernels/linear.hpp"
#include "model/config.hpp"

namespace dse {

struct MlpWeights {  // SwiGLU: w1 = gate_proj, w3 = up_proj, w2 = down_proj
  WeightMatrix w1, w2, w3;
};

struct IndexerWeights {
  WeightMatrix wq_b;           // [index_n_heads·index_head_dim, q_lora_rank]
  WeightMatrix wk;             // [index_head_dim, hidden]
  WeightMatrix weights_proj;   // [index_n_heads, hidden], applied in fp32
  std::vector<float> k_norm_w, k_norm_b;
};

struct LayerWeights {
  std::vector<float> attn_norm, ffn_norm, q_norm, kv_norm;
  WeightMatrix wq_a, wq_b, wkv_a, wkv_b, wo;
  bool has_indexer = false;
  IndexerWeights indexer;
  bool moe = false;
  MlpWeights dense;                   // dense layers
  WeightMatrix gate;                  // MoE router [n_routed_experts, hidden]
  std::vector<float> gate_bias;       // e_score_correction_bias (noaux_tc)
  std::vector<MlpWeights> experts;
  bool has_shared = false;
  MlpWeights shared;
};

struct ModelWeights {
  WeightMatrix embed;      // [vocab, hidden]
  std::vector<float> final_norm;
  WeightMatrix lm_head;    // [vocab, hidden]
  std::vector<LayerWeights> layers;
};

struct BindOptions {
  bool reference_fp8 = false;  // FP8 linears will act_quant their input: K must be a multiple of 128
};

// Binds every tensor the config implies; fails with a one-line message on the first defect, and on
// tensors left over that the model does not use (MTP layers, model.layers.{n}+, are skipped).
ModelWeights bind_weights(Checkpoint& ck, const ModelConfig& cfg, const BindOptions& opt);

}  // namespace dse
