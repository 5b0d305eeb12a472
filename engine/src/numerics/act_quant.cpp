#include "numerics/act_quant.hpp"

#include <algorithm>
#include <cmath>

#include "numerics/formats.hpp"

namespace dse {

float act_quant_scale(float amax, bool ue8m0) {
  float s = std::max(amax, 1e-4f) / 448.0f;
  return ue8m0 ? ue8m0_ceil(s) : s;
}

static float group_amax(const float* x) {
  float a = 0.0f;
  for (int i = 0; i < kQuantGroup; ++i) a = std::max(a, std::fabs(x[i]));
  return a;
}

void act_quant(const float* x, size_t n, bool ue8m0, uint8_t* q, float* scales) {
  for (size_t g = 0; g < n / kQuantGroup; ++g) {
    const float* xg = x + g * kQuantGroup;
    float s = act_quant_scale(group_amax(xg), ue8m0);
    scales[g] = s;
    for (int i = 0; i < kQuantGroup; ++i) {
      float v = std::clamp(xg[i] / s, -448.0f, 448.0f);
      q[g * kQuantGroup + i] = fp8_e4m3_encode(v);
    }
  }
}

void act_quant_roundtrip(float* x, size_t n, bool ue8m0, bool to_bf16) {
  for (size_t g = 0; g < n / kQuantGroup; ++g) {
    float* xg = x + g * kQuantGroup;
    float s = act_quant_scale(group_amax(xg), ue8m0);
    for (int i = 0; i < kQuantGroup; ++i) {
      float v = std::clamp(xg[i] / s, -448.0f, 448.0f);
      float r = fp8_e4m3_decode(fp8_e4m3_encode(v)) * s;
      xg[i] = to_bf16 ? round_bf16(r) : r;
    }
  }
}

}  // namespace dse
