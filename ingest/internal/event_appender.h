// EventAppender: the last step every ingest source shares. Drops events of
// erased users and repeats of (user_id, event_id), collects the rest into
// Table::Append batches, and — for sources that acknowledge (HTTP) — writes each
// batch to the store's write-ahead log before appending it.
//
//   Store::ApplyScope scope = store->BeginApply();  // when a store is set
//   EventAppender appender(&table, options, store ? &scope : nullptr);
//   for (const DecodedSlice& slice : decoded.slices()) {
//     appender.Offer(slice, &verdicts);  // verdicts[i]: slice.rows[i]'s
//   }
//   MUA_RETURN_IF_ERROR(appender.Flush());
//
// The per-event work that can run ahead (dictionary codes, de-duplication keys) is done
// by the decoding threads (RowPreparation: pass EventAppender::Preparation()); what is
// left here is serial by nature: the de-duplication check in arrival order and the append.
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
#include "ingest/internal/batch_decoder.h"
#include "storage/event_row.h"
#include "storage/store.h"
#include "storage/table.h"

namespace mua {

class Deduplicator;

namespace ingest_internal {

enum class Verdict { kAccepted, kDuplicate, kErased };

class EventAppender {
 public:
  // `scope` (not owned) is null when the options name no store.
  EventAppender(Table* table, const IngestOptions& options, Store::ApplyScope* scope);
  ~EventAppender();

  // For an appender reused across batches: the scope of the next one (and its arrival time).
  void set_scope(Store::ApplyScope* scope);

  // What the decoding threads should compute for Offer (codes for `table`; keys unless
  // de-duplication is off).
  static RowPreparation Preparation(const Table* table, const IngestOptions& options);

  // Checks every row of `slice` in order and buffers those not dropped (they must stay
  // valid until Flush); verdicts[i] is slice.rows[i]'s. A full buffer is appended at once.
  // REQUIRES: `slice` decoded with Preparation(this appender's table, options).
  void Offer(const DecodedSlice& slice, std::vector<Verdict>* verdicts);

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
  std::vector<EventRow> rows_;  // for the WAL: kept only when batches are logged
  EncodedRows encoded_;        // what Flush appends
  // Offer's scratch: the rows checked for repeats, their keys, and the verdicts.
  std::vector<uint32_t> checked_;
  std::vector<uint64_t> keys_;
  std::vector<uint8_t> seen_;
  absl::Status status_;
  // When this batch's events arrived (the dedup window's clock, read once per batch).
  absl::Time arrival_;
  uint64_t wal_seq_ = 0;
  int64_t appended_ = 0;
};

}  // namespace ingest_internal
}  // namespace mua
