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
#include "util/profile.hpp"

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
  const ProfScope prof(Prof::IndexerProj);
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

namespace {

constexpr int kKeyTile = 144;  // keys decoded and scored together (72 KB of fp32 at dim 128; 12 passes of 12 keys)
constexpr int64_t kScoreFloats = 1 << 22;  // score matrix per query block: 16 MB

// Item i of n in an order that alternates ends (0, n−1, 1, n−2, …): contiguous halves of the items
// then hold similar work when the cost falls along them (the causal triangle of a prefill chunk).
inline int64_t zigzag(int64_t i, int64_t n) { return (i & 1) ? n - 1 - i / 2 : i / 2; }

// Per scored row: its quantised, rotated heads (decoded FP8 values, transposed [d][head]) and the head
// weights w·σq/√(H·d).
struct IndexerQueries {
  int hp = 0, dim = 0;
  std::vector<float> qT, hw;
  const float* q(int i) const { return qT.data() + static_cast<size_t>(i) * dim * hp; }
  const float* w(int i) const { return hw.data() + static_cast<size_t>(i) * hp; }
};

// Scores of the rows [i0, i1) of one sequence (positions pos[i], ascending) against keys 0..pos[i],
// into S (row i at S + (i − i0)·ld); parallel over key tiles. With many rows (prefill) and AVX-512 the
// tile is decoded transposed for the keys-in-lanes kernel; the scores are the same either way.
void score_rows(KvCache& cache, const SeqCache& seq, int layer, const IndexerQueries& Q, const std::vector<int>& pos, int i0, int i1, float* S,
                int64_t ld) {
  const int dim = Q.dim;
  const int64_t L = pos[static_cast<size_t>(i1 - 1)] + 1;
  const int64_t tiles = (L + kKeyTile - 1) / kKeyTile;
  const bool transposed = index_score_transposed_available() && i1 - i0 >= 64;
  parallel_for(tiles, tiles > 1, [&](int64_t b, int64_t e) {
    static thread_local std::vector<float> keys, scale, row;
    keys.resize(static_cast<size_t>(kKeyTile) * dim);
    scale.resize(kKeyTile);
    row.resize(static_cast<size_t>(dim));
    for (int64_t it = b; it < e; ++it) {
      const int64_t s0 = zigzag(it, tiles) * kKeyTile, s1 = std::min(L, s0 + kKeyTile);
      if (transposed) std::fill(keys.begin(), keys.end(), 0.0f);
      std::fill(scale.begin(), scale.end(), 0.0f);
      for (int64_t s = s0; s < s1; ++s) {
        const uint8_t* codes = cache.idx_key(seq, layer, static_cast<int>(s));
        scale[static_cast<size_t>(s - s0)] = *cache.idx_scale(seq, layer, static_cast<int>(s));
        if (!transposed) {
          fp8_decode_row(codes, dim, keys.data() + (s - s0) * dim);
          continue;
        }
        fp8_decode_row(codes, dim, row.data());
        for (int d = 0; d < dim; ++d) keys[static_cast<size_t>(d) * kKeyTile + static_cast<size_t>(s - s0)] = row[static_cast<size_t>(d)];
      }
      for (int i = i0; i < i1; ++i) {
        const int64_t end = std::min<int64_t>(s1, pos[static_cast<size_t>(i)] + 1);
        if (end <= s0) continue;
        float* out = S + (i - i0) * ld + s0;
        if (transposed) index_score_keys_t(Q.q(i), Q.w(i), Q.hp, dim, keys.data(), kKeyTile, scale.data(), static_cast<int>(end - s0), out);
        else index_score_keys(Q.q(i), Q.w(i), Q.hp, dim, keys.data(), scale.data(), static_cast<int>(end - s0), out);
      }
    }
  });
}

}  // namespace

void indexer_select(const IndexerWeights& W, int layer, const ModelConfig& c, KvCache& cache, const BatchRows& br,
                    const std::vector<Segment>& segs, const RunOptions& o, const float* x, const float* qr,
                    std::vector<std::vector<int>>& sel) {
  const int Hi = c.index_n_heads, Di = c.index_head_dim, rd = c.qk_rope_head_dim, half = rd / 2;
  const int D = c.hidden_size, Qr = c.q_lora_rank;
  // Only queries that can see more than index_topk keys need scores (spec §5.3 shortcut). Rows of a
  // segment are consecutive, so each segment's scored rows are consecutive in `rows` too.
  std::vector<int> rows, pos;
  for (int r = 0; r < br.T; ++r)
    if (br.pos[static_cast<size_t>(r)] + 1 > c.index_topk) {
      rows.push_back(r);
      pos.push_back(br.pos[static_cast<size_t>(r)]);
    }
  if (rows.empty()) return;
  const int R = static_cast<int>(rows.size());
  IndexerQueries Q;
  Q.hp = (Hi + 7) / 8 * 8;  // heads padded to whole vectors (padded heads weigh 0)
  Q.dim = Di;
  {
    const ProfScope prof(Prof::IndexerProj);
    std::vector<float> xr(static_cast<size_t>(R) * D), qrr(static_cast<size_t>(R) * Qr);
    for (int i = 0; i < R; ++i) {
      std::memcpy(&xr[static_cast<size_t>(i) * D], x + static_cast<size_t>(rows[static_cast<size_t>(i)]) * D, sizeof(float) * static_cast<size_t>(D));
      std::memcpy(&qrr[static_cast<size_t>(i) * Qr], qr + static_cast<size_t>(rows[static_cast<size_t>(i)]) * Qr, sizeof(float) * static_cast<size_t>(Qr));
    }
    std::vector<float> q(static_cast<size_t>(R) * Hi * Di), gate(static_cast<size_t>(R) * Hi);
    linear(W.wq_b, qrr.data(), R, Qr, q.data(), static_cast<int64_t>(Hi) * Di, lin_opts(o, true));
    LinearOptions fp32_out;  // weights_proj: fp32(x) · fp32(W)ᵀ, not rounded, never act_quant
    fp32_out.round_bf16 = false;
    linear(W.weights_proj, xr.data(), R, D, gate.data(), Hi, fp32_out);
    const float inv_sqrt_heads = static_cast<float>(1.0 / std::sqrt(static_cast<double>(Hi)));
    const float inv_sqrt_dim = static_cast<float>(1.0 / std::sqrt(static_cast<double>(Di)));
    Q.qT.assign(static_cast<size_t>(R) * Di * Q.hp, 0.0f);
    Q.hw.assign(static_cast<size_t>(R) * Q.hp, 0.0f);
    parallel_for(R, R > 1, [&](int64_t b, int64_t e) {
      std::vector<uint8_t> codes(static_cast<size_t>(Di));
      for (int64_t i = b; i < e; ++i) {
        const int r = rows[static_cast<size_t>(i)];
        float* qT = Q.qT.data() + static_cast<size_t>(i) * Di * Q.hp;
        for (int h = 0; h < Hi; ++h) {
          float* qh = q.data() + (static_cast<size_t>(i) * Hi + h) * Di;
          rotate_head(qh, Di, rd, br.cos.data() + static_cast<size_t>(r) * half, br.sin.data() + static_cast<size_t>(r) * half);
          float sq;
          act_quant(qh, static_cast<size_t>(Di), o.ue8m0, codes.data(), &sq);
          for (int d = 0; d < Di; ++d) qT[static_cast<size_t>(d) * Q.hp + h] = fp8_e4m3_decode(codes[static_cast<size_t>(d)]);
          Q.hw[static_cast<size_t>(i) * Q.hp + h] = gate[static_cast<size_t>(i) * Hi + h] * inv_sqrt_heads * sq * inv_sqrt_dim;
        }
      }
    });
  }
  // Per sequence, in blocks of rows whose score matrix fits kScoreFloats: scores, then top-k per row.
  static std::vector<float> scores;  // grows to the largest block seen; only the calling thread resizes it
  for (int i0 = 0; i0 < R;) {
    const Segment& seg = segs[static_cast<size_t>(br.seg[static_cast<size_t>(rows[static_cast<size_t>(i0)])])];
    int iend = i0;
    while (iend < R && br.seg[static_cast<size_t>(rows[static_cast<size_t>(iend)])] == br.seg[static_cast<size_t>(rows[static_cast<size_t>(i0)])]) ++iend;
    const int64_t ld = pos[static_cast<size_t>(iend - 1)] + 1;
    const int block = static_cast<int>(std::clamp<int64_t>(kScoreFloats / ld, 1, iend - i0));
    if (scores.size() < static_cast<size_t>(block * ld)) scores.resize(static_cast<size_t>(block * ld));
    float* S = scores.data();
    for (int b0 = i0; b0 < iend; b0 += block) {
      const int b1 = std::min(iend, b0 + block);
      {
        const ProfScope prof(Prof::IndexerScore);
        score_rows(cache, *seg.cache, layer, Q, pos, b0, b1, S, ld);
      }
      const ProfScope prof(Prof::TopK);
      parallel_for(b1 - b0, b1 - b0 > 1, [&](int64_t b, int64_t e) {
        for (int64_t i = b0 + b; i < b0 + e; ++i)
          topk_select(S + (i - b0) * ld, pos[static_cast<size_t>(i)] + 1, c.index_topk, sel[static_cast<size_t>(rows[static_cast<size_t>(i)])]);
      });
    }
    i0 = iend;
  }
}

}  // namespace dse
