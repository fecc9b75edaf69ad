// JOIN: each side binds as a block of all its columns (a table, view,
// subquery, table function or a nested join); names resolve against both
// sides (`t.col` by the side's alias or table name, an unqualified name to the
// first side that has it); ON splits into equi-keys (one side's expression =
// the other's) and a residual condition; USING names the keys. The hash join
// (query/operators/hash_join.h) runs when the plan does (query/join_source.h).
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "query/distributed.h"
#include "query/join_source.h"
#include "sql/internal/select_binder.h"
#include "storage/base/status_macros.h"

namespace mua::sql_internal {
namespace {

// Which sides `expr` reads: bit 1 the left (columns < left_columns), bit 2 the right.
int SidesOf(const BoundExpr& root, size_t left_columns) {
  int sides = 0;
  std::vector<const BoundExpr*> stack = {&root};
  while (!stack.empty()) {
    const BoundExpr* expr = stack.back();
    stack.pop_back();
    if (expr->kind == BoundExpr::Kind::kColumn) sides |= static_cast<size_t>(expr->column) < left_columns ? 1 : 2;
    for (const BoundExprPtr& arg : expr->args) stack.push_back(arg.get());
  }
  return sides;
}

// `expr` with every column index moved down by `shift` (a right-side expression
// over the right plan's own outputs).
BoundExprPtr Shift(const BoundExprPtr& expr, int shift) {
  if (expr->kind == BoundExpr::Kind::kColumn) return MakeColumn(expr->column - shift, expr->type, expr->sql);
  if (expr->args.empty()) return expr;
  auto copy = std::make_shared<BoundExpr>(*expr);
  for (BoundExprPtr& arg : copy->args) arg = Shift(arg, shift);
  return copy;
}

std::vector<BoundExprPtr> AndOperands(const BoundExprPtr& predicate) {
  std::vector<BoundExprPtr> out;
  std::vector<BoundExprPtr> stack = {predicate};
  while (!stack.empty()) {
    BoundExprPtr e = std::move(stack.back());
    stack.pop_back();
    if (e->kind == BoundExpr::Kind::kCall && e->function == "and") {
      for (auto it = e->args.rbegin(); it != e->args.rend(); ++it) stack.push_back(*it);
    } else {
      out.push_back(std::move(e));
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const SelectPlan>> SelectBinder::BindJoinSide(const TableRef& side,
                                                                             std::vector<SourceColumn>* columns) {
  const SelectCore empty;
  SelectBinder binder(empty, context_, ctes_);
  MUA_RETURN_IF_ERROR(binder.BindTableRef(side));
  if (binder.plan_->source.kind == SourcePlan::Kind::kEvents) {
    for (ColumnId id : kAllColumns) {
      ColumnExpr column(side.pos);
      column.name = std::string(ColumnName(id));
      MUA_RETURN_IF_ERROR(binder.BindSourceColumn(column).status());
    }
  }
  std::string qualifier = side.alias;
  if (qualifier.empty() && side.kind == TableRefKind::kTable) qualifier = side.table;
  for (size_t i = 0; i < binder.columns_.size(); ++i) {
    SourceColumn column = binder.columns_[i];
    if (side.kind != TableRefKind::kJoin) column.qualifier = qualifier;
    column.is_user = false;
    column.hidden = false;
    DataType type = column.type;
    binder.plan_->outputs.push_back(MakeColumn(static_cast<int>(i), type, column.name));
    binder.plan_->names.push_back(column.name);
    columns->push_back(std::move(column));
  }
  return std::shared_ptr<const SelectPlan>(binder.plan_);
}

absl::Status SelectBinder::BindJoin(const TableRef& join) {
  if (context_.expansions != nullptr && ++*context_.expansions > kMaxQueryExpansions) {
    return absl::ResourceExhaustedError(absl::StrCat("Query is too complex: more than ", kMaxQueryExpansions,
                                                     " subqueries and CTE references to bind"));
  }
  std::vector<SourceColumn> left_columns, right_columns;
  absl::StatusOr<std::shared_ptr<const SelectPlan>> left = BindJoinSide(*join.left, &left_columns);
  if (!left.ok()) return left.status();
  absl::StatusOr<std::shared_ptr<const SelectPlan>> right = BindJoinSide(*join.right, &right_columns);
  if (!right.ok()) return right.status();
  const size_t left_count = left_columns.size();

  JoinSourceSpec spec;
  spec.kind = static_cast<int>(join.join_kind);
  spec.join_use_nulls = context_.join_use_nulls;
  switch (join.strictness) {
    case JoinStrictness::kDefault:
    case JoinStrictness::kAll: spec.strictness = 0; break;
    case JoinStrictness::kAny: spec.strictness = 1; break;
    case JoinStrictness::kSemi: spec.strictness = 2; break;
    case JoinStrictness::kAnti: spec.strictness = 3; break;
  }
  // Names while binding ON: both sides' columns, left first.
  plan_->source.kind = SourcePlan::Kind::kDeferred;
  columns_ = left_columns;
  columns_.insert(columns_.end(), right_columns.begin(), right_columns.end());
  std::string condition;
  for (const ExprPtr& using_column : join.using_columns) {
    const std::string& name = using_column->As<ColumnExpr>().name;
    int l = -1, r = -1;
    for (size_t i = 0; i < left_columns.size() && l < 0; ++i) {
      if (left_columns[i].name == name) l = static_cast<int>(i);
    }
    for (size_t i = 0; i < right_columns.size() && r < 0; ++i) {
      if (right_columns[i].name == name) r = static_cast<int>(i);
    }
    if (l < 0 || r < 0) {
      return ErrorAt(using_column->pos, absl::StatusCode::kNotFound,
                     absl::StrCat("Missing columns: '", name, "' in USING: both sides of the JOIN need it"));
    }
    spec.left_keys.push_back(MakeColumn(l, left_columns[l].type, name));
    spec.right_keys.push_back(MakeColumn(r, right_columns[r].type, name));
    // A USING key is one column: the right side's in a RIGHT JOIN, where every row has one
    // (a left row may be missing and would show its type default); in a FULL JOIN the left
    // one, which the join fills from the right row where the left is missing.
    columns_[join.join_kind == JoinKind::kRight ? static_cast<size_t>(l) : left_count + r].hidden = true;
    if (join.join_kind == JoinKind::kFull) spec.using_columns.emplace_back(l, r);
    absl::StrAppend(&condition, condition.empty() ? " USING " : ", ", name);
  }
  if (join.on != nullptr) {
    absl::StatusOr<BoundExprPtr> on = BindExpr(*join.on, Phase::kSource);
    if (!on.ok()) return on.status();
    std::vector<BoundExprPtr> residual;
    for (const BoundExprPtr& conjunct : AndOperands(*on)) {
      if (conjunct->kind == BoundExpr::Kind::kCall && conjunct->function == "equals" && conjunct->args.size() == 2) {
        const int a = SidesOf(*conjunct->args[0], left_count);
        const int b = SidesOf(*conjunct->args[1], left_count);
        if (a == 1 && b == 2) {
          spec.left_keys.push_back(conjunct->args[0]);
          spec.right_keys.push_back(Shift(conjunct->args[1], static_cast<int>(left_count)));
          continue;
        }
        if (a == 2 && b == 1) {
          spec.left_keys.push_back(conjunct->args[1]);
          spec.right_keys.push_back(Shift(conjunct->args[0], static_cast<int>(left_count)));
          continue;
        }
      }
      residual.push_back(conjunct);
    }
    for (const BoundExprPtr& extra : residual) {
      if (spec.residual == nullptr) {
        spec.residual = extra;
        continue;
      }
      absl::StatusOr<BoundExprPtr> both =
          BindCall("and", {spec.residual, extra}, join.on->pos, absl::StrCat(spec.residual->sql, " AND ", extra->sql));
      if (!both.ok()) return both.status();
      spec.residual = *std::move(both);
    }
    condition = absl::StrCat(" ON ", (*on)->sql);
  }
  spec.description = absl::StrCat(JoinKindSql(join.join_kind), " JOIN of ", (*left)->source.name, " and ",
                                   (*right)->source.name, condition);
  spec.consumer = plan_;  // it enforces max_result_rows while pairing when this block returns every row
  std::vector<SourceColumn> joined = columns_;
  const bool reads_events = PlanReadsEvents(**left) || PlanReadsEvents(**right);
  DeferredRows::JoinSides sides{*left, *right};
  for (size_t k = 0; k < spec.left_keys.size(); ++k) {
    const BoundExpr& l = *spec.left_keys[k];
    const BoundExpr& r = *spec.right_keys[k];
    sides.keyed_by_user |= l.kind == BoundExpr::Kind::kColumn && r.kind == BoundExpr::Kind::kColumn &&
                           PlanOutputIsUser(**left, l.column) && PlanOutputIsUser(**right, r.column);
  }
  sides.rows_from_left = join.join_kind == JoinKind::kInner || join.join_kind == JoinKind::kLeft ||
                         join.join_kind == JoinKind::kCross;
  absl::StatusOr<JoinSource> source = MakeJoinSource(*std::move(left), *std::move(right), std::move(spec));
  if (!source.ok()) return AtNode(source.status(), join.pos);
  columns_.clear();
  MUA_RETURN_IF_ERROR(UseDeferred(source->schema, "JOIN", std::move(source->rows)));
  plan_->source.deferred.reads_events = reads_events;
  plan_->source.deferred.join = std::move(sides);
  for (size_t i = 0; i < columns_.size(); ++i) {
    columns_[i].qualifier = joined[i].qualifier;
    columns_[i].hidden = joined[i].hidden;
  }
  source_alias_.clear();
  return absl::OkStatus();
}

}  // namespace mua::sql_internal
