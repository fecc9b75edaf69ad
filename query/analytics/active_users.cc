// active_users: DAU per bucket and rolling WAU/MAU from day bitmaps. The
// rolling windows are unions of the day bitmaps of the 7 / 30 days ending with
// each bucket's last day.
#include "query/analytics.h"
#include "query/analytics/metrics.h"
#include "query/analytics/day_users.h"

namespace mua {

using query_internal::BuildDayUsers;
using query_internal::DayUsersRequest;
using query_internal::NextPeriodStart;
using query_internal::PeriodStart;

absl::StatusOr<ResultSet> ActiveUsers(const TableSnapshot& snapshot, const AnalyticsScope& scope,
                                      Period period) {
  constexpr int kMonthDays = 30;
  constexpr int kWeekDays = 7;
  DayUsersRequest request;
  request.first_day = scope.from_day - (kMonthDays - 1);
  request.last_day = scope.to_day - 1;
  absl::StatusOr<query_internal::DayUsers> day_users = BuildDayUsers(snapshot, scope, request);
  if (!day_users.ok()) return day_users.status();

  ResultSet result;
  Column* bucket = &result.AddColumn("bucket", DataType::Of(TypeId::kDate));
  Column* breakdown = scope.breakdown ? &result.AddColumn(std::string(ColumnName(*scope.breakdown)),
                                                          DataType::Of(TypeId::kString))
                                      : nullptr;
  const DataType uint64 = DataType::Of(TypeId::kUInt64);
  result.AddColumn("dau", uint64);
  result.AddColumn("wau", uint64);
  result.AddColumn("mau", uint64);
  result.AddColumn("dau_mau", DataType::Of(TypeId::kFloat64));
  // AddColumn may move columns: take the pointers again.
  bucket = &result.columns[0];
  breakdown = scope.breakdown ? &result.columns[1] : nullptr;
  const size_t first_metric = scope.breakdown ? 2 : 1;

  // Buckets in order; within one, breakdown values in order.
  for (int32_t start = PeriodStart(scope.from_day, period); start < scope.to_day;
       start = NextPeriodStart(start, period)) {
    const int32_t first = std::max(start, scope.from_day);
    const int32_t last = std::min(NextPeriodStart(start, period), scope.to_day) - 1;
    for (const auto& [value, bitmaps] : *day_users) {
      auto users_over = [&, &bitmaps = bitmaps](int32_t from_day, int32_t to_day) {
        UserBitmap users;
        for (int32_t day = std::max(from_day, request.first_day); day <= to_day; ++day) {
          users |= bitmaps[day - request.first_day];
        }
        return users.cardinality();
      };
      const uint64_t dau = users_over(first, last);
      const uint64_t wau = users_over(last - (kWeekDays - 1), last);
      const uint64_t mau = users_over(last - (kMonthDays - 1), last);
      if (scope.breakdown && dau == 0) continue;  // a value not seen in this bucket
      bucket->ints.push_back(start);
      if (breakdown != nullptr) breakdown->strings.push_back(value);
      result.columns[first_metric].ints.push_back(static_cast<int64_t>(dau));
      result.columns[first_metric + 1].ints.push_back(static_cast<int64_t>(wau));
      result.columns[first_metric + 2].ints.push_back(static_cast<int64_t>(mau));
      result.columns[first_metric + 3].floats.push_back(query_internal::Ratio(dau, mau));
      ++result.row_count;
    }
  }
  return result;
}

}  // namespace mua
