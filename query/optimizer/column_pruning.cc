// Rule: a subquery's outputs that its consumer never reads are not computed
// (their columns stay empty): `SELECT day, ... FROM (SELECT user_id,
// session_id, ...)` groups by user and session without materializing either
// as text; a table function or view is told the columns read
// (DeferredRows::columns_read). (Events scans decode only the columns their
// block binds.)
#include <vector>

#include "query/optimizer/rules.h"

namespace mua::optimizer_internal {
namespace {

void Mark(const BoundExpr* root, std::vector<bool>* used) {
  std::vector<const BoundExpr*> stack;
  if (root != nullptr) stack.push_back(root);
  while (!stack.empty()) {
    const BoundExpr* expr = stack.back();
    stack.pop_back();
    if (expr->kind == BoundExpr::Kind::kColumn && expr->column >= 0 &&
        static_cast<size_t>(expr->column) < used->size()) {
      (*used)[expr->column] = true;
    }
    for (const BoundExprPtr& arg : expr->args) stack.push_back(arg.get());
  }
}

// Which of the source's `count` columns the plan reads.
std::vector<bool> ColumnsRead(const SelectPlan& plan, size_t count) {
  std::vector<bool> used(count, false);
  Mark(plan.where.get(), &used);
  if (plan.where_inside_time_range && *plan.where_inside_time_range) Mark(plan.where_inside_time_range->get(), &used);
  for (const BoundExprPtr& key : plan.group_keys) Mark(key.get(), &used);
  for (const AggregateCall& call : plan.aggregates) {
    for (const BoundExprPtr& arg : call.args) Mark(arg.get(), &used);
  }
  if (!plan.aggregate) {
    // Outputs, HAVING and ORDER BY read the source batch directly.
    for (const BoundExprPtr& output : plan.outputs) Mark(output.get(), &used);
    Mark(plan.having.get(), &used);
    for (const SortKey& key : plan.order_by) Mark(key.expr.get(), &used);
  }
  return used;
}

}  // namespace

void PruneSubqueryOutputs(SelectPlan& plan) {
  if (plan.source.kind == SourcePlan::Kind::kDeferred) {
    // A table function or view may leave what nobody reads empty (the sessions view:
    // ids, revenue, names): the scan views the same columns (FilterProject::ReadsColumn)
    // and gives the others default values.
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
