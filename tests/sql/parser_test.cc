#include "sql/parser.h"

#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sql/binder.h"
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
  EXPECT_EQ(Reprint("show tables not like 'x%'"), "SHOW TABLES NOT LIKE 'x%'");
  EXPECT_EQ(Reprint("show tables from system not ilike 'X%'"), "SHOW TABLES FROM system NOT ILIKE 'X%'");
  ASSERT_OK_AND_ASSIGN(Statement ilike, ParseStatement("SHOW TABLES ILIKE 'EV%'"));
  EXPECT_TRUE(ilike.show_ilike);
  EXPECT_FALSE(ilike.show_not_like);
  EXPECT_EQ(ilike.show_like, "EV%");
  EXPECT_FALSE(ParseStatement("SHOW TABLES NOT 'x'").ok());
  EXPECT_EQ(Reprint("show databases"), "SHOW DATABASES");
}

TEST(ParserTest, ExistsSubqueryIsTheExistsFunction) {
  // As ClickHouse's parser reads it; the printed form parses back to the same tree.
  EXPECT_EQ(Reprint("SELECT EXISTS(SELECT 1)"), "SELECT exists((SELECT 1))");
  EXPECT_EQ(Reprint("SELECT exists((SELECT 1))"), "SELECT exists((SELECT 1))");
  EXPECT_EQ(Reprint("SELECT a FROM t WHERE NOT EXISTS (WITH 1 AS x SELECT x FROM u)"),
            Reprint(Reprint("SELECT a FROM t WHERE NOT EXISTS (WITH 1 AS x SELECT x FROM u)")));
  ASSERT_OK_AND_ASSIGN(Statement table, ParseStatement("EXISTS TABLE events"));
  EXPECT_EQ(table.kind, StatementKind::kExistsTable);
  EXPECT_FALSE(ParseStatement("SELECT EXISTS(SELECT 1").ok());
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

// --- Issue 16: joins, set operations, windows, lambdas, parameters, DDL -------

const TableRef& From(const Statement& statement) { return *Core(statement).from; }

TEST(ParserTest, JoinsFormALeftDeepTree) {
  ASSERT_OK_AND_ASSIGN(Statement statement,
                       ParseStatement("SELECT * FROM events AS e LEFT JOIN releases r "
                                      "ON e.app_version = r.version INNER JOIN c USING (k, j)"));
  const TableRef& top = From(statement);
  ASSERT_EQ(top.kind, TableRefKind::kJoin);
  EXPECT_EQ(top.join_kind, JoinKind::kInner);
  ASSERT_EQ(top.using_columns.size(), 2u);
  EXPECT_EQ(top.using_columns[1]->As<ColumnExpr>().name, "j");
  EXPECT_EQ(top.right->table, "c");
  const TableRef& first = *top.left;
  ASSERT_EQ(first.kind, TableRefKind::kJoin);
  EXPECT_EQ(first.join_kind, JoinKind::kLeft);
  EXPECT_EQ(first.strictness, JoinStrictness::kDefault);
  EXPECT_EQ(first.left->alias, "e");
  EXPECT_EQ(first.right->alias, "r");
  EXPECT_EQ(test::TreeOf(*first.on), "(= e.app_version r.version)");
  EXPECT_EQ(top.height, 4u);  // the ON condition (a comparison of columns) is 2 high
}

TEST(ParserTest, JoinKindsAndStrictness) {
  struct Case {
    const char* sql;
    JoinKind kind;
    JoinStrictness strictness;
    bool global;
  };
  const Case cases[] = {
      {"a JOIN b ON x", JoinKind::kInner, JoinStrictness::kDefault, false},
      {"a LEFT OUTER JOIN b ON x", JoinKind::kLeft, JoinStrictness::kDefault, false},
      {"a RIGHT JOIN b USING k", JoinKind::kRight, JoinStrictness::kDefault, false},
      {"a FULL OUTER JOIN b ON x", JoinKind::kFull, JoinStrictness::kDefault, false},
      {"a CROSS JOIN b", JoinKind::kCross, JoinStrictness::kDefault, false},
      {"a ANY LEFT JOIN b ON x", JoinKind::kLeft, JoinStrictness::kAny, false},
      {"a LEFT ANY JOIN b ON x", JoinKind::kLeft, JoinStrictness::kAny, false},
      {"a ALL INNER JOIN b ON x", JoinKind::kInner, JoinStrictness::kAll, false},
      {"a LEFT SEMI JOIN b ON x", JoinKind::kLeft, JoinStrictness::kSemi, false},
      {"a RIGHT ANTI JOIN b ON x", JoinKind::kRight, JoinStrictness::kAnti, false},
      {"a ANY JOIN b ON x", JoinKind::kInner, JoinStrictness::kAny, false},
      {"a GLOBAL ANY LEFT JOIN b ON x", JoinKind::kLeft, JoinStrictness::kAny, true},
      {"a GLOBAL JOIN b ON x", JoinKind::kInner, JoinStrictness::kDefault, true},
  };
  for (const Case& c : cases) {
    ASSERT_OK_AND_ASSIGN(Statement statement,
                         ParseStatement(absl::StrCat("SELECT 1 FROM ", c.sql)));
    const TableRef& join = From(statement);
    ASSERT_EQ(join.kind, TableRefKind::kJoin) << c.sql;
    EXPECT_EQ(join.join_kind, c.kind) << c.sql;
    EXPECT_EQ(join.strictness, c.strictness) << c.sql;
    EXPECT_EQ(join.global, c.global) << c.sql;
    EXPECT_EQ(join.left->table, "a") << c.sql;
    EXPECT_EQ(join.right->table, "b") << c.sql;
  }
}

TEST(ParserTest, CommaJoinsSubqueriesAndTableFunctions) {
  ASSERT_OK_AND_ASSIGN(Statement statement,
                       ParseStatement("SELECT 1 FROM numbers(3) n, (SELECT 1 AS x) AS s "
                                      "JOIN system.tables t ON t.name = s.x"));
  const TableRef& top = From(statement);
  EXPECT_EQ(top.right->database, "system");
  const TableRef& comma = *top.left;
  EXPECT_TRUE(comma.comma);
  EXPECT_EQ(comma.join_kind, JoinKind::kCross);
  EXPECT_EQ(comma.left->kind, TableRefKind::kFunction);
  EXPECT_EQ(comma.left->alias, "n");
  EXPECT_EQ(comma.right->kind, TableRefKind::kSubquery);
  EXPECT_EQ(comma.right->alias, "s");
}

TEST(ParserTest, ArrayJoinClauses) {
  ASSERT_OK_AND_ASSIGN(Statement statement,
                       ParseStatement("SELECT tag FROM t ARRAY JOIN tags AS tag, [1, 2] n "
                                      "LEFT ARRAY JOIN other WHERE tag != ''"));
  const SelectCore& core = Core(statement);
  ASSERT_EQ(core.array_joins.size(), 2u);
  EXPECT_FALSE(core.array_joins[0].left);
  ASSERT_EQ(core.array_joins[0].items.size(), 2u);
  EXPECT_EQ(core.array_joins[0].items[0].alias, "tag");
  EXPECT_EQ(core.array_joins[0].items[1].alias, "n");
  EXPECT_TRUE(core.array_joins[1].left);
  EXPECT_EQ(core.array_joins[1].items[0].alias, "");
  EXPECT_NE(core.where, nullptr);
}

TEST(ParserTest, UnionOperatorsAreLeftAssociative) {
  ASSERT_OK_AND_ASSIGN(
      Statement statement,
      ParseStatement("SELECT 1 UNION ALL SELECT 2 UNION DISTINCT SELECT 3 ORDER BY 1 LIMIT 1"));
  const SelectQuery& query = *statement.query;
  ASSERT_EQ(query.cores.size(), 3u);
  EXPECT_THAT(query.operators,
              testing::ElementsAre(SetOperator::kUnionAll, SetOperator::kUnionDistinct));
  EXPECT_EQ(query.cores[2].order_by.size(), 1u);  // ORDER BY and LIMIT belong to the last SELECT
  EXPECT_NE(query.cores[2].limit, nullptr);
  EXPECT_TRUE(query.cores[0].order_by.empty());
}

TEST(ParserTest, ParenthesizedUnionOperands) {
  ASSERT_OK_AND_ASSIGN(Statement flat,
                       ParseStatement("(SELECT a FROM t ORDER BY a LIMIT 1) UNION ALL (SELECT 2)"));
  ASSERT_EQ(flat.query->cores.size(), 2u);
  EXPECT_NE(flat.query->cores[0].limit, nullptr);
  ASSERT_OK_AND_ASSIGN(Statement nested,
                       ParseStatement("SELECT 1 UNION ALL (SELECT 2 UNION DISTINCT SELECT 3)"));
  ASSERT_EQ(nested.query->cores.size(), 2u);
  ASSERT_NE(nested.query->cores[1].nested, nullptr);
  EXPECT_THAT(nested.query->cores[1].nested->operators,
              testing::ElementsAre(SetOperator::kUnionDistinct));
  ASSERT_OK_AND_ASSIGN(Statement in_expr,
                       ParseStatement("SELECT 1 WHERE x IN ((SELECT 1) UNION ALL (SELECT 2))"));
  const Expr& set = *Core(in_expr).where->As<InExpr>().set;
  ASSERT_EQ(set.kind, ExprKind::kSubquery);
  EXPECT_EQ(set.As<SubqueryExpr>().query->cores.size(), 2u);
  ASSERT_OK_AND_ASSIGN(Statement from,
                       ParseStatement("SELECT * FROM ((SELECT 1) UNION ALL SELECT 2) AS u"));
  EXPECT_EQ(From(from).subquery->cores.size(), 2u);
}

TEST(ParserTest, BareUnionFollowsUnionDefaultMode) {
  ASSERT_OK_AND_ASSIGN(
      Statement distinct,
      ParseStatement("SELECT 1 UNION SELECT 2 SETTINGS union_default_mode = 'DISTINCT'"));
  EXPECT_THAT(distinct.query->operators, testing::ElementsAre(SetOperator::kUnionDistinct));
  ASSERT_OK_AND_ASSIGN(Statement all,
                       ParseStatement("SELECT (SELECT 1 UNION SELECT 2) SETTINGS "
                                      "union_default_mode = 'all'"));
  const Expr& subquery = *Core(all).items[0].expr;
  EXPECT_THAT(subquery.As<SubqueryExpr>().query->operators,
              testing::ElementsAre(SetOperator::kUnionAll));
}

TEST(ParserTest, WindowFunctions) {
  ASSERT_OK_AND_ASSIGN(
      Statement statement,
      ParseStatement("SELECT rank() OVER (PARTITION BY u, d ORDER BY t DESC ROWS BETWEEN 2 "
                     "PRECEDING AND UNBOUNDED FOLLOWING), sum(x) OVER w, count() OVER (), "
                     "lagInFrame(x, 1) OVER (w RANGE CURRENT ROW) FROM t "
                     "WINDOW w AS (ORDER BY t), v AS (w)"));
  const SelectCore& core = Core(statement);
  const WindowSpec& first = *core.items[0].expr->As<FunctionExpr>().over;
  EXPECT_EQ(first.partition_by.size(), 2u);
  ASSERT_EQ(first.order_by.size(), 1u);
  EXPECT_TRUE(first.order_by[0].descending);
  ASSERT_TRUE(first.frame.has_value());
  EXPECT_EQ(first.frame->units, WindowFrameUnits::kRows);
  EXPECT_EQ(first.frame->start.kind, FrameBoundKind::kPreceding);
  EXPECT_EQ(test::TreeOf(*first.frame->start.offset), "2");
  EXPECT_EQ(first.frame->end.kind, FrameBoundKind::kUnboundedFollowing);
  EXPECT_EQ(core.items[1].expr->As<FunctionExpr>().over->base, "w");
  const WindowSpec& empty = *core.items[2].expr->As<FunctionExpr>().over;
  EXPECT_TRUE(empty.base.empty() && empty.partition_by.empty() && !empty.frame.has_value());
  const WindowSpec& extended = *core.items[3].expr->As<FunctionExpr>().over;
  EXPECT_EQ(extended.base, "w");
  EXPECT_EQ(extended.frame->units, WindowFrameUnits::kRange);
  EXPECT_EQ(extended.frame->start.kind, FrameBoundKind::kCurrentRow);
  EXPECT_EQ(extended.frame->end.kind, FrameBoundKind::kCurrentRow);
  ASSERT_EQ(core.windows.size(), 2u);
  EXPECT_EQ(core.windows[0].name, "w");
  EXPECT_EQ(core.windows[1].spec.base, "w");
  EXPECT_EQ(ClickHouseColumnName(*core.items[0].expr),
            "rank() OVER (PARTITION BY u, d ORDER BY t DESC ROWS BETWEEN 2 PRECEDING AND "
            "UNBOUNDED FOLLOWING)");
}

TEST(ParserTest, LambdasTuplesAndGlobalIn) {
  EXPECT_EQ(Tree("arrayMap(x -> x * 2, arr)"), "arrayMap(x -> x * 2 arr)");
  EXPECT_EQ(Tree("arrayFilter((k, v) -> v > 1, ks, vs)"), "arrayFilter((k, v) -> v > 1 ks vs)");
  EXPECT_EQ(Tree("arrayMap(x -> arrayMap(y -> x + y, b), a)"),
            "arrayMap(x -> arrayMap(y -> x + y, b) a)");
  ASSERT_OK_AND_ASSIGN(ExprPtr lambda, ParseExpression("arrayFilter((k, v) -> v > 1, ks, vs)"));
  const LambdaExpr& two = lambda->As<FunctionExpr>().args[0]->As<LambdaExpr>();
  EXPECT_THAT(two.params, testing::ElementsAre("k", "v"));
  EXPECT_EQ(test::TreeOf(*two.body), "(> v 1)");
  EXPECT_EQ(Tree("f((a, b))"), "f((tuple a b))");  // a tuple, not a lambda
  EXPECT_EQ(Tree("t.1"), "tupleElement(t 1)");
  EXPECT_EQ(Tree("t.2.1"), "tupleElement(tupleElement(t 2) 1)");
  EXPECT_EQ(Tree("tab.col.1"), "tupleElement(tab.col 1)");
  EXPECT_EQ(Tree("(1, 'a').2"), "tupleElement((tuple 1 'a') 2)");
  EXPECT_EQ(Tree("(a, b) IN ((1, 2), (3, 4))"),
            "(IN (tuple a b) (tuple (tuple 1 2) (tuple 3 4)))");
  ASSERT_OK_AND_ASSIGN(ExprPtr global, ParseExpression("u GLOBAL NOT IN (SELECT 1)"));
  EXPECT_TRUE(global->As<InExpr>().global);
  EXPECT_TRUE(global->As<InExpr>().negated);
  ASSERT_OK_AND_ASSIGN(ExprPtr cte, ParseExpression("user_id GLOBAL IN buyers"));
  EXPECT_EQ(cte->As<InExpr>().set->kind, ExprKind::kColumn);
}

TEST(ParserTest, IntervalUnitArgumentsBecomeStrings) {
  EXPECT_EQ(Tree("dateAdd(day, 1, d)"), "dateAdd('day' 1 d)");
  EXPECT_EQ(Tree("DATE_SUB(SQL_TSI_HOUR, 2, d)"), "DATE_SUB('hour' 2 d)");
  EXPECT_EQ(Tree("dateDiff(MS, a, b)"), "dateDiff('millisecond' a b)");
  EXPECT_EQ(Tree("date_diff(Weeks, a, b, 'UTC')"), "date_diff('week' a b 'UTC')");
  EXPECT_EQ(Tree("timestamp_add(yyyy, 1, d)"), "timestamp_add('year' 1 d)");
  EXPECT_EQ(Tree("age(nanosecond, a, b)"), "age('nanosecond' a b)");
  EXPECT_EQ(Tree("dateDiff('day', a, b)"), "dateDiff('day' a b)");
  EXPECT_EQ(Tree("dateAdd(d, INTERVAL 1 DAY)"), "dateAdd(d (INTERVAL 1 DAY))");  // not 3 args
  EXPECT_EQ(Tree("plus(day, 1)"), "plus(day 1)");  // only the date functions
}

TEST(ParserTest, SelectClausesOfIssue16) {
  ASSERT_OK_AND_ASSIGN(
      Statement statement,
      ParseStatement("SELECT d, count() FROM t PREWHERE a WHERE b GROUP BY d WITH TOTALS "
                     "ORDER BY d WITH FILL FROM 1 TO 10 STEP 2, e DESC WITH FILL "
                     "LIMIT 2 OFFSET 1 BY d LIMIT 5 SETTINGS max_threads = 1"));
  const SelectCore& core = Core(statement);
  EXPECT_EQ(test::TreeOf(*core.where), "(AND a b)");
  EXPECT_TRUE(core.with_totals);
  ASSERT_EQ(core.order_by.size(), 2u);
  EXPECT_TRUE(core.order_by[0].with_fill);
  EXPECT_EQ(test::TreeOf(*core.order_by[0].fill_to), "10");
  EXPECT_EQ(test::TreeOf(*core.order_by[0].fill_step), "2");
  EXPECT_TRUE(core.order_by[1].with_fill);
  EXPECT_EQ(core.order_by[1].fill_from, nullptr);
  EXPECT_EQ(test::TreeOf(*core.limit_by_limit), "2");
  EXPECT_EQ(test::TreeOf(*core.limit_by_offset), "1");
  ASSERT_EQ(core.limit_by.size(), 1u);
  EXPECT_EQ(test::TreeOf(*core.limit), "5");
  ASSERT_EQ(statement.settings.size(), 1u);
  ASSERT_OK_AND_ASSIGN(Statement comma_form, ParseStatement("SELECT 1 FROM t LIMIT 1, 2 BY a, b"));
  EXPECT_EQ(Core(comma_form).limit_by.size(), 2u);
  EXPECT_EQ(Core(comma_form).limit, nullptr);
}

TEST(ParserTest, QueryParametersAreValuesNotText) {
  QueryParameters params = {{"id", "42"}, {"name", "x'); DROP TABLE t; --"},
                            {"tbl", "system.tables"}};
  ASSERT_OK_AND_ASSIGN(
      Statement statement,
      ParseStatement("SELECT {id:UInt64} + 1, {name: String} FROM {tbl:Identifier}", params));
  EXPECT_EQ(test::TreeOf(*Core(statement).items[0].expr), "(+ (CAST '42' UInt64) 1)");
  EXPECT_EQ(test::TreeOf(*Core(statement).items[1].expr),
            "(CAST 'x\\'); DROP TABLE t; --' String)");
  EXPECT_EQ(From(statement).database, "system");
  EXPECT_EQ(From(statement).table, "tables");
  ASSERT_OK_AND_ASSIGN(Statement array,
                       ParseStatement("SELECT {a:Array(Nullable(String))}", {{"a", "['x']"}}));
  EXPECT_EQ(test::TreeOf(*Core(array).items[0].expr), "(CAST '[\\'x\\']' Array(Nullable(String)))");
  // Values are in ClickHouse's escaped text format: \t is a tab in a String, \N a NULL.
  ASSERT_OK_AND_ASSIGN(Statement escaped,
                       ParseStatement("SELECT {s:String}, {n:Nullable(UInt8)}, {r:String}",
                                      {{"s", "a\\tb\\\\"}, {"n", "\\N"}, {"r", "\\N"}}));
  EXPECT_EQ(test::TreeOf(*Core(escaped).items[0].expr), "(CAST 'a\\tb\\\\' String)");
  EXPECT_EQ(test::TreeOf(*Core(escaped).items[1].expr), "(CAST NULL Nullable(UInt8))");
  EXPECT_EQ(test::TreeOf(*Core(escaped).items[2].expr), "(CAST 'N' String)");
  EXPECT_EQ(ParseStatement("SELECT {id:UInt64}").status().message(),
            "line 1, column 8: Substitution `id` is not set");
}

TEST(ParserTest, CreateTable) {
  ASSERT_OK_AND_ASSIGN(
      Statement statement,
      ParseStatement("CREATE TABLE IF NOT EXISTS db.releases (version String COMMENT 'semver', "
                     "released DateTime64(3), price Decimal(10, 2) DEFAULT 0, tags Array(String), "
                     "note String NULL, country LowCardinality(String), n DEFAULT 1) "
                     "ENGINE = MergeTree() PARTITION BY toYYYYMM(released) ORDER BY (version, "
                     "released) SETTINGS index_granularity = 8192 COMMENT 'app releases'"));
  ASSERT_EQ(statement.kind, StatementKind::kCreateTable);
  EXPECT_EQ(statement.table.database, "db");
  EXPECT_EQ(statement.table.table, "releases");
  const CreateTable& create = *statement.create;
  EXPECT_TRUE(create.if_not_exists);
  ASSERT_EQ(create.columns.size(), 7u);
  EXPECT_EQ(create.columns[0].comment, "semver");
  EXPECT_EQ(create.columns[1].type, "DateTime64(3)");
  EXPECT_EQ(create.columns[2].type, "Decimal(10, 2)");
  EXPECT_EQ(create.columns[2].default_kind, ColumnDefaultKind::kDefault);
  EXPECT_EQ(create.columns[4].type, "Nullable(String)");
  EXPECT_EQ(create.columns[5].type, "LowCardinality(String)");
  EXPECT_EQ(create.columns[6].type, "");
  EXPECT_EQ(create.engine, "MergeTree");
  EXPECT_TRUE(create.engine_args.empty());
  EXPECT_EQ(test::TreeOf(*create.partition_by), "toYYYYMM(released)");
  EXPECT_EQ(test::TreeOf(*create.order_by), "(tuple version released)");
  ASSERT_EQ(create.settings.size(), 1u);
  EXPECT_EQ(create.comment, "app releases");
  ASSERT_OK_AND_ASSIGN(Statement memory, ParseStatement("create table m (a UInt8) engine=Memory"));
  EXPECT_EQ(memory.create->engine, "Memory");
  ASSERT_OK_AND_ASSIGN(Statement keyed,
                       ParseStatement("CREATE TABLE k (a UInt8, PRIMARY KEY a) ENGINE = "
                                      "MergeTree ORDER BY tuple()"));
  EXPECT_EQ(test::TreeOf(*keyed.create->primary_key), "a");
  EXPECT_EQ(test::TreeOf(*keyed.create->order_by), "tuple()");
}

TEST(ParserTest, TableStatements) {
  ASSERT_OK_AND_ASSIGN(Statement drop, ParseStatement("DROP TABLE IF EXISTS db.t SYNC"));
  EXPECT_EQ(drop.kind, StatementKind::kDropTable);
  EXPECT_TRUE(drop.if_exists);
  EXPECT_EQ(drop.table.database, "db");
  ASSERT_OK_AND_ASSIGN(Statement truncate, ParseStatement("TRUNCATE t"));
  EXPECT_EQ(truncate.kind, StatementKind::kTruncate);
  EXPECT_FALSE(truncate.if_exists);
  ASSERT_OK_AND_ASSIGN(Statement show, ParseStatement("SHOW CREATE TABLE events FORMAT TSVRaw"));
  EXPECT_EQ(show.kind, StatementKind::kShowCreateTable);
  EXPECT_EQ(show.table.table, "events");
  EXPECT_EQ(show.format, "TSVRaw");
  ASSERT_OK_AND_ASSIGN(Statement exists, ParseStatement("EXISTS TABLE events"));
  EXPECT_EQ(exists.kind, StatementKind::kExistsTable);
  ASSERT_OK_AND_ASSIGN(Statement bare_exists, ParseStatement("EXISTS table"));
  EXPECT_EQ(bare_exists.table.table, "table");
}

TEST(ParserTest, InsertValuesAndSelect) {
  ASSERT_OK_AND_ASSIGN(Statement values,
                       ParseStatement("INSERT INTO t (a, b) VALUES (1, 'x'), (2, NULL) (-3, 'z')"));
  EXPECT_EQ(values.kind, StatementKind::kInsertValues);
  ASSERT_EQ(values.values.size(), 3u);
  EXPECT_EQ(test::TreeList(values.values[2]), "-3 'z'");
  ASSERT_OK_AND_ASSIGN(Statement select,
                       ParseStatement("INSERT INTO t SELECT * FROM u UNION ALL SELECT * FROM v"));
  EXPECT_EQ(select.kind, StatementKind::kInsertSelect);
  EXPECT_EQ(select.query->cores.size(), 2u);
  const std::string data = "INSERT INTO t VALUES\n(1, 'a')";
  ASSERT_OK_AND_ASSIGN(Statement streamed, ParseStatement("INSERT INTO t VALUES"));
  EXPECT_EQ(streamed.kind, StatementKind::kInsert);
  EXPECT_EQ(streamed.format, "Values");
  ASSERT_OK_AND_ASSIGN(std::vector<Statement> script, ParseScript("INSERT INTO t VALUES (1); SELECT 1"));
  EXPECT_EQ(script.size(), 2u);
}

}  // namespace
TEST(ParserTest, SystemOnCluster) {
  ASSERT_OK_AND_ASSIGN(Statement statement, ParseStatement("SYSTEM BACKUP TO '/b' ON CLUSTER default FORMAT TSV"));
  EXPECT_EQ(statement.system_command, "BACKUP TO");
  EXPECT_EQ(statement.system_argument, "/b");
  EXPECT_EQ(statement.on_cluster, "default");
  EXPECT_EQ(statement.format, "TSV");
  test::RoundTrip(statement);
  ASSERT_OK_AND_ASSIGN(statement, ParseStatement("system stop ingest on cluster 'main'"));
  EXPECT_EQ(statement.system_command, "STOP INGEST");
  EXPECT_EQ(statement.on_cluster, "main");
  test::RoundTrip(statement);
  EXPECT_FALSE(ParseStatement("SYSTEM FLUSH ON default").ok());
  EXPECT_FALSE(ParseStatement("SYSTEM FLUSH ON CLUSTER").ok());
}

}  // namespace mua
