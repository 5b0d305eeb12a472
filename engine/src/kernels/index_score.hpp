// Lightning-indexer scores (spec §5.2 step 8) of one query against a tile of cached keys:
//   score[s] = k_scale[s] · Σ_h w[h] · ReLU(q̂_h · k̂_s)
// with q̂ and k̂ FP8 values, decoded exactly to fp32. Heads run eight to a vector with the query
// transposed ([d][h]), six keys at a time (12 accumulators; with AVX-512 16 heads per register and
// twelve keys), so there is no horizontal sum per head.
// Fixed arithmetic, whatever the tile, the key grouping or which other queries are scored:
//  - each (key, head) dot product is one FMA chain over d = 0, 1, …, dim−1;
//  - lane l of the head sum takes heads l, l+8, l+16, … in ascending order (fma(ReLU(dot), w, acc));
//  - the eight lanes are added in the fixed v8_hsum tree, then multiplied by the key's scale.
// So a score never depends on tiling, threads or batch, and the scalar build computes the same.
#pragma once
#include <cstdint>

namespace dse {

// FP8 codes → fp32 values (exact), vectorised.
void fp8_decode_row(const uint8_t* codes, int n, float* out);

// qT: [dim × hp] query values (hp a multiple of 8; padded heads carry w = 0); w: [hp] per-head weights.
// keys: nk decoded keys, key j at keys + j·dim; scale: their scales. Writes out[0..nk).
void index_score_keys(const float* qT, const float* w, int hp, int dim, const float* keys, const float* scale, int nk, float* out);

// The same scores from keys stored transposed, kT[d·ld + j] for key j (ld ≥ nk rounded up to 48, the
// padding readable). With AVX-512 this runs keys in lanes, 48 keys × 8 heads per pass, which keeps the
// FMA units busier when many queries share a tile of keys (prefill); the results are identical.
bool index_score_transposed_available();
void index_score_keys_t(const float* qT, const float* w, int hp, int dim, const float* kT, int64_t ld, const float* scale, int nk, float* out);

}  // namespace dse
