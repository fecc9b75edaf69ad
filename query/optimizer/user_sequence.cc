// The per-user sequence path (UserSequencePlan): GROUP BY user_id alone over events
// whose aggregates all have a streaming per-user state — count() and windowFunnel in
// its default mode over event_time or toDateTime(event_time). Anything else keeps the
// hash aggregation.
#include "query/aggregates/registry.h"
#include "query/optimizer/rules.h"

namespace mua::optimizer_internal {
namespace {

// event_time (ms), or toDateTime(event_time) (*seconds): timestamps whose order is the
// stored (user, time) order.
bool StoredTimeOrder(const SelectPlan& plan, const BoundExpr& expr, bool* seconds) {
  if (EventsColumn(plan, expr) == ColumnId::kEventTime) {
    *seconds = false;
    return true;
  }
  if (expr.kind == BoundExpr::Kind::kCall && expr.function == "toDateTime" && expr.args.size() == 1 &&
      EventsColumn(plan, *expr.args[0]) == ColumnId::kEventTime) {
    *seconds = true;
    return true;
  }
  return false;
}

}  // namespace

void ApplyUserSequence(SelectPlan& plan) {
  if (plan.source.kind != SourcePlan::Kind::kEvents || !plan.aggregate || plan.bitmap || plan.with_totals ||
      plan.group_keys.size() != 1 || EventsColumn(plan, *plan.group_keys[0]) != ColumnId::kUserId) {
    return;
  }
  UserSequencePlan sequence;
  for (const AggregateCall& call : plan.aggregates) {
    UserSequencePlan::Aggregate& aggregate = sequence.aggregates.emplace_back();
    if (call.distinct) return;
    if (call.name == "count" && call.args.empty()) {
      aggregate.kind = UserSequencePlan::Aggregate::Kind::kCount;
      continue;
    }
    if (call.name != "windowFunnel" || call.args.size() < 2) return;
    const std::optional<query_internal::WindowFunnelOptions> options =
        query_internal::WindowFunnelOptionsOf(*call.prototype);
    if (!options || options->modes != 0 || !StoredTimeOrder(plan, *call.args[0], &aggregate.seconds)) return;
    for (size_t i = 1; i < call.args.size(); ++i) {
      // Conditions are evaluated as integers; a Nullable one keeps the hash path.
      if (call.args[i]->type.may_be_null()) return;
      aggregate.conditions.push_back(call.args[i]);
    }
    aggregate.kind = UserSequencePlan::Aggregate::Kind::kWindowFunnel;
    aggregate.window = options->window;
  }
  plan.user_sequence = std::move(sequence);
}

}  // namespace mua::optimizer_internal
