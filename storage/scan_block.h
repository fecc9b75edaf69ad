// What a scan hands the query engine: ScanOptions choose columns, time range
// and code filters (for pruning); BlockRef names one block that survived
// pruning; ScanBlock is that block's columns, decoded.
//
//   TableSnapshot snapshot = table.Snapshot();
//   ScanOptions options{.columns = {ColumnId::kUserId, ColumnId::kEventType}};
//   ScanBuffers buffers;
//   for (const BlockRef& ref : snapshot.ListBlocks(options).blocks) {
//     ScanBlock block;
//     MUA_RETURN_IF_ERROR(snapshot.ReadBlock(ref, options.columns, &buffers, &block));
//     for (uint32_t row = 0; row < block.row_count; ++row) Use(block.users[row]);
//   }
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "storage/schema.h"

namespace mua {

// Rows per block: the unit of encoding, zone maps and scanning.
inline constexpr uint32_t kBlockRows = 16384;

// Keeps blocks whose zone map may hold one of `codes` in `column` (a
// low-cardinality column or kUserId). An empty `codes` matches nothing.
struct CodeFilter {
  ColumnId column;
  std::vector<uint32_t> codes;
};

struct ScanOptions {
  ColumnSet columns;
  // Inclusive bounds on event_time in milliseconds.
  int64_t min_time_ms = std::numeric_limits<int64_t>::min();
  int64_t max_time_ms = std::numeric_limits<int64_t>::max();
  std::vector<CodeFilter> code_filters;
};

// BlockRef::segment of a partition's head, and of its i-th head waiting to be
// sealed (oldest first: see TableOptions::background_sealing).
inline constexpr int32_t kHeadSegmentRef = -1;
constexpr int32_t SealingHeadRef(uint32_t i) { return -2 - static_cast<int32_t>(i); }

// One block of one segment (or of one of a partition's heads) in a TableSnapshot.
struct BlockRef {
  uint32_t partition = 0;  // index into TableSnapshot::partitions()
  // >= 0: index into the partition's sealed segments; kHeadSegmentRef: the head;
  // SealingHeadRef(i): the i-th head waiting to be sealed. Negative = a head block.
  int32_t segment = 0;
  uint32_t block = 0;
  uint32_t row_count = 0;
};

struct BlockList {
  std::vector<BlockRef> blocks;
  uint32_t partitions_total = 0;
  uint32_t partitions_pruned = 0;
  uint64_t blocks_total = 0;
  uint64_t blocks_pruned = 0;
};

// Decoded columns of one block. Spans are valid until the next ReadBlock into
// the same ScanBuffers, and while the snapshot lives. Only requested columns
// are filled; the others are empty spans.
struct ScanBlock {
  int32_t day = 0;  // UTC day of the partition
  uint32_t row_count = 0;
  bool grouped_by_user = false;  // true for sealed blocks: rows ordered by (user, time)
  absl::Span<const int64_t> event_time;
  absl::Span<const uint32_t> users;
  // Indexed by ColumnIndex: codes of low-cardinality columns, views of string columns.
  std::array<absl::Span<const uint32_t>, kNumColumns> codes;
  std::array<absl::Span<const absl::string_view>, kNumColumns> strings;
};

// Reusable decode space for one scanning thread.
struct ScanBuffers {
  std::vector<int64_t> times;
  std::vector<uint32_t> users;
  std::array<std::vector<uint32_t>, kNumColumns> codes;
  std::array<std::vector<absl::string_view>, kNumColumns> strings;
  std::array<std::string, kNumColumns> string_storage;
};

}  // namespace mua
