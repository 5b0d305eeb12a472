// Token sampling from one row of logits: greedy (temperature 0), or temperature → top-k → top-p, with
// the draw taken from Philox(seed, step). A pure function of (logits, settings, seed, step).
#pragma once
#include <cstdint>
#include <utility>
#include <vector>

namespace dse {

struct SamplingParams {
  double temperature = 1.0;  // 0 = greedy
  double top_p = 1.0;        // nucleus mass kept, (0, 1]
  int top_k = 0;             // 0 = off
};

struct SampleResult {
  int token = 0;
  double logprob = 0;  // log-softmax of the raw logits (temperature 1, before any filtering)
  std::vector<std::pair<int, double>> top;  // the top_logprobs most likely tokens, when asked
};

SampleResult sample_token(const float* logits, int vocab, const SamplingParams& p, uint64_t seed, uint64_t step, int top_logprobs);

}  // namespace dse
