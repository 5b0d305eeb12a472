#include "serve/sampler.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "serve/philox.hpp"

namespace dse {

namespace {

// Indices of the k largest logits, most likely first (ties → lower id).
std::vector<int> top_indices(const float* logits, int vocab, int k) {
  std::vector<int> idx(static_cast<size_t>(vocab));
  std::iota(idx.begin(), idx.end(), 0);
  auto better = [&](int a, int b) { return logits[a] != logits[b] ? logits[a] > logits[b] : a < b; };
  k = std::min(k, vocab);
  std::partial_sort(idx.begin(), idx.begin() + k, idx.end(), better);
  idx.resize(static_cast<size_t>(k));
  return idx;
}

}  // namespace

SampleResult sample_token(const float* logits, int vocab, const SamplingParams& p, uint64_t seed, uint64_t step, int top_logprobs) {
  SampleResult out;
  float mx = logits[0];
  int argmax = 0;
  for (int i = 1; i < vocab; ++i)
    if (logits[i] > mx) {
      mx = logits[i];
      argmax = i;
    }
  double z = 0;
  for (int i = 0; i < vocab; ++i) z += std::exp(static_cast<double>(logits[i]) - mx);
  const double log_z = std::log(z) + mx;

  if (p.temperature <= 0.0) {
    out.token = argmax;
  } else {
    // Candidates: all ids in id order, or the top_k most likely (most likely first).
    std::vector<int> cand;
    bool sorted = false;
    if (p.top_k > 0 && p.top_k < vocab) {
      cand = top_indices(logits, vocab, p.top_k);
      sorted = true;
    }
    const int n = cand.empty() ? vocab : static_cast<int>(cand.size());
    auto id_of = [&](int j) { return cand.empty() ? j : cand[static_cast<size_t>(j)]; };
    std::vector<double> w(static_cast<size_t>(n));
    double sum = 0;
    for (int j = 0; j < n; ++j) sum += (w[static_cast<size_t>(j)] = std::exp((static_cast<double>(logits[id_of(j)]) - mx) / p.temperature));
    if (p.top_p < 1.0) {
      // Nucleus: the most likely ids until their mass reaches top_p. Grow a sorted prefix
      // geometrically rather than sorting the whole vocabulary.
      std::vector<int> order(static_cast<size_t>(n));
      std::iota(order.begin(), order.end(), 0);
      auto better = [&](int a, int b) { return w[static_cast<size_t>(a)] != w[static_cast<size_t>(b)] ? w[static_cast<size_t>(a)] > w[static_cast<size_t>(b)] : id_of(a) < id_of(b); };
      const double target = p.top_p * sum;
      int keep = n;
      for (int m = std::min(n, 64);; m = std::min(n, m * 4)) {
        std::partial_sort(order.begin(), order.begin() + m, order.end(), better);
        double acc = 0;
        int j = 0;
        for (; j < m && acc < target; ++j) acc += w[static_cast<size_t>(order[static_cast<size_t>(j)])];
        if (acc >= target || m == n) {
          keep = std::max(1, j);
          break;
        }
      }
      std::vector<int> ids(static_cast<size_t>(keep));
      std::vector<double> kw(static_cast<size_t>(keep));
      sum = 0;
      for (int j = 0; j < keep; ++j) {
        ids[static_cast<size_t>(j)] = id_of(order[static_cast<size_t>(j)]);
        sum += (kw[static_cast<size_t>(j)] = w[static_cast<size_t>(order[static_cast<size_t>(j)])]);
      }
      cand = std::move(ids);
      w = std::move(kw);
      sorted = true;
    }
    (void)sorted;
    const int m = cand.empty() ? vocab : static_cast<int>(cand.size());
    const double u = philox_uniform(seed, step) * sum;
    double acc = 0;
    int pick = m - 1;
    for (int j = 0; j < m; ++j) {
      acc += w[static_cast<size_t>(j)];
      if (u < acc) {
        pick = j;
        break;
      }
    }
    out.token = cand.empty() ? pick : cand[static_cast<size_t>(pick)];
  }
  out.logprob = static_cast<double>(logits[out.token]) - log_z;
  if (top_logprobs > 0)
    for (int id : top_indices(logits, vocab, top_logprobs)) out.top.emplace_back(id, static_cast<double>(logits[id]) - log_z);
  return out;
}

}  // namespace dse
