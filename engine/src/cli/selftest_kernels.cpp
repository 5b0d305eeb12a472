// Selftest checks of the kernels and model pieces: batch-invariant linear, router (spec §6.2), radix
// top-k, Philox, the sampler and the thread pool.
#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "cli/selftest.hpp"
#include "kernels/linear.hpp"
#include "kernels/parallel.hpp"
#include "kernels/topk.hpp"
#include "model/router.hpp"
#include "numerics/formats.hpp"
#include "serve/philox.hpp"
#include "serve/sampler.hpp"
#include "util/error.hpp"

namespace dse::selftest {

namespace {

void check_linear_invariance() {
  // A row's result must not depend on the batch: M = 1 vs M = 7, and against fp64.
  const int N = 37, K = 203, M = 7;  // K % 8 != 0: the tail path too
  std::mt19937 rng(3);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  std::vector<uint8_t> codes(static_cast<size_t>(N * K));
  for (auto& c : codes) c = fp8_e4m3_encode(nd(rng) * 50.0f);
  const WeightMatrix w = fp8_matrix(codes, N, K, {0.01f, 0.02f});
  std::vector<float> x(static_cast<size_t>(M * K));
  for (auto& v : x) v = round_bf16(nd(rng));
  LinearOptions opt;
  opt.round_bf16 = false;
  std::vector<float> yb(static_cast<size_t>(M * N)), y1(static_cast<size_t>(N));
  linear(w, x.data(), M, K, yb.data(), N, opt);
  bool same = true;
  double worst = 0;
  // M = 2 (the other small-M shape) agrees too.
  std::vector<float> y2(static_cast<size_t>(2 * N));
  linear(w, x.data() + 3 * K, 2, K, y2.data(), N, opt);
  for (int n = 0; n < 2 * N; ++n) same = same && y2[static_cast<size_t>(n)] == yb[static_cast<size_t>(3 * N + n)];
  for (int m = 0; m < M; ++m) {
    linear(w, x.data() + m * K, 1, K, y1.data(), N, opt);
    for (int n = 0; n < N; ++n) {
      same = same && y1[static_cast<size_t>(n)] == yb[static_cast<size_t>(m * N + n)];
      double ref = 0, mag = 0;
      for (int k = 0; k < K; ++k) {
        const double t = static_cast<double>(x[static_cast<size_t>(m * K + k)]) * fp8_e4m3_decode(codes[static_cast<size_t>(n * K + k)]) * w.scale[static_cast<size_t>(k / 128)];
        ref += t;
        mag += std::fabs(t);
      }
      worst = std::max(worst, std::fabs(ref - y1[static_cast<size_t>(n)]) / mag);
    }
  }
  report("linear_batch_invariant", same, "FP8 linear: each row of an M=7 call is bit-identical to an M=1 call");
  report("linear_vs_fp64", worst < 1e-6, strformat("max |err|/sum|terms| = %.3g", worst));
}

void check_router() {
  RouterSpec r;
  r.n_experts = 16;
  r.n_group = 4;
  r.topk_group = 2;
  r.topk = 4;
  r.scoring = ScoringFunc::Sigmoid;
  r.normalize = true;
  r.scale = 2.5f;
  auto logit = [](double p) { return static_cast<float>(std::log(p / (1 - p))); };
  // Group 0 has the single best expert (0.95) but a weak second (0.05): top-2 sum 1.00.
  // Group 1: 0.60 + 0.60 = 1.20; group 2: 0.55 + 0.55 = 1.10; group 3: 0.5 + 0.3 = 0.80.
  // Max-per-group would keep {0, 1}; top-2 sums keep {1, 2}.
  const double p[16] = {0.95, 0.05, 0.04, 0.03, 0.60, 0.60, 0.10, 0.10, 0.55, 0.55, 0.20, 0.10, 0.50, 0.30, 0.10, 0.10};
  float logits[16], zero_bias[16] = {0};
  for (int i = 0; i < 16; ++i) logits[i] = logit(p[i]);
  int sel[4];
  float w[4];
  route(logits, zero_bias, r, sel, w);
  std::vector<int> s(sel, sel + 4);
  std::sort(s.begin(), s.end());
  const bool groups_ok = s == std::vector<int>({4, 5, 8, 9});
  report("router_group_top2_sum", groups_ok, strformat("selected {%d,%d,%d,%d}, want {4,5,8,9} (groups 1,2 by top-2 sum)", s[0], s[1], s[2], s[3]));

  // Bias changes the selection but not the weights: expert 6 (p 0.10) biased to 0.70 lifts group 1
  // to 1.30 and gets chosen; expert 8 biased down to 0.20 drops group 2 to 0.75, so groups {1, 0}
  // (1.30, 1.00) are kept and the top 4 biased scores there are experts 0, 6, 4, 5.
  float bias[16] = {0};
  bias[6] = 0.6f;
  bias[8] = -0.35f;
  route(logits, bias, r, sel, w);
  s.assign(sel, sel + 4);
  std::sort(s.begin(), s.end());
  double sum = 0;
  bool unbiased = true;
  for (int j = 0; j < 4; ++j) {
    sum += w[j];
    // w_j ∝ unbiased sigmoid score of the chosen expert.
    unbiased = unbiased && std::fabs(w[j] / w[0] - p[sel[j]] / p[sel[0]]) < 1e-6;
  }
  const bool bias_ok = s == std::vector<int>({0, 4, 5, 6}) && unbiased;
  report("router_bias_selection_only", bias_ok, strformat("selected {%d,%d,%d,%d}, want {0,4,5,6}; weights from unbiased scores", s[0], s[1], s[2], s[3]));
  report("router_routed_scaling", std::fabs(sum - 2.5) < 1e-6, strformat("weights sum to %.7f (renormalised × 2.5)", sum));
  bool kept = true;
  for (int j = 0; j < 4; ++j) kept = kept && (sel[j] / 4 == 0 || sel[j] / 4 == 1);
  report("router_only_kept_groups", kept, "every chosen expert lies in a kept group");
}

void check_topk() {
  // Both algorithms (and the dispatcher) against a stable sort by (key desc, index asc), on random
  // scores with many ties, on runs that defeat the filter (ascending: every element a new candidate),
  // and on the special values (±0, ±inf, NaN ranks lowest).
  std::mt19937 rng(5);
  bool ok = true;
  std::string where;
  std::vector<int> out;
  auto order = [](float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    if ((u & 0x7FFFFFFFu) > 0x7F800000u) return 0u;
    return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
  };
  const float specials[] = {0.0f, -0.0f, INFINITY, -INFINITY, NAN, 1e-45f, -1e-45f};
  for (int trial = 0; trial < 400; ++trial) {
    const int n = 1 + static_cast<int>(rng() % (trial < 200 ? 3000 : 20000)), k = 1 + static_cast<int>(rng() % (trial % 3 == 0 ? 300 : 40));
    std::vector<float> s(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
      float v = static_cast<float>(static_cast<int>(rng() % 50)) * ((trial & 1) ? 0.001f : 1e5f) - 7.0f;  // many ties
      if (trial % 5 == 1) v = static_cast<float>(i);                                                         // ascending
      if (trial % 5 == 2) v = static_cast<float>(n - i);                                                     // descending
      if (trial % 5 == 3 && rng() % 7 == 0) v = specials[rng() % 7];
      s[static_cast<size_t>(i)] = v;
    }
    std::vector<int> idx(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) idx[static_cast<size_t>(i)] = i;
    std::stable_sort(idx.begin(), idx.end(), [&](int a, int b) { return order(s[static_cast<size_t>(a)]) > order(s[static_cast<size_t>(b)]); });
    idx.resize(static_cast<size_t>(std::min(n, k)));
    std::sort(idx.begin(), idx.end());
    topk_select_radix(s.data(), n, k, out);
    if (out != idx && where.empty()) where = strformat("radix n=%d k=%d", n, k);
    ok = ok && out == idx;
    topk_select_filter(s.data(), n, k, out);
    if (out != idx && where.empty()) where = strformat("filter n=%d k=%d", n, k);
    ok = ok && out == idx;
    topk_select(s.data(), n, k, out);
    ok = ok && out == idx;
  }
  report("topk_select", ok, ok ? "400 random cases (ties, ascending, descending, ±0/±inf/NaN), radix and filter, vs a stable sort (ties -> lower index)"
                               : "mismatch: " + where);
}

void check_philox() {
  // Random123 known-answer vectors for philox4x32-10.
  const Philox4x32 a = philox4x32_10(0, 0, 0);
  const Philox4x32 b = philox4x32_10(0xFFFFFFFFFFFFFFFFull, 0xFFFFFFFFFFFFFFFFull, 0xFFFFFFFFFFFFFFFFull);
  const Philox4x32 c = philox4x32_10(0x299f31d0a4093822ull, 0x85a308d3243f6a88ull, 0x0370734413198a2eull);
  const bool ok = a.v[0] == 0x6627e8d5u && a.v[1] == 0xe169c58du && a.v[2] == 0xbc57ac4cu && a.v[3] == 0x9b00dbd8u && b.v[0] == 0x408f276du &&
                  b.v[1] == 0x41c83b0eu && b.v[2] == 0xa20bc7c6u && b.v[3] == 0x6d5451fdu && c.v[0] == 0xd16cfe09u && c.v[1] == 0x94fdccebu &&
                  c.v[2] == 0x5001e420u && c.v[3] == 0x24126ea1u;
  report("philox4x32_10_known_answers", ok, strformat("zero key/counter -> %08x %08x %08x %08x", a.v[0], a.v[1], a.v[2], a.v[3]));
}

void check_sampler() {
  // Greedy picks the argmax (lowest id on ties); sampling is a pure function of (logits, seed, step);
  // top_k = 1 and a tiny top_p are greedy.
  std::vector<float> l = {0.1f, 2.0f, 2.0f, -1.0f, 1.5f};
  SamplingParams g;
  g.temperature = 0;
  bool ok = sample_token(l.data(), 5, g, 1, 0, 0).token == 1;
  SamplingParams t;
  t.temperature = 1.0;
  ok = ok && sample_token(l.data(), 5, t, 42, 3, 0).token == sample_token(l.data(), 5, t, 42, 3, 0).token;
  SamplingParams k1 = t;
  k1.top_k = 1;
  SamplingParams p0 = t;
  p0.top_p = 1e-9;
  for (uint64_t s = 0; s < 50; ++s) ok = ok && sample_token(l.data(), 5, k1, s, 0, 0).token == 1 && sample_token(l.data(), 5, p0, s, 0, 0).token == 1;
  // Frequencies follow softmax(l/T) (chi-square-ish tolerance over 20000 draws).
  int counts[5] = {0};
  for (uint64_t s = 0; s < 20000; ++s) ++counts[sample_token(l.data(), 5, t, s, 0, 0).token];
  double z = 0;
  for (float v : l) z += std::exp(v);
  double worst = 0;
  for (int i = 0; i < 5; ++i) worst = std::max(worst, std::fabs(counts[i] / 20000.0 - std::exp(l[static_cast<size_t>(i)]) / z));
  ok = ok && worst < 0.015;
  // top_p keeps the smallest most-likely set reaching the mass: {1,2} hold 0.66 of the mass here.
  SamplingParams p = t;
  p.top_p = 0.6;
  for (uint64_t s = 0; s < 200; ++s) {
    const int tok = sample_token(l.data(), 5, p, s, 0, 0).token;
    ok = ok && (tok == 1 || tok == 2);
  }
  report("sampler", ok, strformat("greedy, seeded determinism, top_k/top_p, frequency max dev %.4f", worst));
}

void check_thread_pool() {
  // Many short fork-join regions on 3 threads (more than this machine's cores, so threads sleep and
  // wake), each covering every index exactly once; then a linear whose result must not depend on threads.
  const int before = kernel_threads();
  set_kernel_threads(3);
  bool ok = true;
  std::vector<int> hits(1000);
  for (int round = 0; round < 4000 && ok; ++round) {
    const int64_t n = 1 + round % 1000;
    std::fill(hits.begin(), hits.begin() + n, 0);
    parallel_for(n, true, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) ++hits[static_cast<size_t>(i)];
      // A nested region runs inline.
      parallel_for(2, true, [&](int64_t, int64_t) {});
    });
    for (int64_t i = 0; i < n; ++i) ok = ok && hits[static_cast<size_t>(i)] == 1;
  }
  // Pools created and torn down around a first job: a worker that starts late must still run it.
  for (int round = 0; round < 200 && ok; ++round) {
    set_kernel_threads(1 + round % 3 + 1);
    std::fill(hits.begin(), hits.begin() + 7, 0);
    parallel_for(7, true, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) ++hits[static_cast<size_t>(i)];
    });
    for (int64_t i = 0; i < 7; ++i) ok = ok && hits[static_cast<size_t>(i)] == 1;
    set_kernel_threads(1);
  }
  set_kernel_threads(before);
  report("thread_pool_fork_join", ok, "4000 regions on 3 threads, every index exactly once, nested regions inline; 200 pool restarts");
}

}  // namespace

void check_kernels() {
  check_linear_invariance();
  check_router();
  check_topk();
  check_philox();
  check_sampler();
  check_thread_pool();
}

}  // namespace dse::selftest
