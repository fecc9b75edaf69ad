// The optimizer's rules and the helpers they share (private to query/optimizer/).
#pragma once

#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "query/logical_plan.h"
#include "storage/table_snapshot.h"

namespace mua::optimizer_internal {

inline constexpr int64_t kDayMs = 86'400'000;

// What the rules learn about one block while they run.
struct BlockFacts {
  // WHERE conjuncts that the scan's time range expresses exactly.
  absl::flat_hash_set<const BoundExpr*> time_conjuncts;
  // Expressions whose value the executor fills (scalar subqueries) and IN sets
  // it fills (IN (subquery)): not constants the rules may read.
  absl::flat_hash_set<const BoundExpr*> prepared_values;
  absl::flat_hash_set<const InSet*> prepared_sets;
};

BlockFacts FactsOf(const SelectPlan& plan);

// The conjuncts of a predicate (the operands of nested `and` calls).
std::vector<const BoundExpr*> Conjuncts(const BoundExpr* predicate);
std::vector<BoundExprPtr> ConjunctPtrs(const BoundExprPtr& predicate);
// `and` of the predicates (null when empty). Errors: Internal (no `and` kernel).
absl::StatusOr<BoundExprPtr> AndOf(const std::vector<BoundExprPtr>& conjuncts);

// The events column that `expr` is, when it is one column of an events block's batch.
std::optional<ColumnId> EventsColumn(const SelectPlan& plan, const BoundExpr& expr);
// Whether `expr` is `function(event_time)` (one argument), e.g. toDate(event_time).
bool IsCallOfEventTime(const SelectPlan& plan, const BoundExpr& expr, absl::string_view function);
// Whether `expr` is event_time (ms) or toDate(event_time) (a day: *is_day).
bool TimeSide(const SelectPlan& plan, const BoundExpr& expr, bool* is_day);
// A constant time in ms (or a day number when is_day).
bool ConstantTime(const BlockFacts& facts, const BoundExpr& expr, bool is_day, int64_t* value);
// A constant the binder knew (not a value the executor fills).
bool IsKnownConstant(const BlockFacts& facts, const BoundExpr& expr);

// `column = 'x'` or `column IN ('x', ...)` over a low-cardinality events column.
bool ValueListCondition(const SelectPlan& plan, const BlockFacts& facts, const BoundExpr& e, ColumnId* column,
                        std::vector<std::string>* values);

// The rules, in the order OptimizePlan applies them.
absl::Status PushDownPredicates(SelectPlan& plan);
absl::Status ApplyTimeRange(SelectPlan& plan, BlockFacts* facts);
void ApplyBitmapPaths(SelectPlan& plan, const BlockFacts& facts, const TableSnapshot& snapshot);
void ApplyRetentionTotals(SelectPlan& plan);
void ApplyUserSequence(SelectPlan& plan);
void PruneSubqueryOutputs(SelectPlan& plan);
void ApplyTopN(SelectPlan& plan);
void ApplyPropertyColumns(SelectPlan& plan, const BlockFacts& facts);
void ApplyFilteredBlockKeys(SelectPlan& plan, const BlockFacts& facts);

}  // namespace mua::optimizer_internal
