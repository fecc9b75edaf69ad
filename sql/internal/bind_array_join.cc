// [LEFT] ARRAY JOIN arr [AS a], ...: the FROM's rows (all their columns) run
// through the array join operator (query/operators/array_join.h) when the plan
// runs, one clause after another; the block then binds over the result. An
// array joined under its own column name hides the array behind its element,
// as ClickHouse does; with an alias both are visible.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "query/executor.h"
#include "query/operators/array_join.h"
#include "query/operators/values.h"
#include "query/optimizer/optimizer.h"
#include "sql/internal/select_binder.h"
#include "sql/printer.h"
#include "storage/base/status_macros.h"

namespace mua::sql_internal {

absl::Status SelectBinder::BindArrayJoin() {
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
        return ErrorAt(item.expr->pos, absl::StatusCode::kInvalidArgument,
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
  auto schema = std::make_shared<ResultSet>();
  for (const SourceColumn& column : columns_) {
    DataType type = column.type;
    type.low_cardinality = false;
    schema->AddColumn(column.name, type);
  }
  DeferredRows deferred;
  deferred.description = absl::StrCat(core_.array_joins[0].left ? "LEFT " : "", "ARRAY JOIN of ", inner->source.name);
  std::shared_ptr<const SelectPlan> input = inner;
  deferred.produce = [input, clauses](const ExecutionContext& context)
      -> absl::StatusOr<std::shared_ptr<const ResultSet>> {
    // The FROM block is a child of this source: optimized here, as it runs.
    if (absl::Status s = OptimizePlan(input, *context.snapshot); !s.ok()) return s;
    ExecutionContext inner_context = context;
    inner_context.max_result_rows = 0;
    absl::StatusOr<ResultSet> rows = ExecuteSelect(*input, inner_context);
    if (!rows.ok()) return rows.status();
    for (const Clause& clause : clauses) {
      rows = MakeArrayJoin(MakeValues(*std::move(rows)), clause.arrays, clause.left)->Execute(context);
      if (!rows.ok()) return rows.status();
    }
    return std::shared_ptr<const ResultSet>(std::make_shared<ResultSet>(*std::move(rows)));
  };
  plan_->source.name = "ARRAY JOIN";
  plan_->source.rows = schema;
  plan_->source.deferred = std::move(deferred);
  return absl::OkStatus();
}

}  // namespace mua::sql_internal
