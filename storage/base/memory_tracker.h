// MemoryTracker: the bytes one query (and, through its parent, all queries) holds,
// counted where memory is taken — the global operator new/delete of every thread
// that runs for the query — so hash tables, sort buffers, materialized subqueries
// and results are all counted without each operator reporting its own.
// An allocation that would take a tracker (or a parent) past its limit throws
// MemoryLimitExceeded (a std::bad_alloc), as ClickHouse's MemoryTracker does: the
// query's top level and its worker threads turn it into error 241.
//
//   MemoryTracker all_queries(/*limit=*/8 << 30, nullptr, "total");
//   MemoryTracker query(/*limit=*/1 << 30, &all_queries, "for query");
//   {
//     MemoryTrackerScope scope(&query);   // this thread now counts into `query`
//     RunQuery();                         // may throw MemoryLimitExceeded
//   }
//
// Thread safety: a tracker is shared by the query's threads (atomics). Each thread
// batches small amounts locally (kMemoryTrackerBatch) before touching the atomics.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstring>
#include <cstdint>
#include <new>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace mua {

// Bytes a thread may allocate or free before its count reaches the tracker.
inline constexpr int64_t kMemoryTrackerBatch = int64_t{256} << 10;

// The message lives in the object: copying it when thrown must not allocate.
class MemoryLimitExceeded : public std::bad_alloc {
 public:
  explicit MemoryLimitExceeded(const std::string& message) {
    const size_t size = std::min(message.size(), sizeof(message_) - 1);
    std::memcpy(message_, message.data(), size);
    message_[size] = '\0';
  }
  const char* what() const noexcept override { return message_; }

 private:
  char message_[256];
};

class MemoryTracker {
 public:
  // limit <= 0: no limit of its own (a parent's still applies). `description` names
  // it in the error: "for query", "total".
  MemoryTracker(int64_t limit, MemoryTracker* parent, const char* description);
  // Returns what it still counts to its parent: memory freed after the query ended
  // (its result, say) is then no longer counted against the other queries.
  ~MemoryTracker();
  MemoryTracker(const MemoryTracker&) = delete;
  MemoryTracker& operator=(const MemoryTracker&) = delete;

  int64_t used() const { return used_.load(std::memory_order_relaxed); }
  int64_t peak() const { return peak_.load(std::memory_order_relaxed); }
  int64_t limit() const { return limit_; }

  // Counts `bytes` here and in every parent. Returns false, counting nothing, when
  // that would exceed a limit; *error then names which limit and by how much.
  bool TryAdd(int64_t bytes, std::string* error);
  // Counts `bytes` here and in every parent without checking limits (frees, and
  // amounts already taken).
  void Add(int64_t bytes);

  // Whether adding `bytes` would exceed a limit here or in a parent; *error says which.
  bool WouldExceed(int64_t bytes, std::string* error) const;

  // ClickHouse's wording: "Memory limit (for query) exceeded: would use X (what), maximum: Y".
  std::string LimitError(int64_t would_use, absl::string_view what) const;

  // Set when an allocation went past a limit without throwing (MemoryLimitDeferral).
  void MarkExceeded(const std::string& error);
  bool exceeded() const { return exceeded_.load(std::memory_order_acquire); }
  std::string exceeded_error() const;

 private:
  const int64_t limit_;
  MemoryTracker* const parent_;
  const char* const description_;
  std::atomic<int64_t> used_{0};
  std::atomic<int64_t> peak_{0};
  std::atomic<bool> exceeded_{false};
  std::atomic<bool> error_written_{false};
  char exceeded_error_[256] = {};  // written once, before exceeded_ is set
};

// The tracker this thread counts into; null when none.
MemoryTracker* CurrentMemoryTracker();

// While one exists on a thread, an allocation past a limit does not throw: it is taken,
// and the tracker is marked exceeded (for containers that cannot survive a throw).
class MemoryLimitDeferral {
 public:
  MemoryLimitDeferral();
  ~MemoryLimitDeferral();
  MemoryLimitDeferral(const MemoryLimitDeferral&) = delete;
  MemoryLimitDeferral& operator=(const MemoryLimitDeferral&) = delete;
};

// ResourceExhausted ("Memory limit (...) exceeded ...") when this thread's tracker was
// marked exceeded by a deferred allocation, or would be by taking `more_bytes` now
// (a table about to grow asks before it does); OK otherwise or without a tracker.
absl::Status CheckMemory(int64_t more_bytes = 0);

// Makes `tracker` (may be null: count nothing) this thread's tracker until the scope
// ends, then restores the previous one; what the thread had batched is flushed first.
class MemoryTrackerScope {
 public:
  explicit MemoryTrackerScope(MemoryTracker* tracker);
  ~MemoryTrackerScope();
  MemoryTrackerScope(const MemoryTrackerScope&) = delete;
  MemoryTrackerScope& operator=(const MemoryTrackerScope&) = delete;

 private:
  MemoryTracker* previous_;
};

// "1.50 GiB": for error messages.
std::string FormatBytes(int64_t bytes);

}  // namespace mua
