// RejectedEventLog: the rows of the `events_rejected` table — the newest rejected
// events from every source (Kafka, files, HTTP), bounded in count and bytes so
// a flood of junk cannot exhaust memory. Older rows are evicted, never silently:
// total() and evicted() count them, and the exact per-reason counters live with
// each source (system.ingest, /metrics).
//
//   RejectedEventLog log;
//   log.Append(std::move(rejected));  // from a batch
//   for (const RejectedEvent& event : log.Rows()) ...
//
// Thread safety: all methods may be called concurrently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "ingest/rejected_event.h"

namespace mua {

struct RejectedEventLogOptions {
  size_t max_rows = 1'000'000;
  size_t max_bytes = size_t{256} << 20;  // payloads and messages
};

class RejectedEventLog {
 public:
  explicit RejectedEventLog(RejectedEventLogOptions options = {}) : options_(options) {}

  void Append(std::vector<RejectedEvent> events);

  std::vector<RejectedEvent> Rows() const;  // oldest first
  int64_t total() const;    // ever appended
  int64_t evicted() const;  // appended but no longer kept
  size_t bytes() const;     // held now

 private:
  static size_t BytesOf(const RejectedEvent& event);

  const RejectedEventLogOptions options_;
  mutable absl::Mutex mu_;
  std::deque<RejectedEvent> rows_ ABSL_GUARDED_BY(mu_);
  int64_t total_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t evicted_ ABSL_GUARDED_BY(mu_) = 0;
  size_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace mua
