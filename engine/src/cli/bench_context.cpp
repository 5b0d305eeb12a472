// `dseval-engine bench <model-dir> --contexts 1024,4096,...`: prefill and decode at long contexts with
// a wall-time breakdown per component (util/profile.hpp) and the FLOPs each component must do at that
// length (its floor against the machine's FLOP rate). Per context: one prompt of L tokens prefilled in
// chunks of --chunk, then --batch sequences forked from it (sharing its cache) decode --gen greedy steps.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "cli/bench_common.hpp"
#include "model/mla.hpp"
#include "model/model.hpp"
#include "util/error.hpp"
#include "util/profile.hpp"

namespace dse {

namespace {

constexpr int kProf = static_cast<int>(Prof::kCount);

// Multiply-accumulates per component for one forward chunk of n rows at positions start.. of one
// sequence, logits for `logit_rows` rows. Attention follows the formulation Auto picks (naive counts
// the decompression of every cached key, as mla_auto_mode does).
struct Macs {
  double c[kProf] = {};
  double topk_elems = 0;
  void add(const Macs& o) {
    for (int i = 0; i < kProf; ++i) c[i] += o.c[i];
    topk_elems += o.topk_elems;
  }
};

Macs chunk_macs(const ModelConfig& c, const RunOptions& o, int start, int n, int logit_rows) {
  Macs m;
  const double D = c.hidden_size, Q = c.q_lora_rank, H = c.num_attention_heads, dn = c.qk_nope_head_dim, dr = c.qk_rope_head_dim,
               dv = c.v_head_dim, C = c.kv_lora_rank, Hi = c.index_n_heads, Di = c.index_head_dim, E = c.n_routed_experts,
               K = c.num_experts_per_tok, Im = c.moe_intermediate_size, I = c.intermediate_size, V = c.vocab_size;
  const bool dsa = o.dsa && c.has_indexer();
  double pairs = 0, scored_rows = 0, scored_keys = 0;
  for (int j = 0; j < n; ++j) {
    const double t1 = start + j + 1;
    pairs += dsa ? std::min<double>(c.index_topk, t1) : t1;
    if (dsa && t1 > c.index_topk) {
      scored_rows += 1;
      scored_keys += t1;
    }
  }
  for (int l = 0; l < c.num_hidden_layers; ++l) {
    m.c[static_cast<int>(Prof::MlaProj)] += n * (Q * D + H * (dn + dr) * Q + (C + dr) * D + D * H * dv);
    const MlaMode mode = mla_auto_mode(c, o, start, n);
    const double L = start + n;
    m.c[static_cast<int>(Prof::Attention)] += mode == MlaMode::Naive ? L * H * (dn + dv) * C + pairs * H * (dn + dr + dv)
                                                                     : n * H * (dn + dv) * C + pairs * H * (2 * C + dr);
    if (dsa) {
      m.c[static_cast<int>(Prof::IndexerProj)] += n * Di * D + scored_rows * (Hi * Di * Q + Hi * D);
      m.c[static_cast<int>(Prof::IndexerScore)] += scored_keys * Hi * Di;
      m.topk_elems += scored_keys;
    }
    if (c.is_moe_layer(l)) m.c[static_cast<int>(Prof::Moe)] += n * (E * D + (K + c.n_shared_experts) * 3 * Im * D);
    else m.c[static_cast<int>(Prof::DenseMlp)] += n * 3 * I * D;
  }
  m.c[static_cast<int>(Prof::LmHead)] += logit_rows * V * D;
  return m;
}

struct Sample {
  double seconds = 0;
  double comp[kProf] = {};
};

Sample take(double seconds) {
  Sample s;
  s.seconds = seconds;
  for (int i = 0; i < kProf; ++i) s.comp[i] = prof_seconds(static_cast<Prof>(i));
  return s;
}

// Median run (by total time) of several.
const Sample& median_run(std::vector<Sample>& v) {
  std::sort(v.begin(), v.end(), [](const Sample& a, const Sample& b) { return a.seconds < b.seconds; });
  return v[v.size() / 2];
}

std::string breakdown_json(const Sample& s, const Macs& m, double per) {
  std::string out = "{";
  double inside = 0;
  for (int i = 0; i < kProf; ++i) {
    inside += s.comp[i];
    const double gflops = s.comp[i] > 0 ? 2 * m.c[i] / s.comp[i] / 1e9 : 0;
    out += strformat("%s\"%s\":{\"ms\":%.3f,\"gflop\":%.4f,\"gflop_s\":%.1f}", i ? "," : "", prof_name(static_cast<Prof>(i)), 1e3 * s.comp[i] / per,
                     2 * m.c[i] / per / 1e9, gflops);
  }
  out += strformat(",\"other\":{\"ms\":%.3f}", 1e3 * std::max(0.0, s.seconds - inside) / per);
  if (m.topk_elems > 0) out += strformat(",\"topk_ns_per_elem\":%.2f", 1e9 * s.comp[static_cast<int>(Prof::TopK)] / m.topk_elems);
  return out + "}";
}

void print_breakdown(const char* what, const Sample& s, const Macs& m, double per, const char* unit) {
  std::fprintf(stderr, "  %s breakdown (ms per %s; GFLOP/s):", what, unit);
  for (int i = 0; i < kProf; ++i)
    if (s.comp[i] > 0 || m.c[i] > 0)
      std::fprintf(stderr, " %s %.3f (%.1f)", prof_name(static_cast<Prof>(i)), 1e3 * s.comp[i] / per, s.comp[i] > 0 ? 2 * m.c[i] / s.comp[i] / 1e9 : 0.0);
  double inside = 0;
  for (int i = 0; i < kProf; ++i) inside += s.comp[i];
  std::fprintf(stderr, " other %.3f\n", 1e3 * std::max(0.0, s.seconds - inside) / per);
}

}  // namespace

int bench_contexts(const BenchArgs& a) {
  std::vector<int> ctx;
  for (size_t p = 0; p < a.contexts.size();) {
    size_t q = a.contexts.find(',', p);
    if (q == std::string::npos) q = a.contexts.size();
    const int v = std::atoi(a.contexts.substr(p, q - p).c_str());
    if (v < 1) fail("bench: --contexts wants positive comma-separated lengths, got \"%s\"", a.contexts.c_str());
    ctx.push_back(v);
    p = q + 1;
  }
  LoadOptions lo = a.load;
  const int longest = *std::max_element(ctx.begin(), ctx.end());
  lo.max_seq = longest + a.gen + 1;
  lo.cache_tokens = static_cast<int64_t>(a.batch + 1) * (lo.max_seq + 128);
  auto model = Model::load(a.dir, lo);
  const ModelConfig& c = model->config();
  KvCache& kv = model->cache();
  const std::vector<int> tokens = bench_tokens(longest + a.batch, c.vocab_size);
  using Clock = std::chrono::steady_clock;
  std::fprintf(stderr, "model %s: %s, %d layers, hidden %d, threads %d, dsa %s, reference_fp8 %s, chunk %d\n", a.dir.c_str(), c.architecture.c_str(),
               c.num_hidden_layers, c.hidden_size, lo.threads, model->run_options().dsa ? "on" : "off", lo.reference_fp8 ? "on" : "off", a.chunk);
  std::vector<float> logits;
  prof_enable(true);
  // Warm-up: a short prompt (first touch of the cache blocks and scratch buffers).
  {
    SeqCache s;
    bench_prefill(*model, s, tokens.data(), std::min(longest, 2 * a.chunk), a.chunk, logits);
    kv.release(s);
  }
  for (const int L : ctx) {
    std::vector<Sample> pre, dec;
    Macs pm, dm;
    for (int pos = 0; pos < L; pos += a.chunk) pm.add(chunk_macs(c, model->run_options(), pos, std::min(a.chunk, L - pos), 1));
    for (int step = 0; step < a.gen; ++step) {
      Macs one = chunk_macs(c, model->run_options(), L + step, 1, 1);
      for (int b = 0; b < a.batch; ++b) dm.add(one);
    }
    for (int rep = 0; rep < a.repeats; ++rep) {
      SeqCache prompt;
      prof_reset();
      auto t0 = Clock::now();
      bench_prefill(*model, prompt, tokens.data(), L, a.chunk, logits);
      pre.push_back(take(std::chrono::duration<double>(Clock::now() - t0).count()));
      // Decode: batch sequences forked from the prompt, each continuing with its own token.
      std::vector<SeqCache> seqs(static_cast<size_t>(a.batch));
      std::vector<int> last(static_cast<size_t>(a.batch));
      for (int b = 0; b < a.batch; ++b) {
        kv.fork(prompt, seqs[static_cast<size_t>(b)]);
        last[static_cast<size_t>(b)] = tokens[static_cast<size_t>(L + b)];
      }
      kv.release(prompt);
      prof_reset();
      t0 = Clock::now();
      bench_decode(*model, seqs, last, a.gen, logits);
      dec.push_back(take(std::chrono::duration<double>(Clock::now() - t0).count()));
      for (auto& s : seqs) kv.release(s);
    }
    const Sample& p = median_run(pre);
    const Sample& d = median_run(dec);
    const double steps = a.gen;
    std::fprintf(stderr, "context %d: prefill %.1f tok/s (%.3f s); decode batch %d: %.1f tok/s (%.3f ms/step)\n", L, L / p.seconds, p.seconds, a.batch,
                 a.batch * steps / d.seconds, 1e3 * d.seconds / steps);
    print_breakdown("prefill", p, pm, L, "token");
    print_breakdown("decode", d, dm, steps, "step");
    std::printf("{\"context\":%d,\"threads\":%d,\"dsa\":%s,\"chunk\":%d,\"batch\":%d,\"gen\":%d,\"repeats\":%d,\"prefill_s\":%.4f,\"prefill_tok_s\":%.2f,"
                "\"decode_tok_s\":%.2f,\"decode_ms_per_step\":%.4f,\"prefill_ms_per_token\":%s,\"decode_ms_per_step_by\":%s}\n",
                L, lo.threads, model->run_options().dsa ? "true" : "false", a.chunk, a.batch, a.gen, a.repeats, p.seconds, L / p.seconds,
                a.batch * steps / d.seconds, 1e3 * d.seconds / steps, breakdown_json(p, pm, L).c_str(), breakdown_json(d, dm, steps).c_str());
    std::fflush(stdout);
  }
  prof_enable(false);
  return 0;
}

}  // namespace dse
