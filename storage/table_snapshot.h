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

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "storage/user_bitmap.h"
#include "storage/memory_usage.h"
#include "storage/scan_block.h"

namespace mua {

namespace storage_internal {
struct PartitionState;
}  // namespace storage_internal

class StringDictionary;
class Table;

class TableSnapshot {
 public:
  TableSnapshot() = default;

  // Partitions in ascending day order.
  size_t partition_count() const { return partitions_.size(); }
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

  // The blocks that may hold rows matching `options`, by day, then sealed
  // segments, heads waiting to be sealed (oldest first) and the head, each in
  // block order; partitions outside the time range and sealed blocks whose zone
  // maps exclude the filters are pruned (and counted).
  BlockList ListBlocks(const ScanOptions& options) const;

  // Decodes `columns` of the block `ref` into `buffers`; `out` views them.
  // Errors: DataLoss when stored bytes do not decode.
  absl::Status ReadBlock(const BlockRef& ref, ColumnSet columns, ScanBuffers* buffers,
                         ScanBlock* out) const;

  // Encoding of a sealed block's column, e.g. "rle"; "head" for the blocks of
  // the head and of heads waiting to be sealed.
  absl::string_view EncodingName(const BlockRef& ref, ColumnId column) const;

  // Bytes held by the partition (sealed columns, heads, bitmaps).
  MemoryUsage partition_memory(size_t partition) const;

  // Table-level dictionaries, valid for every code in this snapshot.
  const StringDictionary& dictionary(ColumnId column) const;
  const StringDictionary& user_index() const;

 private:
  friend class Table;
  friend class Store;
  std::vector<std::shared_ptr<const storage_internal::PartitionState>> partitions_;
  const Table* table_ = nullptr;
};

}  // namespace mua
