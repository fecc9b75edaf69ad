// Helpers for the SQL front-end tests: a fully parenthesized rendering of an
// expression tree (so precedence tests read as trees) and parse shortcuts.
//
//   Tree("a OR b AND c") == "(OR a (AND b c))"
#pragma once

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "query/output_format.h"
#include "sql/parser.h"
#include "sql/printer.h"
#include "sql/sql_engine.h"
#include "tests/testutil/status_matchers.h"

namespace mua::test {

inline std::string TreeOf(const Expr& expr);

inline std::string TreeList(const std::vector<ExprPtr>& exprs) {
  std::vector<std::string> parts;
  for (const ExprPtr& expr : exprs) parts.push_back(TreeOf(*expr));
  return absl::StrJoin(parts, " ");
}

inline std::string TreeOf(const Expr& expr) {
  switch (expr.kind) {
    case ExprKind::kUnary: {
      const UnaryExpr& unary = expr.As<UnaryExpr>();
      return absl::StrCat("(", unary.op == UnaryOp::kNot ? "NOT " : "- ", TreeOf(*unary.operand),
                          ")");
    }
    case ExprKind::kBinary: {
      const BinaryExpr& binary = expr.As<BinaryExpr>();
      return absl::StrCat("(", BinaryOpSql(binary.op), " ", TreeOf(*binary.left), " ",
                          TreeOf(*binary.right), ")");
    }
    case ExprKind::kIn: {
      const InExpr& in = expr.As<InExpr>();
      return absl::StrCat("(", in.negated ? "NOT IN " : "IN ", TreeOf(*in.operand), " ",
                          TreeOf(*in.set), ")");
    }
    case ExprKind::kBetween: {
      const BetweenExpr& between = expr.As<BetweenExpr>();
      return absl::StrCat("(", between.negated ? "NOT BETWEEN " : "BETWEEN ",
                          TreeOf(*between.operand), " ", TreeOf(*between.low), " ",
                          TreeOf(*between.high), ")");
    }
    case ExprKind::kIsNull: {
      const IsNullExpr& is_null = expr.As<IsNullExpr>();
      return absl::StrCat("(", is_null.negated ? "IS NOT NULL " : "IS NULL ",
                          TreeOf(*is_null.operand), ")");
    }
    case ExprKind::kSubscript: {
      const SubscriptExpr& subscript = expr.As<SubscriptExpr>();
      return absl::StrCat("([] ", TreeOf(*subscript.base), " ", TreeOf(*subscript.index), ")");
    }
    case ExprKind::kCast: {
      const CastExpr& cast = expr.As<CastExpr>();
      return absl::StrCat("(CAST ", TreeOf(*cast.operand), " ", cast.type, ")");
    }
    case ExprKind::kInterval: {
      const IntervalExpr& interval = expr.As<IntervalExpr>();
      return absl::StrCat("(INTERVAL ", TreeOf(*interval.value), " ",
                          IntervalUnitSql(interval.unit), ")");
    }
    case ExprKind::kTuple:
      return absl::StrCat("(tuple ", TreeList(expr.As<TupleExpr>().elements), ")");
    case ExprKind::kArray:
      return absl::StrCat("[", TreeList(expr.As<ArrayExpr>().elements), "]");
    case ExprKind::kFunction: {
      const FunctionExpr& function = expr.As<FunctionExpr>();
      std::string out = function.name;
      if (function.parametric) absl::StrAppend(&out, "(", TreeList(function.parameters), ")");
      absl::StrAppend(&out, "(", function.distinct ? "DISTINCT " : "", TreeList(function.args),
                      ")");
      return out;
    }
    default:
      return ToSql(expr);
  }
}

// The tree of a parsed expression, or "error: <message>".
inline std::string Tree(absl::string_view text) {
  absl::StatusOr<ExprPtr> expr = ParseExpression(text);
  if (!expr.ok()) return absl::StrCat("error: ", expr.status().message());
  return TreeOf(**expr);
}

// The message of the error that parsing `sql` as a script gives, or "OK".
inline std::string ParseError(absl::string_view sql) {
  absl::StatusOr<std::vector<Statement>> script = ParseScript(sql);
  return script.ok() ? "OK" : std::string(script.status().message());
}

// Checks that `statement` prints to text that parses to an equal tree and
// prints the same again; returns the printed text.
inline std::string RoundTrip(const Statement& statement) {
  std::string printed = ToSql(statement);
  absl::StatusOr<Statement> reparsed = ParseStatement(printed);
  EXPECT_TRUE(reparsed.ok()) << printed << "\n" << reparsed.status();
  if (!reparsed.ok()) return printed;
  EXPECT_TRUE(AstEquals(statement, *reparsed)) << printed << "\n" << ToSql(*reparsed);
  EXPECT_EQ(ToSql(*reparsed), printed);
  return printed;
}

// Parses `sql` as one statement, checks its round trip, and returns ToSql of it
// (or "error: <message>").
inline std::string Reprint(absl::string_view sql) {
  absl::StatusOr<Statement> statement = ParseStatement(sql);
  if (!statement.ok()) return absl::StrCat("error: ", statement.status().message());
  return RoundTrip(*statement);
}

// The TabSeparated text of `sql`'s result on `table`; "" (and a test failure) on an error.
inline std::string RunTabSeparated(const Table* table, const Catalog* catalog, const std::string& sql,
                                   const ExecuteOptions& options = {}) {
  SqlEngine engine(table, catalog);
  absl::StatusOr<StatementOutput> output = engine.Execute(sql, options);
  EXPECT_OK(output.status()) << sql;
  std::string text;
  if (output.ok()) WriteResult(output->result, OutputFormat::kTabSeparated, &text);
  return text;
}

}  // namespace mua::test
