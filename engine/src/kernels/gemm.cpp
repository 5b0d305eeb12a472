#include "kernels/gemm.hpp"

#include <algorithm>
#include <vector>

#include "kernels/parallel.hpp"
#include "kernels/simd.hpp"
#include "numerics/formats.hpp"

namespace dse {

namespace {

constexpr int MR = kGemmRows;  // rows per micro-kernel
constexpr int NR = kGemmCols;  // outputs per micro-kernel

// One register of the micro-kernel: 16 lanes (AVX-512) or 8 (V8: AVX2 or the scalar emulation). The
// lanes are independent outputs, so the width never changes a result.
#if DSE_GEMM_AVX512
struct VR {
  __m512 v;
};
constexpr int kLanes = 16;
inline VR vr_zero() { return {_mm512_setzero_ps()}; }
inline VR vr_load(const float* p) { return {_mm512_loadu_ps(p)}; }
inline void vr_store(float* p, VR a) { _mm512_storeu_ps(p, a.v); }
inline VR vr_set1(float a) { return {_mm512_set1_ps(a)}; }
inline VR vr_fma(VR a, VR b, VR c) { return {_mm512_fmadd_ps(a.v, b.v, c.v)}; }
inline VR vr_add(VR a, VR b) { return {_mm512_add_ps(a.v, b.v)}; }
#else
using VR = V8;
constexpr int kLanes = 8;
inline VR vr_zero() { return v8_zero(); }
inline VR vr_load(const float* p) { return v8_load(p); }
inline void vr_store(float* p, VR a) { v8_store(p, a); }
inline VR vr_set1(float a) { return v8_set1(a); }
inline VR vr_fma(VR a, VR b, VR c) { return v8_fma(a, b, c); }
inline VR vr_add(VR a, VR b) { return v8_add(a, b); }
#endif
constexpr int NV = NR / kLanes;  // registers per row of the tile

// Packed activations: blocks of MR rows; block b holds, for residue l = 0..7 and step j < J, the MR
// values x[b·MR + r, 8j + l] together (zero past M and K). Broadcasts then read consecutive floats.
void pack_rows(const float* x, int64_t M, int64_t ldx, int64_t K, int64_t J, float* xp) {
  const int64_t blocks = (M + MR - 1) / MR;
  for (int64_t b = 0; b < blocks; ++b)
    for (int l = 0; l < 8; ++l)
      for (int64_t j = 0; j < J; ++j) {
        float* dst = xp + ((b * 8 + l) * J + j) * MR;
        const int64_t k = 8 * j + l;
        for (int r = 0; r < MR; ++r) {
          const int64_t m = b * MR + r;
          dst[r] = (m < M && k < K) ? x[m * ldx + k] : 0.0f;
        }
      }
}

// Scatters 8 columns' values (src[i][0..8·J), zero-padded rows) into the residue-major panel layout
// wp[(l·J + j)·NR + i0 + i] = src[i][8j + l], by 8×8 transposes.
void scatter8(const float* const* src, int64_t J, float* wp, int i0) {
  for (int64_t j = 0; j < J; ++j) {
    float blk[8][8];
    for (int i = 0; i < 8; ++i) v8_store(blk[i], v8_load(src[i] + 8 * j));
    for (int l = 0; l < 8; ++l) {
      float* dst = wp + (l * J + j) * NR + i0;
      for (int i = 0; i < 8; ++i) dst[i] = blk[i][l];
    }
  }
}

// Packed weight panel of up to NR rows: for residue l and step j, the NR values W[n0 + i, 8j + l]
// (dequantised exactly as dequant_row does; zero past the panel and past K).
void pack_panel(const WeightMatrix& W, int64_t n0, int nr, int64_t K, int64_t J, float* wp, std::vector<float>& rows) {
  rows.assign(static_cast<size_t>(8 * 8 * J), 0.0f);
  for (int i0 = 0; i0 < NR; i0 += 8) {
    const float* src[8];
    for (int i = 0; i < 8; ++i) {
      float* r = rows.data() + static_cast<size_t>(i) * 8 * J;
      if (i0 + i < nr) W.dequant_row(n0 + i0 + i, 0, K, r);
      else std::fill(r, r + 8 * J, 0.0f);
      std::fill(r + K, r + 8 * J, 0.0f);
      src[i] = r;
    }
    scatter8(src, J, wp, i0);
  }
}

// One MR × NR tile: eight residue passes, each the FMA chains of its k's; then the v8_hsum tree
// ((P0+P4)+(P2+P6)) + ((P1+P5)+(P3+P7)) per output.
void tile(const float* xp, const float* wp, int64_t J, VR out[MR][NV]) {
  VR part[8][MR][NV];
  for (int l = 0; l < 8; ++l) {
    VR acc[MR][NV];
    for (int r = 0; r < MR; ++r)
      for (int v = 0; v < NV; ++v) acc[r][v] = vr_zero();
    const float* xl = xp + l * J * MR;
    const float* wl = wp + l * J * NR;
    for (int64_t j = 0; j < J; ++j, xl += MR, wl += NR) {
      VR w[NV];
      for (int v = 0; v < NV; ++v) w[v] = vr_load(wl + kLanes * v);
      for (int r = 0; r < MR; ++r) {
        const VR xv = vr_set1(xl[r]);
        for (int v = 0; v < NV; ++v) acc[r][v] = vr_fma(xv, w[v], acc[r][v]);
      }
    }
    for (int r = 0; r < MR; ++r)
      for (int v = 0; v < NV; ++v) part[l][r][v] = acc[r][v];
  }
  for (int r = 0; r < MR; ++r)
    for (int v = 0; v < NV; ++v) {
      const VR s0 = vr_add(part[0][r][v], part[4][r][v]), s1 = vr_add(part[1][r][v], part[5][r][v]);
      const VR s2 = vr_add(part[2][r][v], part[6][r][v]), s3 = vr_add(part[3][r][v], part[7][r][v]);
      out[r][v] = vr_add(vr_add(s0, s2), vr_add(s1, s3));
    }
}

}  // namespace

void gemm_pack_rows(const float* x, int64_t M, int64_t ldx, int64_t K, float* xp) { pack_rows(x, M, ldx, K, gemm_steps(K), xp); }

// Column i of the panel, element k → wp[(residue · J + step) · NR + i], as fp32 (zero past nr and K).
template <class T, class ToF32>
void pack_cols(const T* const* col, int nr, int64_t K, float* wp, ToF32 to_f32) {
  const int64_t J = gemm_steps(K);
  std::fill(wp, wp + 8 * J * NR, 0.0f);
  for (int i = 0; i < nr; ++i)
    for (int64_t k = 0; k < K; ++k) wp[((k & 7) * J + (k >> 3)) * NR + i] = to_f32(col[i][k]);
}

void gemm_pack_cols(const float* const* col, int nr, int64_t K, float* wp) {
  pack_cols(col, nr, K, wp, [](float v) { return v; });
}

void gemm_pack_cols_bf16(const uint16_t* const* colb, int nr, int64_t K, float* wp) {
  pack_cols(colb, nr, K, wp, bf16_bits_to_f32);
}

void gemm_tile(const float* xp_block, const float* wp_panel, int64_t J, float out[kGemmRows][kGemmCols]) {
  VR o[MR][NV];
  tile(xp_block, wp_panel, J, o);
  for (int r = 0; r < MR; ++r)
    for (int v = 0; v < NV; ++v) vr_store(out[r] + kLanes * v, o[r][v]);
}

void gemm_rows(const WeightMatrix& W, int64_t row0, int64_t N, const float* x, int64_t M, int64_t ldx, float* y, int64_t ldy, bool round_bf16) {
  const int64_t K = W.cols, J = (K + 7) / 8;
  const int64_t blocks = (M + MR - 1) / MR, panels = (N + NR - 1) / NR;
  static thread_local std::vector<float> xpack;  // packed by the calling thread; workers read it through xp
  xpack.resize(static_cast<size_t>(blocks * 8 * J * MR));
  pack_rows(x, M, ldx, K, J, xpack.data());
  const float* xp = xpack.data();
  parallel_for(panels, panels > 1 && M * N * K >= (1 << 15), [&](int64_t pb, int64_t pe) {
    static thread_local std::vector<float> wpanel, rows;
    wpanel.resize(static_cast<size_t>(8 * J * NR));
    for (int64_t p = pb; p < pe; ++p) {
      const int64_t n0 = p * NR;
      const int nr = static_cast<int>(std::min<int64_t>(NR, N - n0));
      pack_panel(W, row0 + n0, nr, K, J, wpanel.data(), rows);
      for (int64_t b = 0; b < blocks; ++b) {
        VR out[MR][NV];
        tile(xp + b * 8 * J * MR, wpanel.data(), J, out);
        const int mr = static_cast<int>(std::min<int64_t>(MR, M - b * MR));
        for (int r = 0; r < mr; ++r) {
          float* yr = y + (b * MR + r) * ldy + n0;
          alignas(64) float buf[NR];
          for (int v = 0; v < NV; ++v) vr_store(buf + kLanes * v, out[r][v]);
          if (round_bf16)
            for (int i = 0; i < NR; i += 8) v8_store(buf + i, v8_round_bf16(v8_load(buf + i)));
          std::copy(buf, buf + nr, yr);
        }
      }
    }
  });
}

}  // namespace dse
