#include "kernels/topk.hpp"

#include <algorithm>
#include <cstring>

#include "kernels/simd.hpp"

namespace dse {

namespace {
// Larger float → larger key; NaN → 0 (below everything, including −inf which maps to 0x007FFFFF).
inline uint32_t order_key(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  if ((u & 0x7FFFFFFFu) > 0x7F800000u) return 0;
  return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}

bool all_of_them(int n, int k, std::vector<int>& out) {
  out.clear();
  if (k <= 0 || n <= 0) return true;
  if (k < n) return false;
  out.resize(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) out[static_cast<size_t>(i)] = i;
  return true;
}

#if DSE_AVX2
// Bit j set when order_key(s[j]) > thr, for the 8 scores at s.
inline unsigned above8(const float* s, uint32_t thr) {
  const __m256i u = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s));
  const __m256i flip = _mm256_or_si256(_mm256_srai_epi32(u, 31), _mm256_set1_epi32(static_cast<int>(0x80000000u)));
  const __m256i nan = _mm256_cmpgt_epi32(_mm256_and_si256(u, _mm256_set1_epi32(0x7FFFFFFF)), _mm256_set1_epi32(0x7F800000));
  const __m256i key = _mm256_andnot_si256(nan, _mm256_xor_si256(u, flip));
  // Unsigned key > thr as a signed compare of both with the top bit flipped.
  const __m256i bias = _mm256_set1_epi32(static_cast<int>(0x80000000u));
  const __m256i gt = _mm256_cmpgt_epi32(_mm256_xor_si256(key, bias), _mm256_set1_epi32(static_cast<int>(thr ^ 0x80000000u)));
  return static_cast<unsigned>(_mm256_movemask_ps(_mm256_castsi256_ps(gt)));
}
#else
inline unsigned above8(const float* s, uint32_t thr) {
  unsigned m = 0;
  for (int j = 0; j < 8; ++j) m |= (order_key(s[j]) > thr ? 1u : 0u) << j;
  return m;
}
#endif
}  // namespace

void topk_select(const float* scores, int n, int k, std::vector<int>& out) {
  if (n >= 8 * static_cast<int64_t>(k)) topk_select_filter(scores, n, k, out);
  else topk_select_radix(scores, n, k, out);
}

void topk_select_filter(const float* scores, int n, int k, std::vector<int>& out) {
  if (all_of_them(n, k, out)) return;
  // Candidates (key, index): everything that may still be in the top k. Better = larger key, then lower index.
  struct Cand {
    uint32_t key;
    int idx;
  };
  auto better = [](const Cand& a, const Cand& b) { return a.key != b.key ? a.key > b.key : a.idx < b.idx; };
  static thread_local std::vector<Cand> cand;
  const size_t cap = static_cast<size_t>(4 * k);
  cand.clear();
  cand.reserve(cap + 8);
  for (int i = 0; i < k; ++i) cand.push_back({order_key(scores[i]), i});
  // thr: key of the k-th best candidate. A later element (higher index than every candidate) enters
  // the top k only with a strictly larger key.
  auto compact = [&]() {
    std::nth_element(cand.begin(), cand.begin() + (k - 1), cand.end(), better);
    cand.resize(static_cast<size_t>(k));
    return cand[static_cast<size_t>(k - 1)].key;
  };
  uint32_t thr = compact();
  int i = k;
  for (; i + 8 <= n; i += 8) {
    unsigned m = above8(scores + i, thr);
    if (!m) continue;
    while (m) {
      const int j = __builtin_ctz(m);
      m &= m - 1;
      cand.push_back({order_key(scores[i + j]), i + j});
    }
    if (cand.size() >= cap) thr = compact();
  }
  for (; i < n; ++i) {
    const uint32_t key = order_key(scores[i]);
    if (key > thr) cand.push_back({key, i});
  }
  compact();
  out.resize(static_cast<size_t>(k));
  for (int j = 0; j < k; ++j) out[static_cast<size_t>(j)] = cand[static_cast<size_t>(j)].idx;
  std::sort(out.begin(), out.end());
}

void topk_select_radix(const float* scores, int n, int k, std::vector<int>& out) {
  if (all_of_them(n, k, out)) return;
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
