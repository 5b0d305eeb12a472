#include "numerics/act_quant.hpp"

#include <algorithm>
#include <cmath>

#include "kernels/simd.hpp"
#include "numerics/formats.hpp"

namespace dse {

float act_quant_scale(float amax, bool ue8m0) {
  float s = std::max(amax, 1e-4f) / 448.0f;
  return ue8m0 ? ue8m0_ceil(s) : s;
}

namespace {

float group_amax(const float* x) {
  float a = 0.0f;
  int i = 0;
#if DSE_AVX2
  // max(|x|, acc) keeps acc when |x| is NaN, as std::max(acc, |x|) does; max is exact, so any order.
  __m256 acc = _mm256_setzero_ps();
  const __m256 abs_mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
  for (; i + 8 <= kQuantGroup; i += 8) acc = _mm256_max_ps(_mm256_and_ps(_mm256_loadu_ps(x + i), abs_mask), acc);
  float lanes[8];
  _mm256_storeu_ps(lanes, acc);
  for (float l : lanes) a = std::max(a, l);
#endif
  for (; i < kQuantGroup; ++i) a = std::max(a, std::fabs(x[i]));
  return a;
}

#if DSE_AVX2
// fp8_e4m3_encode(clamp(x / s, −448, 448)) for 8 values, bit for bit: the codes in the low byte of each lane.
inline __m256i encode8(const float* x, __m256 s) {
  __m256 v = _mm256_div_ps(_mm256_loadu_ps(x), s);
  // std::clamp(v, −448, 448): a NaN passes through (min/max return their second operand then).
  v = _mm256_max_ps(_mm256_set1_ps(-448.0f), _mm256_min_ps(_mm256_set1_ps(448.0f), v));
  const __m256i u = _mm256_castps_si256(v);
  const __m256i sign = _mm256_and_si256(_mm256_srli_epi32(u, 24), _mm256_set1_epi32(0x80));
  const __m256i a = _mm256_and_si256(u, _mm256_set1_epi32(0x7FFFFFFF));
  // Normal: round the mantissa to 3 bits (ties to even), rebias the exponent 127 → 7.
  const __m256i un = _mm256_add_epi32(a, _mm256_add_epi32(_mm256_set1_epi32(0x7FFFF), _mm256_and_si256(_mm256_srli_epi32(a, 20), _mm256_set1_epi32(1))));
  const __m256i normal = _mm256_or_si256(_mm256_slli_epi32(_mm256_sub_epi32(_mm256_srli_epi32(un, 23), _mm256_set1_epi32(120)), 3),
                                         _mm256_and_si256(_mm256_srli_epi32(un, 20), _mm256_set1_epi32(7)));
  // Subnormal (|v| < 2^-6): the grid of 2^-9, round to nearest even (cvtps rounds as lrint does).
  const __m256i sub = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_castsi256_ps(a), _mm256_set1_ps(512.0f)));
  __m256i code = _mm256_blendv_epi8(normal, sub, _mm256_cmpgt_epi32(_mm256_set1_epi32(0x3C800000), a));
  code = _mm256_blendv_epi8(code, _mm256_set1_epi32(0x7E), _mm256_cmpgt_epi32(a, _mm256_set1_epi32(0x43DFFFFF)));
  code = _mm256_or_si256(code, sign);
  return _mm256_blendv_epi8(code, _mm256_set1_epi32(0x7F), _mm256_cmpgt_epi32(a, _mm256_set1_epi32(0x7F800000)));
}

// The codes' values (fp8_e4m3_decode, NaN for 0x7F/0xFF) times s.
inline __m256 decode8(__m256i code, __m256 s) {
  const __m256i sx = _mm256_srai_epi32(_mm256_slli_epi32(code, 24), 24);  // sign-extended byte
  const __m256i bits = _mm256_and_si256(_mm256_slli_epi32(sx, 20), _mm256_set1_epi32(static_cast<int>(0x87F00000u)));
  __m256 v = _mm256_mul_ps(_mm256_castsi256_ps(bits), _mm256_set1_ps(1.329227995784916e36f));  // · 2^120: exact
  const __m256i nan = _mm256_cmpeq_epi32(_mm256_and_si256(code, _mm256_set1_epi32(0x7F)), _mm256_set1_epi32(0x7F));
  v = _mm256_blendv_ps(v, _mm256_set1_ps(NAN), _mm256_castsi256_ps(nan));
  return _mm256_mul_ps(v, s);
}
#endif

}  // namespace

void act_quant(const float* x, size_t n, bool ue8m0, uint8_t* q, float* scales) {
  for (size_t g = 0; g < n / kQuantGroup; ++g) {
    const float* xg = x + g * kQuantGroup;
    const float s = act_quant_scale(group_amax(xg), ue8m0);
    scales[g] = s;
    int i = 0;
#if DSE_AVX2
    const __m256 vs = _mm256_set1_ps(s);
    for (; i + 8 <= kQuantGroup; i += 8) {
      alignas(32) int32_t c[8];
      _mm256_store_si256(reinterpret_cast<__m256i*>(c), encode8(xg + i, vs));
      for (int j = 0; j < 8; ++j) q[g * kQuantGroup + static_cast<size_t>(i + j)] = static_cast<uint8_t>(c[j]);
    }
#endif
    for (; i < kQuantGroup; ++i) {
      float v = std::clamp(xg[i] / s, -448.0f, 448.0f);
      q[g * kQuantGroup + static_cast<size_t>(i)] = fp8_e4m3_encode(v);
    }
  }
}

void act_quant_roundtrip(float* x, size_t n, bool ue8m0, bool to_bf16) {
  for (size_t g = 0; g < n / kQuantGroup; ++g) {
    float* xg = x + g * kQuantGroup;
    const float s = act_quant_scale(group_amax(xg), ue8m0);
    int i = 0;
#if DSE_AVX2
    const __m256 vs = _mm256_set1_ps(s);
    for (; i + 8 <= kQuantGroup; i += 8) {
      const V8 r{decode8(encode8(xg + i, vs), vs)};
      v8_store(xg + i, to_bf16 ? v8_round_bf16(r) : r);
    }
#endif
    for (; i < kQuantGroup; ++i) {
      float v = std::clamp(xg[i] / s, -448.0f, 448.0f);
      float r = fp8_e4m3_decode(fp8_e4m3_encode(v)) * s;
      xg[i] = to_bf16 ? round_bf16(r) : r;
    }
  }
}

}  // namespace dse
