// `dseval-engine check <model-dir>`: loads config and checkpoint exactly as the engine would and
// prints a JSON summary, or a one-line error (exit 1).
#include <cstdio>
#include <cstring>
#include <map>
#include <string>

#include "cli/commands.hpp"
#include "io/checkpoint.hpp"
#include "model/config.hpp"
#include "model/weights.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/json.hpp"

namespace dse {

int check_main(int argc, char** argv) {
  std::string dir;
  BindOptions bo;
  for (int i = 0; i < argc; ++i) {
    if (std::strcmp(argv[i], "--reference-fp8") == 0) bo.reference_fp8 = true;
    else if (dir.empty()) dir = argv[i];
    else fail("check: unexpected argument %s", argv[i]);
  }
  if (dir.empty()) fail("check: missing <model-dir>");
  ModelConfig cfg = load_config_file(path_join(dir, "config.json"));
  auto ck = Checkpoint::open(dir);
  ModelWeights w = bind_weights(*ck, cfg, bo);
  std::map<std::string, int> dtypes;
  int64_t elements = 0, skipped = 0;
  for (const TensorInfo* t : ck->all()) {
    ++dtypes[dtype_name(t->dtype)];
    elements += t->numel();
  }
  skipped = static_cast<int64_t>(ck->unused().size());
  std::string out = "{\"ok\":true,\"model_dir\":";
  json_append_string(out, dir);
  out += ",\"config\":" + cfg.summary_json();
  out += strformat(",\"checkpoint\":{\"files\":%zu,\"tensors\":%zu,\"bytes\":%llu,\"elements\":%lld,\"skipped_mtp_tensors\":%lld,\"dtypes\":{",
                   ck->file_count(), ck->tensor_count(), static_cast<unsigned long long>(ck->total_bytes()), static_cast<long long>(elements),
                   static_cast<long long>(skipped));
  bool first = true;
  for (const auto& [name, n] : dtypes) {
    out += strformat("%s\"%s\":%d", first ? "" : ",", name.c_str(), n);
    first = false;
  }
  out += "}}}";
  std::printf("%s\n", out.c_str());
  return 0;
}

}  // namespace dse
