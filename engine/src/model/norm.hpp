// Normalisations (spec §2.5, §2.6), computed in fp32 with bf16 outputs.
#pragma once

namespace dse {

// y = bf16(w ⊙ (x · (mean(x²) + eps)^-½)).
void rms_norm(const float* x, const float* w, int n, float eps, float* y);

// Fused residual form: s = x + r in fp32; y = rms_norm(s) on the unrounded sum; r ← bf16(s).
void rms_norm_residual(const float* x, float* residual, const float* w, int n, float eps, float* y);

// y = bf16((x − mean) / √(var + eps) · w + b), biased variance (the indexer's k_norm).
void layer_norm(const float* x, const float* w, const float* b, int n, float eps, float* y);

}  // namespace dse
