#include "model/moe.hpp"

#include <cmath>
#include <cstring>
#include <vector>

#include "model/router.hpp"
#include "numerics/formats.hpp"

namespace dse {

void mlp_forward(const MlpWeights& W, const float* x, int T, int dim, float* y, const RunOptions& o) {
  const int64_t I = W.w1.rows;
  LinearOptions lin;
  lin.act_quant = o.reference_fp8;
  lin.ue8m0 = o.ue8m0;
  std::vector<float> g(static_cast<size_t>(T * I)), u(static_cast<size_t>(T * I));
  linear(W.w1, x, T, dim, g.data(), I, lin);
  linear(W.w3, x, T, dim, u.data(), I, lin);
  for (size_t i = 0; i < g.size(); ++i) {
    const float z = g[i];
    g[i] = round_bf16(z / (1.0f + std::exp(-z)) * u[i]);
  }
  linear(W.w2, g.data(), T, I, y, dim, lin);
}

void moe_forward(const LayerWeights& W, const ModelConfig& c, const float* x, int T, float* y, const RunOptions& o) {
  const int D = c.hidden_size, E = c.n_routed_experts, K = c.num_experts_per_tok;
  // Router logits in fp32 (gate weights upcast, input upcast; not rounded).
  std::vector<float> logits(static_cast<size_t>(T) * E);
  LinearOptions fp32_out;
  fp32_out.round_bf16 = false;
  linear(W.gate, x, T, D, logits.data(), E, fp32_out);
  const RouterSpec rs = RouterSpec::from(c);
  std::vector<int> sel(static_cast<size_t>(T) * K);
  std::vector<float> wts(static_cast<size_t>(T) * K);
  for (int r = 0; r < T; ++r)
    route(&logits[static_cast<size_t>(r) * E], W.gate_bias.empty() ? nullptr : W.gate_bias.data(), rs, &sel[static_cast<size_t>(r) * K],
          &wts[static_cast<size_t>(r) * K]);

  // Rows per expert, in row order.
  std::vector<std::vector<std::pair<int, float>>> by_expert(static_cast<size_t>(E));
  for (int r = 0; r < T; ++r)
    for (int j = 0; j < K; ++j) by_expert[static_cast<size_t>(sel[static_cast<size_t>(r) * K + j])].push_back({r, wts[static_cast<size_t>(r) * K + j]});

  std::vector<float> acc(static_cast<size_t>(T) * D, 0.0f), xe, ye;
  for (int e = 0; e < E; ++e) {
    const auto& rows = by_expert[static_cast<size_t>(e)];
    if (rows.empty()) continue;
    const int n = static_cast<int>(rows.size());
    xe.resize(static_cast<size_t>(n) * D);
    ye.resize(static_cast<size_t>(n) * D);
    for (int i = 0; i < n; ++i)
      std::memcpy(&xe[static_cast<size_t>(i) * D], x + static_cast<size_t>(rows[static_cast<size_t>(i)].first) * D, sizeof(float) * static_cast<size_t>(D));
    mlp_forward(W.experts[static_cast<size_t>(e)], xe.data(), n, D, ye.data(), o);
    for (int i = 0; i < n; ++i) {
      float* a = &acc[static_cast<size_t>(rows[static_cast<size_t>(i)].first) * D];
      const float w = rows[static_cast<size_t>(i)].second;
      const float* ys = &ye[static_cast<size_t>(i) * D];
      for (int d = 0; d < D; ++d) a[d] += ys[d] * w;
    }
  }
  if (W.has_shared) {
    mlp_forward(W.shared, x, T, D, y, o);
    for (size_t i = 0; i < acc.size(); ++i) y[i] = round_bf16(acc[i] + y[i]);
  } else {
    for (size_t i = 0; i < acc.size(); ++i) y[i] = round_bf16(acc[i]);
  }
}

}  // namespace dse
