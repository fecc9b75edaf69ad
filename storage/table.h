// Table: the in-memory `events` table (SPEC §3-4). Rows go to the partition
// of their UTC day, however late; each partition appends to a mutable head
// that seals into immutable, compressed segments when it holds
// TableOptions::segment_rows rows (or on SealAll). Low-cardinality columns and
// user ids are dictionary-encoded table-wide; per-day user bitmaps are kept
// current with every append.
//
//   Table table;
//   MUA_RETURN_IF_ERROR(table.Append(rows));
//   TableSnapshot snapshot = table.Snapshot();
//
// Thread safety: every method may be called from any thread. Appends are
// serialized among themselves; snapshots never wait for an append's work,
// only for the instant it publishes, and an append never waits for readers.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "storage/event_row.h"
#include "storage/memory_usage.h"
#include "storage/string_dictionary.h"
#include "storage/table_snapshot.h"

namespace mua {

namespace storage_internal {
class Partition;
class SealedSegment;
struct EncodedRow;
struct PartitionState;
struct UserBitmaps;
}  // namespace storage_internal

struct TableOptions {
  // Rows a head collects before it seals into a segment. Larger segments
  // compress better (rows are sorted by user within a segment).
  uint32_t segment_rows = 1 << 18;
};

class Table {
 public:
  explicit Table(TableOptions options = {});
  ~Table();
  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;

  // Appends `rows` atomically: a snapshot sees all of them or none.
  // Errors: InvalidArgument when an event time lies outside years 1900-2400
  // (nothing is appended then).
  absl::Status Append(absl::Span<const EventRow> rows);

  // Seals every non-empty head (for example before measuring or persisting).
  void SealAll();

  // Seals the non-empty heads that received no row for `idle`: a partition
  // that got a few late events should not keep an uncompressed head block.
  // The server calls this periodically. Returns how many heads were sealed.
  int SealIdleHeads(absl::Duration idle);

  TableSnapshot Snapshot() const;

  // GDPR erasure: removes every row of `user_id` and its bitmap bits in every
  // partition (rewriting the segments that hold them). Returns the rows removed.
  // Errors: DataLoss when a segment to rewrite does not decode (nothing of
  // that partition changes then).
  absl::StatusOr<uint64_t> EraseUser(absl::string_view user_id);

  // Drops whole partitions of days before `first_kept_day` (retention).
  // Returns the days dropped.
  std::vector<int32_t> DropPartitionsBefore(int32_t first_kept_day);

  // For storage/store.h, loading persisted data into a new table: the
  // dictionaries are refilled in code order, then each partition is installed.
  StringDictionary& mutable_dictionary(ColumnId column);
  void RestorePartition(int32_t day,
                        std::vector<std::shared_ptr<const storage_internal::SealedSegment>> segments,
                        std::shared_ptr<const storage_internal::UserBitmaps> bitmaps,
                        absl::Span<const storage_internal::EncodedRow> head_rows);

  uint64_t row_count() const;

  // Bytes held per partition (by day) and in total (partitions + dictionaries
  // + user index); the total equals the sum of its parts.
  std::vector<std::pair<int32_t, MemoryUsage>> PartitionMemory() const;
  MemoryUsage Memory() const;

  const StringDictionary& dictionary(ColumnId column) const;
  const StringDictionary& user_index() const { return user_index_; }

 private:
  storage_internal::Partition& PartitionFor(int32_t day) ABSL_EXCLUSIVE_LOCKS_REQUIRED(append_mu_);
  void Publish(absl::Span<const std::shared_ptr<const storage_internal::PartitionState>> states);

  const TableOptions options_;
  std::array<std::unique_ptr<StringDictionary>, kNumColumns> dictionaries_;
  StringDictionary user_index_;

  absl::Mutex append_mu_;  // one writer at a time
  std::map<int32_t, std::unique_ptr<storage_internal::Partition>> partitions_
      ABSL_GUARDED_BY(append_mu_);

  mutable absl::Mutex publish_mu_;  // guards the published states only: held for microseconds
  std::map<int32_t, std::shared_ptr<const storage_internal::PartitionState>> published_
      ABSL_GUARDED_BY(publish_mu_);
};

}  // namespace mua
