// EventAppender: the last step every ingest source shares. Drops events of
// erased users and repeats of (user_id, event_id), collects the rest into
// Table::Append batches, and — for sources that acknowledge (HTTP) — writes each
// batch to the store's write-ahead log before appending it.
//
//   Store::ApplyScope scope = store->BeginApply();  // when a store is set
//   EventAppender appender(&table, options, store ? &scope : nullptr);
//   for (const EventRow& row : rows) if (appender.Offer(row) == Verdict::kAccepted) ...;
//   MUA_RETURN_IF_ERROR(appender.Flush());
//
// The scope must be held from the first Offer to the last Flush: a checkpoint
// then never splits a batch, and an erasure cannot slip between the check and
// the append. Thread safety: one thread per appender.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "ingest/ingest_options.h"
#include "storage/event_row.h"
#include "storage/store.h"

namespace mua {

class Deduplicator;
class Table;

namespace ingest_internal {

enum class Verdict { kAccepted, kDuplicate, kErased };

class EventAppender {
 public:
  // `scope` (not owned) is null when the options name no store.
  EventAppender(Table* table, const IngestOptions& options, Store::ApplyScope* scope);
  ~EventAppender();

  // For an appender reused across batches: the scope of the next one (and its arrival time).
  void set_scope(Store::ApplyScope* scope);

  // Buffers `row` (which must stay valid until Flush) unless it is dropped;
  // a full buffer is appended at once.
  Verdict Offer(const EventRow& row);

  // Appends the buffered rows. Errors: the first Table::Append error.
  absl::Status Flush();

  // The WAL record of the newest logged batch (0 when none): wait for it
  // (Store::WaitDurable) before acknowledging.
  uint64_t wal_seq() const { return wal_seq_; }
  int64_t appended() const { return appended_; }

 private:
  Table* const table_;
  const IngestOptions& options_;
  Store::ApplyScope* scope_;
  Deduplicator* dedup_;
  std::unique_ptr<Deduplicator> own_dedup_;
  std::vector<EventRow> rows_;
  absl::Status status_;
  // When this batch's events arrived (the dedup window's clock, read once per batch).
  absl::Time arrival_;
  uint64_t wal_seq_ = 0;
  int64_t appended_ = 0;
};

}  // namespace ingest_internal
}  // namespace mua
