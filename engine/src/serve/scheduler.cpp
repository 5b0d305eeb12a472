#include "serve/scheduler.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "serve/sampler.hpp"
#include "util/error.hpp"

namespace dse {

struct Scheduler::Sequence {
  int index = 0;
  uint64_t seed = 0;
  SeqCache cache;
  std::vector<int> out;
  int last = -1;  // the token to feed next
  bool done = false;
  uint64_t last_stepped = 0;
  Clock::time_point first_token_at{}, done_at{};
};

struct Scheduler::Req {
  std::string id;
  GenerateRequest g;
  SeqCache prompt;
  int prefilled = 0;
  bool admitted = false, prefill_done = false;
  std::vector<Sequence> seqs;
  int64_t reserved = 0;
  Clock::time_point arrived{}, admitted_at{}, prefill_start{}, prefill_end{};
  bool prefill_started = false;
};

namespace {
double ms(Scheduler::Clock::time_point a, Scheduler::Clock::time_point b) {
  if (a == Scheduler::Clock::time_point{} || b == Scheduler::Clock::time_point{}) return 0.0;
  return std::chrono::duration<double, std::milli>(b - a).count();
}
int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }
}  // namespace

Scheduler::Scheduler(Model& model, int max_batch, int prefill_chunk, Emit emit)
    : model_(model), max_batch_(max_batch), prefill_chunk_(prefill_chunk), emit_(std::move(emit)), started_(Clock::now()) {}

Scheduler::~Scheduler() {
  for (auto& r : running_) {
    model_.cache().release(r->prompt);
    for (auto& s : r->seqs) model_.cache().release(s.cache);
  }
}

int64_t Scheduler::unreserved_blocks() const { return model_.cache().capacity_blocks() - reserved_blocks_; }

void Scheduler::submit(const std::string& id, GenerateRequest g) {
  const ModelConfig& c = model_.config();
  check_tokens(g.tokens, c.vocab_size, "tokens");
  check_tokens(g.stop_tokens, c.vocab_size, "stop_tokens");
  const int P = static_cast<int>(g.tokens.size());
  if (P >= model_.max_seq()) fail("prompt too long: %d tokens, the engine was loaded with max_seq %d", P, model_.max_seq());
  for (const auto& r : queue_)
    if (r->id == id) fail("request id \"%s\" is already in use", printable(id, 60).c_str());
  for (const auto& r : running_)
    if (r->id == id) fail("request id \"%s\" is already in use", printable(id, 60).c_str());
  auto r = std::make_unique<Req>();
  r->id = id;
  r->arrived = Clock::now();
  // Worst case: the prompt's blocks plus, per sequence, its own blocks from the prompt's last
  // (possibly shared, copied on write) block up to prompt + max_tokens.
  const int64_t tw = std::min<int64_t>(static_cast<int64_t>(P) + g.max_tokens, model_.max_seq());
  const int64_t per_seq = ceil_div(tw, kBlockTokens) - P / kBlockTokens;
  r->reserved = ceil_div(P, kBlockTokens) + static_cast<int64_t>(g.seeds.size()) * per_seq;
  if (r->reserved > model_.cache().capacity_blocks())
    fail("request needs %lld cache blocks of %d tokens (prompt %d + %d sequences × up to %d new tokens) but the cache holds %lld; load with a larger cache_tokens",
         static_cast<long long>(r->reserved), kBlockTokens, P, static_cast<int>(g.seeds.size()), g.max_tokens,
         static_cast<long long>(model_.cache().capacity_blocks()));
  r->seqs.resize(g.seeds.size());
  for (size_t i = 0; i < g.seeds.size(); ++i) {
    r->seqs[i].index = static_cast<int>(i);
    r->seqs[i].seed = g.seeds[i];
  }
  r->g = std::move(g);
  queue_.push_back(std::move(r));
}

void Scheduler::admit() {
  while (!queue_.empty() && queue_.front()->reserved <= unreserved_blocks()) {
    auto r = std::move(queue_.front());
    queue_.pop_front();
    reserved_blocks_ += r->reserved;
    r->admitted = true;
    r->admitted_at = Clock::now();
    running_.push_back(std::move(r));
  }
}

void Scheduler::finish_seq(Req& r, Sequence& s, const char* reason) {
  if (s.done) return;
  s.done = true;
  s.done_at = Clock::now();
  model_.cache().release(s.cache);
  std::string e = event_head(r.id, true, "done");
  e += strformat(",\"seq\":%d,\"finish\":\"%s\",\"prompt_tokens\":%zu,\"completion_tokens\":%zu", s.index, reason, r.g.tokens.size(), s.out.size());
  e += strformat(",\"timings\":{\"queue_ms\":%.3f,\"prefill_ms\":%.3f,\"first_token_ms\":%.3f,\"decode_ms\":%.3f}}", ms(r.arrived, r.admitted_at),
                 ms(r.prefill_start, r.prefill_end), ms(r.arrived, s.first_token_at), ms(s.first_token_at, s.done_at));
  emit_(e);
}

void Scheduler::sample_into(Req& r, Sequence& s, const float* logits) {
  const ModelConfig& c = model_.config();
  SampleResult res = sample_token(logits, c.vocab_size, r.g.sampling, s.seed, s.out.size(), r.g.top_logprobs);
  if (s.out.empty()) s.first_token_at = Clock::now();
  s.out.push_back(res.token);
  s.last = res.token;
  ++gen_tokens_;
  std::string e = event_head(r.id, true, "tokens");
  e += strformat(",\"seq\":%d,\"tokens\":[%d]", s.index, res.token);
  if (r.g.logprobs || r.g.top_logprobs > 0) {
    e += ",\"logprobs\":[";
    json_append_double(e, res.logprob);
    e += "]";
  }
  if (r.g.top_logprobs > 0) {
    e += ",\"top_logprobs\":[[";
    for (size_t i = 0; i < res.top.size(); ++i) {
      e += strformat("%s[%d,", i ? "," : "", res.top[i].first);
      json_append_double(e, res.top[i].second);
      e += "]";
    }
    e += "]]";
  }
  e += "}";
  emit_(e);
  const bool stop = std::find(r.g.stop_tokens.begin(), r.g.stop_tokens.end(), res.token) != r.g.stop_tokens.end();
  if (stop) finish_seq(r, s, "stop");
  else if (static_cast<int>(s.out.size()) >= r.g.max_tokens || static_cast<int>(r.g.tokens.size() + s.out.size()) >= model_.max_seq())
    finish_seq(r, s, "length");
}

void Scheduler::retire_finished() {
  for (size_t i = 0; i < running_.size();) {
    Req& r = *running_[i];
    bool all_done = true;
    for (const auto& s : r.seqs) all_done = all_done && s.done;
    if (all_done) {
      model_.cache().release(r.prompt);
      reserved_blocks_ -= r.reserved;
      ++requests_done_;
      running_.erase(running_.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      ++i;
    }
  }
}

bool Scheduler::cancel(const std::string& id, int seq) {
  Req* r = nullptr;
  bool queued = false;
  for (auto& q : queue_)
    if (q->id == id) {
      r = q.get();
      queued = true;
    }
  for (auto& q : running_)
    if (q->id == id) r = q.get();
  if (!r) return false;
  if (seq >= static_cast<int>(r->seqs.size()))
    fail("cancel: request \"%s\" has %zu sequences, there is no seq %d", printable(id, 60).c_str(), r->seqs.size(), seq);
  bool any = false;
  for (auto& s : r->seqs)
    if ((seq < 0 || s.index == seq) && !s.done) {
      finish_seq(*r, s, "cancelled");
      any = true;
    }
  bool all_done = true;
  for (const auto& s : r->seqs) all_done = all_done && s.done;
  if (all_done && queued) {
    for (auto it = queue_.begin(); it != queue_.end(); ++it)
      if ((*it)->id == id) {
        queue_.erase(it);
        break;
      }
  } else if (all_done) {
    retire_finished();
  }
  return any;
}

void Scheduler::cancel_all() {
  while (!queue_.empty()) cancel(queue_.front()->id);
  while (!running_.empty()) cancel(running_.front()->id);
}

void Scheduler::step() {
  admit();
  KvCache& kv = model_.cache();
  struct Slot {
    Req* req;
    Sequence* seq;  // nullptr: a prefill chunk
    int end;        // prefill: prompt position after the chunk
  };
  std::vector<Segment> segs;
  std::vector<Slot> slots;

  // Decode rows: running sequences, least recently stepped first, up to max_batch.
  std::vector<std::pair<Req*, Sequence*>> ready;
  for (auto& r : running_)
    if (r->prefill_done)
      for (auto& s : r->seqs)
        if (!s.done) ready.push_back({r.get(), &s});
  std::stable_sort(ready.begin(), ready.end(), [](const auto& a, const auto& b) { return a.second->last_stepped < b.second->last_stepped; });
  if (static_cast<int>(ready.size()) > max_batch_) ready.resize(static_cast<size_t>(max_batch_));
  ++step_counter_;
  for (auto& [r, s] : ready) {
    if (!kv.reserve(s->cache, s->cache.length + 1)) fail("internal: KV cache exhausted despite the reservation");
    Segment g;
    g.cache = &s->cache;
    g.tokens = &s->last;
    g.n = 1;
    g.start = s->cache.length;
    segs.push_back(g);
    slots.push_back({r, s, 0});
    s->last_stepped = step_counter_;
  }
  const size_t n_decode = segs.size();

  // Prefill chunks at fixed boundaries, FIFO, at least one chunk per step.
  int used = 0;
  for (auto& r : running_) {
    if (r->prefill_done) continue;
    bool live = false;
    for (const auto& s : r->seqs) live = live || !s.done;
    if (!live) continue;
    const int P = static_cast<int>(r->g.tokens.size());
    const int end = std::min(P, (r->prefilled / prefill_chunk_ + 1) * prefill_chunk_);
    const int n = end - r->prefilled;
    if (used > 0 && used + n > prefill_chunk_) break;
    if (!kv.reserve(r->prompt, end)) fail("internal: KV cache exhausted despite the reservation");
    if (!r->prefill_started) {
      r->prefill_started = true;
      r->prefill_start = Clock::now();
    }
    Segment g;
    g.cache = &r->prompt;
    g.tokens = r->g.tokens.data() + r->prefilled;
    g.n = n;
    g.start = r->prefilled;
    segs.push_back(g);
    slots.push_back({r.get(), nullptr, end});
    used += n;
  }
  if (segs.empty()) return;

  const auto t0 = Clock::now();
  std::vector<float> logits;
  model_.forward(segs, logits);
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  ++steps_;
  if (n_decode) {
    ++decode_steps_;
    decode_rows_ += n_decode;
  }
  // Attribute the step's time to decode and prefill by rows.
  const double rows = static_cast<double>(n_decode + static_cast<size_t>(used));
  decode_seconds_ += secs * static_cast<double>(n_decode) / rows;
  prefill_seconds_ += secs * used / rows;
  prompt_tokens_ += static_cast<uint64_t>(used);

  const int V = model_.config().vocab_size;
  for (size_t i = 0; i < slots.size(); ++i) {
    Slot& sl = slots[i];
    Req& r = *sl.req;
    const float* row = logits.data() + i * static_cast<size_t>(V);
    if (sl.seq) {
      if (!sl.seq->done) sample_into(r, *sl.seq, row);
      continue;
    }
    r.prefilled = sl.end;
    if (r.prefilled < static_cast<int>(r.g.tokens.size())) continue;
    // Prompt complete: one sequence per seed, all sharing the prompt's blocks.
    r.prefill_done = true;
    r.prefill_end = Clock::now();
    for (auto& s : r.seqs)
      if (!s.done) kv.fork(r.prompt, s.cache);
    kv.release(r.prompt);
    for (auto& s : r.seqs)
      if (!s.done) sample_into(r, s, row);
  }
  retire_finished();
}

std::string Scheduler::stats_json() const {
  size_t decoding = 0;
  for (const auto& r : running_)
    for (const auto& s : r->seqs) decoding += (r->prefill_done && !s.done) ? 1 : 0;
  long pages = 0, rss_pages = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &rss_pages) != 2) rss_pages = 0;
    std::fclose(f);
  }
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  const KvCache& kv = model_.cache();
  return strformat(
      "{\"requests_queued\":%zu,\"requests_running\":%zu,\"requests_done\":%llu,\"sequences_decoding\":%zu,\"max_batch\":%d,"
      "\"steps\":%llu,\"prompt_tokens\":%llu,\"generated_tokens\":%llu,\"prefill_tok_s\":%.3f,\"decode_tok_s\":%.3f,"
      "\"batch_occupancy\":%.4f,\"cache_blocks_used\":%lld,\"cache_blocks_reserved\":%lld,\"cache_blocks_total\":%lld,"
      "\"cache_block_tokens\":%d,\"cache_bytes_allocated\":%zu,\"rss_bytes\":%.0f,\"uptime_s\":%.3f}",
      queue_.size(), running_.size(), static_cast<unsigned long long>(requests_done_), decoding, max_batch_,
      static_cast<unsigned long long>(steps_), static_cast<unsigned long long>(prompt_tokens_), static_cast<unsigned long long>(gen_tokens_),
      prefill_seconds_ > 0 ? static_cast<double>(prompt_tokens_) / prefill_seconds_ : 0.0,
      decode_seconds_ > 0 ? static_cast<double>(decode_rows_) / decode_seconds_ : 0.0,
      decode_steps_ ? static_cast<double>(decode_rows_) / (static_cast<double>(decode_steps_) * max_batch_) : 0.0,
      static_cast<long long>(kv.used_blocks()), static_cast<long long>(reserved_blocks_), static_cast<long long>(kv.capacity_blocks()), kBlockTokens,
      kv.allocated_bytes(), static_cast<double>(rss_pages) * page, std::chrono::duration<double>(Clock::now() - started_).count());
}

}  // namespace dse
