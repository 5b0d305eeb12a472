// Small file helpers with one-line errors that name the path.
#pragma once
#include <cstddef>
#include <string>

namespace dse {

// Opens a regular file read-only (O_CLOEXEC) and reports its size; fails, naming the path, when it is
// missing, unreadable or not a regular file. The caller closes the descriptor.
int open_regular_file(const std::string& path, size_t& size);
// Reads a whole (small) file; fails when it is missing, unreadable or larger than max_bytes.
std::string read_text_file(const std::string& path, size_t max_bytes);
bool file_exists(const std::string& path);
std::string path_join(const std::string& dir, const std::string& name);

}  // namespace dse
