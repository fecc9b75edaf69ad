// Deduplicator: drops repeats of (user_id, event_id) (SPEC §2). An exact set of 96-bit
// SipHash fingerprints (keyed with a fixed key, so stable across runs), each tagged with
// its event's UTC day, in one absl::flat_hash_set: 16 bytes a slot, ~19-37 bytes an entry
// with load factor and growth. Two distinct keys collide with probability 2^-96: with
// 10^9 events checked against 10^8 remembered, a wrongly dropped event has probability
// ~1e-12.
// Memory is bounded two ways: entries whose day is more than `horizon_days` before the
// newest day seen are evicted (0 = never), and beyond `max_entries` the oldest days are
// evicted. A repeat of an evicted event is not detected (counted in stats().evicted).
//
//   Deduplicator dedup({.horizon_days = 730});
//   if (dedup.SeenBefore(row.user_id, row.event_id, row.event_time_ms)) ++duplicates;
//
// After a restart RecordStored() fills the set from the persisted table, newest days first,
// so a re-sent event (an HTTP retry, a producer retry) is still recognized.
//
// Thread safety: every method may be called from any thread (one Deduplicator serves
// Kafka and HTTP ingest alike); calls are serialized.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "storage/table_snapshot.h"

namespace mua {

struct DedupOptions {
  int horizon_days = 730;              // keep entries this many days behind the newest; 0 = all
  int64_t max_entries = int64_t{1} << 24;  // ~16.8 M entries, ~0.3-0.6 GB
};

struct DedupStats {
  int64_t checked = 0;     // SeenBefore calls
  int64_t duplicates = 0;  // calls that returned true
  int64_t entries = 0;     // fingerprints held now
  int64_t evicted = 0;     // fingerprints evicted so far
  int64_t not_recorded = 0;  // events older than the horizon: checked, not remembered
};

class Deduplicator {
 public:
  explicit Deduplicator(DedupOptions options = {});
  Deduplicator(const Deduplicator&) = delete;
  Deduplicator& operator=(const Deduplicator&) = delete;

  // Returns true when (user_id, event_id) was recorded before (a repeat to drop); else
  // records it under the UTC day of event_time_ms and returns false.
  bool SeenBefore(absl::string_view user_id, absl::string_view event_id, int64_t event_time_ms);

  // Records the (user_id, event_id) of every row of `snapshot`, newest days first, up to
  // max_entries. Errors: DataLoss when a block does not decode.
  absl::Status RecordStored(const TableSnapshot& snapshot);

  // RecordStored on a thread of its own, so a restarted server answers queries at once;
  // until it is done every SeenBefore waits (no event is judged against half the set).
  // `done` gets its result and duration. The destructor waits for the thread.
  void RecordStoredInBackground(TableSnapshot snapshot,
                                std::function<void(absl::Status, absl::Duration)> done);
  ~Deduplicator();

  DedupStats stats() const;

  // Approximate bytes held by the set and the day index.
  size_t memory_bytes() const;

 private:
  struct Entry {
    uint64_t fingerprint_low;
    uint32_t fingerprint_high;
    int32_t day;  // not part of the identity
  };
  struct EntryHash {
    size_t operator()(const Entry& e) const { return e.fingerprint_low; }
  };
  struct EntryEq {
    bool operator()(const Entry& a, const Entry& b) const {
      return a.fingerprint_low == b.fingerprint_low && a.fingerprint_high == b.fingerprint_high;
    }
  };

  // Records the fingerprint under `day` (unless beyond the horizon); true when it was
  // there already. SeenBefore counts checks and duplicates; a refill does not.
  bool Record(uint64_t fingerprint_low, uint32_t fingerprint_high, int32_t day)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void NoteDay(int32_t day) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void EvictBefore(int32_t day) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void EnforceMaxEntries() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const DedupOptions options_;
  mutable absl::Mutex mu_;
  absl::flat_hash_set<Entry, EntryHash, EntryEq> entries_ ABSL_GUARDED_BY(mu_);
  std::map<int32_t, int64_t> entries_by_day_ ABSL_GUARDED_BY(mu_);
  int32_t newest_day_ ABSL_GUARDED_BY(mu_) = INT32_MIN;
  // Events before it are checked but not recorded.
  int32_t oldest_kept_day_ ABSL_GUARDED_BY(mu_) = INT32_MIN;
  DedupStats stats_ ABSL_GUARDED_BY(mu_);
  bool loading_ ABSL_GUARDED_BY(mu_) = false;
  std::thread loader_;
};

}  // namespace mua
