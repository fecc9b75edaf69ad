// The optimizer: rules that rewrite a bound logical plan (query/logical_plan.h)
// using the snapshot's metadata — partitions, dictionaries, zone maps — never
// its rows. Each rule is one file; OptimizePlan applies them to every block,
// children before parents, in this order:
//   1. predicate pushdown  (predicate_pushdown.cc): WHERE conjuncts over a plain
//      subquery's outputs move into the subquery, nearer the scan
//   2. time range          (time_range.cc): event_time bounds → partition and
//      block pruning, and the filter for partitions wholly inside the range
//   3. bitmap paths        (bitmap_path.cc): distinct users by day, per-user retention
//   4. retention totals    (retention_totals.cc): totals over a per-user retention subquery
//   5. column pruning      (column_pruning.cc): a subquery's unread outputs are not computed
//   6. top-N               (top_n.cc): ORDER BY + LIMIT sorts only the rows it keeps
//
//   MUA_ASSIGN_OR_RETURN(std::shared_ptr<const SelectPlan> plan, BindSelect(query, bind));
//   MUA_RETURN_IF_ERROR(OptimizePlan(plan, snapshot));
#pragma once

#include <memory>

#include "absl/status/status.h"
#include "query/logical_plan.h"
#include "storage/table_snapshot.h"

namespace mua {

// Rewrites `plan` (and every plan below it) in place. REQUIRES: the plan is not
// yet shared with an executor. Errors: Internal only (a rule that cannot rebuild
// an expression it split).
absl::Status OptimizePlan(const std::shared_ptr<const SelectPlan>& plan, const TableSnapshot& snapshot);

}  // namespace mua
