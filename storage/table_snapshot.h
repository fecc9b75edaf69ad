// TableSnapshot: a consistent, immutable view of the events table at one
// instant — every partition's sealed segments, the heads waiting to be sealed,
// the published rows of its head, and its user bitmaps, all from the same set
// of completed appends. Taking one
// is cheap (a few shared_ptr copies per partition); appends go on meanwhile.
//
//   TableSnapshot snapshot = table.Snapshot();
//   for (size_t p = 0; p < snapshot.partition_count(); ++p)
//     std::cout << FormatDay(snapshot.day(p)) << " " << snapshot.users(p).cardinality() << "\n";
//
// Thread safety: const methods may be called from many threads at once (each
// with its own ScanBuffers). REQUIRES: the Table outlives its snapshots.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "storage/user_bitmap.h"
#include "storage/memory_usage.h"
#include "storage/derived_block.h"
#include "storage/scan_block.h"

namespace mua {

namespace storage_internal {
struct PartitionState;
}  // namespace storage_internal

class StringDictionary;
class Table;
class TableSnapshot;

// What one statement read of its snapshot, recorded as it runs (TableSnapshot::TrackReads),
// so a cached result can later be checked against the table as it is then: the
// partitions whose rows or bitmaps it read, whether it looked at which days exist, and
// the days it looked up. Thread-safe: a statement's scanning threads record at once.
class SnapshotReads {
 public:
  explicit SnapshotReads(size_t partitions) : read_(partitions) {}
  SnapshotReads(const SnapshotReads&) = delete;
  SnapshotReads& operator=(const SnapshotReads&) = delete;

 private:
  friend class TableSnapshot;
  void Read(size_t partition) const {
    read_[partition].store(true, std::memory_order_relaxed);
    any_.store(true, std::memory_order_relaxed);
  }
  void Enumerated() const {
    enumerated_.store(true, std::memory_order_relaxed);
    any_.store(true, std::memory_order_relaxed);
  }
  void LookedUp(int32_t day) const;

  mutable std::vector<std::atomic<bool>> read_;
  mutable std::atomic<bool> enumerated_{false};
  mutable std::atomic<bool> any_{false};
  mutable absl::Mutex mu_;
  mutable std::vector<int32_t> lookups_ ABSL_GUARDED_BY(mu_);
};

// The partition versions a statement's result depends on (TableSnapshot::DependencyOf):
// the result is still the statement's answer on any snapshot that Satisfies it.
struct SnapshotDependency {
  bool enumerated = false;
  std::vector<int32_t> days;  // every partition's day, when `enumerated`
  // (day, version) of every partition read, and of every day looked up (version 0: absent).
  std::vector<std::pair<int32_t, uint64_t>> versions;
};

class TableSnapshot {
 public:
  TableSnapshot() = default;

  // Partitions in ascending day order.
  size_t partition_count() const;
  int32_t day(size_t partition) const;
  uint64_t row_count(size_t partition) const;
  uint64_t row_count() const;

  // Users active on the partition's day (any event), and those with an event of
  // the given event_type dictionary code (empty when none).
  const UserBitmap& users(size_t partition) const;
  const UserBitmap& users_with_event_type(size_t partition, uint32_t event_type) const;

  // Segment columns (kSegmentColumns): users with an event whose `column` has
  // dictionary code `code`, and users seen with more than one value of `column`
  // on the partition's day. Only where has_segment_bitmaps(partition).
  bool has_segment_bitmaps(size_t partition) const;
  const UserBitmap& users_with_value(size_t partition, ColumnId column, uint32_t code) const;
  const UserBitmap& multi_valued_users(size_t partition, ColumnId column) const;

  // Index of the partition holding `day`, or -1.
  int FindPartition(int32_t day) const;
  // The partitions of days [first_day, last_day], as indices [first, second): what a
  // reader of those days reads (SnapshotReads), whether or not it touches their rows.
  std::pair<size_t, size_t> PartitionRange(int32_t first_day, int32_t last_day) const;

  // The blocks that may hold rows matching `options`, by day, then sealed
  // segments, heads waiting to be sealed (oldest first) and the head, each in
  // block order; partitions outside the time range and sealed blocks whose zone
  // maps exclude the filters are pruned (and counted).
  BlockList ListBlocks(const ScanOptions& options) const;

  // Decodes `columns` of the block `ref` into `buffers`; `out` views them.
  // Errors: DataLoss when stored bytes do not decode.
  absl::Status ReadBlock(const BlockRef& ref, ColumnSet columns, ScanBuffers* buffers,
                         ScanBlock* out) const;

  // The least and greatest user code of the block's rows (a sealed block's zone map;
  // every code for a head's block, which has none).
  std::pair<uint32_t, uint32_t> user_range(const BlockRef& ref) const;

  // A value derived from the sealed block `ref` under `key` and kept (storage/derived_block.h);
  // null when none is, and always for a head's block (its rows still change).
  std::shared_ptr<const DerivedBlock> FindDerived(const BlockRef& ref, const std::string& key) const;
  // Keeps `value` for the sealed block `ref` (a head's block: nothing is kept).
  void KeepDerived(const BlockRef& ref, const std::string& key, std::shared_ptr<const DerivedBlock> value) const;

  // Encoding of a sealed block's column, e.g. "rle"; "head" for the blocks of
  // the head and of heads waiting to be sealed.
  absl::string_view EncodingName(const BlockRef& ref, ColumnId column) const;

  // Result cache support. Every read of this snapshot is recorded in `reads` (sized
  // partition_count()) from now on: partition_count() and ListBlocks look at which days
  // exist, as do day(p) and PartitionRange; ListBlocks' partitions within its time range,
  // PartitionRange's and every accessor of a partition's rows or bitmaps read that
  // partition; FindPartition looks a day up.
  // REQUIRES: `reads` outlives the snapshot's use. Not thread-safe against readers.
  void TrackReads(const SnapshotReads* reads) { reads_ = reads; }
  // The versions `reads` saw here. A statement that recorded nothing is taken to have
  // read every partition.
  SnapshotDependency DependencyOf(const SnapshotReads& reads) const;
  // Whether this snapshot holds the same rows as the one `dependency` came from, in
  // every partition that dependency read (and the same days, when it looked at them).
  bool Satisfies(const SnapshotDependency& dependency) const;

  // Bytes held by the partition (sealed columns, heads, bitmaps).
  MemoryUsage partition_memory(size_t partition) const;

  // Table-level dictionaries, valid for every code in this snapshot.
  const StringDictionary& dictionary(ColumnId column) const;
  const StringDictionary& user_index() const;

 private:
  friend class Table;
  friend class Store;
  void Read(size_t partition) const {
    if (reads_ != nullptr) reads_->Read(partition);
  }
  void Enumerated() const {
    if (reads_ != nullptr) reads_->Enumerated();
  }
  uint64_t version(size_t partition) const;

  std::vector<std::shared_ptr<const storage_internal::PartitionState>> partitions_;
  const Table* table_ = nullptr;
  const SnapshotReads* reads_ = nullptr;
};

}  // namespace mua
