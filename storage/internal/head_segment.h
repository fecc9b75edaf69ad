// HeadSegment: a partition's mutable, uncompressed tail. One writer appends
// rows; readers see the first N rows, where N is published through the
// partition state (so the writer never waits for readers and no reader sees a
// half-written row). Memory is allocated one block (kBlockRows rows) at a time.
// When full, the partition seals it into a SealedSegment (or retires it for the
// table's sealer: it is then never written again) and starts a new one.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/strings/string_view.h"
#include "storage/internal/string_arena.h"
#include "storage/memory_usage.h"
#include "storage/scan_block.h"
#include "storage/schema.h"

namespace mua::storage_internal {

// Low-cardinality columns and string columns get dense slot numbers.
inline constexpr int kNumCodeColumns = 9;
inline constexpr int kNumStringColumns = 4;
inline constexpr std::array<ColumnId, kNumCodeColumns> kCodeColumns = {
    ColumnId::kEventType,   ColumnId::kPlatform,   ColumnId::kOsVersion, ColumnId::kAppVersion,
    ColumnId::kDeviceModel, ColumnId::kDeviceType, ColumnId::kCountry,   ColumnId::kRegion,
    ColumnId::kCity};
inline constexpr std::array<ColumnId, kNumStringColumns> kStringColumns = {
    ColumnId::kSessionId, ColumnId::kEventId, ColumnId::kProperties, ColumnId::kAttributes};

// A row after dictionary encoding; string columns still borrow their bytes.
// Codes and strings are indexed by slot (position in kCodeColumns / kStringColumns).
struct EncodedRow {
  int64_t event_time_ms = 0;
  uint32_t user = 0;
  std::array<uint32_t, kNumCodeColumns> codes = {};
  std::array<absl::string_view, kNumStringColumns> strings = {};
};

class HeadSegment {
 public:
  explicit HeadSegment(uint32_t capacity);
  HeadSegment(const HeadSegment&) = delete;
  HeadSegment& operator=(const HeadSegment&) = delete;

  uint32_t capacity() const { return capacity_; }
  // Rows written so far (writer's view; readers use their published count).
  uint32_t size() const { return size_; }
  bool full() const { return size_ == capacity_; }

  // Copies `row` in. REQUIRES: !full(); one writer.
  void Append(const EncodedRow& row);

  // Fills `out` with zero-copy views of rows [block*kBlockRows, +rows).
  // REQUIRES: those rows are published to the caller.
  void ReadBlock(uint32_t block, uint32_t rows, ColumnSet columns, ScanBlock* out) const;

  int64_t time(uint32_t row) const { return Block(row).times[row % kBlockRows]; }
  uint32_t user(uint32_t row) const { return Block(row).users[row % kBlockRows]; }
  uint32_t code(ColumnId id, uint32_t row) const;
  absl::string_view string(ColumnId id, uint32_t row) const;

  // Adds this head's bytes to usage->head_column_bytes. Safe concurrently with Append.
  void AddMemory(MemoryUsage* usage) const;

 private:
  struct Columns {
    int64_t times[kBlockRows];
    uint32_t users[kBlockRows];
    uint32_t codes[kNumCodeColumns][kBlockRows];
    // A string column's views (kBlockRows of them) are allocated at its first non-empty
    // value in the block; until then every row reads "" (kEmptyViews). So a column most
    // events leave empty, such as attributes, costs nothing. Readers load `views`; the
    // writer writes through `owned`.
    std::array<std::unique_ptr<absl::string_view[]>, kNumStringColumns> owned;
    std::array<std::atomic<const absl::string_view*>, kNumStringColumns> views;
  };
  const absl::string_view* Views(const Columns& block, int slot) const;
  const Columns& Block(uint32_t row) const { return *blocks_[row / kBlockRows]; }

  const uint32_t capacity_;
  uint32_t size_ = 0;
  std::vector<std::unique_ptr<Columns>> blocks_;  // sized once: never reallocates
  std::array<StringArena, kNumStringColumns> arenas_;
  std::atomic<uint32_t> allocated_blocks_{0};
  std::array<std::atomic<size_t>, kNumStringColumns> string_bytes_ = {};
  std::array<std::atomic<size_t>, kNumStringColumns> string_arrays_ = {};  // allocated `owned` arrays
};

// Slot of a code or string column, or -1.
int CodeSlot(ColumnId id);
int StringSlot(ColumnId id);

}  // namespace mua::storage_internal
