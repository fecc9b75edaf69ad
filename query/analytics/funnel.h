// funnel (SPEC §5a): how many users reach each of N steps, in order, within a
// window measured from step 1; `strict` allows no other event of the user
// between consecutive steps, `unordered` counts steps done in any order; an
// excluded event between step 1 and the last step reached drops the user.
// Per-user chains are checked over the events of candidate users only: users
// without a step-1 event in range never reach a step (bitmap pruning).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "query/analytics.h"

namespace mua {

// The most steps a funnel has (a step is a bit of a 32-bit mask).
inline constexpr int kMaxFunnelSteps = 32;

struct FunnelOptions {
  std::vector<std::string> steps;  // event types; at least 2
  int64_t window_seconds = 86400;   // > 0
  enum class Order { kOrdered, kStrict, kUnordered };
  Order order = Order::kOrdered;
  std::vector<std::string> exclude;  // event types
};

// Rows (step, [breakdown,] event, users, pct_of_first, pct_of_previous,
// median_seconds_to_convert); the breakdown value is the one at step 1. With
// `with_samples` (a cluster's shard), a last column `seconds_to_convert`
// Array(Float64) holds every converted user's time from the step before, so a
// coordinator can take the median over all shards (AnalyticsRowsMerge).
absl::StatusOr<ResultSet> Funnel(const TableSnapshot& snapshot, const AnalyticsScope& scope,
                                 const FunnelOptions& options, bool with_samples = false);

}  // namespace mua
