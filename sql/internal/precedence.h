// Operator precedence of the SQL dialect (ClickHouse's order), shared by the
// parser and the printer; a higher number binds tighter.
//
//   a OR b AND NOT c = d || e + f * -g[1]  parses as
//   a OR (b AND (NOT (c = (d || (e + (f * (-(g[1]))))))))
#pragma once

#include "sql/ast.h"

namespace mua::sql_internal {

inline constexpr int kPrecOr = 1;
inline constexpr int kPrecAnd = 2;
inline constexpr int kPrecNot = 3;
inline constexpr int kPrecCompare = 4;   // = != < LIKE IN BETWEEN IS NULL
inline constexpr int kPrecConcat = 5;    // ||
inline constexpr int kPrecAdd = 6;       // + -
inline constexpr int kPrecMultiply = 7;  // * / %
inline constexpr int kPrecUnary = 8;     // -x
inline constexpr int kPrecPostfix = 9;   // x[i], x::T
inline constexpr int kPrecPrimary = 10;

inline int BinaryOpPrecedence(BinaryOp op) {
  switch (op) {
    case BinaryOp::kOr:
      return kPrecOr;
    case BinaryOp::kAnd:
      return kPrecAnd;
    case BinaryOp::kConcat:
      return kPrecConcat;
    case BinaryOp::kAdd:
    case BinaryOp::kSubtract:
      return kPrecAdd;
    case BinaryOp::kMultiply:
    case BinaryOp::kDivide:
    case BinaryOp::kModulo:
      return kPrecMultiply;
    default:
      return kPrecCompare;
  }
}

// The precedence of the operator at the top of `expr` (kPrecPrimary for atoms).
inline int ExprPrecedence(const Expr& expr) {
  switch (expr.kind) {
    case ExprKind::kBinary:
      return BinaryOpPrecedence(expr.As<BinaryExpr>().op);
    case ExprKind::kUnary:
      return expr.As<UnaryExpr>().op == UnaryOp::kNot ? kPrecNot : kPrecUnary;
    case ExprKind::kIn:
    case ExprKind::kBetween:
    case ExprKind::kIsNull:
      return kPrecCompare;
    case ExprKind::kSubscript:
      return kPrecPostfix;
    default:
      return kPrecPrimary;
  }
}

}  // namespace mua::sql_internal
