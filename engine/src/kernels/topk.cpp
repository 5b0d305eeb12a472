#include "kernels/topk.hpp"

#include <algorithm>
#include <cstring>

namespace dse {

namespace {
// Larger float → larger key; NaN → 0 (below everything, including −inf which maps to 0x007FFFFF).
inline uint32_t order_key(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  if ((u & 0x7FFFFFFFu) > 0x7F800000u) return 0;
  return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}
}  // namespace

void topk_select(const float* scores, int n, int k, std::vector<int>& out) {
  out.clear();
  if (k <= 0 || n <= 0) return;
  if (k >= n) {
    out.resize(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) out[static_cast<size_t>(i)] = i;
    return;
  }
  // About four elements per bucket, 16..4096 buckets: the histogram stays cheap to clear for short rows.
  const int kBits = std::clamp(31 - __builtin_clz(static_cast<unsigned>(n)) - 2, 4, 12), kBuckets = 1 << kBits;
  static thread_local std::vector<uint32_t> keys;
  static thread_local std::vector<int> hist;
  keys.resize(static_cast<size_t>(n));
  hist.assign(static_cast<size_t>(kBuckets), 0);
  for (int i = 0; i < n; ++i) {
    keys[static_cast<size_t>(i)] = order_key(scores[i]);
    ++hist[keys[static_cast<size_t>(i)] >> (32 - kBits)];
  }
  // Walk buckets from the top until k elements are covered; `boundary` is the bucket where k is crossed.
  int taken = 0, boundary = kBuckets - 1;
  for (; boundary >= 0; --boundary) {
    if (taken + hist[static_cast<size_t>(boundary)] >= k) break;
    taken += hist[static_cast<size_t>(boundary)];
  }
  out.reserve(static_cast<size_t>(k));
  static thread_local std::vector<int> edge;
  edge.clear();
  for (int i = 0; i < n; ++i) {
    uint32_t b = keys[static_cast<size_t>(i)] >> (32 - kBits);
    if (static_cast<int>(b) > boundary) out.push_back(i);
    else if (static_cast<int>(b) == boundary) edge.push_back(i);
  }
  const int need = k - taken;
  // Within the boundary bucket: larger key first, then lower index.
  auto better = [&](int a, int b) {
    uint32_t ka = keys[static_cast<size_t>(a)], kb = keys[static_cast<size_t>(b)];
    return ka != kb ? ka > kb : a < b;
  };
  if (need < static_cast<int>(edge.size())) std::nth_element(edge.begin(), edge.begin() + need, edge.end(), better);
  out.insert(out.end(), edge.begin(), edge.begin() + need);
  std::sort(out.begin(), out.end());
}

}  // namespace dse
