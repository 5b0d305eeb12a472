// Top-k selection by histogram (radix) select (machine-perf appendix): scores mapped to
// order-preserving 32-bit keys, a histogram of their top bits (≈ n/4 buckets, 16..4096) finds the
// boundary bucket, everything above it is taken and only the boundary bucket is partially sorted.
// Ties prefer the lower index, so the result is deterministic; it is returned in ascending index order.
#pragma once
#include <cstdint>
#include <vector>

namespace dse {

// Indices of the k largest of scores[0..n) (k clamped to n), ascending. NaN scores rank lowest.
void topk_select(const float* scores, int n, int k, std::vector<int>& out);

}  // namespace dse
