#include "query/analytics/day_users.h"

#include "storage/base/hash_containers.h"
#include "absl/container/flat_hash_set.h"
#include "query/analytics/event_scan.h"
#include "query/functions/time_functions.h"
#include "storage/base/time_util.h"
#include "storage/string_dictionary.h"

namespace mua::query_internal {

int32_t PeriodStart(int32_t day, Period period) {
  switch (period) {
    case Period::kDay: return day;
    case Period::kWeek: return ToMonday(day);
    case Period::kMonth: return ToStartOfMonth(day);
  }
  return day;
}

int32_t NextPeriodStart(int32_t day, Period period) {
  switch (period) {
    case Period::kDay: return day + 1;
    case Period::kWeek: return ToMonday(day) + 7;
    case Period::kMonth: return AddMonths(ToStartOfMonth(day), 1);
  }
  return day + 1;
}

absl::StatusOr<DayUsers> BuildDayUsers(const TableSnapshot& snapshot, const AnalyticsScope& scope,
                                       const DayUsersRequest& request) {
  DayUsers result;
  const size_t days = request.last_day >= request.first_day ? request.last_day - request.first_day + 1 : 0;
  const StringDictionary& types = snapshot.dictionary(ColumnId::kEventType);
  std::vector<uint32_t> type_codes;
  for (const std::string& type : request.event_types) {
    if (std::optional<uint32_t> code = types.Find(type)) type_codes.push_back(*code);
  }
  const bool any_type = request.event_types.empty();

  if (scope.utc && scope.where == nullptr && !scope.breakdown) {
    std::vector<UserBitmap>& bitmaps = result[""];
    bitmaps.resize(days);
    const auto [first, last] = snapshot.PartitionRange(request.first_day, request.last_day);
    for (size_t p = first; p < last; ++p) {
      const int32_t day = snapshot.day(p);
      UserBitmap& users = bitmaps[day - request.first_day];
      if (any_type) {
        users = snapshot.users(p);
      } else {
        for (uint32_t code : type_codes) users |= snapshot.users_with_event_type(p, code);
      }
    }
    return result;
  }

  // One pass over the blocks of the range: local day, type and breakdown per row.
  const query_internal::TimeZone zone =
      scope.utc ? query_internal::TimeZone() : query_internal::TimeZone(scope.time_zone);
  EventScan scan(scope);
  const int time_column = scan.Column(ColumnId::kEventTime);
  const int user_column = scan.Column(ColumnId::kUserId);
  const int type_column = scan.Column(ColumnId::kEventType);
  const int breakdown_column = scope.breakdown ? scan.Column(*scope.breakdown) : -1;
  const HashSet<uint32_t> wanted_types(type_codes.begin(), type_codes.end());
  // Local days start at most 14 hours from UTC midnight: widen by a day each side.
  absl::Status status = scan.Run(
      snapshot, MillisOfDay(request.first_day - 1), MillisOfDay(request.last_day + 2) - 1,
      [&](const Batch& batch, absl::Span<const uint32_t> selected) {
        const Vector& times = batch.columns[time_column];
        const Vector& users = batch.columns[user_column];
        const Vector& event_types = batch.columns[type_column];
        std::string previous_key = "\x01";  // not a real value
        std::vector<UserBitmap>* bitmaps = nullptr;
        for (uint32_t row : selected) {
          if (!any_type && !wanted_types.contains(event_types.codes[row])) continue;
          const int32_t day = ToDayNum(FloorDiv(times.ints[row], 1000), zone);
          if (day < request.first_day || day > request.last_day) continue;
          const absl::string_view key =
              breakdown_column >= 0 ? batch.columns[breakdown_column].string_at(row) : absl::string_view();
          if (bitmaps == nullptr || key != previous_key) {
            bitmaps = &result[std::string(key)];
            if (bitmaps->size() < days) bitmaps->resize(days);
            previous_key = std::string(key);
          }
          (*bitmaps)[day - request.first_day].add(users.codes[row]);
        }
      });
  if (!status.ok()) return status;
  if (result.empty() && !scope.breakdown) result[""].resize(days);
  return result;
}

}  // namespace mua::query_internal
