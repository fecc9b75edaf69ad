// Rule: a WHERE made of comparisons of columns with constants gets a key that names it
// whatever the query around it, so the rows a sealed block keeps under it can be kept with
// the block and found by later queries (query/operators/filtered_blocks.h). Only forms
// whose value is fixed by their text are keyed: no time-zone or settings dependence, no
// subquery results, no lambdas.
#include <string>

#include "absl/strings/str_cat.h"
#include "query/optimizer/rules.h"

namespace mua::optimizer_internal {
namespace {

bool IsKeyedFunction(absl::string_view name) {
  static constexpr absl::string_view kNames[] = {
      "equals", "notEquals", "less", "greater", "lessOrEquals", "greaterOrEquals", "and", "or", "not",
      "like", "notLike", "ilike", "notILike", "empty", "notEmpty", "startsWith", "endsWith", "has"};
  for (absl::string_view known : kNames) {
    if (name == known) return true;
  }
  return false;
}

// Appends the key of `expr` to *out; false when it has none.
bool AppendKey(const SelectPlan& plan, const BlockFacts& facts, const BoundExpr& expr, std::string* out) {
  switch (expr.kind) {
    case BoundExpr::Kind::kColumn: {
      if (expr.column < 0) return false;
      const size_t column = static_cast<size_t>(expr.column);
      if (column < plan.source.columns.size()) {
        absl::StrAppend(out, "c:", ColumnName(plan.source.columns[column]));
        return true;
      }
      if (column - plan.source.columns.size() >= plan.source.property_columns.size()) return false;
      absl::StrAppend(out, "p:", plan.source.property_columns[column - plan.source.columns.size()].key);
      return true;
    }
    case BoundExpr::Kind::kConstant:
      if (!IsKnownConstant(facts, expr)) return false;
      absl::StrAppend(out, "k:", expr.type.Name(), ":");
      AppendValueKey(expr.constant, 0, out);
      return true;
    case BoundExpr::Kind::kCall: {
      if (!IsKeyedFunction(expr.function)) return false;
      absl::StrAppend(out, expr.function, ":", expr.type.Name(), "(");
      for (const BoundExprPtr& arg : expr.args) {
        if (!AppendKey(plan, facts, *arg, out)) return false;
        out->push_back(',');
      }
      out->push_back(')');
      return true;
    }
    case BoundExpr::Kind::kIn: return false;
  }
  return false;
}

std::string KeyOf(const SelectPlan& plan, const BlockFacts& facts, const BoundExpr* where) {
  std::string key;
  if (where == nullptr || !AppendKey(plan, facts, *where, &key)) return "";
  return key;
}

}  // namespace

void ApplyFilteredBlockKeys(SelectPlan& plan, const BlockFacts& facts) {
  if (plan.source.kind != SourcePlan::Kind::kEvents || plan.bitmap || plan.user_sequence) return;
  plan.source.where_key = KeyOf(plan, facts, plan.where.get());
  if (plan.where_inside_time_range) {
    plan.source.where_inside_key = KeyOf(plan, facts, plan.where_inside_time_range->get());
  }
}

}  // namespace mua::optimizer_internal
