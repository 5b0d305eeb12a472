#include "serve/server.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "serve/protocol.hpp"
#include "serve/scheduler.hpp"
#include "util/error.hpp"

namespace dse {

namespace {

constexpr size_t kMaxLine = 512u << 20;

// Lines from stdin, produced by a reader thread; EOF is a flag.
class LineQueue {
 public:
  void push(std::string line) {
    std::lock_guard<std::mutex> g(mu_);
    lines_.push_back(std::move(line));
    cv_.notify_one();
  }
  void close() {
    std::lock_guard<std::mutex> g(mu_);
    eof_ = true;
    cv_.notify_one();
  }
  // Pops a line; waits when `wait` is set and nothing is there. False when nothing was popped.
  bool pop(std::string& out, bool wait, bool* eof) {
    std::unique_lock<std::mutex> g(mu_);
    if (wait) cv_.wait(g, [&] { return !lines_.empty() || eof_; });
    *eof = eof_ && lines_.empty();
    if (lines_.empty()) return false;
    out = std::move(lines_.front());
    lines_.pop_front();
    return true;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> lines_;
  bool eof_ = false;
};

void write_line(const std::string& s) {
  std::fwrite(s.data(), 1, s.size(), stdout);
  std::fputc('\n', stdout);
}

class Server {
 public:
  int run() {
    std::thread reader([this] {
      std::string line;
      while (std::getline(std::cin, line)) {
        if (line.size() > kMaxLine) line = "{\"op\":\"__too_long__\"}";
        queue_.push(std::move(line));
      }
      queue_.close();
    });
    reader.detach();
    bool eof = false;
    for (;;) {
      std::string line;
      const bool busy = sched_ && sched_->busy();
      // Drain everything that is waiting; block only when there is no work.
      bool got = queue_.pop(line, !busy, &eof);
      while (got) {
        handle(line);
        if (shutdown_) {
          std::fflush(stdout);
          return 0;
        }
        got = queue_.pop(line, false, &eof);
      }
      if (sched_ && sched_->busy()) {
        try {
          sched_->step();
        } catch (const std::exception& e) {
          // An internal failure in a step: report it, cancel what is running, keep serving.
          write_line(event_error("", false, std::string("engine step failed: ") + e.what()));
          sched_->cancel_all();
        }
      }
      std::fflush(stdout);
      if (eof && !(sched_ && sched_->busy())) return 0;  // EOF: in-flight work finished, exit cleanly
    }
  }

 private:
  void handle(const std::string& line) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) return;  // blank line
    std::string id;
    bool has_id = false;
    try {
      Request r = parse_request(line, &id, &has_id);
      switch (r.op) {
        case Request::Op::Load: do_load(r); break;
        case Request::Op::Generate:
          need_model();
          sched_->submit(r.id, std::move(r.gen));
          break;
        case Request::Op::Cancel:
          need_model();
          // Cancelling what already finished is a race with completion, not an error: log it only.
          if (!sched_->cancel(r.id, r.cancel_seq))
            std::fprintf(stderr, "dseval-engine: cancel %s%s: nothing left to cancel\n", printable(r.id, 60).c_str(),
                         r.cancel_seq >= 0 ? strformat(" seq %d", r.cancel_seq).c_str() : "");
          break;
        case Request::Op::Stats: do_stats(r); break;
        case Request::Op::Forward: do_forward(r); break;
        case Request::Op::Shutdown:
          if (sched_) sched_->cancel_all();
          write_line(event_head(r.id, r.has_id, "shutdown") + "}");
          shutdown_ = true;
          break;
      }
    } catch (const std::exception& e) {
      write_line(event_error(id, has_id, e.what()));
    }
  }

  void need_model() {
    if (!model_) fail("no model loaded (send {\"op\":\"load\",...} first)");
  }

  void do_load(const Request& r) {
    if (sched_ && sched_->busy()) fail("load: requests are still running; cancel them or wait");
    sched_.reset();
    model_.reset();
    const auto t0 = std::chrono::steady_clock::now();
    model_ = Model::load(r.load.model_dir, r.load.options);
    sched_ = std::make_unique<Scheduler>(*model_, r.load.max_batch, r.load.prefill_chunk, write_line);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::string e = event_head(r.id, r.has_id, "loaded");
    e += ",\"model\":" + model_->config().summary_json();
    const LoadOptions& lo = model_->load_options();
    e += strformat(",\"options\":{\"dsa\":%s,\"reference_fp8\":%s,\"threads\":%d,\"max_seq\":%d,\"max_batch\":%d,\"prefill_chunk\":%d,\"cache_tokens\":%lld}",
                   model_->run_options().dsa ? "true" : "false", lo.reference_fp8 ? "true" : "false", lo.threads, lo.max_seq, r.load.max_batch,
                   r.load.prefill_chunk, static_cast<long long>(lo.cache_tokens));
    e += strformat(",\"load_s\":%.3f}", secs);
    write_line(e);
    std::fprintf(stderr, "dseval-engine: loaded %s in %.2f s\n", r.load.model_dir.c_str(), secs);
  }

  void do_stats(const Request& r) {
    std::string e = event_head(r.id, r.has_id, "stats");
    e += ",\"stats\":";
    e += sched_ ? sched_->stats_json() : std::string("null");
    e += "}";
    write_line(e);
  }

  // Debug op: runs the tokens through a fresh sequence in the given chunks; logits (and selections).
  void do_forward(const Request& r) {
    need_model();
    const ForwardRequest& f = r.fwd;
    const ModelConfig& c = model_->config();
    check_tokens(f.tokens, c.vocab_size, "tokens");
    const int n = static_cast<int>(f.tokens.size());
    if (n > model_->max_seq()) fail("forward: %d tokens exceed max_seq %d", n, model_->max_seq());
    KvCache& kv = model_->cache();
    if (kv.blocks_needed(SeqCache{}, n) > sched_->unreserved_blocks() || kv.blocks_needed(SeqCache{}, n) > kv.free_blocks())
      fail("forward: not enough free cache for %d tokens", n);
    // A debug op: keep its answer to a size a client can parse (about 1 GB of JSON at most).
    if (f.logits == ForwardRequest::Logits::All && static_cast<int64_t>(n) * c.vocab_size > (int64_t{1} << 26))
      fail("forward: %d positions × %d logits is too much to return; ask for \"return_logits\":\"last\"", n, c.vocab_size);
    if (f.return_selected) {
      int64_t ints = 0;
      for (int t = 0; t < n; ++t) ints += c.has_indexer() ? std::min(c.index_topk, t + 1) : 0;
      if (ints * c.num_hidden_layers > (int64_t{1} << 27)) fail("forward: the selections of %d positions are too large to return", n);
    }
    std::vector<int> chunks = f.chunks.empty() ? std::vector<int>{n} : f.chunks;
    SeqCache seq;
    std::string out = event_head(r.id, r.has_id, "forward");
    std::string logits_json = "[", sel_json;
    std::vector<std::vector<std::vector<int>>> sel_all(static_cast<size_t>(c.num_hidden_layers));
    int pos = 0;
    try {
      for (size_t ci = 0; ci < chunks.size(); ++ci) {
        const int m = chunks[ci];
        if (!kv.reserve(seq, pos + m)) fail("forward: cache exhausted");
        std::vector<Segment> segs(1);
        segs[0].cache = &seq;
        segs[0].tokens = f.tokens.data() + pos;
        segs[0].n = m;
        segs[0].start = pos;
        segs[0].all_logits = f.logits == ForwardRequest::Logits::All;
        segs[0].mla = f.mla;
        std::vector<std::vector<std::vector<int>>> sel;
        if (f.return_selected) segs[0].selected = &sel;
        std::vector<float> logits;
        model_->forward(segs, logits);
        const bool last_chunk = ci + 1 == chunks.size();
        if (f.logits == ForwardRequest::Logits::All || (f.logits == ForwardRequest::Logits::Last && last_chunk)) {
          const size_t rows = logits.size() / static_cast<size_t>(c.vocab_size);
          for (size_t i = 0; i < rows; ++i) {
            if (logits_json.size() > 1) logits_json += ",";
            logits_json += "[";
            for (int v = 0; v < c.vocab_size; ++v) {
              if (v) logits_json += ",";
              json_append_float(logits_json, logits[i * static_cast<size_t>(c.vocab_size) + static_cast<size_t>(v)]);
            }
            logits_json += "]";
          }
        }
        if (f.return_selected)
          for (int l = 0; l < c.num_hidden_layers; ++l)
            for (auto& v : sel[static_cast<size_t>(l)]) sel_all[static_cast<size_t>(l)].push_back(std::move(v));
        pos += m;
      }
    } catch (...) {
      kv.release(seq);
      throw;
    }
    kv.release(seq);
    out += ",\"tokens\":" + std::to_string(n);
    if (f.logits != ForwardRequest::Logits::None) out += ",\"logits\":" + logits_json + "]";
    if (f.return_selected) {
      out += ",\"selected\":[";
      for (size_t l = 0; l < sel_all.size(); ++l) {
        out += l ? ",[" : "[";
        for (size_t p = 0; p < sel_all[l].size(); ++p) {
          out += p ? ",[" : "[";
          for (size_t k = 0; k < sel_all[l][p].size(); ++k) out += (k ? "," : "") + std::to_string(sel_all[l][p][k]);
          out += "]";
        }
        out += "]";
      }
      out += "]";
    }
    out += "}";
    write_line(out);
  }

  LineQueue queue_;
  std::unique_ptr<Model> model_;
  std::unique_ptr<Scheduler> sched_;
  bool shutdown_ = false;
};

}  // namespace

int serve_main() {
  std::ios::sync_with_stdio(false);
  Server s;
  return s.run();
}

}  // namespace dse
