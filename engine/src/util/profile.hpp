// Wall-time breakdown of the forward pass by component, for `dseval-engine bench`. Off by default
// (a ProfScope then costs one load of a flag). Scopes are opened only on the thread that calls
// Model::forward, around whole parallel regions, so each figure is wall time. Scopes nest: time is
// charged to the innermost open scope only (exclusive time), so the components add up to the time
// spent inside any scope; the rest of the pass is "other".
#pragma once

namespace dse {

enum class Prof : int {
  MlaProj,       // wq_a, q_norm, wq_b, wkv_a, kv_norm, latent FP8, RoPE, cache writes, wo
  Attention,     // attention proper: q absorption, scores, softmax, weighted sums, W_UV / kv_b decompression
  IndexerProj,   // indexer wk, k_norm, wq_b, weights_proj, RoPE, Hadamard, act_quant
  IndexerScore,  // index scores of every (query, key) pair
  TopK,          // top-k selection over the scores
  Moe,           // router, routed and shared experts
  DenseMlp,      // dense-layer MLP
  LmHead,        // final norm and LM head
  kCount
};

const char* prof_name(Prof p);
void prof_enable(bool on);
bool prof_enabled();
void prof_reset();
double prof_seconds(Prof p);

namespace detail {
extern bool g_prof_on;
int prof_enter(Prof p);      // returns the scope it interrupts (−1: none)
void prof_leave(int outer);
}  // namespace detail

class ProfScope {
 public:
  explicit ProfScope(Prof p) : on_(detail::g_prof_on) {
    if (on_) outer_ = detail::prof_enter(p);
  }
  ~ProfScope() {
    if (on_) detail::prof_leave(outer_);
  }
  ProfScope(const ProfScope&) = delete;
  ProfScope& operator=(const ProfScope&) = delete;

 private:
  bool on_;
  int outer_ = -1;
};

}  // namespace dse
