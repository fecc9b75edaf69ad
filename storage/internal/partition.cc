#include "storage/internal/partition.h"

#include <algorithm>
#include <atomic>

#include "storage/base/check.h"
#include "storage/base/status_macros.h"

namespace mua::storage_internal {

uint64_t NextPartitionVersion() {
  // Process-wide, so a version names one state of one partition of one table.
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}
namespace {

size_t BitmapBytes(const UserBitmap& bitmap) {
  return bitmap.getSizeInBytes(/*portable=*/false) + sizeof(UserBitmap);
}

// Sealing is also when bitmaps are compacted: run containers and no spare capacity.
void CompactBitmaps(PartitionState* state) {
  auto bitmaps = std::make_shared<UserBitmaps>();
  auto compact = [](const UserBitmap& bitmap) {
    auto copy = std::make_shared<UserBitmap>(bitmap);
    copy->runOptimize();
    copy->shrinkToFit();
    return copy;
  };
  auto compact_all = [&](const BitmapsByCode& from, BitmapsByCode* into) {
    for (const auto& [code, bitmap] : from) (*into)[code] = compact(*bitmap);
  };
  const UserBitmaps& old = *state->bitmaps;
  if (old.all) bitmaps->all = compact(*old.all);
  compact_all(old.by_event_type, &bitmaps->by_event_type);
  for (size_t s = 0; s < kSegmentColumns.size(); ++s) {
    compact_all(old.segments[s].by_value, &bitmaps->segments[s].by_value);
    if (old.segments[s].multi_valued) bitmaps->segments[s].multi_valued = compact(*old.segments[s].multi_valued);
  }
  bitmaps->has_segments = old.has_segments;
  state->bitmaps = std::move(bitmaps);
}

// `base` (or an empty bitmap) with `users` added: `base` itself when it holds
// them all already (most batches of a busy day add few new users), else a copy.
// `users` is sorted.
std::shared_ptr<const UserBitmap> WithUsers(const std::shared_ptr<const UserBitmap>& base,
                                            const std::vector<uint32_t>& users) {
  if (users.empty() && base) return base;
  if (base && std::all_of(users.begin(), users.end(), [&](uint32_t user) { return base->contains(user); })) {
    return base;
  }
  auto bitmap = base ? std::make_shared<UserBitmap>(*base) : std::make_shared<UserBitmap>();
  bitmap->addMany(users.size(), users.data());
  return bitmap;
}

// The bitmap of `code`, or null.
std::shared_ptr<const UserBitmap> Find(const BitmapsByCode& bitmaps, uint32_t code) {
  auto it = bitmaps.find(code);
  return it == bitmaps.end() ? nullptr : it->second;
}

void SortUnique(std::vector<uint32_t>* users) {
  std::sort(users->begin(), users->end());
  users->erase(std::unique(users->begin(), users->end()), users->end());
}

}  // namespace

size_t UserBitmaps::memory_bytes() const {
  size_t bytes = sizeof(*this) + (all ? BitmapBytes(*all) : 0);
  auto add_map = [&](const BitmapsByCode& map) {
    bytes += map.capacity() * (sizeof(uint32_t) + sizeof(all) + 1);
    for (const auto& [code, bitmap] : map) bytes += BitmapBytes(*bitmap);
  };
  add_map(by_event_type);
  for (const ValueBitmaps& segment : segments) {
    add_map(segment.by_value);
    if (segment.multi_valued) bytes += BitmapBytes(*segment.multi_valued);
  }
  return bytes;
}

uint64_t PartitionState::row_count() const {
  uint64_t rows = head_rows;
  for (const RetiredHead& retired : sealing) rows += retired.rows;
  for (const auto& segment : segments) rows += segment->row_count();
  return rows;
}

void PartitionState::AddMemory(MemoryUsage* usage) const {
  for (const auto& segment : segments) segment->AddMemory(usage);
  for (const RetiredHead& retired : sealing) retired.head->AddMemory(usage);
  if (head) head->AddMemory(usage);
  if (bitmaps) usage->bitmap_bytes += bitmaps->memory_bytes();
  usage->rows += row_count();
}

Partition::Partition(int32_t day, uint32_t segment_rows, bool seal_inline)
    : day_(day),
      segment_rows_(segment_rows),
      seal_inline_(seal_inline),
      head_(std::make_shared<HeadSegment>(segment_rows)) {
  auto state = std::make_shared<PartitionState>();
  state->version = NextPartitionVersion();
  state->day = day;
  state->head = head_;
  state->bitmaps = std::make_shared<UserBitmaps>();
  latest_ = std::move(state);
}

void Partition::SealCurrentHead(PartitionState* state) {
  state->segments.push_back(SealedSegment::Seal(*head_, 0, head_->size()));
  head_ = std::make_shared<HeadSegment>(segment_rows_);
  state->head = head_;
  state->head_rows = 0;
  CompactBitmaps(state);
}

void Partition::SealRetiredHeads(PartitionState* state) {
  if (state->sealing.empty()) return;
  for (const RetiredHead& retired : state->sealing) {
    state->segments.push_back(SealedSegment::Seal(*retired.head, 0, retired.rows));
  }
  state->sealing.clear();
  CompactBitmaps(state);
}

void Partition::RetireCurrentHead(PartitionState* state) {
  state->sealing.push_back({head_, head_->size()});
  head_ = std::make_shared<HeadSegment>(segment_rows_);
  state->head = head_;
  state->head_rows = 0;
}

void Partition::MakeRoom(PartitionState* state) {
  if (!head_->full()) return;
  if (seal_inline_ || state->sealing.size() >= kMaxRetiredHeads) {
    SealCurrentHead(state);
  } else {
    RetireCurrentHead(state);
  }
}

std::shared_ptr<const PartitionState> Partition::Append(absl::Span<const EncodedRow> rows,
                                                       absl::Span<const uint32_t> order) {
  auto state = std::make_shared<PartitionState>(*latest_);
  state->version = NextPartitionVersion();
  // Users per event type in this batch, to extend the bitmaps once per batch.
  absl::flat_hash_map<uint32_t, std::vector<uint32_t>> users_by_type;
  std::array<absl::flat_hash_map<uint32_t, std::vector<uint32_t>>, kSegmentColumns.size()> users_by_value;
  std::array<int, kSegmentColumns.size()> value_slots;
  for (size_t s = 0; s < kSegmentColumns.size(); ++s) value_slots[s] = CodeSlot(kSegmentColumns[s]);
  std::vector<uint32_t> all_users;
  all_users.reserve(order.size());
  const int type_slot = CodeSlot(ColumnId::kEventType);
  for (uint32_t index : order) {
    const EncodedRow& row = rows[index];
    MakeRoom(state.get());
    head_->Append(row);
    all_users.push_back(row.user);
    users_by_type[row.codes[type_slot]].push_back(row.user);
    for (size_t s = 0; s < kSegmentColumns.size(); ++s) {
      users_by_value[s][row.codes[value_slots[s]]].push_back(row.user);
    }
  }
  // A full head goes to the sealer at once; sealing inline, it waits for the next row.
  if (!seal_inline_) MakeRoom(state.get());
  state->head_rows = head_->size();

  const UserBitmaps& before = *state->bitmaps;
  auto bitmaps = std::make_shared<UserBitmaps>(before);
  SortUnique(&all_users);
  bitmaps->all = WithUsers(before.all, all_users);
  for (auto& [type, users] : users_by_type) {
    SortUnique(&users);
    bitmaps->by_event_type[type] = WithUsers(Find(before.by_event_type, type), users);
  }
  for (size_t s = 0; s < kSegmentColumns.size(); ++s) {
    const ValueBitmaps& old = before.segments[s];
    ValueBitmaps& segment = bitmaps->segments[s];
    // A user has several values when two values list it in this batch, or when it
    // was active before without this value.
    std::vector<uint32_t> listed, multi;
    for (auto& [code, users] : users_by_value[s]) {
      SortUnique(&users);
      const std::shared_ptr<const UserBitmap> had = Find(old.by_value, code);
      for (uint32_t user : users) {
        if (before.all && before.all->contains(user) && (had == nullptr || !had->contains(user))) {
          multi.push_back(user);
        }
      }
      listed.insert(listed.end(), users.begin(), users.end());
      segment.by_value[code] = WithUsers(had, users);
    }
    if (users_by_value[s].size() > 1) {
      std::sort(listed.begin(), listed.end());
      for (size_t i = 1; i < listed.size(); ++i) {
        if (listed[i] == listed[i - 1]) multi.push_back(listed[i]);
      }
    }
    SortUnique(&multi);
    if (!multi.empty() || !old.multi_valued) segment.multi_valued = WithUsers(old.multi_valued, multi);
  }
  state->bitmaps = std::move(bitmaps);
  latest_ = state;
  last_append_ = std::chrono::steady_clock::now();
  return state;
}

std::shared_ptr<const PartitionState> Partition::Restore(
    std::vector<std::shared_ptr<const SealedSegment>> segments,
    std::shared_ptr<const UserBitmaps> bitmaps, absl::Span<const EncodedRow> head_rows) {
  auto state = std::make_shared<PartitionState>(*latest_);
  state->version = NextPartitionVersion();
  state->segments = std::move(segments);
  state->bitmaps = std::move(bitmaps);
  for (const EncodedRow& row : head_rows) {
    MakeRoom(state.get());
    head_->Append(row);
  }
  if (!seal_inline_) MakeRoom(state.get());
  state->head_rows = head_->size();
  latest_ = state;
  last_append_ = std::chrono::steady_clock::now();  // idle from now, not from the epoch
  return state;
}

absl::StatusOr<std::shared_ptr<const PartitionState>> Partition::EraseUser(uint32_t user,
                                                                          uint64_t* erased) {
  const UserBitmaps& old_bitmaps = *latest_->bitmaps;
  if (old_bitmaps.all == nullptr || !old_bitmaps.all->contains(user)) return latest_;
  auto state = std::make_shared<PartitionState>(*latest_);
  state->version = NextPartitionVersion();
  SealRetiredHeads(state.get());
  if (head_->size() > 0) SealCurrentHead(state.get());

  const int user_index = ColumnIndex(ColumnId::kUserId);
  std::vector<std::shared_ptr<const SealedSegment>> kept;
  for (const auto& segment : state->segments) {
    bool may_hold = false;
    for (uint32_t b = 0; b < segment->block_count() && !may_hold; ++b) {
      const ZoneMap& zone = segment->zone_map(b);
      may_hold = zone.min_code[user_index] <= user && user <= zone.max_code[user_index];
    }
    if (!may_hold) {
      kept.push_back(segment);
      continue;
    }
    StringArena strings;
    std::vector<EncodedRow> rows;
    MUA_RETURN_IF_ERROR(segment->ReadRows(&strings, &rows));
    const size_t before = rows.size();
    std::erase_if(rows, [user](const EncodedRow& row) { return row.user == user; });
    *erased += before - rows.size();
    if (rows.size() == before) {
      kept.push_back(segment);
    } else if (!rows.empty()) {
      HeadSegment rebuilt(static_cast<uint32_t>(rows.size()));
      for (const EncodedRow& row : rows) rebuilt.Append(row);
      kept.push_back(SealedSegment::Seal(rebuilt, 0, rebuilt.size()));
    }
  }
  state->segments = std::move(kept);

  auto bitmaps = std::make_shared<UserBitmaps>();
  auto without = [user](const UserBitmap& bitmap) {
    auto copy = std::make_shared<UserBitmap>(bitmap);
    copy->remove(user);
    return copy;
  };
  bitmaps->all = without(*old_bitmaps.all);
  auto erase_from = [&](const BitmapsByCode& from, BitmapsByCode* into) {
    for (const auto& [code, bitmap] : from) {
      if (!bitmap->contains(user)) {
        (*into)[code] = bitmap;
      } else if (bitmap->cardinality() > 1) {
        (*into)[code] = without(*bitmap);
      }
    }
  };
  erase_from(old_bitmaps.by_event_type, &bitmaps->by_event_type);
  for (size_t s = 0; s < kSegmentColumns.size(); ++s) {
    erase_from(old_bitmaps.segments[s].by_value, &bitmaps->segments[s].by_value);
    if (old_bitmaps.segments[s].multi_valued) {
      bitmaps->segments[s].multi_valued = without(*old_bitmaps.segments[s].multi_valued);
    }
  }
  bitmaps->has_segments = old_bitmaps.has_segments;
  state->bitmaps = std::move(bitmaps);
  latest_ = state;
  return std::shared_ptr<const PartitionState>(state);
}

std::shared_ptr<const PartitionState> Partition::SealHead() {
  if (head_->size() == 0 && latest_->sealing.empty()) return latest_;
  auto state = std::make_shared<PartitionState>(*latest_);
  SealRetiredHeads(state.get());
  if (head_->size() > 0) SealCurrentHead(state.get());
  latest_ = state;
  return state;
}

std::shared_ptr<const PartitionState> Partition::RetireHead() {
  if (head_->size() == 0) return latest_;
  auto state = std::make_shared<PartitionState>(*latest_);
  RetireCurrentHead(state.get());
  latest_ = state;
  return state;
}

std::shared_ptr<const PartitionState> Partition::InstallSealed(
    const HeadSegment* head, std::shared_ptr<const SealedSegment> segment) {
  const std::vector<RetiredHead>& sealing = latest_->sealing;
  auto it = std::find_if(sealing.begin(), sealing.end(),
                         [head](const RetiredHead& retired) { return retired.head.get() == head; });
  if (it == sealing.end()) return nullptr;
  MUA_CHECK(segment->row_count() == it->rows, "sealed segment does not match its head");
  auto state = std::make_shared<PartitionState>(*latest_);
  state->sealing.erase(state->sealing.begin() + (it - sealing.begin()));
  state->segments.push_back(std::move(segment));
  CompactBitmaps(state.get());
  latest_ = state;
  return state;
}

std::shared_ptr<const PartitionState> Partition::ReplaceSegment(
    const SealedSegment* old, std::shared_ptr<const SealedSegment> replacement) {
  const auto& segments = latest_->segments;
  auto it = std::find_if(segments.begin(), segments.end(),
                         [old](const auto& segment) { return segment.get() == old; });
  if (it == segments.end()) return nullptr;
  MUA_CHECK(replacement->row_count() == old->row_count(), "replacement segment differs in rows");
  auto state = std::make_shared<PartitionState>(*latest_);
  state->segments[static_cast<size_t>(it - segments.begin())] = std::move(replacement);
  latest_ = state;
  return state;
}

}  // namespace mua::storage_internal
