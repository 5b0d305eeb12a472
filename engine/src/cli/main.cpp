// dseval-engine: the native DeepSeek-V3.2 inference engine of dseval.
//   dseval-engine serve                   NDJSON protocol on stdin/stdout (engine/README.md)
//   dseval-engine check <model-dir>       validate a checkpoint; print a summary or a one-line error
//   dseval-engine bench <model-dir> ...   prefill / decode throughput
//   dseval-engine selftest [--dump]       numeric unit goldens
//   dseval-engine validate safetensors|config <file>...   parser check per file (fuzz corpus replay)
#include <malloc.h>

#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include "cli/commands.hpp"
#include "kernels/simd.hpp"
#include "serve/server.hpp"

namespace {
void usage() {
  std::fprintf(stderr,
               "usage: dseval-engine serve\n"
               "       dseval-engine check <model-dir> [--reference-fp8]\n"
               "       dseval-engine bench <model-dir> [--prompt N] [--gen M] [--batch B] [--repeats R] [--threads T] [--chunk C] [--no-dsa] [--reference-fp8]\n"
               "       dseval-engine bench <model-dir> --contexts 1024,4096,... [--gen M] [--batch B] [--repeats R] [--threads T] [--chunk C] [--no-dsa]\n"
               "       dseval-engine selftest [--dump]\n"
               "       dseval-engine validate safetensors|config <file>...\n"
               "       dseval-engine version\n");
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    usage();
    return 2;
  }
  const std::string cmd = argv[1];
  // Keep freed memory for reuse instead of returning it to the kernel: the forward pass allocates and
  // frees multi-megabyte scratch every layer, and fresh pages cost a page fault each (measured: 25 %
  // of a 4K-token prefill). 32 MB is glibc's largest mmap threshold.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  try {
    if (cmd == "serve") return dse::serve_main();
    if (cmd == "check") return dse::check_main(argc - 2, argv + 2);
    if (cmd == "bench") return dse::bench_main(argc - 2, argv + 2);
    if (cmd == "selftest") return dse::selftest_main(argc - 2, argv + 2);
    if (cmd == "validate") return dse::validate_main(argc - 2, argv + 2);
    if (cmd == "version") {
      std::printf("{\"engine\":\"dseval-engine\",\"version\":\"0.1.0\",\"simd\":\"%s\",\"compiler\":\"%s\"}\n", DSE_AVX2 ? "avx2+fma" : "scalar", __VERSION__);
      return 0;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "dseval-engine: error: %s\n", e.what());
    return 1;
  }
  usage();
  return 2;
}
