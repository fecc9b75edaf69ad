// ClickHouse's default column names for expressions: operators print as the
// functions they are (a + 1 -> plus(a, 1)), literals as literals.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "query/output_format.h"
#include "sql/printer.h"
#include "sql/binder.h"

namespace mua {
namespace {

const char* BinaryFunctionName(BinaryOp op) {
  switch (op) {
    case BinaryOp::kOr: return "or";
    case BinaryOp::kAnd: return "and";
    case BinaryOp::kEquals: return "equals";
    case BinaryOp::kNotEquals: return "notEquals";
    case BinaryOp::kLess: return "less";
    case BinaryOp::kLessEquals: return "lessOrEquals";
    case BinaryOp::kGreater: return "greater";
    case BinaryOp::kGreaterEquals: return "greaterOrEquals";
    case BinaryOp::kLike: return "like";
    case BinaryOp::kNotLike: return "notLike";
    case BinaryOp::kILike: return "ilike";
    case BinaryOp::kNotILike: return "notILike";
    case BinaryOp::kConcat: return "concat";
    case BinaryOp::kAdd: return "plus";
    case BinaryOp::kSubtract: return "minus";
    case BinaryOp::kMultiply: return "multiply";
    case BinaryOp::kDivide: return "divide";
    case BinaryOp::kModulo: return "modulo";
  }
  return "?";
}

std::string Join(const std::vector<ExprPtr>& exprs) {
  std::vector<std::string> parts;
  for (const ExprPtr& e : exprs) parts.push_back(ClickHouseColumnName(*e));
  return absl::StrJoin(parts, ", ");
}

std::string IntervalFunction(IntervalUnit unit) {
  static constexpr const char* kNames[] = {"Second", "Minute", "Hour", "Day",
                                           "Week", "Month", "Quarter", "Year"};
  return absl::StrCat("toInterval", kNames[static_cast<int>(unit)]);
}

const char* BoundName(const FrameBound& bound) {
  switch (bound.kind) {
    case FrameBoundKind::kUnboundedPreceding: return "UNBOUNDED PRECEDING";
    case FrameBoundKind::kPreceding: return " PRECEDING";
    case FrameBoundKind::kCurrentRow: return "CURRENT ROW";
    case FrameBoundKind::kFollowing: return " FOLLOWING";
    case FrameBoundKind::kUnboundedFollowing: return "UNBOUNDED FOLLOWING";
  }
  return "?";
}

std::string BoundText(const FrameBound& bound) {
  if (bound.offset == nullptr) return BoundName(bound);
  return absl::StrCat(ClickHouseColumnName(*bound.offset), BoundName(bound));
}

// As ClickHouse names `f() OVER (...)` columns: directions spelled out, the frame when written.
std::string WindowName(const WindowSpec& spec) {
  if (!spec.base.empty() && spec.partition_by.empty() && spec.order_by.empty() &&
      !spec.frame.has_value()) {
    return spec.base;
  }
  std::vector<std::string> parts;
  if (!spec.base.empty()) parts.push_back(spec.base);
  if (!spec.partition_by.empty()) parts.push_back(absl::StrCat("PARTITION BY ", Join(spec.partition_by)));
  if (!spec.order_by.empty()) {
    std::vector<std::string> items;
    for (const OrderItem& item : spec.order_by) {
      items.push_back(absl::StrCat(ClickHouseColumnName(*item.expr), item.descending ? " DESC" : " ASC"));
    }
    parts.push_back(absl::StrCat("ORDER BY ", absl::StrJoin(items, ", ")));
  }
  if (spec.frame.has_value()) {
    parts.push_back(absl::StrCat(spec.frame->units == WindowFrameUnits::kRows ? "ROWS" : "RANGE", " BETWEEN ",
                                 BoundText(spec.frame->start), " AND ", BoundText(spec.frame->end)));
  }
  return absl::StrCat("(", absl::StrJoin(parts, " "), ")");
}

}  // namespace

std::string ClickHouseColumnName(const Expr& expr) {
  switch (expr.kind) {
    case ExprKind::kLiteral: {
      const auto& literal = expr.As<LiteralExpr>();
      std::string out;
      switch (literal.literal_kind) {
        case LiteralKind::kNull: return "NULL";
        case LiteralKind::kBool: return literal.bool_value ? "true" : "false";
        case LiteralKind::kInt64: return absl::StrCat(literal.int_value);
        case LiteralKind::kUInt64: return absl::StrCat(literal.uint_value);
        case LiteralKind::kFloat64: return FormatFloat(literal.float_value);
        case LiteralKind::kString: return QuoteString(literal.string_value);
      }
      return out;
    }
    case ExprKind::kColumn: {
      const auto& column = expr.As<ColumnExpr>();
      return column.table.empty() ? column.name : absl::StrCat(column.table, ".", column.name);
    }
    case ExprKind::kStar: return "*";
    case ExprKind::kFunction: {
      const auto& function = expr.As<FunctionExpr>();
      std::string name = function.name;
      if (function.distinct) {
        name = absl::StrCat(name, "Distinct");
      }
      std::string call =
          function.parametric
              ? absl::StrCat(name, "(", Join(function.parameters), ")(", Join(function.args), ")")
              : absl::StrCat(name, "(", Join(function.args), ")");
      if (function.over != nullptr) absl::StrAppend(&call, " OVER ", WindowName(*function.over));
      return call;
    }
    case ExprKind::kNamedArgument: {
      const auto& named = expr.As<NamedArgumentExpr>();
      return absl::StrCat(named.name, " => ", ClickHouseColumnName(*named.value));
    }
    case ExprKind::kUnary: {
      const auto& unary = expr.As<UnaryExpr>();
      return absl::StrCat(unary.op == UnaryOp::kNegate ? "negate(" : "not(",
                          ClickHouseColumnName(*unary.operand), ")");
    }
    case ExprKind::kBinary: {
      const auto& binary = expr.As<BinaryExpr>();
      return absl::StrCat(BinaryFunctionName(binary.op), "(", ClickHouseColumnName(*binary.left), ", ",
                          ClickHouseColumnName(*binary.right), ")");
    }
    case ExprKind::kIn: {
      const auto& in = expr.As<InExpr>();
      std::string set;
      if (in.set->kind == ExprKind::kTuple) {
        set = absl::StrCat("(", Join(in.set->As<TupleExpr>().elements), ")");
      } else if (in.set->kind == ExprKind::kSubquery) {
        set = "_subquery";
      } else {
        set = ClickHouseColumnName(*in.set);
      }
      return absl::StrCat(in.negated ? "notIn(" : "in(", ClickHouseColumnName(*in.operand), ", ", set, ")");
    }
    case ExprKind::kBetween: {
      const auto& between = expr.As<BetweenExpr>();
      const std::string x = ClickHouseColumnName(*between.operand);
      if (between.negated) {
        return absl::StrCat("or(less(", x, ", ", ClickHouseColumnName(*between.low), "), greater(", x,
                            ", ", ClickHouseColumnName(*between.high), "))");
      }
      return absl::StrCat("and(greaterOrEquals(", x, ", ", ClickHouseColumnName(*between.low),
                          "), lessOrEquals(", x, ", ", ClickHouseColumnName(*between.high), "))");
    }
    case ExprKind::kIsNull: {
      const auto& is_null = expr.As<IsNullExpr>();
      return absl::StrCat(is_null.negated ? "isNotNull(" : "isNull(",
                          ClickHouseColumnName(*is_null.operand), ")");
    }
    case ExprKind::kCase: {
      const auto& node = expr.As<CaseExpr>();
      std::vector<std::string> parts;
      for (const CaseBranch& branch : node.branches) {
        parts.push_back(node.operand ? absl::StrCat("equals(", ClickHouseColumnName(*node.operand), ", ",
                                                    ClickHouseColumnName(*branch.when), ")")
                                     : ClickHouseColumnName(*branch.when));
        parts.push_back(ClickHouseColumnName(*branch.then));
      }
      parts.push_back(node.else_result ? ClickHouseColumnName(*node.else_result) : "NULL");
      return absl::StrCat("multiIf(", absl::StrJoin(parts, ", "), ")");
    }
    case ExprKind::kInterval: {
      const auto& interval = expr.As<IntervalExpr>();
      return absl::StrCat(IntervalFunction(interval.unit), "(", ClickHouseColumnName(*interval.value), ")");
    }
    case ExprKind::kArray: return absl::StrCat("[", Join(expr.As<ArrayExpr>().elements), "]");
    case ExprKind::kTuple: return absl::StrCat("(", Join(expr.As<TupleExpr>().elements), ")");
    case ExprKind::kSubscript: {
      const auto& subscript = expr.As<SubscriptExpr>();
      return absl::StrCat("arrayElement(", ClickHouseColumnName(*subscript.base), ", ",
                          ClickHouseColumnName(*subscript.index), ")");
    }
    case ExprKind::kCast: {
      const auto& cast = expr.As<CastExpr>();
      return absl::StrCat("CAST(", ClickHouseColumnName(*cast.operand), ", '", cast.type, "')");
    }
    case ExprKind::kSubquery: return "_subquery";
    case ExprKind::kLambda: {
      const auto& lambda = expr.As<LambdaExpr>();
      return absl::StrCat("lambda(tuple(", absl::StrJoin(lambda.params, ", "), "), ",
                          ClickHouseColumnName(*lambda.body), ")");
    }
  }
  return "?";
}

}  // namespace mua
