#include "model/moe.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "kernels/parallel.hpp"
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

  // Work items: each used expert over its rows, and the shared expert over all rows, run in parallel
  // (one item per thread at a time; the linears inside run on that thread). Largest first, alternating
  // ends, so contiguous halves of the list carry similar work.
  struct Item {
    int expert;  // −1: the shared expert
    int rows;
    size_t out;  // offset of its output rows in ye
  };
  std::vector<Item> items;
  size_t total = 0;
  for (int e = 0; e < E; ++e)
    if (!by_expert[static_cast<size_t>(e)].empty()) {
      items.push_back({e, static_cast<int>(by_expert[static_cast<size_t>(e)].size()), total});
      total += by_expert[static_cast<size_t>(e)].size() * static_cast<size_t>(D);
    }
  if (W.has_shared) {
    items.push_back({-1, T, total});
    total += static_cast<size_t>(T) * D;
  }
  std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.rows > b.rows; });
  std::vector<Item> order(items.size());
  for (size_t i = 0; i < items.size(); ++i) order[i] = items[(i & 1) ? items.size() - 1 - i / 2 : i / 2];
  std::vector<float> ye(total);
  parallel_for(static_cast<int64_t>(order.size()), order.size() > 1, [&](int64_t b, int64_t e) {
    std::vector<float> xe;
    for (int64_t i = b; i < e; ++i) {
      const Item& it = order[static_cast<size_t>(i)];
      if (it.expert < 0) {
        mlp_forward(W.shared, x, T, D, ye.data() + it.out, o);
        continue;
      }
      const auto& rows = by_expert[static_cast<size_t>(it.expert)];
      xe.resize(rows.size() * static_cast<size_t>(D));
      for (size_t r = 0; r < rows.size(); ++r) std::memcpy(&xe[r * D], x + static_cast<size_t>(rows[r].first) * D, sizeof(float) * static_cast<size_t>(D));
      mlp_forward(W.experts[static_cast<size_t>(it.expert)], xe.data(), it.rows, D, ye.data() + it.out, o);
    }
  });

  // Weighted sum in fp32, experts in index order for every row (as the reference loop), then the
  // unweighted shared expert, rounded to bf16 once.
  std::vector<float> acc(static_cast<size_t>(T) * D, 0.0f);
  std::vector<const Item*> by_index(static_cast<size_t>(E), nullptr);
  const Item* shared = nullptr;
  for (const Item& it : items) (it.expert < 0 ? shared : by_index[static_cast<size_t>(it.expert)]) = &it;
  for (int e = 0; e < E; ++e) {
    const Item* it = by_index[static_cast<size_t>(e)];
    if (!it) continue;
    const auto& rows = by_expert[static_cast<size_t>(e)];
    for (size_t i = 0; i < rows.size(); ++i) {
      float* a = &acc[static_cast<size_t>(rows[i].first) * D];
      const float w = rows[i].second;
      const float* ys = ye.data() + it->out + i * static_cast<size_t>(D);
      for (int d = 0; d < D; ++d) a[d] += ys[d] * w;
    }
  }
  if (shared) {
    const float* ys = ye.data() + shared->out;
    for (size_t i = 0; i < acc.size(); ++i) y[i] = round_bf16(acc[i] + ys[i]);
  } else {
    for (size_t i = 0; i < acc.size(); ++i) y[i] = round_bf16(acc[i]);
  }
}

}  // namespace dse
