#include "serve/protocol.hpp"

#include <cmath>

#include "util/error.hpp"

namespace dse {

namespace {

std::string type_desc(const Json* v) { return v ? Json::type_name(v->type()) : "nothing"; }

const Json* opt_field(const Json& obj, const char* name) {
  const Json* v = obj.find(name);
  return (v && !v->is_null()) ? v : nullptr;
}

int64_t get_int(const Json& obj, const char* name, int64_t def, int64_t lo, int64_t hi) {
  const Json* v = opt_field(obj, name);
  if (!v) return def;
  if (!v->is_integer() || v->as_int() < lo || v->as_int() > hi)
    fail("field \"%s\": expected an integer in [%lld, %lld], got %s", name, static_cast<long long>(lo), static_cast<long long>(hi),
         v->is_number() ? strformat("%.17g", v->as_double()).c_str() : type_desc(v).c_str());
  return v->as_int();
}

double get_num(const Json& obj, const char* name, double def, double lo, double hi) {
  const Json* v = opt_field(obj, name);
  if (!v) return def;
  if (!v->is_number() || !std::isfinite(v->as_double()) || v->as_double() < lo || v->as_double() > hi)
    fail("field \"%s\": expected a number in [%g, %g], got %s", name, lo, hi,
         v->is_number() ? strformat("%.17g", v->as_double()).c_str() : type_desc(v).c_str());
  return v->as_double();
}

bool get_bool(const Json& obj, const char* name, bool def) {
  const Json* v = opt_field(obj, name);
  if (!v) return def;
  if (!v->is_bool()) fail("field \"%s\": expected true or false, got %s", name, type_desc(v).c_str());
  return v->as_bool();
}

std::vector<int> get_int_array(const Json& obj, const char* name, bool required, int64_t lo, int64_t hi) {
  const Json* v = opt_field(obj, name);
  std::vector<int> out;
  if (!v) {
    if (required) fail("field \"%s\": required", name);
    return out;
  }
  if (!v->is_array()) fail("field \"%s\": expected an array of integers, got %s", name, type_desc(v).c_str());
  out.reserve(v->items().size());
  for (size_t i = 0; i < v->items().size(); ++i) {
    const Json& e = v->items()[i];
    if (!e.is_integer() || e.as_int() < lo || e.as_int() > hi)
      fail("field \"%s\"[%zu]: expected an integer in [%lld, %lld]", name, i, static_cast<long long>(lo), static_cast<long long>(hi));
    out.push_back(static_cast<int>(e.as_int()));
  }
  return out;
}

void parse_load(const Json& j, LoadRequest& r) {
  const Json* m = opt_field(j, "model");
  if (!m || !m->is_string() || m->as_string().empty()) fail("field \"model\": expected the model directory as a string");
  r.model_dir = m->as_string();
  const Json* o = opt_field(j, "options");
  Json empty = Json::parse("{}", "options");
  if (o && !o->is_object()) fail("field \"options\": expected an object");
  const Json& opts = o ? *o : empty;
  r.options.dsa = get_bool(opts, "dsa", true);
  r.options.reference_fp8 = get_bool(opts, "reference_fp8", false);
  r.options.threads = static_cast<int>(get_int(opts, "threads", 2, 1, 256));
  r.options.max_seq = static_cast<int>(get_int(opts, "max_seq", 8192, 1, 1 << 24));
  r.max_batch = static_cast<int>(get_int(opts, "max_batch", 16, 1, 4096));
  r.prefill_chunk = static_cast<int>(get_int(opts, "prefill_chunk", 256, 1, 1 << 20));
  r.options.cache_tokens = get_int(opts, "cache_tokens", 0, 0, int64_t(1) << 32);
}

void parse_generate(const Json& j, GenerateRequest& g) {
  g.tokens = get_int_array(j, "tokens", true, 0, INT32_MAX);
  if (g.tokens.empty()) fail("field \"tokens\": the prompt is empty");
  const Json* s = opt_field(j, "seeds");
  if (s) {
    if (!s->is_array() || s->items().empty()) fail("field \"seeds\": expected a non-empty array of integers (one sequence per seed)");
    for (size_t i = 0; i < s->items().size(); ++i) {
      const Json& e = s->items()[i];
      if (!e.is_integer() || e.as_int() < 0) fail("field \"seeds\"[%zu]: expected a non-negative integer below 2^63", i);
      g.seeds.push_back(static_cast<uint64_t>(e.as_int()));
    }
    if (g.seeds.size() > 4096) fail("field \"seeds\": at most 4096 sequences per request");
  } else {
    g.seeds.push_back(static_cast<uint64_t>(get_int(j, "seed", 0, 0, INT64_MAX)));
  }
  g.max_tokens = static_cast<int>(get_int(j, "max_tokens", 256, 1, 1 << 24));
  g.sampling.temperature = get_num(j, "temperature", 1.0, 0.0, 1e6);
  g.sampling.top_p = get_num(j, "top_p", 1.0, 0.0, 1.0);
  if (g.sampling.top_p <= 0.0) fail("field \"top_p\": must be greater than 0");
  g.sampling.top_k = static_cast<int>(get_int(j, "top_k", 0, 0, INT32_MAX));
  g.stop_tokens = get_int_array(j, "stop_tokens", false, 0, INT32_MAX);
  g.logprobs = get_bool(j, "logprobs", false);
  g.top_logprobs = static_cast<int>(get_int(j, "top_logprobs", 0, 0, 100));
}

void parse_forward(const Json& j, ForwardRequest& f) {
  f.tokens = get_int_array(j, "tokens", true, 0, INT32_MAX);
  if (f.tokens.empty()) fail("field \"tokens\": empty");
  f.chunks = get_int_array(j, "chunks", false, 1, INT32_MAX);
  if (!f.chunks.empty()) {
    int64_t sum = 0;
    for (int c : f.chunks) sum += c;
    if (sum != static_cast<int64_t>(f.tokens.size()))
      fail("field \"chunks\": sizes add up to %lld but there are %zu tokens", static_cast<long long>(sum), f.tokens.size());
  }
  const Json* rl = opt_field(j, "return_logits");
  if (rl) {
    if (!rl->is_string()) fail("field \"return_logits\": expected \"all\", \"last\" or \"none\"");
    if (rl->as_string() == "all") f.logits = ForwardRequest::Logits::All;
    else if (rl->as_string() == "last") f.logits = ForwardRequest::Logits::Last;
    else if (rl->as_string() == "none") f.logits = ForwardRequest::Logits::None;
    else fail("field \"return_logits\": expected \"all\", \"last\" or \"none\"");
  }
  f.return_selected = get_bool(j, "return_selected", false);
  const Json* mla = opt_field(j, "mla");
  if (mla) {
    if (!mla->is_string()) fail("field \"mla\": expected \"auto\", \"naive\" or \"absorbed\"");
    if (mla->as_string() == "auto") f.mla = MlaMode::Auto;
    else if (mla->as_string() == "naive") f.mla = MlaMode::Naive;
    else if (mla->as_string() == "absorbed") f.mla = MlaMode::Absorbed;
    else fail("field \"mla\": expected \"auto\", \"naive\" or \"absorbed\"");
  }
}

}  // namespace

Request parse_request(const std::string& line, std::string* id_out, bool* has_id_out) {
  *has_id_out = false;
  Json j = Json::parse(line, "request");
  if (!j.is_object()) fail("a request must be a JSON object");
  Request r;
  if (const Json* id = opt_field(j, "id")) {
    if (id->is_string()) r.id = id->as_string();
    else if (id->is_integer()) r.id = std::to_string(id->as_int());
    else fail("field \"id\": expected a string");
    r.has_id = true;
    *id_out = r.id;
    *has_id_out = true;
  }
  const Json* op = opt_field(j, "op");
  if (!op || !op->is_string()) fail("field \"op\": expected one of load, generate, cancel, stats, forward, shutdown");
  const std::string& o = op->as_string();
  if (o == "load") {
    r.op = Request::Op::Load;
    parse_load(j, r.load);
  } else if (o == "generate") {
    r.op = Request::Op::Generate;
    if (!r.has_id) fail("generate: field \"id\" is required");
    parse_generate(j, r.gen);
  } else if (o == "cancel") {
    r.op = Request::Op::Cancel;
    if (!r.has_id) fail("cancel: field \"id\" (the request to cancel) is required");
    r.cancel_seq = static_cast<int>(get_int(j, "seq", -1, 0, 1 << 20));
  } else if (o == "stats") {
    r.op = Request::Op::Stats;
  } else if (o == "forward") {
    r.op = Request::Op::Forward;
    parse_forward(j, r.fwd);
  } else if (o == "shutdown") {
    r.op = Request::Op::Shutdown;
  } else {
    fail("unknown op \"%s\" (expected load, generate, cancel, stats, forward or shutdown)", printable(o, 40).c_str());
  }
  return r;
}

void check_tokens(const std::vector<int>& tokens, int vocab, const char* field) {
  for (size_t i = 0; i < tokens.size(); ++i)
    if (tokens[i] < 0 || tokens[i] >= vocab) fail("field \"%s\"[%zu]: token id %d is out of range (vocabulary size %d)", field, i, tokens[i], vocab);
}

std::string event_head(const std::string& id, bool has_id, const char* event) {
  std::string s = "{\"id\":";
  if (has_id) json_append_string(s, id);
  else s += "null";
  s += ",\"event\":\"";
  s += event;
  s += "\"";
  return s;
}

std::string event_error(const std::string& id, bool has_id, const std::string& message) {
  std::string s = event_head(id, has_id, "error");
  s += ",\"message\":";
  json_append_string(s, message);
  s += "}";
  return s;
}

}  // namespace dse
