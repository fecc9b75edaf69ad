#include "storage/table.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "storage/base/check.h"
#include "storage/base/status_macros.h"
#include "storage/base/time_util.h"
#include "storage/internal/head_segment.h"
#include "storage/internal/partition.h"
#include "storage/internal/sealed_segment.h"
#include "storage/internal/user_profiles.h"

namespace mua {
namespace {

using storage_internal::EncodedRow;
using storage_internal::PartitionState;

// 1900-01-01 and 2400-01-01: wide enough for any real event, narrow enough
// that day numbers and DateTime arithmetic never overflow.
constexpr int64_t kMinEventTimeMs = -2'208'988'800'000;
constexpr int64_t kMaxEventTimeMs = 13'569'465'600'000;

// A code Table::Encode could not find: the value is new, AppendEncoded adds it.
constexpr uint32_t kUnresolved = UINT32_MAX;

// Remembers the last value found per column: consecutive events of one batch
// usually share platform, country, version... so most lookups are a compare.
class DictionaryLookup {
 public:
  uint32_t Find(const StringDictionary& dictionary, int column, absl::string_view value) {
    Entry& entry = last_[column];
    if (entry.valid && entry.value == value) return entry.code;
    const std::optional<uint32_t> code = dictionary.Find(value);
    if (!code.has_value()) return kUnresolved;
    entry = {true, value, *code};
    return *code;
  }

 private:
  struct Entry {
    bool valid = false;
    absl::string_view value;
    uint32_t code = 0;
  };
  std::array<Entry, kNumColumns> last_;
};

}  // namespace

Table::Table(TableOptions options)
    : options_(options), profiles_(std::make_unique<storage_internal::UserProfileIndex>()) {
  MUA_CHECK(options_.segment_rows > 0, "segment_rows must be positive");
  for (ColumnId id : kAllColumns) {
    if (KindOf(id) == ColumnKind::kLowCardinality) {
      dictionaries_[ColumnIndex(id)] = std::make_unique<StringDictionary>();
    }
  }
  if (options_.background_sealing) sealer_ = std::thread([this] { RunSealer(); });
}

Table::~Table() {
  {
    absl::MutexLock lock(&append_mu_);
    stop_sealer_ = true;
  }
  if (sealer_.joinable()) sealer_.join();
}

const StringDictionary& Table::dictionary(ColumnId column) const {
  MUA_CHECK(dictionaries_[ColumnIndex(column)] != nullptr, "column has no dictionary");
  return *dictionaries_[ColumnIndex(column)];
}

storage_internal::Partition& Table::PartitionFor(int32_t day) {
  auto& partition = partitions_[day];
  if (partition == nullptr) {
    partition = std::make_unique<storage_internal::Partition>(day, options_.segment_rows,
                                                              !options_.background_sealing);
  }
  return *partition;
}

EncodedRows::EncodedRows() = default;
EncodedRows::~EncodedRows() = default;
EncodedRows::EncodedRows(EncodedRows&&) noexcept = default;
EncodedRows& EncodedRows::operator=(EncodedRows&&) noexcept = default;

size_t EncodedRows::size() const { return rows_.size(); }

void EncodedRows::clear() {
  rows_.clear();
  sources_.clear();
}

void EncodedRows::AddFrom(const EncodedRows& from, size_t index) {
  rows_.push_back(from.rows_[index]);
  sources_.push_back(from.sources_[index]);
}

absl::Status Table::Append(absl::Span<const EventRow> rows) {
  EncodedRows encoded;
  Encode(rows, &encoded);
  return AppendEncoded(encoded);
}

void Table::Encode(absl::Span<const EventRow> rows, EncodedRows* out) const {
  DictionaryLookup lookup;
  const size_t first = out->rows_.size();
  out->rows_.resize(first + rows.size());
  out->sources_.reserve(first + rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    const EventRow& row = rows[i];
    EncodedRow& encoded = out->rows_[first + i];
    out->sources_.push_back(&row);
    encoded.event_time_ms = row.event_time_ms;
    encoded.user = lookup.Find(user_index_, ColumnIndex(ColumnId::kUserId), row.user_id);
    for (int slot = 0; slot < storage_internal::kNumCodeColumns; ++slot) {
      const ColumnId id = storage_internal::kCodeColumns[slot];
      const int index = ColumnIndex(id);
      encoded.codes[slot] = lookup.Find(*dictionaries_[index], index, row.StringValue(id));
    }
    for (int slot = 0; slot < storage_internal::kNumStringColumns; ++slot) {
      encoded.strings[slot] = row.StringValue(storage_internal::kStringColumns[slot]);
    }
  }
}

absl::Status Table::AppendEncoded(EncodedRows& batch) {
  std::vector<EncodedRow>& encoded = batch.rows_;
  for (size_t i = 0; i < encoded.size(); ++i) {
    const int64_t time = encoded[i].event_time_ms;
    if (time < kMinEventTimeMs || time >= kMaxEventTimeMs) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "row %d: event_time %d ms lies outside 1900-01-01..2400-01-01", i, time));
    }
  }
  if (encoded.empty()) return absl::OkStatus();

  absl::MutexLock lock(&append_mu_);
  // Values new when encoded get their codes now, in row order (another batch may have
  // added one meanwhile: GetOrAdd then finds it).
  for (size_t i = 0; i < encoded.size(); ++i) {
    EncodedRow& row = encoded[i];
    const EventRow& source = *batch.sources_[i];
    if (row.user == kUnresolved) row.user = user_index_.GetOrAdd(source.user_id);
    for (int slot = 0; slot < storage_internal::kNumCodeColumns; ++slot) {
      if (row.codes[slot] != kUnresolved) continue;
      const ColumnId id = storage_internal::kCodeColumns[slot];
      row.codes[slot] = dictionaries_[ColumnIndex(id)]->GetOrAdd(source.StringValue(id));
    }
  }
  RefreshProfilesLocked();
  profiles_->AddRows(encoded);

  // Group row indices by day, keeping arrival order within a day. Batches
  // usually hold one or two days, so a small ordered map of index lists is cheap.
  std::map<int32_t, std::vector<uint32_t>> rows_by_day;
  for (uint32_t i = 0; i < encoded.size(); ++i) {
    rows_by_day[DayOfMillis(encoded[i].event_time_ms)].push_back(i);
  }
  std::vector<std::shared_ptr<const PartitionState>> states;
  for (const auto& [day, order] : rows_by_day) {
    storage_internal::Partition& partition = PartitionFor(day);
    states.push_back(partition.Append(encoded, order));
    NoteRetiredHeads(partition);
  }
  Publish(states);
  return absl::OkStatus();
}

void Table::SealAll() {
  absl::MutexLock lock(&append_mu_);
  std::vector<std::shared_ptr<const PartitionState>> states;
  for (auto& [day, partition] : partitions_) states.push_back(partition->SealHead());
  Publish(states);
}

int Table::SealIdleHeads(absl::Duration idle) {
  const auto cutoff = std::chrono::steady_clock::now() - absl::ToChronoNanoseconds(idle);
  absl::MutexLock lock(&append_mu_);
  std::vector<std::shared_ptr<const PartitionState>> states;
  for (auto& [day, partition] : partitions_) {
    if (!partition->head_empty() && partition->last_append() <= cutoff) {
      if (options_.background_sealing) {
        states.push_back(partition->RetireHead());
        NoteRetiredHeads(*partition);
      } else {
        states.push_back(partition->SealHead());
      }
    }
  }
  Publish(states);
  return static_cast<int>(states.size());
}

absl::StatusOr<uint64_t> Table::EraseUser(absl::string_view user_id) {
  absl::MutexLock lock(&append_mu_);
  const std::optional<uint32_t> user = user_index_.Find(user_id);
  if (!user.has_value()) return 0;
  profiles_->Erase(*user);
  uint64_t erased = 0;
  absl::Status first_error;
  std::vector<std::shared_ptr<const PartitionState>> states;
  for (auto& [day, partition] : partitions_) {
    absl::StatusOr<std::shared_ptr<const PartitionState>> state = partition->EraseUser(*user, &erased);
    if (state.ok()) {
      states.push_back(*std::move(state));
    } else if (first_error.ok()) {
      first_error = state.status();
    }
  }
  Publish(states);
  MUA_RETURN_IF_ERROR(first_error);
  return erased;
}

std::vector<int32_t> Table::DropPartitionsBefore(int32_t first_kept_day) {
  std::vector<int32_t> dropped;
  absl::MutexLock lock(&append_mu_);
  absl::MutexLock publish_lock(&publish_mu_);
  while (!partitions_.empty() && partitions_.begin()->first < first_kept_day) {
    dropped.push_back(partitions_.begin()->first);
    published_.erase(partitions_.begin()->first);
    partitions_.erase(partitions_.begin());
  }
  if (!dropped.empty()) profiles_stale_ = true;
  return dropped;
}

StringDictionary& Table::mutable_dictionary(ColumnId column) {
  if (column == ColumnId::kUserId) return user_index_;
  MUA_CHECK(dictionaries_[ColumnIndex(column)] != nullptr, "column has no dictionary");
  return *dictionaries_[ColumnIndex(column)];
}

std::shared_ptr<const PartitionState> Table::RestorePartition(
    int32_t day, std::vector<std::shared_ptr<const storage_internal::SealedSegment>> segments,
    std::shared_ptr<const storage_internal::UserBitmaps> bitmaps,
    absl::Span<const EncodedRow> head_rows) {
  absl::MutexLock lock(&append_mu_);
  storage_internal::Partition& partition = PartitionFor(day);
  const auto state = partition.Restore(std::move(segments), std::move(bitmaps), head_rows);
  profiles_stale_ = true;
  NoteRetiredHeads(partition);
  Publish({&state, 1});
  return state;
}

bool Table::ReplaceSegment(int32_t day, const storage_internal::SealedSegment* old,
                           std::shared_ptr<const storage_internal::SealedSegment> replacement) {
  absl::MutexLock lock(&append_mu_);
  auto it = partitions_.find(day);
  if (it == partitions_.end()) return false;
  const auto state = it->second->ReplaceSegment(old, std::move(replacement));
  if (state == nullptr) return false;
  Publish({&state, 1});
  return true;
}

void Table::NoteRetiredHeads(const storage_internal::Partition& partition) {
  if (partition.has_retired_heads()) days_to_seal_.insert(partition.day());
}

bool Table::SealerHasWork() const {
  return stop_sealer_ || (!sealer_paused_ && !days_to_seal_.empty());
}

void Table::TEST_PauseSealing(bool paused) {
  absl::MutexLock lock(&append_mu_);
  sealer_paused_ = paused;
}

void Table::RunSealer() {
  for (;;) {
    int32_t day = 0;
    storage_internal::RetiredHead retired;
    {
      absl::MutexLock lock(&append_mu_, absl::Condition(this, &Table::SealerHasWork));
      if (stop_sealer_) return;
      day = *days_to_seal_.begin();
      auto it = partitions_.find(day);
      if (it == partitions_.end() || !it->second->has_retired_heads()) {
        days_to_seal_.erase(day);
        continue;
      }
      retired = it->second->latest()->sealing.front();
    }
    // A retired head never changes again: encode it holding no table lock.
    auto segment = storage_internal::SealedSegment::Seal(*retired.head, 0, retired.rows);
    absl::MutexLock lock(&append_mu_);
    auto it = partitions_.find(day);
    if (it == partitions_.end()) continue;  // dropped meanwhile: the segment goes too
    const auto state = it->second->InstallSealed(retired.head.get(), std::move(segment));
    if (state != nullptr) Publish({&state, 1});
  }
}

void Table::Publish(absl::Span<const std::shared_ptr<const PartitionState>> states) {
  absl::MutexLock lock(&publish_mu_);
  for (const auto& state : states) published_[state->day] = state;
}

TableSnapshot Table::Snapshot() const {
  TableSnapshot snapshot;
  snapshot.table_ = this;
  absl::ReaderMutexLock lock(&publish_mu_);
  snapshot.partitions_.reserve(published_.size());
  for (const auto& [day, state] : published_) snapshot.partitions_.push_back(state);
  return snapshot;
}

uint64_t Table::row_count() const { return Snapshot().row_count(); }

void Table::RefreshProfilesLocked() const {
  if (!profiles_stale_) return;
  profiles_stale_ = false;
  profiles_->Clear();
  const TableSnapshot snapshot = Snapshot();
  ScanOptions options{.columns = {ColumnId::kEventTime, ColumnId::kUserId}};
  for (ColumnId id : storage_internal::kProfileColumns) options.columns.Add(id);
  ScanBuffers buffers;
  std::array<uint32_t, storage_internal::kProfileColumns.size()> latest;
  for (const BlockRef& ref : snapshot.ListBlocks(options).blocks) {
    ScanBlock block;
    // A block that does not decode is skipped: its rows are not served either.
    if (!snapshot.ReadBlock(ref, options.columns, &buffers, &block).ok()) continue;
    for (uint32_t row = 0; row < block.row_count; ++row) {
      for (size_t c = 0; c < latest.size(); ++c) {
        latest[c] = block.codes[ColumnIndex(storage_internal::kProfileColumns[c])][row];
      }
      profiles_->Add(block.users[row], block.event_time[row], latest);
    }
  }
}

std::vector<UserProfile> Table::UserProfiles() const {
  std::vector<std::pair<uint32_t, storage_internal::ProfileEntry>> entries;
  {
    absl::MutexLock lock(&append_mu_);
    RefreshProfilesLocked();
    entries = profiles_->Copy();
  }
  std::vector<UserProfile> profiles;
  profiles.reserve(entries.size());
  for (const auto& [user, entry] : entries) {
    UserProfile& profile = profiles.emplace_back();
    profile.user_id = std::string(user_index_.Get(user));
    profile.first_seen_ms = entry.first_seen_ms;
    profile.last_seen_ms = entry.last_seen_ms;
    profile.event_count = entry.event_count;
    std::string* values[] = {&profile.platform, &profile.app_version, &profile.country, &profile.device_type};
    for (size_t c = 0; c < entry.latest_codes.size(); ++c) {
      *values[c] = std::string(dictionary(storage_internal::kProfileColumns[c]).Get(entry.latest_codes[c]));
    }
  }
  return profiles;
}

std::vector<std::pair<int32_t, MemoryUsage>> Table::PartitionMemory() const {
  const TableSnapshot snapshot = Snapshot();
  std::vector<std::pair<int32_t, MemoryUsage>> result;
  for (size_t p = 0; p < snapshot.partition_count(); ++p) {
    result.emplace_back(snapshot.day(p), snapshot.partition_memory(p));
  }
  return result;
}

MemoryUsage Table::Memory() const {
  MemoryUsage total;
  for (const auto& [day, usage] : PartitionMemory()) total += usage;
  for (const auto& dictionary : dictionaries_) {
    if (dictionary) total.dictionary_bytes += dictionary->memory_bytes();
  }
  total.user_index_bytes = user_index_.memory_bytes() + profiles_->memory_bytes();
  return total;
}

}  // namespace mua
