// EXISTS (SELECT ...) as modern ClickHouse has it: UInt8, 1 when the subquery returns a
// row. As ClickHouse rewrites it, the call binds as `1 IN (SELECT 1 FROM (subquery) LIMIT 1)`:
// the set is filled when the plan runs (never while binding, so EXPLAIN runs nothing), and
// the subquery stops after its first row. A correlated subquery (naming an outer column) is
// refused: its columns are bound in the subquery's own scope only.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "query/expression.h"
#include "sql/binder.h"
#include "sql/internal/select_binder.h"
#include "sql/sql_error.h"

namespace mua::sql_internal {
namespace {

// A name no query can write (identifiers have no spaces unless quoted, and a quoted one
// would only find this CTE from inside the EXISTS wrapper, which is never printed).
constexpr char kExistsSource[] = "exists subquery\x01";

}  // namespace

bool IsExistsCall(const FunctionExpr& function) {
  return absl::EqualsIgnoreCase(function.name, "exists") && function.args.size() == 1 &&
         function.args[0]->kind == ExprKind::kSubquery && !function.parametric &&
         function.over == nullptr;
}

absl::StatusOr<BoundExprPtr> SelectBinder::BindExists(const FunctionExpr& function) {
  const auto& subquery = function.args[0]->As<SubqueryExpr>();
  // SELECT 1 FROM <subquery> LIMIT 1, the subquery reached as a CTE in this query's scope.
  CteMap scope = ctes_;
  scope[kExistsSource] = CteDefinition{subquery.query.get(), std::make_shared<const CteMap>(ctes_)};
  auto wrapper = std::make_unique<SelectQuery>();
  wrapper->pos = subquery.pos;
  SelectCore& core = wrapper->cores.emplace_back();
  core.pos = subquery.pos;
  auto one = std::make_unique<LiteralExpr>(subquery.pos);
  one->literal_kind = LiteralKind::kUInt64;
  one->uint_value = 1;
  core.items.push_back(SelectItem{std::move(one), "", {}});
  TableRef& from = core.from.emplace();
  from.pos = subquery.pos;
  from.table = kExistsSource;
  auto limit = std::make_unique<LiteralExpr>(subquery.pos);
  limit->literal_kind = LiteralKind::kUInt64;
  limit->uint_value = 1;
  core.limit = std::move(limit);
  absl::StatusOr<std::shared_ptr<const SelectPlan>> plan = BindQuery(*wrapper, context_, scope);
  owned_queries_.push_back(std::move(wrapper));
  if (!plan.ok()) {
    const absl::Status& inner = plan.status();
    if (!absl::StrContains(inner.message(), "Missing column") &&
        !absl::StrContains(inner.message(), "Unknown identifier")) {
      return inner;
    }
    SourcePos pos = function.pos;
    std::string message(inner.message());
    if (std::optional<SqlError> error = GetSqlError(inner)) {
      pos = SourcePos{error->offset, error->line, error->column};
      message = error->message;
    }
    return MakeSqlError(inner.code(), pos,
                        absl::StrCat(message,
                                     " (EXISTS with a correlated subquery, one naming a "
                                     "column of the outer query, is not supported)"));
  }
  // LIMIT 1 on the subquery itself (a subquery source is read whole before the outer
  // LIMIT applies): EXISTS(SELECT number FROM system.numbers) ends after one batch.
  if ((*plan)->source.kind == SourcePlan::Kind::kSubquery) {
    auto inner = std::make_shared<SelectPlan>(*(*plan)->source.subquery);
    inner->limit = std::min<uint64_t>(inner->limit.value_or(1), 1);
    auto outer = std::make_shared<SelectPlan>(**plan);
    outer->source.subquery = std::move(inner);
    *plan = std::move(outer);
  }
  const DataType operand_type = (*plan)->outputs[0]->type;
  auto set = std::make_shared<InSet>();
  PreparedInput prepared;
  prepared.kind = PreparedInput::Kind::kInSet;
  prepared.plan = *std::move(plan);
  prepared.set = set;
  prepared.operand_type = operand_type;
  prepared.sql = ClickHouseColumnName(function);
  plan_->prepared.push_back(std::move(prepared));

  auto operand = std::make_shared<BoundExpr>();
  operand->kind = BoundExpr::Kind::kConstant;
  operand->type = operand_type;
  operand->constant = Vector::ConstantInt(operand_type, 1, 1);
  operand->sql = "1";
  auto expr = std::make_shared<BoundExpr>();
  expr->kind = BoundExpr::Kind::kIn;
  expr->type = InResultType(operand_type);
  expr->args.push_back(std::move(operand));
  expr->set = std::move(set);
  expr->sql = ClickHouseColumnName(function);
  return BoundExprPtr(expr);
}

}  // namespace mua::sql_internal
