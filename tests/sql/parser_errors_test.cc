// Error messages: the exact position and wording for bad inputs.
#include <string>

#include "gtest/gtest.h"
#include "sql/parser.h"
#include "tests/sql/sql_test_util.h"
#include "tests/testutil/status_matchers.h"

namespace mua {
namespace {

using test::ParseError;

TEST(ParserErrorTest, ExpectedExpression) {
  EXPECT_EQ(ParseError("SELECT count() FROM events WHERE"),
            "line 1, column 33: expected expression after 'WHERE', found end of input");
  EXPECT_EQ(ParseError("SELECT count() FROM events WHERE "),
            "line 1, column 33: expected expression after 'WHERE', found end of input");
  EXPECT_EQ(ParseError("SELECT a,\nFROM t"),
            "line 2, column 1: expected expression after ',', found 'FROM'");
  EXPECT_EQ(ParseError("SELECT toDate(t) = today() AND"),
            "line 1, column 31: expected expression after 'AND', found end of input");
  EXPECT_EQ(ParseError("SELECT\n  user_id,\n  count(\nFROM events"),
            "line 4, column 1: expected expression after '(', found 'FROM'");
  EXPECT_EQ(ParseError("SELECT CASE END"),
            "line 1, column 13: expected expression after 'CASE', found 'END'");
}

TEST(ParserErrorTest, UnexpectedTokens) {
  EXPECT_EQ(ParseError("SELECT 1)"), "line 1, column 9: unexpected ')'");
  EXPECT_EQ(ParseError("SELECT a FROM t WHERE x LIMIT 1 WHERE y"),
            "line 1, column 33: unexpected 'WHERE'");
  EXPECT_EQ(ParseError("SELECT * FROM t ARRAY JOIN a JOIN u ON t.a = u.a"),
            "line 1, column 30: unexpected 'JOIN': a JOIN cannot follow ARRAY JOIN (write the "
            "joins first)");
  EXPECT_EQ(ParseError("SELECT 1 SELECT 2"), "line 1, column 10: unexpected 'SELECT'");
}

TEST(ParserErrorTest, MissingPieces) {
  EXPECT_EQ(ParseError("SELECT * FROM"),
            "line 1, column 14: expected table name after 'FROM', found end of input");
  EXPECT_EQ(ParseError("SELECT f(a b) FROM t"),
            "line 1, column 12: expected ',' or ')' after 'a', found 'b'");
  EXPECT_EQ(ParseError("SELECT * FROM t GROUP user_id"),
            "line 1, column 23: expected BY after 'GROUP', found 'user_id'");
  EXPECT_EQ(ParseError("SELECT * FROM t ORDER BY x NULLS"),
            "line 1, column 33: expected FIRST or LAST after 'NULLS', found end of input");
  EXPECT_EQ(ParseError("SELECT CASE WHEN a THEN b"),
            "line 1, column 26: expected END after 'b', found end of input");
  EXPECT_EQ(ParseError("SELECT x IS 1"),
            "line 1, column 13: expected NULL or NOT NULL after 'IS', found '1'");
  EXPECT_EQ(ParseError("SELECT a BETWEEN 1 OR 2"),
            "line 1, column 20: expected AND after '1', found 'OR'");
  EXPECT_EQ(ParseError("SELECT CAST(x Int32)"),
            "line 1, column 15: expected AS or ',' after 'x', found 'Int32'");
  EXPECT_EQ(ParseError("SELECT [1, 2"),
            "line 1, column 13: expected ',' or ']' after '2', found end of input");
  EXPECT_EQ(ParseError("SELECT a AS FROM t"),
            "line 1, column 13: expected alias after 'AS', found 'FROM'");
  EXPECT_EQ(ParseError("SELECT 1 FORMAT"),
            "line 1, column 16: expected format name after 'FORMAT', found end of input");
  EXPECT_EQ(ParseError("SELECT * FROM (SHOW TABLES)"),
            "line 1, column 16: expected SELECT after '(', found 'SHOW'");
  EXPECT_EQ(ParseError("DELETE FROM events"),
            "line 1, column 19: expected WHERE after 'events', found end of input");
}

TEST(ParserErrorTest, Intervals) {
  EXPECT_EQ(ParseError("SELECT INTERVAL 1 fortnight"),
            "line 1, column 19: expected interval unit (SECOND, MINUTE, HOUR, DAY, WEEK, MONTH, "
            "QUARTER or YEAR) after '1', found 'fortnight'");
  EXPECT_EQ(ParseError("SELECT now() - INTERVAL '1 fortnight'"),
            "line 1, column 25: invalid interval string '1 fortnight': expected '<number> <unit>' "
            "such as '1 day'");
}

TEST(ParserErrorTest, UnsupportedStatements) {
  EXPECT_EQ(ParseError(""), "OK");  // an empty script is fine, an empty statement is not
  absl::StatusOr<Statement> empty = ParseStatement("  ");
  EXPECT_EQ(empty.status().message(), "line 1, column 1: empty query");
  EXPECT_EQ(ParseError("UPDATE t SET a = 1"),
            "line 1, column 1: expected a statement (SELECT, WITH, SHOW, DESCRIBE, EXPLAIN, "
            "INSERT, DELETE, ALTER, CREATE, DROP, TRUNCATE, EXISTS, SYSTEM or KILL), found "
            "'UPDATE'");
  EXPECT_EQ(ParseError("SHOW COLUMNS"),
            "line 1, column 6: expected TABLES, DATABASES or CREATE after 'SHOW', found 'COLUMNS'");
  EXPECT_EQ(ParseError("ALTER TABLE events DROP COLUMN x"),
            "line 1, column 20: expected DELETE (the only supported ALTER is DELETE WHERE) after "
            "'events', found 'DROP'");
  EXPECT_EQ(ParseError("SELECT 1 UNION SELECT 2"),
            "line 1, column 10: Expected ALL or DISTINCT in SelectWithUnion query, because "
            "setting (union_default_mode) is empty");
  EXPECT_EQ(ParseError("SELECT f(DISTINCT x)(y)"),
            "line 1, column 21: DISTINCT belongs in the arguments of 'f', not its parameters");
  EXPECT_EQ(ParseError("SELECT arrayMap(x + 1 -> x, arr)"),
            "line 1, column 23: a lambda's parameters must be plain names: x -> ..., (x, y) -> ...");
}

TEST(ParserErrorTest, LexerErrorsSurfaceWithTheirPosition) {
  EXPECT_EQ(ParseError("SELECT a FROM t WHERE b = 'x\n AND c"),
            "line 1, column 27: unterminated string literal");
  EXPECT_EQ(ParseError("SELECT a\n\t/* unclosed"), "line 2, column 2: unterminated comment");
  EXPECT_EQ(ParseError("SELECT a FROM t WHERE b = $1"), "line 1, column 27: unknown character '$'");
  EXPECT_EQ(ParseError("SELECT 1;\nSELECT (2"),
            "line 2, column 10: expected ',' or ')' after '2', found end of input");
}

TEST(ParserErrorTest, ErrorsExposeTheirPosition) {
  absl::StatusOr<Statement> statement = ParseStatement("SELECT a\nFROM t\nWHERE");
  ASSERT_FALSE(statement.ok());
  EXPECT_EQ(statement.status().code(), absl::StatusCode::kInvalidArgument);
  std::optional<SqlError> error = GetSqlError(statement.status());
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->line, 3u);
  EXPECT_EQ(error->column, 6u);
  EXPECT_EQ(error->offset, 21u);
  EXPECT_EQ(error->message, "expected expression after 'WHERE', found end of input");
  EXPECT_EQ(DrawCaret("SELECT a\nFROM t\nWHERE", *error), "WHERE\n     ^\n");
}

TEST(ParserErrorTest, DeepNestingIsAnErrorNotACrash) {
  std::string parens = "SELECT " + std::string(100000, '(') + "1" + std::string(100000, ')');
  absl::StatusOr<Statement> nested = ParseStatement(parens);
  EXPECT_EQ(nested.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(nested.status().message(),
            "line 1, column 207: query is nested too deeply (more than 200 levels)");

  std::string minus = "SELECT ";
  for (int i = 0; i < 50000; ++i) minus += "- ";
  minus += "x";
  EXPECT_EQ(ParseStatement(minus).status().code(), absl::StatusCode::kResourceExhausted);
  std::string nots;
  for (int i = 0; i < 50000; ++i) nots += "NOT ";
  EXPECT_EQ(ParseStatement("SELECT " + nots + "x").status().code(),
            absl::StatusCode::kResourceExhausted);
  std::string subqueries;
  for (int i = 0; i < 1000; ++i) subqueries += "SELECT * FROM (";
  EXPECT_EQ(ParseStatement(subqueries).status().code(), absl::StatusCode::kResourceExhausted);
  std::string types = "SELECT x::";
  for (int i = 0; i < 1000; ++i) types += "Array(";
  EXPECT_EQ(ParseStatement(types).status().code(), absl::StatusCode::kResourceExhausted);

  // Fine just below the limit.
  std::string ok = "SELECT " + std::string(150, '(') + "1" + std::string(150, ')');
  EXPECT_OK(ParseStatement(ok));
}

TEST(ParserErrorTest, LongChainsAreBoundedByTreeHeight) {
  std::string sum = "SELECT 1";
  for (int i = 0; i < 5000; ++i) sum += " + 1";
  absl::StatusOr<Statement> statement = ParseStatement(sum);
  EXPECT_EQ(statement.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(statement.status().message(),
            "line 1, column 4006: expression is nested too deeply (more than 1000 levels)");
  std::string subscripts = "SELECT r";
  for (int i = 0; i < 5000; ++i) subscripts += "[1]";
  EXPECT_EQ(ParseStatement(subscripts).status().code(), absl::StatusCode::kResourceExhausted);

  std::string in_list = "SELECT 1 WHERE x IN (1";
  for (int i = 0; i < 20000; ++i) in_list += ", 1";
  EXPECT_OK(ParseStatement(in_list + ")"));  // wide is fine, only depth is limited
  std::string ors = "SELECT 1 WHERE x = 0";
  for (int i = 0; i < 900; ++i) ors += " OR x = 1";
  EXPECT_OK(ParseStatement(ors));
}

TEST(ParserErrorTest, Issue16SyntaxErrors) {
  EXPECT_EQ(ParseError("SELECT * FROM a JOIN b"),
            "line 1, column 23: expected ON or USING after 'b', found end of input");
  EXPECT_EQ(ParseError("SELECT * FROM a LEFT b"),
            "line 1, column 22: expected JOIN after 'LEFT', found 'b'");
  EXPECT_EQ(ParseError("SELECT * FROM a ASOF JOIN b ON x"),
            "line 1, column 17: ASOF JOIN is not supported");
  EXPECT_EQ(ParseError("SELECT * FROM a CROSS ANY JOIN b"),
            "line 1, column 27: CROSS JOIN takes no strictness (ANY)");
  EXPECT_EQ(ParseError("SELECT * FROM a FINAL"),
            "line 1, column 17: FINAL is not supported (MUA tables are not MergeTree tables)");
  EXPECT_EQ(ParseError("SELECT * FROM a SAMPLE 0.1"),
            "line 1, column 17: SAMPLE is not supported (MUA tables are not MergeTree tables)");
  EXPECT_EQ(ParseError("SELECT a FROM t GROUP BY a WITH ROLLUP"),
            "line 1, column 33: WITH ROLLUP is not supported (WITH TOTALS is)");
  EXPECT_EQ(ParseError("SELECT rank() OVER (ORDER BY x ROWS BETWEEN 1 FOLLOWING)"),
            "line 1, column 56: expected AND after 'FOLLOWING', found ')'");
  EXPECT_EQ(ParseError("SELECT rank() OVER (ROWS BETWEEN CURRENT ROW AND UNBOUNDED PRECEDING)"),
            "line 1, column 50: a frame cannot end at UNBOUNDED PRECEDING");
  EXPECT_EQ(ParseError("SELECT rank() OVER (GROUPS 1 PRECEDING)"),
            "line 1, column 21: GROUPS frames are not supported");
  EXPECT_EQ(ParseError("SELECT rank() OVER (PARTITION x)"),
            "line 1, column 31: expected BY after 'PARTITION', found 'x'");
  EXPECT_EQ(ParseError("SELECT 1 FROM t WINDOW w AS (), w AS ()"),
            "line 1, column 33: Window 'w' is defined twice");
  EXPECT_EQ(ParseError("SELECT arrayMap((x, x) -> x, a)"),
            "line 1, column 21: lambda parameter 'x' is repeated");
  EXPECT_EQ(ParseError("SELECT 1 LIMIT 1 WITH TIES"),
            "line 1, column 18: LIMIT ... WITH TIES is not supported");
  EXPECT_EQ(ParseError("SELECT {x UInt8}"),
            "line 1, column 11: expected ':' after 'x', found 'UInt8'");
  EXPECT_EQ(ParseError("SELECT 1 UNION SELECT 2 SETTINGS union_default_mode = 'SOME'"),
            "line 1, column 34: Unknown union_default_mode 'SOME': expected 'ALL', 'DISTINCT' or ''");
  EXPECT_EQ(ParseError("SELECT (SELECT 1 UNION SELECT 2)"),
            "line 1, column 18: Expected ALL or DISTINCT in SelectWithUnion query, because "
            "setting (union_default_mode) is empty");
}

TEST(ParserErrorTest, Issue16StatementErrors) {
  EXPECT_EQ(ParseError("CREATE VIEW v AS SELECT 1"),
            "line 1, column 8: CREATE VIEW is not supported (CREATE TABLE is)");
  EXPECT_EQ(ParseError("CREATE TABLE t AS SELECT 1"),
            "line 1, column 16: CREATE TABLE ... AS is not supported: list the columns, then "
            "INSERT ... SELECT");
  EXPECT_EQ(ParseError("CREATE TABLE t (a UInt8) ENGINE = Memory AS SELECT 1"),
            "line 1, column 42: CREATE TABLE ... AS SELECT is not supported: create the table, "
            "then INSERT ... SELECT");
  EXPECT_EQ(ParseError("CREATE TABLE t (a)"),
            "line 1, column 18: expected column type after 'a', found ')'");
  EXPECT_EQ(ParseError("CREATE TABLE t (a UInt8 CODEC(ZSTD))"),
            "line 1, column 25: CODEC on a column is not supported");
  EXPECT_EQ(ParseError("CREATE TABLE t (a UInt8) ENGINE = Log ENGINE = Memory"),
            "line 1, column 39: ENGINE given twice");
  EXPECT_EQ(ParseError("CREATE TABLE t (a UInt8, INDEX i a TYPE minmax GRANULARITY 1)"),
            "line 1, column 26: INDEX in CREATE TABLE is not supported");
  EXPECT_EQ(ParseError("CREATE TABLE t (index String DEFAULT '')"), "OK");
  EXPECT_EQ(ParseError("DROP DATABASE d"),
            "line 1, column 6: DROP DATABASE is not supported (DROP TABLE is)");
  EXPECT_EQ(ParseError("INSERT INTO t VALUES (1), 2"),
            "line 1, column 27: expected '(' (the next row) after ',', found '2'");
  EXPECT_EQ(ParseError("SHOW CREATE DATABASE d"),
            "line 1, column 13: SHOW CREATE DATABASE is not supported (SHOW CREATE TABLE is)");
}

TEST(ParserErrorTest, NewRecursivePathsAreBounded) {
  std::string joins = "SELECT 1 FROM t0";
  for (int i = 0; i < 2000; ++i) joins += " JOIN t USING k";
  EXPECT_EQ(ParseStatement(joins).status().code(), absl::StatusCode::kResourceExhausted);
  std::string lambdas = "SELECT ";
  for (int i = 0; i < 1000; ++i) lambdas += "f(x -> ";
  EXPECT_EQ(ParseStatement(lambdas).status().code(), absl::StatusCode::kResourceExhausted);
  std::string windows = "SELECT ";
  for (int i = 0; i < 1000; ++i) windows += "f() OVER (ORDER BY ";
  EXPECT_EQ(ParseStatement(windows).status().code(), absl::StatusCode::kResourceExhausted);
  std::string unions = "SELECT ";
  for (int i = 0; i < 1000; ++i) unions += "(SELECT 1 UNION ALL ";
  EXPECT_EQ(ParseStatement(unions).status().code(), absl::StatusCode::kResourceExhausted);
  std::string parenthesized(100000, '(');
  EXPECT_EQ(ParseStatement(parenthesized + "SELECT 1").status().code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(ParseStatement("SELECT * FROM " + parenthesized).status().code(),
            absl::StatusCode::kInvalidArgument);  // never a query: only '(' then the end
  std::string wide_union = "SELECT 1";
  for (int i = 0; i < 5000; ++i) wide_union += " UNION ALL SELECT 1";
  EXPECT_OK(ParseStatement(wide_union));  // wide is fine
}

}  // namespace
}  // namespace mua
