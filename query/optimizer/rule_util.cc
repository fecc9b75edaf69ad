// Helpers the optimizer's rules share: conjuncts, time sides, constants.
#include <utility>

#include "absl/strings/str_cat.h"
#include "query/optimizer/rules.h"
#include "query/scalar_functions.h"

namespace mua::optimizer_internal {

BlockFacts FactsOf(const SelectPlan& plan) {
  BlockFacts facts;
  for (const PreparedInput& prepared : plan.prepared) {
    if (prepared.value != nullptr) facts.prepared_values.insert(prepared.value.get());
    if (prepared.kind == PreparedInput::Kind::kInSet && prepared.set != nullptr) {
      facts.prepared_sets.insert(prepared.set.get());
    }
  }
  return facts;
}

std::vector<const BoundExpr*> Conjuncts(const BoundExpr* predicate) {
  std::vector<const BoundExpr*> conjuncts;
  std::vector<const BoundExpr*> stack;
  if (predicate != nullptr) stack.push_back(predicate);
  while (!stack.empty()) {
    const BoundExpr* e = stack.back();
    stack.pop_back();
    if (e->kind == BoundExpr::Kind::kCall && e->function == "and" && !e->args.empty()) {
      // Reversed, so the conjuncts come out in the order they were written.
      for (auto it = e->args.rbegin(); it != e->args.rend(); ++it) stack.push_back(it->get());
    } else {
      conjuncts.push_back(e);
    }
  }
  return conjuncts;
}

std::vector<BoundExprPtr> ConjunctPtrs(const BoundExprPtr& predicate) {
  std::vector<BoundExprPtr> conjuncts;
  std::vector<BoundExprPtr> stack;
  if (predicate != nullptr) stack.push_back(predicate);
  while (!stack.empty()) {
    BoundExprPtr e = std::move(stack.back());
    stack.pop_back();
    if (e->kind == BoundExpr::Kind::kCall && e->function == "and" && !e->args.empty()) {
      for (auto it = e->args.rbegin(); it != e->args.rend(); ++it) stack.push_back(*it);
    } else {
      conjuncts.push_back(std::move(e));
    }
  }
  return conjuncts;
}

absl::StatusOr<BoundExprPtr> AndOf(const std::vector<BoundExprPtr>& conjuncts) {
  BoundExprPtr result;
  for (const BoundExprPtr& conjunct : conjuncts) {
    if (result == nullptr) {
      result = conjunct;
      continue;
    }
    const ScalarArg args[] = {{result->type, nullptr}, {conjunct->type, nullptr}};
    absl::StatusOr<ScalarBinding> binding = BindScalarFunction("and", args);
    if (!binding.ok()) return absl::InternalError(absl::StrCat("cannot rebuild AND: ", binding.status().message()));
    result = MakeCall("and", binding->kernel, binding->type, {result, conjunct},
                      absl::StrCat(result->sql, " AND ", conjunct->sql));
  }
  return result;
}

std::optional<ColumnId> EventsColumn(const SelectPlan& plan, const BoundExpr& expr) {
  if (plan.source.kind != SourcePlan::Kind::kEvents || expr.kind != BoundExpr::Kind::kColumn || expr.column < 0 ||
      static_cast<size_t>(expr.column) >= plan.source.columns.size()) {
    return std::nullopt;
  }
  return plan.source.columns[expr.column];
}

bool IsCallOfEventTime(const SelectPlan& plan, const BoundExpr& expr, absl::string_view function) {
  return expr.kind == BoundExpr::Kind::kCall && expr.function == function && expr.args.size() == 1 &&
         EventsColumn(plan, *expr.args[0]) == ColumnId::kEventTime;
}

bool TimeSide(const SelectPlan& plan, const BoundExpr& expr, bool* is_day) {
  *is_day = IsCallOfEventTime(plan, expr, "toDate");
  return *is_day || EventsColumn(plan, expr) == ColumnId::kEventTime;
}

bool IsKnownConstant(const BlockFacts& facts, const BoundExpr& expr) {
  return expr.is_constant() && !facts.prepared_values.contains(&expr);
}

bool ConstantTime(const BlockFacts& facts, const BoundExpr& expr, bool is_day, int64_t* value) {
  if (!IsKnownConstant(facts, expr) || expr.constant.is_null(0)) return false;
  const Vector& v = expr.constant;
  const TypeId target = is_day ? TypeId::kDate : TypeId::kDateTime64;
  if (v.type.is_string()) {
    absl::StatusOr<int64_t> parsed = ParseTimeLiteral(v.string_at(0), target);
    if (!parsed.ok()) return false;
    *value = *parsed;
    return true;
  }
  if (!v.type.is_time()) return false;
  if (is_day) {
    if (v.type.id != TypeId::kDate) return false;  // comparing a day with a time: leave it
    *value = v.int_at(0);
  } else {
    *value = v.type.id == TypeId::kDate       ? v.int_at(0) * kDayMs
             : v.type.id == TypeId::kDateTime ? v.int_at(0) * 1000
                                              : v.int_at(0);
  }
  return true;
}

bool ValueListCondition(const SelectPlan& plan, const BlockFacts& facts, const BoundExpr& e, ColumnId* column,
                        std::vector<std::string>* values) {
  if (e.kind == BoundExpr::Kind::kCall && e.function == "equals" && e.args.size() == 2) {
    const std::optional<ColumnId> id = EventsColumn(plan, *e.args[0]);
    const BoundExpr& value = *e.args[1];
    if (!id || KindOf(*id) != ColumnKind::kLowCardinality || !IsKnownConstant(facts, value) ||
        !value.type.is_string() || value.constant.is_null(0)) {
      return false;
    }
    *column = *id;
    values->emplace_back(value.constant.string_at(0));
    return true;
  }
  if (e.kind != BoundExpr::Kind::kIn || e.negated || e.args.empty() || e.set == nullptr ||
      facts.prepared_sets.contains(e.set.get())) {
    return false;
  }
  const std::optional<ColumnId> id = EventsColumn(plan, *e.args[0]);
  const InSet& set = *e.set;
  if (!id || KindOf(*id) != ColumnKind::kLowCardinality || set.by_user || !set.ints.empty() || set.has_floats ||
      set.strings.empty()) {
    return false;
  }
  *column = *id;
  for (const std::string& value : set.strings) values->push_back(value);
  return true;
}

}  // namespace mua::optimizer_internal
