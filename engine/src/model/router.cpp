#include "model/router.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace dse {

RouterSpec RouterSpec::from(const ModelConfig& c) {
  RouterSpec r;
  r.n_experts = c.n_routed_experts;
  r.n_group = c.n_group;
  r.topk_group = c.topk_group;
  r.topk = c.num_experts_per_tok;
  r.scoring = c.scoring_func;
  r.normalize = c.norm_topk_prob;
  r.scale = static_cast<float>(c.routed_scaling_factor);
  return r;
}

void route(const float* logits, const float* bias, const RouterSpec& r, int* sel, float* weights) {
  const int E = r.n_experts;
  std::vector<float> p(static_cast<size_t>(E)), b(static_cast<size_t>(E));
  if (r.scoring == ScoringFunc::Sigmoid) {
    for (int e = 0; e < E; ++e) p[static_cast<size_t>(e)] = 1.0f / (1.0f + std::exp(-logits[e]));
  } else {
    float m = *std::max_element(logits, logits + E);
    float z = 0;
    for (int e = 0; e < E; ++e) z += (p[static_cast<size_t>(e)] = std::exp(logits[e] - m));
    for (float& v : p) v /= z;
  }
  for (int e = 0; e < E; ++e) b[static_cast<size_t>(e)] = bias ? p[static_cast<size_t>(e)] + bias[e] : p[static_cast<size_t>(e)];

  // Descending by value, ties → lower index.
  auto by_value = [](const std::vector<float>& v) { return [&v](int i, int j) { return v[static_cast<size_t>(i)] != v[static_cast<size_t>(j)] ? v[static_cast<size_t>(i)] > v[static_cast<size_t>(j)] : i < j; }; };

  if (r.n_group > 1) {
    const int per = E / r.n_group;
    std::vector<float> gscore(static_cast<size_t>(r.n_group));
    std::vector<int> idx(static_cast<size_t>(per));
    for (int g = 0; g < r.n_group; ++g) {
      const float* bg = b.data() + g * per;
      if (bias) {
        // Sum of the two largest biased scores of the group.
        float top1 = -std::numeric_limits<float>::infinity(), top2 = top1;
        for (int i = 0; i < per; ++i) {
          if (bg[i] > top1) {
            top2 = top1;
            top1 = bg[i];
          } else if (bg[i] > top2) {
            top2 = bg[i];
          }
        }
        gscore[static_cast<size_t>(g)] = top1 + top2;
      } else {
        gscore[static_cast<size_t>(g)] = *std::max_element(bg, bg + per);
      }
    }
    std::vector<int> gorder(static_cast<size_t>(r.n_group));
    std::iota(gorder.begin(), gorder.end(), 0);
    std::partial_sort(gorder.begin(), gorder.begin() + r.topk_group, gorder.end(), by_value(gscore));
    std::vector<char> keep(static_cast<size_t>(r.n_group), 0);
    for (int i = 0; i < r.topk_group; ++i) keep[static_cast<size_t>(gorder[static_cast<size_t>(i)])] = 1;
    for (int e = 0; e < E; ++e)
      if (!keep[static_cast<size_t>(e / per)]) b[static_cast<size_t>(e)] = -std::numeric_limits<float>::infinity();
  }
  std::vector<int> order(static_cast<size_t>(E));
  std::iota(order.begin(), order.end(), 0);
  std::partial_sort(order.begin(), order.begin() + r.topk, order.end(), by_value(b));
  float sum = 0;
  for (int j = 0; j < r.topk; ++j) {
    sel[j] = order[static_cast<size_t>(j)];
    weights[j] = p[static_cast<size_t>(sel[j])];
    sum += weights[j];
  }
  for (int j = 0; j < r.topk; ++j) {
    if (r.normalize) weights[j] /= sum;
    weights[j] *= r.scale;
  }
}

}  // namespace dse
