// Rule: `SELECT sum(r[1]), sum(r[2]), count() FROM (<per-user retention
// subquery>)`: every total is the cardinality of an intersection of day
// bitmaps, so the per-user rows are never built. Runs after the subquery's own
// rules chose its per-user bitmap path.
#include "absl/strings/ascii.h"
#include "query/optimizer/rules.h"

namespace mua::optimizer_internal {

void ApplyRetentionTotals(SelectPlan& plan) {
  if (plan.source.kind != SourcePlan::Kind::kSubquery || !plan.aggregate || !plan.group_keys.empty() ||
      plan.where != nullptr || plan.aggregates.empty() || !plan.prepared.empty() || plan.with_totals) {
    return;
  }
  const SelectPlan& inner = *plan.source.subquery;
  if (!inner.bitmap || !inner.bitmap->per_user || inner.having != nullptr || inner.limit || inner.offset != 0 ||
      inner.distinct) {
    return;
  }
  BitmapPlan totals;
  for (const AggregateCall& call : plan.aggregates) {
    if (call.distinct || call.parametric || call.prototype->result_type().id != TypeId::kUInt64) return;
    const std::string name = absl::AsciiStrToLower(call.name);
    if (name == "count" && call.args.empty()) {
      totals.retention_totals.push_back({-1, 0});
      continue;
    }
    if (name != "sum" || call.args.size() != 1) return;
    const BoundExpr& element = *call.args[0];
    if (element.kind != BoundExpr::Kind::kCall || element.function != "arrayElement" || element.args.size() != 2 ||
        element.args[0]->kind != BoundExpr::Kind::kColumn || !element.args[1]->is_constant() ||
        !element.args[1]->type.is_integer()) {
      return;
    }
    // The subquery's output must be one of its retention aggregates as they are
    // (its post batch is [user_id, aggregates...]).
    const BoundExpr& output = *inner.outputs[element.args[0]->column];
    if (output.kind != BoundExpr::Kind::kColumn || output.column < 1 ||
        output.column > static_cast<int>(inner.bitmap->retention_days.size())) {
      return;
    }
    totals.retention_totals.push_back({output.column - 1, element.args[1]->constant.ints[0]});
  }
  totals.aggregates = plan.aggregates.size();
  plan.bitmap = std::move(totals);
}

}  // namespace mua::optimizer_internal
