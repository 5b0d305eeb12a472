// Selftest checks of the blocked and vectorised kernels behind long contexts: each must compute
// exactly what the plain per-row code computes — the GEMM micro-kernel vs the single-row dot-product
// path, the indexer's tiled scorer vs a scalar statement of its fixed order, the vector bf16 rounding,
// act_quant and the Hadamard butterflies vs their scalar statements.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "cli/selftest.hpp"
#include "kernels/hadamard.hpp"
#include "kernels/index_score.hpp"
#include "kernels/linear.hpp"
#include "kernels/simd.hpp"
#include "numerics/act_quant.hpp"
#include "numerics/formats.hpp"
#include "util/error.hpp"

namespace dse::selftest {

namespace {

// Every row of an M-row linear (the GEMM for M ≥ 6) is bit-identical to the same row alone (the
// fused single-row path), for each weight format, odd shapes (K % 8 ≠ 0, N % 16 ≠ 0, M % 6 ≠ 0),
// a row range of W, and both output formats.
void check_gemm_rowwise() {
  std::mt19937 rng(11);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  struct Shape {
    int M, N, K;
  };
  const Shape shapes[] = {{6, 16, 256}, {7, 37, 203}, {13, 50, 130}, {64, 33, 512}, {257, 24, 96}, {9, 5, 7}};
  bool ok = true;
  std::string where;
  for (const DType dt : {DType::F8_E4M3, DType::BF16, DType::F32})
    for (const Shape& s : shapes) {
      const int rows = s.N + 3, row0 = 2;  // use W rows [2, 2+N)
      std::vector<uint8_t> bytes;
      WeightMatrix w;
      w.dtype = dt;
      w.rows = rows;
      w.cols = s.K;
      if (dt == DType::F8_E4M3) {
        bytes.resize(static_cast<size_t>(rows) * s.K);
        for (auto& c : bytes) c = fp8_e4m3_encode(nd(rng) * 40.0f);
        w.scale_cols = (s.K + 127) / 128;
        for (int64_t i = 0; i < (rows + 127) / 128 * w.scale_cols; ++i) w.scale.push_back(std::ldexp(1.0f, -static_cast<int>(i % 5) - 6));
      } else if (dt == DType::BF16) {
        bytes.resize(static_cast<size_t>(rows) * s.K * 2);
        for (size_t i = 0; i < bytes.size() / 2; ++i) {
          const uint16_t b = f32_to_bf16_bits(nd(rng) * 0.05f);
          std::memcpy(&bytes[2 * i], &b, 2);
        }
      } else {
        bytes.resize(static_cast<size_t>(rows) * s.K * 4);
        for (size_t i = 0; i < bytes.size() / 4; ++i) {
          const float f = nd(rng) * 0.05f;
          std::memcpy(&bytes[4 * i], &f, 4);
        }
      }
      w.data = bytes.data();
      const int ldx = s.K + 5, ldy = s.N + 3;
      std::vector<float> x(static_cast<size_t>(s.M) * ldx);
      for (auto& v : x) v = round_bf16(nd(rng));
      for (const bool bf16_out : {false, true}) {
        LinearOptions opt;
        opt.round_bf16 = bf16_out;
        std::vector<float> yb(static_cast<size_t>(s.M) * ldy, -1.0f), y1(static_cast<size_t>(s.N));
        linear(w, x.data(), s.M, ldx, yb.data(), ldy, opt, row0, s.N);
        for (int m = 0; m < s.M; ++m) {
          linear(w, x.data() + static_cast<size_t>(m) * ldx, 1, ldx, y1.data(), s.N, opt, row0, s.N);
          for (int n = 0; n < s.N; ++n)
            if (std::memcmp(&y1[static_cast<size_t>(n)], &yb[static_cast<size_t>(m) * ldy + n], 4) != 0) {
              if (where.empty()) where = strformat("dtype %d M=%d N=%d K=%d row %d col %d", static_cast<int>(dt), s.M, s.N, s.K, m, n);
              ok = false;
            }
        }
      }
    }
  report("gemm_rows_bit_identical", ok,
         ok ? "FP8/BF16/F32 weights, 6 shapes (odd K, N, M), a row range, fp32 and bf16 outputs: every row of the blocked GEMM equals the single-row path"
            : "mismatch at " + where);
}

// a·b + c as v8_fma computes it: fused with AVX2+FMA, a rounded product then a rounded sum in the
// scalar emulation (built with -ffp-contract=off).
inline float fma_like_v8(float a, float b, float c) {
#if DSE_AVX2
  return std::fma(a, b, c);
#else
  const float p = a * b;
  return p + c;
#endif
}

// The indexer scorer against the order its header states, written out with scalar FMAs: per
// (key, head) one FMA chain over d; lane l takes heads l, l+8, … (fma(ReLU(dot), w, acc)); lanes summed
// in the v8_hsum tree; times the key's scale.
void check_index_score() {
  std::mt19937 rng(12);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  bool ok = true;
  std::string where;
  for (const int heads : {8, 16, 24, 64})
    for (const int nk : {1, 5, 6, 7, 13, 16, 47, 48, 61}) {
      const int dim = 128, hp = heads;
      std::vector<float> qT(static_cast<size_t>(dim) * hp), w(static_cast<size_t>(hp)), keys(static_cast<size_t>(nk) * dim), scale(static_cast<size_t>(nk));
      for (auto& v : qT) v = fp8_e4m3_decode(fp8_e4m3_encode(nd(rng) * 100.0f));
      for (auto& v : keys) v = fp8_e4m3_decode(fp8_e4m3_encode(nd(rng) * 100.0f));
      for (auto& v : w) v = nd(rng) * 1e-3f;
      for (auto& v : scale) v = std::ldexp(1.0f, -static_cast<int>(rng() % 8));
      std::vector<float> got(static_cast<size_t>(nk)), got_t(static_cast<size_t>(nk));
      index_score_keys(qT.data(), w.data(), hp, dim, keys.data(), scale.data(), nk, got.data());
      // The transposed-key kernel (ld padded to 48 keys, padding readable).
      const int ldt = (nk + 47) / 48 * 48;
      std::vector<float> kT(static_cast<size_t>(dim) * ldt, 0.0f), scale_t(static_cast<size_t>(ldt), 0.0f);
      for (int j = 0; j < nk; ++j) {
        scale_t[static_cast<size_t>(j)] = scale[static_cast<size_t>(j)];
        for (int d = 0; d < dim; ++d) kT[static_cast<size_t>(d) * ldt + j] = keys[static_cast<size_t>(j) * dim + d];
      }
      index_score_keys_t(qT.data(), w.data(), hp, dim, kT.data(), ldt, scale_t.data(), nk, got_t.data());
      if (std::memcmp(got.data(), got_t.data(), got.size() * 4) != 0) {
        if (where.empty()) where = strformat("heads %d, %d keys: transposed-key kernel differs", heads, nk);
        ok = false;
      }
      for (int j = 0; j < nk; ++j) {
        float lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        for (int h = 0; h < heads; ++h) {
          float dot = 0.0f;
          for (int d = 0; d < dim; ++d) dot = fma_like_v8(qT[static_cast<size_t>(d) * hp + h], keys[static_cast<size_t>(j) * dim + d], dot);
          lane[h % 8] = fma_like_v8(dot > 0.0f ? dot : 0.0f, w[static_cast<size_t>(h)], lane[h % 8]);
        }
        const float total = ((lane[0] + lane[4]) + (lane[2] + lane[6])) + ((lane[1] + lane[5]) + (lane[3] + lane[7]));
        const float want = scale[static_cast<size_t>(j)] * total;
        if (std::memcmp(&want, &got[static_cast<size_t>(j)], 4) != 0) {
          if (where.empty()) where = strformat("heads %d, %d keys, key %d: %.9g vs %.9g", heads, nk, j, got[static_cast<size_t>(j)], want);
          ok = false;
        }
      }
    }
  report("index_score_fixed_order", ok, ok ? "8/16/24/64 heads × 1..61 keys, row and transposed-key kernels: bit-identical to the scalar statement of the order" : "mismatch: " + where);
}

void check_round_bf16_vector() {
  std::mt19937 rng(13);
  std::vector<float> v = {0.0f, -0.0f, INFINITY, -INFINITY, NAN, 1e-45f, -3e-39f, 3.3895314e38f, 1.00390625f, 1.01171875f, -1.00390625f};
  for (int i = 0; i < 20000; ++i) {
    uint32_t u = static_cast<uint32_t>(rng());
    float f;
    std::memcpy(&f, &u, 4);
    v.push_back(f);
  }
  while (v.size() % 8) v.push_back(1.0f);
  bool ok = true;
  for (size_t i = 0; i < v.size(); i += 8) {
    float out[8];
    v8_store(out, v8_round_bf16(v8_load(&v[i])));
    for (int j = 0; j < 8; ++j) {
      const float want = round_bf16(v[i + static_cast<size_t>(j)]);
      ok = ok && std::memcmp(&want, &out[j], 4) == 0;
    }
  }
  report("round_bf16_vector", ok, "v8_round_bf16 = round_bf16 on ±0, ±inf, NaN, subnormals, ties and 20000 random bit patterns");
}

// The vectorised act_quant / act_quant_roundtrip and Hadamard against their scalar statements (spec
// §2.3, §2.8), bit for bit, on groups holding ties, subnormals, saturating values, ±0, ±inf and NaN.
void check_act_quant_vector() {
  std::mt19937 rng(14);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  const float specials[] = {0.0f, -0.0f, INFINITY, -INFINITY, NAN, 1e-30f, -2e-7f, 1e30f, 0.0009765625f, 0.0029296875f};
  bool ok = true;
  std::string where;
  for (int trial = 0; trial < 300; ++trial) {
    std::vector<float> x(256);
    const float mag = std::ldexp(1.0f, static_cast<int>(rng() % 40) - 20);
    for (auto& v : x) v = nd(rng) * mag;
    if (trial % 3 == 0)
      for (int i = 0; i < 6; ++i) x[rng() % 256] = specials[rng() % 10];
    if (trial % 3 == 1)  // exact ties between FP8 neighbours
      for (auto& v : x) v = (static_cast<float>(rng() % 64) + 0.5f) * std::ldexp(1.0f, static_cast<int>(rng() % 12) - 12);
    for (const bool ue8m0 : {true, false}) {
      // Scalar statement.
      std::vector<uint8_t> want_q(256), got_q(256);
      std::vector<float> want_r(x), got_r(x), want_rb(x), got_rb(x);
      float want_s[2], got_s[2];
      for (int g = 0; g < 2; ++g) {
        float amax = 0.0f;
        for (int i = 0; i < 128; ++i) amax = std::max(amax, std::fabs(x[static_cast<size_t>(g * 128 + i)]));
        const float sc = act_quant_scale(amax, ue8m0);
        want_s[g] = sc;
        for (int i = 0; i < 128; ++i) {
          const size_t k = static_cast<size_t>(g * 128 + i);
          const uint8_t c = fp8_e4m3_encode(std::clamp(x[k] / sc, -448.0f, 448.0f));
          want_q[k] = c;
          want_r[k] = fp8_e4m3_decode(c) * sc;
          want_rb[k] = round_bf16(want_r[k]);
        }
      }
      act_quant(x.data(), 256, ue8m0, got_q.data(), got_s);
      act_quant_roundtrip(got_r.data(), 256, ue8m0, false);
      act_quant_roundtrip(got_rb.data(), 256, ue8m0, true);
      const bool same = want_q == got_q && std::memcmp(want_s, got_s, sizeof want_s) == 0 &&
                        std::memcmp(want_r.data(), got_r.data(), 256 * 4) == 0 && std::memcmp(want_rb.data(), got_rb.data(), 256 * 4) == 0;
      if (!same && where.empty()) where = strformat("trial %d ue8m0 %d", trial, ue8m0 ? 1 : 0);
      ok = ok && same;
    }
    // Hadamard: the butterflies written out.
    std::vector<float> h(x.begin(), x.begin() + 128), want(h);
    for (int st = 1; st < 128; st *= 2)
      for (int i = 0; i < 128; i += 2 * st)
        for (int j = i; j < i + st; ++j) {
          const float a = want[static_cast<size_t>(j)], b = want[static_cast<size_t>(j + st)];
          want[static_cast<size_t>(j)] = a + b;
          want[static_cast<size_t>(j + st)] = a - b;
        }
    const float scale = static_cast<float>(1.0 / std::sqrt(128.0));
    for (auto& v : want) v *= scale;
    hadamard_inplace(h.data(), 128);
    for (size_t i = 0; i < 128; ++i) {
      const bool same = std::memcmp(&h[i], &want[i], 4) == 0 || (std::isnan(h[i]) && std::isnan(want[i]));
      if (!same && where.empty()) where = strformat("hadamard trial %d element %zu", trial, i);
      ok = ok && same;
    }
  }
  report("act_quant_hadamard_vector", ok, ok ? "act_quant, its round trip (fp32 and bf16) and the Hadamard butterflies: bit-identical to the scalar statements on 300 groups with ties and special values"
                                             : "mismatch: " + where);
}

}  // namespace

void check_blocked_kernels() {
  check_gemm_rowwise();
  check_index_score();
  check_round_bf16_vector();
  check_act_quant_vector();
}

}  // namespace dse::selftest
