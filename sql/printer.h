// ToSql: prints an AST back as SQL text that parses to an equal tree
// (AstEquals(Parse(ToSql(x)), x)). Used by EXPLAIN, error messages and tests.
//
// Output is one line, keywords upper case, names quoted with backquotes only
// where the parser would misread them, and parentheses only where precedence
// needs them:
//
//   ToSql(*ParseExpression("(a+b)*c  AND NOT x IN (1,2)")) ==
//       "(a + b) * c AND NOT x IN (1, 2)"
#pragma once

#include <string>

#include "absl/strings/string_view.h"
#include "sql/ast.h"

namespace mua {

std::string ToSql(const Expr& expr);
std::string ToSql(const SelectQuery& query);
// INSERT prints up to its FORMAT name (the data is not part of the tree).
std::string ToSql(const Statement& statement);

// 'text' with ClickHouse escapes (\\ \' \n \t \r \0 \xHH).
std::string QuoteString(absl::string_view text);
// `name` with escapes when it is not a plain word or is reserved; else name.
std::string QuoteIdentifier(absl::string_view name);

}  // namespace mua
