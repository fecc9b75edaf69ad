#include "server/internal/execution_slots.h"

#include <algorithm>

namespace mua::server_internal {

absl::Status ExecutionSlots::Acquire(absl::Time deadline, const std::atomic<bool>* cancelled) {
  absl::MutexLock lock(&mu_);
  waiting_.fetch_add(1, std::memory_order_relaxed);
  auto has_free_slot = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return free_ > 0; };
  const absl::Condition has_free(&has_free_slot);
  absl::Status status;
  // Wakes at least every 50 ms: a KILL only sets a flag.
  while (!mu_.AwaitWithDeadline(has_free, std::min(deadline, absl::Now() + absl::Milliseconds(50)))) {
    if (cancelled != nullptr && cancelled->load(std::memory_order_relaxed)) {
      status = absl::CancelledError("Query was cancelled");
      break;
    }
    if (absl::Now() >= deadline) {
      status = absl::DeadlineExceededError(
          "Timeout exceeded: the query waited for its turn longer than max_execution_time");
      break;
    }
  }
  waiting_.fetch_sub(1, std::memory_order_relaxed);
  if (status.ok()) --free_;
  return status;
}

void ExecutionSlots::Release() {
  absl::MutexLock lock(&mu_);
  ++free_;
}

}  // namespace mua::server_internal
