// ConcurrentAppendArray<T>: an append-only array with one writer and lock-free
// readers. Elements never move: storage is a list of chunks whose sizes double
// (64, 128, 256, ...), so an index maps to (chunk, offset) with two bit operations.
//
// Thread safety: Append and memory_bytes() need external serialization among
// writers; Get(i) is safe from any thread for i < size() as read by that thread.
#pragma once

#include <atomic>
#include <bit>
#include <cstdint>
#include <memory>

#include "storage/base/check.h"

namespace mua::storage_internal {

template <typename T>
class ConcurrentAppendArray {
 public:
  ConcurrentAppendArray() = default;
  ConcurrentAppendArray(const ConcurrentAppendArray&) = delete;
  ConcurrentAppendArray& operator=(const ConcurrentAppendArray&) = delete;
  ~ConcurrentAppendArray() {
    for (auto& chunk : chunks_) delete[] chunk.load(std::memory_order_relaxed);
  }

  // Appends `value`; returns its index. REQUIRES: one writer at a time.
  uint32_t Append(T value) {
    const uint32_t index = size_.load(std::memory_order_relaxed);
    const auto [chunk, offset] = Locate(index);
    T* slots = chunks_[chunk].load(std::memory_order_relaxed);
    if (slots == nullptr) {
      slots = new T[ChunkSize(chunk)]();
      chunks_[chunk].store(slots, std::memory_order_release);
      allocated_ += ChunkSize(chunk);
    }
    slots[offset] = std::move(value);
    size_.store(index + 1, std::memory_order_release);
    return index;
  }

  // REQUIRES: index < size().
  const T& Get(uint32_t index) const {
    MUA_DCHECK(index < size(), "ConcurrentAppendArray index out of range");
    const auto [chunk, offset] = Locate(index);
    return chunks_[chunk].load(std::memory_order_acquire)[offset];
  }

  uint32_t size() const { return size_.load(std::memory_order_acquire); }

  // Bytes held by the chunks (not counting what elements point to).
  size_t memory_bytes() const { return allocated_ * sizeof(T) + sizeof(*this); }

 private:
  static constexpr uint32_t kFirstChunkBits = 6;
  static constexpr int kMaxChunks = 32 - kFirstChunkBits;

  static size_t ChunkSize(int chunk) { return size_t{1} << (chunk + kFirstChunkBits); }

  static std::pair<int, size_t> Locate(uint32_t index) {
    const uint64_t shifted = uint64_t{index} + (uint64_t{1} << kFirstChunkBits);
    const int top_bit = 63 - std::countl_zero(shifted);
    return {top_bit - static_cast<int>(kFirstChunkBits), shifted - (uint64_t{1} << top_bit)};
  }

  std::atomic<T*> chunks_[kMaxChunks] = {};
  std::atomic<uint32_t> size_{0};
  size_t allocated_ = 0;
};

}  // namespace mua::storage_internal
