// Linear layers y = x · Wᵀ for the three weight formats (F32, BF16, FP8 E4M3 with 128×128 block
// scales), weights used in place (memory-mapped; FP8 is dequantised per panel inside the kernel).
//
// Batch invariance: y[m, n] is always computed the same way — one 8-lane fp32 accumulator running
// over k in ascending steps of 8, then a fixed horizontal reduction — whatever M is, whichever rows
// share the call, and however the N dimension is split over threads (K is never split). So a row's
// result never depends on the other rows in the batch.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "numerics/dtype.hpp"

namespace dse {

struct WeightMatrix {
  std::string name;
  DType dtype = DType::F32;  // F32, BF16 or F8_E4M3
  int64_t rows = 0, cols = 0;
  const uint8_t* data = nullptr;  // [rows, cols] row-major, as stored (alignment not assumed)
  std::vector<float> scale;       // F8_E4M3: block multipliers [ceil(rows/128), ceil(cols/128)]
  int64_t scale_cols = 0;

  bool fp8() const { return dtype == DType::F8_E4M3; }
  // Writes row r, columns [c0, c0+n), dequantised to fp32.
  void dequant_row(int64_t r, int64_t c0, int64_t n, float* out) const;
};

struct LinearOptions {
  bool round_bf16 = true;   // output stored as bf16 (every FP8/bf16 linear); false for fp32 outputs
  bool act_quant = false;   // "reference FP8" mode: act_quant the input before an FP8-weight linear
  bool ue8m0 = true;        // act_quant scale format
};

// y[m, n] (leading dimension ldy) for m < M, n in [row0, row0+nrows) of W (nrows < 0: all rows);
// x is [M, W.cols] with leading dimension ldx. Output column j of y is weight row row0 + j.
void linear(const WeightMatrix& W, const float* x, int64_t M, int64_t ldx, float* y, int64_t ldy, const LinearOptions& opt,
            int64_t row0 = 0, int64_t nrows = -1);

// Transposed product over a block of rows: y[m, c] = Σ_d x[m, d] · W[row0 + d, c] for c < W.cols,
// d < nrows, accumulated in ascending d (fp32). Used to absorb W_UK into the query (MLA decode).
void linear_transposed(const WeightMatrix& W, int64_t row0, int64_t nrows, const float* x, int64_t M, int64_t ldx, float* y, int64_t ldy);

}  // namespace dse
