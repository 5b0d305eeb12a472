// `dseval-engine validate safetensors|config <file>...`: runs each file through the same parsers the
// loader uses (safetensors header + layout, or config.json) and prints one JSON line per file:
// {"file":..,"ok":true,..} or {"file":..,"ok":false,"error":".."}. Replays the fuzz regression corpus
// (test/engine/corpus/) in one process; exit 0 once every file was processed.
#include <cstdio>
#include <cstring>
#include <string>

#include "cli/commands.hpp"
#include "io/safetensors.hpp"
#include "model/config.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/json.hpp"

namespace dse {

int validate_main(int argc, char** argv) {
  if (argc < 1 || (std::strcmp(argv[0], "safetensors") != 0 && std::strcmp(argv[0], "config") != 0))
    fail("validate: usage: dseval-engine validate safetensors|config <file>...");
  const bool st = std::strcmp(argv[0], "safetensors") == 0;
  for (int i = 1; i < argc; ++i) {
    std::string line = "{\"file\":";
    json_append_string(line, argv[i]);
    try {
      if (st) {
        auto f = SafetensorsFile::open(argv[i]);
        line += strformat(",\"ok\":true,\"tensors\":%zu}", f->tensors().size());
      } else {
        ModelConfig c = load_config_file(argv[i]);
        line += ",\"ok\":true,\"config\":" + c.summary_json() + "}";
      }
    } catch (const EngineError& e) {
      line += ",\"ok\":false,\"error\":";
      json_append_string(line, e.what());
      line += "}";
    }
    std::printf("%s\n", line.c_str());
  }
  return 0;
}

}  // namespace dse
