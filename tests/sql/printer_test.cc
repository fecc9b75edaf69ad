// ToSql and round trips, including every benchmark query shape of SPEC §9.
#include "sql/printer.h"

#include <string>

#include "gtest/gtest.h"
#include "sql/parser.h"
#include "tests/sql/sql_test_util.h"
#include "tests/testutil/status_matchers.h"

namespace mua {
namespace {

using test::Reprint;

std::string ExprSql(absl::string_view text) {
  absl::StatusOr<ExprPtr> expr = ParseExpression(text);
  if (!expr.ok()) return std::string(expr.status().message());
  std::string printed = ToSql(**expr);
  absl::StatusOr<ExprPtr> reparsed = ParseExpression(printed);
  EXPECT_TRUE(reparsed.ok()) << printed << ": " << reparsed.status();
  if (reparsed.ok()) {
    EXPECT_TRUE(AstEquals(**expr, **reparsed)) << printed;
  }
  return printed;
}

TEST(PrinterTest, ParenthesesOnlyWherePrecedenceNeedsThem) {
  EXPECT_EQ(ExprSql("(a+b)*c  AND NOT x IN (1,2)"), "(a + b) * c AND NOT x IN (1, 2)");
  EXPECT_EQ(ExprSql("a - (b - c)"), "a - (b - c)");
  EXPECT_EQ(ExprSql("(a - b) - c"), "a - b - c");
  EXPECT_EQ(ExprSql("(a OR b) AND c"), "(a OR b) AND c");
  EXPECT_EQ(ExprSql("NOT (a AND b)"), "NOT (a AND b)");
  EXPECT_EQ(ExprSql("(NOT a) = b"), "(NOT a) = b");
  EXPECT_EQ(ExprSql("a = (b = c)"), "a = (b = c)");
  EXPECT_EQ(ExprSql("(a = b) IS NULL"), "a = b IS NULL");
  EXPECT_EQ(ExprSql("x BETWEEN (a OR b) AND (c || d)"), "x BETWEEN (a OR b) AND c || d");
  EXPECT_EQ(ExprSql("(-a)[1]"), "(-a)[1]");
  EXPECT_EQ(ExprSql("-(a + b)"), "-(a + b)");
}

TEST(PrinterTest, MinusSignsNeverMerge) {
  EXPECT_EQ(ExprSql("-(-5)"), "-(-5)");
  EXPECT_EQ(ExprSql("- -a"), "-(-a)");
  EXPECT_EQ(ExprSql("-(5)"), "-(5)");
  EXPECT_EQ(ExprSql("-(5[1])"), "-(5[1])");
  EXPECT_EQ(ExprSql("-5[1]"), "-5[1]");
  EXPECT_EQ(ExprSql("a - -5"), "a - -5");
  EXPECT_EQ(ExprSql("-(inf)"), "-(inf)");
  EXPECT_EQ(ExprSql("-inf"), "-inf");
  EXPECT_EQ(ExprSql("-nan"), "-nan");
  EXPECT_EQ(ExprSql("-0.0"), "-0.0");
}

TEST(PrinterTest, LiteralsRoundTripExactly) {
  EXPECT_EQ(ExprSql("0.1"), "0.1");
  EXPECT_EQ(ExprSql("1e20"), "1e+20");
  EXPECT_EQ(ExprSql("100.0"), "100.0");
  EXPECT_EQ(ExprSql("18446744073709551616"), "18446744073709551616.0");
  EXPECT_EQ(ExprSql("1e999"), "inf");
  EXPECT_EQ(ExprSql("'a\\'b\\\\c\\n\\x01\\0'"), "'a\\'b\\\\c\\n\\x01\\0'");
  EXPECT_EQ(ExprSql("'it''s'"), "'it\\'s'");
  EXPECT_EQ(ExprSql("NULL"), "NULL");
  EXPECT_EQ(ExprSql("TRUE"), "true");
}

TEST(PrinterTest, NamesAreQuotedOnlyWhenNeeded) {
  EXPECT_EQ(ExprSql("\"user_id\""), "user_id");
  EXPECT_EQ(ExprSql("`from` + `my col` + `a``b`"), "`from` + `my col` + `a\\`b`");
  EXPECT_EQ(ExprSql("`inf`"), "`inf`");
  EXPECT_EQ(ExprSql("`not`(x)"), "`not`(x)");
  EXPECT_EQ(ExprSql("`count`(x)"), "count(x)");
  EXPECT_EQ(ExprSql("left(x, 1)"), "left(x, 1)");
  EXPECT_EQ(ExprSql("cast(x, 'String')"), "cast(x, 'String')");
  EXPECT_EQ(ExprSql("`CAST`(x)"), "`CAST`(x)");
  EXPECT_EQ(ExprSql("f(from => 1, `a b` => 2)"), "f(from => 1, `a b` => 2)");
  EXPECT_EQ(QuoteIdentifier("Select"), "`Select`");
  EXPECT_EQ(QuoteIdentifier("events"), "events");
  EXPECT_EQ(QuoteString("x'y"), "'x\\'y'");
}

TEST(PrinterTest, OtherForms) {
  EXPECT_EQ(ExprSql("case   when a then b end"), "CASE WHEN a THEN b END");
  EXPECT_EQ(ExprSql("case x when 1 then 'a' else 'b' end"), "CASE x WHEN 1 THEN 'a' ELSE 'b' END");
  EXPECT_EQ(ExprSql("x::Nullable( String )"), "CAST(x AS Nullable(String))");
  EXPECT_EQ(ExprSql("interval '2 hours'"), "INTERVAL 2 HOUR");
  EXPECT_EQ(ExprSql("INTERVAL (1 + 1) DAY"), "INTERVAL (1 + 1) DAY");
  EXPECT_EQ(ExprSql("x in (select 1 union all select 2)"), "x IN (SELECT 1 UNION ALL SELECT 2)");
  EXPECT_EQ(ExprSql("x in 5"), "x IN (5)");
  EXPECT_EQ(ExprSql("x in [1, 2]"), "x IN ([1, 2])");
  EXPECT_EQ(ExprSql("count(distinct x)"), "count(DISTINCT x)");
  EXPECT_EQ(ExprSql("t.*"), "t.*");
}

// SPEC §9, as ClickHouse SQL.
TEST(PrinterTest, BenchmarkQueries) {
  const char* queries[] = {
      // dau
      "SELECT toDate(event_time) AS day, uniqExact(user_id) AS dau FROM events GROUP BY day "
      "ORDER BY day",
      // dau_segment
      "SELECT toDate(event_time) AS day, uniqExact(user_id) AS dau FROM events WHERE platform = "
      "'ios' AND country = 'US' GROUP BY day ORDER BY day",
      // mau
      "SELECT uniqExact(user_id) AS mau FROM events WHERE event_time >= '2026-10-01 00:00:00' "
      "AND event_time < '2026-11-01 00:00:00'",
      // retention_day
      "SELECT sum(r[1]) AS d0, sum(r[2]) AS d1, sum(r[3]) AS d7, sum(r[4]) AS d14 FROM (SELECT "
      "user_id, retention(toDate(event_time) = '2026-10-01', toDate(event_time) = '2026-10-02', "
      "toDate(event_time) = '2026-10-08', toDate(event_time) = '2026-10-15') AS r FROM events "
      "WHERE toDate(event_time) IN ('2026-10-01', '2026-10-02', '2026-10-08', '2026-10-15') "
      "GROUP BY user_id)",
      // retention_matrix (§5a table function)
      "SELECT * FROM retention_matrix('app_open', '*', period => 'day', type => 'first_time', "
      "mode => 'on', from => '2026-10-01', to => '2026-11-01')",
      // funnel
      "SELECT level, count() AS users FROM (SELECT user_id, windowFunnel(86400)(event_time, "
      "event_type = 'app_open', event_type = 'view_item', event_type = 'add_to_cart', event_type "
      "= 'purchase') AS level FROM events GROUP BY user_id) GROUP BY level ORDER BY level",
      "SELECT windowFunnel(3600, 'strict_order')(event_time, event_type = 'a', event_type = 'b') "
      "AS level FROM events GROUP BY user_id",
      // funnel (§5a table function with named args and arrays)
      "SELECT * FROM funnel(steps => ['app_open', 'view_item', 'purchase'], window => INTERVAL 1 "
      "DAY, from => '2026-10-01', to => '2026-11-01', order => 'strict', exclude => "
      "['app_crash'], where => 'platform = \\'ios\\'', breakdown => country, timezone => "
      "'Europe/Berlin')",
      // sessions
      "SELECT day, count() AS sessions, avg(length) AS avg_length, quantile(0.5)(length) AS "
      "median_length FROM (SELECT toDate(min(event_time)) AS day, session_id, dateDiff('second', "
      "min(event_time), max(event_time)) AS length FROM events GROUP BY session_id) GROUP BY day "
      "ORDER BY day",
      // crash_rate
      "SELECT app_version, countIf(event_type = 'app_crash') / uniqExact(session_id) AS "
      "crash_rate FROM events GROUP BY app_version ORDER BY crash_rate DESC",
      // top_events
      "SELECT event_type, count() AS c FROM events WHERE platform = 'android' AND event_time >= "
      "now() - INTERVAL 7 DAY GROUP BY event_type ORDER BY c DESC LIMIT 10",
      // revenue
      "SELECT country, sum(JSONExtractFloat(properties, 'revenue')) AS revenue, "
      "uniqExact(user_id) AS buyers FROM events WHERE event_type = 'purchase' GROUP BY country "
      "ORDER BY revenue DESC",
      // other shapes
      "SELECT toStartOfInterval(event_time, INTERVAL 1 HOUR) AS h, count() FROM events GROUP BY "
      "h ORDER BY h",
      "SELECT count() FROM events WHERE user_id IN (SELECT user_id FROM events WHERE event_type "
      "= 'purchase')",
      "SELECT multiIf(n < 10, 'low', n < 100, 'mid', 'high') AS bucket, CASE WHEN platform = "
      "'ios' THEN 1 ELSE 0 END AS is_ios FROM events",
      "SELECT quantileExact(0.99)(session_length) FROM sessions",
      "WITH toDate('2026-10-01') AS d0 SELECT count(DISTINCT user_id) FROM events WHERE "
      "toDate(event_time) BETWEEN d0 AND d0 + 6 AND JSONHas(properties, 'x')",
      "SELECT bucket, dau, wau, mau, dau_mau FROM active_users(period => 'week', from => "
      "'2026-10-01', to => '2026-11-01', where => 'country = \\'DE\\'')",
  };
  for (const char* sql : queries) {
    absl::StatusOr<Statement> statement = ParseStatement(sql);
    ASSERT_TRUE(statement.ok()) << sql << "\n" << statement.status();
    EXPECT_EQ(test::RoundTrip(*statement), sql);
  }
}

TEST(PrinterTest, StatementsReprintCanonically) {
  EXPECT_EQ(Reprint("select a b, c as \"d\" from t e where x settings a=1 format JSON"),
            "SELECT a AS b, c AS d FROM t AS e WHERE x SETTINGS a = 1 FORMAT JSON");
  EXPECT_EQ(Reprint("with c as (select 1) select * from c"),
            "WITH c AS (SELECT 1) SELECT * FROM c");
  EXPECT_EQ(Reprint("select 1 format JSON settings a = 1;"), "SELECT 1 SETTINGS a = 1 FORMAT JSON");
  EXPECT_EQ(Reprint("select `select` from `from`"), "SELECT `select` FROM `from`");
  EXPECT_EQ(Reprint("select * from (select 1) order by 1 asc nulls first"),
            "SELECT * FROM (SELECT 1) ORDER BY 1 NULLS FIRST");
  EXPECT_EQ(Reprint("EXPLAIN SELECT 1"), "EXPLAIN PLAN SELECT 1");
}

TEST(PrinterTest, Issue16SyntaxRoundTrips) {
  EXPECT_EQ(Reprint("select * from a x left outer join b as y on x.k = y.k any right join c "
                    "using k, d cross join e global semi left join f using (p, q)"),
            // An unparenthesized USING list is read whole, as ClickHouse's parser does.
            "SELECT * FROM a AS x LEFT JOIN b AS y ON x.k = y.k ANY RIGHT JOIN c USING (k, d) "
            "CROSS JOIN e GLOBAL SEMI LEFT JOIN f USING (p, q)");
  EXPECT_EQ(Reprint("select 1 from a join (select 1) s on 1 join numbers(3) n on 1"),
            "SELECT 1 FROM a INNER JOIN (SELECT 1) AS s ON 1 INNER JOIN numbers(3) AS n ON 1");
  EXPECT_EQ(Reprint("select t from e array join tags as t, [1] left array join u"),
            "SELECT t FROM e ARRAY JOIN tags AS t, [1] LEFT ARRAY JOIN u");
  EXPECT_EQ(Reprint("select 1 union all select 2 union distinct (select 3 union all select 4)"),
            "SELECT 1 UNION ALL SELECT 2 UNION DISTINCT (SELECT 3 UNION ALL SELECT 4)");
  EXPECT_EQ(Reprint("(select 1 order by 1 limit 1) union all (select 2)"),
            "SELECT 1 ORDER BY 1 LIMIT 1 UNION ALL SELECT 2");
  EXPECT_EQ(Reprint("select 1 union select 2 settings union_default_mode = 'DISTINCT'"),
            "SELECT 1 UNION DISTINCT SELECT 2 SETTINGS union_default_mode = 'DISTINCT'");
  EXPECT_EQ(Reprint("select row_number() over (partition by u order by t rows between unbounded "
                    "preceding and current row), sum(x) over w, count() over () from e "
                    "window w as (w0 order by t desc range 1 + 1 preceding), w0 as ()"),
            "SELECT row_number() OVER (PARTITION BY u ORDER BY t ROWS BETWEEN UNBOUNDED "
            "PRECEDING AND CURRENT ROW), sum(x) OVER w, count() OVER () FROM e WINDOW w AS (w0 "
            "ORDER BY t DESC RANGE BETWEEN (1 + 1) PRECEDING AND CURRENT ROW), w0 AS ()");
  EXPECT_EQ(Reprint("select f() over (`partition` rows `current` preceding) from e "
                    "window `order` as (`rows`)"),
            "SELECT f() OVER (`partition` ROWS BETWEEN (current) PRECEDING AND CURRENT ROW) "
            "FROM e WINDOW `order` AS (`rows`)");
  EXPECT_EQ(Reprint("select arrayMap((x, y) -> x + y, a, b), arrayFilter(x -> x > 1, a), t.1, "
                    "u global not in (select 1) from e"),
            "SELECT arrayMap((x, y) -> x + y, a, b), arrayFilter(x -> x > 1, a), "
            "tupleElement(t, 1), u GLOBAL NOT IN (SELECT 1) FROM e");
  EXPECT_EQ(Reprint("select d, count() from e prewhere a where b group by d with totals "
                    "order by d with fill from 1 to 10 step 1, e with fill limit 1 by d limit 5"),
            "SELECT d, count() FROM e WHERE a AND b GROUP BY d WITH TOTALS ORDER BY d WITH FILL "
            "FROM 1 TO 10 STEP 1, e WITH FILL LIMIT 1 BY d LIMIT 5");
  EXPECT_EQ(Reprint("select dateAdd(day, 1, d), dateDiff(hh, a, b)"),
            "SELECT dateAdd('day', 1, d), dateDiff('hour', a, b)");
}

TEST(PrinterTest, StatementsOfIssue16RoundTrip) {
  EXPECT_EQ(Reprint("create table if not exists db.r (v String comment 'x', n Nullable(Int64) "
                    "default 0, a Array(LowCardinality(String)), m DateTime64(3, 'UTC'), "
                    "z materialized 1) engine = MergeTree order by (v, m) partition by "
                    "toYYYYMM(m) primary key v settings index_granularity = 1024 comment 'c'"),
            "CREATE TABLE IF NOT EXISTS db.r (v String COMMENT 'x', n Nullable(Int64) DEFAULT 0, "
            "a Array(LowCardinality(String)), m DateTime64(3, 'UTC'), z MATERIALIZED 1) ENGINE = "
            "MergeTree PARTITION BY toYYYYMM(m) ORDER BY (v, m) PRIMARY KEY v SETTINGS "
            "index_granularity = 1024 COMMENT 'c'");
  EXPECT_EQ(Reprint("create table l (a UInt8) engine = Log"),
            "CREATE TABLE l (a UInt8) ENGINE = Log");
  EXPECT_EQ(Reprint("create table r (a UInt8) engine = ReplacingMergeTree(a) order by a"),
            "CREATE TABLE r (a UInt8) ENGINE = ReplacingMergeTree(a) ORDER BY a");
  EXPECT_EQ(Reprint("drop table if exists t"), "DROP TABLE IF EXISTS t");
  EXPECT_EQ(Reprint("truncate table t"), "TRUNCATE TABLE t");
  EXPECT_EQ(Reprint("show create t"), "SHOW CREATE TABLE t");
  EXPECT_EQ(Reprint("exists t format TSV"), "EXISTS TABLE t FORMAT TSV");
  EXPECT_EQ(Reprint("insert into t (a, b) values (1, 'x'), (2 + 3, now())"),
            "INSERT INTO t (a, b) VALUES (1, 'x'), (2 + 3, now())");
  EXPECT_EQ(Reprint("insert into t with 1 as x select x"),
            "INSERT INTO t WITH 1 AS x SELECT x");
}

}  // namespace
}  // namespace mua
