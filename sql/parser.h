// The SQL front end's entry points: text -> AST (sql/ast.h).
//
// ClickHouse-compatible syntax (SPEC §5, §5a): SELECT with WITH, DISTINCT,
// FROM table | db.table | (subquery) | table_function(name => arg) and JOINs
// of them, [LEFT] ARRAY JOIN, PREWHERE (taken as WHERE), WHERE, GROUP BY
// [WITH TOTALS], HAVING, WINDOW, ORDER BY [WITH FILL], LIMIT n BY, LIMIT,
// UNION ALL|DISTINCT, SETTINGS, FORMAT; window functions, lambdas, tuples,
// t.1, GLOBAL IN, {name:Type} parameters; SHOW TABLES, SHOW DATABASES, SHOW
// CREATE TABLE, EXISTS, DESCRIBE, EXPLAIN, CREATE TABLE, DROP TABLE, TRUNCATE,
// INSERT ... FORMAT | VALUES | SELECT, DELETE, ALTER TABLE ... DELETE. Errors
// are InvalidArgument (ResourceExhausted past the nesting, height or token
// limits) made by MakeSqlError: "line 1, column 38: expected expression after
// 'WHERE', found end of input"; GetSqlError gives the position. Any input is
// safe: no crash, no unbounded recursion. Thread-safe (no shared state).
//
//   MUA_ASSIGN_OR_RETURN(Statement statement, ParseStatement("SELECT count() FROM events;"));
//   statement.query->cores[0].items[0].expr->As<FunctionExpr>().name == "count"
//
//   ParseStatement("SELECT {n:UInt8} + 1", {{"n", "41"}}) gives CAST('41' AS UInt8) + 1.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "sql/ast.h"

namespace mua {

// Values of query parameters by name, as text: `{id:UInt64}` with {"id", "42"}
// becomes CAST('42' AS UInt64) (the cast judges the text), `{t:Identifier}` a
// name. A parameter that is used but not given is an error (ClickHouse's 456
// UNKNOWN_QUERY_PARAMETER): "Substitution `id` is not set".
using QueryParameters = std::map<std::string, std::string, std::less<>>;

// Parses one statement, optionally followed by ';'. For INSERT ... FORMAT the
// text after the FORMAT name is data: Statement::data_offset says where it
// begins. Positions (and data_offset) are relative to `sql`.
absl::StatusOr<Statement> ParseStatement(absl::string_view sql);
absl::StatusOr<Statement> ParseStatement(absl::string_view sql, const QueryParameters& params);

// Parses statements separated by ';' (empty ones are skipped; "" gives none).
// An INSERT ... FORMAT ends the script: the rest of the text is its data.
absl::StatusOr<std::vector<Statement>> ParseScript(absl::string_view sql);
absl::StatusOr<std::vector<Statement>> ParseScript(absl::string_view sql,
                                                   const QueryParameters& params);

// Parses a lone expression, e.g. a table function's `where => '<predicate>'`.
absl::StatusOr<ExprPtr> ParseExpression(absl::string_view text);

}  // namespace mua
