// One forward call: the rows (tokens) of several sequences, each a contiguous segment of new tokens
// at positions start .. start+n−1 of its own cache. Rows never interact except through a sequence's
// own cache, which is what makes results independent of batch composition.
#pragma once
#include <vector>

#include "model/kv_cache.hpp"

namespace dse {

enum class MlaMode { Auto, Naive, Absorbed };

struct Segment {
  SeqCache* cache = nullptr;
  const int* tokens = nullptr;
  int n = 0;
  int start = 0;
  bool all_logits = false;          // logits for every row (else the last row only)
  MlaMode mla = MlaMode::Auto;
  // Debug output (forward op): [layer][row of this segment] → indexer-selected key positions.
  std::vector<std::vector<std::vector<int>>>* selected = nullptr;
  int row0 = 0;                     // filled by the model
};

struct RunOptions {
  bool dsa = true;            // restrict attention to the indexer's top-k (V3.2)
  bool reference_fp8 = false; // act_quant before every FP8 linear
  bool ue8m0 = true;          // act_quant scale format (quantization_config.scale_fmt)
};

// Per-row positional data shared by all layers of one call.
struct BatchRows {
  int T = 0;
  std::vector<int> pos;        // absolute position of each row
  std::vector<int> seg;        // segment index of each row
  std::vector<float> cos, sin; // [T × rope half]
};

}  // namespace dse
