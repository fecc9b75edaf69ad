// How a cluster merges each analytics function's rows (RowsMerge, query/logical_plan.h):
// every number of these functions counts users (or their events and sessions), and a
// user lives on one shard, so shards' numbers add up; the percentages and ratios are
// recomputed from the sums as the functions compute them (metrics.h); funnel's median
// time to convert from every shard's samples.
#include "query/analytics.h"

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "query/analytics/metrics.h"

namespace mua {

using query_internal::Percent;
using query_internal::Ratio;

std::shared_ptr<const RowsMerge> AnalyticsRowsMerge(absl::string_view function, bool breakdown) {
  auto merge = std::make_shared<RowsMerge>();
  const int b = breakdown ? 1 : 0;  // columns after the first move right by the breakdown column
  const auto u = [](const ResultSet& rows, int column, uint64_t row) {
    return static_cast<uint64_t>(rows.columns[column].ints[row]);
  };
  if (function == "active_users") {  // bucket, [value,] dau, wau, mau, dau_mau
    merge->keys = breakdown ? std::vector<int>{0, 1} : std::vector<int>{0};
    merge->sums = {{1 + b, {}}, {2 + b, {}}, {3 + b, {}}};
    merge->derive = [b, u](ResultSet* rows) {
      for (uint64_t r = 0; r < rows->row_count; ++r) {
        rows->columns[4 + b].floats[r] = Ratio(u(*rows, 1 + b, r), u(*rows, 3 + b, r));
      }
    };
  } else if (function == "retention_matrix") {  // cohort, [value,] cohort_size, k, retained, pct
    const std::vector<int> cohort = breakdown ? std::vector<int>{0, 1} : std::vector<int>{0};
    merge->keys = cohort;
    merge->keys.push_back(2 + b);
    merge->sums = {{1 + b, cohort}, {3 + b, {}}};
    merge->derive = [b, u](ResultSet* rows) {
      for (uint64_t r = 0; r < rows->row_count; ++r) {
        rows->columns[4 + b].floats[r] = Percent(u(*rows, 3 + b, r), u(*rows, 1 + b, r));
      }
    };
  } else if (function == "stickiness") {  // periods_active, [value,] users, pct
    merge->keys = breakdown ? std::vector<int>{0, 1} : std::vector<int>{0};
    merge->sums = {{1 + b, {}}};
    merge->derive = [b, u](ResultSet* rows) {
      // pct: of the users active at all (with the value), i.e. over every periods_active.
      absl::flat_hash_map<std::string, uint64_t> active;
      auto value = [&](uint64_t r) { return b == 0 ? std::string() : rows->columns[1].strings[r]; };
      for (uint64_t r = 0; r < rows->row_count; ++r) active[value(r)] += u(*rows, 1 + b, r);
      for (uint64_t r = 0; r < rows->row_count; ++r) {
        rows->columns[2 + b].floats[r] = Percent(u(*rows, 1 + b, r), active[value(r)]);
      }
    };
  } else if (function == "lifecycle") {  // period, [value,] status, users (Int64)
    merge->keys = breakdown ? std::vector<int>{0, 1, 2} : std::vector<int>{0, 1};
    merge->sums = {{2 + b, {}}};
  } else if (function == "crash_health") {
    // app_version, sessions, crashed_sessions, crash_free_sessions_pct, users, crashed_users,
    // crash_free_users_pct
    merge->keys = {0};
    merge->sums = {{1, {}}, {2, {}}, {4, {}}, {5, {}}};
    merge->derive = [u](ResultSet* rows) {
      for (uint64_t r = 0; r < rows->row_count; ++r) {
        rows->columns[3].floats[r] = Percent(u(*rows, 1, r) - u(*rows, 2, r), u(*rows, 1, r));
        rows->columns[6].floats[r] = Percent(u(*rows, 4, r) - u(*rows, 5, r), u(*rows, 4, r));
      }
    };
  } else if (function == "funnel") {
    // step, [value,] event, users, pct_of_first, pct_of_previous, median_seconds_to_convert;
    // the shards' rows end with each step's seconds to convert (Funnel with_samples).
    merge->keys = breakdown ? std::vector<int>{1, 0} : std::vector<int>{0};
    merge->sums = {{2 + b, {}}};
    merge->samples = true;
    merge->derive = [b, u](ResultSet* rows) {
      // users per (value, step), for the percentages of the first and previous step.
      absl::flat_hash_map<std::pair<std::string, int64_t>, uint64_t> users;
      auto value = [&](uint64_t r) { return b == 0 ? std::string() : rows->columns[1].strings[r]; };
      for (uint64_t r = 0; r < rows->row_count; ++r) users[{value(r), rows->columns[0].ints[r]}] = u(*rows, 2 + b, r);
      const Column& samples = rows->columns.back();
      for (uint64_t r = 0; r < rows->row_count; ++r) {
        const int64_t step = rows->columns[0].ints[r];
        const uint64_t here = u(*rows, 2 + b, r);
        rows->columns[3 + b].floats[r] = Percent(here, users[{value(r), 1}]);
        rows->columns[4 + b].floats[r] = Percent(here, step == 1 ? here : users[{value(r), step - 1}]);
        std::vector<double> seconds(samples.floats.begin() + samples.array_offsets[r],
                                    samples.floats.begin() + samples.array_offsets[r + 1]);
        rows->columns[5 + b].floats[r] = query_internal::MedianSecondsToConvert(static_cast<int>(step - 1), &seconds);
      }
    };
  } else if (function == "paths") {  // step, from_event, to_event, transitions, users
    merge->keys = {0, 1, 2};
    merge->sums = {{3, {}}, {4, {}}};
    merge->order = {{0, false}, {3, true}, {1, false}, {2, false}};  // most common first per step
    return merge;
  } else {
    return nullptr;
  }
  for (int key : merge->keys) merge->order.emplace_back(key, false);
  return merge;
}

}  // namespace mua
