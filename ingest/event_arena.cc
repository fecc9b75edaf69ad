#include "ingest/event_arena.h"

#include <algorithm>
#include <utility>

namespace mua {

char* EventArena::Allocate(size_t size) {
  if (current_ < blocks_.size() && blocks_[current_].size - used_ >= size) {
    char* result = blocks_[current_].data.get() + used_;
    used_ += size;
    return result;
  }
  // Move on to the next block that is big enough; blocks skipped stay for the next Clear().
  size_t next = current_ < blocks_.size() ? current_ + 1 : 0;
  while (next < blocks_.size() && blocks_[next].size < size) ++next;
  if (next >= blocks_.size()) {
    const size_t block_size = std::max(size, kBlockBytes);
    blocks_.push_back({std::make_unique<char[]>(block_size), block_size});
    memory_bytes_ += block_size;
    next = blocks_.size() - 1;
  }
  current_ = next;
  used_ = size;
  return blocks_[current_].data.get();
}

void EventArena::Rewind(Mark mark) {
  if (blocks_.empty()) return;
  current_ = std::min(mark.block, blocks_.size() - 1);
  used_ = mark.block < blocks_.size() ? mark.used : 0;
}

void EventArena::Clear() {
  // Oversized blocks (one huge event) are freed so that one outlier does not pin memory.
  std::erase_if(blocks_, [this](const Block& block) {
    if (block.size <= kBlockBytes) return false;
    memory_bytes_ -= block.size;
    return true;
  });
  current_ = 0;
  used_ = 0;
}

}  // namespace mua
