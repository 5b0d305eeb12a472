// Rotary position embedding with YaRN (spec §2.7): one frequency table shared by MLA and the indexer;
// the angle t·f'_i is an fp32 product (as the reference forms it), cos/sin of that fp32 angle.
// Two layouts: interleaved pairs (x[2i], x[2i+1]) for MLA, half-split pairs (x[i], x[i+d/2]) for the
// indexer — the post-fix reference (§0).
#pragma once
#include <vector>

#include "model/config.hpp"

namespace dse {

class Rope {
 public:
  Rope() = default;
  explicit Rope(const ModelConfig& c);

  int half() const { return static_cast<int>(freq_.size()); }
  // f'_i as fp32 (i < half).
  const std::vector<float>& freqs() const { return freq_; }
  // YaRN ramp bounds (low, high) after clamping; both 0 when YaRN is off.
  double low() const { return low_; }
  double high() const { return high_; }
  // cos/sin of φ(t, i) for i < half.
  void angles(int t, float* cos_out, float* sin_out) const;

 private:
  std::vector<float> freq_;
  double low_ = 0, high_ = 0;
};

// Rotate in place in fp32 (the caller rounds to bf16). d = 2·half elements starting at x.
void rope_interleaved(float* x, const float* cos, const float* sin, int half);
void rope_half_split(float* x, const float* cos, const float* sin, int half);

}  // namespace dse
