#include "model/norm.hpp"

#include <cmath>

#include "numerics/formats.hpp"

namespace dse {

void rms_norm(const float* x, const float* w, int n, float eps, float* y) {
  double ss = 0;
  for (int i = 0; i < n; ++i) ss += static_cast<double>(x[i]) * x[i];
  const float var = static_cast<float>(ss / n);
  const float r = 1.0f / std::sqrt(var + eps);
  for (int i = 0; i < n; ++i) y[i] = round_bf16(w[i] * (x[i] * r));
}

void rms_norm_residual(const float* x, float* residual, const float* w, int n, float eps, float* y) {
  double ss = 0;
  for (int i = 0; i < n; ++i) {
    const float s = x[i] + residual[i];
    residual[i] = s;  // unrounded for the norm below, rounded at the end
    ss += static_cast<double>(s) * s;
  }
  const float var = static_cast<float>(ss / n);
  const float r = 1.0f / std::sqrt(var + eps);
  for (int i = 0; i < n; ++i) {
    y[i] = round_bf16(w[i] * (residual[i] * r));
    residual[i] = round_bf16(residual[i]);
  }
}

void layer_norm(const float* x, const float* w, const float* b, int n, float eps, float* y) {
  double sum = 0;
  for (int i = 0; i < n; ++i) sum += x[i];
  const double mean = sum / n;
  double var = 0;
  for (int i = 0; i < n; ++i) var += (x[i] - mean) * (x[i] - mean);
  var /= n;
  const double r = 1.0 / std::sqrt(var + eps);
  for (int i = 0; i < n; ++i) y[i] = round_bf16(static_cast<float>((x[i] - mean) * r * w[i] + b[i]));
}

}  // namespace dse
