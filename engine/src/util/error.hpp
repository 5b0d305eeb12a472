// One exception type for every defect the engine reports to its user: a bad checkpoint, a bad config
// field, a bad request. The message is a single line that names the file / tensor / field at fault.
#pragma once
#include <stdexcept>
#include <string>

namespace dse {

class EngineError : public std::runtime_error {
 public:
  explicit EngineError(const std::string& msg) : std::runtime_error(msg) {}
};

// printf-style formatting into a std::string (messages are short).
std::string strformat(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

[[noreturn]] void fail(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

}  // namespace dse
