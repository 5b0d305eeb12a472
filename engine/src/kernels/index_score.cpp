#include "kernels/index_score.hpp"

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
template <int NK>
void block(const float* qT, const float* w, int hp, int dim, const float* const* kd, float* out) {
  V8 total[NK];
  for (int j = 0; j < NK; ++j) total[j] = v8_zero();
  // Sixteen heads (two vectors) per pass over d; the key values stay in L1 between passes.
  for (int g = 0; g < hp; g += 16) {
    const bool two = g + 8 < hp;
    V8 acc0[NK], acc1[NK];
    for (int j = 0; j < NK; ++j) acc0[j] = acc1[j] = v8_zero();
    for (int d = 0; d < dim; ++d) {
      const float* qd = qT + static_cast<int64_t>(d) * hp + g;
      const V8 q0 = v8_load(qd);
      const V8 q1 = two ? v8_load(qd + 8) : v8_zero();
      for (int j = 0; j < NK; ++j) {
        const V8 k = v8_set1(kd[j][d]);
        acc0[j] = v8_fma(q0, k, acc0[j]);
        acc1[j] = v8_fma(q1, k, acc1[j]);
      }
    }
    const V8 w0 = v8_load(w + g), w1 = two ? v8_load(w + g + 8) : v8_zero();
    for (int j = 0; j < NK; ++j) {
      total[j] = v8_fma(v8_max(acc0[j], v8_zero()), w0, total[j]);
      if (two) total[j] = v8_fma(v8_max(acc1[j], v8_zero()), w1, total[j]);
    }
  }
  for (int j = 0; j < NK; ++j) out[j] = v8_hsum(total[j]);
}
}  // namespace

void index_scores_block(const float* qT, const float* w, int hp, int dim, const float* const* kdec, int nk, float* out) {
  switch (nk) {
    case 1: block<1>(qT, w, hp, dim, kdec, out); break;
    case 2: block<2>(qT, w, hp, dim, kdec, out); break;
    case 3: block<3>(qT, w, hp, dim, kdec, out); break;
    default: block<4>(qT, w, hp, dim, kdec, out); break;
  }
}

}  // namespace dse
