// MLA attention proper (spec §4.3–§4.4), after the projections: scores, softmax, weighted sums, in the
// two formulations of the same math.
//  - absorbed (MQA): W_UK folded into the query, scores against the 576-wide cache [c_kv | k_pe],
//    weighted sum of c_kv, then W_UV. All heads of a row share the keys, so a key's cache row is read
//    once for all heads. Rows of any segments together (decode batches).
//  - naive (MHA): the keys the segment's rows use are decompressed with kv_b_proj, then per head
//    192-wide scores and a 128-wide (tiny: 96) value sum. Rows that attend to every key 0..t (dense
//    attention, or t < index_topk) are done in tiles of 6 rows × 16 keys with the GEMM micro-kernel;
//    rows with an indexer selection one by one.
//
// Exactness: every (row, head, key) score is the same 8-lane dot product as before this file existed
// (dot_f32 / dot_f32_bf16 order: lane l runs over dims l, l+8, …, then the fixed v8_hsum tree), the
// softmax is the same scalar loop, and every output element is one FMA chain over the keys in
// ascending order. Tiling, threads and batch composition never change a result.
#pragma once
#include <vector>

#include "model/batch.hpp"
#include "model/config.hpp"
#include "model/weights.hpp"

namespace dse {

struct AttnShapes {
  int H, dn, dr, dv, C, qk;
  float scale;
};

// rows: row indices into br (any mix of segments). q: [T × H × qk] (q_nope | roped q_pe); heads:
// [T × H × dv] output (bf16 values); sel[row]: the indexer's selection (empty = every key 0..t).
void attend_absorbed(const LayerWeights& W, int layer, const AttnShapes& sh, KvCache& cache, const BatchRows& br,
                     const std::vector<Segment>& segs, const std::vector<int>& rows, const float* q,
                     const std::vector<std::vector<int>>& sel, float* heads);

// The rows of one segment. reference_fp8 applies act_quant before the kv_b_proj decompression.
void attend_naive(const LayerWeights& W, int layer, const AttnShapes& sh, KvCache& cache, const BatchRows& br, const Segment& seg,
                  const RunOptions& o, const float* q, const std::vector<std::vector<int>>& sel, float* heads);

}  // namespace dse
