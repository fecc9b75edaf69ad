#include "storage/base/memory_tracker.h"

#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_format.h"

namespace mua {
namespace {

// Plain values only: a thread_local with a constructor would allocate from inside
// operator new.
thread_local MemoryTracker* current_tracker = nullptr;
thread_local int64_t unflushed_bytes = 0;
// Set while the tracker itself runs (it may allocate): such allocations pass through.
thread_local bool inside_tracker = false;
// MemoryLimitDeferral scopes open on this thread.
thread_local int deferrals = 0;

// Hands this thread's batched count to its tracker.
void Flush() {
  inside_tracker = true;
  if (current_tracker != nullptr && unflushed_bytes != 0) current_tracker->Add(unflushed_bytes);
  unflushed_bytes = 0;
  inside_tracker = false;
}

// Counts a new block; throws MemoryLimitExceeded (after freeing it) when the
// thread's tracker refuses it.
void CountAllocation(void* block) {
  MemoryTracker* tracker = current_tracker;
  if (tracker == nullptr || inside_tracker) return;
  const int64_t size = static_cast<int64_t>(malloc_usable_size(block));
  unflushed_bytes += size;
  if (unflushed_bytes < kMemoryTrackerBatch) return;
  inside_tracker = true;
  std::string error;
  if (tracker->TryAdd(unflushed_bytes, &error)) {
    unflushed_bytes = 0;
    inside_tracker = false;
    return;
  }
  if (deferrals > 0) {
    tracker->Add(unflushed_bytes);
    unflushed_bytes = 0;
    tracker->MarkExceeded(error);
    inside_tracker = false;
    return;
  }
  unflushed_bytes -= size;
  std::free(block);
  MemoryLimitExceeded exceeded(error);  // built while allocations pass through
  inside_tracker = false;
  throw exceeded;
}

void CountFree(void* block) {
  if (current_tracker == nullptr || inside_tracker) return;
  unflushed_bytes -= static_cast<int64_t>(malloc_usable_size(block));
  if (unflushed_bytes <= -kMemoryTrackerBatch) Flush();
}

void* Allocate(std::size_t size) {
  void* block = std::malloc(size == 0 ? 1 : size);
  if (block == nullptr) throw std::bad_alloc();
  CountAllocation(block);
  return block;
}

void* AllocateAligned(std::size_t size, std::align_val_t alignment) {
  void* block = nullptr;
  const std::size_t align = std::max(sizeof(void*), static_cast<std::size_t>(alignment));
  if (posix_memalign(&block, align, size == 0 ? 1 : size) != 0) throw std::bad_alloc();
  CountAllocation(block);
  return block;
}

void Free(void* block) noexcept {
  if (block == nullptr) return;
  CountFree(block);
  std::free(block);
}

}  // namespace

MemoryTracker::MemoryTracker(int64_t limit, MemoryTracker* parent, const char* description)
    : limit_(limit), parent_(parent), description_(description) {}

MemoryTracker::~MemoryTracker() {
  if (current_tracker == this) {
    unflushed_bytes = 0;
    current_tracker = nullptr;
  }
  if (parent_ != nullptr) parent_->Add(-used());
}

bool MemoryTracker::TryAdd(int64_t bytes, std::string* error) {
  for (MemoryTracker* tracker = this; tracker != nullptr; tracker = tracker->parent_) {
    const int64_t now = tracker->used_.fetch_add(bytes, std::memory_order_relaxed) + bytes;
    if (bytes > 0 && tracker->limit_ > 0 && now > tracker->limit_) {
      for (MemoryTracker* undo = this; undo != tracker->parent_; undo = undo->parent_) {
        undo->used_.fetch_sub(bytes, std::memory_order_relaxed);
      }
      *error = tracker->LimitError(now, absl::StrFormat("attempt to allocate chunk of %d bytes", bytes));
      return false;
    }
    int64_t peak = tracker->peak_.load(std::memory_order_relaxed);
    while (now > peak && !tracker->peak_.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
    }
  }
  return true;
}

void MemoryTracker::Add(int64_t bytes) {
  for (MemoryTracker* tracker = this; tracker != nullptr; tracker = tracker->parent_) {
    tracker->used_.fetch_add(bytes, std::memory_order_relaxed);
  }
}

MemoryTracker* CurrentMemoryTracker() { return current_tracker; }

bool MemoryTracker::WouldExceed(int64_t bytes, std::string* error) const {
  for (const MemoryTracker* tracker = this; tracker != nullptr; tracker = tracker->parent_) {
    const int64_t would = tracker->used() + bytes;
    if (tracker->limit_ > 0 && would > tracker->limit_) {
      *error = tracker->LimitError(would, absl::StrFormat("a table growing by %d bytes", bytes));
      return true;
    }
  }
  return false;
}

std::string MemoryTracker::LimitError(int64_t would_use, absl::string_view what) const {
  return absl::StrFormat("Memory limit (%s) exceeded: would use %s (%s), maximum: %s", description_,
                         FormatBytes(would_use), what, FormatBytes(limit_));
}

void MemoryTracker::MarkExceeded(const std::string& error) {
  if (!error_written_.exchange(true)) {
    const size_t size = std::min(error.size(), sizeof(exceeded_error_) - 1);
    std::memcpy(exceeded_error_, error.data(), size);
    exceeded_error_[size] = '\0';
    exceeded_.store(true, std::memory_order_release);
  }
}

std::string MemoryTracker::exceeded_error() const {
  return exceeded() ? std::string(exceeded_error_) : std::string();
}

MemoryLimitDeferral::MemoryLimitDeferral() { ++deferrals; }
MemoryLimitDeferral::~MemoryLimitDeferral() { --deferrals; }

absl::Status CheckMemory(int64_t more_bytes) {
  const MemoryTracker* tracker = current_tracker;
  if (tracker == nullptr) return absl::OkStatus();
  if (tracker->exceeded()) return absl::ResourceExhaustedError(tracker->exceeded_error());
  std::string error;
  if (more_bytes > 0 && tracker->WouldExceed(more_bytes + unflushed_bytes, &error)) {
    return absl::ResourceExhaustedError(error);
  }
  return absl::OkStatus();
}

MemoryTrackerScope::MemoryTrackerScope(MemoryTracker* tracker) : previous_(current_tracker) {
  Flush();
  current_tracker = tracker;
}

MemoryTrackerScope::~MemoryTrackerScope() {
  Flush();
  current_tracker = previous_;
}

std::string FormatBytes(int64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while ((value >= 1024 || value <= -1024) && unit < 4) {
    value /= 1024;
    ++unit;
  }
  return absl::StrFormat("%.2f %s", value, units[unit]);
}

}  // namespace mua

// Every allocation of the process goes through these, so a thread running a query
// counts what it takes. Without a tracker on the thread they are malloc and free.
void* operator new(std::size_t size) { return mua::Allocate(size); }
void* operator new[](std::size_t size) { return mua::Allocate(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return mua::Allocate(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return mua::Allocate(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new(std::size_t size, std::align_val_t alignment) { return mua::AllocateAligned(size, alignment); }
void* operator new[](std::size_t size, std::align_val_t alignment) {
  return mua::AllocateAligned(size, alignment);
}
void operator delete(void* block) noexcept { mua::Free(block); }
void operator delete[](void* block) noexcept { mua::Free(block); }
void operator delete(void* block, std::size_t) noexcept { mua::Free(block); }
void operator delete[](void* block, std::size_t) noexcept { mua::Free(block); }
void operator delete(void* block, const std::nothrow_t&) noexcept { mua::Free(block); }
void operator delete[](void* block, const std::nothrow_t&) noexcept { mua::Free(block); }
void operator delete(void* block, std::align_val_t) noexcept { mua::Free(block); }
void operator delete[](void* block, std::align_val_t) noexcept { mua::Free(block); }
void operator delete(void* block, std::size_t, std::align_val_t) noexcept { mua::Free(block); }
void operator delete[](void* block, std::size_t, std::align_val_t) noexcept { mua::Free(block); }
