#include "ingest/dedup.h"

#include "ingest/internal/siphash.h"
#include "storage/base/status_macros.h"
#include "storage/base/time_util.h"
#include "storage/scan_block.h"
#include "storage/string_dictionary.h"
#include "storage/table_snapshot.h"

namespace mua {
namespace {

// Fixed key: fingerprints are stable across processes (for persisting the set later).
constexpr uint64_t kDedupK0 = 0x2d61756d2d647570ULL;
constexpr uint64_t kDedupK1 = 0x6b2d6465642d7075ULL;

}  // namespace

Deduplicator::Deduplicator(DedupOptions options) : options_(options) {}

namespace {

ingest_internal::Hash128 Fingerprint(absl::string_view user_id, absl::string_view event_id) {
  // Length-prefixed, so ("a\0b", "c") and ("a", "b\0c") differ.
  ingest_internal::SipHash128 hash(kDedupK0, kDedupK1);
  hash.UpdateU64(user_id.size());
  hash.Update(user_id);
  hash.Update(event_id);
  return hash.Finish();
}

}  // namespace

bool Deduplicator::SeenBefore(absl::string_view user_id, absl::string_view event_id,
                              int64_t event_time_ms) {
  const ingest_internal::Hash128 fingerprint = Fingerprint(user_id, event_id);
  absl::MutexLock lock(&mu_);
  return SeenBeforeLocked(fingerprint.low, static_cast<uint32_t>(fingerprint.high),
                          DayOfMillis(event_time_ms));
}

absl::Status Deduplicator::RecordStored(const TableSnapshot& snapshot) {
  ScanBuffers buffers;
  ScanBlock block;
  const ColumnSet columns = {ColumnId::kUserId, ColumnId::kEventId};
  int64_t recorded = 0;
  const StringDictionary& users = snapshot.user_index();
  for (size_t p = snapshot.partition_count(); p-- > 0 && recorded < options_.max_entries;) {
    ScanOptions scan;
    scan.min_time_ms = MillisOfDay(snapshot.day(p));
    scan.max_time_ms = MillisOfDay(snapshot.day(p) + 1) - 1;
    const BlockList blocks = snapshot.ListBlocks(scan);
    std::vector<ingest_internal::Hash128> fingerprints;
    for (const BlockRef& ref : blocks.blocks) {
      MUA_RETURN_IF_ERROR(snapshot.ReadBlock(ref, columns, &buffers, &block));
      const auto& event_ids = block.strings[ColumnIndex(ColumnId::kEventId)];
      for (uint32_t r = 0; r < block.row_count; ++r) {
        fingerprints.push_back(Fingerprint(users.Get(block.users[r]), event_ids[r]));
      }
    }
    absl::MutexLock lock(&mu_);
    for (const ingest_internal::Hash128& fingerprint : fingerprints) {
      SeenBeforeLocked(fingerprint.low, static_cast<uint32_t>(fingerprint.high), snapshot.day(p));
    }
    stats_.checked -= static_cast<int64_t>(fingerprints.size());  // not checks of new events
    recorded += static_cast<int64_t>(fingerprints.size());
  }
  return absl::OkStatus();
}

bool Deduplicator::SeenBeforeLocked(uint64_t fingerprint_low, uint32_t fingerprint_high,
                                    int32_t day) {
  ++stats_.checked;
  const Entry entry{fingerprint_low, fingerprint_high, day};
  if (day < oldest_kept_day_) {
    // Beyond the horizon: a lookup only, so old stragglers do not force evictions.
    const bool seen = entries_.contains(entry);
    stats_.duplicates += seen ? 1 : 0;
    stats_.not_recorded += seen ? 0 : 1;
    return seen;
  }
  if (!entries_.insert(entry).second) {
    ++stats_.duplicates;
    return true;
  }
  NoteDay(day);
  return false;
}

void Deduplicator::NoteDay(int32_t day) {
  ++entries_by_day_[day];
  if (day > newest_day_) {
    newest_day_ = day;
    if (options_.horizon_days > 0) {
      const int32_t horizon_start = newest_day_ - options_.horizon_days;
      if (horizon_start > oldest_kept_day_) oldest_kept_day_ = horizon_start;
      if (entries_by_day_.begin()->first < oldest_kept_day_) EvictBefore(oldest_kept_day_);
    }
  }
  if (static_cast<int64_t>(entries_.size()) > options_.max_entries) EnforceMaxEntries();
}

void Deduplicator::EvictBefore(int32_t day) {
  const size_t before = entries_.size();
  absl::erase_if(entries_, [day](const Entry& e) { return e.day < day; });
  stats_.evicted += static_cast<int64_t>(before - entries_.size());
  entries_by_day_.erase(entries_by_day_.begin(), entries_by_day_.lower_bound(day));
}

void Deduplicator::EnforceMaxEntries() {
  // Evict whole days, oldest first, down to 3/4 of the limit so evictions are rare. The
  // newest day is evicted too if it alone exceeds the limit, but recording resumes there.
  const int64_t target = options_.max_entries / 4 * 3;
  int64_t remaining = static_cast<int64_t>(entries_.size());
  int32_t cutoff = newest_day_;
  for (const auto& [day, count] : entries_by_day_) {
    if (remaining <= target) {
      cutoff = day;
      break;
    }
    remaining -= count;
    cutoff = day + 1;
  }
  if (cutoff > newest_day_) {
    stats_.evicted += static_cast<int64_t>(entries_.size());
    entries_.clear();
    entries_by_day_.clear();
    cutoff = newest_day_;
  } else {
    EvictBefore(cutoff);
  }
  if (cutoff > oldest_kept_day_) oldest_kept_day_ = cutoff;
}

DedupStats Deduplicator::stats() const {
  absl::MutexLock lock(&mu_);
  DedupStats stats = stats_;
  stats.entries = static_cast<int64_t>(entries_.size());
  return stats;
}

size_t Deduplicator::memory_bytes() const {
  absl::MutexLock lock(&mu_);
  // A slot plus one control byte per bucket; a std::map node is ~48 bytes.
  return entries_.capacity() * (sizeof(Entry) + 1) + entries_by_day_.size() * 48;
}

}  // namespace mua
