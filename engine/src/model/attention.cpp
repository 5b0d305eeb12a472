#include "model/attention.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/gemm.hpp"
#include "kernels/parallel.hpp"
#include "kernels/simd.hpp"
#include "numerics/formats.hpp"

namespace dse {

namespace {

constexpr int kKeyBlock = 128;  // keys per pass of the weighted sums (their values stay in L2)

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

// The keys of a row: its indexer selection (ascending), or every position 0..t.
struct KeyList {
  const int* sel = nullptr;  // nullptr: positions 0..n−1
  int64_t n = 0;
  int at(int64_t k) const { return sel ? sel[k] : static_cast<int>(k); }
};
KeyList keys_of_row(const std::vector<int>& s, int t) {
  return s.empty() ? KeyList{nullptr, t + 1} : KeyList{s.data(), static_cast<int64_t>(s.size())};
}

// y[0..n) += a·x[0..n) as axpy_f32 does it (vector FMA, then a non-fused scalar tail).
inline void axpy_tail_f32(float a, const float* x, float* y, int64_t from, int64_t n) {
  for (int64_t c = from; c < n; ++c) {
    const float prod = a * x[c];
    y[c] = prod + y[c];
  }
}

// ---------------------------------------------------------------------------------------------
// Absorbed (MQA)

// NQ fp32 queries · NK bf16 keys over n dims, each exactly dot_f32_bf16 (8 lanes, zero-filled
// tail, v8_hsum); out[j·NQ + i] = q_i · k_j. The key vector is loaded once for all queries.
template <int NQ, int NK>
void dots_bf16(const float* const* q, const uint16_t* const* k, int64_t n, float* out) {
  V8 acc[NK][NQ];
  for (int j = 0; j < NK; ++j)
    for (int i = 0; i < NQ; ++i) acc[j][i] = v8_zero();
  int64_t c = 0;
  for (; c + 8 <= n; c += 8) {
    V8 qv[NQ];
    for (int i = 0; i < NQ; ++i) qv[i] = v8_load(q[i] + c);
    for (int j = 0; j < NK; ++j) {
      const V8 kv = v8_bf16(k[j] + c);
      for (int i = 0; i < NQ; ++i) acc[j][i] = v8_fma(qv[i], kv, acc[j][i]);
    }
  }
  if (c < n) {
    const int t = static_cast<int>(n - c);
    for (int j = 0; j < NK; ++j) {
      uint16_t tail[8] = {0, 0, 0, 0, 0, 0, 0, 0};
      std::memcpy(tail, k[j] + c, sizeof(uint16_t) * static_cast<size_t>(t));
      const V8 kv = v8_bf16(tail);
      for (int i = 0; i < NQ; ++i) acc[j][i] = v8_fma(v8_load_partial(q[i] + c, t), kv, acc[j][i]);
    }
  }
  for (int j = 0; j < NK; ++j)
    for (int i = 0; i < NQ; ++i) out[j * NQ + i] = v8_hsum(acc[j][i]);
}

template <int NK>
void dots_bf16_nq(int nq, const float* const* q, const uint16_t* const* k, int64_t n, float* out) {
  switch (nq) {
    case 1: dots_bf16<1, NK>(q, k, n, out); break;
    case 2: dots_bf16<2, NK>(q, k, n, out); break;
    case 3: dots_bf16<3, NK>(q, k, n, out); break;
    default: dots_bf16<4, NK>(q, k, n, out); break;
  }
}

// acc_i[c0 .. c0+8·NV) += p_i[k] · bf16 lat[k][…] for the nk keys in order (axpy_bf16's FMA).
template <int NQ, int NV>
void wsum_bf16(const float* const* p, const uint16_t* const* lat, int nk, int c0, float* const* ol) {
  V8 acc[NQ][NV];
  for (int i = 0; i < NQ; ++i)
    for (int v = 0; v < NV; ++v) acc[i][v] = v8_load(ol[i] + c0 + 8 * v);
  for (int k = 0; k < nk; ++k) {
    V8 lv[NV];
    for (int v = 0; v < NV; ++v) lv[v] = v8_bf16(lat[k] + c0 + 8 * v);
    for (int i = 0; i < NQ; ++i) {
      const V8 pv = v8_set1(p[i][k]);
      for (int v = 0; v < NV; ++v) acc[i][v] = v8_fma(pv, lv[v], acc[i][v]);
    }
  }
  for (int i = 0; i < NQ; ++i)
    for (int v = 0; v < NV; ++v) v8_store(ol[i] + c0 + 8 * v, acc[i][v]);
}

template <int NV>
void wsum_bf16_nq(int nq, const float* const* p, const uint16_t* const* lat, int nk, int c0, float* const* ol) {
  switch (nq) {
    case 1: wsum_bf16<1, NV>(p, lat, nk, c0, ol); break;
    case 2: wsum_bf16<2, NV>(p, lat, nk, c0, ol); break;
    case 3: wsum_bf16<3, NV>(p, lat, nk, c0, ol); break;
    default: wsum_bf16<4, NV>(p, lat, nk, c0, ol); break;
  }
}

// One query row in the absorbed form, all heads: scores sc[h·L + k], then probabilities; inv[h] = 1/Σ;
// ol[h·C + c] the unnormalised latent sum, then normalised.
struct AbsorbedRow {
  const float* qa;   // [H × C] absorbed queries
  const float* qpe;  // head h's roped q_pe at qpe + h·qk
  KeyList keys;
  const SeqCache* seq;
  float* sc;
  float* inv;
  float* ol;
};

class Absorbed {
 public:
  Absorbed(const AttnShapes& sh, KvCache& cache, int layer) : sh_(sh), cache_(cache), layer_(layer) {}

  // Scores of keys [k0, k1) for every head.
  void scores(const AbsorbedRow& a, int64_t k0, int64_t k1) const {
    const int H = sh_.H, C = sh_.C;
    const int64_t L = a.keys.n;
    for (int h0 = 0; h0 < H; h0 += 4) {
      const int nq = std::min(4, H - h0);
      const float* qa[4] = {};
      const float* qp[4] = {};
      for (int i = 0; i < nq; ++i) {
        qa[i] = a.qa + static_cast<int64_t>(h0 + i) * C;
        qp[i] = a.qpe + static_cast<int64_t>(h0 + i) * sh_.qk;
      }
      for (int64_t k = k0; k < k1; k += 2) {
        const int nk = static_cast<int>(std::min<int64_t>(2, k1 - k));
        const uint16_t* lat[2];
        const uint16_t* pe[2];
        for (int j = 0; j < nk; ++j) {
          const int s = a.keys.at(k + j);
          lat[j] = cache_.latent(*a.seq, layer_, s);
          pe[j] = cache_.kpe(*a.seq, layer_, s);
        }
        float d1[8], d2[8];
        if (nk == 2) {
          dots_bf16_nq<2>(nq, qa, lat, C, d1);
          dots_bf16_nq<2>(nq, qp, pe, sh_.dr, d2);
        } else {
          dots_bf16_nq<1>(nq, qa, lat, C, d1);
          dots_bf16_nq<1>(nq, qp, pe, sh_.dr, d2);
        }
        for (int j = 0; j < nk; ++j)
          for (int i = 0; i < nq; ++i) a.sc[static_cast<int64_t>(h0 + i) * L + k + j] = (d1[j * nq + i] + d2[j * nq + i]) * sh_.scale;
      }
    }
  }

  void softmax(const AbsorbedRow& a, int h0, int h1) const {
    for (int h = h0; h < h1; ++h) a.inv[h] = softmax_unnormalised(a.sc + static_cast<int64_t>(h) * a.keys.n, a.keys.n);
  }

  // Weighted-sum items: (group of 4 heads) × (16 latent dims; the last may be 8, or the scalar tail).
  int64_t wsum_items() const { return static_cast<int64_t>((sh_.H + 3) / 4) * chunks(); }

  void wsum(const AbsorbedRow& a, int64_t it0, int64_t it1) const {
    const int C = sh_.C, C8 = C / 8 * 8;
    const int64_t L = a.keys.n;
    const uint16_t* lat[kKeyBlock];
    for (int64_t it = it0; it < it1; ++it) {
      const int h0 = static_cast<int>(it / chunks()) * 4, nq = std::min(4, sh_.H - h0);
      const int c0 = static_cast<int>(it % chunks()) * 16, c1 = c0 < C8 ? std::min(C8, c0 + 16) : C;
      const float* p[4] = {};
      float* ol[4] = {};
      for (int i = 0; i < nq; ++i) {
        p[i] = a.sc + static_cast<int64_t>(h0 + i) * L;
        ol[i] = a.ol + static_cast<int64_t>(h0 + i) * C;
        std::fill(ol[i] + c0, ol[i] + c1, 0.0f);
      }
      for (int64_t kb = 0; kb < L; kb += kKeyBlock) {
        const int nk = static_cast<int>(std::min<int64_t>(kKeyBlock, L - kb));
        for (int k = 0; k < nk; ++k) lat[k] = cache_.latent(*a.seq, layer_, a.keys.at(kb + k));
        const float* pk[4] = {};
        for (int i = 0; i < nq; ++i) pk[i] = p[i] + kb;
        if (c0 >= C8) {  // scalar tail dims, as axpy_bf16's tail
          for (int i = 0; i < nq; ++i)
            for (int k = 0; k < nk; ++k)
              for (int c = c0; c < c1; ++c) {
                const float prod = pk[i][k] * bf16_bits_to_f32(lat[k][c]);
                ol[i][c] = prod + ol[i][c];
              }
        } else if (c1 - c0 == 16) {
          wsum_bf16_nq<2>(nq, pk, lat, nk, c0, ol);
        } else {
          wsum_bf16_nq<1>(nq, pk, lat, nk, c0, ol);
        }
      }
      for (int i = 0; i < nq; ++i)
        for (int c = c0; c < c1; ++c) ol[i][c] *= a.inv[h0 + i];
    }
  }

  void whole_row(const AbsorbedRow& a) const {
    scores(a, 0, a.keys.n);
    softmax(a, 0, sh_.H);
    wsum(a, 0, wsum_items());
  }

 private:
  int64_t chunks() const { return (sh_.C / 8 * 8 + 15) / 16 + (sh_.C % 8 ? 1 : 0); }
  const AttnShapes& sh_;
  KvCache& cache_;
  int layer_;
};

// ---------------------------------------------------------------------------------------------
// Naive (MHA), rows attending to every key 0..t: tiles of 6 rows × 16 keys.

// acc[r][c0 .. c0+8·NV) += p_r[k] · v_k[…] for keys [k0, k1) in order (axpy_f32's FMA), 6 rows.
template <int NV>
void wsum_rows_f32(const float* const* p, const float* v0, int64_t ldv, int64_t k0, int64_t k1, int c0, float* const* o) {
  V8 acc[kGemmRows][NV];
  for (int r = 0; r < kGemmRows; ++r)
    for (int v = 0; v < NV; ++v) acc[r][v] = v8_load(o[r] + c0 + 8 * v);
  for (int64_t k = k0; k < k1; ++k) {
    const float* vk = v0 + k * ldv + c0;
    V8 vv[NV];
    for (int v = 0; v < NV; ++v) vv[v] = v8_load(vk + 8 * v);
    for (int r = 0; r < kGemmRows; ++r) {
      const V8 pv = v8_set1(p[r][k]);
      for (int v = 0; v < NV; ++v) acc[r][v] = v8_fma(pv, vv[v], acc[r][v]);
    }
  }
  for (int r = 0; r < kGemmRows; ++r)
    for (int v = 0; v < NV; ++v) v8_store(o[r] + c0 + 8 * v, acc[r][v]);
}

}  // namespace

void attend_absorbed(const LayerWeights& W, int layer, const AttnShapes& sh, KvCache& cache, const BatchRows& br,
                     const std::vector<Segment>& segs, const std::vector<int>& rows, const float* q,
                     const std::vector<std::vector<int>>& sel, float* heads) {
  const int R = static_cast<int>(rows.size());
  if (R == 0) return;
  const int H = sh.H, C = sh.C, dn = sh.dn, dv = sh.dv, qk = sh.qk;
  const int64_t hq = static_cast<int64_t>(H) * qk;
  std::vector<float> qg(static_cast<size_t>(R) * hq), qabs(static_cast<size_t>(R) * H * C), olat(static_cast<size_t>(R) * H * C),
      og(static_cast<size_t>(R) * H * dv), inv(static_cast<size_t>(R) * H);
  for (int i = 0; i < R; ++i) std::memcpy(&qg[static_cast<size_t>(i) * hq], q + rows[static_cast<size_t>(i)] * hq, sizeof(float) * static_cast<size_t>(hq));
  // q_abs[r][h] = W_UK[h]ᵀ · q_nope[r][h]  (fp32, not rounded)
  parallel_for(H, static_cast<int64_t>(R) * H * C >= 4096, [&](int64_t hb, int64_t he) {
    for (int64_t h = hb; h < he; ++h)
      linear_transposed(W.wkv_b, h * (dn + dv), dn, qg.data() + h * qk, R, hq, qabs.data() + h * C, static_cast<int64_t>(H) * C);
  });
  const Absorbed ab(sh, cache, layer);
  auto row_of = [&](int i, float* sc) {
    const int r = rows[static_cast<size_t>(i)];
    const Segment& s = segs[static_cast<size_t>(br.seg[static_cast<size_t>(r)])];
    return AbsorbedRow{qabs.data() + static_cast<size_t>(i) * H * C,
                       qg.data() + static_cast<size_t>(i) * hq + dn,
                       keys_of_row(sel[static_cast<size_t>(r)], br.pos[static_cast<size_t>(r)]),
                       s.cache,
                       sc,
                       inv.data() + static_cast<size_t>(i) * H,
                       olat.data() + static_cast<size_t>(i) * H * C};
  };
  const int64_t L0 = row_of(0, nullptr).keys.n;
  if (R == 1 && L0 * H >= 4096) {
    // One long row (decode at a long context): split its keys, then its heads, then its latent dims.
    std::vector<float> sc(static_cast<size_t>(L0) * H);
    const AbsorbedRow a = row_of(0, sc.data());
    const int64_t blocks = (L0 + 63) / 64;
    parallel_for(blocks, true, [&](int64_t b, int64_t e) { ab.scores(a, b * 64, std::min(L0, e * 64)); });
    parallel_for(H, true, [&](int64_t b, int64_t e) { ab.softmax(a, static_cast<int>(b), static_cast<int>(e)); });
    parallel_for(ab.wsum_items(), true, [&](int64_t b, int64_t e) { ab.wsum(a, b, e); });
  } else {
    parallel_for(R, R > 1, [&](int64_t b, int64_t e) {
      static thread_local std::vector<float> sc;
      for (int64_t i = b; i < e; ++i) {
        const int64_t L = row_of(static_cast<int>(i), nullptr).keys.n;
        if (sc.size() < static_cast<size_t>(L * H)) sc.resize(static_cast<size_t>(L * H));
        ab.whole_row(row_of(static_cast<int>(i), sc.data()));
      }
    });
  }
  // o[r][h] = W_UV[h] · o_lat[r][h], bf16. The reference applies the dequantised kv_b here without
  // activation quantisation, so neither do we (even in reference_fp8 mode).
  LinearOptions plain;
  for (int h = 0; h < H; ++h)
    linear(W.wkv_b, olat.data() + static_cast<int64_t>(h) * C, R, static_cast<int64_t>(H) * C, og.data() + static_cast<int64_t>(h) * dv,
           static_cast<int64_t>(H) * dv, plain, static_cast<int64_t>(h) * (dn + dv) + dn, dv);
  for (int i = 0; i < R; ++i)
    std::memcpy(heads + static_cast<int64_t>(rows[static_cast<size_t>(i)]) * H * dv, &og[static_cast<size_t>(i) * H * dv], sizeof(float) * static_cast<size_t>(H * dv));
}

void attend_naive(const LayerWeights& W, int layer, const AttnShapes& sh, KvCache& cache, const BatchRows& br, const Segment& seg,
                  const RunOptions& o, const float* q, const std::vector<std::vector<int>>& sel, float* heads) {
  const int n = seg.n, H = sh.H, C = sh.C, dn = sh.dn, dv = sh.dv, dr = sh.dr, qk = sh.qk;
  const int64_t hq = static_cast<int64_t>(H) * qk, hkv = static_cast<int64_t>(H) * (dn + dv);
  const int L = seg.start + n;
  // Which cached positions some row of this segment attends to, and their slot in kv.
  std::vector<int> slot(static_cast<size_t>(L), -1), used;
  int nd = 0;  // rows 0..nd−1 attend to every key 0..t (they come first: positions ascend)
  for (int j = 0; j < n; ++j) {
    const int r = seg.row0 + j;
    const auto& s = sel[static_cast<size_t>(r)];
    if (s.empty()) {
      for (int p = 0; p <= br.pos[static_cast<size_t>(r)]; ++p) slot[static_cast<size_t>(p)] = 0;
      if (nd == j) nd = j + 1;
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
  LinearOptions lin;
  lin.act_quant = o.reference_fp8;
  lin.ue8m0 = o.ue8m0;
  linear(W.wkv_b, lat.data(), U, C, kv.data(), hkv, lin);  // per head [k_nope | v], bf16

  // Rows with a selection, one (row, head) at a time.
  parallel_for(static_cast<int64_t>(n - nd) * H, n - nd > 0, [&](int64_t ib, int64_t ie) {
    static thread_local std::vector<float> sc;
    std::vector<float> a(static_cast<size_t>(dv));
    for (int64_t i = ib; i < ie; ++i) {
      const int j = nd + static_cast<int>(i / H), h = static_cast<int>(i % H), r = seg.row0 + j;
      const std::vector<int>& keys = sel[static_cast<size_t>(r)];
      const int64_t Lk = static_cast<int64_t>(keys.size());
      const float* qn = q + static_cast<int64_t>(r) * hq + static_cast<int64_t>(h) * qk;
      if (sc.size() < static_cast<size_t>(Lk)) sc.resize(static_cast<size_t>(Lk));
      for (int64_t k = 0; k < Lk; ++k) {
        const int s = keys[static_cast<size_t>(k)];
        const float* kn = kv.data() + static_cast<int64_t>(slot[static_cast<size_t>(s)]) * hkv + static_cast<int64_t>(h) * (dn + dv);
        const float d1 = dot_f32(qn, kn, dn);
        const float d2 = dot_f32_bf16(qn + dn, cache.kpe(*seg.cache, layer, s), dr);
        sc[static_cast<size_t>(k)] = (d1 + d2) * sh.scale;
      }
      const float inv = softmax_unnormalised(sc.data(), Lk);
      std::fill(a.begin(), a.end(), 0.0f);
      for (int64_t k = 0; k < Lk; ++k) {
        const int s = keys[static_cast<size_t>(k)];
        axpy_f32(sc[static_cast<size_t>(k)], kv.data() + static_cast<int64_t>(slot[static_cast<size_t>(s)]) * hkv + static_cast<int64_t>(h) * (dn + dv) + dn,
                 a.data(), dv);
      }
      float* out = heads + static_cast<int64_t>(r) * H * dv + static_cast<int64_t>(h) * dv;
      for (int d = 0; d < dv; ++d) out[d] = round_bf16(a[static_cast<size_t>(d)] * inv);
    }
  });
  if (nd == 0) return;

  // Rows 0..nd−1 attend to keys 0..t, which are slots 0..t (every position up to the last dense row's
  // t is used). Keys packed once per segment: per head the k_nope panels, shared the k_pe panels.
  const int Ld = seg.start + nd;
  const int64_t P = (Ld + kGemmCols - 1) / kGemmCols, Jn = gemm_steps(dn), Jr = gemm_steps(dr);
  const int64_t pn = 8 * Jn * kGemmCols, pr = 8 * Jr * kGemmCols;  // floats per packed panel
  std::vector<float> kn_pack(static_cast<size_t>(H * P * pn)), kpe_pack(static_cast<size_t>(P * pr));
  parallel_for(P, P > 1, [&](int64_t b, int64_t e) {
    for (int64_t p = b; p < e; ++p) {
      const int nr = static_cast<int>(std::min<int64_t>(kGemmCols, Ld - p * kGemmCols));
      const uint16_t* pe[kGemmCols];
      for (int i = 0; i < nr; ++i) pe[i] = cache.kpe(*seg.cache, layer, static_cast<int>(p * kGemmCols + i));
      gemm_pack_cols_bf16(pe, nr, dr, kpe_pack.data() + p * pr);
      for (int h = 0; h < H; ++h) {
        const float* col[kGemmCols];
        for (int i = 0; i < nr; ++i) col[i] = kv.data() + (p * kGemmCols + i) * hkv + static_cast<int64_t>(h) * (dn + dv);
        gemm_pack_cols(col, nr, dn, kn_pack.data() + (h * P + p) * pn);
      }
    }
  });
  const int64_t tiles = (nd + kGemmRows - 1) / kGemmRows;
  parallel_for(tiles * H, true, [&](int64_t ib, int64_t ie) {
    static thread_local std::vector<float> S, qn_pack, qpe_pack, O;
    for (int64_t it = ib; it < ie; ++it) {
      // Alternate ends of the tiles (the last rows see the most keys) so threads get similar work.
      const int64_t tile = (it / H) & 1 ? tiles - 1 - (it / H) / 2 : (it / H) / 2;
      const int h = static_cast<int>(it % H);
      const int j0 = static_cast<int>(tile * kGemmRows), mr = std::min(kGemmRows, nd - j0);
      const int t0 = seg.start + j0, Lt = t0 + mr;  // rows' positions t0 .. t0+mr−1; keys 0..Lt−1
      const int64_t ld = (Lt + kGemmCols - 1) / kGemmCols * kGemmCols;
      S.assign(static_cast<size_t>(kGemmRows * ld), 0.0f);
      qn_pack.resize(static_cast<size_t>(8 * Jn * kGemmRows));
      qpe_pack.resize(static_cast<size_t>(8 * Jr * kGemmRows));
      const float* q0 = q + static_cast<int64_t>(seg.row0 + j0) * hq + static_cast<int64_t>(h) * qk;
      gemm_pack_rows(q0, mr, hq, dn, qn_pack.data());
      gemm_pack_rows(q0 + dn, mr, hq, dr, qpe_pack.data());
      // Scores: (d1 + d2)·scale per (row, key), exactly dot_f32(q_nope, k_nope) + dot_f32_bf16(q_pe, k_pe).
      for (int64_t p = 0; p * kGemmCols < Lt; ++p) {
        float d1[kGemmRows][kGemmCols], d2[kGemmRows][kGemmCols];
        gemm_tile(qn_pack.data(), kn_pack.data() + (h * P + p) * pn, Jn, d1);
        gemm_tile(qpe_pack.data(), kpe_pack.data() + p * pr, Jr, d2);
        for (int i = 0; i < mr; ++i)
          for (int c = 0; c < kGemmCols; ++c) S[static_cast<size_t>(i * ld + p * kGemmCols + c)] = (d1[i][c] + d2[i][c]) * sh.scale;
      }
      float inv[kGemmRows];
      for (int i = 0; i < mr; ++i) inv[i] = softmax_unnormalised(S.data() + i * ld, t0 + i + 1);
      for (int i = mr; i < kGemmRows; ++i) std::fill(S.begin() + i * ld, S.begin() + (i + 1) * ld, 0.0f);  // padded rows: never output
      // Weighted sums: keys 0..t0 shared by all rows of the tile, then each row's own last keys.
      O.assign(static_cast<size_t>(kGemmRows * dv), 0.0f);
      const float* p[kGemmRows];
      float* orow[kGemmRows];
      for (int i = 0; i < kGemmRows; ++i) {
        p[i] = S.data() + i * ld;
        orow[i] = O.data() + i * dv;
      }
      const float* v0 = kv.data() + static_cast<int64_t>(h) * (dn + dv) + dn;
      const int dv8 = dv / 8 * 8;
      for (int64_t kb = 0; kb <= t0; kb += kKeyBlock) {
        const int64_t ke = std::min<int64_t>(t0 + 1, kb + kKeyBlock);
        int c0 = 0;
        for (; c0 + 16 <= dv8; c0 += 16) wsum_rows_f32<2>(p, v0, hkv, kb, ke, c0, orow);
        if (c0 < dv8) wsum_rows_f32<1>(p, v0, hkv, kb, ke, c0, orow);
        for (int i = 0; i < mr; ++i)
          for (int64_t k = kb; k < ke; ++k) axpy_tail_f32(p[i][k], v0 + k * hkv, orow[i], dv8, dv);
      }
      for (int i = 1; i < mr; ++i)
        for (int k = t0 + 1; k <= t0 + i; ++k) {
          axpy_f32(p[i][k], v0 + static_cast<int64_t>(k) * hkv, orow[i], dv8);
          axpy_tail_f32(p[i][k], v0 + static_cast<int64_t>(k) * hkv, orow[i], dv8, dv);
        }
      for (int i = 0; i < mr; ++i) {
        float* out = heads + static_cast<int64_t>(seg.row0 + j0 + i) * H * dv + static_cast<int64_t>(h) * dv;
        for (int d = 0; d < dv; ++d) out[d] = round_bf16(orow[i][d] * inv[i]);
      }
    }
  });
}

}  // namespace dse
