// The SQL front end's entry points: text -> AST (sql/ast.h).
//
// ClickHouse-compatible syntax (SPEC §5, §5a): SELECT with WITH, DISTINCT,
// FROM table | db.table | (subquery) | table_function(name => arg), WHERE,
// GROUP BY, HAVING, ORDER BY, LIMIT, UNION ALL, SETTINGS, FORMAT; SHOW TABLES,
// SHOW DATABASES, DESCRIBE, EXPLAIN, INSERT ... FORMAT, DELETE, ALTER TABLE ...
// DELETE. Errors are InvalidArgument (ResourceExhausted past the nesting, height
// or token limits) made by MakeSqlError: "line 1, column 38: expected expression
// after 'WHERE', found end of input"; GetSqlError gives the position. Any input
// is safe: no crash, no unbounded recursion. Thread-safe (no shared state).
//
//   MUA_ASSIGN_OR_RETURN(Statement statement, ParseStatement("SELECT count() FROM events;"));
//   statement.query->cores[0].items[0].expr->As<FunctionExpr>().name == "count"
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "sql/ast.h"

namespace mua {

// Parses one statement, optionally followed by ';'. For INSERT the text after
// the FORMAT name is data: Statement::data_offset says where it begins.
// Positions (and data_offset) are relative to `sql`.
absl::StatusOr<Statement> ParseStatement(absl::string_view sql);

// Parses statements separated by ';' (empty ones are skipped; "" gives none).
// An INSERT ends the script: the rest of the text is its data.
absl::StatusOr<std::vector<Statement>> ParseScript(absl::string_view sql);

// Parses a lone expression, e.g. a table function's `where => '<predicate>'`.
absl::StatusOr<ExprPtr> ParseExpression(absl::string_view text);

}  // namespace mua
