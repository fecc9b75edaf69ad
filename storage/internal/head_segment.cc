#include "storage/internal/head_segment.h"

#include "storage/base/check.h"

namespace mua::storage_internal {
namespace {

constexpr std::array<int, kNumColumns> MakeSlots(bool strings) {
  std::array<int, kNumColumns> slots = {};
  for (int& slot : slots) slot = -1;
  if (strings) {
    for (int i = 0; i < kNumStringColumns; ++i) slots[ColumnIndex(kStringColumns[i])] = i;
  } else {
    for (int i = 0; i < kNumCodeColumns; ++i) slots[ColumnIndex(kCodeColumns[i])] = i;
  }
  return slots;
}
constexpr std::array<int, kNumColumns> kCodeSlots = MakeSlots(false);
constexpr std::array<int, kNumColumns> kStringSlots = MakeSlots(true);

// What a block's string column reads before its first non-empty value.
const absl::string_view kEmptyViews[kBlockRows] = {};

}  // namespace

int CodeSlot(ColumnId id) { return kCodeSlots[ColumnIndex(id)]; }
int StringSlot(ColumnId id) { return kStringSlots[ColumnIndex(id)]; }

HeadSegment::HeadSegment(uint32_t capacity)
    : capacity_(capacity), blocks_((capacity + kBlockRows - 1) / kBlockRows) {
  MUA_CHECK(capacity > 0, "head capacity must be positive");
}

void HeadSegment::Append(const EncodedRow& row) {
  MUA_DCHECK(!full(), "append to a full head");
  const uint32_t block_index = size_ / kBlockRows;
  const uint32_t offset = size_ % kBlockRows;
  if (blocks_[block_index] == nullptr) {
    // make_unique_for_overwrite: the block is written row by row before any reader sees it.
    blocks_[block_index] = std::make_unique_for_overwrite<Columns>();
    for (auto& views : blocks_[block_index]->views) views.store(nullptr, std::memory_order_relaxed);
    allocated_blocks_.fetch_add(1, std::memory_order_relaxed);
  }
  Columns& block = *blocks_[block_index];
  block.times[offset] = row.event_time_ms;
  block.users[offset] = row.user;
  for (int slot = 0; slot < kNumCodeColumns; ++slot) block.codes[slot][offset] = row.codes[slot];
  for (int slot = 0; slot < kNumStringColumns; ++slot) {
    const absl::string_view value = row.strings[slot];
    if (block.owned[slot] == nullptr) {
      if (value.empty()) continue;
      // Value-initialized: the rows before this one read "".
      block.owned[slot] = std::make_unique<absl::string_view[]>(kBlockRows);
      block.views[slot].store(block.owned[slot].get(), std::memory_order_release);
      string_arrays_[slot].fetch_add(1, std::memory_order_relaxed);
    }
    StringArena& arena = arenas_[slot];
    const size_t before = arena.memory_bytes();
    block.owned[slot][offset] = arena.Add(value);
    if (arena.memory_bytes() != before) {
      string_bytes_[slot].store(arena.memory_bytes(), std::memory_order_relaxed);
    }
  }
  ++size_;
}

void HeadSegment::ReadBlock(uint32_t block_index, uint32_t rows, ColumnSet columns,
                            ScanBlock* out) const {
  const Columns& block = *blocks_[block_index];
  out->row_count = rows;
  out->grouped_by_user = false;
  if (columns.Contains(ColumnId::kEventTime)) out->event_time = {block.times, rows};
  if (columns.Contains(ColumnId::kUserId)) out->users = {block.users, rows};
  for (int slot = 0; slot < kNumCodeColumns; ++slot) {
    const ColumnId id = kCodeColumns[slot];
    if (columns.Contains(id)) out->codes[ColumnIndex(id)] = {block.codes[slot], rows};
  }
  for (int slot = 0; slot < kNumStringColumns; ++slot) {
    const ColumnId id = kStringColumns[slot];
    if (columns.Contains(id)) out->strings[ColumnIndex(id)] = {Views(block, slot), rows};
  }
}

uint32_t HeadSegment::code(ColumnId id, uint32_t row) const {
  return Block(row).codes[CodeSlot(id)][row % kBlockRows];
}

absl::string_view HeadSegment::string(ColumnId id, uint32_t row) const {
  return Views(Block(row), StringSlot(id))[row % kBlockRows];
}

const absl::string_view* HeadSegment::Views(const Columns& block, int slot) const {
  const absl::string_view* views = block.views[slot].load(std::memory_order_acquire);
  return views == nullptr ? kEmptyViews : views;
}

void HeadSegment::AddMemory(MemoryUsage* usage) const {
  const size_t blocks = allocated_blocks_.load(std::memory_order_relaxed);
  usage->head_column_bytes[ColumnIndex(ColumnId::kEventTime)] += blocks * sizeof(Columns::times);
  usage->head_column_bytes[ColumnIndex(ColumnId::kUserId)] += blocks * sizeof(Columns::users);
  for (ColumnId id : kCodeColumns) {
    usage->head_column_bytes[ColumnIndex(id)] += blocks * sizeof(Columns::codes[0]);
  }
  for (int slot = 0; slot < kNumStringColumns; ++slot) {
    usage->head_column_bytes[ColumnIndex(kStringColumns[slot])] +=
        string_arrays_[slot].load(std::memory_order_relaxed) * kBlockRows * sizeof(absl::string_view) +
        string_bytes_[slot].load(std::memory_order_relaxed);
  }
}

}  // namespace mua::storage_internal
