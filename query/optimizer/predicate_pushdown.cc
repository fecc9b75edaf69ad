// Rule: predicate pushdown. A WHERE conjunct over a subquery's outputs moves
// into the subquery, next to its scan, when that gives the same rows: the
// subquery neither limits nor de-duplicates, and either does not aggregate or
// the conjunct reads only its GROUP BY keys. Pushed into an events block, the
// conjunct then prunes partitions and blocks by time (time_range.cc):
// `SELECT ... FROM daily_user_metrics WHERE date = '2024-03-01'` scans one day.
#include <vector>

#include "query/optimizer/rules.h"

namespace mua::optimizer_internal {
namespace {

// Whether `expr` uses anything the executor fills for its block (those stay put).
bool UsesPrepared(const BlockFacts& facts, const BoundExpr& root) {
  std::vector<const BoundExpr*> stack = {&root};
  while (!stack.empty()) {
    const BoundExpr* expr = stack.back();
    stack.pop_back();
    if (facts.prepared_values.contains(expr)) return true;
    if (expr->kind == BoundExpr::Kind::kIn && expr->set != nullptr) {
      // Any IN set: a user-id list is resolved against the events' user index.
      if (facts.prepared_sets.contains(expr->set.get()) || expr->set->by_user) return true;
    }
    for (const BoundExprPtr& arg : expr->args) stack.push_back(arg.get());
  }
  return false;
}

// `expr` with column k replaced by replacement(k); null when some column has none.
BoundExprPtr Substitute(const BoundExprPtr& expr, const std::function<BoundExprPtr(int)>& replacement) {
  if (expr->kind == BoundExpr::Kind::kColumn) return replacement(expr->column);
  if (expr->args.empty()) return expr;
  auto copy = std::make_shared<BoundExpr>(*expr);
  for (BoundExprPtr& arg : copy->args) {
    arg = Substitute(arg, replacement);
    if (arg == nullptr) return nullptr;
  }
  return copy;
}

}  // namespace

absl::Status PushDownPredicates(SelectPlan& plan) {
  if (plan.source.kind != SourcePlan::Kind::kSubquery || plan.where == nullptr) return absl::OkStatus();
  auto* inner = const_cast<SelectPlan*>(plan.source.subquery.get());
  // An outer WHERE does not filter the inner block's totals: pushed below them, it would.
  if (inner->limit || inner->offset != 0 || inner->distinct || inner->with_totals ||
      inner->source.kind == SourcePlan::Kind::kOneRow) {
    return absl::OkStatus();
  }
  const BlockFacts facts = FactsOf(plan);
  auto replacement = [&](int column) -> BoundExprPtr {
    if (column < 0 || static_cast<size_t>(column) >= inner->outputs.size()) return nullptr;
    const BoundExprPtr& output = inner->outputs[column];
    if (!inner->aggregate) return output;
    // Over the post batch: only a key column has a source-batch expression.
    if (output->kind != BoundExpr::Kind::kColumn || output->column < 0 ||
        static_cast<size_t>(output->column) >= inner->group_keys.size()) {
      return nullptr;
    }
    return inner->group_keys[output->column];
  };
  std::vector<BoundExprPtr> kept;
  std::vector<BoundExprPtr> pushed = ConjunctPtrs(inner->where);
  const size_t inner_before = pushed.size();
  for (const BoundExprPtr& conjunct : ConjunctPtrs(plan.where)) {
    BoundExprPtr moved = UsesPrepared(facts, *conjunct) ? nullptr : Substitute(conjunct, replacement);
    if (moved == nullptr || !(moved->type.is_numeric() || moved->type.id == TypeId::kNothing)) {
      kept.push_back(conjunct);
      continue;
    }
    pushed.push_back(std::move(moved));
  }
  if (pushed.size() == inner_before) return absl::OkStatus();
  absl::StatusOr<BoundExprPtr> inner_where = AndOf(pushed);
  if (!inner_where.ok()) return inner_where.status();
  absl::StatusOr<BoundExprPtr> outer_where = AndOf(kept);
  if (!outer_where.ok()) return outer_where.status();
  inner->where = *std::move(inner_where);
  plan.where = *std::move(outer_where);
  return absl::OkStatus();
}

}  // namespace mua::optimizer_internal
