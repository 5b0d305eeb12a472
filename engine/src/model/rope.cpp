#include "model/rope.hpp"

#include <algorithm>
#include <cmath>

namespace dse {

Rope::Rope(const ModelConfig& c) {
  const int d = c.qk_rope_head_dim;
  const double theta = c.rope_theta;
  freq_.resize(static_cast<size_t>(d / 2));
  std::vector<double> f(static_cast<size_t>(d / 2));
  for (int i = 0; i < d / 2; ++i) f[static_cast<size_t>(i)] = std::pow(theta, -2.0 * i / d);
  if (c.yarn) {
    // corr(r) = d·ln(L0/(2π·r)) / (2·ln θ); low = max(floor(corr(β_fast)), 0), high = min(ceil(corr(β_slow)), d−1).
    auto corr = [&](double r) { return d * std::log(c.original_max_position_embeddings / (2.0 * M_PI * r)) / (2.0 * std::log(theta)); };
    low_ = std::max(std::floor(corr(c.beta_fast)), 0.0);
    high_ = std::min(std::ceil(corr(c.beta_slow)), static_cast<double>(d - 1));
    double hi = high_ == low_ ? high_ + 0.001 : high_;
    for (int i = 0; i < d / 2; ++i) {
      double ramp = std::clamp((i - low_) / (hi - low_), 0.0, 1.0);
      double fi = f[static_cast<size_t>(i)];
      f[static_cast<size_t>(i)] = fi * (1.0 - ramp) + (fi / c.rope_factor) * ramp;
    }
  }
  for (int i = 0; i < d / 2; ++i) freq_[static_cast<size_t>(i)] = static_cast<float>(f[static_cast<size_t>(i)]);
}

void Rope::angles(int t, float* cos_out, float* sin_out) const {
  const float tf = static_cast<float>(t);
  for (size_t i = 0; i < freq_.size(); ++i) {
    const float phi = tf * freq_[i];  // fp32 product, as the reference (torch.outer of fp32 vectors)
    cos_out[i] = static_cast<float>(std::cos(static_cast<double>(phi)));
    sin_out[i] = static_cast<float>(std::sin(static_cast<double>(phi)));
  }
}

void rope_interleaved(float* x, const float* cos, const float* sin, int half) {
  for (int i = 0; i < half; ++i) {
    const float a = x[2 * i], b = x[2 * i + 1];
    x[2 * i] = a * cos[i] - b * sin[i];
    x[2 * i + 1] = a * sin[i] + b * cos[i];
  }
}

void rope_half_split(float* x, const float* cos, const float* sin, int half) {
  for (int i = 0; i < half; ++i) {
    const float a = x[i], b = x[i + half];
    x[i] = a * cos[i] - b * sin[i];
    x[i + half] = b * cos[i] + a * sin[i];
  }
}

}  // namespace dse
