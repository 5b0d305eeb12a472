// Shared pieces of `dseval-engine bench`: the parsed arguments, the deterministic prompt, and the
// prefill / greedy-decode loops both bench modes time.
#pragma once
#include <string>
#include <vector>

#include "model/model.hpp"

namespace dse {

struct BenchArgs {
  std::string dir;
  int prompt = 128, gen = 64, batch = 1, repeats = 5, chunk = 256;
  std::string contexts;  // non-empty: the long-context mode (bench_context.cpp)
  LoadOptions load;
};

// n pseudo-random token ids (xorshift, fixed seed).
std::vector<int> bench_tokens(int n, int vocab);
// Prefills tokens[0..n) into seq (reserving its cache) in chunks of `chunk` at fixed boundaries.
void bench_prefill(Model& m, SeqCache& seq, const int* tokens, int n, int chunk, std::vector<float>& logits);
// `steps` greedy decode steps of all seqs together, starting from the tokens in last (updated).
void bench_decode(Model& m, std::vector<SeqCache>& seqs, std::vector<int>& last, int steps, std::vector<float>& logits);

int bench_contexts(const BenchArgs& a);

}  // namespace dse
