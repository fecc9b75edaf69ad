#include "storage/internal/string_arena.h"

#include <cstring>

namespace mua::storage_internal {

absl::string_view StringArena::Add(absl::string_view value) {
  if (value.empty()) return absl::string_view();
  if (value.size() > remaining_) {
    // Large values get a block of their own so they do not waste the tail of a shared one.
    const size_t size = value.size() > block_bytes_ / 4 ? value.size() : block_bytes_;
    blocks_.push_back(std::make_unique<char[]>(size));
    allocated_ += size;
    if (size != block_bytes_) {
      std::memcpy(blocks_.back().get(), value.data(), value.size());
      return absl::string_view(blocks_.back().get(), value.size());
    }
    cursor_ = blocks_.back().get();
    remaining_ = size;
  }
  std::memcpy(cursor_, value.data(), value.size());
  absl::string_view stored(cursor_, value.size());
  cursor_ += value.size();
  remaining_ -= value.size();
  return stored;
}

}  // namespace mua::storage_internal
