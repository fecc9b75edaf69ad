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
#include "storage/derived_block.h"
#include "storage/memory_usage.h"
#include "storage/scan_block.h"
#include "storage/schema.h"
#include "storage/internal/head_segment.h"
#include "storage/internal/string_arena.h"

namespace mua::storage_internal {

// Per-block minimum and maximum: event_time, and the codes of the user column
// and every low-cardinality column (by ColumnIndex; unused entries are 0).
// A checkpoint's `.cold` file (docs/formats/segment.md), open for reads while any
// segment refers to it: the open descriptor keeps the bytes readable even after the
// file is deleted (a later checkpoint, retention).
class ColdColumnFile {
 public:
  // Errors: Internal with the path and errno text.
  static absl::StatusOr<std::shared_ptr<const ColdColumnFile>> Open(const std::string& path);
  ~ColdColumnFile();
  ColdColumnFile(const ColdColumnFile&) = delete;
  ColdColumnFile& operator=(const ColdColumnFile&) = delete;

  // Reads exactly `size` bytes at `offset` into *out. Errors: DataLoss (short file), Internal.
  absl::Status Read(uint64_t offset, size_t size, std::string* out) const;
  const std::string& path() const { return path_; }

 private:
  ColdColumnFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  const int fd_;
  const std::string path_;
};

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
  // Errors: those of reading cold columns back.
  absl::Status Serialize(std::string* out) const;
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

  // Cold columns (StoreOptions::cold_columns): the `.cold` file's payload holds, block
  // after block, the encoded blocks of `columns` (string columns only) in schema order.
  std::string ColdPayload(ColumnSet columns) const;
  // A copy of this segment whose `columns` are read on demand from `file`, where
  // ColdPayload(columns) starts at `payload_offset`; each block read is checked against
  // the checksum of the bytes it replaces. REQUIRES: no cold columns yet.
  std::shared_ptr<const SealedSegment> Cooled(ColumnSet columns,
                                              std::shared_ptr<const ColdColumnFile> file,
                                              uint64_t payload_offset) const;
  bool has_cold_columns() const { return !cold_columns_.empty(); }

  // Values the query layer derived from this segment's blocks (storage/derived_block.h).
  DerivedBlockCache& derived() const { return *derived_; }

  // Resident bytes per column; cold columns' encoded bytes go to cold_column_bytes.
  void AddMemory(MemoryUsage* usage) const;

 private:
  // Where a cold column's block lies in the cold file.
  struct ColdBlock {
    uint64_t offset = 0;
    uint64_t checksum = 0;  // XXH3-64 of the bytes
    uint32_t size = 0;
  };
  struct Block {
    uint32_t rows = 0;
    ZoneMap zone;
    std::array<std::string, kNumColumns> encoded;  // empty for cold columns
    std::array<ColdBlock, kNumStringColumns> cold;  // by string slot, for cold columns
  };
  // The encoded bytes of `column` in `block`: in memory, or read from the cold file
  // into *scratch. Errors: DataLoss, Internal (reading the cold file).
  absl::StatusOr<absl::string_view> Encoded(const Block& block, ColumnId column,
                                            std::string* scratch) const;

  uint32_t row_count_ = 0;
  std::vector<Block> blocks_;
  ColumnSet cold_columns_;
  std::shared_ptr<const ColdColumnFile> cold_file_;
  // Shared with a Cooled() copy: the same rows.
  std::shared_ptr<DerivedBlockCache> derived_ = std::make_shared<DerivedBlockCache>();
};

}  // namespace mua::storage_internal
