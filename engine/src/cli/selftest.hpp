// Shared plumbing of `dseval-engine selftest` (selftest.cpp runs the checks; the checks live in
// selftest_numerics.cpp, selftest_kernels.cpp and selftest_blocked.cpp).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "kernels/linear.hpp"
#include "model/config.hpp"

namespace dse::selftest {

// Prints one JSON line {"check","ok","detail"} and counts it.
void report(const char* name, bool ok, const std::string& detail);
int passed();
int failed();

// The spec §1.1 / §13 RoPE configuration (qk_rope_head_dim 64, θ 1e4, YaRN 40× over 4096, β 32/1).
ModelConfig spec_rope_config();

// An FP8 weight matrix over codes[rows × cols] with block multipliers scale[⌈rows/128⌉ × ⌈cols/128⌉].
WeightMatrix fp8_matrix(const std::vector<uint8_t>& codes, int64_t rows, int64_t cols, std::vector<float> scale);

// Number formats and positional encoding (spec §2): YaRN, RoPE layouts, Hadamard, FP8, act_quant, block dequant.
void check_numerics();
// Kernels and model pieces: linear invariance, router, top-k, Philox, sampler, thread pool.
void check_kernels();
// Blocked kernels of the long-context paths vs their plain per-row statements: GEMM, indexer scorer, bf16 rounding.
void check_blocked_kernels();
// Raw values for the TypeScript cross-check (`selftest --dump`).
void dump();

}  // namespace dse::selftest
