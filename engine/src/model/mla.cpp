#include "model/mla.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/parallel.hpp"
#include "kernels/simd.hpp"
#include "model/indexer.hpp"
#include "model/norm.hpp"
#include "model/rope.hpp"
#include "numerics/act_quant.hpp"
#include "numerics/formats.hpp"

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

// In-place softmax over n scores; returns 1/Σ so the caller can normalise a weighted sum once.
float softmax_unnormalised(float* s, int64_t n) {
  float m = s[0];
  for (int64_t j = 1; j < n; ++j) m = std::max(m, s[j]);
  float z = 0;
  for (int64_t j = 0; j < n; ++j) {
    s[j] = std::exp(s[j] - m);
    z += s[j];
  }
  return 1.0f / z;
}

struct Shapes {
  int H, dn, dr, dv, C, qk;
  float scale;
};

// Key positions query row r attends to.
void keys_for_row(const std::vector<int>& sel_r, int t, std::vector<int>& keys) {
  if (!sel_r.empty()) {
    keys = sel_r;
  } else {
    keys.resize(static_cast<size_t>(t + 1));
    for (int s = 0; s <= t; ++s) keys[static_cast<size_t>(s)] = s;
  }
}

// Absorbed (MQA) attention for the rows of one segment.
void attend_absorbed(const LayerWeights& W, int layer, const Shapes& sh, KvCache& cache, const BatchRows& br, const Segment& seg,
                     const float* q, const std::vector<std::vector<int>>& sel, float* o) {
  const int n = seg.n, H = sh.H, C = sh.C, dn = sh.dn, dv = sh.dv, dr = sh.dr, qk = sh.qk;
  const int64_t hq = static_cast<int64_t>(H) * qk;
  // q_abs[r][h] = W_UK[h]ᵀ · q_nope[r][h]  (fp32, not rounded)
  std::vector<float> qabs(static_cast<size_t>(n) * H * C), olat(static_cast<size_t>(n) * H * C);
  const float* q0 = q + static_cast<int64_t>(seg.row0) * hq;
  parallel_for(H, n * H * C >= 4096, [&](int64_t hb, int64_t he) {
    for (int64_t h = hb; h < he; ++h)
      linear_transposed(W.wkv_b, h * (dn + dv), dn, q0 + h * qk, n, hq, qabs.data() + h * C, static_cast<int64_t>(H) * C);
  });
  parallel_for(static_cast<int64_t>(n) * H, true, [&](int64_t ib, int64_t ie) {
  for (int i = static_cast<int>(ib); i < ie; ++i) {
    const int j = i / H, h = i % H, r = seg.row0 + j;
    const int t = br.pos[static_cast<size_t>(r)];
    std::vector<int> keys;
    keys_for_row(sel[static_cast<size_t>(r)], t, keys);
    const int64_t L = static_cast<int64_t>(keys.size());
    const float* qa = qabs.data() + (static_cast<int64_t>(j) * H + h) * C;
    const float* qpe = q + static_cast<int64_t>(r) * hq + static_cast<int64_t>(h) * qk + dn;
    std::vector<float> sc(static_cast<size_t>(L));
    for (int64_t k = 0; k < L; ++k) {
      const int s = keys[static_cast<size_t>(k)];
      const float d1 = dot_f32_bf16(qa, cache.latent(*seg.cache, layer, s), C);
      const float d2 = dot_f32_bf16(qpe, cache.kpe(*seg.cache, layer, s), dr);
      sc[static_cast<size_t>(k)] = (d1 + d2) * sh.scale;
    }
    const float inv = softmax_unnormalised(sc.data(), L);
    float* ol = olat.data() + (static_cast<int64_t>(j) * H + h) * C;
    std::fill(ol, ol + C, 0.0f);
    for (int64_t k = 0; k < L; ++k) axpy_bf16(sc[static_cast<size_t>(k)], cache.latent(*seg.cache, layer, keys[static_cast<size_t>(k)]), ol, C);
    for (int c = 0; c < C; ++c) ol[c] *= inv;
  }
  });
  // o[r][h] = W_UV[h] · o_lat[r][h], bf16. The reference applies the dequantised kv_b here without
  // activation quantisation, so neither do we (even in reference_fp8 mode).
  LinearOptions plain;
  for (int h = 0; h < H; ++h)
    linear(W.wkv_b, olat.data() + static_cast<int64_t>(h) * C, n, static_cast<int64_t>(H) * C, o + static_cast<int64_t>(seg.row0) * H * dv + h * dv,
           static_cast<int64_t>(H) * dv, plain, static_cast<int64_t>(h) * (dn + dv) + dn, dv);
}

// Naive (MHA) attention for the rows of one segment: decompress the keys the rows use.
void attend_naive(const LayerWeights& W, int layer, const Shapes& sh, KvCache& cache, const BatchRows& br, const Segment& seg,
                  const RunOptions& opt, const float* q, const std::vector<std::vector<int>>& sel, float* o) {
  const int n = seg.n, H = sh.H, C = sh.C, dn = sh.dn, dv = sh.dv, dr = sh.dr, qk = sh.qk;
  const int64_t hq = static_cast<int64_t>(H) * qk, hkv = static_cast<int64_t>(H) * (dn + dv);
  const int L = seg.start + n;
  // Which cached positions some row of this segment attends to, and their slot in kv.
  std::vector<int> slot(static_cast<size_t>(L), -1), used;
  for (int j = 0; j < n; ++j) {
    const int r = seg.row0 + j;
    const auto& s = sel[static_cast<size_t>(r)];
    if (s.empty()) {
      for (int p = 0; p <= br.pos[static_cast<size_t>(r)]; ++p) slot[static_cast<size_t>(p)] = 0;
    } else {
      for (int p : s) slot[static_cast<size_t>(p)] = 0;
    }
  }
  for (int p = 0; p < L; ++p)
    if (slot[static_cast<size_t>(p)] == 0) {
      slot[static_cast<size_t>(p)] = static_cast<int>(used.size());
      used.push_back(p);
    }
  const int U = static_cast<int>(used.size());
  std::vector<float> lat(static_cast<size_t>(U) * C), kv(static_cast<size_t>(U) * hkv);
  for (int u = 0; u < U; ++u) {
    const uint16_t* src = cache.latent(*seg.cache, layer, used[static_cast<size_t>(u)]);
    for (int c = 0; c < C; ++c) lat[static_cast<size_t>(u) * C + c] = bf16_bits_to_f32(src[c]);
  }
  linear(W.wkv_b, lat.data(), U, C, kv.data(), hkv, lin_opts(opt));  // per head [k_nope | v], bf16
  parallel_for(static_cast<int64_t>(n) * H, true, [&](int64_t ib, int64_t ie) {
  for (int i = static_cast<int>(ib); i < ie; ++i) {
    const int j = i / H, h = i % H, r = seg.row0 + j;
    const int t = br.pos[static_cast<size_t>(r)];
    std::vector<int> keys;
    keys_for_row(sel[static_cast<size_t>(r)], t, keys);
    const int64_t Lk = static_cast<int64_t>(keys.size());
    const float* qn = q + static_cast<int64_t>(r) * hq + static_cast<int64_t>(h) * qk;
    std::vector<float> sc(static_cast<size_t>(Lk));
    for (int64_t k = 0; k < Lk; ++k) {
      const int s = keys[static_cast<size_t>(k)];
      const float* kn = kv.data() + static_cast<int64_t>(slot[static_cast<size_t>(s)]) * hkv + static_cast<int64_t>(h) * (dn + dv);
      const float d1 = dot_f32(qn, kn, dn);
      const float d2 = dot_f32_bf16(qn + dn, cache.kpe(*seg.cache, layer, s), dr);
      sc[static_cast<size_t>(k)] = (d1 + d2) * sh.scale;
    }
    const float inv = softmax_unnormalised(sc.data(), Lk);
    float acc[4096];
    std::vector<float> big;
    float* a = acc;
    if (dv > 4096) {
      big.resize(static_cast<size_t>(dv));
      a = big.data();
    }
    std::fill(a, a + dv, 0.0f);
    for (int64_t k = 0; k < Lk; ++k) {
      const int s = keys[static_cast<size_t>(k)];
      axpy_f32(sc[static_cast<size_t>(k)], kv.data() + static_cast<int64_t>(slot[static_cast<size_t>(s)]) * hkv + static_cast<int64_t>(h) * (dn + dv) + dn, a, dv);
    }
    float* out = o + static_cast<int64_t>(r) * H * dv + static_cast<int64_t>(h) * dv;
    for (int d = 0; d < dv; ++d) out[d] = round_bf16(a[d] * inv);
  }
  });
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
  const Shapes sh{c.num_attention_heads, c.qk_nope_head_dim, c.qk_rope_head_dim, c.v_head_dim, C, c.qk_head_dim(),
                  static_cast<float>(c.softmax_scale())};
  const int H = sh.H, dr = sh.dr, half = dr / 2, qk = sh.qk;
  const float eps = static_cast<float>(c.rms_norm_eps);
  const LinearOptions lin = lin_opts(o);

  // §4.2 step 1: c_q = RMSNorm(wq_a · x) — also the indexer's qr.
  std::vector<float> cq(static_cast<size_t>(T) * Q);
  linear(W.wq_a, x, T, D, cq.data(), Q, lin);
  for (int r = 0; r < T; ++r) rms_norm(&cq[static_cast<size_t>(r) * Q], W.q_norm.data(), Q, eps, &cq[static_cast<size_t>(r) * Q]);
  // Step 2: q = wq_b · c_q, interleaved RoPE on each head's last dr dims.
  std::vector<float> q(static_cast<size_t>(T) * H * qk);
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
  // §5: indexer keys for every row (the whole chunk first, §5.3), then the selections.
  for (auto& s : sel) s.clear();
  if (W.has_indexer && o.dsa) {
    indexer_write_keys(W.indexer, layer, c, cache, br, segs, o, x);
    indexer_select(W.indexer, layer, c, cache, br, segs, o, x, cq.data(), sel);
  }
  // §4.3: attention per segment, output heads [T × H × dv] in bf16, then wo.
  std::vector<float> heads(static_cast<size_t>(T) * H * sh.dv);
  for (const Segment& s : segs) {
    MlaMode mode = s.mla == MlaMode::Auto ? mla_auto_mode(c, o, s.start, s.n) : s.mla;
    if (mode == MlaMode::Naive) attend_naive(W, layer, sh, cache, br, s, o, q.data(), sel, heads.data());
    else attend_absorbed(W, layer, sh, cache, br, s, q.data(), sel, heads.data());
  }
  linear(W.wo, heads.data(), T, static_cast<int64_t>(H) * sh.dv, out, D, lin);
}

}  // namespace dse
