// Window functions (f(...) OVER (PARTITION BY ... ORDER BY ... frame), OVER w
// with WINDOW w AS (...)). In a query without aggregates the block's source rows,
// after WHERE and with all their columns, run through the window operator
// (query/operators/window.h) when the plan runs; the select list and ORDER BY
// then bind over [source columns..., window results...]. With GROUP BY or
// aggregates, as ClickHouse orders it (after GROUP BY and HAVING, before ORDER BY
// and LIMIT), the aggregation becomes the inner block and the windows run over
// its rows [keys..., aggregates...]; the windows' arguments, PARTITION BY and ORDER
// BY may use aggregates, keys and aliases.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "query/distributed.h"
#include "query/aggregate_function.h"
#include "query/executor.h"
#include "query/operators/array_join.h"
#include "query/operators/values.h"
#include "query/optimizer/optimizer.h"
#include "query/scalar_functions.h"
#include "query/window_source.h"
#include "sql/internal/select_binder.h"
#include "sql/printer.h"
#include "storage/base/status_macros.h"

namespace mua::sql_internal {
namespace {

// The window calls in `root` (not inside another window call's arguments).
void CollectWindowCalls(const Expr& root, std::vector<const FunctionExpr*>* calls) {
  std::vector<const Expr*> stack = {&root};
  while (!stack.empty()) {
    const Expr* expr = stack.back();
    stack.pop_back();
    if (expr->kind == ExprKind::kFunction && expr->As<FunctionExpr>().over != nullptr) {
      calls->push_back(&expr->As<FunctionExpr>());
      continue;
    }
    ForEachChild(*expr, [&stack](const Expr& child) { stack.push_back(&child); });
  }
}

// The aggregate calls in `root`, window calls' arguments and specs included (not
// through aliases: an alias names a select item, whose own calls are collected).
void CollectAggregateCalls(const Expr& root, std::vector<const FunctionExpr*>* calls) {
  std::vector<const Expr*> stack = {&root};
  while (!stack.empty()) {
    const Expr* expr = stack.back();
    stack.pop_back();
    if (expr->kind == ExprKind::kFunction) {
      const auto& function = expr->As<FunctionExpr>();
      if (function.over == nullptr && IsAggregateFunction(function.name) &&
          !IsScalarFunction(function.name)) {
        calls->push_back(&function);
        continue;
      }
    }
    ForEachChild(*expr, [&stack](const Expr& child) { stack.push_back(&child); });
  }
}

// The expressions of a named window (WINDOW w AS (PARTITION BY ... ORDER BY ...)).
void CollectAggregateCalls(const WindowSpec& spec, std::vector<const FunctionExpr*>* calls) {
  for (const ExprPtr& key : spec.partition_by) CollectAggregateCalls(*key, calls);
  for (const OrderItem& key : spec.order_by) CollectAggregateCalls(*key.expr, calls);
}

}  // namespace

absl::Status SelectBinder::BindWindowCall(const FunctionExpr& function, Phase phase, size_t index,
                                          WindowCallSpec* call) {
  // OVER w / OVER (w ...): the named window, extended by what is written here.
  const WindowSpec* spec = function.over.get();
  const WindowSpec* base = nullptr;
  if (!spec->base.empty()) {
    for (const NamedWindow& named : core_.windows) {
      if (named.name == spec->base) base = &named.spec;
    }
    if (base == nullptr) {
      return ErrorAt(spec->pos, absl::StatusCode::kInvalidArgument,
                     absl::StrCat("Window '", spec->base, "' is not defined (WINDOW ", spec->base,
                                  " AS (...))"));
    }
  }
  const auto& partition_by =
      spec->partition_by.empty() && base != nullptr ? base->partition_by : spec->partition_by;
  const auto& order_by =
      spec->order_by.empty() && base != nullptr ? base->order_by : spec->order_by;
  const std::optional<WindowFrame>& frame =
      spec->frame || base == nullptr ? spec->frame : base->frame;

  call->function = function.name;
  call->name = absl::StrCat("__window_", index + 1);
  for (const ExprPtr& arg : function.args) {
    if (arg->kind == ExprKind::kStar) continue;  // count(*)
    absl::StatusOr<BoundExprPtr> bound = BindExpr(*arg, phase);
    if (!bound.ok()) return bound.status();
    call->args.push_back(*std::move(bound));
  }
  for (const ExprPtr& key : partition_by) {
    absl::StatusOr<BoundExprPtr> bound = BindExpr(*key, phase);
    if (!bound.ok()) return bound.status();
    call->partition_by.push_back(*std::move(bound));
  }
  for (const OrderItem& key : order_by) {
    absl::StatusOr<BoundExprPtr> bound = BindExpr(*key.expr, phase);
    if (!bound.ok()) return bound.status();
    call->order_by.push_back({*std::move(bound), key.descending, key.nulls == NullsOrder::kFirst});
  }
  if (frame) {
    call->has_frame = true;
    call->rows = frame->units == WindowFrameUnits::kRows;
    call->begin_kind = static_cast<int>(frame->start.kind);
    call->end_kind = static_cast<int>(frame->end.kind);
    for (auto [ast, offset_out] : {std::pair{&frame->start, &call->begin_offset},
                                   std::pair{&frame->end, &call->end_offset}}) {
      if (ast->offset == nullptr) continue;
      absl::StatusOr<BoundExprPtr> offset = BindExpr(*ast->offset, Phase::kSource);
      if (!offset.ok()) return offset.status();
      if (!IsBoundConstant(**offset) || !(*offset)->type.is_numeric()) {
        return ErrorAt(ast->offset->pos, absl::StatusCode::kInvalidArgument,
                       "a frame offset must be a constant number");
      }
      *offset_out = (*offset)->constant.number_at(0);
    }
  }
  return absl::OkStatus();
}

absl::Status SelectBinder::BindWindows() {
  std::vector<const FunctionExpr*> calls;
  for (const SelectItem& item : core_.items) CollectWindowCalls(*item.expr, &calls);
  for (const OrderItem& item : core_.order_by) CollectWindowCalls(*item.expr, &calls);
  // Through aliases: `SELECT row_number() OVER (...) AS n ... ORDER BY n` finds it in the items.
  if (calls.empty()) return absl::OkStatus();

  // The source rows after WHERE, with all their columns.
  if (plan_->source.kind == SourcePlan::Kind::kEvents) {
    for (ColumnId id : kAllColumns) {
      ColumnExpr column(core_.pos);
      column.name = std::string(ColumnName(id));
      MUA_RETURN_IF_ERROR(BindSourceColumn(column).status());
    }
  }
  const size_t source_columns = columns_.size();
  std::vector<WindowCallSpec> window_calls;
  for (size_t c = 0; c < calls.size(); ++c) {
    WindowCallSpec call;
    MUA_RETURN_IF_ERROR(BindWindowCall(*calls[c], Phase::kSource, c, &call));
    absl::StatusOr<DataType> type = WindowCallType(call);
    if (!type.ok()) return AtNode(type.status(), calls[c]->pos);
    window_columns_[calls[c]] = static_cast<int>(source_columns + c);
    columns_.push_back({call.name, *type, false});
    window_calls.push_back(std::move(call));
  }

  // The source block: WHERE over the source, all its columns out.
  std::shared_ptr<SelectPlan> inner = plan_;
  for (size_t i = 0; i < source_columns; ++i) {
    inner->outputs.push_back(MakeColumn(static_cast<int>(i), columns_[i].type, columns_[i].name));
    inner->names.push_back(columns_[i].name);
  }
  auto schema = std::make_shared<ResultSet>();
  for (const SourceColumn& column : columns_) {
    DataType type = column.type;
    type.low_cardinality = false;
    schema->AddColumn(column.name, type);
  }
  for (SourceColumn& column : columns_) column.is_user = false;
  plan_ = std::make_shared<SelectPlan>();
  plan_->source.kind = SourcePlan::Kind::kDeferred;
  plan_->source.name = "window functions";
  plan_->source.rows = schema;
  plan_->source.deferred = MakeWindowSource(
      inner, std::move(window_calls),
      absl::StrCat(calls.size(), " window function call(s) over ", inner->source.name));
  plan_->source.deferred.reads_events = PlanReadsEvents(*inner);
  plan_->source.deferred.input = inner;
  return absl::OkStatus();
}

bool SelectBinder::WindowsOverGroups() const {
  if (!grouped_array_joins_.empty()) return true;
  std::vector<const FunctionExpr*> windows;
  for (const SelectItem& item : core_.items) CollectWindowCalls(*item.expr, &windows);
  for (const OrderItem& item : core_.order_by) CollectWindowCalls(*item.expr, &windows);
  if (windows.empty()) return false;
  if (!core_.group_by.empty() || core_.having != nullptr) return true;
  std::vector<const FunctionExpr*> aggregates;
  for (const SelectItem& item : core_.items) CollectAggregateCalls(*item.expr, &aggregates);
  for (const OrderItem& item : core_.order_by) CollectAggregateCalls(*item.expr, &aggregates);
  for (const NamedWindow& named : core_.windows) CollectAggregateCalls(named.spec, &aggregates);
  if (!aggregates.empty()) return true;
  // A WITH alias of an aggregate inside a window call (`WITH count() AS n SELECT sum(n) OVER ()`).
  bool found = false;
  for (const FunctionExpr* window : windows) {
    ForEachChild(*window, [&](const Expr& child) { found = found || ContainsAggregate(child); });
  }
  return found;
}

absl::Status SelectBinder::BindWindowsOverGroups() {
  // Every aggregate first: the aggregation's columns [keys..., aggregates...] are
  // fixed before the window results' columns follow them.
  for (const SelectItem& item : core_.items) {
    std::vector<const FunctionExpr*> aggregates;
    CollectAggregateCalls(*item.expr, &aggregates);
    // Inside its own definition an alias names the column (`any(platform) AS platform`).
    const bool own_alias = !item.alias.empty() && aliases_.contains(item.alias) &&
                           aliases_.at(item.alias) == item.expr.get();
    if (own_alias) expanding_.insert(item.alias);
    for (const FunctionExpr* aggregate : aggregates) {
      absl::StatusOr<BoundExprPtr> bound = BindExpr(*aggregate, Phase::kPost);
      if (!bound.ok()) {
        if (own_alias) expanding_.erase(item.alias);
        return bound.status();
      }
    }
    if (own_alias) expanding_.erase(item.alias);
  }
  std::vector<const FunctionExpr*> aggregates;
  for (const OrderItem& item : core_.order_by) CollectAggregateCalls(*item.expr, &aggregates);
  for (const NamedWindow& named : core_.windows) CollectAggregateCalls(named.spec, &aggregates);
  for (const FunctionExpr* aggregate : aggregates) {
    MUA_RETURN_IF_ERROR(BindExpr(*aggregate, Phase::kPost).status());
  }
  if (core_.having != nullptr) {
    absl::StatusOr<BoundExprPtr> having = BindExpr(*core_.having, Phase::kPost);
    if (!having.ok()) return having.status();
    plan_->having = *having;
  }
  // The window calls over the groups' rows (aggregates their arguments name bind here too).
  std::vector<const FunctionExpr*> calls;
  for (const SelectItem& item : core_.items) CollectWindowCalls(*item.expr, &calls);
  for (const OrderItem& item : core_.order_by) CollectWindowCalls(*item.expr, &calls);
  std::vector<WindowCallSpec> window_calls;
  std::vector<DataType> window_types;
  for (size_t c = 0; c < calls.size(); ++c) {
    WindowCallSpec call;
    MUA_RETURN_IF_ERROR(BindWindowCall(*calls[c], Phase::kPost, c, &call));
    absl::StatusOr<DataType> type = WindowCallType(call);
    if (!type.ok()) return AtNode(type.status(), calls[c]->pos);
    window_types.push_back(*type);
    window_calls.push_back(std::move(call));
  }

  if (!calls.empty() && !grouped_array_joins_.empty()) {
    return ErrorAt(grouped_array_joins_[0]->pos, absl::StatusCode::kUnimplemented,
                   "arrayJoin() of an aggregate together with window functions is not supported");
  }
  // arrayJoin() calls over aggregates, each joining the groups' rows in turn.
  std::vector<ArrayJoinColumn> array_joins;
  std::vector<DataType> element_types;
  std::vector<const FunctionExpr*> joined;
  std::vector<std::pair<const FunctionExpr*, size_t>>
      array_join_calls;  // call -> index in array_joins
  for (const FunctionExpr* call : grouped_array_joins_) {
    size_t index = array_joins.size();
    for (size_t j = 0; j < joined.size(); ++j) {
      if (AstEquals(*joined[j], *call)) index = j;
    }
    array_join_calls.emplace_back(call, index);
    if (index < array_joins.size()) continue;  // the same expression twice is one join
    absl::StatusOr<BoundExprPtr> array = BindExpr(*call->args[0], Phase::kPost);
    if (!array.ok()) return array.status();
    if ((*array)->type.id != TypeId::kArray) {
      return ErrorAt(call->pos, absl::StatusCode::kInvalidArgument,
                     absl::StrCat("Argument of function arrayJoin must be Array, got ",
                                  (*array)->type.Name()));
    }
    element_types.push_back((*array)->type.element_type());
    array_joins.push_back({*array, absl::StrCat("__array_join_", array_joins.size() + 1)});
    joined.push_back(call);
  }

  // The aggregation as the inner block: its rows are [keys..., aggregates...], the
  // layout the expressions bound over the groups read.
  std::shared_ptr<SelectPlan> inner = plan_;
  std::vector<SourceColumn> columns;
  for (size_t k = 0; k < inner->group_keys.size(); ++k) {
    columns.push_back({absl::StrCat("__key_", k + 1), inner->group_keys[k]->type, false});
  }
  for (size_t a = 0; a < inner->aggregates.size(); ++a) {
    columns.push_back({absl::StrCat("__aggregate_", a + 1),
                       inner->aggregates[a].prototype->result_type(), false});
  }
  for (size_t i = 0; i < columns.size(); ++i) {
    inner->outputs.push_back(MakeColumn(static_cast<int>(i), columns[i].type, columns[i].name));
    inner->names.push_back(columns[i].name);
  }
  for (size_t c = 0; c < calls.size(); ++c) {
    window_columns_[calls[c]] = static_cast<int>(columns.size());
    columns.push_back({window_calls[c].name, window_types[c], false});
  }
  for (const auto& [call, index] : array_join_calls) {
    window_columns_[call] = static_cast<int>(columns.size() + index);
  }
  for (size_t j = 0; j < array_joins.size(); ++j)
    columns.push_back({array_joins[j].name, element_types[j], false});
  auto schema = std::make_shared<ResultSet>();
  for (const SourceColumn& column : columns) {
    DataType type = column.type;
    type.low_cardinality = false;
    schema->AddColumn(column.name, type);
  }
  // The block over the windows keeps the keys and aggregates while the select list,
  // ORDER BY and LIMIT BY bind (a key or an aggregate as written is its column);
  // FinishWindowsOverGroups drops them.
  auto block = std::make_shared<SelectPlan>();
  block->aggregate = true;
  block->group_keys = inner->group_keys;
  block->aggregates = inner->aggregates;
  block->source.kind = SourcePlan::Kind::kDeferred;
  block->source.rows = schema;
  if (!calls.empty()) {
    block->source.name = "window functions";
    block->source.deferred =
        MakeWindowSource(inner, std::move(window_calls),
                         absl::StrCat(calls.size(), " window function call(s) over the groups of ",
                                      inner->source.name));
  } else {
    block->source.name = "ARRAY JOIN";
    block->source.deferred.description =
        absl::StrCat("arrayJoin() over the groups of ", inner->source.name);
    block->source.deferred.produce =
        [inner, array_joins](
            const ExecutionContext& context,
            const std::vector<bool>& /*columns_read*/) -> absl::StatusOr<std::shared_ptr<const ResultSet>> {
      // The aggregation is a child of this source: optimized here, as it runs.
      MUA_RETURN_IF_ERROR(OptimizePlan(inner, *context.snapshot));
      ExecutionContext inner_context = context;
      inner_context.max_result_rows = 0;
      absl::StatusOr<ResultSet> rows = ExecuteSelect(*inner, inner_context);
      for (const ArrayJoinColumn& array : array_joins) {
        if (!rows.ok()) break;
        rows =
            MakeArrayJoin(MakeValues(*std::move(rows)), {array}, /*left=*/false)->Execute(context);
      }
      if (!rows.ok()) return rows.status();
      return std::shared_ptr<const ResultSet>(std::make_shared<ResultSet>(*std::move(rows)));
    };
  }
  block->source.deferred.reads_events = PlanReadsEvents(*inner);
  if (calls.empty()) {
    block->source.deferred.row_wise_input = inner;  // arrayJoin() over the groups
  } else {
    block->source.deferred.input = inner;
  }
  columns_ = std::move(columns);
  plan_ = block;
  window_block_ = std::move(block);
  window_block_aggregates_ = inner->aggregates.size();
  return absl::OkStatus();
}

absl::Status SelectBinder::FinishWindowsOverGroups() {
  if (window_block_ == nullptr) return absl::OkStatus();
  if (window_block_->aggregates.size() != window_block_aggregates_) {
    // An aggregate reached only through a WITH alias, after the aggregation was planned.
    return ErrorAt(core_.pos, absl::StatusCode::kUnimplemented,
                   absl::StrCat("aggregate ", window_block_->aggregates.back().sql,
                                " must appear in the select list, ORDER BY or HAVING of a query "
                                "with window functions"));
  }
  window_block_->aggregate = false;
  window_block_->group_keys.clear();
  window_block_->aggregates.clear();
  return absl::OkStatus();
}

}  // namespace mua::sql_internal
