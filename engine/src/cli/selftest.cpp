// `dseval-engine selftest`: unit goldens of the numeric building blocks against the spec's values and
// brute-force definitions (spec §12.1). One JSON line per check; exit 1 if any fails.
// `--dump` prints raw values (YaRN table, cos/sin, FP8 codec) for an independent check in TypeScript.
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>

#include "cli/commands.hpp"
#include "cli/selftest.hpp"
#include "util/json.hpp"

namespace dse {

namespace selftest {
namespace {
int g_pass = 0, g_fail = 0;
}  // namespace

void report(const char* name, bool ok, const std::string& detail) {
  std::string line = "{\"check\":";
  json_append_string(line, name);
  line += ok ? ",\"ok\":true" : ",\"ok\":false";
  line += ",\"detail\":";
  json_append_string(line, detail);
  line += "}";
  std::printf("%s\n", line.c_str());
  (ok ? g_pass : g_fail)++;
}

int passed() { return g_pass; }
int failed() { return g_fail; }

WeightMatrix fp8_matrix(const std::vector<uint8_t>& codes, int64_t rows, int64_t cols, std::vector<float> scale) {
  WeightMatrix w;
  w.dtype = DType::F8_E4M3;
  w.rows = rows;
  w.cols = cols;
  w.data = codes.data();
  w.scale_cols = (cols + 127) / 128;
  w.scale = std::move(scale);
  return w;
}

}  // namespace selftest

int selftest_main(int argc, char** argv) {
  if (argc > 0 && std::strcmp(argv[0], "--dump") == 0) {
    selftest::dump();
    return 0;
  }
  selftest::check_numerics();
  selftest::check_kernels();
  selftest::check_blocked_kernels();
  std::printf("{\"selftest\":\"done\",\"passed\":%d,\"failed\":%d}\n", selftest::passed(), selftest::failed());
  return selftest::failed() == 0 ? 0 : 1;
}

}  // namespace dse
