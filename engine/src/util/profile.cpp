#include "util/profile.hpp"

#include <chrono>

namespace dse {

namespace detail {
bool g_prof_on = false;
namespace {
using Clock = std::chrono::steady_clock;
double g_seconds[static_cast<int>(Prof::kCount)] = {};
int g_current = -1;      // innermost open scope
Clock::time_point g_mark;  // when g_current started being charged

// Charges the time since the mark to the current scope and moves the mark.
void charge() {
  const auto now = Clock::now();
  if (g_current >= 0) g_seconds[g_current] += std::chrono::duration<double>(now - g_mark).count();
  g_mark = now;
}
}  // namespace

int prof_enter(Prof p) {
  charge();
  const int outer = g_current;
  g_current = static_cast<int>(p);
  return outer;
}
void prof_leave(int outer) {
  charge();
  g_current = outer;
}
}  // namespace detail

const char* prof_name(Prof p) {
  switch (p) {
    case Prof::MlaProj: return "mla_proj";
    case Prof::Attention: return "attention";
    case Prof::IndexerProj: return "indexer_proj";
    case Prof::IndexerScore: return "indexer_score";
    case Prof::TopK: return "topk";
    case Prof::Moe: return "moe";
    case Prof::DenseMlp: return "dense_mlp";
    case Prof::LmHead: return "lm_head";
    default: return "?";
  }
}
void prof_enable(bool on) { detail::g_prof_on = on; }
bool prof_enabled() { return detail::g_prof_on; }
void prof_reset() {
  for (auto& s : detail::g_seconds) s = 0;
}
double prof_seconds(Prof p) { return detail::g_seconds[static_cast<int>(p)]; }

}  // namespace dse
