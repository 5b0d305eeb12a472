#include "numerics/formats.hpp"

#include <cmath>
#include <limits>

#include "kernels/simd.hpp"

namespace dse {

namespace {
struct Fp8Table {
  float v[256];
  Fp8Table() {
    for (int c = 0; c < 256; ++c) {
      int s = c >> 7, e = (c >> 3) & 15, m = c & 7;
      float mag;
      if (e == 15 && m == 7) mag = std::numeric_limits<float>::quiet_NaN();
      else if (e == 0) mag = std::ldexp(static_cast<float>(m) / 8.0f, -6);
      else mag = std::ldexp(1.0f + static_cast<float>(m) / 8.0f, e - 7);
      v[c] = s ? -mag : mag;
    }
  }
};
const Fp8Table kTable;
}  // namespace

const float* const fp8_e4m3_table = kTable.v;

uint8_t fp8_e4m3_encode(float x) {
  uint32_t u = f32_bits(x);
  uint8_t sign = static_cast<uint8_t>((u >> 24) & 0x80);
  u &= 0x7FFFFFFFu;
  if (u > 0x7F800000u) return 0x7F;                 // NaN
  if (u >= 0x43E00000u) return sign | 0x7E;          // |x| ≥ 448 (incl. inf): saturate
  if (u < 0x3C800000u) {                             // |x| < 2^-6: subnormal grid of 2^-9
    float f = bits_f32(u) * 512.0f;                  // exact scaling
    long m = std::lrint(f);                          // ties to even (default rounding mode)
    return sign | static_cast<uint8_t>(m);           // m == 8 is the min normal 0x08
  }
  u += 0x7FFFFu + ((u >> 20) & 1u);                  // round the mantissa to 3 bits, ties to even
  uint32_t e = (u >> 23) - 120u;                     // rebias 127 → 7
  uint32_t m = (u >> 20) & 7u;
  return sign | static_cast<uint8_t>((e << 3) | m);  // < 448 input never rounds past 448
}

void round_bf16_inplace(float* x, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) v8_store(x + i, v8_round_bf16(v8_load(x + i)));
  for (; i < n; ++i) x[i] = round_bf16(x[i]);
}

}  // namespace dse
