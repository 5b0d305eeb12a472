#include "kernels/parallel.hpp"

#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define DSE_PAUSE() _mm_pause()
#else
#define DSE_PAUSE() ((void)0)
#endif

namespace dse {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kSpin = std::chrono::microseconds(20);   // busy-wait with pause, then sched_yield…
constexpr auto kYield = std::chrono::microseconds(50);  // …then block, unless a burst is active
std::atomic<int> g_burst{0};                             // KernelBurst scopes alive

// A 32-bit word threads can sleep on (raw futex: libstdc++ 12's atomic::wait lost wake-ups here).
struct Futex {
  std::atomic<uint32_t> word{0};
  std::atomic<int> sleepers{0};

  // Blocks while word == seen (returns at once if it already differs).
  void wait(uint32_t seen) {
    sleepers.fetch_add(1, std::memory_order_seq_cst);
    if (word.load(std::memory_order_seq_cst) == seen)
      syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word), FUTEX_WAIT_PRIVATE, seen, nullptr, nullptr, 0);
    sleepers.fetch_sub(1, std::memory_order_seq_cst);
  }
  // Call after changing word; a syscall only when someone may be asleep.
  void wake_all() {
    if (sleepers.load(std::memory_order_seq_cst) > 0)
      syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word), FUTEX_WAKE_PRIVATE, INT_MAX, nullptr, nullptr, 0);
  }
};

// Waits until pred() holds: spin, then yield, then sleep until f.word changes from the value seen.
template <class Pred>
void wait_until(Pred pred, Futex& f) {
  const auto t0 = Clock::now();
  for (int i = 0;; ++i) {
    const uint32_t seen = f.word.load(std::memory_order_seq_cst);
    if (pred()) return;
    if ((i & 63) != 63) {
      DSE_PAUSE();
      continue;
    }
    const auto dt = Clock::now() - t0;
    if (dt < kSpin) continue;
    if (dt < kYield || g_burst.load(std::memory_order_relaxed) > 0) {
      sched_yield();
      continue;
    }
    f.wait(seen);
  }
}

class Pool {
 public:
  ~Pool() { resize(1); }

  void resize(int n) {
    n = std::max(1, n);
    if (n == nthreads_) return;
    if (!workers_.empty()) {
      stop_.store(true, std::memory_order_release);
      gen_.word.fetch_add(1, std::memory_order_seq_cst);
      gen_.wake_all();
      for (auto& w : workers_) w.join();
      workers_.clear();
      stop_.store(false, std::memory_order_release);
    }
    nthreads_ = n;
    // The generation is read here, before any job can be published: a worker that starts late must
    // still see the first job as new.
    const uint32_t g0 = gen_.word.load(std::memory_order_seq_cst);
    for (int t = 1; t < n; ++t) workers_.emplace_back([this, t, g0] { worker(t, g0); });
  }

  int threads() const { return nthreads_; }

  void run(int64_t n, detail::ChunkFn fn, void* ctx) {
    if (in_region_) {  // nested: run inline
      fn(ctx, 0, n);
      return;
    }
    // Every worker takes part in every job (an empty chunk when n < threads), so no worker can miss or
    // repeat a generation: the next job starts only after all of them checked in.
    fn_ = fn;
    ctx_ = ctx;
    n_ = n;
    remaining_.word.store(static_cast<uint32_t>(nthreads_ - 1), std::memory_order_relaxed);
    gen_.word.fetch_add(1, std::memory_order_seq_cst);
    gen_.wake_all();
    in_region_ = true;
    const int64_t e0 = chunk_end(0);
    if (e0 > 0) fn(ctx, 0, e0);
    in_region_ = false;
    wait_until([&] { return remaining_.word.load(std::memory_order_acquire) == 0; }, remaining_);
  }

 private:
  int64_t chunk_end(int t) const { return n_ * (t + 1) / nthreads_; }

  void worker(int t, uint32_t seen) {
    for (;;) {
      uint32_t g = seen;
      wait_until([&] { return (g = gen_.word.load(std::memory_order_acquire)) != seen; }, gen_);
      seen = g;
      if (stop_.load(std::memory_order_acquire)) return;
      in_region_ = true;
      const int64_t b = n_ * t / nthreads_, e = chunk_end(t);
      if (e > b) fn_(ctx_, b, e);
      in_region_ = false;
      if (remaining_.word.fetch_sub(1, std::memory_order_seq_cst) == 1) remaining_.wake_all();
    }
  }

  int nthreads_ = 1;
  std::vector<std::thread> workers_;
  Futex gen_;        // job generation: workers wait for it to change
  Futex remaining_;  // workers still running the current job
  std::atomic<bool> stop_{false};
  detail::ChunkFn fn_ = nullptr;
  void* ctx_ = nullptr;
  int64_t n_ = 0;
  static thread_local bool in_region_;
};

thread_local bool Pool::in_region_ = false;

Pool& pool() {
  static Pool p;
  return p;
}

}  // namespace

void set_kernel_threads(int n) { pool().resize(n); }

KernelBurst::KernelBurst() { g_burst.fetch_add(1, std::memory_order_relaxed); }
KernelBurst::~KernelBurst() {
  // Sleeping workers re-check only when woken; they are woken by the next job anyway.
  g_burst.fetch_sub(1, std::memory_order_relaxed);
}
int kernel_threads() { return pool().threads(); }

namespace detail {
void parallel_run(int64_t n, ChunkFn fn, void* ctx) { pool().run(n, fn, ctx); }
}  // namespace detail

}  // namespace dse
