// Multi-head latent attention with DSA masking (spec §4): q through the q-LoRA (c_q = qr is also the
// indexer's input), the latent c_kv (RMSNorm, FP8-simulated) and the rotated k_pe are cached, then
// each query attends over A(t) = causal ∩ top-k. Two formulations of the same math (§4.4):
//  - naive (MHA): decompress k_nope and v of the needed keys with kv_b_proj, 192-d scores — cheap
//    for a long chunk over a short context (prefill);
//  - absorbed (MQA): fold W_UK into the query and W_UV after the weighted sum, scores against the
//    576-d cache directly — cheap for decode and for short chunks over a long context.
// Mode per segment (Auto: the cheaper by a FLOP count that depends only on that segment).
#pragma once
#include <vector>

#include "model/batch.hpp"
#include "model/config.hpp"
#include "model/weights.hpp"

namespace dse {

// x: attn_norm output [T × hidden]; out: [T × hidden] (bf16 values). sel receives, per row, the
// indexer's selected positions (empty = all of 0..t, which is also what DSA off means).
void mla_attention(const LayerWeights& W, int layer, const ModelConfig& c, KvCache& cache, const BatchRows& br,
                   const std::vector<Segment>& segs, const RunOptions& o, const float* x, float* out,
                   std::vector<std::vector<int>>& sel);

// The mode Auto picks for a segment of n new rows after `start` cached ones.
MlaMode mla_auto_mode(const ModelConfig& c, const RunOptions& o, int start, int n);

}  // namespace dse
