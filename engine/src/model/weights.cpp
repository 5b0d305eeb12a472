#include "model/weights.hpp"

#include <cmath>
#include <cstring>

#include "numerics/formats.hpp"
#include "util/error.hpp"
#include "util/json.hpp"

namespace dse {

namespace {

class Binder {
 public:
  Binder(Checkpoint& ck, const BindOptions& opt) : ck_(ck), opt_(opt) {}

  const TensorInfo& get(const std::string& name) {
    const TensorInfo* t = ck_.find(name);
    if (!t) fail("%s: missing tensor %s", ck_.dir().c_str(), name.c_str());
    ck_.mark_used(name);
    return *t;
  }

  void expect_shape(const TensorInfo& t, std::vector<int64_t> shape) {
    if (t.shape != shape) {
      TensorInfo want;
      want.shape = shape;
      fail("%s: tensor %s has shape %s, expected %s", t.file.c_str(), t.name.c_str(), t.shape_str().c_str(), want.shape_str().c_str());
    }
  }

  [[noreturn]] void bad_dtype(const TensorInfo& t, const char* allowed) {
    fail("%s: tensor %s has dtype %s, expected %s", t.file.c_str(), t.name.c_str(), dtype_name(t.dtype), allowed);
  }

  // A vector of fp32 values (norm weights, biases); F32 or BF16 storage.
  std::vector<float> vec(const std::string& name, int64_t n) {
    const TensorInfo& t = get(name);
    expect_shape(t, {n});
    std::vector<float> v(static_cast<size_t>(n));
    if (t.dtype == DType::F32) {
      std::memcpy(v.data(), t.data, static_cast<size_t>(n) * 4);
    } else if (t.dtype == DType::BF16) {
      for (int64_t i = 0; i < n; ++i) {
        uint16_t b;
        std::memcpy(&b, t.data + 2 * i, 2);
        v[static_cast<size_t>(i)] = bf16_bits_to_f32(b);
      }
    } else {
      bad_dtype(t, "F32 or BF16");
    }
    for (float f : v)
      if (!std::isfinite(f)) fail("%s: tensor %s contains a non-finite value", t.file.c_str(), t.name.c_str());
    return v;
  }

  // A linear layer's weight [rows, cols]. fp8_ok: may be F8_E4M3 with a weight_scale_inv companion.
  WeightMatrix matrix(const std::string& name, int64_t rows, int64_t cols, bool fp8_ok) {
    const TensorInfo& t = get(name);
    expect_shape(t, {rows, cols});
    WeightMatrix w;
    w.name = name;
    w.dtype = t.dtype;
    w.rows = rows;
    w.cols = cols;
    w.data = t.data;
    if (t.dtype == DType::F8_E4M3 && fp8_ok) {
      const std::string sname = name + "_scale_inv";
      const TensorInfo& s = get(sname);
      const int64_t sr = (rows + 127) / 128, sc = (cols + 127) / 128;
      expect_shape(s, {sr, sc});
      if (s.dtype != DType::F32) bad_dtype(s, "F32");
      w.scale.resize(static_cast<size_t>(sr * sc));
      std::memcpy(w.scale.data(), s.data, w.scale.size() * 4);
      for (float f : w.scale)
        if (!std::isfinite(f) || std::fabs(f) >= 128.0f)
          fail("%s: tensor %s holds a block scale %g outside (-128, 128): corrupt checkpoint?", s.file.c_str(), sname.c_str(), static_cast<double>(f));
      w.scale_cols = sc;
      if (opt_.reference_fp8 && cols % 128 != 0)
        fail("%s: tensor %s: reference_fp8 quantises inputs in groups of 128 but the width is %lld", t.file.c_str(), name.c_str(), static_cast<long long>(cols));
    } else if (t.dtype != DType::BF16 && t.dtype != DType::F32) {
      bad_dtype(t, fp8_ok ? "F8_E4M3, BF16 or F32" : "BF16 or F32");
    }
    return w;
  }

  MlpWeights mlp(const std::string& prefix, int64_t dim, int64_t inter) {
    MlpWeights m;
    m.w1 = matrix(prefix + "gate_proj.weight", inter, dim, true);
    m.w3 = matrix(prefix + "up_proj.weight", inter, dim, true);
    m.w2 = matrix(prefix + "down_proj.weight", dim, inter, true);
    return m;
  }

 private:
  Checkpoint& ck_;
  const BindOptions& opt_;
};

}  // namespace

ModelWeights bind_weights(Checkpoint& ck, const ModelConfig& c, const BindOptions& opt) {
  Binder b(ck, opt);
  ModelWeights mw;
  const int64_t D = c.hidden_size, V = c.vocab_size, H = c.num_attention_heads;
  mw.embed = b.matrix("model.embed_tokens.weight", V, D, false);
  mw.final_norm = b.vec("model.norm.weight", D);
  mw.lm_head = b.matrix("lm_head.weight", V, D, false);
  mw.layers.resize(static_cast<size_t>(c.num_hidden_layers));
  for (int l = 0; l < c.num_hidden_layers; ++l) {
    LayerWeights& L = mw.layers[static_cast<size_t>(l)];
    const std::string p = "model.layers." + std::to_string(l) + ".";
    const std::string a = p + "self_attn.";
    L.attn_norm = b.vec(p + "input_layernorm.weight", D);
    L.ffn_norm = b.vec(p + "post_attention_layernorm.weight", D);
    L.wq_a = b.matrix(a + "q_a_proj.weight", c.q_lora_rank, D, true);
    L.q_norm = b.vec(a + "q_a_layernorm.weight", c.q_lora_rank);
    L.wq_b = b.matrix(a + "q_b_proj.weight", H * c.qk_head_dim(), c.q_lora_rank, true);
    L.wkv_a = b.matrix(a + "kv_a_proj_with_mqa.weight", c.kv_lora_rank + c.qk_rope_head_dim, D, true);
    L.kv_norm = b.vec(a + "kv_a_layernorm.weight", c.kv_lora_rank);
    L.wkv_b = b.matrix(a + "kv_b_proj.weight", H * (c.qk_nope_head_dim + c.v_head_dim), c.kv_lora_rank, true);
    L.wo = b.matrix(a + "o_proj.weight", D, H * c.v_head_dim, true);
    if (c.has_indexer()) {
      const std::string ip = a + "indexer.";
      L.has_indexer = true;
      L.indexer.wq_b = b.matrix(ip + "wq_b.weight", static_cast<int64_t>(c.index_n_heads) * c.index_head_dim, c.q_lora_rank, true);
      L.indexer.wk = b.matrix(ip + "wk.weight", c.index_head_dim, D, true);
      L.indexer.k_norm_w = b.vec(ip + "k_norm.weight", c.index_head_dim);
      L.indexer.k_norm_b = b.vec(ip + "k_norm.bias", c.index_head_dim);
      L.indexer.weights_proj = b.matrix(ip + "weights_proj.weight", c.index_n_heads, D, false);
    }
    if (c.is_moe_layer(l)) {
      L.moe = true;
      L.gate = b.matrix(p + "mlp.gate.weight", c.n_routed_experts, D, false);
      if (c.gate_bias) L.gate_bias = b.vec(p + "mlp.gate.e_score_correction_bias", c.n_routed_experts);
      L.experts.reserve(static_cast<size_t>(c.n_routed_experts));
      for (int e = 0; e < c.n_routed_experts; ++e)
        L.experts.push_back(b.mlp(p + "mlp.experts." + std::to_string(e) + ".", D, c.moe_intermediate_size));
      if (c.n_shared_experts > 0) {
        L.has_shared = true;
        L.shared = b.mlp(p + "mlp.shared_experts.", D, static_cast<int64_t>(c.moe_intermediate_size) * c.n_shared_experts);
      }
    } else {
      L.dense = b.mlp(p + "mlp.", D, c.intermediate_size);
    }
  }
  // Leftovers: MTP layers (model.layers.{n} .. {n + num_nextn_predict_layers − 1}) are skipped
  // (spec §7.6); anything else — e.g. a layer the config does not count — means the config does not
  // describe this checkpoint, which must not load as a silently truncated model.
  for (const TensorInfo* t : ck.unused()) {
    int layer = -1;
    if (t->name.rfind("model.layers.", 0) == 0) layer = std::atoi(t->name.c_str() + 13);
    // An MTP module is a layer past the last one that the config declares (num_nextn_predict_layers)
    // or that carries the MTP projection eh_proj; a plain extra decoder layer is neither.
    const bool mtp = layer >= c.num_hidden_layers &&
                     (layer < c.num_hidden_layers + c.num_nextn_predict_layers || ck.find("model.layers." + std::to_string(layer) + ".eh_proj.weight"));
    if (!mtp) fail("%s: unexpected tensor %s (shape %s): the checkpoint does not match config.json", t->file.c_str(), printable(t->name).c_str(), t->shape_str().c_str());
  }
  return mw;
}

}  // namespace dse
