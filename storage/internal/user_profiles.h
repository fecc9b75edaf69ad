// UserProfileIndex: per user number, what `user_profiles` shows — first and last event
// time, event count, and the dictionary codes of the latest (by event_time) platform,
// app_version, country and device_type. Table::Append feeds it row by row, so reading
// the profiles never scans the events.
//
//   UserProfileIndex index;
//   index.Add(user, time_ms, {platform, app_version, country, device_type});
//   for (const auto& [user, entry] : index.Copy()) ...
//
// Thread safety: all methods may be called from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "storage/internal/head_segment.h"
#include "storage/schema.h"

namespace mua::storage_internal {

// The columns whose latest value a profile keeps, in this order.
inline constexpr std::array<ColumnId, 4> kProfileColumns = {ColumnId::kPlatform, ColumnId::kAppVersion,
                                                            ColumnId::kCountry, ColumnId::kDeviceType};

struct ProfileEntry {
  int64_t first_seen_ms = 0;
  int64_t last_seen_ms = 0;
  uint64_t event_count = 0;  // 0: no events (never seen, or erased)
  std::array<uint32_t, kProfileColumns.size()> latest_codes = {};
};

class UserProfileIndex {
 public:
  // One event of `user` at `time_ms`; an event at the latest time seen so far (ties
  // included: the later arrival) sets the latest values.
  void Add(uint32_t user, int64_t time_ms, const std::array<uint32_t, kProfileColumns.size()>& codes);
  // Add for each row, in order, under one lock (the profile columns are code columns).
  void AddRows(absl::Span<const EncodedRow> rows);
  void Erase(uint32_t user);
  void Clear();
  // The users with events, ascending by user number.
  std::vector<std::pair<uint32_t, ProfileEntry>> Copy() const;
  size_t memory_bytes() const;

 private:
  mutable absl::Mutex mu_;
  std::vector<ProfileEntry> entries_ ABSL_GUARDED_BY(mu_);

  void AddLocked(uint32_t user, int64_t time_ms, const std::array<uint32_t, kProfileColumns.size()>& codes)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
};

}  // namespace mua::storage_internal
