// QueryCache: SELECT results kept for dashboards that ask the same questions every
// few seconds (ClickHouse's query cache, with exact invalidation). An entry is keyed by
// the statement's normalized text, its query parameters and the settings that change
// its answer, and remembers the partition versions it read (SnapshotDependency):
//
//   - exact (the default): served only while every partition it read still holds the
//     same rows (no append, DELETE, retention or new day among the days it looked at),
//     so a cached answer is the answer the statement would give now;
//   - with `query_cache_ttl = N`: also served up to N seconds after it was computed
//     when the partitions changed since (ClickHouse's meaning of a stale entry).
//
// What may not be cached is decided by SqlEngine::Execute: results that depend on the
// time (now(), today()), randomness, system or dimension tables, other nodes' data,
// or that are larger than an entry may be.
//
//   QueryCache cache(QueryCacheOptions{});
//   ExecuteOptions options;
//   options.query_cache = &cache;
//   options.use_query_cache = true;
//
// Thread safety: every method may be called concurrently.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "query/result_set.h"
#include "storage/table_snapshot.h"

namespace mua {

struct QueryCacheOptions {
  size_t max_entries = 1024;                 // ClickHouse: query_cache max_entries
  size_t max_bytes = 256ull << 20;           // all results together
  size_t max_entry_bytes = 1ull << 20;       // ClickHouse: max_entry_size_in_bytes
  size_t max_entry_rows = 30'000'000;        // ClickHouse: max_entry_size_in_rows
};

class QueryCache {
 public:
  explicit QueryCache(QueryCacheOptions options = {}) : options_(options) {}
  QueryCache(const QueryCache&) = delete;
  QueryCache& operator=(const QueryCache&) = delete;

  // The cached result of `key` when it is still the answer on `snapshot`, or was
  // computed at most `stale_ok` before `now`; null otherwise (an entry neither is
  // dropped).
  std::shared_ptr<const ResultSet> Find(const std::string& key, const TableSnapshot& snapshot,
                                        absl::Duration stale_ok, absl::Time now);

  // Keeps `result` under `key` (replacing an older entry), evicting the least recently
  // used entries past the limits; `principal` ran the statement (system.query_cache shows
  // a non-admin only their own statements' text). False when the result is larger than
  // one entry may be.
  bool Insert(const std::string& key, std::string query, std::string principal, const ResultSet& result,
              SnapshotDependency dependency, absl::Duration ttl, absl::Time now);

  // SYSTEM DROP QUERY CACHE.
  void Clear();

  // Rows of system.query_cache.
  struct EntryInfo {
    std::string query;
    std::string principal;  // who computed it
    uint64_t key_hash = 0;
    uint64_t result_bytes = 0;
    uint64_t result_rows = 0;
    uint64_t hits = 0;
    bool stale = false;  // the table changed under it since (served only within its ttl)
    absl::Time created;
    absl::Duration ttl;  // zero: exact
    size_t partitions = 0;  // partitions whose versions it depends on
  };
  std::vector<EntryInfo> Entries(const TableSnapshot& snapshot) const;

  struct Counters {
    uint64_t hits = 0;
    uint64_t misses = 0;
    uint64_t inserts = 0;
    uint64_t evictions = 0;
    uint64_t entries = 0;
    uint64_t bytes = 0;
  };
  Counters counters() const;

  // What `result` takes in the cache (its values and strings).
  static uint64_t ResultBytes(const ResultSet& result);

 private:
  struct Entry {
    std::string key;
    std::string query;
    std::string principal;
    std::shared_ptr<const ResultSet> result;
    SnapshotDependency dependency;
    uint64_t bytes = 0;
    uint64_t hits = 0;
    absl::Time created;
    absl::Duration ttl;
  };
  using Lru = std::list<Entry>;  // most recently used first

  void EraseLocked(Lru::iterator it) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const QueryCacheOptions options_;
  mutable absl::Mutex mu_;
  Lru lru_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, Lru::iterator> by_key_ ABSL_GUARDED_BY(mu_);
  uint64_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
  Counters counters_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mua
