// Continuous batching over the loaded model. Each step runs one forward call holding: one decode row
// for up to max_batch running sequences, plus prefill chunks of admitted requests (whole chunks at
// fixed boundaries — multiples of prefill_chunk from position 0 — so a prompt is always split the
// same way whatever else is running). A request's prompt is prefilled once; at its end the request
// forks into one sequence per seed, sharing the prompt's cache blocks. Cache space is reserved for
// the worst case at admission, so a running request never runs out of room.
#pragma once
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "model/model.hpp"
#include "serve/protocol.hpp"

namespace dse {

class Scheduler {
 public:
  using Emit = std::function<void(const std::string&)>;
  using Clock = std::chrono::steady_clock;

  Scheduler(Model& model, int max_batch, int prefill_chunk, Emit emit);
  ~Scheduler();

  // Queues a request (validated against the model first; errors are thrown, nothing queued).
  void submit(const std::string& id, GenerateRequest req);
  // Cancels a queued or running request, or only its sequence `seq` (≥ 0). Idempotent: false when
  // there is nothing left to cancel (unknown id, or everything already finished — usually a race with
  // completion). Throws on a sequence index the request does not have.
  bool cancel(const std::string& id, int seq = -1);
  void cancel_all();
  bool busy() const { return !queue_.empty() || !running_.empty(); }
  // Runs one batched forward step (no-op when idle).
  void step();
  std::string stats_json() const;
  // Blocks free for a debug forward (not reserved by requests).
  int64_t unreserved_blocks() const;

 private:
  struct Sequence;
  struct Req;
  void admit();
  void finish_seq(Req& r, Sequence& s, const char* reason);
  void retire_finished();
  void sample_into(Req& r, Sequence& s, const float* logits);

  Model& model_;
  int max_batch_, prefill_chunk_;
  Emit emit_;
  std::deque<std::unique_ptr<Req>> queue_;
  std::vector<std::unique_ptr<Req>> running_;
  int64_t reserved_blocks_ = 0;
  uint64_t step_counter_ = 0;
  // Stats.
  Clock::time_point started_;
  uint64_t steps_ = 0, decode_steps_ = 0, decode_rows_ = 0, prompt_tokens_ = 0, gen_tokens_ = 0, requests_done_ = 0;
  double prefill_seconds_ = 0, decode_seconds_ = 0;
};

}  // namespace dse
