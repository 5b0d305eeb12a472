#include "model/mla.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/parallel.hpp"
#include "kernels/simd.hpp"
#include "model/attention.hpp"
#include "model/indexer.hpp"
#include "model/norm.hpp"
#include "model/rope.hpp"
#include "numerics/act_quant.hpp"
#include "numerics/formats.hpp"
#include "util/profile.hpp"

namespace dse {

namespace {

LinearOptions lin_opts(const RunOptions& o) {
  LinearOptions l;
  l.act_quant = o.reference_fp8;
  l.ue8m0 = o.ue8m0;
  return l;
}

// Number of keys query position t attends to.
int64_t keys_of(const ModelConfig& c, const RunOptions& o, int t) {
  return (c.has_indexer() && o.dsa) ? std::min<int64_t>(c.index_topk, t + 1) : t + 1;
}

}  // namespace

MlaMode mla_auto_mode(const ModelConfig& c, const RunOptions& o, int start, int n) {
  if (n <= 1) return MlaMode::Absorbed;
  const double H = c.num_attention_heads, dn = c.qk_nope_head_dim, dv = c.v_head_dim, dr = c.qk_rope_head_dim, C = c.kv_lora_rank;
  double pairs = 0;
  for (int j = 0; j < n; ++j) pairs += static_cast<double>(keys_of(c, o, start + j));
  const double L = start + n;
  const double naive = L * H * (dn + dv) * C + pairs * H * (dn + dr + dv);
  const double absorbed = n * H * (dn + dv) * C + pairs * H * (2 * C + dr);
  return naive < absorbed ? MlaMode::Naive : MlaMode::Absorbed;
}

void mla_attention(const LayerWeights& W, int layer, const ModelConfig& c, KvCache& cache, const BatchRows& br,
                   const std::vector<Segment>& segs, const RunOptions& o, const float* x, float* out,
                   std::vector<std::vector<int>>& sel) {
  const int T = br.T, D = c.hidden_size, Q = c.q_lora_rank, C = c.kv_lora_rank;
  const AttnShapes sh{c.num_attention_heads, c.qk_nope_head_dim, c.qk_rope_head_dim, c.v_head_dim, C, c.qk_head_dim(),
                  static_cast<float>(c.softmax_scale())};
  const int H = sh.H, dr = sh.dr, half = dr / 2, qk = sh.qk;
  const float eps = static_cast<float>(c.rms_norm_eps);
  const LinearOptions lin = lin_opts(o);

  // §4.2 step 1: c_q = RMSNorm(wq_a · x) — also the indexer's qr.
  std::vector<float> cq(static_cast<size_t>(T) * Q);
  std::vector<float> q(static_cast<size_t>(T) * H * qk);
  {
  const ProfScope prof(Prof::MlaProj);
  linear(W.wq_a, x, T, D, cq.data(), Q, lin);
  for (int r = 0; r < T; ++r) rms_norm(&cq[static_cast<size_t>(r) * Q], W.q_norm.data(), Q, eps, &cq[static_cast<size_t>(r) * Q]);
  // Step 2: q = wq_b · c_q, interleaved RoPE on each head's last dr dims.
  linear(W.wq_b, cq.data(), T, Q, q.data(), static_cast<int64_t>(H) * qk, lin);
  for (int r = 0; r < T; ++r)
    for (int h = 0; h < H; ++h) {
      float* qpe = &q[(static_cast<size_t>(r) * H + h) * qk + sh.dn];
      rope_interleaved(qpe, &br.cos[static_cast<size_t>(r) * half], &br.sin[static_cast<size_t>(r) * half], half);
      round_bf16_inplace(qpe, static_cast<size_t>(dr));
    }
  // Steps 3–5: latent (RMSNorm, FP8 simulation) and rotated k_pe, written to the cache.
  std::vector<float> kv(static_cast<size_t>(T) * (C + dr));
  linear(W.wkv_a, x, T, D, kv.data(), C + dr, lin);
  for (int r = 0; r < T; ++r) {
    float* row = &kv[static_cast<size_t>(r) * (C + dr)];
    rms_norm(row, W.kv_norm.data(), C, eps, row);
    if (c.fp8_latent()) act_quant_roundtrip(row, static_cast<size_t>(C), o.ue8m0, /*to_bf16=*/true);
    rope_interleaved(row + C, &br.cos[static_cast<size_t>(r) * half], &br.sin[static_cast<size_t>(r) * half], half);
    round_bf16_inplace(row + C, static_cast<size_t>(dr));
    const Segment& s = segs[static_cast<size_t>(br.seg[static_cast<size_t>(r)])];
    const int pos = br.pos[static_cast<size_t>(r)];
    uint16_t* lat = cache.latent(*s.cache, layer, pos);
    uint16_t* pe = cache.kpe(*s.cache, layer, pos);
    for (int i = 0; i < C; ++i) lat[i] = f32_to_bf16_bits(row[i]);
    for (int i = 0; i < dr; ++i) pe[i] = f32_to_bf16_bits(row[C + i]);
  }
  }
  // §5: indexer keys for every row (the whole chunk first, §5.3), then the selections.
  for (auto& s : sel) s.clear();
  if (W.has_indexer && o.dsa) {
    indexer_write_keys(W.indexer, layer, c, cache, br, segs, o, x);
    indexer_select(W.indexer, layer, c, cache, br, segs, o, x, cq.data(), sel);
  }
  // §4.3: attention per segment, output heads [T × H × dv] in bf16, then wo.
  std::vector<float> heads(static_cast<size_t>(T) * H * sh.dv);
  {
  const ProfScope prof(Prof::Attention);
  std::vector<int> absorbed_rows;  // rows of every absorbed segment, attended together
  for (const Segment& s : segs) {
    MlaMode mode = s.mla == MlaMode::Auto ? mla_auto_mode(c, o, s.start, s.n) : s.mla;
    if (mode == MlaMode::Naive) attend_naive(W, layer, sh, cache, br, s, o, q.data(), sel, heads.data());
    else
      for (int j = 0; j < s.n; ++j) absorbed_rows.push_back(s.row0 + j);
  }
  attend_absorbed(W, layer, sh, cache, br, segs, absorbed_rows, q.data(), sel, heads.data());
  }
  const ProfScope prof(Prof::MlaProj);
  linear(W.wo, heads.data(), T, static_cast<int64_t>(H) * sh.dv, out, D, lin);
}

}  // namespace dse
