// lifecycle (SPEC §5a, PostHog's "lifecycle"): per period, the users who are
// new, returning, resurrecting or dormant, as bitmap algebra over per-period
// user bitmaps plus the union of everything before (back to the table's first
// stored day).
//
//   MUA_ASSIGN_OR_RETURN(ResultSet rows, Lifecycle(snapshot, scope, Period::kWeek, "*"));
//
// Thread safety: reads only the snapshot; safe to call concurrently.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "query/analytics.h"
#include "query/result_set.h"
#include "storage/table_snapshot.h"

namespace mua {

// Rows (period Date, [breakdown String,] status String, users Int64): for each
// calendar period p of [from, to) (scope time zone; the first and last clipped
// to the range) four rows in the order new, returning, resurrecting, dormant.
// "Active in p" = did `event` ("*": any) on a day of p, subject to scope.where,
// separately per breakdown value. With prev = the period before p (for the
// first period: the whole calendar period before it) and before = every day
// from the first stored day up to p's first day:
//   new          = active(p) - before           (first qualifying event ever in p)
//   returning    = active(p) & active(prev)
//   resurrecting = (active(p) & before) - active(prev)
//   dormant      = active(prev) - active(p), reported as a negative count.
// new + returning + resurrecting = active(p). Without a breakdown every row is
// present (zeros included); with one, values with no activity from prev of
// the first period through the range are omitted. Errors: those of scanning.
absl::StatusOr<ResultSet> Lifecycle(const TableSnapshot& snapshot, const AnalyticsScope& scope,
                                    Period period, const std::string& event);

}  // namespace mua
