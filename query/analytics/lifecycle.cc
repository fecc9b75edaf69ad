// lifecycle: one walk over the periods per breakdown value, carrying two
// bitmaps — `before` (every qualifying user up to the period's first day) and
// `previous` (the last period's active users). All four statuses are then
// cardinalities of ANDs with the period's active users; nothing else is built.
#include "query/analytics/lifecycle.h"

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

#include "query/analytics/day_users.h"

namespace mua {

using query_internal::BuildDayUsers;
using query_internal::DayUsersRequest;
using query_internal::NextPeriodStart;
using query_internal::PeriodStart;

namespace {

constexpr std::array<const char*, 4> kStatuses = {"new", "returning", "resurrecting", "dormant"};
using StatusCounts = std::array<int64_t, 4>;  // in kStatuses order; dormant <= 0

// Local days [begin, end) of the periods covering [from, to), clipped to it.
std::vector<std::pair<int32_t, int32_t>> PeriodRanges(const AnalyticsScope& scope, Period period) {
  std::vector<std::pair<int32_t, int32_t>> ranges;
  for (int32_t start = PeriodStart(scope.from_day, period); start < scope.to_day;
       start = NextPeriodStart(start, period)) {
    ranges.emplace_back(std::max(start, scope.from_day),
                        std::min(NextPeriodStart(start, period), scope.to_day));
  }
  return ranges;
}

// Status counts per period for one breakdown value's day bitmaps (index 0 =
// `first_day`); `previous_range` is the calendar period before the first range.
// Empty when the value has no activity in `previous_range` or any range.
std::vector<StatusCounts> CountStatuses(const std::vector<UserBitmap>& days, int32_t first_day,
                                        std::pair<int32_t, int32_t> previous_range,
                                        const std::vector<std::pair<int32_t, int32_t>>& ranges) {
  auto users_over = [&](int32_t begin, int32_t end) {
    UserBitmap users;
    const int32_t last = std::min(end, first_day + static_cast<int32_t>(days.size()));
    for (int32_t day = std::max(begin, first_day); day < last; ++day) {
      users |= days[day - first_day];
    }
    return users;
  };
  if (ranges.empty()) return {};
  UserBitmap before = users_over(first_day, ranges.front().first);
  UserBitmap previous = users_over(previous_range.first, previous_range.second);
  bool any = !previous.isEmpty();
  std::vector<StatusCounts> counts;
  counts.reserve(ranges.size());
  for (const auto& [begin, end] : ranges) {
    UserBitmap active = users_over(begin, end);
    // `previous` is within `before`, so returning users are among the seen ones.
    const int64_t active_count = static_cast<int64_t>(active.cardinality());
    const int64_t seen = static_cast<int64_t>(active.and_cardinality(before));
    const int64_t returning = static_cast<int64_t>(active.and_cardinality(previous));
    const int64_t previous_count = static_cast<int64_t>(previous.cardinality());
    counts.push_back(
        {active_count - seen, returning, seen - returning, returning - previous_count});
    any = any || active_count > 0;
    before |= active;
    previous = std::move(active);
  }
  if (!any) counts.clear();
  return counts;
}

}  // namespace

absl::StatusOr<ResultSet> Lifecycle(const TableSnapshot& snapshot, const AnalyticsScope& scope,
                                    Period period, const std::string& event) {
  const std::vector<std::pair<int32_t, int32_t>> ranges = PeriodRanges(scope, period);
  const int32_t first_start = PeriodStart(scope.from_day, period);
  const std::pair<int32_t, int32_t> previous_range{PeriodStart(first_start - 1, period),
                                                   first_start};
  // From the first stored day (a local day may precede its UTC partition's day).
  const int32_t earliest = snapshot.partition_count() > 0
                               ? std::min(snapshot.day(0) - 1, previous_range.first)
                               : previous_range.first;
  DayUsersRequest request{.first_day = earliest, .last_day = scope.to_day - 1};
  if (event != "*") request.event_types.push_back(event);
  absl::StatusOr<query_internal::DayUsers> day_users = BuildDayUsers(snapshot, scope, request);
  if (!day_users.ok()) return day_users.status();

  std::vector<std::pair<std::string, std::vector<StatusCounts>>> per_value;
  for (const auto& [value, days] : *day_users) {
    std::vector<StatusCounts> counts = CountStatuses(days, earliest, previous_range, ranges);
    if (counts.empty()) {
      if (scope.breakdown) continue;
      counts.resize(ranges.size(), StatusCounts{});
    }
    per_value.emplace_back(value, std::move(counts));
  }

  ResultSet result;
  result.AddColumn("period", DataType::Of(TypeId::kDate));
  if (scope.breakdown) {
    result.AddColumn(std::string(ColumnName(*scope.breakdown)), DataType::Of(TypeId::kString));
  }
  result.AddColumn("status", DataType::Of(TypeId::kString));
  result.AddColumn("users", DataType::Of(TypeId::kInt64));
  const size_t status_column = scope.breakdown ? 2 : 1;
  for (size_t p = 0; p < ranges.size(); ++p) {
    for (const auto& [value, counts] : per_value) {
      for (size_t status = 0; status < kStatuses.size(); ++status) {
        result.columns[0].ints.push_back(PeriodStart(ranges[p].first, period));
        if (scope.breakdown) result.columns[1].strings.push_back(value);
        result.columns[status_column].strings.emplace_back(kStatuses[status]);
        result.columns[status_column + 1].ints.push_back(counts[p][status]);
        ++result.row_count;
      }
    }
  }
  return result;
}

}  // namespace mua
