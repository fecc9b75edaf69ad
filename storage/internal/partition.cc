#include "storage/internal/partition.h"

#include <algorithm>

#include "storage/base/check.h"
#include "storage/base/status_macros.h"

namespace mua::storage_internal {
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
  if (state->bitmaps->all) bitmaps->all = compact(*state->bitmaps->all);
  for (const auto& [type, bitmap] : state->bitmaps->by_event_type) {
    bitmaps->by_event_type[type] = compact(*bitmap);
  }
  state->bitmaps = std::move(bitmaps);
}

// A copy of `base` (or an empty bitmap) with `users` added. `users` is sorted.
std::shared_ptr<const UserBitmap> WithUsers(const UserBitmap* base,
                                                  const std::vector<uint32_t>& users) {
  auto bitmap = base ? std::make_shared<UserBitmap>(*base)
                     : std::make_shared<UserBitmap>();
  bitmap->addMany(users.size(), users.data());
  return bitmap;
}

}  // namespace

size_t UserBitmaps::memory_bytes() const {
  size_t bytes = sizeof(*this) + (all ? BitmapBytes(*all) : 0);
  bytes += by_event_type.capacity() * (sizeof(uint32_t) + sizeof(all) + 1);
  for (const auto& [code, bitmap] : by_event_type) bytes += BitmapBytes(*bitmap);
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
  // Users per event type in this batch, to extend the bitmaps once per batch.
  absl::flat_hash_map<uint32_t, std::vector<uint32_t>> users_by_type;
  std::vector<uint32_t> all_users;
  all_users.reserve(order.size());
  const int type_slot = CodeSlot(ColumnId::kEventType);
  for (uint32_t index : order) {
    const EncodedRow& row = rows[index];
    MakeRoom(state.get());
    head_->Append(row);
    all_users.push_back(row.user);
    users_by_type[row.codes[type_slot]].push_back(row.user);
  }
  // A full head goes to the sealer at once; sealing inline, it waits for the next row.
  if (!seal_inline_) MakeRoom(state.get());
  state->head_rows = head_->size();

  auto bitmaps = std::make_shared<UserBitmaps>(*state->bitmaps);
  auto sort_unique = [](std::vector<uint32_t>* users) {
    std::sort(users->begin(), users->end());
    users->erase(std::unique(users->begin(), users->end()), users->end());
  };
  sort_unique(&all_users);
  bitmaps->all = WithUsers(bitmaps->all.get(), all_users);
  for (auto& [type, users] : users_by_type) {
    sort_unique(&users);
    auto it = bitmaps->by_event_type.find(type);
    bitmaps->by_event_type[type] =
        WithUsers(it == bitmaps->by_event_type.end() ? nullptr : it->second.get(), users);
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
  for (const auto& [type, bitmap] : old_bitmaps.by_event_type) {
    if (!bitmap->contains(user)) {
      bitmaps->by_event_type[type] = bitmap;
    } else if (bitmap->cardinality() > 1) {
      bitmaps->by_event_type[type] = without(*bitmap);
    }
  }
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

}  // namespace mua::storage_internal
