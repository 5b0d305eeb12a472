// A checkpoint directory: model.safetensors, or shards listed in model.safetensors.index.json.
// Gives name → tensor lookup over all files and tracks which tensors the model used, so leftovers
// (a config/checkpoint mismatch) are reported rather than silently ignored.
#pragma once
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "io/safetensors.hpp"

namespace dse {

class Checkpoint {
 public:
  static std::unique_ptr<Checkpoint> open(const std::string& dir);

  const std::string& dir() const { return dir_; }
  const TensorInfo* find(const std::string& name) const;
  // Marks a tensor as used by the model.
  void mark_used(const std::string& name);
  // Tensors never marked used.
  std::vector<const TensorInfo*> unused() const;
  // Every tensor of every file, sorted by name.
  std::vector<const TensorInfo*> all() const;
  size_t file_count() const { return files_.size(); }
  size_t tensor_count() const { return by_name_.size(); }
  uint64_t total_bytes() const;

 private:
  std::string dir_;
  std::vector<std::unique_ptr<SafetensorsFile>> files_;
  std::unordered_map<std::string, const TensorInfo*> by_name_;
  std::unordered_map<std::string, bool> used_;
};

}  // namespace dse
