// libFuzzer target: config.json text through the JSON reader and the config validator.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "model/config.hpp"
#include "util/error.hpp"
#include "util/json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    dse::Json j = dse::Json::parse(std::string_view(reinterpret_cast<const char*>(data), size), "config.json");
    dse::ModelConfig c = dse::parse_config(j, "config.json");
    (void)c.summary_json();
    (void)c.param_count();
  } catch (const dse::EngineError&) {
  }
  return 0;
}
