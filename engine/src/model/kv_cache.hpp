// Paged cache of what attention needs from past tokens (spec §5.3, §9): per layer and token the MLA
// latent c_kv (bf16, FP8-simulated), the rotated k_pe (bf16) and the indexer key (FP8 codes + fp32
// scale). Blocks of kBlockTokens tokens are shared between sequences by reference count, so the n
// samples of one prompt share the prompt's blocks (prefix sharing); a block is copied only when a
// sequence must write into a block someone else also holds.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "model/config.hpp"

namespace dse {

constexpr int kBlockTokens = 64;

class KvCache;

// One sequence's view: its block table and length.
struct SeqCache {
  std::vector<int> blocks;
  int length = 0;  // tokens written
};

class KvCache {
 public:
  KvCache(const ModelConfig& c, int64_t capacity_tokens);
  ~KvCache();

  int64_t capacity_blocks() const { return max_blocks_; }
  int64_t used_blocks() const { return used_; }
  int64_t free_blocks() const { return max_blocks_ - used_; }
  size_t bytes_per_block() const { return block_bytes_; }
  size_t allocated_bytes() const { return storage_.size() * block_bytes_; }

  // Makes seq able to hold `tokens` tokens: appends blocks, and un-shares the block holding
  // position seq.length if another sequence holds it too. False (and no change) when out of blocks.
  bool reserve(SeqCache& seq, int tokens);
  // New sequence sharing src's first `tokens` tokens (shares full blocks; the partial last one too,
  // until someone writes into it).
  void fork(const SeqCache& src, SeqCache& dst);
  void release(SeqCache& seq);
  // Blocks reserve() would need to grow seq to `tokens` tokens (worst case, counting a copy-on-write).
  int64_t blocks_needed(const SeqCache& seq, int tokens) const;

  uint16_t* latent(const SeqCache& s, int layer, int pos) { return reinterpret_cast<uint16_t*>(at(s, layer, pos, off_latent_, latent_bytes_)); }
  uint16_t* kpe(const SeqCache& s, int layer, int pos) { return reinterpret_cast<uint16_t*>(at(s, layer, pos, off_kpe_, kpe_bytes_)); }
  uint8_t* idx_key(const SeqCache& s, int layer, int pos) { return at(s, layer, pos, off_idx_, idx_bytes_); }
  float* idx_scale(const SeqCache& s, int layer, int pos) { return reinterpret_cast<float*>(at(s, layer, pos, off_idx_scale_, 4)); }

 private:
  uint8_t* at(const SeqCache& s, int layer, int pos, size_t region, size_t elem) {
    const int b = s.blocks[static_cast<size_t>(pos / kBlockTokens)];
    return storage_[static_cast<size_t>(b)].get() + static_cast<size_t>(layer) * layer_bytes_ + region +
           static_cast<size_t>(pos % kBlockTokens) * elem;
  }
  int alloc_block();
  void unref(int b);

  size_t latent_bytes_, kpe_bytes_, idx_bytes_;
  size_t off_latent_ = 0, off_kpe_, off_idx_, off_idx_scale_, layer_bytes_, block_bytes_;
  int layers_;
  int64_t max_blocks_;
  int64_t used_ = 0;
  std::vector<std::unique_ptr<uint8_t[]>> storage_;  // grows lazily up to max_blocks_
  std::vector<int> refs_;
  std::vector<int> free_;
};

}  // namespace dse
