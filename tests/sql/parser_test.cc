#include "sql/parser.h"

#include <cmath>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sql/printer.h"
#include "tests/sql/sql_test_util.h"
#include "tests/testutil/status_matchers.h"

namespace mua {
namespace {

using test::ParseError;
using test::Reprint;
using test::Tree;

const SelectCore& Core(const Statement& statement) { return statement.query->cores.at(0); }

// --- Expressions and precedence ---------------------------------------------

TEST(ParserTest, BooleanPrecedence) {
  EXPECT_EQ(Tree("a OR b AND c"), "(OR a (AND b c))");
  EXPECT_EQ(Tree("a AND b OR c"), "(OR (AND a b) c)");
  EXPECT_EQ(Tree("NOT a AND b"), "(AND (NOT a) b)");
  EXPECT_EQ(Tree("NOT a = b"), "(NOT (= a b))");
  EXPECT_EQ(Tree("NOT NOT a"), "(NOT (NOT a))");
  EXPECT_EQ(Tree("a AND NOT b OR c"), "(OR (AND a (NOT b)) c)");
  EXPECT_EQ(Tree("a = NOT b"), "(= a (NOT b))");
}

TEST(ParserTest, ComparisonPrecedence) {
  EXPECT_EQ(Tree("a = b || c"), "(= a (|| b c))");
  EXPECT_EQ(Tree("a || b + c"), "(|| a (+ b c))");
  EXPECT_EQ(Tree("a < b AND c >= d"), "(AND (< a b) (>= c d))");
  EXPECT_EQ(Tree("a == b"), "(= a b)");
  EXPECT_EQ(Tree("a <> b"), "(!= a b)");
  EXPECT_EQ(Tree("a = b = c"), "(= (= a b) c)");
  EXPECT_EQ(Tree("x LIKE 'a%' AND y NOT ILIKE 'b'"), "(AND (LIKE x 'a%') (NOT ILIKE y 'b'))");
  EXPECT_EQ(Tree("x NOT LIKE y || 'z'"), "(NOT LIKE x (|| y 'z'))");
}

TEST(ParserTest, ArithmeticPrecedence) {
  EXPECT_EQ(Tree("1 + 2 * 3"), "(+ 1 (* 2 3))");
  EXPECT_EQ(Tree("1 - 2 - 3"), "(- (- 1 2) 3)");
  EXPECT_EQ(Tree("(1 - 2) * 3 % 4 / 5"), "(/ (% (* (- 1 2) 3) 4) 5)");
  EXPECT_EQ(Tree("-a * b"), "(* (- a) b)");
  EXPECT_EQ(Tree("-a[1]"), "(- ([] a 1))");
  EXPECT_EQ(Tree("- - a"), "(- (- a))");
  EXPECT_EQ(Tree("a - -b"), "(- a (- b))");
  EXPECT_EQ(Tree("-x::Int64"), "(- (CAST x Int64))");
  EXPECT_EQ(Tree("a::UInt8 + 1"), "(+ (CAST a UInt8) 1)");
  EXPECT_EQ(Tree("r[1][2]"), "([] ([] r 1) 2)");
}

TEST(ParserTest, NegativeNumbersFoldIntoLiterals) {
  ASSERT_OK_AND_ASSIGN(ExprPtr minus_five, ParseExpression("-5"));
  ASSERT_EQ(minus_five->kind, ExprKind::kLiteral);
  EXPECT_EQ(minus_five->As<LiteralExpr>().literal_kind, LiteralKind::kInt64);
  EXPECT_EQ(minus_five->As<LiteralExpr>().int_value, -5);
  ASSERT_OK_AND_ASSIGN(ExprPtr min, ParseExpression("-9223372036854775808"));
  EXPECT_EQ(min->As<LiteralExpr>().int_value, std::numeric_limits<int64_t>::min());
  ASSERT_OK_AND_ASSIGN(ExprPtr beyond, ParseExpression("-9223372036854775809"));
  EXPECT_EQ(beyond->As<LiteralExpr>().literal_kind, LiteralKind::kFloat64);
  ASSERT_OK_AND_ASSIGN(ExprPtr zero, ParseExpression("-0"));
  EXPECT_EQ(zero->As<LiteralExpr>().literal_kind, LiteralKind::kUInt64);
  ASSERT_OK_AND_ASSIGN(ExprPtr big, ParseExpression("18446744073709551615"));
  EXPECT_EQ(big->As<LiteralExpr>().uint_value, 18446744073709551615u);
  ASSERT_OK_AND_ASSIGN(ExprPtr negative_inf, ParseExpression("-inf"));
  EXPECT_TRUE(std::isinf(negative_inf->As<LiteralExpr>().float_value));
  EXPECT_LT(negative_inf->As<LiteralExpr>().float_value, 0);
  EXPECT_EQ(Tree("-(5)"), "(- 5)");
  EXPECT_EQ(Tree("1-2"), "(- 1 2)");
}

TEST(ParserTest, Literals) {
  EXPECT_EQ(Tree("NULL"), "NULL");
  EXPECT_EQ(Tree("true AND FALSE"), "(AND true false)");
  EXPECT_EQ(Tree("'it\\'s'"), "'it\\'s'");
  EXPECT_EQ(Tree("0x1F"), "31");
  EXPECT_EQ(Tree("1e3"), "1000.0");
  EXPECT_EQ(Tree("nan"), "nan");
}

TEST(ParserTest, InBetweenIsNull) {
  EXPECT_EQ(Tree("x IN (1, 2, 3)"), "(IN x (tuple 1 2 3))");
  EXPECT_EQ(Tree("x NOT IN ('a')"), "(NOT IN x 'a')");
  EXPECT_EQ(Tree("(a, b) IN ((1, 2), (3, 4))"), "(IN (tuple a b) (tuple (tuple 1 2) (tuple 3 4)))");
  EXPECT_EQ(Tree("x IN (SELECT 1) AND y"), "(AND (IN x (SELECT 1)) y)");
  EXPECT_EQ(Tree("x BETWEEN 1 AND 2 AND y"), "(AND (BETWEEN x 1 2) y)");
  EXPECT_EQ(Tree("x NOT BETWEEN a + 1 AND b * 2"), "(NOT BETWEEN x (+ a 1) (* b 2))");
  EXPECT_EQ(Tree("x IS NULL OR y IS NOT NULL"), "(OR (IS NULL x) (IS NOT NULL y))");
  EXPECT_EQ(Tree("a = b IS NULL"), "(IS NULL (= a b))");
  EXPECT_EQ(Tree("NOT x IN (1)"), "(NOT (IN x 1))");
}

TEST(ParserTest, FunctionCalls) {
  EXPECT_EQ(Tree("count()"), "count()");
  EXPECT_EQ(Tree("count(*)"), "count(*)");
  EXPECT_EQ(Tree("count(DISTINCT user_id)"), "count(DISTINCT user_id)");
  EXPECT_EQ(Tree("quantile(0.9)(x)"), "quantile(0.9)(x)");
  EXPECT_EQ(Tree("windowFunnel(86400, 'strict_order')(t, e = 'a', e = 'b')"),
            "windowFunnel(86400 'strict_order')(t (= e 'a') (= e 'b'))");
  EXPECT_EQ(Tree("f()()"), "f()()");
  EXPECT_EQ(Tree("left(s, 2)"), "left(s 2)");
  EXPECT_EQ(Tree("`select`(1)"), "select(1)");
  ASSERT_OK_AND_ASSIGN(ExprPtr call, ParseExpression("uniqExact(user_id)"));
  EXPECT_EQ(call->As<FunctionExpr>().name, "uniqExact");
}

TEST(ParserTest, NamedArguments) {
  ASSERT_OK_AND_ASSIGN(ExprPtr call,
                       ParseExpression("funnel(steps => ['a', 'b'], window => INTERVAL 1 DAY)"));
  const FunctionExpr& function = call->As<FunctionExpr>();
  ASSERT_EQ(function.args.size(), 2u);
  const NamedArgumentExpr& steps = function.args[0]->As<NamedArgumentExpr>();
  EXPECT_EQ(steps.name, "steps");
  EXPECT_EQ(steps.value->kind, ExprKind::kArray);
  EXPECT_EQ(function.args[1]->As<NamedArgumentExpr>().name, "window");
  // Keywords are fine as argument names.
  EXPECT_EQ(Tree("f(from => 1, to => 2, where => 'x', order => 'strict')"),
            "f(from => 1 to => 2 where => 'x' order => 'strict')");
}

TEST(ParserTest, ColumnsAndStars) {
  ASSERT_OK_AND_ASSIGN(ExprPtr column, ParseExpression("e.user_id"));
  EXPECT_EQ(column->As<ColumnExpr>().table, "e");
  EXPECT_EQ(column->As<ColumnExpr>().name, "user_id");
  ASSERT_OK_AND_ASSIGN(ExprPtr quoted, ParseExpression("\"my table\".`my col`"));
  EXPECT_EQ(quoted->As<ColumnExpr>().table, "my table");
  EXPECT_EQ(quoted->As<ColumnExpr>().name, "my col");
  ASSERT_OK_AND_ASSIGN(ExprPtr star, ParseExpression("t.*"));
  EXPECT_EQ(star->As<StarExpr>().table, "t");
}

TEST(ParserTest, CaseIntervalArrayTupleCast) {
  EXPECT_EQ(Tree("CASE WHEN a THEN 1 WHEN b THEN 2 ELSE 3 END"),
            "CASE WHEN a THEN 1 WHEN b THEN 2 ELSE 3 END");
  ASSERT_OK_AND_ASSIGN(ExprPtr simple, ParseExpression("CASE x WHEN 1 THEN 'one' END"));
  EXPECT_NE(simple->As<CaseExpr>().operand, nullptr);
  EXPECT_EQ(simple->As<CaseExpr>().else_result, nullptr);
  EXPECT_EQ(Tree("INTERVAL 7 DAY"), "(INTERVAL 7 DAY)");
  EXPECT_EQ(Tree("INTERVAL 1 hour"), "(INTERVAL 1 HOUR)");
  EXPECT_EQ(Tree("INTERVAL '1 day'"), "(INTERVAL 1 DAY)");
  EXPECT_EQ(Tree("INTERVAL ' 2  Weeks '"), "(INTERVAL 2 WEEK)");
  EXPECT_EQ(Tree("INTERVAL '3' MONTH"), "(INTERVAL '3' MONTH)");
  EXPECT_EQ(Tree("INTERVAL -1 QUARTER"), "(INTERVAL -1 QUARTER)");
  EXPECT_EQ(Tree("INTERVAL n YEAR"), "(INTERVAL n YEAR)");
  EXPECT_EQ(Tree("now() - INTERVAL 7 DAY"), "(- now() (INTERVAL 7 DAY))");
  EXPECT_EQ(Tree("INTERVAL 5 SECOND + INTERVAL 1 MINUTE"),
            "(+ (INTERVAL 5 SECOND) (INTERVAL 1 MINUTE))");
  EXPECT_EQ(Tree("[1, 'a', []]"), "[1 'a' []]");
  EXPECT_EQ(Tree("(1, 'a')"), "(tuple 1 'a')");
  EXPECT_EQ(Tree("((1))"), "1");
  EXPECT_EQ(Tree("CAST(x AS Nullable(String))"), "(CAST x Nullable(String))");
  EXPECT_EQ(Tree("x::DateTime64(3, 'UTC')"), "(CAST x DateTime64(3, 'UTC'))");
  EXPECT_EQ(Tree("CAST(x AS Enum8('a' = 1, 'b' = -2))"), "(CAST x Enum8('a' = 1, 'b' = -2))");
  EXPECT_EQ(Tree("CAST(x AS Tuple(a UInt8, b Array(String)))"),
            "(CAST x Tuple(a UInt8, b Array(String)))");
  EXPECT_EQ(Tree("CAST(x, 'String')"), "CAST(x 'String')");
}

TEST(ParserTest, ScalarSubquery) {
  ASSERT_OK_AND_ASSIGN(ExprPtr expr, ParseExpression("(SELECT max(t) FROM events) - 1"));
  const BinaryExpr& binary = expr->As<BinaryExpr>();
  EXPECT_EQ(binary.left->kind, ExprKind::kSubquery);
  EXPECT_EQ(binary.left->As<SubqueryExpr>().query->cores.size(), 1u);
}

TEST(ParserTest, PositionsPointAtTheNode) {
  ASSERT_OK_AND_ASSIGN(Statement statement, ParseStatement("SELECT a\n  + f(b)"));
  const BinaryExpr& sum = Core(statement).items[0].expr->As<BinaryExpr>();
  EXPECT_EQ(sum.pos.line, 2u);
  EXPECT_EQ(sum.pos.column, 3u);
  EXPECT_EQ(sum.left->pos.column, 8u);
  EXPECT_EQ(sum.right->pos.offset, 13u);
  const FunctionExpr& call = sum.right->As<FunctionExpr>();
  EXPECT_EQ(call.args[0]->pos.column, 7u);
}

// --- Statements ---------------------------------------------------------------

TEST(ParserTest, SelectClauses) {
  ASSERT_OK_AND_ASSIGN(
      Statement statement,
      ParseStatement("select distinct a, b as bb, c cc from db.t as x where a > 1 group by 1, b "
                     "having count() > 2 order by a desc nulls last, b asc limit 10 offset 5 "
                     "settings max_threads = 2, x = 'y' format JSONEachRow;"));
  EXPECT_EQ(statement.kind, StatementKind::kSelect);
  const SelectCore& core = Core(statement);
  EXPECT_TRUE(core.distinct);
  ASSERT_EQ(core.items.size(), 3u);
  EXPECT_EQ(core.items[1].alias, "bb");
  EXPECT_EQ(core.items[2].alias, "cc");
  ASSERT_TRUE(core.from.has_value());
  EXPECT_EQ(core.from->kind, TableRefKind::kTable);
  EXPECT_EQ(core.from->database, "db");
  EXPECT_EQ(core.from->table, "t");
  EXPECT_EQ(core.from->alias, "x");
  EXPECT_NE(core.where, nullptr);
  EXPECT_EQ(core.group_by.size(), 2u);
  EXPECT_NE(core.having, nullptr);
  ASSERT_EQ(core.order_by.size(), 2u);
  EXPECT_TRUE(core.order_by[0].descending);
  EXPECT_EQ(core.order_by[0].nulls, NullsOrder::kLast);
  EXPECT_FALSE(core.order_by[1].descending);
  EXPECT_EQ(ToSql(*core.limit), "10");
  EXPECT_EQ(ToSql(*core.offset), "5");
  ASSERT_EQ(statement.settings.size(), 2u);
  EXPECT_EQ(statement.settings[0].name, "max_threads");
  EXPECT_EQ(statement.format, "JSONEachRow");
  test::RoundTrip(statement);
}

TEST(ParserTest, LimitCommaForm) {
  ASSERT_OK_AND_ASSIGN(Statement statement, ParseStatement("SELECT a FROM t LIMIT 20, 10"));
  EXPECT_EQ(ToSql(*Core(statement).offset), "20");
  EXPECT_EQ(ToSql(*Core(statement).limit), "10");
  EXPECT_EQ(Reprint("SELECT a FROM t LIMIT 20, 10"), "SELECT a FROM t LIMIT 10 OFFSET 20");
}

TEST(ParserTest, WithClauses) {
  ASSERT_OK_AND_ASSIGN(
      Statement statement,
      ParseStatement("WITH toDate('2026-10-01') AS d0, cohort AS (SELECT user_id FROM events) "
                     "SELECT d0, count() FROM cohort"));
  const SelectCore& core = Core(statement);
  ASSERT_EQ(core.with.size(), 2u);
  EXPECT_EQ(core.with[0].name, "d0");
  EXPECT_NE(core.with[0].expr, nullptr);
  EXPECT_EQ(core.with[1].name, "cohort");
  EXPECT_NE(core.with[1].subquery, nullptr);
  test::RoundTrip(statement);
}

TEST(ParserTest, FromSubqueryAndTableFunction) {
  ASSERT_OK_AND_ASSIGN(Statement subquery, ParseStatement("SELECT * FROM (SELECT 1 AS x) AS s"));
  EXPECT_EQ(Core(subquery).from->kind, TableRefKind::kSubquery);
  EXPECT_EQ(Core(subquery).from->alias, "s");
  ASSERT_OK_AND_ASSIGN(Statement function, ParseStatement("SELECT * FROM numbers(10)"));
  EXPECT_EQ(Core(function).from->kind, TableRefKind::kFunction);
  EXPECT_EQ(Core(function).from->function->As<FunctionExpr>().name, "numbers");
  ASSERT_OK_AND_ASSIGN(Statement system, ParseStatement("SELECT name FROM system.tables"));
  EXPECT_EQ(Core(system).from->database, "system");
  EXPECT_EQ(Core(system).from->table, "tables");
}

TEST(ParserTest, UnionAll) {
  ASSERT_OK_AND_ASSIGN(Statement statement,
                       ParseStatement("SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 LIMIT 1"));
  EXPECT_EQ(statement.query->cores.size(), 3u);
  EXPECT_NE(statement.query->cores[2].limit, nullptr);
  test::RoundTrip(statement);
}

TEST(ParserTest, ShowDescribeExplain) {
  ASSERT_OK_AND_ASSIGN(Statement tables, ParseStatement("SHOW TABLES"));
  EXPECT_EQ(tables.kind, StatementKind::kShowTables);
  ASSERT_OK_AND_ASSIGN(Statement filtered, ParseStatement("show tables from system like 'e%'"));
  EXPECT_EQ(filtered.show_database, "system");
  EXPECT_EQ(filtered.show_like, "e%");
  ASSERT_OK_AND_ASSIGN(Statement databases, ParseStatement("SHOW DATABASES;"));
  EXPECT_EQ(databases.kind, StatementKind::kShowDatabases);
  for (absl::string_view sql : {"DESCRIBE events", "DESC events", "DESCRIBE TABLE events"}) {
    ASSERT_OK_AND_ASSIGN(Statement describe, ParseStatement(sql));
    EXPECT_EQ(describe.kind, StatementKind::kDescribe);
    EXPECT_EQ(describe.table.table, "events");
  }
  ASSERT_OK_AND_ASSIGN(Statement explain, ParseStatement("EXPLAIN SELECT 1"));
  EXPECT_EQ(explain.kind, StatementKind::kExplain);
  EXPECT_EQ(explain.explain, ExplainKind::kPlan);
  ASSERT_OK_AND_ASSIGN(Statement syntax, ParseStatement("EXPLAIN SYNTAX SELECT a FROM t"));
  EXPECT_EQ(syntax.explain, ExplainKind::kSyntax);
  EXPECT_EQ(Reprint("EXPLAIN PLAN SELECT 1"), "EXPLAIN PLAN SELECT 1");
  EXPECT_EQ(Reprint("desc system.tables format JSON"), "DESCRIBE TABLE system.tables FORMAT JSON");
  EXPECT_EQ(Reprint("show tables in db like 'x'"), "SHOW TABLES FROM db LIKE 'x'");
  EXPECT_EQ(Reprint("show databases"), "SHOW DATABASES");
}

TEST(ParserTest, InsertRecordsWhereTheDataBegins) {
  std::string sql = "INSERT INTO events FORMAT JSONEachRow\n{\"user_id\": \"u1\"}\n";
  ASSERT_OK_AND_ASSIGN(Statement statement, ParseStatement(sql));
  EXPECT_EQ(statement.kind, StatementKind::kInsert);
  EXPECT_EQ(statement.table.table, "events");
  EXPECT_EQ(statement.format, "JSONEachRow");
  EXPECT_EQ(sql.substr(statement.data_offset), "{\"user_id\": \"u1\"}\n");

  std::string same_line = "insert into db.events (a, `b c`) format CSV 1,'x\n2,\"y\"";
  ASSERT_OK_AND_ASSIGN(Statement csv, ParseStatement(same_line));
  EXPECT_EQ(csv.table.database, "db");
  EXPECT_THAT(csv.columns, testing::ElementsAre("a", "b c"));
  EXPECT_EQ(same_line.substr(csv.data_offset), "1,'x\n2,\"y\"");
  EXPECT_EQ(Reprint(same_line), "INSERT INTO db.events (a, `b c`) FORMAT CSV");

  ASSERT_OK_AND_ASSIGN(Statement empty, ParseStatement("INSERT INTO t FORMAT JSONEachRow"));
  EXPECT_EQ(empty.data_offset, 32u);
  ASSERT_OK_AND_ASSIGN(Statement settings,
                       ParseStatement("INSERT INTO t SETTINGS async_insert = 1 FORMAT X\r\nd"));
  EXPECT_EQ(settings.settings.size(), 1u);
  EXPECT_EQ(Reprint("INSERT INTO t SETTINGS async_insert = 1 FORMAT X\r\nd"),
            "INSERT INTO t SETTINGS async_insert = 1 FORMAT X");
}

TEST(ParserTest, DeleteBothSyntaxes) {
  ASSERT_OK_AND_ASSIGN(Statement plain, ParseStatement("DELETE FROM events WHERE user_id = 'u1'"));
  EXPECT_EQ(plain.kind, StatementKind::kDelete);
  EXPECT_FALSE(plain.alter_syntax);
  EXPECT_EQ(ToSql(*plain.where), "user_id = 'u1'");
  ASSERT_OK_AND_ASSIGN(Statement alter,
                       ParseStatement("ALTER TABLE events DELETE WHERE user_id = 'u1'"));
  EXPECT_EQ(alter.kind, StatementKind::kDelete);
  EXPECT_TRUE(alter.alter_syntax);
  EXPECT_EQ(Reprint("alter table events delete where user_id IN ('a', 'b')"),
            "ALTER TABLE events DELETE WHERE user_id IN ('a', 'b')");
  EXPECT_EQ(Reprint("delete from events where user_id = 'u1'"),
            "DELETE FROM events WHERE user_id = 'u1'");
}

TEST(ParserTest, Scripts) {
  ASSERT_OK_AND_ASSIGN(std::vector<Statement> script,
                       ParseScript(";SELECT 1;; SHOW TABLES\n;DESCRIBE events;"));
  ASSERT_EQ(script.size(), 3u);
  EXPECT_EQ(script[1].kind, StatementKind::kShowTables);
  ASSERT_OK_AND_ASSIGN(std::vector<Statement> empty, ParseScript("  -- nothing\n"));
  EXPECT_TRUE(empty.empty());
  std::string with_insert = "SELECT 1; INSERT INTO t FORMAT CSV\n'not sql; SELECT";
  ASSERT_OK_AND_ASSIGN(std::vector<Statement> inserted, ParseScript(with_insert));
  ASSERT_EQ(inserted.size(), 2u);
  EXPECT_EQ(with_insert.substr(inserted[1].data_offset), "'not sql; SELECT");
}

TEST(ParserTest, KeywordsAreCaseInsensitiveNamesAreNot) {
  ASSERT_OK_AND_ASSIGN(Statement statement,
                       ParseStatement("sElEcT CountIf(X = 1) FrOm Events WhErE Y"));
  EXPECT_EQ(Core(statement).items[0].expr->As<FunctionExpr>().name, "CountIf");
  EXPECT_EQ(Core(statement).from->table, "Events");
}

TEST(ParserTest, ParseExpressionForTableFunctionFilters) {
  EXPECT_EQ(Tree("platform = 'ios' AND country IN ('US', 'CA')"),
            "(AND (= platform 'ios') (IN country (tuple 'US' 'CA')))");
  EXPECT_EQ(Tree(""), "error: line 1, column 1: expected expression, found end of input");
  EXPECT_EQ(Tree("a b"), "error: line 1, column 3: unexpected 'b'");
}

}  // namespace
}  // namespace mua
