// EventArena: owns the bytes that decoded EventRows borrow (their string views point
// here) until the batch is appended; then Clear() recycles the memory. Bump allocation
// in blocks, so steady-state decoding does not touch the heap.
//
//   EventArena arena;
//   decoder.TryDecode(line, now_ms, &arena, &row, &error);
//   table.Append(rows);
//   arena.Clear();  // invalidates every view handed out so far
//
// Thread safety: none; use one arena per decoding thread.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

namespace mua {

class EventArena {
 public:
  static constexpr size_t kBlockBytes = size_t{1} << 20;

  EventArena() = default;
  EventArena(const EventArena&) = delete;
  EventArena& operator=(const EventArena&) = delete;
  EventArena(EventArena&&) = default;
  EventArena& operator=(EventArena&&) = default;

  // Returns `size` writable bytes, valid until Clear() or a Rewind() before them.
  char* Allocate(size_t size);

  // A position to Rewind() to, dropping what was allocated after it.
  struct Mark {
    size_t block = 0;
    size_t used = 0;
  };
  Mark mark() const { return {current_, used_}; }
  void Rewind(Mark mark);

  // Drops everything; keeps standard-size blocks for reuse, frees oversized ones.
  void Clear();

  // Bytes held in blocks (capacity, not use).
  size_t memory_bytes() const { return memory_bytes_; }

 private:
  struct Block {
    std::unique_ptr<char[]> data;
    size_t size = 0;
  };
  std::vector<Block> blocks_;
  size_t current_ = 0;  // index into blocks_ (== blocks_.size() when none yet)
  size_t used_ = 0;     // bytes used in blocks_[current_]
  size_t memory_bytes_ = 0;
};

}  // namespace mua
