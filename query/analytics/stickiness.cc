// stickiness: per period the union of its day bitmaps, fed to a bit-sliced
// counter; the histogram of counts then splits the active users slice by
// slice (AND / ANDNOT), following only non-empty branches. Measured against a
// per-user count array fed by iterating each bitmap: equal at 100 k users
// (~1.5 ms for 31 days), faster at 1 M, and no memory per user number.
#include "query/analytics/stickiness.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "query/analytics/metrics.h"
#include "query/analytics/day_users.h"

namespace mua {

using query_internal::BuildDayUsers;
using query_internal::DayUsersRequest;
using query_internal::NextPeriodStart;
using query_internal::PeriodStart;

namespace {

// Per-user counters as bitmaps: slice i holds the users whose count has bit i set.
class BitSlicedCounter {
 public:
  // Adds one to the count of every user in `users` (a ripple-carry adder).
  void Add(const UserBitmap& users) {
    UserBitmap carry = users;
    for (size_t i = 0; !carry.isEmpty(); ++i) {
      if (i == slices_.size()) {
        slices_.push_back(std::move(carry));
        return;
      }
      UserBitmap next = slices_[i] & carry;
      slices_[i] ^= carry;
      carry = std::move(next);
    }
  }

  // histogram[k] += users of `users` whose count is k.
  void Histogram(const UserBitmap& users, std::vector<uint64_t>* histogram) const {
    Split(users, slices_.size(), 0, histogram);
  }

 private:
  // `users` agree on the slices above `slice`, whose bits make `high`.
  void Split(const UserBitmap& users, size_t slice, uint64_t high,
             std::vector<uint64_t>* histogram) const {
    if (users.isEmpty()) return;
    if (slice == 0) {
      (*histogram)[high] += users.cardinality();
      return;
    }
    const UserBitmap& bit = slices_[slice - 1];
    Split(users & bit, slice - 1, high | (uint64_t{1} << (slice - 1)), histogram);
    Split(users - bit, slice - 1, high, histogram);
  }

  std::vector<UserBitmap> slices_;
};

// histogram[k] = users of `days` active on a day of exactly k of `periods`
// (day ranges [begin, end) as indices into `days`).
std::vector<uint64_t> CountHistogram(const std::vector<UserBitmap>& days,
                                     const std::vector<std::pair<int32_t, int32_t>>& periods) {
  BitSlicedCounter counter;
  UserBitmap active;
  for (const auto& [begin, end] : periods) {
    UserBitmap users;
    for (int32_t day = begin; day < end && day < static_cast<int32_t>(days.size()); ++day) {
      users |= days[day];
    }
    active |= users;
    counter.Add(users);
  }
  std::vector<uint64_t> histogram(periods.size() + 1);
  counter.Histogram(active, &histogram);
  return histogram;
}

}  // namespace

absl::StatusOr<ResultSet> Stickiness(const TableSnapshot& snapshot, const AnalyticsScope& scope,
                                     Period period, const std::string& event) {
  DayUsersRequest request{.first_day = scope.from_day, .last_day = scope.to_day - 1};
  if (event != "*") request.event_types.push_back(event);
  absl::StatusOr<query_internal::DayUsers> day_users = BuildDayUsers(snapshot, scope, request);
  if (!day_users.ok()) return day_users.status();

  // Periods of [from, to) as day ranges [begin, end), relative to from.
  std::vector<std::pair<int32_t, int32_t>> periods;
  for (int32_t start = PeriodStart(scope.from_day, period); start < scope.to_day;
       start = NextPeriodStart(start, period)) {
    periods.emplace_back(std::max(start, scope.from_day) - scope.from_day,
                         std::min(NextPeriodStart(start, period), scope.to_day) - scope.from_day);
  }

  // Per breakdown value: histogram[k] = users active in exactly k periods, [0] = in any.
  std::vector<std::pair<std::string, std::vector<uint64_t>>> histograms;
  for (const auto& [value, bitmaps] : *day_users) {
    std::vector<uint64_t> histogram = CountHistogram(bitmaps, periods);
    histogram[0] = 0;
    for (size_t k = 1; k < histogram.size(); ++k) histogram[0] += histogram[k];  // active users
    if (scope.breakdown && histogram[0] == 0) continue;
    histograms.emplace_back(value, std::move(histogram));
  }

  ResultSet result;
  const DataType uint64 = DataType::Of(TypeId::kUInt64);
  result.AddColumn("periods_active", uint64);
  if (scope.breakdown) {
    result.AddColumn(std::string(ColumnName(*scope.breakdown)), DataType::Of(TypeId::kString));
  }
  result.AddColumn("users", uint64);
  result.AddColumn("pct", DataType::Of(TypeId::kFloat64));
  const size_t first_metric = scope.breakdown ? 2 : 1;
  for (size_t k = 1; k <= periods.size(); ++k) {
    for (const auto& [value, histogram] : histograms) {
      const uint64_t active = histogram[0];
      result.columns[0].ints.push_back(static_cast<int64_t>(k));
      if (scope.breakdown) result.columns[1].strings.push_back(value);
      result.columns[first_metric].ints.push_back(static_cast<int64_t>(histogram[k]));
      result.columns[first_metric + 1].floats.push_back(query_internal::Percent(histogram[k], active));
      ++result.row_count;
    }
  }
  return result;
}

}  // namespace mua
