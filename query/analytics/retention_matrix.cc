// retention_matrix: cohorts and returns as bitmap intersections. Start and
// return events become per-period bitmaps; a first_time cohort removes users
// seen with the start event in any earlier period (back to the first stored
// day). With a breakdown, rows are ordered by value, then cohort.
#include "query/analytics.h"
#include "query/analytics/metrics.h"
#include "query/analytics/day_users.h"

namespace mua {

using query_internal::BuildDayUsers;
using query_internal::DayUsersRequest;
using query_internal::NextPeriodStart;
using query_internal::PeriodStart;

namespace {

std::vector<std::string> EventFilter(const std::string& event) {
  if (event == "*") return {};
  return {event};
}

}  // namespace

absl::StatusOr<ResultSet> RetentionMatrix(const TableSnapshot& snapshot, const AnalyticsScope& scope,
                                          const RetentionMatrixOptions& options) {
  // Period starts covering [from, to).
  std::vector<int32_t> starts;
  for (int32_t start = PeriodStart(scope.from_day, options.period); start < scope.to_day;
       start = NextPeriodStart(start, options.period)) {
    starts.push_back(start);
  }
  const int32_t earliest = snapshot.partition_count() > 0 ? std::min(snapshot.day(0) - 1, scope.from_day)
                                                          : scope.from_day;
  DayUsersRequest start_request{.first_day = options.first_time ? earliest : scope.from_day,
                                .last_day = scope.to_day - 1,
                                .event_types = EventFilter(options.start_event)};
  DayUsersRequest return_request{.first_day = scope.from_day,
                                 .last_day = scope.to_day - 1,
                                 .event_types = EventFilter(options.return_event)};
  absl::StatusOr<query_internal::DayUsers> start_days = BuildDayUsers(snapshot, scope, start_request);
  if (!start_days.ok()) return start_days.status();
  absl::StatusOr<query_internal::DayUsers> return_days = BuildDayUsers(snapshot, scope, return_request);
  if (!return_days.ok()) return return_days.status();

  // Per period: the union of its days (clipped to [from, to)).
  auto per_period = [&](const std::vector<UserBitmap>& days, int32_t first_day) {
    std::vector<UserBitmap> periods(starts.size());
    for (size_t p = 0; p < starts.size(); ++p) {
      const int32_t begin = std::max(starts[p], scope.from_day);
      const int32_t end = std::min(NextPeriodStart(starts[p], options.period), scope.to_day);
      for (int32_t day = begin; day < end; ++day) {
        if (day - first_day >= 0 && day - first_day < static_cast<int32_t>(days.size())) {
          periods[p] |= days[day - first_day];
        }
      }
    }
    return periods;
  };

  ResultSet result;
  result.AddColumn("cohort", DataType::Of(TypeId::kDate));
  if (scope.breakdown) result.AddColumn(std::string(ColumnName(*scope.breakdown)), DataType::Of(TypeId::kString));
  const DataType uint64 = DataType::Of(TypeId::kUInt64);
  result.AddColumn("cohort_size", uint64);
  result.AddColumn("k", uint64);
  result.AddColumn("retained", uint64);
  result.AddColumn("pct", DataType::Of(TypeId::kFloat64));
  const size_t first_metric = scope.breakdown ? 2 : 1;

  // Returns count whatever the breakdown value of the returning event: a
  // user belongs to the breakdown value of their cohort's start event.
  std::vector<UserBitmap> returns(starts.size());
  for (const auto& [value, days] : *return_days) {
    const std::vector<UserBitmap> periods = per_period(days, return_request.first_day);
    for (size_t p = 0; p < starts.size(); ++p) returns[p] |= periods[p];
  }
  std::vector<UserBitmap> returns_from(starts.size() + 1);  // suffix unions, for on_or_after
  for (size_t p = starts.size(); p-- > 0;) returns_from[p] = returns_from[p + 1] | returns[p];

  // Cohorts per (period, value). first_time: a user joins the first period with
  // a start event (none before `from`), under that period's value — the first
  // value in order when they started under several in the same period.
  std::vector<std::string> values;
  std::vector<std::vector<UserBitmap>> started;  // per value, per period
  UserBitmap seen;
  for (const auto& [value, days] : *start_days) {
    values.push_back(value);
    started.push_back(per_period(days, start_request.first_day));
    if (options.first_time) {
      for (int32_t day = start_request.first_day; day < scope.from_day; ++day) {
        seen |= days[day - start_request.first_day];
      }
    }
  }
  std::vector<std::vector<UserBitmap>> cohorts(values.size(), std::vector<UserBitmap>(starts.size()));
  for (size_t p = 0; p < starts.size(); ++p) {
    for (size_t v = 0; v < values.size(); ++v) {
      cohorts[v][p] = started[v][p];
      if (options.first_time) {
        cohorts[v][p] -= seen;
        seen |= cohorts[v][p];
      }
    }
  }
  for (size_t v = 0; v < values.size(); ++v) {
    for (size_t p = 0; p < starts.size(); ++p) {
      const UserBitmap& cohort = cohorts[v][p];
      const uint64_t size = cohort.cardinality();
      if (size == 0) continue;
      for (size_t k = 0; p + k < starts.size(); ++k) {
        const UserBitmap& returned = options.on_or_after ? returns_from[p + k] : returns[p + k];
        const uint64_t retained = cohort.and_cardinality(returned);
        result.columns[0].ints.push_back(starts[p]);
        if (scope.breakdown) result.columns[1].strings.push_back(values[v]);
        result.columns[first_metric].ints.push_back(static_cast<int64_t>(size));
        result.columns[first_metric + 1].ints.push_back(static_cast<int64_t>(k));
        result.columns[first_metric + 2].ints.push_back(static_cast<int64_t>(retained));
        result.columns[first_metric + 3].floats.push_back(query_internal::Percent(retained, size));
        ++result.row_count;
      }
    }
  }
  return result;
}

}  // namespace mua
