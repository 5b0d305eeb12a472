// safetensors files: 8-byte little-endian header length, a JSON header {name: {dtype, shape,
// data_offsets:[begin,end]}, "__metadata__": {...}}, then the data. Files are memory-mapped read-only;
// every structural defect is a one-line error naming the file and tensor.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "numerics/dtype.hpp"

namespace dse {

struct TensorInfo {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  uint64_t begin = 0, end = 0;  // offsets into the data region
  const uint8_t* data = nullptr;
  std::string file;  // for messages

  int64_t numel() const;
  std::string shape_str() const;  // "[576, 7168]"
};

// Parses and validates a complete safetensors image held in memory (header + data). Used by
// SafetensorsFile and by the fuzz target. `path` names the file in messages.
std::vector<TensorInfo> parse_safetensors(const uint8_t* buf, size_t size, const std::string& path);

class SafetensorsFile {
 public:
  static std::unique_ptr<SafetensorsFile> open(const std::string& path);
  ~SafetensorsFile();
  SafetensorsFile(const SafetensorsFile&) = delete;
  SafetensorsFile& operator=(const SafetensorsFile&) = delete;

  const std::string& path() const { return path_; }
  const std::vector<TensorInfo>& tensors() const { return tensors_; }
  size_t size() const { return size_; }

 private:
  SafetensorsFile() = default;
  std::string path_;
  void* map_ = nullptr;
  size_t size_ = 0;
  std::vector<TensorInfo> tensors_;
};

}  // namespace dse
