// An 8-lane fp32 vector with one portable API: AVX2+FMA intrinsics when the compiler targets them,
// a lane-by-lane scalar emulation otherwise. Kernels are written once against it, so the scalar
// build has the same accumulation structure (lanes, order, final reduction) as the AVX2 build.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define DSE_AVX2 1
#else
#define DSE_AVX2 0
#endif

namespace dse {

#if DSE_AVX2

struct V8 {
  __m256 v;
};
inline V8 v8_zero() { return {_mm256_setzero_ps()}; }
inline V8 v8_set1(float a) { return {_mm256_set1_ps(a)}; }
inline V8 v8_load(const float* p) { return {_mm256_loadu_ps(p)}; }
inline void v8_store(float* p, V8 a) { _mm256_storeu_ps(p, a.v); }
inline V8 v8_add(V8 a, V8 b) { return {_mm256_add_ps(a.v, b.v)}; }
inline V8 v8_mul(V8 a, V8 b) { return {_mm256_mul_ps(a.v, b.v)}; }
inline V8 v8_max(V8 a, V8 b) { return {_mm256_max_ps(a.v, b.v)}; }
// a·b + c, fused.
inline V8 v8_fma(V8 a, V8 b, V8 c) { return {_mm256_fmadd_ps(a.v, b.v, c.v)}; }

// Loads n < 8 floats, zero-filling the other lanes.
inline V8 v8_load_partial(const float* p, int n) {
  alignas(32) float buf[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  std::memcpy(buf, p, sizeof(float) * static_cast<size_t>(n));
  return {_mm256_load_ps(buf)};
}

// Fixed-order horizontal sum: (l0+l4, l1+l5, l2+l6, l3+l7) → pairs → total.
inline float v8_hsum(V8 a) {
  __m128 lo = _mm256_castps256_ps128(a.v);
  __m128 hi = _mm256_extractf128_ps(a.v, 1);
  __m128 s = _mm_add_ps(lo, hi);            // [0+4, 1+5, 2+6, 3+7]
  __m128 t = _mm_movehl_ps(s, s);           // [2+6, 3+7, ...]
  __m128 u = _mm_add_ps(s, t);              // [(0+4)+(2+6), (1+5)+(3+7)]
  __m128 w = _mm_shuffle_ps(u, u, 0x55);
  return _mm_cvtss_f32(_mm_add_ss(u, w));
}

// 8 FP8 E4M3 codes → their values · 2^-120, by moving the bits into an fp32 (exact for normal and
// subnormal codes; the NaN code is not special-cased). Multiply by (block scale · 2^120) afterwards.
// Sign-extending the byte puts copies of the sign in bits 8..31; shifted left by 20 the exponent and
// mantissa land in bits 20..26 and the sign in 27..31, and one AND keeps bit 31 and bits 20..26.
inline V8 v8_fp8_times_2m120(const uint8_t* p) {
  __m256i v = _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
  v = _mm256_and_si256(_mm256_slli_epi32(v, 20), _mm256_set1_epi32(static_cast<int>(0x87F00000u)));
  return {_mm256_castsi256_ps(v)};
}

// 8 bf16 values → fp32.
inline V8 v8_bf16(const uint16_t* p) {
  __m256i v = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  return {_mm256_castsi256_ps(_mm256_slli_epi32(v, 16))};
}

// Each lane rounded to the nearest bf16 value (ties to even), as round_bf16; NaN stays a quiet NaN.
inline V8 v8_round_bf16(V8 a) {
  const __m256i u = _mm256_castps_si256(a.v);
  const __m256i hi = _mm256_set1_epi32(static_cast<int>(0xFFFF0000u));
  const __m256i odd = _mm256_and_si256(_mm256_srli_epi32(u, 16), _mm256_set1_epi32(1));
  const __m256i r = _mm256_and_si256(_mm256_add_epi32(_mm256_add_epi32(u, _mm256_set1_epi32(0x7FFF)), odd), hi);
  const __m256i q = _mm256_and_si256(_mm256_or_si256(u, _mm256_set1_epi32(0x00400000)), hi);
  const __m256i nan = _mm256_cmpgt_epi32(_mm256_and_si256(u, _mm256_set1_epi32(0x7FFFFFFF)), _mm256_set1_epi32(0x7F800000));
  return {_mm256_castsi256_ps(_mm256_blendv_epi8(r, q, nan))};
}

#else  // scalar emulation

struct V8 {
  float l[8];
};
inline V8 v8_zero() { return {{0, 0, 0, 0, 0, 0, 0, 0}}; }
inline V8 v8_set1(float a) { return {{a, a, a, a, a, a, a, a}}; }
inline V8 v8_load(const float* p) {
  V8 r;
  std::memcpy(r.l, p, sizeof r.l);
  return r;
}
inline void v8_store(float* p, V8 a) { std::memcpy(p, a.l, sizeof a.l); }
inline V8 v8_add(V8 a, V8 b) {
  for (int i = 0; i < 8; ++i) a.l[i] += b.l[i];
  return a;
}
inline V8 v8_mul(V8 a, V8 b) {
  for (int i = 0; i < 8; ++i) a.l[i] *= b.l[i];
  return a;
}
inline V8 v8_max(V8 a, V8 b) {
  for (int i = 0; i < 8; ++i) a.l[i] = a.l[i] > b.l[i] ? a.l[i] : b.l[i];
  return a;
}
inline V8 v8_fma(V8 a, V8 b, V8 c) {
  for (int i = 0; i < 8; ++i) c.l[i] = a.l[i] * b.l[i] + c.l[i];
  return c;
}
inline V8 v8_load_partial(const float* p, int n) {
  V8 r = v8_zero();
  std::memcpy(r.l, p, sizeof(float) * static_cast<size_t>(n));
  return r;
}
inline float v8_hsum(V8 a) {
  float s0 = a.l[0] + a.l[4], s1 = a.l[1] + a.l[5], s2 = a.l[2] + a.l[6], s3 = a.l[3] + a.l[7];
  return (s0 + s2) + (s1 + s3);
}
inline V8 v8_fp8_times_2m120(const uint8_t* p) {
  V8 r;
  for (int i = 0; i < 8; ++i) {
    uint32_t u = (static_cast<uint32_t>(p[i] & 0x80) << 24) | (static_cast<uint32_t>(p[i] & 0x7F) << 20);
    std::memcpy(&r.l[i], &u, 4);
  }
  return r;
}
inline V8 v8_bf16(const uint16_t* p) {
  V8 r;
  for (int i = 0; i < 8; ++i) {
    uint16_t b;
    std::memcpy(&b, p + i, 2);
    uint32_t u = static_cast<uint32_t>(b) << 16;
    std::memcpy(&r.l[i], &u, 4);
  }
  return r;
}
inline V8 v8_round_bf16(V8 a) {
  for (int i = 0; i < 8; ++i) {
    uint32_t u;
    std::memcpy(&u, &a.l[i], 4);
    if ((u & 0x7FFFFFFFu) > 0x7F800000u) u = (u | 0x00400000u) & 0xFFFF0000u;
    else u = (u + 0x7FFFu + ((u >> 16) & 1u)) & 0xFFFF0000u;
    std::memcpy(&a.l[i], &u, 4);
  }
  return a;
}

#endif

// Dot product of n floats with the fixed 8-lane structure every kernel uses.
inline float dot_f32(const float* a, const float* b, int64_t n) {
  V8 acc = v8_zero();
  int64_t k = 0;
  for (; k + 8 <= n; k += 8) acc = v8_fma(v8_load(a + k), v8_load(b + k), acc);
  if (k < n) acc = v8_fma(v8_load_partial(a + k, static_cast<int>(n - k)), v8_load_partial(b + k, static_cast<int>(n - k)), acc);
  return v8_hsum(acc);
}

// Dot product of fp32 a with bf16 b (cache rows), same 8-lane structure.
inline float dot_f32_bf16(const float* a, const uint16_t* b, int64_t n) {
  V8 acc = v8_zero();
  int64_t k = 0;
  for (; k + 8 <= n; k += 8) acc = v8_fma(v8_load(a + k), v8_bf16(b + k), acc);
  if (k < n) {
    uint16_t tail[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    std::memcpy(tail, b + k, sizeof(uint16_t) * static_cast<size_t>(n - k));
    acc = v8_fma(v8_load_partial(a + k, static_cast<int>(n - k)), v8_bf16(tail), acc);
  }
  return v8_hsum(acc);
}

// y[0..n) += a · bf16 x[0..n)
inline void axpy_bf16(float a, const uint16_t* x, float* y, int64_t n) {
  V8 va = v8_set1(a);
  int64_t k = 0;
  for (; k + 8 <= n; k += 8) v8_store(y + k, v8_fma(va, v8_bf16(x + k), v8_load(y + k)));
  for (; k < n; ++k) {
    uint32_t u = static_cast<uint32_t>(x[k]) << 16;
    float xf;
    std::memcpy(&xf, &u, 4);
    y[k] = a * xf + y[k];
  }
}

// y[0..n) += a · x[0..n)
inline void axpy_f32(float a, const float* x, float* y, int64_t n) {
  V8 va = v8_set1(a);
  int64_t k = 0;
  for (; k + 8 <= n; k += 8) v8_store(y + k, v8_fma(va, v8_load(x + k), v8_load(y + k)));
  for (; k < n; ++k) y[k] = a * x[k] + y[k];
}

}  // namespace dse
