// The NDJSON protocol (engine/README.md): one JSON object per line on stdin, events on stdout.
// This file turns a request line into a typed request, validating every field once, and formats
// the events. Nothing here touches the model.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/batch.hpp"
#include "model/model.hpp"
#include "serve/sampler.hpp"
#include "util/json.hpp"

namespace dse {

struct LoadRequest {
  std::string model_dir;
  LoadOptions options;
  int max_batch = 16;
  int prefill_chunk = 256;
};

struct GenerateRequest {
  std::vector<int> tokens;
  std::vector<uint64_t> seeds;
  int max_tokens = 256;
  SamplingParams sampling;
  std::vector<int> stop_tokens;
  bool logprobs = false;
  int top_logprobs = 0;
};

struct ForwardRequest {
  std::vector<int> tokens;
  std::vector<int> chunks;       // prefill chunk sizes; empty = one chunk
  enum class Logits { All, Last, None } logits = Logits::All;
  bool return_selected = false;
  MlaMode mla = MlaMode::Auto;
};

struct Request {
  enum class Op { Load, Generate, Cancel, Stats, Forward, Shutdown } op = Op::Stats;
  std::string id;  // "" when absent
  bool has_id = false;
  LoadRequest load;
  GenerateRequest gen;
  ForwardRequest fwd;
  int cancel_seq = -1;  // cancel: one sequence of the request, or -1 for all
};

// Parses one line. On error throws EngineError; *id_out receives the request id when it could be read.
Request parse_request(const std::string& line, std::string* id_out, bool* has_id_out);

// Validation that needs the loaded model (vocabulary, lengths).
void check_tokens(const std::vector<int>& tokens, int vocab, const char* field);

// Event line builders (no trailing newline).
std::string event_error(const std::string& id, bool has_id, const std::string& message);
std::string event_head(const std::string& id, bool has_id, const char* event);  // `{"id":..,"event":".."` — caller closes

}  // namespace dse
