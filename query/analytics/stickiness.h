// stickiness (SPEC §5a, PostHog's "stickiness"): users grouped by the exact
// number of periods of [from, to) in which they did the event. Computed as
// bitmap algebra: per period the union of its day bitmaps, then a bit-sliced
// counter (Roaring AND/XOR per slice) gives every user's count at once.
//
//   MUA_ASSIGN_OR_RETURN(ResultSet rows, Stickiness(snapshot, scope, Period::kDay, "app_open"));
//
// Thread safety: reads only the snapshot; safe to call concurrently.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "query/analytics.h"
#include "query/result_set.h"
#include "storage/table_snapshot.h"

namespace mua {

// Rows (periods_active UInt64, [breakdown String,] users UInt64, pct Float64),
// one per periods_active = 1 .. number of periods, ordered by periods_active
// then breakdown value. Periods are calendar days/weeks/months in the scope's
// time zone, clipped to [from, to); `event` "*" means any event. users = users
// active in exactly that many periods; pct = 100 * users / users active at all.
// Without a breakdown every row is present (zeros included); with one, values
// with no active user are omitted. Errors: those of scanning the snapshot.
absl::StatusOr<ResultSet> Stickiness(const TableSnapshot& snapshot, const AnalyticsScope& scope,
                                     Period period, const std::string& event);

}  // namespace mua
