// libFuzzer target: a whole safetensors image (header length, JSON header, data). Every input must end
// in a parsed tensor list or an EngineError — never a crash, a sanitizer report, a hang or another
// exception type. Build with `make fuzz`; run e.g. `build/fuzz/fuzz_safetensors -max_total_time=600
// ../test/engine/corpus/safetensors`.
#include <cstddef>
#include <cstdint>

#include "io/safetensors.hpp"
#include "util/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    auto tensors = dse::parse_safetensors(data, size, "fuzz.safetensors");
    // Touch every tensor's bytes: a wrong bound would show up under ASan.
    volatile uint8_t sink = 0;
    for (const auto& t : tensors)
      if (t.end > t.begin) sink = sink ^ t.data[0] ^ t.data[t.end - t.begin - 1];
    (void)sink;
  } catch (const dse::EngineError&) {
  }
  return 0;
}
