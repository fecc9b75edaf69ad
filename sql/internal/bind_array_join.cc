// [LEFT] ARRAY JOIN arr [AS a], ...: the FROM's rows (all their columns) run
// through the array join operator (query/operators/array_join.h) when the plan
// runs, one clause after another; the block then binds over the result. An
// array joined under its own column name hides the array behind its element,
// as ClickHouse does; with an alias both are visible.
//
// arrayJoin(arr) in the select list, WHERE, GROUP BY, HAVING or ORDER BY is one
// more clause after those, one per distinct call (the same expression twice is
// one join; different ones multiply: a Cartesian product), so WHERE and GROUP BY
// see its element through the item's alias, as in ClickHouse.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "query/distributed.h"
#include "query/executor.h"
#include "query/operators/array_join.h"
#include "query/operators/values.h"
#include "query/optimizer/optimizer.h"
#include "sql/internal/select_binder.h"
#include "sql/printer.h"
#include "storage/base/status_macros.h"

namespace mua::sql_internal {
namespace {

bool IsArrayJoinCall(const Expr& expr) {
  return expr.kind == ExprKind::kFunction && expr.As<FunctionExpr>().name == "arrayJoin" &&
         expr.As<FunctionExpr>().over == nullptr;
}

// The arrayJoin() calls in `root`, a call nested in another's argument first.
void CollectArrayJoinCalls(const Expr& root, std::vector<const FunctionExpr*>* calls) {
  std::vector<std::pair<const Expr*, bool>> stack = {{&root, false}};  // (expr, children done)
  while (!stack.empty()) {
    auto [expr, children_done] = stack.back();
    stack.pop_back();
    if (children_done) {
      calls->push_back(&expr->As<FunctionExpr>());
      continue;
    }
    if (expr->kind == ExprKind::kLambda) continue;  // its body binds per element
    if (IsArrayJoinCall(*expr)) stack.push_back({expr, true});
    std::vector<const Expr*> children;
    ForEachChild(*expr, [&children](const Expr& child) { children.push_back(&child); });
    for (auto it = children.rbegin(); it != children.rend(); ++it) stack.push_back({*it, false});
  }
}

}  // namespace

absl::Status SelectBinder::BindArrayJoin() {
  std::vector<const FunctionExpr*> calls;
  for (const SelectItem& item : core_.items) CollectArrayJoinCalls(*item.expr, &calls);
  if (core_.where != nullptr) CollectArrayJoinCalls(*core_.where, &calls);
  for (const ExprPtr& key : core_.group_by) CollectArrayJoinCalls(*key, &calls);
  if (core_.having != nullptr) CollectArrayJoinCalls(*core_.having, &calls);
  for (const OrderItem& item : core_.order_by) CollectArrayJoinCalls(*item.expr, &calls);
  // A call over an aggregate (`arrayJoin(groupArray(x))`) joins the groups' rows, after
  // the aggregation (BindWindowsOverGroups); select-list aliases count (`arrayJoin(arr)`
  // of `groupArray(x) AS arr`).
  if (!calls.empty()) {
    for (const SelectItem& item : core_.items) {
      if (!item.alias.empty()) aliases_[item.alias] = item.expr.get();
    }
    std::vector<const FunctionExpr*> before_grouping;
    for (const FunctionExpr* call : calls) {
      const bool over_groups = call->args.size() == 1 && ContainsAggregate(*call->args[0]);
      (over_groups ? grouped_array_joins_ : before_grouping).push_back(call);
    }
    calls = std::move(before_grouping);
    aliases_.clear();  // ARRAY JOIN clauses bind without them, as before
  }
  if (core_.array_joins.empty() && calls.empty()) return absl::OkStatus();

  // The FROM as a block of all its columns.
  if (plan_->source.kind == SourcePlan::Kind::kEvents) {
    for (ColumnId id : kAllColumns) {
      ColumnExpr column(core_.pos);
      column.name = std::string(ColumnName(id));
      MUA_RETURN_IF_ERROR(BindSourceColumn(column).status());
    }
  }
  std::shared_ptr<SelectPlan> inner = plan_;
  for (size_t i = 0; i < columns_.size(); ++i) {
    inner->outputs.push_back(MakeColumn(static_cast<int>(i), columns_[i].type, columns_[i].name));
    inner->names.push_back(columns_[i].name);
  }
  plan_ = std::make_shared<SelectPlan>();
  plan_->source.kind = SourcePlan::Kind::kDeferred;  // names bind against columns_ only
  for (SourceColumn& column : columns_) column.is_user = false;

  struct Clause {
    std::vector<ArrayJoinColumn> arrays;
    bool left = false;
  };
  std::vector<Clause> clauses;
  for (const ArrayJoinClause& clause : core_.array_joins) {
    Clause bound_clause;
    bound_clause.left = clause.left;
    std::vector<SourceColumn> elements;
    for (const SelectItem& item : clause.items) {
      absl::StatusOr<BoundExprPtr> array = BindExpr(*item.expr, Phase::kSource);
      if (!array.ok()) return array.status();
      if ((*array)->type.id != TypeId::kArray) {
        return ErrorAt(
            item.expr->pos, absl::StatusCode::kInvalidArgument,
            absl::StrCat("ARRAY JOIN requires an array argument, got ", (*array)->type.Name()));
      }
      const bool is_column = item.expr->kind == ExprKind::kColumn;
      std::string name = !item.alias.empty() ? item.alias
                         : is_column         ? item.expr->As<ColumnExpr>().name
                                             : ClickHouseColumnName(*item.expr);
      if (item.alias.empty() && is_column && (*array)->kind == BoundExpr::Kind::kColumn) {
        columns_[(*array)->column].name.clear();  // the element takes the array's name
        columns_[(*array)->column].hidden = true;
      }
      elements.push_back({name, (*array)->type.element_type(), false});
      bound_clause.arrays.push_back({*array, name});
    }
    columns_.insert(columns_.end(), elements.begin(), elements.end());
    clauses.push_back(std::move(bound_clause));
  }
  // arrayJoin() calls: their arguments may name select-list aliases (Bind fills the
  // same map again) and earlier calls' elements.
  for (const SelectItem& item : core_.items) {
    if (!item.alias.empty()) aliases_[item.alias] = item.expr.get();
  }
  std::vector<const FunctionExpr*> joined;
  for (const FunctionExpr* call : calls) {
    bool same = false;
    for (const FunctionExpr* earlier : joined) {
      if (AstEquals(*earlier, *call)) {
        window_columns_[call] = window_columns_.at(earlier);
        same = true;
        break;
      }
    }
    if (same) continue;
    if (call->args.size() != 1 || call->parametric || call->distinct) {
      return ErrorAt(
          call->pos, absl::StatusCode::kInvalidArgument,
          absl::StrCat("Number of arguments for function arrayJoin doesn't match: passed ",
                       call->args.size(), ", should be 1"));
    }
    absl::StatusOr<BoundExprPtr> array = BindExpr(*call->args[0], Phase::kSource);
    if (!array.ok()) return array.status();
    if ((*array)->type.id != TypeId::kArray) {
      return ErrorAt(call->pos, absl::StatusCode::kInvalidArgument,
                     absl::StrCat("Argument of function arrayJoin must be Array, got ",
                                  (*array)->type.Name()));
    }
    std::string name = absl::StrCat("__array_join_", joined.size() + 1);
    window_columns_[call] = static_cast<int>(columns_.size());
    columns_.push_back({name, (*array)->type.element_type(), false});
    Clause clause;
    clause.arrays.push_back({*array, std::move(name)});
    clauses.push_back(std::move(clause));
    joined.push_back(call);
  }
  auto schema = std::make_shared<ResultSet>();
  for (const SourceColumn& column : columns_) {
    DataType type = column.type;
    type.low_cardinality = false;
    schema->AddColumn(column.name, type);
  }
  DeferredRows deferred;
  deferred.description =
      absl::StrCat(!core_.array_joins.empty() && core_.array_joins[0].left ? "LEFT " : "",
                   "ARRAY JOIN of ", inner->source.name.empty() ? "one row" : inner->source.name);
  std::shared_ptr<const SelectPlan> input = inner;
  deferred.produce =
      [input, clauses](
          const ExecutionContext& context,
          const std::vector<bool>& /*columns_read*/) -> absl::StatusOr<std::shared_ptr<const ResultSet>> {
    // The FROM block is a child of this source: optimized here, as it runs.
    if (absl::Status s = OptimizePlan(input, *context.snapshot); !s.ok()) return s;
    ExecutionContext inner_context = context;
    inner_context.max_result_rows = 0;
    absl::StatusOr<ResultSet> rows = ExecuteSelect(*input, inner_context);
    if (!rows.ok()) return rows.status();
    for (const Clause& clause : clauses) {
      rows =
          MakeArrayJoin(MakeValues(*std::move(rows)), clause.arrays, clause.left)->Execute(context);
      if (!rows.ok()) return rows.status();
    }
    return std::shared_ptr<const ResultSet>(std::make_shared<ResultSet>(*std::move(rows)));
  };
  plan_->source.name = "ARRAY JOIN";
  plan_->source.rows = schema;
  plan_->source.deferred = std::move(deferred);
  plan_->source.deferred.reads_events = PlanReadsEvents(*inner);
  plan_->source.deferred.row_wise_input = inner;
  return absl::OkStatus();
}

}  // namespace mua::sql_internal
