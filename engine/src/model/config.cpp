#include "model/config.hpp"

#include <cmath>

#include "util/error.hpp"
#include "util/file.hpp"

namespace dse {

namespace {

std::string describe(const Json* v) {
  if (!v) return "nothing (missing)";
  switch (v->type()) {
    case Json::Type::Null: return "null";
    case Json::Type::Bool: return v->as_bool() ? "true" : "false";
    case Json::Type::Number: return strformat("%.17g", v->as_double());
    case Json::Type::String: return "\"" + printable(v->as_string(), 60) + "\"";
    case Json::Type::Array: return "an array";
    case Json::Type::Object: return "an object";
  }
  return "?";
}

// Typed access to the fields of one JSON object, with errors that name the field and file.
class Fields {
 public:
  Fields(const Json& obj, const std::string& path, std::string prefix = "") : obj_(obj), path_(path), prefix_(std::move(prefix)) {}

  [[noreturn]] void bad(const char* name, const char* expected, const Json* v) const {
    fail("%s: field \"%s%s\": expected %s, got %s", path_.c_str(), prefix_.c_str(), name, expected, describe(v).c_str());
  }
  const Json* get(const char* name) const {
    const Json* v = obj_.find(name);
    return (v && !v->is_null()) ? v : nullptr;
  }
  bool has(const char* name) const { return get(name) != nullptr; }

  int req_int(const char* name, int lo, int hi) const {
    const Json* v = get(name);
    if (!v || !v->is_integer() || v->as_int() < lo || v->as_int() > hi) {
      std::string exp = strformat("an integer in [%d, %d]", lo, hi);
      bad(name, exp.c_str(), obj_.find(name));
    }
    return static_cast<int>(v->as_int());
  }
  int opt_int(const char* name, int def, int lo, int hi) const { return has(name) ? req_int(name, lo, hi) : def; }

  double req_num(const char* name, double lo, double hi) const {
    const Json* v = get(name);
    if (!v || !v->is_number() || !std::isfinite(v->as_double()) || v->as_double() < lo || v->as_double() > hi) {
      std::string exp = strformat("a number in [%g, %g]", lo, hi);
      bad(name, exp.c_str(), obj_.find(name));
    }
    return v->as_double();
  }
  double opt_num(const char* name, double def, double lo, double hi) const { return has(name) ? req_num(name, lo, hi) : def; }

  std::string opt_str(const char* name, const std::string& def) const {
    const Json* v = get(name);
    if (!v) return def;
    if (!v->is_string()) bad(name, "a string", v);
    return v->as_string();
  }
  bool opt_bool(const char* name, bool def) const {
    const Json* v = get(name);
    if (!v) return def;
    if (!v->is_bool()) bad(name, "true or false", v);
    return v->as_bool();
  }

 private:
  const Json& obj_;
  const std::string& path_;
  std::string prefix_;
};

constexpr int kBig = 1 << 24;  // generous upper bound for sizes; keeps hostile configs from allocating absurdly

void check(bool ok, const std::string& path, const char* field, const std::string& why) {
  if (!ok) fail("%s: field \"%s\": %s", path.c_str(), field, why.c_str());
}

}  // namespace

double ModelConfig::softmax_scale() const {
  double m = 1.0;
  if (yarn && mscale_all_dim != 0.0 && rope_factor > 1.0) m = 0.1 * mscale_all_dim * std::log(rope_factor) + 1.0;
  return std::pow(static_cast<double>(qk_head_dim()), -0.5) * m * m;
}

double ModelConfig::param_count() const {
  double D = hidden_size, H = num_attention_heads;
  double attn = D * q_lora_rank + q_lora_rank + static_cast<double>(q_lora_rank) * H * qk_head_dim() +
                D * (kv_lora_rank + qk_rope_head_dim) + kv_lora_rank + static_cast<double>(kv_lora_rank) * H * (qk_nope_head_dim + v_head_dim) +
                H * v_head_dim * D + 2 * D;
  if (has_indexer())
    attn += static_cast<double>(q_lora_rank) * index_n_heads * index_head_dim + D * index_head_dim + 2.0 * index_head_dim + D * index_n_heads;
  double total = 2.0 * vocab_size * D + D;
  for (int l = 0; l < num_hidden_layers; ++l) {
    total += attn;
    if (is_moe_layer(l))
      total += static_cast<double>(n_routed_experts) * 3 * D * moe_intermediate_size + 3.0 * D * moe_intermediate_size * n_shared_experts +
               static_cast<double>(n_routed_experts) * D + (gate_bias ? n_routed_experts : 0);
    else
      total += 3.0 * D * intermediate_size;
  }
  return total;
}

std::string ModelConfig::summary_json() const {
  std::string s = "{";
  s += "\"architecture\":";
  json_append_string(s, architecture);
  s += strformat(
      ",\"vocab_size\":%d,\"hidden_size\":%d,\"num_hidden_layers\":%d,\"first_k_dense_replace\":%d,"
      "\"num_attention_heads\":%d,\"q_lora_rank\":%d,\"kv_lora_rank\":%d,\"qk_nope_head_dim\":%d,"
      "\"qk_rope_head_dim\":%d,\"v_head_dim\":%d,\"intermediate_size\":%d,\"moe_intermediate_size\":%d,"
      "\"n_routed_experts\":%d,\"n_shared_experts\":%d,\"num_experts_per_tok\":%d,\"n_group\":%d,\"topk_group\":%d,"
      "\"routed_scaling_factor\":%.17g,\"index_n_heads\":%d,\"index_head_dim\":%d,\"index_topk\":%d,"
      "\"max_position_embeddings\":%d,\"yarn\":%s,\"rope_factor\":%.17g,\"softmax_scale\":%.9g,"
      "\"scale_fmt\":%s,\"bos_token_id\":%d,\"eos_token_id\":%d,\"params\":%.0f}",
      vocab_size, hidden_size, num_hidden_layers, first_k_dense_replace, num_attention_heads, q_lora_rank, kv_lora_rank,
      qk_nope_head_dim, qk_rope_head_dim, v_head_dim, intermediate_size, moe_intermediate_size, n_routed_experts,
      n_shared_experts, num_experts_per_tok, n_group, topk_group, routed_scaling_factor, index_n_heads, index_head_dim,
      index_topk, max_position_embeddings, yarn ? "true" : "false", rope_factor, softmax_scale(),
      ue8m0 ? "\"ue8m0\"" : "null", bos_token_id, eos_token_id, param_count());
  return s;
}

ModelConfig parse_config(const Json& j, const std::string& path) {
  if (!j.is_object()) fail("%s: expected a JSON object at the top level", path.c_str());
  Fields f(j, path);
  ModelConfig c;

  // Architecture: architectures[0], else model_type.
  std::string arch;
  if (const Json* a = f.get("architectures")) {
    if (!a->is_array() || a->items().empty() || !a->items()[0].is_string()) f.bad("architectures", "a non-empty array of strings", a);
    arch = a->items()[0].as_string();
  } else {
    std::string mt = f.opt_str("model_type", "");
    if (mt == "deepseek_v32") arch = "DeepseekV32ForCausalLM";
    else if (mt == "deepseek_v3") arch = "DeepseekV3ForCausalLM";
    else f.bad("architectures", "[\"DeepseekV32ForCausalLM\"] or [\"DeepseekV3ForCausalLM\"] (or a deepseek model_type)", nullptr);
  }
  if (arch == "DeepseekV32ForCausalLM") c.arch = Arch::V32;
  else if (arch == "DeepseekV3ForCausalLM") c.arch = Arch::V3;
  else fail("%s: field \"architectures\": unsupported architecture \"%s\" (supported: DeepseekV32ForCausalLM, DeepseekV3ForCausalLM)", path.c_str(), printable(arch, 80).c_str());
  c.architecture = arch;

  c.vocab_size = f.req_int("vocab_size", 2, kBig);
  c.hidden_size = f.req_int("hidden_size", 1, 1 << 16);
  c.intermediate_size = f.req_int("intermediate_size", 1, 1 << 20);
  c.num_hidden_layers = f.req_int("num_hidden_layers", 1, 1024);
  c.num_attention_heads = f.req_int("num_attention_heads", 1, 4096);
  c.first_k_dense_replace = f.opt_int("first_k_dense_replace", 0, 0, 1024);
  c.moe_layer_freq = f.opt_int("moe_layer_freq", 1, 1, 1024);
  c.n_routed_experts = f.opt_int("n_routed_experts", 0, 0, 1 << 16);
  if (c.n_routed_experts > 0) {
    c.moe_intermediate_size = f.req_int("moe_intermediate_size", 1, 1 << 20);
    c.n_shared_experts = f.opt_int("n_shared_experts", 0, 0, 64);
    c.num_experts_per_tok = f.req_int("num_experts_per_tok", 1, c.n_routed_experts);
    c.n_group = f.opt_int("n_group", 1, 1, c.n_routed_experts);
    c.topk_group = f.opt_int("topk_group", 1, 1, c.n_group);
    c.routed_scaling_factor = f.opt_num("routed_scaling_factor", 1.0, 1e-6, 1e6);
    std::string sf = f.opt_str("scoring_func", "softmax");
    if (sf == "sigmoid") c.scoring_func = ScoringFunc::Sigmoid;
    else if (sf == "softmax") c.scoring_func = ScoringFunc::Softmax;
    else f.bad("scoring_func", "\"sigmoid\" or \"softmax\"", f.get("scoring_func"));
    std::string tm = f.opt_str("topk_method", "greedy");
    if (tm == "noaux_tc") c.gate_bias = true;
    else if (tm == "greedy" || tm == "group_limited_greedy") c.gate_bias = false;
    else f.bad("topk_method", "\"noaux_tc\", \"group_limited_greedy\" or \"greedy\"", f.get("topk_method"));
    c.norm_topk_prob = f.opt_bool("norm_topk_prob", c.scoring_func == ScoringFunc::Sigmoid);
    check(c.n_routed_experts % c.n_group == 0, path, "n_group", strformat("n_routed_experts %d is not a multiple of n_group %d", c.n_routed_experts, c.n_group));
    int per_group = c.n_routed_experts / c.n_group;
    check(c.num_experts_per_tok <= c.topk_group * per_group, path, "num_experts_per_tok",
          strformat("%d experts cannot be chosen from %d groups of %d", c.num_experts_per_tok, c.topk_group, per_group));
    check(!(c.gate_bias && c.n_group > 1 && per_group < 2), path, "n_group", "noaux_tc group scores need at least 2 experts per group");
  }
  if (f.has("q_lora_rank")) c.q_lora_rank = f.req_int("q_lora_rank", 1, 1 << 16);
  else fail("%s: field \"q_lora_rank\": null/absent (no query LoRA) is not supported by this engine", path.c_str());
  c.kv_lora_rank = f.req_int("kv_lora_rank", 1, 1 << 16);
  c.qk_nope_head_dim = f.req_int("qk_nope_head_dim", 1, 4096);
  c.qk_rope_head_dim = f.req_int("qk_rope_head_dim", 2, 4096);
  check(c.qk_rope_head_dim % 2 == 0, path, "qk_rope_head_dim", "must be even (RoPE rotates pairs)");
  c.v_head_dim = f.req_int("v_head_dim", 1, 4096);
  if (c.fp8_latent())
    check(c.kv_lora_rank % 128 == 0, path, "kv_lora_rank", strformat("%d is not a multiple of 128 (the FP8 latent is quantised in groups of 128)", c.kv_lora_rank));
  if (c.has_indexer()) {
    c.index_n_heads = f.req_int("index_n_heads", 1, 4096);
    c.index_head_dim = f.req_int("index_head_dim", 128, 1 << 14);
    c.index_topk = f.req_int("index_topk", 1, 1 << 24);
    int d = c.index_head_dim;
    check(d % 128 == 0 && (d & (d - 1)) == 0 && d <= 1024, path, "index_head_dim",
          strformat("%d must be a power of two, a multiple of 128 and at most 1024 (Hadamard, act_quant)", d));
    check(c.qk_rope_head_dim <= d, path, "qk_rope_head_dim", "is larger than index_head_dim");
  }
  c.rms_norm_eps = f.opt_num("rms_norm_eps", 1e-6, 0.0, 1.0);
  c.rope_theta = f.opt_num("rope_theta", 10000.0, 1.0, 1e12);
  c.max_position_embeddings = f.req_int("max_position_embeddings", 1, 1 << 26);
  c.num_nextn_predict_layers = f.opt_int("num_nextn_predict_layers", 0, 0, 64);
  c.bos_token_id = f.opt_int("bos_token_id", -1, 0, c.vocab_size - 1);
  c.eos_token_id = f.opt_int("eos_token_id", -1, 0, c.vocab_size - 1);
  std::string act = f.opt_str("hidden_act", "silu");
  check(act == "silu", path, "hidden_act", "only \"silu\" is supported, got \"" + printable(act, 40) + "\"");
  check(!f.opt_bool("tie_word_embeddings", false), path, "tie_word_embeddings", "tied embeddings are not supported (DeepSeek models use a separate lm_head)");
  check(!f.opt_bool("attention_bias", false), path, "attention_bias", "attention biases are not supported");

  if (const Json* rs = f.get("rope_scaling")) {
    if (!rs->is_object()) f.bad("rope_scaling", "an object or null", rs);
    Fields r(*rs, path, "rope_scaling.");
    std::string type = r.opt_str("type", r.opt_str("rope_type", ""));
    if (type != "yarn") r.bad("type", "\"yarn\" (the only scaling DeepSeek models use)", rs->find("type") ? rs->find("type") : rs->find("rope_type"));
    c.yarn = true;
    c.rope_factor = r.req_num("factor", 1.0, 1e6);
    c.original_max_position_embeddings = r.req_int("original_max_position_embeddings", 1, 1 << 26);
    c.beta_fast = r.opt_num("beta_fast", 32.0, 1e-6, 1e6);
    c.beta_slow = r.opt_num("beta_slow", 1.0, 1e-6, 1e6);
    // DeepSeek's reference ModelArgs.mscale (= mscale_all_dim) defaults to 1.0.
    c.mscale_all_dim = r.opt_num("mscale_all_dim", 1.0, 0.0, 1e3);
    // rope_scaling.mscale only scales cos/sin through its ratio to mscale_all_dim in HF ports; the
    // reference never scales cos/sin (spec §2.7 step 5), so it is read for validation only.
    r.opt_num("mscale", 1.0, 0.0, 1e3);
  }

  // act_quant scale format: what an FP8 checkpoint declares; a bf16 checkpoint (no quantization_config)
  // keeps V3.2's ue8m0 for the latent and indexer FP8 (same choice as engine/reference).
  c.ue8m0 = true;
  if (const Json* q = f.get("quantization_config")) {
    if (!q->is_object()) f.bad("quantization_config", "an object or null", q);
    Fields qf(*q, path, "quantization_config.");
    std::string method = qf.opt_str("quant_method", "");
    if (method != "fp8") qf.bad("quant_method", "\"fp8\"", q->find("quant_method"));
    std::string fmt = qf.opt_str("fmt", "e4m3");
    if (fmt != "e4m3") qf.bad("fmt", "\"e4m3\"", q->find("fmt"));
    if (const Json* b = qf.get("weight_block_size")) {
      bool ok = b->is_array() && b->items().size() == 2;
      for (size_t i = 0; ok && i < 2; ++i) ok = b->items()[i].is_integer() && b->items()[i].as_int() == 128;
      if (!ok) qf.bad("weight_block_size", "[128, 128]", b);
    }
    std::string sf = qf.opt_str("scale_fmt", "");
    c.ue8m0 = sf == "ue8m0";
    if (!sf.empty() && sf != "ue8m0") qf.bad("scale_fmt", "\"ue8m0\" or null", q->find("scale_fmt"));
    c.fp8_quantized = true;
  }
  return c;
}

ModelConfig load_config_file(const std::string& path) {
  std::string text = read_text_file(path, 16u << 20);
  Json j = Json::parse(text, path);
  return parse_config(j, path);
}

}  // namespace dse
