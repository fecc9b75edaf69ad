// ExecutionSlots: at most `capacity` statements execute at once; the others admitted
// wait here for a turn. On two cores, thirty statements executing side by side finish no
// sooner than in turns, but their threads crowd out the I/O threads (and share the
// allocator's locks with them), so probes and KILL QUERY would wait seconds.
//
//   MUA_RETURN_IF_ERROR(slots.Acquire(deadline, &cancelled));
//   absl::Cleanup release = [&] { slots.Release(); };
//
// Thread safety: all methods may be called concurrently.
#pragma once

#include <atomic>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace mua::server_internal {

class ExecutionSlots {
 public:
  explicit ExecutionSlots(int capacity) : free_(capacity) {}

  // Waits for a free slot. Errors: Cancelled when *cancelled is set (KILL QUERY),
  // DeadlineExceeded at `deadline` (the statement's max_execution_time).
  absl::Status Acquire(absl::Time deadline, const std::atomic<bool>* cancelled);
  // REQUIRES: a slot taken by Acquire.
  void Release();

  int waiting() const { return waiting_.load(std::memory_order_relaxed); }

 private:
  absl::Mutex mu_;
  int free_ ABSL_GUARDED_BY(mu_);
  std::atomic<int> waiting_{0};
};

}  // namespace mua::server_internal
