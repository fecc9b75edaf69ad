// Window functions (f(...) OVER (PARTITION BY ... ORDER BY ... frame), OVER w
// with WINDOW w AS (...)) in a query without GROUP BY: the block's source rows,
// after WHERE and with all their columns, run through the window operator
// (query/operators/window.h) when the plan runs; the select list and ORDER BY
// then bind over [source columns..., window results...].
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
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

}  // namespace

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
    const FunctionExpr& function = *calls[c];
    // OVER w / OVER (w ...): the named window, extended by what is written here.
    const WindowSpec* spec = function.over.get();
    const WindowSpec* base = nullptr;
    if (!spec->base.empty()) {
      for (const NamedWindow& named : core_.windows) {
        if (named.name == spec->base) base = &named.spec;
      }
      if (base == nullptr) {
        return ErrorAt(spec->pos, absl::StatusCode::kInvalidArgument,
                       absl::StrCat("Window '", spec->base, "' is not defined (WINDOW ", spec->base, " AS (...))"));
      }
    }
    const auto& partition_by = spec->partition_by.empty() && base != nullptr ? base->partition_by : spec->partition_by;
    const auto& order_by = spec->order_by.empty() && base != nullptr ? base->order_by : spec->order_by;
    const std::optional<WindowFrame>& frame = spec->frame || base == nullptr ? spec->frame : base->frame;

    WindowCallSpec call;
    call.function = function.name;
    call.name = absl::StrCat("__window_", c + 1);
    for (const ExprPtr& arg : function.args) {
      if (arg->kind == ExprKind::kStar) continue;  // count(*)
      absl::StatusOr<BoundExprPtr> bound = BindExpr(*arg, Phase::kSource);
      if (!bound.ok()) return bound.status();
      call.args.push_back(*std::move(bound));
    }
    for (const ExprPtr& key : partition_by) {
      absl::StatusOr<BoundExprPtr> bound = BindExpr(*key, Phase::kSource);
      if (!bound.ok()) return bound.status();
      call.partition_by.push_back(*std::move(bound));
    }
    for (const OrderItem& key : order_by) {
      absl::StatusOr<BoundExprPtr> bound = BindExpr(*key.expr, Phase::kSource);
      if (!bound.ok()) return bound.status();
      call.order_by.push_back({*std::move(bound), key.descending, key.nulls == NullsOrder::kFirst});
    }
    if (frame) {
      call.has_frame = true;
      call.rows = frame->units == WindowFrameUnits::kRows;
      call.begin_kind = static_cast<int>(frame->start.kind);
      call.end_kind = static_cast<int>(frame->end.kind);
      for (auto [ast, offset_out] : {std::pair{&frame->start, &call.begin_offset}, std::pair{&frame->end, &call.end_offset}}) {
        if (ast->offset == nullptr) continue;
        absl::StatusOr<BoundExprPtr> offset = BindExpr(*ast->offset, Phase::kSource);
        if (!offset.ok()) return offset.status();
        if (!IsBoundConstant(**offset) || !(*offset)->type.is_numeric()) {
          return ErrorAt(ast->offset->pos, absl::StatusCode::kInvalidArgument, "a frame offset must be a constant number");
        }
        *offset_out = (*offset)->constant.number_at(0);
      }
    }
    absl::StatusOr<DataType> type = WindowCallType(call);
    if (!type.ok()) return AtNode(type.status(), function.pos);
    window_columns_[&function] = static_cast<int>(source_columns + c);
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
      inner, std::move(window_calls), absl::StrCat(calls.size(), " window function call(s) over ", inner->source.name));
  return absl::OkStatus();
}

}  // namespace mua::sql_internal
