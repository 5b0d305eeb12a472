// Feed-forward blocks (spec §2.9, §6): the SwiGLU MLP (dense layers, experts, shared expert) and the
// MoE layer — router per token, each chosen expert run once over all the rows that chose it (weights
// read once per step for the batch), outputs weighted and summed in fp32 in expert-index order
// (as the reference loop does), plus the unweighted shared expert, rounded to bf16 once.
#pragma once
#include "model/batch.hpp"
#include "model/config.hpp"
#include "model/weights.hpp"

namespace dse {

// y[T × hidden] = w2(bf16(silu(w1 x) · w3 x)), bf16 output.
void mlp_forward(const MlpWeights& W, const float* x, int T, int dim, float* y, const RunOptions& o);

void moe_forward(const LayerWeights& W, const ModelConfig& c, const float* x, int T, float* y, const RunOptions& o);

}  // namespace dse
