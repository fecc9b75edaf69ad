// BitmapScan: the bitmap paths (query/optimizer/ chooses them, BitmapPlan in
// logical_plan.h) answer an aggregating block from the partitions' per-day
// Roaring bitmaps of users instead of scanning rows. Each produces the block's
// post batch [keys..., aggregate values...] directly:
// - RunBitmapScan: distinct users per day-granular group (or in total), the
//   union of day bitmaps intersected per condition; nullopt when an
//   intersection is not exact on this data (users with several values of the
//   filtered columns that day), and the block scans instead.
// - RunBitmapScan with a per-user plan: GROUP BY user_id with retention()
//   arrays, one row per user active on the allowed days.
// - RunRetentionTotals: sum(r[k]) / count() over such a per-user subquery, as
//   cardinalities of day-bitmap intersections (the per-user rows never exist).
//
// Resource limits: the bitmaps are the snapshot's; what these hold is one
// bitmap per group or day, bounded by the partitions (charged to the
// statement's MemoryTracker through the global allocator). They run in one
// pass over partitions without reading blocks, so no interruption check is
// needed between steps; the caller checks before and after.
//
//   MUA_ASSIGN_OR_RETURN(std::optional<Batch> post, RunBitmapScan(plan, snapshot, worker));
//   if (!post) ...scan...
#pragma once

#include <optional>

#include "absl/status/statusor.h"
#include "query/logical_plan.h"
#include "query/operators/filter_project.h"
#include "storage/table_snapshot.h"

namespace mua {

// REQUIRES: plan.bitmap over a kEvents source. The post batch's strings view
// worker->groups or the snapshot, its pool is worker->pool. Errors: the day
// key's evaluation.
absl::StatusOr<std::optional<Batch>> RunBitmapScan(const SelectPlan& plan, const TableSnapshot& snapshot,
                                                   BlockWorker* worker);

// REQUIRES: plan.bitmap->retention_totals over a kSubquery source whose plan is
// per-user bitmap path. One row.
Batch RunRetentionTotals(const SelectPlan& plan, const TableSnapshot& snapshot, BlockWorker* worker);

}  // namespace mua
