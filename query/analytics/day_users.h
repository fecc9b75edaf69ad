// DayUsers: for each local day of a range (and each breakdown value), the
// Roaring bitmap of users with at least one qualifying event that day. In UTC
// without a filter or breakdown these are the partitions' own bitmaps (no
// scan); otherwise one pass over the range's blocks builds them.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "query/analytics.h"
#include "storage/user_bitmap.h"

namespace mua::query_internal {

struct DayUsersRequest {
  int32_t first_day = 0;  // inclusive local days
  int32_t last_day = 0;
  std::vector<std::string> event_types;  // qualifying types; empty = any event
};

// breakdown value ("" without breakdown) -> bitmaps indexed by day - first_day.
using DayUsers = std::map<std::string, std::vector<UserBitmap>>;

absl::StatusOr<DayUsers> BuildDayUsers(const TableSnapshot& snapshot, const AnalyticsScope& scope,
                                       const DayUsersRequest& request);

// The first local day of the period holding `day`.
int32_t PeriodStart(int32_t day, Period period);
// The first day of the next period.
int32_t NextPeriodStart(int32_t day, Period period);

}  // namespace mua::query_internal
