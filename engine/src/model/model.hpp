// The whole model (spec §3): embedding → layers (attn_norm, MLA+DSA, ffn_norm, dense MLP or MoE,
// with the bf16 residual stream and fused residual norms) → final norm → fp32 LM head.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "io/checkpoint.hpp"
#include "model/batch.hpp"
#include "model/config.hpp"
#include "model/kv_cache.hpp"
#include "model/rope.hpp"
#include "model/weights.hpp"

namespace dse {

struct LoadOptions {
  bool dsa = true;
  bool reference_fp8 = false;
  int threads = 2;
  int max_seq = 8192;            // longest sequence (prompt + completion) accepted
  int64_t cache_tokens = 0;      // KV capacity in tokens; 0 = max_seq × 16
};

class Model {
 public:
  static std::unique_ptr<Model> load(const std::string& dir, const LoadOptions& opt);

  const ModelConfig& config() const { return cfg_; }
  const RunOptions& run_options() const { return run_; }
  const LoadOptions& load_options() const { return load_; }
  const Rope& rope() const { return rope_; }
  KvCache& cache() { return *cache_; }
  const Checkpoint& checkpoint() const { return *ck_; }
  const ModelWeights& weights() const { return w_; }
  int max_seq() const { return load_.max_seq; }

  // Runs the segments (caches reserved by the caller for start+n tokens, start == cache length).
  // logits receives, per segment in order, vocab-wide fp32 rows: every row when all_logits, else
  // the last. Advances each segment's cache length.
  void forward(std::vector<Segment>& segs, std::vector<float>& logits);

 private:
  Model() = default;
  ModelConfig cfg_;
  LoadOptions load_;
  RunOptions run_;
  std::unique_ptr<Checkpoint> ck_;
  ModelWeights w_;
  Rope rope_;
  std::unique_ptr<KvCache> cache_;
};

}  // namespace dse
