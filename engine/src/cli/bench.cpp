// `dseval-engine bench <model-dir>`: prefill and decode throughput of the real forward pass.
// Prefill: one prompt of --prompt tokens in chunks of --chunk. Decode: --batch sequences (each with
// its own prefilled prompt) decoding --gen greedy steps together. Medians over --repeats.
// With --contexts L1,L2,...: the long-context mode with a per-component breakdown (bench_context.cpp).
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli/bench_common.hpp"
#include "cli/commands.hpp"
#include "kernels/linear.hpp"
#include "model/model.hpp"
#include "util/error.hpp"

namespace dse {

namespace {
double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : (v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]));
}
// CPU time of the whole process (all threads), in seconds: unlike wall time it does not grow when
// other processes take the cores, so it tracks the engine's own cost on a shared machine.
double cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}
int arg_int(int argc, char** argv, int& i) {
  if (i + 1 >= argc) fail("bench: %s needs a value", argv[i]);
  return std::atoi(argv[++i]);
}
// The weight matrices one decode token streams (attention, indexer, the shared expert and
// num_experts_per_tok routed experts per MoE layer, dense MLPs, LM head), for the GEMV-only baseline.
std::vector<const WeightMatrix*> decode_matrices(const Model& m) {
  const ModelConfig& c = m.config();
  const ModelWeights& w = m.weights();
  std::vector<const WeightMatrix*> v{&w.lm_head};
  for (const LayerWeights& L : w.layers) {
    for (const WeightMatrix* x : {&L.wq_a, &L.wq_b, &L.wkv_a, &L.wkv_b, &L.wo}) v.push_back(x);
    if (L.has_indexer && m.run_options().dsa)
      for (const WeightMatrix* x : {&L.indexer.wq_b, &L.indexer.wk, &L.indexer.weights_proj}) v.push_back(x);
    auto mlp = [&](const MlpWeights& e) {
      v.push_back(&e.w1);
      v.push_back(&e.w2);
      v.push_back(&e.w3);
    };
    if (L.moe) {
      v.push_back(&L.gate);
      if (L.has_shared) mlp(L.shared);
      for (int e = 0; e < c.num_experts_per_tok; ++e) mlp(L.experts[static_cast<size_t>(e)]);
    } else {
      mlp(L.dense);
    }
  }
  return v;
}

}  // namespace

std::vector<int> bench_tokens(int n, int vocab) {
  std::vector<int> tokens(static_cast<size_t>(n));
  uint64_t x = 0x9E3779B97F4A7C15ull;
  for (int& t : tokens) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    t = static_cast<int>(x % static_cast<uint64_t>(vocab));
  }
  return tokens;
}

void bench_prefill(Model& m, SeqCache& seq, const int* tokens, int n, int chunk, std::vector<float>& logits) {
  for (int pos = 0; pos < n; pos += chunk) {
    const int k = std::min(chunk, n - pos);
    if (!m.cache().reserve(seq, pos + k)) fail("bench: cache exhausted");
    std::vector<Segment> segs(1);
    segs[0].cache = &seq;
    segs[0].tokens = tokens + pos;
    segs[0].n = k;
    segs[0].start = pos;
    m.forward(segs, logits);
  }
}

void bench_decode(Model& m, std::vector<SeqCache>& seqs, std::vector<int>& last, int steps, std::vector<float>& logits) {
  const int V = m.config().vocab_size;
  for (int step = 0; step < steps; ++step) {
    std::vector<Segment> segs(seqs.size());
    for (size_t b = 0; b < seqs.size(); ++b) {
      if (!m.cache().reserve(seqs[b], seqs[b].length + 1)) fail("bench: cache exhausted");
      segs[b].cache = &seqs[b];
      segs[b].tokens = &last[b];
      segs[b].n = 1;
      segs[b].start = seqs[b].length;
    }
    m.forward(segs, logits);
    for (size_t b = 0; b < seqs.size(); ++b) {
      const float* row = logits.data() + b * static_cast<size_t>(V);
      last[b] = static_cast<int>(std::max_element(row, row + V) - row);
    }
  }
}

int bench_main(int argc, char** argv) {
  BenchArgs a;
  for (int i = 0; i < argc; ++i) {
    std::string s = argv[i];
    if (s == "--prompt") a.prompt = arg_int(argc, argv, i);
    else if (s == "--gen") a.gen = arg_int(argc, argv, i);
    else if (s == "--batch") a.batch = arg_int(argc, argv, i);
    else if (s == "--repeats") a.repeats = arg_int(argc, argv, i);
    else if (s == "--threads") a.load.threads = arg_int(argc, argv, i);
    else if (s == "--chunk") a.chunk = arg_int(argc, argv, i);
    else if (s == "--contexts") {
      if (i + 1 >= argc) fail("bench: --contexts needs a value");
      a.contexts = argv[++i];
    } else if (s == "--no-dsa") a.load.dsa = false;
    else if (s == "--reference-fp8") a.load.reference_fp8 = true;
    else if (a.dir.empty() && s.rfind("--", 0) != 0) a.dir = s;
    else fail("bench: unknown argument %s", s.c_str());
  }
  if (a.dir.empty()) fail("bench: missing <model-dir>");
  if (a.prompt < 1 || a.gen < 1 || a.batch < 1 || a.repeats < 1 || a.chunk < 1) fail("bench: sizes must be positive");
  if (!a.contexts.empty()) return bench_contexts(a);
  const int prompt = a.prompt, gen = a.gen, batch = a.batch, repeats = a.repeats, chunk = a.chunk;
  LoadOptions lo = a.load;
  lo.max_seq = prompt + gen + 1;
  lo.cache_tokens = static_cast<int64_t>(batch + 1) * (lo.max_seq + 128);
  auto model = Model::load(a.dir, lo);
  const std::string& dir = a.dir;
  const ModelConfig& c = model->config();
  KvCache& kv = model->cache();
  const std::vector<int> tokens = bench_tokens(prompt, c.vocab_size);
  using Clock = std::chrono::steady_clock;
  std::vector<double> prefill_tps, decode_tps, step_ms, decode_cpu_ms;
  std::vector<float> logits;
  for (int rep = 0; rep <= repeats; ++rep) {  // rep 0 warms up
    std::vector<SeqCache> seqs(static_cast<size_t>(batch));
    // Prefill (timed for the first sequence).
    double prefill_s = 0;
    for (int b = 0; b < batch; ++b) {
      const auto t0 = Clock::now();
      bench_prefill(*model, seqs[static_cast<size_t>(b)], tokens.data(), prompt, chunk, logits);
      if (b == 0) prefill_s = std::chrono::duration<double>(Clock::now() - t0).count();
    }
    // Decode: all sequences step together, greedy.
    std::vector<int> last(static_cast<size_t>(batch), tokens.back());
    const auto t0 = Clock::now();
    const double c0 = cpu_seconds();
    bench_decode(*model, seqs, last, gen, logits);
    const double decode_s = std::chrono::duration<double>(Clock::now() - t0).count();
    const double decode_cpu = cpu_seconds() - c0;
    for (auto& s : seqs) kv.release(s);
    if (rep == 0) continue;
    prefill_tps.push_back(prompt / prefill_s);
    decode_tps.push_back(static_cast<double>(batch) * gen / decode_s);
    step_ms.push_back(1e3 * decode_s / gen);
    decode_cpu_ms.push_back(1e3 * decode_cpu / (static_cast<double>(gen) * batch));
  }
  // Baseline measured in the same run: only the GEMVs of one decode token (the weight-streaming floor
  // of batch-1 decode), same kernels and threads.
  const auto mats = decode_matrices(*model);
  int64_t params = 0;
  int64_t max_k = 0, max_n = 0;
  for (const WeightMatrix* w : mats) {
    params += w->rows * w->cols;
    max_k = std::max(max_k, w->cols);
    max_n = std::max(max_n, w->rows);
  }
  std::vector<float> xin(static_cast<size_t>(max_k), 0.01f), yout(static_cast<size_t>(max_n));
  std::vector<double> gemv_tps;
  LinearOptions lopt;
  for (int rep = 0; rep <= repeats; ++rep) {
    const int iters = std::max(1, gen / 2);
    const auto t0 = Clock::now();
    for (int it = 0; it < iters; ++it)
      for (const WeightMatrix* w : mats) linear(*w, xin.data(), 1, w->cols, yout.data(), w->rows, lopt);
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    if (rep) gemv_tps.push_back(iters / s);
  }
  std::fprintf(stderr, "model %s: %s, %d layers, hidden %d, threads %d, dsa %s, reference_fp8 %s\n", dir.c_str(), c.architecture.c_str(),
               c.num_hidden_layers, c.hidden_size, lo.threads, model->run_options().dsa ? "on" : "off", lo.reference_fp8 ? "on" : "off");
  std::fprintf(stderr, "prefill %d tokens (chunk %d): median %.1f tok/s\n", prompt, chunk, median(prefill_tps));
  std::fprintf(stderr, "decode %d steps × batch %d: median %.1f tok/s (%.3f ms/step, %.3f CPU-ms/token)\n", gen, batch, median(decode_tps),
               median(step_ms), median(decode_cpu_ms));
  std::fprintf(stderr, "baseline, GEMVs of one decode token only (%.2f M weights): median %.1f tok/s (%.2f Gweights/s); decode step / GEMV floor = %.2f\n",
               params / 1e6, median(gemv_tps), median(gemv_tps) * params / 1e9, median(gemv_tps) / (median(decode_tps) / batch));
  std::printf("{\"prompt\":%d,\"gen\":%d,\"batch\":%d,\"repeats\":%d,\"threads\":%d,\"dsa\":%s,\"prefill_tok_s\":%.2f,\"decode_tok_s\":%.2f,"
              "\"decode_ms_per_step\":%.4f,\"decode_cpu_ms_per_token\":%.4f,\"gemv_floor_tok_s\":%.2f,\"decode_weights\":%lld}\n",
              prompt, gen, batch, repeats, lo.threads, model->run_options().dsa ? "true" : "false", median(prefill_tps), median(decode_tps), median(step_ms),
              median(decode_cpu_ms), median(gemv_tps), static_cast<long long>(params));
  return 0;
}

}  // namespace dse
