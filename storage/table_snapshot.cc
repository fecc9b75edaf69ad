#include "storage/table_snapshot.h"

#include <algorithm>
#include <limits>

#include "absl/strings/str_format.h"
#include "storage/base/check.h"
#include "storage/base/time_util.h"
#include "storage/internal/partition.h"
#include "storage/table.h"

namespace mua {
namespace {

const UserBitmap& EmptyBitmap() {
  static const UserBitmap* const kEmpty = new UserBitmap();
  return *kEmpty;
}

uint64_t BlocksOf(uint32_t rows) { return (rows + kBlockRows - 1) / kBlockRows; }

void ListHeadBlocks(uint32_t partition, int32_t segment, uint32_t rows, BlockList* list) {
  for (uint32_t b = 0; b < BlocksOf(rows); ++b) {
    list->blocks.push_back({partition, segment, b, std::min(kBlockRows, rows - b * kBlockRows)});
  }
}

// The head, or a head waiting to be sealed, that a negative BlockRef::segment names.
const storage_internal::HeadSegment& HeadOf(const storage_internal::PartitionState& state,
                                            int32_t segment) {
  if (segment == kHeadSegmentRef) return *state.head;
  return *state.sealing[SealingHeadRef(0) - segment].head;
}

}  // namespace

void SnapshotReads::LookedUp(int32_t day) const {
  any_.store(true, std::memory_order_relaxed);
  absl::MutexLock lock(&mu_);
  lookups_.push_back(day);
}

size_t TableSnapshot::partition_count() const {
  Enumerated();
  return partitions_.size();
}

int32_t TableSnapshot::day(size_t partition) const {
  Enumerated();
  return partitions_[partition]->day;
}

std::pair<size_t, size_t> TableSnapshot::PartitionRange(int32_t first_day, int32_t last_day) const {
  Enumerated();
  const auto before = [](const auto& state, int32_t d) { return state->day < d; };
  const size_t first = std::lower_bound(partitions_.begin(), partitions_.end(), first_day, before) - partitions_.begin();
  size_t last = first;
  while (last < partitions_.size() && partitions_[last]->day <= last_day) Read(last++);
  return {first, last};
}

uint64_t TableSnapshot::version(size_t partition) const { return partitions_[partition]->version; }

uint64_t TableSnapshot::row_count(size_t partition) const {
  Read(partition);
  return partitions_[partition]->row_count();
}

uint64_t TableSnapshot::row_count() const {
  Enumerated();
  for (size_t p = 0; p < partitions_.size(); ++p) Read(p);
  uint64_t rows = 0;
  for (const auto& partition : partitions_) rows += partition->row_count();
  return rows;
}

const UserBitmap& TableSnapshot::users(size_t partition) const {
  Read(partition);
  const auto& all = partitions_[partition]->bitmaps->all;
  return all ? *all : EmptyBitmap();
}

const UserBitmap& TableSnapshot::users_with_event_type(size_t partition,
                                                             uint32_t event_type) const {
  Read(partition);
  const auto& by_type = partitions_[partition]->bitmaps->by_event_type;
  auto it = by_type.find(event_type);
  return it == by_type.end() ? EmptyBitmap() : *it->second;
}

bool TableSnapshot::has_segment_bitmaps(size_t partition) const {
  Read(partition);
  return partitions_[partition]->bitmaps->has_segments;
}

const UserBitmap& TableSnapshot::users_with_value(size_t partition, ColumnId column, uint32_t code) const {
  Read(partition);
  const int slot = SegmentSlot(column);
  MUA_CHECK(slot >= 0, "not a segment column");
  const auto& by_value = partitions_[partition]->bitmaps->segments[slot].by_value;
  auto it = by_value.find(code);
  return it == by_value.end() ? EmptyBitmap() : *it->second;
}

const UserBitmap& TableSnapshot::multi_valued_users(size_t partition, ColumnId column) const {
  Read(partition);
  const int slot = SegmentSlot(column);
  MUA_CHECK(slot >= 0, "not a segment column");
  const auto& multi = partitions_[partition]->bitmaps->segments[slot].multi_valued;
  return multi ? *multi : EmptyBitmap();
}

int TableSnapshot::FindPartition(int32_t day) const {
  if (reads_ != nullptr) reads_->LookedUp(day);
  auto it = std::lower_bound(partitions_.begin(), partitions_.end(), day,
                             [](const auto& state, int32_t d) { return state->day < d; });
  if (it == partitions_.end() || (*it)->day != day) return -1;
  return static_cast<int>(it - partitions_.begin());
}

BlockList TableSnapshot::ListBlocks(const ScanOptions& options) const {
  Enumerated();
  BlockList list;
  list.partitions_total = static_cast<uint32_t>(partitions_.size());
  for (uint32_t p = 0; p < partitions_.size(); ++p) {
    const storage_internal::PartitionState& state = *partitions_[p];
    const int64_t day_begin = MillisOfDay(state.day);
    const int64_t day_last = day_begin + kMillisPerDay - 1;
    uint64_t partition_blocks = BlocksOf(state.head_rows);
    for (const auto& retired : state.sealing) partition_blocks += BlocksOf(retired.rows);
    for (const auto& segment : state.segments) partition_blocks += segment->block_count();
    list.blocks_total += partition_blocks;
    if (day_last < options.min_time_ms || day_begin > options.max_time_ms) {
      ++list.partitions_pruned;
      list.blocks_pruned += partition_blocks;
      continue;
    }
    // Read even when its zone maps prune every block: rows appended later may match.
    Read(p);
    for (int32_t s = 0; s < static_cast<int32_t>(state.segments.size()); ++s) {
      const storage_internal::SealedSegment& segment = *state.segments[s];
      for (uint32_t b = 0; b < segment.block_count(); ++b) {
        if (!segment.BlockMayMatch(b, options)) {
          ++list.blocks_pruned;
          continue;
        }
        list.blocks.push_back({p, s, b, segment.block_rows(b)});
      }
    }
    // Head blocks carry no zone maps: they are few and the head still changes.
    for (uint32_t i = 0; i < state.sealing.size(); ++i) {
      ListHeadBlocks(p, SealingHeadRef(i), state.sealing[i].rows, &list);
    }
    ListHeadBlocks(p, kHeadSegmentRef, state.head_rows, &list);
  }
  return list;
}

absl::Status TableSnapshot::ReadBlock(const BlockRef& ref, ColumnSet columns,
                                      ScanBuffers* buffers, ScanBlock* out) const {
  Read(ref.partition);
  const storage_internal::PartitionState& state = *partitions_[ref.partition];
  *out = ScanBlock();
  out->day = state.day;
  if (ref.segment < 0) {
    HeadOf(state, ref.segment).ReadBlock(ref.block, ref.row_count, columns, out);
    return absl::OkStatus();
  }
  absl::Status status = state.segments[ref.segment]->ReadBlock(ref.block, columns, buffers, out);
  if (!status.ok()) {
    return absl::DataLossError(absl::StrFormat("segment %s/%d: %s", FormatDay(state.day),
                                               ref.segment, status.message()));
  }
  return status;
}

std::pair<uint32_t, uint32_t> TableSnapshot::user_range(const BlockRef& ref) const {
  if (ref.segment < 0) return {0, std::numeric_limits<uint32_t>::max()};
  const storage_internal::ZoneMap& zone = partitions_[ref.partition]->segments[ref.segment]->zone_map(ref.block);
  const int index = ColumnIndex(ColumnId::kUserId);
  return {zone.min_code[index], zone.max_code[index]};
}

std::shared_ptr<const DerivedBlock> TableSnapshot::FindDerived(const BlockRef& ref, const std::string& key) const {
  Read(ref.partition);  // a value derived from the rows stands for reading them
  if (ref.segment < 0) return nullptr;
  return partitions_[ref.partition]->segments[ref.segment]->derived().Find(ref.block, key);
}

void TableSnapshot::KeepDerived(const BlockRef& ref, const std::string& key,
                                std::shared_ptr<const DerivedBlock> value) const {
  if (ref.segment < 0) return;
  partitions_[ref.partition]->segments[ref.segment]->derived().Keep(ref.block, key, std::move(value));
}

absl::string_view TableSnapshot::EncodingName(const BlockRef& ref, ColumnId column) const {
  if (ref.segment < 0) return "head";
  return partitions_[ref.partition]->segments[ref.segment]->EncodingName(ref.block, column);
}

MemoryUsage TableSnapshot::partition_memory(size_t partition) const {
  Read(partition);
  MemoryUsage usage;
  partitions_[partition]->AddMemory(&usage);
  return usage;
}

SnapshotDependency TableSnapshot::DependencyOf(const SnapshotReads& reads) const {
  SnapshotDependency dependency;
  const bool everything = !reads.any_.load();
  dependency.enumerated = everything || reads.enumerated_.load();
  for (size_t p = 0; p < partitions_.size(); ++p) {
    if (dependency.enumerated) dependency.days.push_back(partitions_[p]->day);
    if (everything || (p < reads.read_.size() && reads.read_[p].load())) {
      dependency.versions.emplace_back(partitions_[p]->day, partitions_[p]->version);
    }
  }
  absl::MutexLock lock(&reads.mu_);
  for (int32_t day : reads.lookups_) {
    auto it = std::lower_bound(partitions_.begin(), partitions_.end(), day,
                               [](const auto& state, int32_t d) { return state->day < d; });
    const bool found = it != partitions_.end() && (*it)->day == day;
    dependency.versions.emplace_back(day, found ? (*it)->version : 0);
  }
  return dependency;
}

bool TableSnapshot::Satisfies(const SnapshotDependency& dependency) const {
  auto version_of = [&](int32_t day) -> uint64_t {
    auto it = std::lower_bound(partitions_.begin(), partitions_.end(), day,
                               [](const auto& state, int32_t d) { return state->day < d; });
    return it != partitions_.end() && (*it)->day == day ? (*it)->version : 0;
  };
  if (dependency.enumerated) {
    if (dependency.days.size() != partitions_.size()) return false;
    for (size_t p = 0; p < partitions_.size(); ++p) {
      if (partitions_[p]->day != dependency.days[p]) return false;
    }
  }
  for (const auto& [day, version] : dependency.versions) {
    if (version_of(day) != version) return false;
  }
  return true;
}

const StringDictionary& TableSnapshot::dictionary(ColumnId column) const {
  return table_->dictionary(column);
}

const StringDictionary& TableSnapshot::user_index() const { return table_->user_index(); }

}  // namespace mua
