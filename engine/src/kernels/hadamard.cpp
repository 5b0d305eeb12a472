#include "kernels/hadamard.hpp"

#include <cmath>

#include "kernels/simd.hpp"

namespace dse {

namespace {
void hadamard_scalar(float* x, int n) {
  for (int h = 1; h < n; h *= 2)
    for (int i = 0; i < n; i += 2 * h)
      for (int j = i; j < i + h; ++j) {
        float a = x[j], b = x[j + h];
        x[j] = a + b;
        x[j + h] = a - b;
      }
}

#if DSE_AVX2
// The same butterflies eight lanes at a time. Stages 1, 2, 4 stay inside a vector: lane j gets
// a + b, lane j+h gets a + (−b), which is a − b bit for bit (IEEE subtraction is addition of the negation).
void hadamard_avx2(float* x, int n) {
  const __m256 neg1 = _mm256_castsi256_ps(_mm256_setr_epi32(0, INT32_MIN, 0, INT32_MIN, 0, INT32_MIN, 0, INT32_MIN));
  const __m256 neg2 = _mm256_castsi256_ps(_mm256_setr_epi32(0, 0, INT32_MIN, INT32_MIN, 0, 0, INT32_MIN, INT32_MIN));
  const __m256 neg4 = _mm256_castsi256_ps(_mm256_setr_epi32(0, 0, 0, 0, INT32_MIN, INT32_MIN, INT32_MIN, INT32_MIN));
  const __m256i lo1 = _mm256_setr_epi32(0, 0, 2, 2, 4, 4, 6, 6), hi1 = _mm256_setr_epi32(1, 1, 3, 3, 5, 5, 7, 7);
  const __m256i lo2 = _mm256_setr_epi32(0, 1, 0, 1, 4, 5, 4, 5), hi2 = _mm256_setr_epi32(2, 3, 2, 3, 6, 7, 6, 7);
  const __m256i lo4 = _mm256_setr_epi32(0, 1, 2, 3, 0, 1, 2, 3), hi4 = _mm256_setr_epi32(4, 5, 6, 7, 4, 5, 6, 7);
  for (int i = 0; i < n; i += 8) {
    __m256 v = _mm256_loadu_ps(x + i);
    v = _mm256_add_ps(_mm256_permutevar8x32_ps(v, lo1), _mm256_xor_ps(_mm256_permutevar8x32_ps(v, hi1), neg1));
    v = _mm256_add_ps(_mm256_permutevar8x32_ps(v, lo2), _mm256_xor_ps(_mm256_permutevar8x32_ps(v, hi2), neg2));
    v = _mm256_add_ps(_mm256_permutevar8x32_ps(v, lo4), _mm256_xor_ps(_mm256_permutevar8x32_ps(v, hi4), neg4));
    _mm256_storeu_ps(x + i, v);
  }
  for (int h = 8; h < n; h *= 2)
    for (int i = 0; i < n; i += 2 * h)
      for (int j = i; j < i + h; j += 8) {
        const __m256 a = _mm256_loadu_ps(x + j), b = _mm256_loadu_ps(x + j + h);
        _mm256_storeu_ps(x + j, _mm256_add_ps(a, b));
        _mm256_storeu_ps(x + j + h, _mm256_sub_ps(a, b));
      }
}
#endif
}  // namespace

void hadamard_inplace(float* x, int n) {
#if DSE_AVX2
  if (n % 8 == 0) hadamard_avx2(x, n);
  else hadamard_scalar(x, n);
#else
  hadamard_scalar(x, n);
#endif
  const float scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(n)));
  int i = 0;
  const V8 vs = v8_set1(scale);
  for (; i + 8 <= n; i += 8) v8_store(x + i, v8_mul(v8_load(x + i), vs));
  for (; i < n; ++i) x[i] *= scale;
}

}  // namespace dse
