// RejectedEventLog: the rows of the `events_rejected` table — the newest rejected
// events from every source (Kafka, files, HTTP), bounded in count and bytes so
// a flood of junk cannot exhaust memory. Older rows are evicted, never silently:
// total() and evicted() count them, and the exact per-reason counters live with
// each source (system.ingest, /metrics). GDPR: EraseUser drops a user's rows, and
// with an erasure check, rows of erased users arrive as `erased_user` without payload.
// Memory only: the rows do not survive a restart.
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
#include <functional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
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

  // Rows whose user_id the erasure check names are kept as `erased_user`, without
  // payload, message or user id.
  void Append(std::vector<RejectedEvent> events);

  // Whether a stored user id was erased (Store::IsErased). Consulted under the log's lock,
  // so an erasure that marks the user first and then calls EraseUser leaves no row of
  // theirs behind, whatever Append runs meanwhile. May be called at any time.
  using ErasedCheck = std::function<bool(absl::string_view user_id)>;
  void SetErasedCheck(ErasedCheck is_erased);

  // GDPR: drops the rows whose user_id is `user_id` (as stored: hashed under hashing);
  // returns how many (0 for an empty id: such rows name no user).
  int64_t EraseUser(absl::string_view user_id);

  std::vector<RejectedEvent> Rows() const;  // oldest first
  int64_t total() const;    // ever appended
  int64_t evicted() const;  // appended but dropped for room
  int64_t erased() const;   // appended but dropped by EraseUser
  size_t bytes() const;     // held now

 private:
  static size_t BytesOf(const RejectedEvent& event);

  const RejectedEventLogOptions options_;
  mutable absl::Mutex mu_;
  std::deque<RejectedEvent> rows_ ABSL_GUARDED_BY(mu_);
  ErasedCheck is_erased_ ABSL_GUARDED_BY(mu_);
  int64_t total_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t evicted_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t erased_ ABSL_GUARDED_BY(mu_) = 0;
  size_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace mua
