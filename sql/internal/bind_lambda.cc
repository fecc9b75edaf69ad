// Binding higher-order function calls: `arrayMap(x -> x * k, arr)`. The array
// arguments bind first (the parameter types are their element types); the
// body binds in this query's scope with the parameters shadowing every other
// name, then is rewritten into a closed expression over its own batch: the
// parameters, then every value of the row it captures (columns, outer lambda
// parameters, scalar subquery slots), which become extra arguments of the
// call. So the optimizer and executor see an ordinary call, and the kernel
// evaluates the body once per batch over all rows' elements.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "query/scalar_functions.h"
#include "sql/internal/select_binder.h"
#include "storage/base/status_macros.h"

namespace mua::sql_internal {
namespace {

constexpr absl::string_view kParameterFunction = "_lambda_parameter";

bool IsParameter(const BoundExpr& expr) {
  return expr.kind == BoundExpr::Kind::kCall && expr.function == kParameterFunction;
}

// A parameter while its body binds: a call no batch can evaluate (the body is
// rewritten before anything runs), so no caller mistakes it for a source column.
BoundExprPtr MakeParameter(const std::string& name, const DataType& type) {
  return MakeCall(std::string(kParameterFunction),
                  [name](absl::Span<Vector>, size_t, StringPool*, Vector*) {
                    return absl::InternalError(absl::StrCat("lambda parameter ", name, " evaluated outside its lambda"));
                  },
                  type, {}, name);
}

// Rewrites a bound body into an expression over [parameters..., captured...].
class BodyRewriter {
 public:
  BodyRewriter(const std::vector<BoundExprPtr>& parameters,
               const absl::flat_hash_set<const BoundExpr*>& prepared_slots)
      : prepared_slots_(prepared_slots), parameter_count_(parameters.size()) {
    for (size_t i = 0; i < parameters.size(); ++i) parameters_[parameters[i].get()] = static_cast<int>(i);
  }

  BoundExprPtr Rewrite(const BoundExprPtr& node) {
    if (IsParameter(*node)) {
      if (auto it = parameters_.find(node.get()); it != parameters_.end()) {
        return MakeColumn(it->second, node->type, node->sql);
      }
      return Capture(node);  // an enclosing lambda's parameter
    }
    switch (node->kind) {
      case BoundExpr::Kind::kColumn: return Capture(node);
      case BoundExpr::Kind::kConstant:
        return prepared_slots_.contains(node.get()) ? Capture(node) : node;
      case BoundExpr::Kind::kCall:
      case BoundExpr::Kind::kIn:
        return RewriteArgs(node, [this](const BoundExprPtr& arg) { return Rewrite(arg); });
    }
    return node;
  }

  // The outer expressions the body captured, in batch column order after the parameters.
  const std::vector<BoundExprPtr>& captured() const { return captured_; }

 private:
  BoundExprPtr Capture(const BoundExprPtr& node) {
    for (size_t i = 0; i < captured_.size(); ++i) {
      const BoundExpr& seen = *captured_[i];
      const bool same = seen.kind == BoundExpr::Kind::kColumn && node->kind == BoundExpr::Kind::kColumn
                            ? seen.column == node->column
                            : captured_[i] == node;
      if (same) return MakeColumn(static_cast<int>(parameter_count_ + i), node->type, node->sql);
    }
    captured_.push_back(node);
    return MakeColumn(static_cast<int>(parameter_count_ + captured_.size() - 1), node->type, node->sql);
  }

  const absl::flat_hash_set<const BoundExpr*>& prepared_slots_;
  const size_t parameter_count_;
  absl::flat_hash_map<const BoundExpr*, int> parameters_;
  std::vector<BoundExprPtr> captured_;
};

// Whether `expr` names one of `params` as an unqualified column.
bool MentionsName(const Expr& expr, const std::vector<std::string>& params) {
  if (expr.kind == ExprKind::kColumn) {
    const auto& column = expr.As<ColumnExpr>();
    if (column.table.empty()) {
      for (const std::string& param : params) {
        if (column.name == param) return true;
      }
    }
  }
  bool found = false;
  ForEachChild(expr, [&](const Expr& child) { found = found || MentionsName(child, params); });
  return found;
}

bool UsesParameter(const BoundExpr& expr) {
  if (IsParameter(expr)) return true;
  for (const BoundExprPtr& arg : expr.args) {
    if (UsesParameter(*arg)) return true;
  }
  return false;
}

}  // namespace

BoundExprPtr SelectBinder::LambdaParameter(const Expr& expr) const {
  if (lambda_scope_.empty() || expr.kind != ExprKind::kColumn) return nullptr;
  const auto& column = expr.As<ColumnExpr>();
  if (!column.table.empty()) return nullptr;
  for (auto it = lambda_scope_.rbegin(); it != lambda_scope_.rend(); ++it) {
    if (it->first == column.name) return it->second;
  }
  return nullptr;
}

absl::StatusOr<BoundExprPtr> SelectBinder::BindHigherOrder(const FunctionExpr& function, Phase phase) {
  const auto& lambda = function.args[0]->As<LambdaExpr>();
  if (!IsHigherOrderFunction(function.name)) {
    return ErrorAt(function.pos, absl::StatusCode::kInvalidArgument,
                   absl::StrCat("Function ", function.name, " does not take a lambda function argument"));
  }
  std::vector<BoundExprPtr> arrays;
  std::vector<DataType> array_types;
  for (size_t i = 1; i < function.args.size(); ++i) {
    if (function.args[i]->kind == ExprKind::kLambda) {
      return ErrorAt(function.args[i]->pos, absl::StatusCode::kInvalidArgument,
                     absl::StrCat("A lambda function can be only the first argument of ", function.name));
    }
    absl::StatusOr<BoundExprPtr> bound = BindExpr(*function.args[i], phase);
    if (!bound.ok()) return bound.status();
    array_types.push_back((*bound)->type);
    arrays.push_back(*std::move(bound));
  }
  absl::StatusOr<std::vector<DataType>> types =
      LambdaParameterTypes(function.name, array_types, lambda.params.size());
  if (!types.ok()) return AtNode(types.status(), function.pos);

  std::vector<BoundExprPtr> parameters;
  for (size_t i = 0; i < lambda.params.size(); ++i) {
    parameters.push_back(MakeParameter(lambda.params[i], (*types)[i]));
    lambda_scope_.emplace_back(lambda.params[i], parameters.back());
  }
  // Inside the body a GROUP BY key that names a parameter means the parameter, not
  // the column: hide such keys (a lambda node never equals a part of its own body).
  std::vector<const Expr*> saved_keys = keys_;
  for (const Expr*& key : keys_) {
    if (MentionsName(*key, lambda.params)) key = function.args[0].get();
  }
  const size_t aggregates_before = plan_->aggregates.size();
  absl::StatusOr<BoundExprPtr> body = BindExpr(*lambda.body, phase);
  keys_ = std::move(saved_keys);
  lambda_scope_.resize(lambda_scope_.size() - lambda.params.size());
  if (!body.ok()) return body.status();
  for (size_t i = aggregates_before; i < plan_->aggregates.size(); ++i) {
    for (const BoundExprPtr& arg : plan_->aggregates[i].args) {
      if (UsesParameter(*arg)) {
        return ErrorAt(lambda.pos, absl::StatusCode::kInvalidArgument,
                       absl::StrCat("Aggregate function ", plan_->aggregates[i].sql,
                                    " cannot use a parameter of the lambda it is in"));
      }
    }
  }

  BodyRewriter rewriter(parameters, prepared_values_);
  BoundExprPtr closed = rewriter.Rewrite(*body);
  std::vector<BoundExprPtr> args = std::move(arrays);
  std::vector<DataType> capture_types;
  for (const BoundExprPtr& captured : rewriter.captured()) {
    capture_types.push_back(captured->type);
    args.push_back(captured);
  }
  absl::StatusOr<ScalarBinding> binding =
      BindHigherOrderFunction(function.name, closed, lambda.params.size(), array_types, capture_types);
  if (!binding.ok()) return AtNode(binding.status(), function.pos);
  bool all_constant = true;
  for (const BoundExprPtr& arg : args) all_constant = all_constant && IsBoundConstant(*arg);
  BoundExprPtr call = MakeCall(function.name, binding->kernel, binding->type, std::move(args),
                               ClickHouseColumnName(function));
  if (!all_constant) return call;
  // Constant folding, as BindCall does: evaluate once, own the strings.
  auto pool = std::make_shared<StringPool>();
  Batch batch;
  batch.rows = 1;
  batch.pool = pool.get();
  Vector value;
  if (absl::Status status = Evaluate(*call, batch, &value); !status.ok()) return AtNode(status, function.pos);
  value.Flatten();
  OwnStrings(pool.get(), &value);
  auto folded = std::make_shared<BoundExpr>();
  folded->kind = BoundExpr::Kind::kConstant;
  folded->type = call->type;
  folded->constant = std::move(value);
  folded->constant.constant = true;
  folded->constant.size = 1;
  folded->sql = call->sql;
  folded->keep_alive = std::move(pool);
  return BoundExprPtr(folded);
}

}  // namespace mua::sql_internal
