#include "kernels/index_score.hpp"

#include <vector>

#include "kernels/simd.hpp"
#include "numerics/formats.hpp"

namespace dse {

void fp8_decode_row(const uint8_t* codes, int n, float* out) {
  int i = 0;
  const V8 k2p120 = v8_set1(1.329227995784916e36f);
  for (; i + 8 <= n; i += 8) v8_store(out + i, v8_mul(v8_fp8_times_2m120(codes + i), k2p120));
  for (; i < n; ++i) out[i] = fp8_e4m3_decode(codes[i]);
}

namespace {

constexpr int kKeys = 6;  // keys per pass: 2 head vectors × 6 keys = 12 accumulators + 2 q + 1 broadcast

// NV head vectors (8 heads each) starting at head g, NK keys: adds this group's heads into total.
template <int NK, int NV>
inline void head_group(const float* qT, const float* w, int hp, int dim, int g, const float* keys, V8 total[NK]) {
  V8 acc[NV][NK];
  for (int v = 0; v < NV; ++v)
    for (int j = 0; j < NK; ++j) acc[v][j] = v8_zero();
  const float* qd = qT + g;
  for (int d = 0; d < dim; ++d, qd += hp) {
    V8 q[NV];
    for (int v = 0; v < NV; ++v) q[v] = v8_load(qd + 8 * v);
    for (int j = 0; j < NK; ++j) {
      const V8 k = v8_set1(keys[j * dim + d]);
      for (int v = 0; v < NV; ++v) acc[v][j] = v8_fma(q[v], k, acc[v][j]);
    }
  }
  for (int v = 0; v < NV; ++v) {
    const V8 wv = v8_load(w + g + 8 * v);
    for (int j = 0; j < NK; ++j) total[j] = v8_fma(v8_max(acc[v][j], v8_zero()), wv, total[j]);
  }
}

template <int NK>
void score_block(const float* qT, const float* w, int hp, int dim, const float* keys, const float* scale, float* out) {
  V8 total[NK];
  for (int j = 0; j < NK; ++j) total[j] = v8_zero();
  int g = 0;
  for (; g + 16 <= hp; g += 16) head_group<NK, 2>(qT, w, hp, dim, g, keys, total);
  if (g < hp) head_group<NK, 1>(qT, w, hp, dim, g, keys, total);
  for (int j = 0; j < NK; ++j) out[j] = scale[j] * v8_hsum(total[j]);
}

#if defined(__AVX512F__) && defined(__AVX512DQ__)
// GCC 12's AVX-512 extract intrinsics trip its own uninitialised-value warning (GCC bug 105593).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// The same arithmetic with 16 heads per zmm register (32 registers: up to 24 accumulators). Each
// (key, head) is still one FMA chain over d; the head sum folds 8-head halves into the 8-lane totals
// in ascending head order, exactly as the 8-lane version does. DIM is a constant so the NK key
// streams are one base register plus immediate offsets.
template <int NK, int NV, int DIM>
inline void head_group16(const float* qT, const float* w, int hp, int g, const float* keys, V8 total[NK]) {
  __m512 acc[NV][NK];
  for (int v = 0; v < NV; ++v)
    for (int j = 0; j < NK; ++j) acc[v][j] = _mm512_setzero_ps();
  const float* qd = qT + g;
  for (int d = 0; d < DIM; ++d, qd += hp) {
    __m512 q[NV];
    for (int v = 0; v < NV; ++v) q[v] = _mm512_loadu_ps(qd + 16 * v);
    for (int j = 0; j < NK; ++j) {
      const __m512 k = _mm512_set1_ps(keys[j * DIM + d]);
      for (int v = 0; v < NV; ++v) acc[v][j] = _mm512_fmadd_ps(q[v], k, acc[v][j]);
    }
  }
  for (int v = 0; v < NV; ++v) {
    const V8 wlo = v8_load(w + g + 16 * v), whi = v8_load(w + g + 16 * v + 8);
    for (int j = 0; j < NK; ++j) {
      const V8 lo{_mm512_castps512_ps256(acc[v][j])}, hi{_mm512_extractf32x8_ps(acc[v][j], 1)};
      total[j] = v8_fma(v8_max(lo, v8_zero()), wlo, total[j]);
      total[j] = v8_fma(v8_max(hi, v8_zero()), whi, total[j]);
    }
  }
}

template <int NK, int DIM>
void score_block16(const float* qT, const float* w, int hp, const float* keys, const float* scale, float* out) {
  V8 total[NK];
  for (int j = 0; j < NK; ++j) total[j] = v8_zero();
  int g = 0;
  for (; g + 32 <= hp; g += 32) head_group16<NK, 2, DIM>(qT, w, hp, g, keys, total);
  if (g < hp) head_group16<NK, 1, DIM>(qT, w, hp, g, keys, total);
  for (int j = 0; j < NK; ++j) out[j] = scale[j] * v8_hsum(total[j]);
}

// Twelve keys per pass (six when the heads need two vectors), the remainder in one smaller pass.
template <int NK, int DIM>
void score_keys16(const float* qT, const float* w, int hp, const float* keys, const float* scale, int nk, float* out) {
  int j = 0;
  for (; j + NK <= nk; j += NK) score_block16<NK, DIM>(qT, w, hp, keys + static_cast<int64_t>(j) * DIM, scale + j, out + j);
  const float* k = keys + static_cast<int64_t>(j) * DIM;
  switch (nk - j) {
    case 0: break;
    case 1: score_block16<1, DIM>(qT, w, hp, k, scale + j, out + j); break;
    case 2: score_block16<2, DIM>(qT, w, hp, k, scale + j, out + j); break;
    case 3: score_block16<3, DIM>(qT, w, hp, k, scale + j, out + j); break;
    case 4: score_block16<4, DIM>(qT, w, hp, k, scale + j, out + j); break;
    case 5: score_block16<5, DIM>(qT, w, hp, k, scale + j, out + j); break;
    case 6: score_block16<6, DIM>(qT, w, hp, k, scale + j, out + j); break;
    case 7: score_block16<7, DIM>(qT, w, hp, k, scale + j, out + j); break;
    case 8: score_block16<8, DIM>(qT, w, hp, k, scale + j, out + j); break;
    case 9: score_block16<9, DIM>(qT, w, hp, k, scale + j, out + j); break;
    case 10: score_block16<10, DIM>(qT, w, hp, k, scale + j, out + j); break;
    default: score_block16<11, DIM>(qT, w, hp, k, scale + j, out + j); break;
  }
}

// Keys in lanes (16 per register), 8 heads at a time: per d, NKV key loads and 8 broadcast query values
// feed 8·NKV FMAs. Each (key, head) is the same FMA chain over d; the per-lane head totals T_l (heads
// l, l+8, … in ascending order) and their v8_hsum tree are formed across registers instead of lanes.
template <int NKV, int DIM>
void score_t(const float* qT, const float* w, int hp, const float* kT, int64_t ld, const float* scale, float* out) {
  alignas(64) float T[8][NKV][16];
  for (int g = 0; g < hp; g += 8) {
    __m512 acc[8][NKV];
    for (int h = 0; h < 8; ++h)
      for (int v = 0; v < NKV; ++v) acc[h][v] = _mm512_setzero_ps();
    const float* qd = qT + g;
    const float* kd = kT;
    for (int d = 0; d < DIM; ++d, qd += hp, kd += ld) {
      __m512 k[NKV];
      for (int v = 0; v < NKV; ++v) k[v] = _mm512_loadu_ps(kd + 16 * v);
      for (int h = 0; h < 8; ++h) {
        const __m512 q = _mm512_set1_ps(qd[h]);
        for (int v = 0; v < NKV; ++v) acc[h][v] = _mm512_fmadd_ps(q, k[v], acc[h][v]);
      }
    }
    for (int h = 0; h < 8; ++h) {
      const __m512 wh = _mm512_set1_ps(w[g + h]);
      for (int v = 0; v < NKV; ++v) {
        const __m512 relu = _mm512_max_ps(acc[h][v], _mm512_setzero_ps());
        const __m512 prev = g == 0 ? _mm512_setzero_ps() : _mm512_load_ps(T[h][v]);
        _mm512_store_ps(T[h][v], _mm512_fmadd_ps(relu, wh, prev));
      }
    }
  }
  for (int v = 0; v < NKV; ++v) {
    auto t = [&](int l) { return _mm512_load_ps(T[l][v]); };
    const __m512 sum = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(t(0), t(4)), _mm512_add_ps(t(2), t(6))),
                                     _mm512_add_ps(_mm512_add_ps(t(1), t(5)), _mm512_add_ps(t(3), t(7))));
    _mm512_storeu_ps(out + 16 * v, _mm512_mul_ps(_mm512_loadu_ps(scale + 16 * v), sum));
  }
}
#pragma GCC diagnostic pop
#endif

}  // namespace

bool index_score_transposed_available() {
#if defined(__AVX512F__) && defined(__AVX512DQ__)
  return true;
#else
  return false;
#endif
}

void index_score_keys_t(const float* qT, const float* w, int hp, int dim, const float* kT, int64_t ld, const float* scale, int nk, float* out) {
#if defined(__AVX512F__) && defined(__AVX512DQ__)
  if (dim == 128) {
    int j = 0;
    for (; j + 48 <= nk; j += 48) score_t<3, 128>(qT, w, hp, kT + j, ld, scale + j, out + j);
    if (j < nk) {  // the rest in whole vectors (the tile is padded to 48 keys), then keep the valid ones
      alignas(64) float part[48];
      const int nkv = (nk - j + 15) / 16;
      if (nkv == 1) score_t<1, 128>(qT, w, hp, kT + j, ld, scale + j, part);
      else if (nkv == 2) score_t<2, 128>(qT, w, hp, kT + j, ld, scale + j, part);
      else score_t<3, 128>(qT, w, hp, kT + j, ld, scale + j, part);
      for (int i = 0; i < nk - j; ++i) out[j + i] = part[i];
    }
    return;
  }
#endif
  // Without AVX-512 (or at another dim): the keys back into rows, the row kernel — same results.
  std::vector<float> rows(static_cast<size_t>(nk) * dim);
  for (int j = 0; j < nk; ++j)
    for (int d = 0; d < dim; ++d) rows[static_cast<size_t>(j) * dim + d] = kT[d * ld + j];
  index_score_keys(qT, w, hp, dim, rows.data(), scale, nk, out);
}

void index_score_keys(const float* qT, const float* w, int hp, int dim, const float* keys, const float* scale, int nk, float* out) {
#if defined(__AVX512F__) && defined(__AVX512DQ__)
  if (hp % 16 == 0 && dim == 128) {
    if (hp == 16) score_keys16<12, 128>(qT, w, hp, keys, scale, nk, out);
    else score_keys16<6, 128>(qT, w, hp, keys, scale, nk, out);
    return;
  }
#endif
  int j = 0;
  for (; j + kKeys <= nk; j += kKeys) score_block<kKeys>(qT, w, hp, dim, keys + static_cast<int64_t>(j) * dim, scale + j, out + j);
  const float* k = keys + static_cast<int64_t>(j) * dim;
  switch (nk - j) {
    case 1: score_block<1>(qT, w, hp, dim, k, scale + j, out + j); break;
    case 2: score_block<2>(qT, w, hp, dim, k, scale + j, out + j); break;
    case 3: score_block<3>(qT, w, hp, dim, k, scale + j, out + j); break;
    case 4: score_block<4>(qT, w, hp, dim, k, scale + j, out + j); break;
    case 5: score_block<5>(qT, w, hp, dim, k, scale + j, out + j); break;
    default: break;
  }
}

}  // namespace dse
