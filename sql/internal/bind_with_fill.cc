// ORDER BY ... WITH FILL [FROM a] [TO b] [STEP s]: the block computes its
// outputs (plus any ORDER BY key that is not one of them), sorted and without
// its LIMIT; a block above inserts the missing key values
// (query/operators/fill.h), then applies the query's LIMIT and OFFSET.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "query/distributed.h"
#include "query/executor.h"
#include "query/operators/fill.h"
#include "query/operators/values.h"
#include "query/optimizer/optimizer.h"
#include "query/scalar_functions.h"
#include "sql/internal/select_binder.h"

namespace mua::sql_internal {
namespace {

// Milliseconds per unit of a time type.
int64_t MillisPerUnit(TypeId id) {
  return id == TypeId::kDate ? 86'400'000 : id == TypeId::kDateTime ? 1000 : 1;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const SelectPlan>> SelectBinder::BindWithFill(
    const std::vector<std::pair<const Expr*, std::string>>& items) {
  const size_t outputs = plan_->outputs.size();
  // A FROM / TO value in the unit of the key's column.
  auto fill_value = [&](const Expr& expr, const DataType& type) -> absl::StatusOr<double> {
    absl::StatusOr<BoundExprPtr> bound = BindExpr(expr, Phase::kSource);
    if (!bound.ok()) return bound.status();
    if (!IsBoundConstant(**bound)) {
      return ErrorAt(expr.pos, absl::StatusCode::kInvalidArgument, "WITH FILL bounds must be constants");
    }
    const Vector& v = (*bound)->constant;
    if (type.is_time() && v.type.is_string()) {
      absl::StatusOr<int64_t> parsed = ParseTimeLiteral(v.string_at(0), type.id);
      if (!parsed.ok()) return AtNode(parsed.status(), expr.pos);
      return static_cast<double>(*parsed);
    }
    if (type.is_time() && v.type.is_time()) {
      const int64_t millis = v.int_at(0) * MillisPerUnit(v.type.id);
      return static_cast<double>(millis / MillisPerUnit(type.id));
    }
    if (!v.type.is_numeric()) {
      return ErrorAt(expr.pos, absl::StatusCode::kInvalidArgument,
                     absl::StrCat("Incompatible types of WITH FILL expression values with column type ",
                                  type.Name()));
    }
    return v.number_at(0);
  };
  std::vector<FillSpec> specs;
  for (size_t k = 0; k < core_.order_by.size(); ++k) {
    const OrderItem& item = core_.order_by[k];
    const Expr* expr = item.expr.get();
    if (expr->kind == ExprKind::kLiteral && expr->As<LiteralExpr>().literal_kind == LiteralKind::kUInt64) {
      absl::StatusOr<const Expr*> positional = ExpandKey(*expr);
      if (!positional.ok()) return positional.status();
      expr = *positional;
    }
    // The key's column: the output it names (by alias, position or the same
    // expression), so filled rows carry the key there; else a column of its own.
    int column = -1;
    for (size_t i = 0; i < items.size() && i < outputs && column < 0; ++i) {
      const bool by_alias = expr->kind == ExprKind::kColumn && expr->As<ColumnExpr>().table.empty() &&
                            expr->As<ColumnExpr>().name == items[i].second;
      if (items[i].first == expr || by_alias || AstEquals(*items[i].first, *expr)) column = static_cast<int>(i);
    }
    if (column < 0) {
      column = static_cast<int>(plan_->outputs.size());
      plan_->outputs.push_back(plan_->order_by[k].expr);
      plan_->names.push_back(absl::StrCat("__fill_", k + 1));
    }
    FillSpec spec;
    spec.column = column;
    spec.with_fill = item.with_fill;
    spec.descending = item.descending;
    const DataType type = plan_->outputs[column]->type;
    if (item.fill_from != nullptr) {
      absl::StatusOr<double> from = fill_value(*item.fill_from, type);
      if (!from.ok()) return from.status();
      spec.from = *from;
    }
    if (item.fill_to != nullptr) {
      absl::StatusOr<double> to = fill_value(*item.fill_to, type);
      if (!to.ok()) return to.status();
      spec.to = *to;
    }
    if (item.fill_step != nullptr) {
      absl::StatusOr<BoundExprPtr> step = BindExpr(*item.fill_step, Phase::kSource);
      if (!step.ok()) return step.status();
      if (!IsBoundConstant(**step) || !((*step)->type.is_numeric() || (*step)->type.id == TypeId::kInterval)) {
        return ErrorAt(item.fill_step->pos, absl::StatusCode::kInvalidArgument,
                       "WITH FILL STEP must be a constant number or INTERVAL");
      }
      const Vector& v = (*step)->constant;
      if (v.type.id == TypeId::kInterval) spec.interval_unit = v.type.interval_unit;
      spec.step = v.type.id == TypeId::kInterval ? static_cast<double>(v.int_at(0)) : v.number_at(0);
    }
    specs.push_back(spec);
  }
  std::vector<DataType> types;
  for (const BoundExprPtr& output : plan_->outputs) types.push_back(output->type);
  if (absl::Status valid = ValidateFill(types, specs); !valid.ok()) return AtNode(valid, core_.order_by[0].expr->pos);

  // The query's LIMIT applies to the filled rows: it moves to the block above.
  auto outer = std::make_shared<SelectPlan>();
  outer->limit = plan_->limit;
  outer->offset = plan_->offset;
  plan_->limit.reset();
  plan_->offset = 0;
  for (size_t i = 0; i < outputs; ++i) {
    outer->outputs.push_back(MakeColumn(static_cast<int>(i), plan_->outputs[i]->type, plan_->names[i]));
    outer->names.push_back(plan_->names[i]);
  }
  auto schema = std::make_shared<ResultSet>();
  for (size_t i = 0; i < plan_->outputs.size(); ++i) {
    DataType type = plan_->outputs[i]->type;
    type.low_cardinality = false;
    schema->AddColumn(plan_->names[i], type);
  }
  outer->source.kind = SourcePlan::Kind::kDeferred;
  outer->source.name = "WITH FILL";
  outer->source.rows = schema;
  outer->source.deferred.description = "ORDER BY ... WITH FILL of the query below (its rows when the query runs)";
  std::shared_ptr<const SelectPlan> inner = plan_;
  outer->source.deferred.reads_events = PlanReadsEvents(*inner);
  outer->source.deferred.input = inner;
  const FillLimit fill_limit{outer->limit, outer->offset};
  outer->source.deferred.produce = [inner, specs, fill_limit](const ExecutionContext& context,
                                                                 const std::vector<bool>& /*columns_read*/)
      -> absl::StatusOr<std::shared_ptr<const ResultSet>> {
    // The block is a child of this source: optimized here, as it runs.
    if (absl::Status s = OptimizePlan(inner, *context.snapshot); !s.ok()) return s;
    ExecutionContext inner_context = context;
    inner_context.max_result_rows = 0;
    absl::StatusOr<ResultSet> rows = ExecuteSelect(*inner, inner_context);
    if (!rows.ok()) return rows.status();
    std::optional<std::vector<Column>> totals = std::move(rows->totals);  // WITH TOTALS: kept as is
    absl::StatusOr<ResultSet> filled = MakeFill(MakeValues(*std::move(rows)), specs, fill_limit)->Execute(context);
    if (!filled.ok()) return filled.status();
    filled->totals = std::move(totals);
    return std::shared_ptr<const ResultSet>(std::make_shared<ResultSet>(*std::move(filled)));
  };
  return std::shared_ptr<const SelectPlan>(outer);
}

}  // namespace mua::sql_internal
