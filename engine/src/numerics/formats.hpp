// Number formats of the model (spec §2.1): bfloat16 with round-to-nearest-even, FP8 E4M3 ("fn":
// no infinities, S.1111.111 = NaN, max ±448) with a 256-entry decode table and a saturating
// round-to-nearest-even encoder, and the UE8M0 power-of-two scale rounding.
#pragma once
#include <cstdint>
#include <cstring>

namespace dse {

inline uint32_t f32_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
inline float bits_f32(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

// fp32 → bf16 bits, round to nearest even; NaN stays a (quiet) NaN.
inline uint16_t f32_to_bf16_bits(float f) {
  uint32_t u = f32_bits(f);
  if ((u & 0x7FFFFFFFu) > 0x7F800000u) return static_cast<uint16_t>((u >> 16) | 0x40);
  u += 0x7FFFu + ((u >> 16) & 1u);
  return static_cast<uint16_t>(u >> 16);
}
inline float bf16_bits_to_f32(uint16_t b) { return bits_f32(static_cast<uint32_t>(b) << 16); }
// Rounds an fp32 value to the nearest bf16 value, kept in fp32 (how activations are stored here).
inline float round_bf16(float f) { return bf16_bits_to_f32(f32_to_bf16_bits(f)); }
void round_bf16_inplace(float* x, size_t n);

// FP8 E4M3 decode table: fp8_e4m3_table[code] = value (0x7F / 0xFF decode to NaN).
extern const float* const fp8_e4m3_table;
inline float fp8_e4m3_decode(uint8_t code) { return fp8_e4m3_table[code]; }
// Encode with saturation to ±448 and round-to-nearest-even; NaN encodes to 0x7F.
uint8_t fp8_e4m3_encode(float x);

// UE8M0 rounding of a positive scale: 2^ceil(log2(s)), exact on the fp32 bit pattern (spec §2.3).
inline float ue8m0_ceil(float s) {
  uint32_t u = f32_bits(s);
  int32_t e = static_cast<int32_t>((u >> 23) & 0xFF);
  uint32_t m = u & 0x7FFFFFu;
  if (e == 0) {
    // Subnormal input (never happens with amax ≥ 1e-4, but stay exact): 2^ceil(log2 s).
    if (m == 0) return 0.0f;
    int hi = 31 - __builtin_clz(m);  // s = m · 2^-149, highest bit hi
    int p = hi - 149 + ((m & (m - 1)) ? 1 : 0);
    return p >= -126 ? bits_f32(static_cast<uint32_t>(p + 127) << 23) : bits_f32(1u << (p + 149));
  }
  if (m != 0) ++e;
  if (e >= 255) return bits_f32(0x7F800000u);
  return bits_f32(static_cast<uint32_t>(e) << 23);
}

}  // namespace dse
