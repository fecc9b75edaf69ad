// Rule: a subquery's outputs that its consumer never reads are not computed
// (their columns stay empty): `SELECT day, ... FROM (SELECT user_id,
// session_id, ...)` groups by user and session without materializing either
// as text; a table function or view is told the columns read
// (DeferredRows::columns_read). (Events scans decode only the columns their
// block binds.)
#include <vector>

#include "query/operators/filter_project.h"
#include "query/optimizer/rules.h"

namespace mua::optimizer_internal {
namespace {

// Which of the source's `count` columns the plan reads: what the scan of the block reads
// (query/operators/filter_project.h).
std::vector<bool> ColumnsRead(const SelectPlan& plan, size_t count) {
  std::vector<bool> used = SourceColumnsRead(plan, /*after_filter=*/false);
  used.resize(count, false);
  return used;
}

}  // namespace

void PruneSubqueryOutputs(SelectPlan& plan) {
  if (plan.source.kind == SourcePlan::Kind::kDeferred) {
    // A table function or view may leave what nobody reads empty (the sessions view:
    // ids, revenue, names): the scan gives those default values.
    if (plan.source.rows) plan.source.deferred.columns_read = ColumnsRead(plan, plan.source.rows->columns.size());
    return;
  }
  if (plan.source.kind != SourcePlan::Kind::kSubquery) return;
  auto* subquery = const_cast<SelectPlan*>(plan.source.subquery.get());
  if (subquery->distinct) return;  // DISTINCT compares every output
  std::vector<bool> used = ColumnsRead(plan, subquery->outputs.size());
  // Keep what the subquery's own consumers already pruned (a second optimization).
  if (!subquery->output_used.empty()) {
    for (size_t i = 0; i < used.size(); ++i) used[i] = used[i] && subquery->output_used[i];
  }
  subquery->output_used = std::move(used);
}

}  // namespace mua::optimizer_internal
