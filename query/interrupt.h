// Interruption checks for code that sees no ExecutionContext: the scalar kernels
// (range(), arrayMap and the other higher-order functions, arrayReduce...) work
// inside one batch and may spend seconds on a single row's array. The statement
// registers its context for the memory tracker it runs under (every thread of a
// statement counts into the same tracker: storage/base/parallel_for.h hands it
// on), so a kernel on any of the statement's threads finds the statement's KILL
// flag and deadline.
//
//   // sql/sql_engine.cc, for the whole statement:
//   const InterruptScope interrupts(&execution);
//   // a kernel's loop:
//   InterruptTicker ticker;
//   for (...) MUA_RETURN_IF_ERROR(ticker.Tick());
#pragma once

#include <cstddef>

#include "absl/status/status.h"
#include "query/executor.h"

namespace mua {

// Makes `context` the one CheckStatementInterrupted finds on threads counting into
// this thread's memory tracker, until the scope ends (nested scopes: the innermost).
// REQUIRES: `context` outlives the scope.
class InterruptScope {
 public:
  explicit InterruptScope(const ExecutionContext* context);
  ~InterruptScope();
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;

 private:
  const void* tracker_;
  const ExecutionContext* context_;
};

// CheckInterrupted of the registered context of this thread's statement (Cancelled
// "Query was cancelled", DeadlineExceeded); without one, only CheckMemory().
absl::Status CheckStatementInterrupted();

// Elements (rows, array elements) a kernel handles between two checks.
inline constexpr size_t kInterruptCheckEvery = 65536;

// Counts work and checks every kInterruptCheckEvery units (a check takes a lock).
class InterruptTicker {
 public:
  absl::Status Tick(size_t units = 1) {
    pending_ += units;
    if (pending_ < kInterruptCheckEvery) return absl::OkStatus();
    pending_ = 0;
    return CheckStatementInterrupted();
  }

 private:
  size_t pending_ = 0;
};

}  // namespace mua
