#include "io/safetensors.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>

#include "util/error.hpp"
#include "util/file.hpp"
#include "util/json.hpp"

namespace dse {

namespace {
constexpr uint64_t kMaxHeader = 256ull << 20;  // the real 671B index has ~1 MB per shard header
}  // namespace

int64_t TensorInfo::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string TensorInfo::shape_str() const {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

std::vector<TensorInfo> parse_safetensors(const uint8_t* buf, size_t size, const std::string& path) {
  if (size < 8) fail("%s: file is %zu bytes, too short for a safetensors header (truncated?)", path.c_str(), size);
  uint64_t hlen = 0;
  for (int i = 7; i >= 0; --i) hlen = (hlen << 8) | buf[i];
  if (hlen > kMaxHeader) fail("%s: header length %llu is implausibly large (corrupt file?)", path.c_str(), static_cast<unsigned long long>(hlen));
  if (hlen > size - 8)
    fail("%s: header length %llu runs past the end of the %zu-byte file (truncated?)", path.c_str(), static_cast<unsigned long long>(hlen), size);
  std::string_view text(reinterpret_cast<const char*>(buf + 8), static_cast<size_t>(hlen));
  Json header = Json::parse(text, path + " (safetensors header)");
  if (!header.is_object()) fail("%s: safetensors header is not a JSON object", path.c_str());

  const uint64_t data_size = size - 8 - hlen;
  const uint8_t* data = buf + 8 + hlen;
  std::vector<TensorInfo> out;
  out.reserve(header.members().size());
  for (const auto& [name, v] : header.members()) {
    if (name == "__metadata__") {
      if (!v.is_object()) fail("%s: \"__metadata__\" is not an object", path.c_str());
      continue;
    }
    const std::string pname = printable(name);
    if (!v.is_object()) fail("%s: tensor %s: header entry is not an object", path.c_str(), pname.c_str());
    TensorInfo t;
    t.name = name;
    t.file = path;
    const Json* dt = v.find("dtype");
    if (!dt || !dt->is_string()) fail("%s: tensor %s: missing or non-string \"dtype\"", path.c_str(), pname.c_str());
    if (!dtype_from_name(dt->as_string(), &t.dtype)) fail("%s: tensor %s: unknown dtype \"%s\"", path.c_str(), pname.c_str(), printable(dt->as_string(), 40).c_str());
    const Json* sh = v.find("shape");
    if (!sh || !sh->is_array()) fail("%s: tensor %s: missing or non-array \"shape\"", path.c_str(), pname.c_str());
    if (sh->items().size() > 8) fail("%s: tensor %s: %zu dimensions is too many", path.c_str(), pname.c_str(), sh->items().size());
    // numel·elsize with overflow checks, against a bound no file can reach.
    unsigned __int128 bytes = dtype_size(t.dtype);
    for (const Json& d : sh->items()) {
      if (!d.is_integer() || d.as_int() < 0) fail("%s: tensor %s: shape entries must be non-negative integers", path.c_str(), pname.c_str());
      t.shape.push_back(d.as_int());
      bytes *= static_cast<uint64_t>(d.as_int());
      if (bytes > (static_cast<unsigned __int128>(1) << 62)) fail("%s: tensor %s: shape %s is impossibly large", path.c_str(), pname.c_str(), t.shape_str().c_str());
    }
    const Json* off = v.find("data_offsets");
    if (!off || !off->is_array() || off->items().size() != 2 || !off->items()[0].is_integer() || !off->items()[1].is_integer() ||
        off->items()[0].as_int() < 0 || off->items()[1].as_int() < 0)
      fail("%s: tensor %s: \"data_offsets\" must be [begin, end] with non-negative integers", path.c_str(), pname.c_str());
    t.begin = static_cast<uint64_t>(off->items()[0].as_int());
    t.end = static_cast<uint64_t>(off->items()[1].as_int());
    if (t.end < t.begin)
      fail("%s: tensor %s: data_offsets [%llu, %llu] end before begin", path.c_str(), pname.c_str(), static_cast<unsigned long long>(t.begin), static_cast<unsigned long long>(t.end));
    if (static_cast<unsigned __int128>(t.end - t.begin) != bytes)
      fail("%s: tensor %s: %s %s needs %llu bytes but data_offsets [%llu, %llu] hold %llu", path.c_str(), pname.c_str(), dtype_name(t.dtype),
           t.shape_str().c_str(), static_cast<unsigned long long>(bytes), static_cast<unsigned long long>(t.begin), static_cast<unsigned long long>(t.end),
           static_cast<unsigned long long>(t.end - t.begin));
    out.push_back(std::move(t));
  }
  // The data region must be exactly covered: sorted by offset, each tensor starts where the previous ends.
  std::vector<const TensorInfo*> byoff;
  byoff.reserve(out.size());
  for (const auto& t : out) byoff.push_back(&t);
  std::sort(byoff.begin(), byoff.end(), [](const TensorInfo* a, const TensorInfo* b) { return a->begin != b->begin ? a->begin < b->begin : a->end < b->end; });
  // Past the end: report the lowest tensor (for a truncated file, the one the cut goes through).
  for (const TensorInfo* t : byoff)
    if (t->end > data_size)
      fail("%s: tensor %s: data_offsets [%llu, %llu] run past the end of the data (%llu bytes; file truncated?)", path.c_str(),
           printable(t->name).c_str(), static_cast<unsigned long long>(t->begin), static_cast<unsigned long long>(t->end),
           static_cast<unsigned long long>(data_size));
  uint64_t pos = 0;
  const TensorInfo* prev = nullptr;
  for (const TensorInfo* t : byoff) {
    if (t->begin < pos)
      fail("%s: tensor %s: data_offsets [%llu, %llu] overlap tensor %s [%llu, %llu]", path.c_str(), printable(t->name).c_str(),
           static_cast<unsigned long long>(t->begin), static_cast<unsigned long long>(t->end), printable(prev->name).c_str(),
           static_cast<unsigned long long>(prev->begin), static_cast<unsigned long long>(prev->end));
    if (t->begin > pos)
      fail("%s: tensor %s: data_offsets [%llu, %llu] leave a gap of %llu bytes after offset %llu", path.c_str(), printable(t->name).c_str(),
           static_cast<unsigned long long>(t->begin), static_cast<unsigned long long>(t->end), static_cast<unsigned long long>(t->begin - pos),
           static_cast<unsigned long long>(pos));
    pos = t->end;
    prev = t;
  }
  if (pos != data_size)
    fail("%s: the header describes %llu bytes of data but the file holds %llu (extra bytes at the end)", path.c_str(),
         static_cast<unsigned long long>(pos), static_cast<unsigned long long>(data_size));
  for (TensorInfo& t : out) t.data = data + t.begin;
  return out;
}

std::unique_ptr<SafetensorsFile> SafetensorsFile::open(const std::string& path) {
  size_t size = 0;
  int fd = open_regular_file(path, size);
  std::unique_ptr<SafetensorsFile> f(new SafetensorsFile());
  f->path_ = path;
  f->size_ = size;
  if (f->size_ > 0) {
    void* m = ::mmap(nullptr, f->size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m == MAP_FAILED) {
      ::close(fd);
      fail("%s: mmap failed: %s", path.c_str(), std::strerror(errno));
    }
    f->map_ = m;
  }
  ::close(fd);
  f->tensors_ = parse_safetensors(static_cast<const uint8_t*>(f->map_), f->size_, path);
  return f;
}

SafetensorsFile::~SafetensorsFile() {
  if (map_) ::munmap(map_, size_);
}

}  // namespace dse
