// Selftest checks of the number formats and positional encoding (spec §2, §12.1).
#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "cli/selftest.hpp"
#include "kernels/hadamard.hpp"
#include "kernels/linear.hpp"
#include "kernels/simd.hpp"
#include "model/rope.hpp"
#include "numerics/act_quant.hpp"
#include "numerics/formats.hpp"
#include "util/error.hpp"
#include "util/json.hpp"

namespace dse::selftest {

// The spec §1.1 / §13 RoPE configuration (qk_rope_head_dim 64, θ 1e4, YaRN 40× over 4096, β 32/1).
ModelConfig spec_rope_config() {
  ModelConfig c;
  c.qk_rope_head_dim = 64;
  c.rope_theta = 10000.0;
  c.yarn = true;
  c.rope_factor = 40.0;
  c.original_max_position_embeddings = 4096;
  c.beta_fast = 32.0;
  c.beta_slow = 1.0;
  c.mscale_all_dim = 1.0;
  c.qk_nope_head_dim = 128;
  return c;
}

namespace {

const double kYarnGolden[32] = {1.000000000e+00, 7.498942093e-01, 5.623413252e-01, 4.216965034e-01, 3.162277660e-01, 2.371373706e-01,
                                1.778279410e-01, 1.333521432e-01, 1.000000000e-01, 7.498942093e-02, 5.623413252e-02, 3.900692657e-02,
                                2.687936011e-02, 1.837814622e-02, 1.244795587e-02, 8.334508951e-03, 5.500000000e-03, 3.561997494e-03,
                                2.249365301e-03, 1.370513636e-03, 7.905694150e-04, 4.149903985e-04, 1.778279410e-04, 3.333803580e-05,
                                2.500000000e-05, 1.874735523e-05, 1.405853313e-05, 1.054241259e-05, 7.905694150e-06, 5.928434264e-06,
                                4.445698525e-06, 3.333803580e-06};

// Distance in fp32 ulps.
double ulps(float a, float b) {
  if (a == b) return 0;
  const double u = std::ldexp(1.0, std::ilogb(std::max(std::fabs(a), std::fabs(b))) - 23);
  return std::fabs(static_cast<double>(a) - b) / u;
}

void check_yarn() {
  ModelConfig c = spec_rope_config();
  Rope rope(c);
  double worst = 0;
  for (int i = 0; i < 32; ++i) worst = std::max(worst, std::fabs(rope.freqs()[static_cast<size_t>(i)] - kYarnGolden[i]) / kYarnGolden[i]);
  // The golden table has 10 significant digits; an fp32 value is within half an ulp (2^-24 relative).
  report("yarn_frequency_table", worst <= 6e-8 && rope.low() == 10 && rope.high() == 23,
         strformat("max rel err %.3g vs spec §2.7, low %.0f high %.0f", worst, rope.low(), rope.high()));
  const double scale = c.softmax_scale();
  report("mla_softmax_scale", std::fabs(scale - 0.13523378) < 5e-8, strformat("192^-0.5·m² = %.9f (spec 0.13523378)", scale));

  // cos/sin: the angle is the fp32 product t·f'_i; cos/sin of it correctly rounded.
  const int ts[] = {0, 1, 4095, 4096, 100000};
  double worst_ulp = 0;
  bool t0_exact = true;
  for (int t : ts) {
    float cs[32], sn[32];
    rope.angles(t, cs, sn);
    for (int i = 0; i < 32; ++i) {
      const float phi = static_cast<float>(t) * rope.freqs()[static_cast<size_t>(i)];
      const long double ref_phi = static_cast<long double>(phi);
      worst_ulp = std::max(worst_ulp, ulps(cs[i], static_cast<float>(std::cos(ref_phi))));
      worst_ulp = std::max(worst_ulp, ulps(sn[i], static_cast<float>(std::sin(ref_phi))));
      // The fp32 angle is the correctly rounded product.
      const double exact = static_cast<double>(t) * rope.freqs()[static_cast<size_t>(i)];
      worst_ulp = std::max(worst_ulp, ulps(phi, static_cast<float>(exact)));
      if (t == 0 && (cs[i] != 1.0f || sn[i] != 0.0f)) t0_exact = false;
    }
  }
  report("rope_cos_sin", worst_ulp <= 1.0 && t0_exact, strformat("t in {0,1,4095,4096,100000}: max %.2f ulp", worst_ulp));
}

void check_rope_layouts() {
  ModelConfig c = spec_rope_config();
  Rope rope(c);
  std::mt19937 rng(7);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  double worst_i = 0, worst_h = 0;
  for (int t : {0, 3, 777, 4096, 100000}) {
    float cs[32], sn[32];
    rope.angles(t, cs, sn);
    float x[64], y[64], z[64];
    for (float& v : x) v = nd(rng);
    std::memcpy(y, x, sizeof x);
    std::memcpy(z, x, sizeof x);
    rope_interleaved(y, cs, sn, 32);
    rope_half_split(z, cs, sn, 32);
    for (int i = 0; i < 32; ++i) {
      const std::complex<double> e(cs[i], sn[i]);
      const std::complex<double> a = std::complex<double>(x[2 * i], x[2 * i + 1]) * e;  // interleaved pair
      const std::complex<double> b = std::complex<double>(x[i], x[i + 32]) * e;         // half-split pair
      worst_i = std::max({worst_i, std::fabs(a.real() - y[2 * i]), std::fabs(a.imag() - y[2 * i + 1])});
      worst_h = std::max({worst_h, std::fabs(b.real() - z[i]), std::fabs(b.imag() - z[i + 32])});
    }
  }
  report("rope_interleaved_vs_complex", worst_i < 2e-6, strformat("max abs err %.3g", worst_i));
  report("rope_half_split_vs_complex", worst_h < 2e-6, strformat("max abs err %.3g", worst_h));
}

void check_hadamard() {
  // Column j of the normalised transform is H[:, j]/√128 with H[i][j] = (−1)^popcount(i&j); applying it
  // twice is the identity (H·H = 128·I).
  bool entries = true;
  double worst = 0;
  const float inv = static_cast<float>(1.0 / std::sqrt(128.0));
  for (int j = 0; j < 128; ++j) {
    float e[128] = {0};
    e[j] = 1.0f;
    hadamard_inplace(e, 128);
    for (int i = 0; i < 128; ++i) {
      const float want = (__builtin_popcount(static_cast<unsigned>(i & j)) & 1) ? -inv : inv;
      if (e[i] != want) entries = false;
    }
    hadamard_inplace(e, 128);
    for (int i = 0; i < 128; ++i) worst = std::max(worst, std::fabs(e[i] - (i == j ? 1.0 : 0.0)));
  }
  report("hadamard_sylvester_entries", entries, "H[i][j] = (-1)^popcount(i&j) / sqrt(128)");
  report("hadamard_involution", worst < 1e-6, strformat("H·H = 128·I: max abs err %.3g", worst));
}

void check_fp8() {
  bool decode_ok = true;
  for (int code = 0; code < 256; ++code) {
    const int s = code >> 7, e = (code >> 3) & 15, m = code & 7;
    double want = (e == 0) ? std::ldexp(m / 8.0, -6) : std::ldexp(1.0 + m / 8.0, e - 7);
    if (s) want = -want;
    const float got = fp8_e4m3_decode(static_cast<uint8_t>(code));
    if (e == 15 && m == 7) decode_ok = decode_ok && std::isnan(got);
    else decode_ok = decode_ok && static_cast<double>(got) == want;
  }
  report("fp8_decode_256_codes", decode_ok, "all codes vs (-1)^S·2^(E-7)·(1+M/8), subnormals 2^-6·M/8, 0x7F/0xFF NaN");

  bool roundtrip = true;
  for (int code = 0; code < 256; ++code) {
    if ((code & 0x7F) == 0x7F) continue;
    roundtrip = roundtrip && fp8_e4m3_encode(fp8_e4m3_decode(static_cast<uint8_t>(code))) == code;
  }
  report("fp8_encode_roundtrip", roundtrip, "encode(decode(c)) == c for the 254 non-NaN codes");

  // Midpoints between neighbours round to the even code; just above/below go to the nearer one.
  bool rne = true;
  for (int code = 0; code < 0x7E; ++code) {
    const double a = fp8_e4m3_decode(static_cast<uint8_t>(code)), b = fp8_e4m3_decode(static_cast<uint8_t>(code + 1));
    const float mid = static_cast<float>((a + b) / 2);
    const int even = (code % 2 == 0) ? code : code + 1;
    rne = rne && fp8_e4m3_encode(mid) == even && fp8_e4m3_encode(-mid) == (even | 0x80);
    rne = rne && fp8_e4m3_encode(std::nextafter(mid, 0.0f)) == code && fp8_e4m3_encode(std::nextafter(mid, 1e9f)) == code + 1;
  }
  report("fp8_encode_round_nearest_even", rne, "ties to even at every midpoint, incl. subnormals");

  const bool sat = fp8_e4m3_encode(448.0f) == 0x7E && fp8_e4m3_encode(460.0f) == 0x7E && fp8_e4m3_encode(1e9f) == 0x7E &&
                   fp8_e4m3_encode(-1000.0f) == 0xFE && fp8_e4m3_encode(INFINITY) == 0x7E && fp8_e4m3_encode(-INFINITY) == 0xFE &&
                   fp8_e4m3_encode(NAN) == 0x7F;
  report("fp8_encode_saturation", sat, "|x| >= 448 -> ±448 (0x7E/0xFE), NaN -> 0x7F");

  // The vector bit-trick decoder agrees with the table for every finite code.
  bool trick = true;
  uint8_t codes[256];
  for (int i = 0; i < 256; ++i) codes[i] = static_cast<uint8_t>(i);
  for (int i = 0; i < 256; i += 8) {
    float out[8];
    v8_store(out, v8_mul(v8_fp8_times_2m120(codes + i), v8_set1(1.329227995784916e36f)));
    for (int k = 0; k < 8; ++k)
      if ((codes[i + k] & 0x7F) != 0x7F) trick = trick && out[k] == fp8_e4m3_decode(codes[i + k]);
  }
  report("fp8_vector_decode", trick, DSE_AVX2 ? "AVX2 bit trick == table" : "scalar emulation == table");
}

void check_act_quant() {
  struct Case {
    float amax, want;
  };
  const Case cases[] = {{1.0f, 0.00390625f}, {448.0f, 1.0f}, {1000.0f, 4.0f}, {0.3f, std::ldexp(1.0f, -10)}};
  bool ok = true;
  std::string detail;
  for (const Case& c : cases) {
    // A group whose largest magnitude is amax.
    float x[128];
    for (int i = 0; i < 128; ++i) x[i] = c.amax * static_cast<float>(i % 7) / 7.0f;
    x[77] = -c.amax;
    uint8_t q[128];
    float s;
    act_quant(x, 128, true, q, &s);
    ok = ok && s == c.want;
    detail += strformat("amax %g -> %g; ", static_cast<double>(c.amax), static_cast<double>(s));
    // Round trip stays within half an FP8 step of the value.
    for (int i = 0; i < 128; ++i) {
      const float back = fp8_e4m3_decode(q[i]) * s;
      ok = ok && std::fabs(back - x[i]) <= std::fabs(x[i]) * 0.0625f + s * 0.001f;
    }
  }
  float zeros[128] = {0};
  uint8_t q[128];
  float s;
  act_quant(zeros, 128, true, q, &s);
  ok = ok && s == ue8m0_ceil(1e-4f / 448.0f);
  report("act_quant_ue8m0_examples", ok, detail + "all-zero group uses the 1e-4 floor");
  report("ue8m0_ceil", ue8m0_ceil(1.0f) == 1.0f && ue8m0_ceil(1.5f) == 2.0f && ue8m0_ceil(0.25f) == 0.25f && ue8m0_ceil(0.26f) == 0.5f,
         "2^ceil(log2 s) on the bit pattern");
}

void check_block_dequant() {
  // 576×256 (like kv_a_proj_with_mqa's 576 rows): scales [5, 2], the last row-block covers 64 rows.
  const int N = 576, K = 256;
  std::mt19937 rng(11);
  std::vector<uint8_t> codes(static_cast<size_t>(N * K));
  for (auto& c : codes) {
    c = static_cast<uint8_t>(rng() & 0xFF);
    if ((c & 0x7F) == 0x7F) c = 0x10;
  }
  std::vector<float> scale;
  for (int i = 0; i < 10; ++i) scale.push_back(std::ldexp(1.0f, -(i + 3)) * (i == 9 ? 1.5f : 1.0f));
  const WeightMatrix w = fp8_matrix(codes, N, K, scale);
  bool ok = true;
  std::vector<float> row(K);
  for (int r = 0; r < N; ++r) {
    w.dequant_row(r, 0, K, row.data());
    for (int k = 0; k < K; ++k) {
      const float want = fp8_e4m3_decode(codes[static_cast<size_t>(r * K + k)]) * w.scale[static_cast<size_t>((r / 128) * 2 + k / 128)];
      ok = ok && row[static_cast<size_t>(k)] == want;
    }
  }
  // A window starting off an 8-boundary crosses the column block edge.
  std::vector<float> part(100);
  w.dequant_row(575, 77, 100, part.data());
  for (int k = 0; k < 100; ++k) ok = ok && part[static_cast<size_t>(k)] == fp8_e4m3_decode(codes[static_cast<size_t>(575 * K + 77 + k)]) * w.scale[static_cast<size_t>(8 + (77 + k) / 128)];
  report("block_dequant_edge_blocks", ok, "576x256 FP8 with [5,2] scales; rows 512..575 use the 64-row edge block");
}

}  // namespace

void check_numerics() {
  check_yarn();
  check_rope_layouts();
  check_hadamard();
  check_fp8();
  check_act_quant();
  check_block_dequant();
}

void dump() {
  ModelConfig c = spec_rope_config();
  Rope rope(c);
  std::string out = "{\"yarn_freqs\":[";
  for (int i = 0; i < 32; ++i) {
    if (i) out += ",";
    json_append_float(out, rope.freqs()[static_cast<size_t>(i)]);
  }
  out += "],\"cos_sin\":{";
  const int ts[] = {0, 1, 4095, 4096, 100000};
  for (int j = 0; j < 5; ++j) {
    float cs[32], sn[32];
    rope.angles(ts[j], cs, sn);
    out += strformat("%s\"%d\":{\"cos\":[", j ? "," : "", ts[j]);
    for (int i = 0; i < 32; ++i) {
      if (i) out += ",";
      json_append_float(out, cs[i]);
    }
    out += "],\"sin\":[";
    for (int i = 0; i < 32; ++i) {
      if (i) out += ",";
      json_append_float(out, sn[i]);
    }
    out += "]}";
  }
  out += "},\"fp8_decode\":[";
  for (int code = 0; code < 256; ++code) {
    if (code) out += ",";
    json_append_float(out, fp8_e4m3_decode(static_cast<uint8_t>(code)));
  }
  // Encodings of a fixed set of probe values (midpoints, saturation, subnormals).
  const float probes[] = {0.0f, 1.0f, 1.0625f, 1.1875f, 3.0f / 1024, 1.0f / 1024, 0.013671875f, 447.0f, 464.0f, 500.0f, -0.3f, 240.0f, 248.0f, 7e-4f};
  out += "],\"fp8_encode_probes\":[";
  for (size_t i = 0; i < sizeof probes / sizeof probes[0]; ++i) {
    if (i) out += ",";
    out += "[";
    json_append_float(out, probes[i]);
    out += strformat(",%d]", fp8_e4m3_encode(probes[i]));
  }
  out += "]}";
  std::printf("%s\n", out.c_str());
}

}  // namespace dse::selftest
