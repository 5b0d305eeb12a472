// The DSA lightning indexer (spec §5): a shared 128-d key per token (wk → LayerNorm → half-split
// RoPE → Hadamard → FP8 with a ue8m0 scale), cached for every token; per query, 64 (tiny: 16) heads
// of FP8 queries and an fp32 per-head gate; score I[t,s] = σk[s]·Σ_h w[t,h]·σq[t,h]/√d·ReLU(q̂·k̂);
// the query attends to the top min(index_topk, t+1) keys. No sinks, no local window.
#pragma once
#include <vector>

#include "model/batch.hpp"
#include "model/config.hpp"
#include "model/weights.hpp"

namespace dse {

// Computes and caches the indexer key of every row (x = attn_norm output).
void indexer_write_keys(const IndexerWeights& W, int layer, const ModelConfig& c, KvCache& cache, const BatchRows& br,
                        const std::vector<Segment>& segs, const RunOptions& o, const float* x);

// For each row whose position t has t+1 > index_topk, fills sel[row] with the selected key positions
// (ascending); other rows are left empty (= all of 0..t). qr = MLA's normalised q latent.
void indexer_select(const IndexerWeights& W, int layer, const ModelConfig& c, KvCache& cache, const BatchRows& br,
                    const std::vector<Segment>& segs, const RunOptions& o, const float* x, const float* qr,
                    std::vector<std::vector<int>>& sel);

}  // namespace dse
