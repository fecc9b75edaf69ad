// Expression binding: names, aliases, functions, aggregates, IN sets and
// subqueries in expressions (which become prepared inputs of the block).
#include <algorithm>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "query/aggregate_function.h"
#include "query/scalar_functions.h"
#include "sql/internal/select_binder.h"
#include "sql/printer.h"
#include "storage/base/status_macros.h"

namespace mua::sql_internal {
namespace {

// Functions whose value is not a function of the rows read: their results may not be
// cached (ClickHouse's non-deterministic functions).
bool IsNondeterministic(absl::string_view name) {
  static const auto* const kNames = new absl::flat_hash_set<std::string>{
      "now", "now64", "today", "yesterday", "rand", "rand32", "rand64", "randcanonical", "randconstant",
      "generateuuidv4", "currentuser", "user", "queryid", "initialqueryid", "uptime", "randomstring",
      "randomfixedstring", "randomprintableascii", "randomstringutf8", "rownumberinallblocks",
      "rownumberinblock", "blocknumber", "serveruuid", "currentprofiles", "currentroles", "fuzzbits"};
  return kNames->contains(absl::AsciiStrToLower(name));
}

BoundExprPtr StringConstant(std::string value, std::string sql) {
  auto expr = std::make_shared<BoundExpr>();
  expr->kind = BoundExpr::Kind::kConstant;
  expr->type = DataType::Of(TypeId::kString);
  auto owned = std::make_shared<std::string>(std::move(value));
  expr->constant = Vector::ConstantString(*owned, 1);
  expr->constant.size = 1;
  expr->sql = std::move(sql);
  expr->keep_alive = std::move(owned);
  return expr;
}

}  // namespace

absl::StatusOr<int64_t> SelectBinder::ConstantInteger(const Expr& expr, absl::string_view what) {
  absl::StatusOr<BoundExprPtr> bound = BindExpr(expr, Phase::kSource);
  if (!bound.ok()) return bound.status();
  if (!IsBoundConstant(**bound) || !(*bound)->type.is_integer()) {
    return ErrorAt(expr.pos, absl::StatusCode::kInvalidArgument,
                   absl::StrCat(what, " must be a constant integer"));
  }
  return (*bound)->constant.ints[0];
}

const Expr* SelectBinder::AliasTarget(const Expr& expr) const {
  if (expr.kind != ExprKind::kColumn) return nullptr;
  const auto& column = expr.As<ColumnExpr>();
  if (!column.table.empty() || expanding_.contains(column.name)) return nullptr;
  if (auto it = aliases_.find(column.name); it != aliases_.end()) return it->second;
  if (auto it = with_exprs_.find(column.name); it != with_exprs_.end()) return it->second;
  return nullptr;
}

const Expr* SelectBinder::FindAggregate(const Expr& expr) const {
  if (expr.kind == ExprKind::kFunction) {
    const auto& function = expr.As<FunctionExpr>();
    if (function.over != nullptr) return nullptr;  // a window call: computed over the query's rows
    if (IsAggregateFunction(function.name) && !IsScalarFunction(function.name)) return &expr;
  }
  const Expr* found = nullptr;
  ForEachChild(expr, [&](const Expr& child) {
    if (found == nullptr) found = FindAggregate(child);
  });
  if (found == nullptr && AliasTarget(expr) != nullptr && ContainsAggregate(expr)) found = &expr;
  return found;
}

bool SelectBinder::ContainsAggregate(const Expr& expr) const {
  if (expr.kind == ExprKind::kFunction) {
    const auto& function = expr.As<FunctionExpr>();
    if (function.over != nullptr) return false;  // a window call: computed over the query's rows
    if (IsAggregateFunction(function.name) && !IsScalarFunction(function.name)) return true;
  }
  if (const Expr* target = AliasTarget(expr)) {
    auto* self = const_cast<SelectBinder*>(this);
    const std::string name = expr.As<ColumnExpr>().name;
    self->expanding_.insert(name);
    const bool result = ContainsAggregate(*target);
    self->expanding_.erase(name);
    return result;
  }
  bool found = false;
  ForEachChild(expr, [&](const Expr& child) { found = found || ContainsAggregate(child); });
  return found;
}

absl::StatusOr<const Expr*> SelectBinder::ExpandKey(const Expr& expr) {
  if (expr.kind == ExprKind::kLiteral) {
    const auto& literal = expr.As<LiteralExpr>();
    if (literal.literal_kind == LiteralKind::kUInt64) {
      if (literal.uint_value < 1 || literal.uint_value > core_.items.size()) {
        return ErrorAt(expr.pos, absl::StatusCode::kInvalidArgument,
                       absl::StrCat("positional argument ", literal.uint_value, " is out of bounds [1, ",
                                    core_.items.size(), "]"));
      }
      return core_.items[literal.uint_value - 1].expr.get();
    }
  }
  if (const Expr* target = AliasTarget(expr)) return target;
  return &expr;
}

absl::StatusOr<BoundExprPtr> SelectBinder::BindLiteral(const LiteralExpr& literal) {
  const std::string sql = ClickHouseColumnName(literal);
  switch (literal.literal_kind) {
    case LiteralKind::kNull: {
      return MakeConstant(Vector::ConstantNull(1), sql);  // Nullable(Nothing)
    }
    case LiteralKind::kBool:
      return MakeConstant(Vector::ConstantInt(DataType::Of(TypeId::kUInt8), literal.bool_value, 1), sql);
    case LiteralKind::kInt64:
      return MakeConstant(Vector::ConstantInt(IntegerLiteralType(literal.int_value, false), literal.int_value, 1), sql);
    case LiteralKind::kUInt64: {
      const auto value = static_cast<int64_t>(literal.uint_value);
      return MakeConstant(Vector::ConstantInt(IntegerLiteralType(value, true), value, 1), sql);
    }
    case LiteralKind::kFloat64: return MakeConstant(Vector::ConstantFloat(literal.float_value, 1), sql);
    case LiteralKind::kString: return StringConstant(literal.string_value, sql);
  }
  return absl::InternalError("unknown literal");
}

absl::StatusOr<BoundExprPtr> SelectBinder::BindSourceColumn(const ColumnExpr& column) {
  const std::string& name = column.name;
  if (!column.table.empty() && !columns_.empty() && !columns_[0].qualifier.empty()) {
    // A JOIN: `t.col` names the column of the side called t.
    for (size_t i = 0; i < columns_.size(); ++i) {
      if (columns_[i].qualifier == column.table && columns_[i].name == name) {
        return MakeColumn(static_cast<int>(i), columns_[i].type, name);
      }
    }
    return ErrorAt(column.pos, absl::StatusCode::kNotFound,
                   absl::StrCat("Unknown identifier: ", column.table, ".", name));
  }
  if (!column.table.empty() && column.table != source_alias_ &&
      !(plan_->source.kind == SourcePlan::Kind::kEvents && column.table == "events")) {
    return ErrorAt(column.pos, absl::StatusCode::kNotFound,
                   absl::StrCat("Unknown identifier: ", column.table, ".", name));
  }
  // An unqualified name is the first visible column so called (a JOIN's USING key is the
  // side that holds it), else any.
  for (const bool visible_only : {true, false}) {
    for (size_t i = 0; i < columns_.size(); ++i) {
      if (columns_[i].name == name && !(visible_only && columns_[i].hidden)) {
        return MakeColumn(static_cast<int>(i), columns_[i].type, name);
      }
    }
  }
  if (plan_->source.kind == SourcePlan::Kind::kEvents) {
    if (std::optional<ColumnId> id = FindColumn(name)) {
      plan_->source.columns.push_back(*id);
      columns_.push_back({name, StorageColumnType(*id), *id == ColumnId::kUserId});
      return MakeColumn(static_cast<int>(columns_.size() - 1), columns_.back().type, name);
    }
  }
  return ErrorAt(column.pos, absl::StatusCode::kNotFound,
                 absl::StrCat("Missing columns: '", name, "' while processing query"));
}

absl::StatusOr<BoundExprPtr> SelectBinder::BindColumn(const ColumnExpr& column, Phase phase) {
  if (const Expr* target = AliasTarget(column)) {
    expanding_.insert(column.name);
    absl::StatusOr<BoundExprPtr> bound = BindExpr(*target, phase);
    expanding_.erase(column.name);
    return bound;
  }
  if (phase == Phase::kPost && plan_->aggregate) {
    return ErrorAt(column.pos, absl::StatusCode::kInvalidArgument,
                   absl::StrCat("Column `", column.name,
                                "` is not under aggregate function and not in GROUP BY keys"));
  }
  return BindSourceColumn(column);
}

absl::StatusOr<BoundExprPtr> SelectBinder::BindCall(std::string name, std::vector<BoundExprPtr> args,
                                                    SourcePos pos, std::string sql) {
  if (context_.not_cacheable != nullptr && IsNondeterministic(name)) {
    *context_.not_cacheable = absl::StrCat("calls ", name, "()");
  }
  if (absl::EqualsIgnoreCase(name, "concat")) {
    // ClickHouse's concat takes any argument as its text: concat('a', 1, 2.5) = 'a12.5'.
    for (BoundExprPtr& arg : args) {
      if (arg->type.is_string() || arg->type.id == TypeId::kNothing) continue;
      std::string text_sql = absl::StrCat("toString(", arg->sql, ")");
      absl::StatusOr<BoundExprPtr> text = BindCall("toString", {arg}, pos, std::move(text_sql));
      if (!text.ok()) return text.status();
      arg = *std::move(text);
    }
  }
  std::vector<ScalarArg> scalar_args;
  bool all_constant = true;
  for (const BoundExprPtr& arg : args) {
    const bool constant = IsBoundConstant(*arg);
    scalar_args.push_back({arg->type, constant ? &arg->constant : nullptr});
    all_constant = all_constant && constant;
  }
  absl::StatusOr<ScalarBinding> binding = BindScalarFunction(name, scalar_args);
  if (!binding.ok()) return AtNode(binding.status(), pos);
  for (auto& [index, value] : binding->converted_constants) {
    args[index] = MakeConstant(std::move(value), args[index]->sql);
  }
  BoundExprPtr call = MakeCall(name, binding->kernel, binding->type, std::move(args), std::move(sql));
  // rand*(), generateUUIDv4(): a new value per row, never folded.
  if (!all_constant || name.rfind("rand", 0) == 0 || name == "generateUUIDv4") return call;
  // Constant folding: evaluate once, keep the value (strings owned by the pool).
  auto pool = std::make_shared<StringPool>();
  Batch batch;
  batch.rows = 1;
  batch.pool = pool.get();
  Vector value;
  absl::Status status = Evaluate(*call, batch, &value);
  if (!status.ok()) return AtNode(status, pos);
  value.Flatten();
  // Own every string (tuple and array elements too): the arguments' storage dies with the unfolded call.
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

absl::StatusOr<std::shared_ptr<const SelectPlan>> SelectBinder::BindExpressionSubquery(const SelectQuery& query) {
  return BindQuery(query, context_, ctes_);
}

absl::StatusOr<BoundExprPtr> SelectBinder::BindIn(const InExpr& in, Phase phase) {
  absl::StatusOr<BoundExprPtr> operand = BindExpr(*in.operand, phase);
  if (!operand.ok()) return operand.status();
  auto set = std::make_shared<InSet>();
  const bool by_user = (*operand)->kind == BoundExpr::Kind::kColumn &&
                       plan_->source.kind == SourcePlan::Kind::kEvents &&
                       columns_[(*operand)->column].is_user;
  set->by_user = by_user;
  const DataType operand_type = (*operand)->type;
  const SelectQuery* set_query = nullptr;
  if (in.set->kind == ExprKind::kSubquery) {
    set_query = in.set->As<SubqueryExpr>().query.get();
  } else if (in.set->kind == ExprKind::kColumn && in.set->As<ColumnExpr>().table.empty() &&
             ctes_.contains(in.set->As<ColumnExpr>().name) && AliasTarget(*in.set) == nullptr) {
    // `x IN cte`: the CTE's rows, as `x IN (SELECT * FROM cte)`.
    auto query = std::make_unique<SelectQuery>();
    query->pos = in.set->pos;
    SelectCore& core = query->cores.emplace_back();
    core.pos = in.set->pos;
    core.items.push_back(SelectItem{std::make_unique<StarExpr>(in.set->pos), "", {}});
    TableRef& from = core.from.emplace();
    from.pos = in.set->pos;
    from.table = in.set->As<ColumnExpr>().name;
    set_query = query.get();
    owned_queries_.push_back(std::move(query));
  }
  if (set_query != nullptr) {
    // The set is filled when the plan runs, from the subquery's one column.
    absl::StatusOr<std::shared_ptr<const SelectPlan>> plan = BindExpressionSubquery(*set_query);
    if (!plan.ok()) return plan.status();
    // `(a, b) IN (SELECT x, y ...)`: one column per tuple element.
    const size_t columns = operand_type.is_tuple() ? operand_type.tuple_size() : 1;
    if ((*plan)->outputs.size() != columns) {
      return ErrorAt(in.set->pos, absl::StatusCode::kInvalidArgument,
                     absl::StrCat("Number of columns in section IN doesn't match. ", columns,
                                  " at left, ", (*plan)->outputs.size(), " at right."));
    }
    if (absl::Status s = CheckInSetType((*plan)->outputs[0]->type, operand_type); !s.ok()) {
      return AtNode(s, in.pos);
    }
    PreparedInput prepared;
    prepared.kind = PreparedInput::Kind::kInSet;
    prepared.plan = *std::move(plan);
    prepared.set = set;
    prepared.operand_type = operand_type;
    prepared.sql = ClickHouseColumnName(in);
    plan_->prepared.push_back(std::move(prepared));
  } else {
    std::vector<const Expr*> elements;
    // `(a, b) IN (1, 2)`: a set of one tuple, unless its elements are tuples themselves.
    const bool one_tuple = operand_type.is_tuple() && in.set->kind == ExprKind::kTuple &&
                           !in.set->As<TupleExpr>().elements.empty() &&
                           in.set->As<TupleExpr>().elements[0]->kind != ExprKind::kTuple;
    if (one_tuple) {
      elements.push_back(in.set.get());
    } else if (in.set->kind == ExprKind::kTuple) {
      for (const ExprPtr& e : in.set->As<TupleExpr>().elements) elements.push_back(e.get());
    } else if (in.set->kind == ExprKind::kArray) {
      for (const ExprPtr& e : in.set->As<ArrayExpr>().elements) elements.push_back(e.get());
    } else {
      elements.push_back(in.set.get());
    }
    for (const Expr* element : elements) {
      absl::StatusOr<BoundExprPtr> value = BindExpr(*element, Phase::kSource);
      if (!value.ok()) return value.status();
      if (!IsBoundConstant(**value)) {
        return ErrorAt(element->pos, absl::StatusCode::kInvalidArgument,
                       "IN list elements must be constants");
      }
      if (absl::Status s = AddToInSet((*value)->constant, 0, operand_type, set.get()); !s.ok()) {
        return AtNode(s, in.pos);
      }
    }
  }
  if (by_user && !set->strings.empty()) {
    // User ids become dense user numbers from the snapshot's index when the plan runs.
    PreparedInput prepared;
    prepared.kind = PreparedInput::Kind::kUserList;
    prepared.set = set;
    prepared.sql = ClickHouseColumnName(in);
    plan_->prepared.push_back(std::move(prepared));
  }
  auto expr = std::make_shared<BoundExpr>();
  expr->kind = BoundExpr::Kind::kIn;
  expr->type = InResultType(operand_type);  // Nullable(UInt8) for a Nullable operand
  expr->args.push_back(*operand);
  expr->set = std::move(set);
  expr->negated = in.negated;
  expr->sql = ClickHouseColumnName(in);
  return BoundExprPtr(expr);
}

namespace {

// The widest unsigned and signed integer types seen; their least supertype is ClickHouse's
// type of an integer array literal: [1, 2] Array(UInt8), [1, 300] Array(UInt16), [-1, 1]
// Array(Int16), [-1, 70000] Array(Int64).
struct IntegerWidths {
  int unsigned_bits = 0;
  int signed_bits = 0;

  void Add(TypeId id) {
    switch (id) {
      case TypeId::kUInt8: unsigned_bits = std::max(unsigned_bits, 8); break;
      case TypeId::kUInt16: unsigned_bits = std::max(unsigned_bits, 16); break;
      case TypeId::kUInt32: unsigned_bits = std::max(unsigned_bits, 32); break;
      case TypeId::kUInt64: unsigned_bits = std::max(unsigned_bits, 64); break;
      case TypeId::kInt8: signed_bits = std::max(signed_bits, 8); break;
      case TypeId::kInt16: signed_bits = std::max(signed_bits, 16); break;
      case TypeId::kInt32: signed_bits = std::max(signed_bits, 32); break;
      default: signed_bits = 64; break;
    }
  }

  absl::StatusOr<TypeId> Supertype() const {
    static constexpr TypeId kUnsigned[] = {TypeId::kUInt8, TypeId::kUInt16, TypeId::kUInt32, TypeId::kUInt64};
    static constexpr TypeId kSigned[] = {TypeId::kInt8, TypeId::kInt16, TypeId::kInt32, TypeId::kInt64};
    auto index = [](int bits) { return bits <= 8 ? 0 : bits <= 16 ? 1 : bits <= 32 ? 2 : 3; };
    if (signed_bits == 0) return kUnsigned[index(unsigned_bits)];
    // A signed type must hold every unsigned value too: twice the unsigned width.
    const int bits = std::max(signed_bits, unsigned_bits * 2);
    if (bits > 64) {
      return absl::InvalidArgumentError(
          "There is no supertype for types UInt64, Int64 because some of them are signed integers and some "
          "are unsigned integers, but there is no signed integer type, that can exactly represent all required "
          "unsigned integer values");
    }
    return kSigned[index(bits)];
  }
};

// True when `plan` returns exactly one row whatever the data: an aggregate without GROUP
// BY or HAVING, or a SELECT without FROM or WHERE, seen through plain outer SELECTs.
bool AlwaysOneRow(const SelectPlan& top) {
  for (const SelectPlan* plan = &top; plan != nullptr;) {
    if (plan->offset > 0 || (plan->limit && *plan->limit == 0) || plan->with_totals) return false;
    if (plan->aggregate) return plan->group_keys.empty() && plan->having == nullptr;
    if (plan->where != nullptr) return false;
    if (plan->source.kind == SourcePlan::Kind::kOneRow) return true;
    if (plan->source.kind != SourcePlan::Kind::kSubquery) return false;
    plan = plan->source.subquery.get();
  }
  return false;
}

}  // namespace

absl::StatusOr<BoundExprPtr> SelectBinder::BindConstantArray(const ArrayExpr& array, Phase phase) {
  Vector value;
  value.constant = true;
  value.size = 1;
  value.offsets = {0};
  TypeId element = TypeId::kNothing;
  IntegerWidths widths;  // of the integer elements, for their supertype
  auto owned = std::make_shared<std::deque<std::string>>();
  for (const ExprPtr& e : array.elements) {
    absl::StatusOr<BoundExprPtr> bound = BindExpr(*e, phase);
    if (!bound.ok()) return bound.status();
    const bool constant = IsBoundConstant(**bound);
    const Vector& v = (*bound)->constant;
    const TypeId id = v.type.is_string() ? TypeId::kString : v.type.is_integer() ? TypeId::kInt64 : v.type.id;
    if (element == TypeId::kNothing) element = id;
    if (!constant || id != element || (id != TypeId::kString && id != TypeId::kInt64)) {
      // Columns, lambda parameters, floats, NULLs, mixed numbers: the array() function
      // builds the rows and takes the elements' supertype.
      std::vector<BoundExprPtr> elements;
      for (const ExprPtr& each : array.elements) {
        absl::StatusOr<BoundExprPtr> again = BindExpr(*each, phase);
        if (!again.ok()) return again.status();
        elements.push_back(*std::move(again));
      }
      return BindCall("array", std::move(elements), array.pos, ClickHouseColumnName(array));
    }
    if (id == TypeId::kString) {
      value.strings.push_back(owned->emplace_back(v.string_at(0)));
    } else {
      widths.Add(v.type.id);
      value.ints.push_back(v.int_at(0));
    }
  }
  if (element == TypeId::kInt64) {
    absl::StatusOr<TypeId> supertype = widths.Supertype();
    if (!supertype.ok()) return AtNode(supertype.status(), array.pos);
    element = *supertype;
  }
  value.offsets.push_back(static_cast<uint32_t>(array.elements.size()));
  value.type = DataType::Array(element == TypeId::kNothing ? TypeId::kUInt8 : element);
  auto expr = std::make_shared<BoundExpr>();
  expr->kind = BoundExpr::Kind::kConstant;
  expr->type = value.type;
  expr->constant = std::move(value);
  expr->sql = ClickHouseColumnName(array);
  expr->keep_alive = std::move(owned);
  return BoundExprPtr(expr);
}

absl::StatusOr<BoundExprPtr> SelectBinder::BindScalarSubquery(const SubqueryExpr& subquery) {
  absl::StatusOr<std::shared_ptr<const SelectPlan>> plan = BindExpressionSubquery(*subquery.query);
  if (!plan.ok()) return plan.status();
  if ((*plan)->outputs.size() != 1) {
    return ErrorAt(subquery.pos, absl::StatusCode::kInvalidArgument,
                   "Scalar subquery must return exactly one column");
  }
  // A slot of the subquery's type: the executor fills its value before the block runs,
  // so the binder folds nothing that depends on it (IsBoundConstant). No row is NULL (modern
  // ClickHouse), so the type is Nullable unless a row is certain; arrays and tuples cannot
  // be Nullable: no row is an error then, as in ClickHouse.
  DataType type = (*plan)->outputs[0]->type;
  type.low_cardinality = false;
  if (!AlwaysOneRow(**plan) && !type.CannotBeNullable() && type.id != TypeId::kNothing) {
    type.nullable = true;
  }
  auto expr = std::make_shared<BoundExpr>();
  expr->kind = BoundExpr::Kind::kConstant;
  expr->type = type;
  expr->constant = ScalarDefault(type);
  expr->sql = "_subquery";
  prepared_values_.insert(expr.get());
  PreparedInput prepared;
  prepared.kind = PreparedInput::Kind::kScalar;
  prepared.plan = *std::move(plan);
  prepared.value = expr;
  prepared.sql = "(subquery)";
  plan_->prepared.push_back(std::move(prepared));
  return BoundExprPtr(expr);
}

absl::StatusOr<BoundExprPtr> SelectBinder::BindAggregate(const FunctionExpr& function) {
  for (size_t i = 0; i < aggregate_asts_.size(); ++i) {
    if (AstEquals(*aggregate_asts_[i], function)) {
      return MakeColumn(static_cast<int>(plan_->group_keys.size() + i),
                        plan_->aggregates[i].prototype->result_type(), plan_->aggregates[i].sql);
    }
  }
  std::vector<Vector> parameters;
  std::vector<BoundExprPtr> bound_parameters;  // own the storage `parameters` view
  for (const ExprPtr& parameter : function.parameters) {
    absl::StatusOr<BoundExprPtr> bound = BindExpr(*parameter, Phase::kSource);
    if (!bound.ok()) return bound.status();
    if (!IsBoundConstant(**bound)) {
      return ErrorAt(parameter->pos, absl::StatusCode::kInvalidArgument,
                     absl::StrCat("Parameters of aggregate function ", function.name, " must be constants"));
    }
    parameters.push_back((*bound)->constant);
    bound_parameters.push_back(*std::move(bound));
  }
  AggregateCall call;
  std::vector<AggregateArg> args;
  for (const ExprPtr& arg : function.args) {
    if (arg->kind == ExprKind::kStar) continue;  // count(*)
    if (ContainsAggregate(*arg)) {
      return ErrorAt(arg->pos, absl::StatusCode::kInvalidArgument,
                     absl::StrCat("Aggregate function ", function.name,
                                  " is found inside another aggregate function in query"));
    }
    absl::StatusOr<BoundExprPtr> bound = BindExpr(*arg, Phase::kSource);
    if (!bound.ok()) return bound.status();
    const bool is_user = (*bound)->kind == BoundExpr::Kind::kColumn &&
                         plan_->source.kind == SourcePlan::Kind::kEvents &&
                         columns_[(*bound)->column].is_user;
    args.push_back({(*bound)->type, IsBoundConstant(**bound) ? &(*bound)->constant : nullptr, is_user});
    call.args.push_back(*std::move(bound));
  }
  absl::StatusOr<std::unique_ptr<AggregateFunction>> aggregate =
      BindAggregateFunction(function.name, parameters, args, function.distinct);
  if (!aggregate.ok()) return AtNode(aggregate.status(), function.pos);
  call.prototype = *std::move(aggregate);
  call.sql = ClickHouseColumnName(function);
  call.name = function.name;
  call.distinct = function.distinct;
  call.parametric = function.parametric;
  const DataType type = call.prototype->result_type();
  plan_->aggregates.push_back(std::move(call));
  aggregate_asts_.push_back(&function);
  return MakeColumn(static_cast<int>(plan_->group_keys.size() + plan_->aggregates.size() - 1), type,
                    plan_->aggregates.back().sql);
}

absl::StatusOr<BoundExprPtr> SelectBinder::BindFunction(const FunctionExpr& function, Phase phase) {
  const std::string sql = ClickHouseColumnName(function);
  // Computed by the window source (bind_window.cc) or the array join (bind_array_join.cc).
  if (auto it = window_columns_.find(&function); it != window_columns_.end()) {
    // An arrayJoin() of source columns joins before aggregation: after it only a
    // GROUP BY key (matched before this) may read it, as ClickHouse (215 NOT_AN_AGGREGATE).
    if (phase == Phase::kPost && plan_->aggregate && function.name == "arrayJoin" && function.over == nullptr &&
        function.args.size() == 1 && !ContainsAggregate(*function.args[0])) {
      return ErrorAt(function.pos, absl::StatusCode::kInvalidArgument,
                     absl::StrCat("Column `", sql, "` is not under aggregate function and not in GROUP BY keys"));
    }
    return MakeColumn(it->second, columns_[it->second].type, sql);
  }
  if (IsExistsCall(function)) return BindExists(function);
  if (function.over != nullptr) {
    return ErrorAt(function.pos, absl::StatusCode::kUnimplemented,
                   absl::StrCat("Window function ", sql, " is found in WHERE, GROUP BY, HAVING or an aggregate: "
                                "window functions are allowed only in the select list and ORDER BY"));
  }
  if (IsAggregateFunction(function.name) && !IsScalarFunction(function.name)) {
    if (phase == Phase::kSource) {
      return ErrorAt(function.pos, absl::StatusCode::kInvalidArgument,
                     absl::StrCat("Aggregate function ", sql,
                                  " is found in WHERE or GROUP BY or inside another aggregate function"));
    }
    return BindAggregate(function);
  }
  if (function.parametric || function.distinct) {
    return ErrorAt(function.pos, absl::StatusCode::kNotFound,
                   absl::StrCat("Unknown aggregate function ", function.name));
  }
  if (!function.args.empty() && function.args[0]->kind == ExprKind::kLambda) return BindHigherOrder(function, phase);
  std::vector<BoundExprPtr> args;
  for (const ExprPtr& arg : function.args) {
    absl::StatusOr<BoundExprPtr> bound = BindExpr(*arg, phase);
    if (!bound.ok()) return bound.status();
    args.push_back(*std::move(bound));
  }
  return BindCall(function.name, std::move(args), function.pos, sql);
}

absl::StatusOr<BoundExprPtr> SelectBinder::BindExpr(const Expr& expr, Phase phase) {
  if (BoundExprPtr parameter = LambdaParameter(expr)) return parameter;  // bind_lambda.cc
  if (phase == Phase::kPost && plan_->aggregate) {
    // A GROUP BY key (as written, or through an alias) is a key column.
    const Expr* expanded = AliasTarget(expr);
    for (size_t k = 0; k < keys_.size(); ++k) {
      if (AstEquals(expr, *keys_[k]) || (expanded != nullptr && AstEquals(*expanded, *keys_[k]))) {
        return MakeColumn(static_cast<int>(k), plan_->group_keys[k]->type, plan_->group_keys[k]->sql);
      }
    }
  }
  switch (expr.kind) {
    case ExprKind::kLiteral: return BindLiteral(expr.As<LiteralExpr>());
    case ExprKind::kColumn: return BindColumn(expr.As<ColumnExpr>(), phase);
    case ExprKind::kStar:
      return ErrorAt(expr.pos, absl::StatusCode::kInvalidArgument, "* is allowed only in the select list");
    case ExprKind::kFunction: return BindFunction(expr.As<FunctionExpr>(), phase);
    case ExprKind::kNamedArgument:
      return ErrorAt(expr.pos, absl::StatusCode::kInvalidArgument,
                     "named arguments (name => value) are allowed only in table functions");
    case ExprKind::kUnary: {
      const auto& unary = expr.As<UnaryExpr>();
      absl::StatusOr<BoundExprPtr> operand = BindExpr(*unary.operand, phase);
      if (!operand.ok()) return operand.status();
      return BindCall(unary.op == UnaryOp::kNegate ? "negate" : "not", {*operand}, expr.pos,
                      ClickHouseColumnName(expr));
    }
    case ExprKind::kBinary: {
      const auto& binary = expr.As<BinaryExpr>();
      absl::StatusOr<BoundExprPtr> left = BindExpr(*binary.left, phase);
      if (!left.ok()) return left.status();
      absl::StatusOr<BoundExprPtr> right = BindExpr(*binary.right, phase);
      if (!right.ok()) return right.status();
      std::string name = ClickHouseColumnName(expr);
      name = name.substr(0, name.find('('));
      if ((binary.op == BinaryOp::kAdd || binary.op == BinaryOp::kSubtract)) {
        const bool left_interval = (*left)->type.id == TypeId::kInterval;
        const bool right_interval = (*right)->type.id == TypeId::kInterval;
        if (right_interval || left_interval) {
          if (left_interval && binary.op == BinaryOp::kSubtract) {
            return ErrorAt(expr.pos, absl::StatusCode::kInvalidArgument, "cannot subtract a time from an INTERVAL");
          }
          std::vector<BoundExprPtr> args = right_interval ? std::vector<BoundExprPtr>{*left, *right}
                                                          : std::vector<BoundExprPtr>{*right, *left};
          return BindCall(binary.op == BinaryOp::kAdd ? "addInterval" : "subtractInterval", std::move(args),
                          expr.pos, ClickHouseColumnName(expr));
        }
      }
      return BindCall(name, {*left, *right}, expr.pos, ClickHouseColumnName(expr));
    }
    case ExprKind::kIn: return BindIn(expr.As<InExpr>(), phase);
    case ExprKind::kBetween: {
      const auto& between = expr.As<BetweenExpr>();
      absl::StatusOr<BoundExprPtr> operand = BindExpr(*between.operand, phase);
      if (!operand.ok()) return operand.status();
      absl::StatusOr<BoundExprPtr> low = BindExpr(*between.low, phase);
      if (!low.ok()) return low.status();
      absl::StatusOr<BoundExprPtr> high = BindExpr(*between.high, phase);
      if (!high.ok()) return high.status();
      absl::StatusOr<BoundExprPtr> lower =
          BindCall(between.negated ? "less" : "greaterOrEquals", {*operand, *low}, expr.pos, "");
      if (!lower.ok()) return lower.status();
      absl::StatusOr<BoundExprPtr> upper =
          BindCall(between.negated ? "greater" : "lessOrEquals", {*operand, *high}, expr.pos, "");
      if (!upper.ok()) return upper.status();
      return BindCall(between.negated ? "or" : "and", {*lower, *upper}, expr.pos, ClickHouseColumnName(expr));
    }
    case ExprKind::kIsNull: {
      const auto& is_null = expr.As<IsNullExpr>();
      absl::StatusOr<BoundExprPtr> operand = BindExpr(*is_null.operand, phase);
      if (!operand.ok()) return operand.status();
      return BindCall(is_null.negated ? "isNotNull" : "isNull", {*operand}, expr.pos, ClickHouseColumnName(expr));
    }
    case ExprKind::kCase: {
      const auto& node = expr.As<CaseExpr>();
      std::vector<BoundExprPtr> args;
      BoundExprPtr operand;
      if (node.operand) {
        absl::StatusOr<BoundExprPtr> bound = BindExpr(*node.operand, phase);
        if (!bound.ok()) return bound.status();
        operand = *bound;
      }
      for (const CaseBranch& branch : node.branches) {
        absl::StatusOr<BoundExprPtr> when = BindExpr(*branch.when, phase);
        if (!when.ok()) return when.status();
        if (operand) {
          when = BindCall("equals", {operand, *when}, branch.when->pos, "");
          if (!when.ok()) return when.status();
        }
        absl::StatusOr<BoundExprPtr> then = BindExpr(*branch.then, phase);
        if (!then.ok()) return then.status();
        args.push_back(*when);
        args.push_back(*then);
      }
      if (node.else_result) {
        absl::StatusOr<BoundExprPtr> otherwise = BindExpr(*node.else_result, phase);
        if (!otherwise.ok()) return otherwise.status();
        args.push_back(*otherwise);
      } else {
        LiteralExpr null_literal(expr.pos);
        absl::StatusOr<BoundExprPtr> null_value = BindLiteral(null_literal);
        if (!null_value.ok()) return null_value.status();
        args.push_back(*null_value);
      }
      return BindCall("multiIf", std::move(args), expr.pos, ClickHouseColumnName(expr));
    }
    case ExprKind::kInterval: {
      const auto& interval = expr.As<IntervalExpr>();
      absl::StatusOr<int64_t> count = ConstantInteger(*interval.value, "INTERVAL value");
      if (!count.ok()) return count.status();
      Vector value = Vector::ConstantInt(DataType::Of(TypeId::kInterval), *count, 1);
      value.type.interval_unit = static_cast<uint8_t>(interval.unit);
      return MakeConstant(std::move(value), ClickHouseColumnName(expr));
    }
    case ExprKind::kArray: return BindConstantArray(expr.As<ArrayExpr>(), phase);
    case ExprKind::kTuple: {
      std::vector<BoundExprPtr> elements;
      for (const ExprPtr& element : expr.As<TupleExpr>().elements) {
        absl::StatusOr<BoundExprPtr> bound = BindExpr(*element, phase);
        if (!bound.ok()) return bound.status();
        elements.push_back(*std::move(bound));
      }
      return BindCall("tuple", std::move(elements), expr.pos, ClickHouseColumnName(expr));
    }
    case ExprKind::kSubscript: {
      const auto& subscript = expr.As<SubscriptExpr>();
      absl::StatusOr<BoundExprPtr> base = BindExpr(*subscript.base, phase);
      if (!base.ok()) return base.status();
      absl::StatusOr<BoundExprPtr> index = BindExpr(*subscript.index, phase);
      if (!index.ok()) return index.status();
      return BindCall("arrayElement", {*base, *index}, expr.pos, ClickHouseColumnName(expr));
    }
    case ExprKind::kCast: {
      const auto& cast = expr.As<CastExpr>();
      absl::StatusOr<BoundExprPtr> operand = BindExpr(*cast.operand, phase);
      if (!operand.ok()) return operand.status();
      // CAST(x AS T) is CAST(x, 'T'): any type ParseDataType reads, Nullable and Tuple included.
      return BindCall("CAST", {*operand, StringConstant(cast.type, absl::StrCat("'", cast.type, "'"))},
                      expr.pos, ClickHouseColumnName(expr));
    }
    case ExprKind::kSubquery: return BindScalarSubquery(expr.As<SubqueryExpr>());
    case ExprKind::kLambda:
      return ErrorAt(expr.pos, absl::StatusCode::kInvalidArgument,
                     "A lambda function can be only the first argument of a higher-order function (arrayMap, arrayFilter...)");
  }
  return absl::InternalError("unknown expression kind");
}


}  // namespace mua::sql_internal
