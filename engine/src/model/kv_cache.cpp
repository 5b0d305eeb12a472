#include "model/kv_cache.hpp"

#include <algorithm>
#include <cstddef>
#include <cstring>

namespace dse {

namespace {
size_t align64(size_t n) { return (n + 63) & ~static_cast<size_t>(63); }
}  // namespace

KvCache::KvCache(const ModelConfig& c, int64_t capacity_tokens) {
  latent_bytes_ = static_cast<size_t>(c.kv_lora_rank) * 2;
  kpe_bytes_ = static_cast<size_t>(c.qk_rope_head_dim) * 2;
  idx_bytes_ = static_cast<size_t>(c.has_indexer() ? c.index_head_dim : 0);
  off_kpe_ = align64(off_latent_ + kBlockTokens * latent_bytes_);
  off_idx_ = align64(off_kpe_ + kBlockTokens * kpe_bytes_);
  off_idx_scale_ = align64(off_idx_ + kBlockTokens * idx_bytes_);
  layer_bytes_ = align64(off_idx_scale_ + (idx_bytes_ ? kBlockTokens * 4 : 0));
  layers_ = c.num_hidden_layers;
  block_bytes_ = layer_bytes_ * static_cast<size_t>(layers_);
  max_blocks_ = (capacity_tokens + kBlockTokens - 1) / kBlockTokens;
}

KvCache::~KvCache() = default;

int KvCache::alloc_block() {
  int b;
  if (!free_.empty()) {
    b = free_.back();
    free_.pop_back();
  } else {
    b = static_cast<int>(storage_.size());
    storage_.emplace_back(new uint8_t[block_bytes_]);
    refs_.push_back(0);
  }
  refs_[static_cast<size_t>(b)] = 1;
  ++used_;
  return b;
}

void KvCache::unref(int b) {
  if (--refs_[static_cast<size_t>(b)] == 0) {
    free_.push_back(b);
    --used_;
  }
}

int64_t KvCache::blocks_needed(const SeqCache& seq, int tokens) const {
  const int64_t have = static_cast<int64_t>(seq.blocks.size());
  const int64_t want = (tokens + kBlockTokens - 1) / kBlockTokens;
  int64_t n = want > have ? want - have : 0;
  // Writing into a shared partial block copies it first.
  const int64_t cur = seq.length / kBlockTokens;
  if (tokens > seq.length && cur < have && refs_[static_cast<size_t>(seq.blocks[static_cast<size_t>(cur)])] > 1) ++n;
  return n;
}

bool KvCache::reserve(SeqCache& seq, int tokens) {
  if (blocks_needed(seq, tokens) > free_blocks()) return false;
  const size_t cur = static_cast<size_t>(seq.length / kBlockTokens);
  if (tokens > seq.length && cur < seq.blocks.size() && refs_[static_cast<size_t>(seq.blocks[cur])] > 1) {
    const int old = seq.blocks[cur];
    const int fresh = alloc_block();
    std::memcpy(storage_[static_cast<size_t>(fresh)].get(), storage_[static_cast<size_t>(old)].get(), block_bytes_);
    unref(old);
    seq.blocks[cur] = fresh;
  }
  while (static_cast<int64_t>(seq.blocks.size()) * kBlockTokens < tokens) seq.blocks.push_back(alloc_block());
  return true;
}

void KvCache::fork(const SeqCache& src, SeqCache& dst) {
  release(dst);
  // Only blocks holding written tokens are shared; the child reserves its own room beyond them.
  const size_t n = static_cast<size_t>((src.length + kBlockTokens - 1) / kBlockTokens);
  dst.blocks.assign(src.blocks.begin(), src.blocks.begin() + static_cast<std::ptrdiff_t>(std::min(n, src.blocks.size())));
  dst.length = src.length;
  for (int b : dst.blocks) ++refs_[static_cast<size_t>(b)];
}

void KvCache::release(SeqCache& seq) {
  for (int b : seq.blocks) unref(b);
  seq.blocks.clear();
  seq.length = 0;
}

}  // namespace dse
