// Table: the in-memory `events` table (SPEC §3-4). Rows go to the partition
// of their UTC day, however late; each partition appends to a mutable head
// that seals into immutable, compressed segments when it holds
// TableOptions::segment_rows rows (or on SealAll). With background_sealing, a
// full head is handed to a sealer thread instead and stays readable as it is
// until its segment replaces it. Low-cardinality columns and user ids are
// dictionary-encoded table-wide; per-day user bitmaps are kept current with
// every append.
//
//   Table table({.background_sealing = true});
//   MUA_RETURN_IF_ERROR(table.Append(rows));
//   TableSnapshot snapshot = table.Snapshot();
//
// Thread safety: every method may be called from any thread. Appends are
// serialized among themselves; snapshots never wait for an append's work,
// only for the instant it publishes, and an append never waits for readers
// (nor, with background_sealing, for sealing unless the sealer lags behind by
// storage_internal::kMaxRetiredHeads heads in a partition).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
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
class UserProfileIndex;
}  // namespace storage_internal

// One row of the built-in `user_profiles` table: a user's first and last event, how
// many events they have, and the platform, app_version, country and device_type of
// their latest event (by event_time).
struct UserProfile {
  std::string user_id;
  int64_t first_seen_ms = 0;
  int64_t last_seen_ms = 0;
  uint64_t event_count = 0;
  std::string platform;
  std::string app_version;
  std::string country;
  std::string device_type;
};

// Rows with their dictionary codes looked up ahead of the append (Table::Encode), on
// any thread: what Table::AppendEncoded appends. Strings still borrow from the rows.
class EncodedRows {
 public:
  EncodedRows();
  ~EncodedRows();
  EncodedRows(EncodedRows&&) noexcept;
  EncodedRows& operator=(EncodedRows&&) noexcept;

  size_t size() const;
  void clear();
  // Appends row `index` of `from`.
  void AddFrom(const EncodedRows& from, size_t index);

 private:
  friend class Table;
  std::vector<storage_internal::EncodedRow> rows_;
  std::vector<const EventRow*> sources_;  // rows_[i]'s values, for the codes left to give
};

struct TableOptions {
  // Rows a head collects before it seals into a segment. Larger segments
  // compress better (rows are sorted by user within a segment).
  uint32_t segment_rows = 1 << 18;
  // Seal full and idle heads on a thread of the table's own, outside its
  // locks, so Append never encodes. Off: Append seals a full head inline
  // (deterministic: what tests and batch tools want).
  bool background_sealing = false;
};

class Table {
 public:
  explicit Table(TableOptions options = {});
  ~Table();  // stops the sealer; heads still waiting are dropped with the table
  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;

  // Appends `rows` atomically: a snapshot sees all of them or none.
  // Errors: InvalidArgument when an event time lies outside years 1900-2400
  // (nothing is appended then).
  absl::Status Append(absl::Span<const EventRow> rows);

  // Append in two halves, so that the per-event dictionary lookups run on the decoding
  // threads rather than on the one that appends. Encode adds `rows` to `out` with the
  // codes their values already have, from any thread, taking no table lock; a value not
  // in its dictionary yet is given its code by AppendEncoded, in row order, so codes
  // follow arrival order exactly as with Append and a row never appended adds nothing.
  void Encode(absl::Span<const EventRow> rows, EncodedRows* out) const;
  // Errors: as Append (nothing is appended then). `rows` keep their resolved codes.
  absl::Status AppendEncoded(EncodedRows& rows);

  // Seals every non-empty head, including those waiting for the sealer, before
  // returning (for example before measuring or persisting).
  void SealAll();

  // Seals the non-empty heads that received no row for `idle`: a partition
  // that got a few late events should not keep an uncompressed head block.
  // The server calls this periodically. With background_sealing the heads are
  // handed to the sealer (sealed soon after this returns). Returns how many
  // heads were sealed or handed over.
  int SealIdleHeads(absl::Duration idle);

  TableSnapshot Snapshot() const;

  // GDPR erasure: removes every row of `user_id` and its bitmap bits in every
  // partition (rewriting the segments that hold them). Returns the rows removed.
  // Errors: DataLoss when a segment to rewrite does not decode (nothing of
  // that partition changes then).
  absl::StatusOr<uint64_t> EraseUser(absl::string_view user_id);

  // Drops whole partitions of days before `first_kept_day` (retention); a
  // segment the sealer is encoding for one of them is discarded.
  // Returns the days dropped.
  std::vector<int32_t> DropPartitionsBefore(int32_t first_kept_day);

  // For storage/store.h, loading persisted data into a new table: the
  // dictionaries are refilled in code order, then each partition is installed
  // (head rows beyond segment_rows fill further heads, sealed or retired as by
  // Append). Returns the state published for the partition.
  StringDictionary& mutable_dictionary(ColumnId column);
  std::shared_ptr<const storage_internal::PartitionState> RestorePartition(
      int32_t day, std::vector<std::shared_ptr<const storage_internal::SealedSegment>> segments,
      std::shared_ptr<const storage_internal::UserBitmaps> bitmaps,
      absl::Span<const storage_internal::EncodedRow> head_rows);

  // For storage/store.h: replaces the sealed segment `old` of `day` by `replacement`
  // (the same rows, e.g. with cold columns read from disk) and publishes the new state.
  // Returns false when `old` is no longer there (rewritten by an erasure, dropped).
  bool ReplaceSegment(int32_t day, const storage_internal::SealedSegment* old,
                      std::shared_ptr<const storage_internal::SealedSegment> replacement);

  uint64_t row_count() const;

  // Every user with events, by user number (first appearance). Kept by Append and
  // EraseUser; rebuilt from the rows once after RestorePartition or retention.
  std::vector<UserProfile> UserProfiles() const;

  // Bytes held per partition (by day) and in total (partitions + dictionaries
  // + user index); the total equals the sum of its parts.
  std::vector<std::pair<int32_t, MemoryUsage>> PartitionMemory() const;
  MemoryUsage Memory() const;

  const StringDictionary& dictionary(ColumnId column) const;
  const StringDictionary& user_index() const { return user_index_; }

  // Test hook: while paused, the sealer leaves retired heads waiting (a seal
  // already under way still completes).
  void TEST_PauseSealing(bool paused);

 private:
  storage_internal::Partition& PartitionFor(int32_t day) ABSL_EXCLUSIVE_LOCKS_REQUIRED(append_mu_);
  void Publish(absl::Span<const std::shared_ptr<const storage_internal::PartitionState>> states);
  // Tells the sealer when `partition` has retired heads.
  void NoteRetiredHeads(const storage_internal::Partition& partition)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(append_mu_);
  bool SealerHasWork() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(append_mu_);
  void RunSealer();  // the sealer thread's body
  // Recomputes the profiles from the published rows when restored or dropped
  // partitions made them stale.
  void RefreshProfilesLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(append_mu_);

  const TableOptions options_;
  std::array<std::unique_ptr<StringDictionary>, kNumColumns> dictionaries_;
  StringDictionary user_index_;

  mutable absl::Mutex append_mu_;  // one writer at a time (the sealer takes it only to install)
  std::map<int32_t, std::unique_ptr<storage_internal::Partition>> partitions_
      ABSL_GUARDED_BY(append_mu_);
  // Days that may have retired heads (entries go stale when a head is sealed
  // otherwise or its partition dropped; the sealer skips those).
  std::set<int32_t> days_to_seal_ ABSL_GUARDED_BY(append_mu_);
  bool stop_sealer_ ABSL_GUARDED_BY(append_mu_) = false;
  bool sealer_paused_ ABSL_GUARDED_BY(append_mu_) = false;
  std::thread sealer_;  // only with background_sealing
  std::unique_ptr<storage_internal::UserProfileIndex> profiles_;
  mutable bool profiles_stale_ ABSL_GUARDED_BY(append_mu_) = false;

  mutable absl::Mutex publish_mu_;  // guards the published states only: held for microseconds
  std::map<int32_t, std::shared_ptr<const storage_internal::PartitionState>> published_
      ABSL_GUARDED_BY(publish_mu_);
};

}  // namespace mua
