// Register-blocked GEMM for linear layers over many rows (prefill, MoE experts): a micro-kernel of
// 12 rows × 32 outputs with AVX-512 (24 zmm accumulators), 6 × 16 otherwise (12 ymm); weights are
// dequantised once per panel of 32 (16) rows and reused by every row of the call.
//
// Bit-identical per row to linear()'s dot-product path, hence batch-invariant: that path computes
// y[m, n] with an 8-lane accumulator whose lane l runs over k = l, l+8, l+16, … in ascending order
// (the K tail zero-filled), then adds the lanes in v8_hsum's fixed tree. Here the lanes of a vector
// are 16 outputs instead, and the eight residue classes of k are eight passes of the same FMA chains;
// their partial sums are combined in the same tree. Same operations, same order, same roundings.
#pragma once
#include <cstdint>

#include "kernels/linear.hpp"

namespace dse {

#if defined(__AVX512F__)
#define DSE_GEMM_AVX512 1
constexpr int kGemmRows = 12;  // activation rows per micro-kernel
constexpr int kGemmCols = 32;  // outputs (weight rows, or keys) per micro-kernel
#else
#define DSE_GEMM_AVX512 0
constexpr int kGemmRows = 6;
constexpr int kGemmCols = 16;
#endif
constexpr int kGemmMinRows = 6;  // linear() uses the GEMM from this many rows, the dot-product path below

// The micro-kernel and its operand packing, for callers that build their own operands (attention
// scores are Q·Kᵀ with keys as the "weight rows"). K is padded to J = ⌈K/8⌉ steps of 8 with zeros.
inline int64_t gemm_steps(int64_t K) { return (K + 7) / 8; }
// Rows x[m, 0..K) (leading dimension ldx), m < M, into ⌈M/kGemmRows⌉ packed blocks of 8·J·kGemmRows floats.
void gemm_pack_rows(const float* x, int64_t M, int64_t ldx, int64_t K, float* xp);
// One panel of nr ≤ kGemmCols columns into 8·J·kGemmCols floats: column i is the fp32 vector col[i][0..K), or the
// bf16 vector colb[i][0..K).
void gemm_pack_cols(const float* const* col, int nr, int64_t K, float* wp);
void gemm_pack_cols_bf16(const uint16_t* const* colb, int nr, int64_t K, float* wp);
// out[r][i] = the dot product of packed row r with packed column i, in linear()'s order (see above).
void gemm_tile(const float* xp_block, const float* wp_panel, int64_t J, float out[kGemmRows][kGemmCols]);

// y[m, j] = Σ_k x[m, k] · W[row0 + j, k] for m < M, j < N (x leading dimension ldx, y ldy); rounded to
// bf16 when round_bf16. Threads split the output columns (16-row panels of W), never K.
void gemm_rows(const WeightMatrix& W, int64_t row0, int64_t N, const float* x, int64_t M, int64_t ldx, float* y, int64_t ldy, bool round_bf16);

}  // namespace dse
