#include "sql/ast.h"

#include <cmath>

#include "absl/strings/match.h"

namespace mua {

SubqueryExpr::SubqueryExpr(SourcePos node_pos) : Expr(kKind, node_pos) {}
SubqueryExpr::~SubqueryExpr() = default;

const char* BinaryOpSql(BinaryOp op) {
  switch (op) {
    case BinaryOp::kOr:
      return "OR";
    case BinaryOp::kAnd:
      return "AND";
    case BinaryOp::kEquals:
      return "=";
    case BinaryOp::kNotEquals:
      return "!=";
    case BinaryOp::kLess:
      return "<";
    case BinaryOp::kLessEquals:
      return "<=";
    case BinaryOp::kGreater:
      return ">";
    case BinaryOp::kGreaterEquals:
      return ">=";
    case BinaryOp::kLike:
      return "LIKE";
    case BinaryOp::kNotLike:
      return "NOT LIKE";
    case BinaryOp::kILike:
      return "ILIKE";
    case BinaryOp::kNotILike:
      return "NOT ILIKE";
    case BinaryOp::kConcat:
      return "||";
    case BinaryOp::kAdd:
      return "+";
    case BinaryOp::kSubtract:
      return "-";
    case BinaryOp::kMultiply:
      return "*";
    case BinaryOp::kDivide:
      return "/";
    case BinaryOp::kModulo:
      return "%";
  }
  return "?";
}

const char* JoinKindSql(JoinKind kind) {
  switch (kind) {
    case JoinKind::kInner:
      return "INNER";
    case JoinKind::kLeft:
      return "LEFT";
    case JoinKind::kRight:
      return "RIGHT";
    case JoinKind::kFull:
      return "FULL";
    case JoinKind::kCross:
      return "CROSS";
  }
  return "?";
}

const char* JoinStrictnessSql(JoinStrictness strictness) {
  switch (strictness) {
    case JoinStrictness::kDefault:
      return "";
    case JoinStrictness::kAll:
      return "ALL";
    case JoinStrictness::kAny:
      return "ANY";
    case JoinStrictness::kSemi:
      return "SEMI";
    case JoinStrictness::kAnti:
      return "ANTI";
  }
  return "?";
}

const char* SetOperatorSql(SetOperator op) {
  return op == SetOperator::kUnionAll ? "UNION ALL" : "UNION DISTINCT";
}

namespace {

constexpr const char* kUnitNames[] = {"SECOND", "MINUTE", "HOUR",    "DAY",
                                      "WEEK",   "MONTH",  "QUARTER", "YEAR"};

}  // namespace

const char* IntervalUnitSql(IntervalUnit unit) { return kUnitNames[static_cast<int>(unit)]; }

std::optional<IntervalUnit> ParseIntervalUnit(absl::string_view name) {
  for (int i = 0; i < 8; ++i) {
    absl::string_view unit = kUnitNames[i];
    if (absl::EqualsIgnoreCase(name, unit) ||
        (name.size() == unit.size() + 1 && (name.back() == 's' || name.back() == 'S') &&
         absl::StartsWithIgnoreCase(name, unit))) {
      return static_cast<IntervalUnit>(i);
    }
  }
  return std::nullopt;
}

namespace {

bool Same(const ExprPtr& a, const ExprPtr& b) {
  if (a == nullptr || b == nullptr) return a == b;
  return AstEquals(*a, *b);
}

bool Same(const std::vector<ExprPtr>& a, const std::vector<ExprPtr>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!Same(a[i], b[i])) return false;
  }
  return true;
}

bool Same(const std::unique_ptr<SelectQuery>& a, const std::unique_ptr<SelectQuery>& b) {
  if (a == nullptr || b == nullptr) return a == b;
  return AstEquals(*a, *b);
}

bool SameFloat(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) {
    return std::isnan(a) && std::isnan(b) && std::signbit(a) == std::signbit(b);
  }
  return a == b && std::signbit(a) == std::signbit(b);
}

bool SameLiteral(const LiteralExpr& a, const LiteralExpr& b) {
  if (a.literal_kind != b.literal_kind) return false;
  switch (a.literal_kind) {
    case LiteralKind::kNull:
      return true;
    case LiteralKind::kBool:
      return a.bool_value == b.bool_value;
    case LiteralKind::kInt64:
      return a.int_value == b.int_value;
    case LiteralKind::kUInt64:
      return a.uint_value == b.uint_value;
    case LiteralKind::kFloat64:
      return SameFloat(a.float_value, b.float_value);
    case LiteralKind::kString:
      return a.string_value == b.string_value;
  }
  return false;
}

bool SameOrderItem(const OrderItem& x, const OrderItem& y) {
  return x.descending == y.descending && x.nulls == y.nulls && x.with_fill == y.with_fill &&
         Same(x.expr, y.expr) && Same(x.fill_from, y.fill_from) && Same(x.fill_to, y.fill_to) &&
         Same(x.fill_step, y.fill_step);
}

bool SameOrderBy(const std::vector<OrderItem>& a, const std::vector<OrderItem>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!SameOrderItem(a[i], b[i])) return false;
  }
  return true;
}

bool SameBound(const FrameBound& a, const FrameBound& b) {
  return a.kind == b.kind && Same(a.offset, b.offset);
}

bool SameWindow(const WindowSpec& a, const WindowSpec& b) {
  if (a.base != b.base || !Same(a.partition_by, b.partition_by) ||
      !SameOrderBy(a.order_by, b.order_by) || a.frame.has_value() != b.frame.has_value()) {
    return false;
  }
  return !a.frame.has_value() ||
         (a.frame->units == b.frame->units && SameBound(a.frame->start, b.frame->start) &&
          SameBound(a.frame->end, b.frame->end));
}

bool SameFunction(const FunctionExpr& a, const FunctionExpr& b) {
  if ((a.over == nullptr) != (b.over == nullptr)) return false;
  return a.name == b.name && a.parametric == b.parametric && a.distinct == b.distinct &&
         Same(a.parameters, b.parameters) && Same(a.args, b.args) &&
         (a.over == nullptr || SameWindow(*a.over, *b.over));
}

bool SameCase(const CaseExpr& a, const CaseExpr& b) {
  if (!Same(a.operand, b.operand) || !Same(a.else_result, b.else_result) ||
      a.branches.size() != b.branches.size()) {
    return false;
  }
  for (size_t i = 0; i < a.branches.size(); ++i) {
    if (!Same(a.branches[i].when, b.branches[i].when) ||
        !Same(a.branches[i].then, b.branches[i].then)) {
      return false;
    }
  }
  return true;
}

bool SameItems(const std::vector<SelectItem>& a, const std::vector<SelectItem>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].alias != b[i].alias || !Same(a[i].expr, b[i].expr)) return false;
  }
  return true;
}

// Iterative along the left spine of a join chain, so a long chain needs no deep recursion.
bool SameTableRef(const TableRef* a, const TableRef* b) {
  while (true) {
    if ((a == nullptr) != (b == nullptr)) return false;
    if (a == nullptr) return true;
    if (a->kind != b->kind || a->database != b->database || a->table != b->table ||
        !Same(a->subquery, b->subquery) || !Same(a->function, b->function) ||
        a->alias != b->alias || a->join_kind != b->join_kind || a->strictness != b->strictness ||
        a->global != b->global || a->comma != b->comma || !Same(a->on, b->on) ||
        !Same(a->using_columns, b->using_columns) ||
        !SameTableRef(a->right.get(), b->right.get())) {
      return false;
    }
    a = a->left.get();
    b = b->left.get();
  }
}

bool SameArrayJoins(const std::vector<ArrayJoinClause>& a, const std::vector<ArrayJoinClause>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].left != b[i].left || !SameItems(a[i].items, b[i].items)) return false;
  }
  return true;
}

bool SameWindows(const std::vector<NamedWindow>& a, const std::vector<NamedWindow>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].name != b[i].name || !SameWindow(a[i].spec, b[i].spec)) return false;
  }
  return true;
}

bool SameCore(const SelectCore& a, const SelectCore& b) {
  if (a.with.size() != b.with.size() || a.distinct != b.distinct ||
      a.from.has_value() != b.from.has_value() || a.with_totals != b.with_totals ||
      !Same(a.nested, b.nested)) {
    return false;
  }
  for (size_t i = 0; i < a.with.size(); ++i) {
    if (a.with[i].name != b.with[i].name || !Same(a.with[i].expr, b.with[i].expr) ||
        !Same(a.with[i].subquery, b.with[i].subquery)) {
      return false;
    }
  }
  return SameItems(a.items, b.items) && SameOrderBy(a.order_by, b.order_by) &&
         (!a.from.has_value() || SameTableRef(&*a.from, &*b.from)) &&
         SameArrayJoins(a.array_joins, b.array_joins) && Same(a.where, b.where) &&
         Same(a.group_by, b.group_by) && Same(a.having, b.having) &&
         SameWindows(a.windows, b.windows) && Same(a.limit_by_limit, b.limit_by_limit) &&
         Same(a.limit_by_offset, b.limit_by_offset) && Same(a.limit_by, b.limit_by) &&
         Same(a.limit, b.limit) && Same(a.offset, b.offset);
}

bool SameColumns(const std::vector<ColumnDefinition>& a, const std::vector<ColumnDefinition>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].name != b[i].name || a[i].type != b[i].type ||
        a[i].default_kind != b[i].default_kind || !Same(a[i].default_expr, b[i].default_expr) ||
        a[i].comment != b[i].comment) {
      return false;
    }
  }
  return true;
}

bool SameSettings(const std::vector<Setting>& a, const std::vector<Setting>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].name != b[i].name || !Same(a[i].value, b[i].value)) return false;
  }
  return true;
}

bool SameCreate(const std::unique_ptr<CreateTable>& a, const std::unique_ptr<CreateTable>& b) {
  if (a == nullptr || b == nullptr) return a == b;
  return a->if_not_exists == b->if_not_exists && SameColumns(a->columns, b->columns) &&
         a->engine == b->engine && Same(a->engine_args, b->engine_args) &&
         Same(a->partition_by, b->partition_by) && Same(a->order_by, b->order_by) &&
         Same(a->primary_key, b->primary_key) && SameSettings(a->settings, b->settings) &&
         a->comment == b->comment;
}

}  // namespace

bool AstEquals(const Expr& a, const Expr& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case ExprKind::kLiteral:
      return SameLiteral(a.As<LiteralExpr>(), b.As<LiteralExpr>());
    case ExprKind::kColumn:
      return a.As<ColumnExpr>().table == b.As<ColumnExpr>().table &&
             a.As<ColumnExpr>().name == b.As<ColumnExpr>().name;
    case ExprKind::kStar:
      return a.As<StarExpr>().table == b.As<StarExpr>().table;
    case ExprKind::kFunction:
      return SameFunction(a.As<FunctionExpr>(), b.As<FunctionExpr>());
    case ExprKind::kNamedArgument:
      return a.As<NamedArgumentExpr>().name == b.As<NamedArgumentExpr>().name &&
             Same(a.As<NamedArgumentExpr>().value, b.As<NamedArgumentExpr>().value);
    case ExprKind::kUnary:
      return a.As<UnaryExpr>().op == b.As<UnaryExpr>().op &&
             Same(a.As<UnaryExpr>().operand, b.As<UnaryExpr>().operand);
    case ExprKind::kBinary:
      return a.As<BinaryExpr>().op == b.As<BinaryExpr>().op &&
             Same(a.As<BinaryExpr>().left, b.As<BinaryExpr>().left) &&
             Same(a.As<BinaryExpr>().right, b.As<BinaryExpr>().right);
    case ExprKind::kIn:
      return a.As<InExpr>().negated == b.As<InExpr>().negated &&
             a.As<InExpr>().global == b.As<InExpr>().global &&
             Same(a.As<InExpr>().operand, b.As<InExpr>().operand) &&
             Same(a.As<InExpr>().set, b.As<InExpr>().set);
    case ExprKind::kBetween:
      return a.As<BetweenExpr>().negated == b.As<BetweenExpr>().negated &&
             Same(a.As<BetweenExpr>().operand, b.As<BetweenExpr>().operand) &&
             Same(a.As<BetweenExpr>().low, b.As<BetweenExpr>().low) &&
             Same(a.As<BetweenExpr>().high, b.As<BetweenExpr>().high);
    case ExprKind::kIsNull:
      return a.As<IsNullExpr>().negated == b.As<IsNullExpr>().negated &&
             Same(a.As<IsNullExpr>().operand, b.As<IsNullExpr>().operand);
    case ExprKind::kCase:
      return SameCase(a.As<CaseExpr>(), b.As<CaseExpr>());
    case ExprKind::kInterval:
      return a.As<IntervalExpr>().unit == b.As<IntervalExpr>().unit &&
             Same(a.As<IntervalExpr>().value, b.As<IntervalExpr>().value);
    case ExprKind::kArray:
      return Same(a.As<ArrayExpr>().elements, b.As<ArrayExpr>().elements);
    case ExprKind::kTuple:
      return Same(a.As<TupleExpr>().elements, b.As<TupleExpr>().elements);
    case ExprKind::kSubscript:
      return Same(a.As<SubscriptExpr>().base, b.As<SubscriptExpr>().base) &&
             Same(a.As<SubscriptExpr>().index, b.As<SubscriptExpr>().index);
    case ExprKind::kCast:
      return a.As<CastExpr>().type == b.As<CastExpr>().type &&
             Same(a.As<CastExpr>().operand, b.As<CastExpr>().operand);
    case ExprKind::kSubquery:
      return Same(a.As<SubqueryExpr>().query, b.As<SubqueryExpr>().query);
    case ExprKind::kLambda:
      return a.As<LambdaExpr>().params == b.As<LambdaExpr>().params &&
             Same(a.As<LambdaExpr>().body, b.As<LambdaExpr>().body);
  }
  return false;
}

bool AstEquals(const SelectQuery& a, const SelectQuery& b) {
  if (a.cores.size() != b.cores.size() || a.operators != b.operators) return false;
  for (size_t i = 0; i < a.cores.size(); ++i) {
    if (!SameCore(a.cores[i], b.cores[i])) return false;
  }
  return true;
}

bool AstEquals(const Statement& a, const Statement& b) {
  if (a.kind != b.kind || a.explain != b.explain || a.table.database != b.table.database ||
      a.table.table != b.table.table || a.show_database != b.show_database ||
      a.show_like != b.show_like || a.show_not_like != b.show_not_like ||
      a.show_ilike != b.show_ilike || a.columns != b.columns || a.alter_syntax != b.alter_syntax ||
      a.format != b.format || a.settings.size() != b.settings.size() ||
      a.system_command != b.system_command || a.system_argument != b.system_argument ||
      a.on_cluster != b.on_cluster ||
      a.if_exists != b.if_exists || a.values.size() != b.values.size()) {
    return false;
  }
  for (size_t i = 0; i < a.values.size(); ++i) {
    if (!Same(a.values[i], b.values[i])) return false;
  }
  return SameSettings(a.settings, b.settings) && SameCreate(a.create, b.create) &&
         Same(a.query, b.query) && Same(a.where, b.where);
}

}  // namespace mua
