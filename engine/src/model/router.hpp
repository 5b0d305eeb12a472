// The MoE router (spec §6.2), exactly: scores = sigmoid (or softmax) of the fp32 gate logits;
// selection uses the biased scores (e_score_correction_bias) with group-limited routing — group score
// = sum of its top-2 biased scores (max without a bias), top topk_group groups kept — then the top-k
// experts; weights are the *unbiased* scores of the chosen experts, renormalised (norm_topk_prob)
// and multiplied by routed_scaling_factor. Ties prefer the lower index.
#pragma once
#include <vector>

#include "model/config.hpp"

namespace dse {

struct RouterSpec {
  int n_experts = 0, n_group = 1, topk_group = 1, topk = 1;
  ScoringFunc scoring = ScoringFunc::Sigmoid;
  bool normalize = true;
  float scale = 1.0f;
  static RouterSpec from(const ModelConfig& c);
};

// logits[n_experts] → sel[topk] (descending by biased score), weights[topk]. bias may be null.
void route(const float* logits, const float* bias, const RouterSpec& r, int* sel, float* weights);

}  // namespace dse
