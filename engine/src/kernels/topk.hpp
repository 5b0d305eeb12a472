// Top-k selection (machine-perf appendix). Scores map to order-preserving 32-bit keys; the result is
// the k largest keys, ties to the lower index, returned in ascending index order — one deterministic
// set whichever algorithm finds it:
//  - few of many (n ≥ 8k, the indexer's top-k over a long context): one vectorised pass keeps only the
//    scores above the running k-th best (a handful per row), compacting the candidates with a partial
//    sort whenever 4k of them pile up;
//  - otherwise a histogram (radix) select: a histogram of the keys' top bits (≈ n/4 buckets,
//    16..4096) finds the boundary bucket, everything above it is taken, only that bucket is ordered.
#pragma once
#include <cstdint>
#include <vector>

namespace dse {

// Indices of the k largest of scores[0..n) (k clamped to n), ascending. NaN scores rank lowest.
void topk_select(const float* scores, int n, int k, std::vector<int>& out);

// The two algorithms, for tests: each gives exactly topk_select's answer.
void topk_select_radix(const float* scores, int n, int k, std::vector<int>& out);
void topk_select_filter(const float* scores, int n, int k, std::vector<int>& out);

}  // namespace dse
