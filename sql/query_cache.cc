#include "sql/query_cache.h"

#include <utility>

#include "absl/hash/hash.h"

namespace mua {
namespace {

uint64_t ColumnBytes(const Column& column) {
  uint64_t bytes = column.ints.size() * sizeof(int64_t) + column.floats.size() * sizeof(double) +
                   column.array_offsets.size() * sizeof(uint32_t) + column.nulls.size();
  for (const std::string& s : column.strings) bytes += sizeof(std::string) + s.size();
  for (const Column& child : column.children) bytes += ColumnBytes(child);
  return bytes;
}

}  // namespace

uint64_t QueryCache::ResultBytes(const ResultSet& result) {
  uint64_t bytes = sizeof(ResultSet);
  for (const std::string& name : result.names) bytes += name.size();
  for (const Column& column : result.columns) bytes += ColumnBytes(column);
  if (result.totals) {
    for (const Column& column : *result.totals) bytes += ColumnBytes(column);
  }
  return bytes;
}

std::shared_ptr<const ResultSet> QueryCache::Find(const std::string& key, const TableSnapshot& snapshot,
                                                  absl::Duration stale_ok, absl::Time now) {
  absl::MutexLock lock(&mu_);
  auto it = by_key_.find(key);
  if (it == by_key_.end()) {
    ++counters_.misses;
    return nullptr;
  }
  Entry& entry = *it->second;
  if (!snapshot.Satisfies(entry.dependency) && now - entry.created > stale_ok) {
    // The rows it read changed: it will never be the answer again.
    EraseLocked(it->second);
    ++counters_.misses;
    return nullptr;
  }
  ++entry.hits;
  ++counters_.hits;
  lru_.splice(lru_.begin(), lru_, it->second);
  return entry.result;
}

bool QueryCache::Insert(const std::string& key, std::string query, std::string principal, const ResultSet& result,
                        SnapshotDependency dependency, absl::Duration ttl, absl::Time now) {
  const uint64_t bytes = ResultBytes(result) + key.size() + query.size() +
                         dependency.versions.size() * 16 + dependency.days.size() * 4;
  if (bytes > options_.max_entry_bytes || result.row_count > options_.max_entry_rows ||
      bytes > options_.max_bytes || options_.max_entries == 0) {
    return false;
  }
  auto shared = std::make_shared<ResultSet>(result);
  shared->statistics = QueryStatistics();
  absl::MutexLock lock(&mu_);
  if (auto it = by_key_.find(key); it != by_key_.end()) EraseLocked(it->second);
  while (!lru_.empty() && (lru_.size() >= options_.max_entries || bytes_ + bytes > options_.max_bytes)) {
    EraseLocked(std::prev(lru_.end()));
    ++counters_.evictions;
  }
  lru_.push_front(
      Entry{key, std::move(query), std::move(principal), std::move(shared), std::move(dependency), bytes, 0, now, ttl});
  by_key_[key] = lru_.begin();
  bytes_ += bytes;
  ++counters_.inserts;
  return true;
}

void QueryCache::EraseLocked(Lru::iterator it) {
  bytes_ -= it->bytes;
  by_key_.erase(it->key);
  lru_.erase(it);
}

void QueryCache::Clear() {
  absl::MutexLock lock(&mu_);
  lru_.clear();
  by_key_.clear();
  bytes_ = 0;
}

std::vector<QueryCache::EntryInfo> QueryCache::Entries(const TableSnapshot& snapshot) const {
  absl::MutexLock lock(&mu_);
  std::vector<EntryInfo> entries;
  for (const Entry& entry : lru_) {
    EntryInfo& info = entries.emplace_back();
    info.query = entry.query;
    info.principal = entry.principal;
    info.key_hash = absl::HashOf(entry.key);
    info.result_bytes = entry.bytes;
    info.result_rows = entry.result->row_count;
    info.hits = entry.hits;
    info.stale = !snapshot.Satisfies(entry.dependency);
    info.created = entry.created;
    info.ttl = entry.ttl;
    info.partitions = entry.dependency.versions.size();
  }
  return entries;
}

QueryCache::Counters QueryCache::counters() const {
  absl::MutexLock lock(&mu_);
  Counters counters = counters_;
  counters.entries = lru_.size();
  counters.bytes = bytes_;
  return counters;
}

}  // namespace mua
