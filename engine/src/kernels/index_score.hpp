// Lightning-indexer scores for one query against many cached keys (spec §5.2 step 8):
//   score[s] = k_scale[s] · Σ_h w[h] · ReLU(q̂_h · k̂_s)
// with q̂ and k̂ FP8 values (exact in fp32). Heads run eight to a vector with the query transposed
// ([d][h]), four keys at a time, so there is no horizontal sum per head; each (key, head) dot product
// is one FMA chain over d in order, whatever the grouping — results do not depend on how many keys
// or which other queries are scored.
#pragma once
#include <cstdint>

namespace dse {

// Where key s lives: its FP8 codes (dim bytes) and its scale.
struct IndexKeyRef {
  const uint8_t* codes;
  float scale;
};

// qT: [dim × hp] query values (hp a multiple of 8; padded heads carry w = 0); w: [hp] per-head weights.
// key(s) returns the IndexKeyRef of key s. Writes out[s - s0] for s in [s0, s1).
template <class KeyFn>
void index_scores(const float* qT, const float* w, int hp, int dim, KeyFn&& key, int64_t s0, int64_t s1, float* out);

// Non-template core: four keys' decoded values → four scores.
void index_scores_block(const float* qT, const float* w, int hp, int dim, const float* const* kdec, int nk, float* out);
// FP8 codes → fp32 values (exact), vectorised.
void fp8_decode_row(const uint8_t* codes, int n, float* out);

template <class KeyFn>
void index_scores(const float* qT, const float* w, int hp, int dim, KeyFn&& key, int64_t s0, int64_t s1, float* out) {
  alignas(32) float buf[4][1024];
  for (int64_t s = s0; s < s1; s += 4) {
    const int nk = static_cast<int>(s1 - s < 4 ? s1 - s : 4);
    const float* kd[4];
    float scale[4];
    for (int j = 0; j < nk; ++j) {
      const IndexKeyRef k = key(s + j);
      fp8_decode_row(k.codes, dim, buf[j]);
      kd[j] = buf[j];
      scale[j] = k.scale;
    }
    float raw[4];
    index_scores_block(qT, w, hp, dim, kd, nk, raw);
    for (int j = 0; j < nk; ++j) out[s - s0 + j] = scale[j] * raw[j];
  }
}

}  // namespace dse
