// StringArena: copies strings into large blocks so views of them stay valid
// until the arena dies. Not thread-safe; readers may use views concurrently
// with further Add calls (bytes, once written, never move).
#pragma once

#include <memory>
#include <vector>

#include "absl/strings/string_view.h"

namespace mua::storage_internal {

class StringArena {
 public:
  explicit StringArena(size_t block_bytes = 64 * 1024) : block_bytes_(block_bytes) {}
  StringArena(const StringArena&) = delete;
  StringArena& operator=(const StringArena&) = delete;

  // Returns a view of a stable copy of `value`.
  absl::string_view Add(absl::string_view value);

  // Bytes allocated for blocks.
  size_t memory_bytes() const { return allocated_; }

 private:
  size_t block_bytes_;
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* cursor_ = nullptr;
  size_t remaining_ = 0;
  size_t allocated_ = 0;
};

}  // namespace mua::storage_internal
