#include "io/checkpoint.hpp"

#include <algorithm>
#include <map>

#include "util/error.hpp"
#include "util/file.hpp"
#include "util/json.hpp"

namespace dse {

namespace {
// Shard names come from a file we do not trust: plain names inside the model directory only.
bool safe_shard_name(const std::string& s) {
  if (s.empty() || s.size() > 255 || s[0] == '.' || s.find('/') != std::string::npos || s.find('\\') != std::string::npos) return false;
  for (char c : s)
    if (static_cast<unsigned char>(c) < 0x20) return false;
  return true;
}
}  // namespace

std::unique_ptr<Checkpoint> Checkpoint::open(const std::string& dir) {
  std::unique_ptr<Checkpoint> ck(new Checkpoint());
  ck->dir_ = dir;
  const std::string index_path = path_join(dir, "model.safetensors.index.json");
  const std::string single_path = path_join(dir, "model.safetensors");
  std::map<std::string, std::vector<std::string>> expected;  // shard → names the index puts there
  if (file_exists(index_path)) {
    Json idx = Json::parse(read_text_file(index_path, 256u << 20), index_path);
    const Json* wm = idx.is_object() ? idx.find("weight_map") : nullptr;
    if (!wm || !wm->is_object()) fail("%s: missing \"weight_map\" object", index_path.c_str());
    for (const auto& [name, file] : wm->members()) {
      if (!file.is_string() || !safe_shard_name(file.as_string()))
        fail("%s: weight_map entry for tensor %s is not a plain file name", index_path.c_str(), printable(name).c_str());
      expected[file.as_string()].push_back(name);
    }
    if (expected.empty()) fail("%s: weight_map is empty", index_path.c_str());
  } else if (file_exists(single_path)) {
    expected["model.safetensors"] = {};
  } else {
    fail("%s: no model.safetensors or model.safetensors.index.json", dir.c_str());
  }
  for (const auto& [file, names] : expected) {
    const std::string path = path_join(dir, file);
    if (!file_exists(path)) fail("%s: shard listed in model.safetensors.index.json is missing", path.c_str());
    ck->files_.push_back(SafetensorsFile::open(path));
    const SafetensorsFile& f = *ck->files_.back();
    for (const TensorInfo& t : f.tensors()) {
      auto [it, inserted] = ck->by_name_.emplace(t.name, &t);
      if (!inserted) fail("%s: tensor %s also appears in %s", path.c_str(), printable(t.name).c_str(), it->second->file.c_str());
    }
    for (const std::string& n : names) {
      auto it = ck->by_name_.find(n);
      if (it == ck->by_name_.end() || it->second->file != path)
        fail("%s: model.safetensors.index.json puts tensor %s in this file, but it is not there", path.c_str(), printable(n).c_str());
    }
  }
  return ck;
}

const TensorInfo* Checkpoint::find(const std::string& name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second;
}

void Checkpoint::mark_used(const std::string& name) { used_[name] = true; }

std::vector<const TensorInfo*> Checkpoint::unused() const {
  std::vector<const TensorInfo*> out;
  for (const auto& [name, t] : by_name_)
    if (!used_.count(name)) out.push_back(t);
  std::sort(out.begin(), out.end(), [](const TensorInfo* a, const TensorInfo* b) { return a->name < b->name; });
  return out;
}

std::vector<const TensorInfo*> Checkpoint::all() const {
  std::vector<const TensorInfo*> out;
  out.reserve(by_name_.size());
  for (const auto& [name, t] : by_name_) out.push_back(t);
  std::sort(out.begin(), out.end(), [](const TensorInfo* a, const TensorInfo* b) { return a->name < b->name; });
  return out;
}

uint64_t Checkpoint::total_bytes() const {
  uint64_t n = 0;
  for (const auto& f : files_) n += f->size();
  return n;
}

}  // namespace dse
