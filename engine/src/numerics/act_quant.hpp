// Activation quantisation (spec §2.3): groups of 128 contiguous values → FP8 E4M3 codes plus one
// fp32 scale per group; amax floored at 1e-4, scale amax/448, rounded up to a power of two when the
// checkpoint's scale_fmt is ue8m0.
#pragma once
#include <cstddef>
#include <cstdint>

namespace dse {

constexpr int kQuantGroup = 128;

// Scale of one group, from its absolute maximum.
float act_quant_scale(float amax, bool ue8m0);

// Quantises n values (n a multiple of 128): q[n] codes, scales[n/128].
void act_quant(const float* x, size_t n, bool ue8m0, uint8_t* q, float* scales);

// Replaces x by its quantise→dequantise round trip code·scale. to_bf16 rounds the result to bf16
// (the MLA latent simulation §4.2 step 4 keeps bf16); without it the values are what an FP8 GEMM
// multiplies (exact in fp32 for power-of-two scales).
void act_quant_roundtrip(float* x, size_t n, bool ue8m0, bool to_bf16);

}  // namespace dse
