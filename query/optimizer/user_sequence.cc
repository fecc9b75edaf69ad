// The per-user sequence path (UserSequencePlan): GROUP BY user_id — or user_id and one
// more events column — over events whose aggregates all have a small per-group state:
// count(), min(event_time), max(event_time), and (by user_id alone) windowFunnel in its
// default mode over event_time or toDateTime(event_time). Anything else keeps the hash
// aggregation.
#include "query/aggregates/registry.h"
#include "query/optimizer/rules.h"

namespace mua::optimizer_internal {
namespace {

// event_time (ms), or toDateTime(event_time) (*seconds): timestamps whose order is the
// stored (user, time) order.
bool StoredTimeOrder(const SelectPlan& plan, const BoundExpr& expr, bool* seconds) {
  *seconds = IsCallOfEventTime(plan, expr, "toDateTime");
  return *seconds || EventsColumn(plan, expr) == ColumnId::kEventTime;
}

}  // namespace

void ApplyUserSequence(SelectPlan& plan) {
  if (plan.source.kind != SourcePlan::Kind::kEvents || !plan.aggregate || plan.bitmap || plan.with_totals ||
      plan.group_keys.empty() || plan.group_keys.size() > 2 ||
      EventsColumn(plan, *plan.group_keys[0]) != ColumnId::kUserId) {
    return;
  }
  UserSequencePlan sequence;
  if (plan.group_keys.size() == 2) {
    const std::optional<ColumnId> second = EventsColumn(plan, *plan.group_keys[1]);
    if (!second || (KindOf(*second) != ColumnKind::kString && KindOf(*second) != ColumnKind::kLowCardinality)) return;
    sequence.second_key = plan.group_keys[1]->column;
  }
  using Kind = UserSequencePlan::Aggregate::Kind;
  for (const AggregateCall& call : plan.aggregates) {
    UserSequencePlan::Aggregate& aggregate = sequence.aggregates.emplace_back();
    if (call.distinct) return;
    if (call.name == "count" && call.args.empty()) {
      aggregate.kind = Kind::kCount;
      continue;
    }
    if ((call.name == "min" || call.name == "max") && call.args.size() == 1 && !call.parametric &&
        EventsColumn(plan, *call.args[0]) == ColumnId::kEventTime) {
      aggregate.kind = call.name == "min" ? Kind::kMin : Kind::kMax;
      continue;
    }
    if (call.name != "windowFunnel" || call.args.size() < 2 || sequence.second_key >= 0) return;
    const std::optional<query_internal::WindowFunnelOptions> options =
        query_internal::WindowFunnelOptionsOf(*call.prototype);
    if (!options || options->modes != 0 || !StoredTimeOrder(plan, *call.args[0], &aggregate.seconds)) return;
    for (size_t i = 1; i < call.args.size(); ++i) {
      // Conditions are evaluated as integers; a Nullable one keeps the hash path.
      if (call.args[i]->type.may_be_null()) return;
      aggregate.conditions.push_back(call.args[i]);
    }
    aggregate.kind = Kind::kWindowFunnel;
    aggregate.window = options->window;
  }
  plan.user_sequence = std::move(sequence);
}

}  // namespace mua::optimizer_internal
