#include "model/indexer.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/hadamard.hpp"
#include "kernels/index_score.hpp"
#include "kernels/parallel.hpp"
#include "kernels/simd.hpp"
#include "kernels/topk.hpp"
#include "model/norm.hpp"
#include "model/rope.hpp"
#include "numerics/act_quant.hpp"
#include "numerics/formats.hpp"

namespace dse {

namespace {
LinearOptions lin_opts(const RunOptions& o, bool bf16_out) {
  LinearOptions l;
  l.round_bf16 = bf16_out;
  l.act_quant = o.reference_fp8;
  l.ue8m0 = o.ue8m0;
  return l;
}

// RoPE (half-split) on the first rd dims, then the Hadamard rotation; bf16 after each step.
void rotate_head(float* v, int dim, int rd, const float* cos, const float* sin) {
  rope_half_split(v, cos, sin, rd / 2);
  round_bf16_inplace(v, static_cast<size_t>(rd));
  hadamard_inplace(v, dim);
  round_bf16_inplace(v, static_cast<size_t>(dim));
}
}  // namespace

void indexer_write_keys(const IndexerWeights& W, int layer, const ModelConfig& c, KvCache& cache, const BatchRows& br,
                        const std::vector<Segment>& segs, const RunOptions& o, const float* x) {
  const int T = br.T, Di = c.index_head_dim, rd = c.qk_rope_head_dim, half = rd / 2;
  std::vector<float> k(static_cast<size_t>(T) * Di);
  linear(W.wk, x, T, c.hidden_size, k.data(), Di, lin_opts(o, true));
  for (int r = 0; r < T; ++r) {
    float* kr = k.data() + static_cast<size_t>(r) * Di;
    layer_norm(kr, W.k_norm_w.data(), W.k_norm_b.data(), Di, 1e-6f, kr);
    rotate_head(kr, Di, rd, br.cos.data() + static_cast<size_t>(r) * half, br.sin.data() + static_cast<size_t>(r) * half);
    const Segment& s = segs[static_cast<size_t>(br.seg[static_cast<size_t>(r)])];
    const int pos = br.pos[static_cast<size_t>(r)];
    act_quant(kr, static_cast<size_t>(Di), o.ue8m0, cache.idx_key(*s.cache, layer, pos), cache.idx_scale(*s.cache, layer, pos));
  }
}

void indexer_select(const IndexerWeights& W, int layer, const ModelConfig& c, KvCache& cache, const BatchRows& br,
                    const std::vector<Segment>& segs, const RunOptions& o, const float* x, const float* qr,
                    std::vector<std::vector<int>>& sel) {
  const int Hi = c.index_n_heads, Di = c.index_head_dim, rd = c.qk_rope_head_dim, half = rd / 2;
  const int D = c.hidden_size, Q = c.q_lora_rank;
  // Only queries that can see more than index_topk keys need scores (spec §5.3 shortcut).
  std::vector<int> rows;
  for (int r = 0; r < br.T; ++r)
    if (br.pos[static_cast<size_t>(r)] + 1 > c.index_topk) rows.push_back(r);
  if (rows.empty()) return;
  const int R = static_cast<int>(rows.size());
  std::vector<float> xr(static_cast<size_t>(R) * D), qrr(static_cast<size_t>(R) * Q);
  for (int i = 0; i < R; ++i) {
    std::memcpy(&xr[static_cast<size_t>(i) * D], x + static_cast<size_t>(rows[static_cast<size_t>(i)]) * D, sizeof(float) * static_cast<size_t>(D));
    std::memcpy(&qrr[static_cast<size_t>(i) * Q], qr + static_cast<size_t>(rows[static_cast<size_t>(i)]) * Q, sizeof(float) * static_cast<size_t>(Q));
  }
  std::vector<float> q(static_cast<size_t>(R) * Hi * Di), gate(static_cast<size_t>(R) * Hi);
  linear(W.wq_b, qrr.data(), R, Q, q.data(), static_cast<int64_t>(Hi) * Di, lin_opts(o, true));
  LinearOptions fp32_out;  // weights_proj: fp32(x) · fp32(W)ᵀ, not rounded, never act_quant
  fp32_out.round_bf16 = false;
  linear(W.weights_proj, xr.data(), R, D, gate.data(), Hi, fp32_out);

  const float inv_sqrt_heads = static_cast<float>(1.0 / std::sqrt(static_cast<double>(Hi)));
  const float inv_sqrt_dim = static_cast<float>(1.0 / std::sqrt(static_cast<double>(Di)));
  const int hp = (Hi + 7) / 8 * 8;  // heads padded to whole vectors (padded heads weigh 0)
  std::vector<uint8_t> codes(static_cast<size_t>(Di));
  std::vector<float> qT(static_cast<size_t>(Di) * hp), hw(static_cast<size_t>(hp));
  for (int i = 0; i < R; ++i) {
    const int r = rows[static_cast<size_t>(i)];
    const int t = br.pos[static_cast<size_t>(r)];
    const Segment& seg = segs[static_cast<size_t>(br.seg[static_cast<size_t>(r)])];
    // Quantised, rotated query heads (decoded FP8 values, transposed) and their weights w·σq/√d.
    std::fill(qT.begin(), qT.end(), 0.0f);
    std::fill(hw.begin(), hw.end(), 0.0f);
    for (int h = 0; h < Hi; ++h) {
      float* qh = q.data() + (static_cast<size_t>(i) * Hi + h) * Di;
      rotate_head(qh, Di, rd, br.cos.data() + static_cast<size_t>(r) * half, br.sin.data() + static_cast<size_t>(r) * half);
      float sq;
      act_quant(qh, static_cast<size_t>(Di), o.ue8m0, codes.data(), &sq);
      for (int d = 0; d < Di; ++d) qT[static_cast<size_t>(d) * hp + h] = fp8_e4m3_decode(codes[static_cast<size_t>(d)]);
      hw[static_cast<size_t>(h)] = gate[static_cast<size_t>(i) * Hi + h] * inv_sqrt_heads * sq * inv_sqrt_dim;
    }
    const int L = t + 1;
    std::vector<float> score(static_cast<size_t>(L));
    auto key = [&](int64_t s) {
      const int p = static_cast<int>(s);
      return IndexKeyRef{cache.idx_key(*seg.cache, layer, p), *cache.idx_scale(*seg.cache, layer, p)};
    };
    // Split the keys over threads in blocks of 4 (each score is independent of the split).
    parallel_for((L + 3) / 4, L >= 256, [&](int64_t bb, int64_t be) {
      index_scores(qT.data(), hw.data(), hp, Di, key, bb * 4, std::min<int64_t>(L, be * 4), score.data() + bb * 4);
    });
    topk_select(score.data(), L, c.index_topk, sel[static_cast<size_t>(r)]);
  }
}

}  // namespace dse
