#include "kernels/linear.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include "kernels/gemm.hpp"
#include "kernels/parallel.hpp"
#include "kernels/simd.hpp"
#include "numerics/act_quant.hpp"
#include "numerics/formats.hpp"

namespace dse {

namespace {
constexpr int kNR = 4;  // weight rows per panel
constexpr int kMR = 2;  // activation rows per micro-kernel call
constexpr float k2p120 = 1.329227995784916e36f;  // 2^120
}  // namespace

void WeightMatrix::dequant_row(int64_t r, int64_t c0, int64_t n, float* out) const {
  switch (dtype) {
    case DType::F32:
      std::memcpy(out, data + (r * cols + c0) * 4, static_cast<size_t>(n) * 4);
      return;
    case DType::BF16: {
      const uint16_t* p = reinterpret_cast<const uint16_t*>(data) + r * cols + c0;
      int64_t i = 0;
      for (; i + 8 <= n; i += 8) v8_store(out + i, v8_bf16(p + i));
      for (; i < n; ++i) {
        uint16_t b;
        std::memcpy(&b, p + i, 2);
        out[i] = bf16_bits_to_f32(b);
      }
      return;
    }
    case DType::F8_E4M3: {
      const uint8_t* p = data + r * cols + c0;
      const float* srow = scale.data() + (r / 128) * scale_cols;
      int64_t i = 0;
      while (i < n) {
        int64_t c = c0 + i;
        int64_t block_end = std::min<int64_t>(n, (c / 128 + 1) * 128 - c0);
        float s = srow[c / 128];
        // Whole 8-groups inside the block via the bit trick, the rest through the table; both give
        // the correctly rounded value of code·scale (checked by the selftest).
        if ((c & 7) == 0) {
          V8 vs = v8_set1(s * k2p120);
          for (; i + 8 <= block_end; i += 8) v8_store(out + i, v8_mul(v8_fp8_times_2m120(p + i), vs));
        }
        for (; i < block_end; ++i) out[i] = fp8_e4m3_decode(p[i]) * s;
      }
      return;
    }
    default:
      std::memset(out, 0, static_cast<size_t>(n) * 4);  // unreachable: the loader admits only the three formats
  }
}

namespace {

// out[m][n] = dot(x[m], w[n]) over K, for m < MR_, n < NR_ (one accumulator per pair).
template <int MR_, int NR_>
void micro_kernel(const float* const* xr, const float* const* wr, int64_t K, float out[kMR][kNR]) {
  V8 acc[MR_][NR_];
  for (int m = 0; m < MR_; ++m)
    for (int n = 0; n < NR_; ++n) acc[m][n] = v8_zero();
  int64_t k = 0;
  for (; k + 8 <= K; k += 8) {
    V8 w[NR_];
    for (int n = 0; n < NR_; ++n) w[n] = v8_load(wr[n] + k);
    for (int m = 0; m < MR_; ++m) {
      V8 xv = v8_load(xr[m] + k);
      for (int n = 0; n < NR_; ++n) acc[m][n] = v8_fma(xv, w[n], acc[m][n]);
    }
  }
  if (k < K) {
    int t = static_cast<int>(K - k);
    V8 w[NR_];
    for (int n = 0; n < NR_; ++n) w[n] = v8_load_partial(wr[n] + k, t);
    for (int m = 0; m < MR_; ++m) {
      V8 xv = v8_load_partial(xr[m] + k, t);
      for (int n = 0; n < NR_; ++n) acc[m][n] = v8_fma(xv, w[n], acc[m][n]);
    }
  }
  for (int m = 0; m < MR_; ++m)
    for (int n = 0; n < NR_; ++n) out[m][n] = v8_hsum(acc[m][n]);
}

template <int MR_>
void micro_dispatch_n(int nr, const float* const* xr, const float* const* wr, int64_t K, float out[kMR][kNR]) {
  switch (nr) {
    case 1: micro_kernel<MR_, 1>(xr, wr, K, out); break;
    case 2: micro_kernel<MR_, 2>(xr, wr, K, out); break;
    case 3: micro_kernel<MR_, 3>(xr, wr, K, out); break;
    default: micro_kernel<MR_, 4>(xr, wr, K, out); break;
  }
}

}  // namespace

namespace {

// Small-M path (decode): weights dequantised in registers and used at once, no panel round trip.
// Every weight value is computed exactly as dequant_row computes it and every (m, n) pair runs the
// same FMA sequence as micro_kernel, so a row's result is bit-identical on either path.
template <int MR_, int NR_>
void fused_kernel(const WeightMatrix& W, int64_t r0, const float* const* xr, int64_t K, float out[kMR][kNR]) {
  V8 acc[MR_][NR_];
  for (int m = 0; m < MR_; ++m)
    for (int n = 0; n < NR_; ++n) acc[m][n] = v8_zero();
  const int64_t kfull = K & ~static_cast<int64_t>(7);
  if (W.dtype == DType::F8_E4M3) {
    const uint8_t* wp[NR_];
    const float* sp[NR_];
    for (int n = 0; n < NR_; ++n) {
      wp[n] = W.data + (r0 + n) * K;
      sp[n] = W.scale.data() + ((r0 + n) / 128) * W.scale_cols;
    }
    for (int64_t kb = 0; kb < kfull; kb += 128) {
      V8 vs[NR_];
      for (int n = 0; n < NR_; ++n) vs[n] = v8_set1(sp[n][kb / 128] * k2p120);
      const int64_t kend = std::min(kfull, kb + 128);
      for (int64_t k = kb; k < kend; k += 8) {
        V8 w[NR_];
        for (int n = 0; n < NR_; ++n) w[n] = v8_mul(v8_fp8_times_2m120(wp[n] + k), vs[n]);
        for (int m = 0; m < MR_; ++m) {
          V8 xv = v8_load(xr[m] + k);
          for (int n = 0; n < NR_; ++n) acc[m][n] = v8_fma(xv, w[n], acc[m][n]);
        }
      }
    }
  } else if (W.dtype == DType::BF16) {
    const uint16_t* wp[NR_];
    for (int n = 0; n < NR_; ++n) wp[n] = reinterpret_cast<const uint16_t*>(W.data) + (r0 + n) * K;
    for (int64_t k = 0; k < kfull; k += 8) {
      V8 w[NR_];
      for (int n = 0; n < NR_; ++n) w[n] = v8_bf16(wp[n] + k);
      for (int m = 0; m < MR_; ++m) {
        V8 xv = v8_load(xr[m] + k);
        for (int n = 0; n < NR_; ++n) acc[m][n] = v8_fma(xv, w[n], acc[m][n]);
      }
    }
  } else {
    const float* wp[NR_];
    for (int n = 0; n < NR_; ++n) wp[n] = reinterpret_cast<const float*>(W.data) + (r0 + n) * K;
    for (int64_t k = 0; k < kfull; k += 8) {
      V8 w[NR_];
      for (int n = 0; n < NR_; ++n) w[n] = v8_load(wp[n] + k);
      for (int m = 0; m < MR_; ++m) {
        V8 xv = v8_load(xr[m] + k);
        for (int n = 0; n < NR_; ++n) acc[m][n] = v8_fma(xv, w[n], acc[m][n]);
      }
    }
  }
  if (kfull < K) {
    const int t = static_cast<int>(K - kfull);
    V8 w[NR_];
    for (int n = 0; n < NR_; ++n) {
      float tail[8];
      W.dequant_row(r0 + n, kfull, t, tail);
      w[n] = v8_load_partial(tail, t);
    }
    for (int m = 0; m < MR_; ++m) {
      V8 xv = v8_load_partial(xr[m] + kfull, t);
      for (int n = 0; n < NR_; ++n) acc[m][n] = v8_fma(xv, w[n], acc[m][n]);
    }
  }
  for (int m = 0; m < MR_; ++m)
    for (int n = 0; n < NR_; ++n) out[m][n] = v8_hsum(acc[m][n]);
}

template <int MR_>
void fused_dispatch_n(int nr, const WeightMatrix& W, int64_t r0, const float* const* xr, int64_t K, float out[kMR][kNR]) {
  switch (nr) {
    case 1: fused_kernel<MR_, 1>(W, r0, xr, K, out); break;
    case 2: fused_kernel<MR_, 2>(W, r0, xr, K, out); break;
    case 3: fused_kernel<MR_, 3>(W, r0, xr, K, out); break;
    default: fused_kernel<MR_, 4>(W, r0, xr, K, out); break;
  }
}

}  // namespace

void linear(const WeightMatrix& W, const float* x, int64_t M, int64_t ldx, float* y, int64_t ldy, const LinearOptions& opt, int64_t row0,
            int64_t nrows) {
  const int64_t K = W.cols;
  const int64_t N = nrows < 0 ? W.rows - row0 : nrows;
  if (M <= 0 || N <= 0) return;

  // Reference FP8 mode: the input goes through act_quant (1×128 groups) first, as DeepSeek's
  // fp8_gemm does; the dequantised values are exact in fp32, so the GEMM below stays the same.
  std::vector<float> xq;
  if (opt.act_quant && W.fp8()) {
    xq.resize(static_cast<size_t>(M * K));
    for (int64_t m = 0; m < M; ++m) {
      std::memcpy(xq.data() + m * K, x + m * ldx, static_cast<size_t>(K) * 4);
      act_quant_roundtrip(xq.data() + m * K, static_cast<size_t>(K), opt.ue8m0, /*to_bf16=*/false);
    }
    x = xq.data();
    ldx = K;
  }

  if (M >= kGemmMinRows) {
    // Many rows: the register-blocked GEMM (bit-identical per row to the paths below).
    gemm_rows(W, row0, N, x, M, ldx, y, ldy, opt.round_bf16);
    return;
  }
  const int64_t panels = (N + kNR - 1) / kNR;
  const bool parallel = panels > 1 && M * N * K >= (1 << 15);
  if (M <= kMR) {
    // Decode-sized batches: dequantise in registers (same arithmetic as the panel path below).
    parallel_for(panels, parallel, [&](int64_t pb, int64_t pe) {
    for (int64_t p = pb; p < pe; ++p) {
      const int64_t n0 = p * kNR;
      const int nr = static_cast<int>(std::min<int64_t>(kNR, N - n0));
      const float* xr[kMR];
      for (int i = 0; i < M; ++i) xr[i] = x + i * ldx;
      float out[kMR][kNR];
      if (M == 2) fused_dispatch_n<2>(nr, W, row0 + n0, xr, K, out);
      else fused_dispatch_n<1>(nr, W, row0 + n0, xr, K, out);
      for (int i = 0; i < M; ++i)
        for (int j = 0; j < nr; ++j) y[i * ldy + n0 + j] = opt.round_bf16 ? round_bf16(out[i][j]) : out[i][j];
    }
    });
    return;
  }
  parallel_for(panels, parallel, [&](int64_t pb, int64_t pe) {
  for (int64_t p = pb; p < pe; ++p) {
    static thread_local std::vector<float> panel;
    if (panel.size() < static_cast<size_t>(kNR * K)) panel.resize(static_cast<size_t>(kNR * K));
    const int64_t n0 = p * kNR;
    const int nr = static_cast<int>(std::min<int64_t>(kNR, N - n0));
    const float* wr[kNR];
    for (int j = 0; j < nr; ++j) {
      W.dequant_row(row0 + n0 + j, 0, K, panel.data() + j * K);
      wr[j] = panel.data() + j * K;
    }
    float out[kMR][kNR];
    for (int64_t m0 = 0; m0 < M; m0 += kMR) {
      const int mr = static_cast<int>(std::min<int64_t>(kMR, M - m0));
      const float* xr[kMR];
      for (int i = 0; i < mr; ++i) xr[i] = x + (m0 + i) * ldx;
      if (mr == 2) micro_dispatch_n<2>(nr, xr, wr, K, out);
      else micro_dispatch_n<1>(nr, xr, wr, K, out);
      for (int i = 0; i < mr; ++i)
        for (int j = 0; j < nr; ++j) y[(m0 + i) * ldy + n0 + j] = opt.round_bf16 ? round_bf16(out[i][j]) : out[i][j];
    }
  }
  });
}

void linear_transposed(const WeightMatrix& W, int64_t row0, int64_t nrows, const float* x, int64_t M, int64_t ldx, float* y, int64_t ldy) {
  const int64_t C = W.cols;
  static thread_local std::vector<float> row;
  if (row.size() < static_cast<size_t>(C)) row.resize(static_cast<size_t>(C));
  for (int64_t m = 0; m < M; ++m) std::fill(y + m * ldy, y + m * ldy + C, 0.0f);
  for (int64_t d = 0; d < nrows; ++d) {
    W.dequant_row(row0 + d, 0, C, row.data());
    for (int64_t m = 0; m < M; ++m) axpy_f32(x[m * ldx + d], row.data(), y + m * ldy, C);
  }
}

}  // namespace dse
