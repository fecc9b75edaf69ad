// paths (SPEC §5a): from every occurrence of a start event, the user's next
// events in time order, as transitions step k: event k-1 -> event k; rows
// count occurrences and distinct users per transition, most common first.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "query/analytics.h"

namespace mua {

// Rows (step, from_event, to_event, transitions, users) for k = 1..steps.
// REQUIRES: 1 <= steps <= 20.
absl::StatusOr<ResultSet> Paths(const TableSnapshot& snapshot, const AnalyticsScope& scope,
                                const std::string& start_event, int steps);

}  // namespace mua
