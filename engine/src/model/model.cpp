#include "model/model.hpp"

#include <algorithm>
#include <cstring>

#include "kernels/parallel.hpp"
#include "model/mla.hpp"
#include "model/moe.hpp"
#include "model/norm.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/profile.hpp"

namespace dse {

std::unique_ptr<Model> Model::load(const std::string& dir, const LoadOptions& opt) {
  std::unique_ptr<Model> m(new Model());
  m->cfg_ = load_config_file(path_join(dir, "config.json"));
  m->load_ = opt;
  if (m->load_.max_seq <= 0) fail("load option max_seq: must be positive");
  if (m->load_.max_seq > m->cfg_.max_position_embeddings)
    fail("load option max_seq: %d exceeds max_position_embeddings %d of %s/config.json", m->load_.max_seq, m->cfg_.max_position_embeddings, dir.c_str());
  if (m->load_.cache_tokens <= 0) m->load_.cache_tokens = static_cast<int64_t>(m->load_.max_seq) * 16;
  m->run_.dsa = opt.dsa && m->cfg_.has_indexer();
  m->run_.reference_fp8 = opt.reference_fp8;
  m->run_.ue8m0 = m->cfg_.ue8m0;
  m->ck_ = Checkpoint::open(dir);
  BindOptions bo;
  bo.reference_fp8 = opt.reference_fp8;
  m->w_ = bind_weights(*m->ck_, m->cfg_, bo);
  m->rope_ = Rope(m->cfg_);
  m->cache_ = std::make_unique<KvCache>(m->cfg_, m->load_.cache_tokens);
  set_kernel_threads(opt.threads);
  return m;
}

void Model::forward(std::vector<Segment>& segs, std::vector<float>& logits) {
  const KernelBurst burst;  // keep the kernel threads polling between the pass's parallel regions
  const ModelConfig& c = cfg_;
  const int D = c.hidden_size, half = c.qk_rope_head_dim / 2;
  const float eps = static_cast<float>(c.rms_norm_eps);
  BatchRows br;
  int out_rows = 0;
  for (size_t g = 0; g < segs.size(); ++g) {
    Segment& s = segs[g];
    s.row0 = br.T;
    for (int j = 0; j < s.n; ++j) {
      br.pos.push_back(s.start + j);
      br.seg.push_back(static_cast<int>(g));
    }
    br.T += s.n;
    out_rows += s.all_logits ? s.n : 1;
    if (s.selected) s.selected->assign(static_cast<size_t>(c.num_hidden_layers), std::vector<std::vector<int>>(static_cast<size_t>(s.n)));
  }
  const int T = br.T;
  br.cos.resize(static_cast<size_t>(T) * half);
  br.sin.resize(static_cast<size_t>(T) * half);
  for (int r = 0; r < T; ++r) rope_.angles(br.pos[static_cast<size_t>(r)], &br.cos[static_cast<size_t>(r) * half], &br.sin[static_cast<size_t>(r) * half]);

  // Embedding rows (a plain gather, no scaling).
  std::vector<float> h(static_cast<size_t>(T) * D), res(static_cast<size_t>(T) * D), x(static_cast<size_t>(T) * D);
  for (const Segment& s : segs)
    for (int j = 0; j < s.n; ++j) w_.embed.dequant_row(s.tokens[j], 0, D, &h[static_cast<size_t>(s.row0 + j) * D]);

  std::vector<std::vector<int>> sel(static_cast<size_t>(T));
  for (int l = 0; l < c.num_hidden_layers; ++l) {
    const LayerWeights& L = w_.layers[static_cast<size_t>(l)];
    for (int r = 0; r < T; ++r) {
      float* hr = &h[static_cast<size_t>(r) * D];
      float* rr = &res[static_cast<size_t>(r) * D];
      float* xr = &x[static_cast<size_t>(r) * D];
      if (l == 0) {
        rms_norm(hr, L.attn_norm.data(), D, eps, xr);
        std::memcpy(rr, hr, sizeof(float) * static_cast<size_t>(D));
      } else {
        rms_norm_residual(hr, rr, L.attn_norm.data(), D, eps, xr);
      }
    }
    mla_attention(L, l, c, *cache_, br, segs, run_, x.data(), h.data(), sel);
    for (const Segment& s : segs) {
      if (!s.selected) continue;
      for (int j = 0; j < s.n; ++j) {
        auto& dst = (*s.selected)[static_cast<size_t>(l)][static_cast<size_t>(j)];
        const auto& src = sel[static_cast<size_t>(s.row0 + j)];
        if (!run_.dsa) dst.clear();
        else if (!src.empty()) dst = src;
        else {
          dst.resize(static_cast<size_t>(s.start + j + 1));
          for (int p = 0; p <= s.start + j; ++p) dst[static_cast<size_t>(p)] = p;
        }
      }
    }
    for (int r = 0; r < T; ++r)
      rms_norm_residual(&h[static_cast<size_t>(r) * D], &res[static_cast<size_t>(r) * D], L.ffn_norm.data(), D, eps, &x[static_cast<size_t>(r) * D]);
    const ProfScope prof(L.moe ? Prof::Moe : Prof::DenseMlp);
    if (L.moe) moe_forward(L, c, x.data(), T, h.data(), run_);
    else mlp_forward(L.dense, x.data(), T, D, h.data(), run_);
  }

  // Final norm on the rows that need logits, then the fp32 LM head.
  const ProfScope prof(Prof::LmHead);
  std::vector<float> xf(static_cast<size_t>(out_rows) * D);
  int o = 0;
  for (const Segment& s : segs) {
    for (int j = s.all_logits ? 0 : s.n - 1; j < s.n; ++j, ++o) {
      const int r = s.row0 + j;
      rms_norm_residual(&h[static_cast<size_t>(r) * D], &res[static_cast<size_t>(r) * D], w_.final_norm.data(), D, eps, &xf[static_cast<size_t>(o) * D]);
    }
  }
  logits.resize(static_cast<size_t>(out_rows) * c.vocab_size);
  LinearOptions fp32_out;
  fp32_out.round_bf16 = false;
  linear(w_.lm_head, xf.data(), out_rows, D, logits.data(), c.vocab_size, fp32_out);
  for (Segment& s : segs) s.cache->length = std::max(s.cache->length, s.start + s.n);
}

}  // namespace dse
