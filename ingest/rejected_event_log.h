// RejectedEventLog: the rows of the `events_rejected` table — the newest rejected
// events from every source (Kafka, files, HTTP), bounded in count, bytes and age so
// a flood of junk cannot exhaust memory. Older rows are evicted, never silently:
// total(), evicted() and expired() count them, and the exact per-reason counters live with
// each source (system.ingest, /metrics). GDPR: EraseUser drops a user's rows, and
// with an erasure check, rows of erased users arrive as `erased_user` without payload.
//
// Durable when registered with a Store as the attachment kRejectedAttachment
// (StoreOptions::attachments; docs/DURABILITY.md): each checkpoint stores the rows and the
// counters, captured with the positions of the batches that added them — so a Kafka
// reject appended under the ApplyScope that moves its partition's offset past it is kept
// exactly once across restarts — and Append with a scope also writes the rejects to the
// WAL (an HTTP request's rejects are durable once its WAL sequence is).
//
//   RejectedEventLog log;
//   StoreOptions options{.attachments = {{std::string(kRejectedAttachment), &log}}};
//   uint64_t seq = log.Append(std::move(rejected), &scope);  // WaitDurable(seq) to acknowledge
//   for (const RejectedEvent& event : log.Rows()) ...
//
// Thread safety: all methods may be called concurrently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "ingest/rejected_event.h"
#include "storage/store.h"

namespace mua {

// The attachment name of the events_rejected rows in a data directory.
inline constexpr absl::string_view kRejectedAttachment = "rejected";

struct RejectedEventLogOptions {
  size_t max_rows = 1'000'000;
  size_t max_bytes = size_t{256} << 20;  // payloads and messages
  // Rows rejected longer ago are dropped (counted in expired()); zero keeps them all.
  absl::Duration max_age = absl::ZeroDuration();  // mua-server: --rejected_retention_days
  std::function<absl::Time()> now;  // the clock for max_age; unset = absl::Now()
};

class RejectedEventLog : public StoreAttachment {
 public:
  explicit RejectedEventLog(RejectedEventLogOptions options = {}) : options_(std::move(options)) {}

  // Rows whose user_id the erasure check names are kept as `erased_user`, without
  // payload, message or user id. With `scope`, the rows are also written to the WAL (as
  // they are kept, erasures applied) and the record's sequence number is returned for
  // Store::WaitDurable; else 0 (durable with the next checkpoint, when attached).
  uint64_t Append(std::vector<RejectedEvent> events, Store::ApplyScope* scope = nullptr);

  // Whether a stored user id was erased (Store::IsErased). Consulted under the log's lock,
  // so an erasure that marks the user first and then calls EraseUser leaves no row of
  // theirs behind, whatever Append runs meanwhile. May be called at any time.
  using ErasedCheck = std::function<bool(absl::string_view user_id)>;
  void SetErasedCheck(ErasedCheck is_erased);

  // GDPR: drops the rows whose user_id is `user_id` (as stored: hashed under hashing);
  // returns how many (0 for an empty id: such rows name no user). On disk with the next
  // checkpoint (Store::EraseUser writes one).
  int64_t EraseUser(absl::string_view user_id);

  // Drops the rows older than max_age now (Append does too); returns how many.
  int64_t ExpireOld();

  std::vector<RejectedEvent> Rows() const;  // oldest first
  int64_t total() const;    // ever appended
  int64_t evicted() const;  // appended but dropped for room (max_rows, max_bytes)
  int64_t expired() const;  // appended but dropped for age (max_age)
  int64_t erased() const;   // appended but dropped by EraseUser
  size_t bytes() const;     // held now

  // StoreAttachment: the snapshot holds the rows and the counters above
  // (docs/formats/rejected.md); a WAL record holds the rows of one Append.
  uint64_t generation() const override;
  std::function<std::string()> Capture() override;
  absl::Status Restore(absl::string_view snapshot) override;
  absl::Status Replay(absl::string_view record) override;
  void ApplyRetention() override { ExpireOld(); }

 private:
  static size_t BytesOf(const RejectedEvent& event);
  void AddLocked(std::vector<RejectedEvent> events) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void MarkErasedLocked(std::vector<RejectedEvent>& events) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  int64_t ExpireLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Evicts the oldest rows past the count and byte bounds, then expires by age.
  void EnforceBoundsLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const RejectedEventLogOptions options_;
  mutable absl::Mutex mu_;
  std::deque<RejectedEvent> rows_ ABSL_GUARDED_BY(mu_);
  ErasedCheck is_erased_ ABSL_GUARDED_BY(mu_);
  int64_t total_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t evicted_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t expired_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t erased_ ABSL_GUARDED_BY(mu_) = 0;
  size_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace mua
