// SealedSegment: immutable, column-compressed rows of one partition. Sealing
// sorts the head's rows by (user, event_time) — so per-user columns turn into
// long runs and per-user analytics read each user's events contiguously — and
// encodes each column in blocks of kBlockRows with a zone map per block.
//
// Thread safety: immutable after Seal(); any number of concurrent readers.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "storage/memory_usage.h"
#include "storage/scan_block.h"
#include "storage/schema.h"
#include "storage/internal/head_segment.h"
#include "storage/internal/string_arena.h"

namespace mua::storage_internal {

// Per-block minimum and maximum: event_time, and the codes of the user column
// and every low-cardinality column (by ColumnIndex; unused entries are 0).
struct ZoneMap {
  int64_t min_time = 0;
  int64_t max_time = 0;
  std::array<uint32_t, kNumColumns> min_code = {};
  std::array<uint32_t, kNumColumns> max_code = {};
};

class SealedSegment {
 public:
  // Encodes rows [begin, end) of `head`. REQUIRES: begin < end <= head.size().
  static std::shared_ptr<const SealedSegment> Seal(const HeadSegment& head, uint32_t begin,
                                                   uint32_t end);

  // The on-disk form (storage/store.h): row and block counts, zone maps and the
  // encoded column blocks, exactly as held in memory.
  void Serialize(std::string* out) const;
  // Errors: DataLoss when `bytes` is not a well-formed serialized segment.
  static absl::StatusOr<std::shared_ptr<const SealedSegment>> Parse(absl::string_view bytes);

  // Decodes every row, in segment order, for rewriting (erasure) or reloading
  // rows into a head. String views point into `*strings`.
  // Errors: DataLoss when a block does not decode.
  absl::Status ReadRows(StringArena* strings, std::vector<EncodedRow>* rows) const;

  uint32_t row_count() const { return row_count_; }
  uint32_t block_count() const { return static_cast<uint32_t>(blocks_.size()); }
  uint32_t block_rows(uint32_t block) const { return blocks_[block].rows; }
  const ZoneMap& zone_map(uint32_t block) const { return blocks_[block].zone; }

  // False when the zone map proves no row of `block` satisfies `options`.
  bool BlockMayMatch(uint32_t block, const ScanOptions& options) const;

  // Decodes the requested columns of `block` into `buffers`; `out` views them.
  // Errors: DataLoss when a column block does not decode.
  absl::Status ReadBlock(uint32_t block, ColumnSet columns, ScanBuffers* buffers,
                         ScanBlock* out) const;

  // The encoding chosen for `column` in `block`, e.g. "rle".
  absl::string_view EncodingName(uint32_t block, ColumnId column) const;

  void AddMemory(MemoryUsage* usage) const;

 private:
  struct Block {
    uint32_t rows = 0;
    ZoneMap zone;
    std::array<std::string, kNumColumns> encoded;
  };
  uint32_t row_count_ = 0;
  std::vector<Block> blocks_;
};

}  // namespace mua::storage_internal
