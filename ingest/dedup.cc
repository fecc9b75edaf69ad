#include "ingest/dedup.h"

#include <algorithm>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "ingest/internal/siphash.h"
#include "storage/base/parallel_for.h"
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

Deduplicator::~Deduplicator() {
  if (loader_.joinable()) loader_.join();
}

void Deduplicator::RecordStoredInBackground(TableSnapshot snapshot,
                                            std::function<void(absl::Status, absl::Duration)> done) {
  {
    absl::MutexLock lock(&mu_);
    loading_ = true;
  }
  loader_ = std::thread([this, snapshot = std::move(snapshot), done = std::move(done)] {
    const absl::Time start = absl::Now();
    absl::Status status = RecordStored(snapshot);
    {
      absl::MutexLock lock(&mu_);
      loading_ = false;
    }
    if (done) done(status, absl::Now() - start);
  });
}

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
  mu_.Await(absl::Condition(
      +[](bool* loading) { return !*loading; }, &loading_));
  ++stats_.checked;
  const bool seen = Record(fingerprint.low, static_cast<uint32_t>(fingerprint.high),
                           DayOfMillis(event_time_ms));
  stats_.duplicates += seen ? 1 : 0;
  return seen;
}

absl::Status Deduplicator::RecordStored(const TableSnapshot& snapshot) {
  // The newest days that fit, newest first (eviction keeps the newest anyway).
  std::vector<size_t> partitions;
  uint64_t rows = 0;
  for (size_t p = snapshot.partition_count(); p-- > 0 && rows < uint64_t(options_.max_entries);) {
    partitions.push_back(p);
    rows += snapshot.row_count(p);
  }
  {
    absl::MutexLock lock(&mu_);
    entries_.reserve(entries_.size() + std::min<uint64_t>(rows, uint64_t(options_.max_entries)));
  }
  const StringDictionary& users = snapshot.user_index();
  const int threads = DefaultThreads();
  std::vector<ScanBuffers> buffers(threads);
  for (size_t p : partitions) {
    ScanOptions scan;
    scan.min_time_ms = MillisOfDay(snapshot.day(p));
    scan.max_time_ms = MillisOfDay(snapshot.day(p) + 1) - 1;
    const BlockList blocks = snapshot.ListBlocks(scan);
    // Decoding event ids and hashing dominate: spread the blocks over the cores.
    std::vector<std::vector<ingest_internal::Hash128>> fingerprints(blocks.blocks.size());
    std::vector<absl::Status> errors(blocks.blocks.size());
    ParallelFor(blocks.blocks.size(), threads, [&](int thread, size_t b) {
      ScanBlock block;
      errors[b] = snapshot.ReadBlock(blocks.blocks[b], {ColumnId::kUserId, ColumnId::kEventId},
                                     &buffers[thread], &block);
      if (!errors[b].ok()) return;
      const auto& event_ids = block.strings[ColumnIndex(ColumnId::kEventId)];
      fingerprints[b].reserve(block.row_count);
      for (uint32_t r = 0; r < block.row_count; ++r) {
        fingerprints[b].push_back(Fingerprint(users.Get(block.users[r]), event_ids[r]));
      }
    });
    for (const absl::Status& error : errors) MUA_RETURN_IF_ERROR(error);
    absl::MutexLock lock(&mu_);
    for (const auto& block_fingerprints : fingerprints) {
      for (const ingest_internal::Hash128& fingerprint : block_fingerprints) {
        Record(fingerprint.low, static_cast<uint32_t>(fingerprint.high), snapshot.day(p));
      }
    }
  }
  return absl::OkStatus();
}

bool Deduplicator::Record(uint64_t fingerprint_low, uint32_t fingerprint_high, int32_t day) {
  const Entry entry{fingerprint_low, fingerprint_high, day};
  if (day < oldest_kept_day_) {
    // Beyond the horizon: a lookup only, so old stragglers do not force evictions.
    const bool seen = entries_.contains(entry);
    stats_.not_recorded += seen ? 0 : 1;
    return seen;
  }
  if (!entries_.insert(entry).second) return true;
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
