// SqlEngine end to end on mua-gen data: the bitmap paths answer exactly what
// the scan path answers, EXPLAIN names the path, and errors carry positions.
#include "sql/sql_engine.h"

#include <string>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "query/output_format.h"
#include "sql/catalog.h"
#include "storage/table.h"
#include "tests/sql/sql_test_util.h"
#include "tests/testutil/status_matchers.h"
#include "tools/gen/event_generator.h"

namespace mua {
namespace {

class SqlEngineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    table_ = new Table(TableOptions{.segment_rows = 20000});
    gen::EventGenerator generator({.users = 1500, .days = 10, .seed = 3});
    std::vector<gen::GeneratedEvent> day;
    int days = 0;
    while (generator.NextDay(&day)) {
      std::vector<EventRow> rows;
      for (const gen::GeneratedEvent& e : day) {
        if (e.duplicate) continue;
        rows.push_back(gen::ToEventRow(e));
      }
      ASSERT_OK(table_->Append(rows));
      if (++days % 3 == 0) table_->SealAll();  // heads and sealed segments mixed
    }
    catalog_ = new Catalog(table_);
  }
  static void TearDownTestSuite() {
    delete catalog_;
    delete table_;
  }

  // The TabSeparated text of `sql`'s result.
  std::string Run(const std::string& sql) { return test::RunTabSeparated(table_, catalog_, sql); }
  absl::Status Error(const std::string& sql) {
    SqlEngine engine(table_, catalog_);
    return engine.Execute(sql).status();
  }

  static Table* table_;
  static Catalog* catalog_;
};

Table* SqlEngineTest::table_ = nullptr;
Catalog* SqlEngineTest::catalog_ = nullptr;

// `length(event_type) > 0` holds for every row but is not a condition the
// bitmap path understands, so it forces the scan path over the same rows.
constexpr char kForceScan[] = " AND length(event_type) > 0";

TEST_F(SqlEngineTest, DauFromBitmapsEqualsScan) {
  const std::string bitmap =
      "SELECT toDate(event_time) AS d, uniqExact(user_id) FROM events WHERE event_time >= '2026-10-02' "
      "AND event_time < '2026-10-08'";
  const std::string tail = " GROUP BY d ORDER BY d";
  EXPECT_NE(Run("EXPLAIN " + bitmap + tail).find("bitmap path"), std::string::npos);
  EXPECT_NE(Run("EXPLAIN " + bitmap + kForceScan + tail).find("scan path"), std::string::npos);
  const std::string result = Run(bitmap + tail);
  EXPECT_EQ(std::count(result.begin(), result.end(), '\n'), 6);
  EXPECT_EQ(result, Run(bitmap + kForceScan + tail));
}

TEST_F(SqlEngineTest, DistinctUsersByWeekAndMonthAndTypeEqualScan) {
  for (const std::string key : {"toMonday(event_time)", "toStartOfMonth(event_time)",
                                "toYYYYMMDD(event_time)", "toDayOfWeek(event_time)"}) {
    const std::string query = "SELECT " + key + " AS k, count(DISTINCT user_id), uniq(user_id) FROM events "
                              "WHERE event_type IN ('purchase', 'add_to_cart')";
    EXPECT_NE(Run("EXPLAIN " + query + " GROUP BY k").find("bitmap path"), std::string::npos) << key;
    EXPECT_EQ(Run(query + " GROUP BY k ORDER BY k"), Run(query + kForceScan + " GROUP BY k ORDER BY k"));
  }
  const std::string mau = "SELECT uniqExact(user_id) FROM events WHERE toDate(event_time) BETWEEN "
                          "'2026-10-01' AND '2026-10-07'";
  EXPECT_NE(Run("EXPLAIN " + mau).find("bitmap path"), std::string::npos);
  EXPECT_EQ(Run(mau), Run(mau + kForceScan));
}

TEST_F(SqlEngineTest, PartialDayRangeUsesTheScan) {
  const std::string query =
      "SELECT uniqExact(user_id) FROM events WHERE event_time >= '2026-10-02 12:00:00'";
  EXPECT_NE(Run("EXPLAIN " + query).find("scan path"), std::string::npos);
}

TEST_F(SqlEngineTest, RetentionFromBitmapsEqualsScan) {
  const std::string inner =
      "SELECT user_id, retention(toDate(event_time) = toDate('2026-10-01'), "
      "toDate(event_time) = toDate('2026-10-02'), toDate(event_time) = toDate('2026-10-08')) AS r "
      "FROM events WHERE toDate(event_time) IN (toDate('2026-10-01'), toDate('2026-10-02'), "
      "toDate('2026-10-08'))";
  EXPECT_NE(Run("EXPLAIN " + inner + " GROUP BY user_id").find("per-user retention"), std::string::npos);
  const std::string outer = "SELECT sum(r[1]), sum(r[2]), sum(r[3]), count() FROM (";
  const std::string bitmap = Run(outer + inner + " GROUP BY user_id)");
  EXPECT_EQ(bitmap, Run(outer + inner + kForceScan + " GROUP BY user_id)"));
  EXPECT_NE(bitmap, "0\t0\t0\t0\n");
}

TEST_F(SqlEngineTest, CohortInSubqueryEqualsJoinByHand) {
  const std::string cohort =
      "SELECT uniqExact(user_id) FROM events WHERE user_id IN "
      "(SELECT user_id FROM events WHERE event_type = 'purchase') AND toDate(event_time) = '2026-10-05'";
  const std::string by_hand =
      "SELECT count() FROM (SELECT user_id, countIf(event_type = 'purchase') AS p, "
      "countIf(toDate(event_time) = '2026-10-05') AS d FROM events GROUP BY user_id) WHERE p > 0 AND d > 0";
  EXPECT_EQ(Run(cohort), Run(by_hand));
}

TEST_F(SqlEngineTest, ErrorsNameTheProblemAndItsPlace) {
  absl::Status status = Error("SELECT usr_id FROM events");
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_NE(status.message().find("line 1, column 8"), absl::string_view::npos) << status;
  EXPECT_NE(status.message().find("usr_id"), absl::string_view::npos);
  status = Error("SELECT count() FROM events\nWHERE nosuch(1) = 2");
  EXPECT_NE(status.message().find("line 2, column 7"), absl::string_view::npos) << status;
  EXPECT_NE(status.message().find("Unknown function nosuch"), absl::string_view::npos);
  EXPECT_EQ(Error("SELECT 1 FROM nowhere").code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Error("SELECT sum('a') FROM events").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Error("SELECT count() FROM events WHERE count() > 1").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Error("SELECT user_id, count() FROM events GROUP BY platform").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Error("SELECT 1, 2 UNION ALL SELECT 2").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Error("SELECT toDate('not a date')").code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(SqlEngineTest, StatementsBesidesSelect) {
  EXPECT_EQ(Run("SHOW TABLES"), "daily_user_metrics\nevents\nsessions\n");
  const std::string describe = Run("DESCRIBE events");
  EXPECT_EQ(describe.substr(0, describe.find('\n')), "event_time\tDateTime64(3)\t\t\t\t\t");
  EXPECT_NE(Run("SELECT name, total_rows > 0 FROM system.tables WHERE name = 'events'"), "");
  EXPECT_EQ(Run("SELECT count() FROM system.partitions"), "11\n");
  // Every event is in exactly one session (SDK sessions, or sessionized when it has none).
  EXPECT_EQ(Run("SELECT sum(events) = (SELECT count() FROM events) FROM sessions"), "1\n");
  EXPECT_EQ(Run("SELECT sum(events) = (SELECT count() FROM events WHERE session_id != '') FROM sessions "
                "WHERE session_id NOT LIKE '%@%'"),
            "1\n");
}

TEST_F(SqlEngineTest, SessionsReadingSomeColumnsEqualReadingAll) {
  // The view skips ids, revenue and names nobody reads; the columns read are the same as
  // when every column is read (the concat reads them all).
  const std::string every_column =
      " WHERE notEmpty(concat(session_id, user_id, toString(revenue), platform, app_version, toString(events)))";
  for (const std::string& columns :
       {std::string("toDate(start), duration_s, crashed, events"), std::string("user_id, start, `end`, app_version"),
        std::string("session_id, revenue, platform")}) {
    const std::string sql = "SELECT " + columns + " FROM sessions";
    const std::string some = Run(sql + " ORDER BY " + columns);
    EXPECT_EQ(some, Run(sql + every_column + " ORDER BY " + columns)) << columns;
    EXPECT_GT(some.size(), 1000u);
  }
  EXPECT_EQ(Run("SELECT count() FROM sessions"), Run("SELECT count() FROM sessions" + every_column));
  // Aggregates: keys, arguments, HAVING and ORDER BY over groups.
  for (const std::string& query :
       {std::string("SELECT platform, count() AS c, sum(toInt64(duration_s * 1000)) FROM sessions{} GROUP BY "
                    "platform HAVING c > 0 ORDER BY c DESC, platform"),
        std::string("SELECT app_version, uniqExact(user_id) AS u FROM sessions{} GROUP BY app_version HAVING u > 1 "
                    "ORDER BY u, app_version"),
        std::string("SELECT max(events), min(`end`) FROM sessions{}")}) {
    const std::string some = Run(absl::StrReplaceAll(query, {{"{}", ""}}));
    EXPECT_EQ(some, Run(absl::StrReplaceAll(query, {{"{}", every_column}}))) << query;
    EXPECT_NE(some, "");
  }
  // (Sums of whole milliseconds: a float sum's last digits follow the rows' order.)
  EXPECT_EQ(Run("SELECT toDate(start) AS d, count(), sum(toInt64(duration_s * 1000)) FROM sessions(from => "
                "'2026-10-02', to => '2026-10-05') GROUP BY d ORDER BY d"),
            Run("SELECT toDate(start) AS d, count(), sum(toInt64(duration_s * 1000)) FROM sessions(from => "
                "'2026-10-02', to => "
                "'2026-10-05')" + every_column + " GROUP BY d ORDER BY d"));
}

}  // namespace
}  // namespace mua

namespace mua {
namespace {

TEST_F(SqlEngineTest, ActiveUsersDauEqualsUniqExactPerDay) {
  const std::string from_functions = Run(
      "SELECT bucket, dau FROM active_users(from => '2026-10-02', to => '2026-10-09') ORDER BY bucket");
  const std::string from_sql = Run(
      "SELECT toDate(event_time) AS d, uniqExact(user_id) FROM events WHERE d >= '2026-10-02' AND "
      "d < '2026-10-09' GROUP BY d ORDER BY d");
  EXPECT_EQ(from_functions, from_sql);
  // Rolling MAU of the last day = distinct users over its 30 trailing days.
  EXPECT_EQ(Run("SELECT mau FROM active_users(from => '2026-10-08', to => '2026-10-09')"),
            Run("SELECT uniqExact(user_id) FROM events WHERE toDate(event_time) <= '2026-10-08'"));
  // A filter and a breakdown take the scan; its answers agree with SQL too.
  EXPECT_EQ(Run("SELECT bucket, platform, dau FROM active_users(from => '2026-10-03', to => '2026-10-05', "
                "breakdown => platform, where => 'event_type = \\'purchase\\'') ORDER BY bucket, platform"),
            Run("SELECT toDate(event_time) AS d, platform, uniqExact(user_id) FROM events WHERE "
                "event_type = 'purchase' AND d >= '2026-10-03' AND d < '2026-10-05' GROUP BY d, platform "
                "ORDER BY d, platform"));
}

TEST_F(SqlEngineTest, RetentionMatrixAgreesWithCohortQueries) {
  const std::string matrix = Run(
      "SELECT retained FROM retention_matrix(from => '2026-10-01', to => '2026-10-08') "
      "WHERE cohort = '2026-10-03' AND k = 2");
  const std::string by_hand = Run(
      "SELECT uniqExact(user_id) FROM events WHERE toDate(event_time) = '2026-10-05' AND user_id IN "
      "(SELECT user_id FROM events GROUP BY user_id HAVING min(toDate(event_time)) = '2026-10-03')");
  EXPECT_EQ(matrix, by_hand);
  EXPECT_NE(matrix, "0\n");
  // Recurring cohorts: every user active on the day; on_or_after: active then or later.
  EXPECT_EQ(Run("SELECT cohort_size FROM retention_matrix(type => 'recurring', from => '2026-10-01', "
                "to => '2026-10-08') WHERE cohort = '2026-10-04' AND k = 0"),
            Run("SELECT uniqExact(user_id) FROM events WHERE toDate(event_time) = '2026-10-04'"));
  EXPECT_EQ(Run("SELECT retained FROM retention_matrix(type => 'recurring', mode => 'on_or_after', "
                "from => '2026-10-01', to => '2026-10-08') WHERE cohort = '2026-10-04' AND k = 2"),
            Run("SELECT uniqExact(user_id) FROM events WHERE toDate(event_time) BETWEEN '2026-10-06' AND "
                "'2026-10-07' AND user_id IN (SELECT user_id FROM events WHERE toDate(event_time) = "
                "'2026-10-04')"));
}

TEST_F(SqlEngineTest, AnalyticsArgumentsAreValidated) {
  EXPECT_NE(Error("SELECT * FROM active_users(perod => 'day')").message().find("unknown argument 'perod'"),
            absl::string_view::npos);
  EXPECT_NE(Error("SELECT * FROM active_users(from => '2026-10-05', to => '2026-10-01')").message().find(
                "'from' must be before 'to'"),
            absl::string_view::npos);
  EXPECT_NE(Error("SELECT * FROM active_users(timezone => 'Mars/Olympus')").message().find("unknown time zone"),
            absl::string_view::npos);
  EXPECT_NE(Error("SELECT * FROM retention_matrix(period => 'year')").message().find("period must be"),
            absl::string_view::npos);
  EXPECT_NE(Error("SELECT * FROM active_users(where => 'nosuch = 1')").message().find("nosuch"),
            absl::string_view::npos);
  // An event that never occurs is not an error: the cohorts are empty.
  EXPECT_EQ(Run("SELECT count() FROM retention_matrix(start_event => 'never_happens')"), "0\n");
}

}  // namespace
}  // namespace mua

namespace mua {
namespace {

TEST_F(SqlEngineTest, OrderedFunnelAgreesWithWindowFunnel) {
  const std::string funnel = Run(
      "SELECT step, users FROM funnel(steps => ['app_open', 'view_item', 'add_to_cart', 'purchase'], "
      "window => INTERVAL 1 DAY) ORDER BY step");
  // Users reaching step k = users whose windowFunnel level is at least k.
  for (int k = 1; k <= 4; ++k) {
    const std::string users = Run(absl::StrCat(
        "SELECT countIf(level >= ", k, ") FROM (SELECT user_id, windowFunnel(86400)(event_time, "
        "event_type = 'app_open', event_type = 'view_item', event_type = 'add_to_cart', "
        "event_type = 'purchase') AS level FROM events GROUP BY user_id)"));
    EXPECT_NE(funnel.find(absl::StrCat(k, "\t", users)), std::string::npos) << k << ": " << funnel;
  }
}

TEST_F(SqlEngineTest, FunnelOrdersExclusionsAndBreakdownAreConsistent) {
  auto users_at = [&](const std::string& args, int step) {
    return std::stoll(Run(absl::StrCat("SELECT sum(users) FROM funnel(steps => ['view_item', 'add_to_cart', "
                                       "'purchase'], ", args, ") WHERE step = ", step)));
  };
  const int64_t ordered = users_at("order => 'ordered'", 3);
  EXPECT_GT(ordered, 0);
  EXPECT_LE(users_at("order => 'strict'", 3), ordered);
  EXPECT_GE(users_at("order => 'unordered'", 3), ordered);
  EXPECT_LE(users_at("exclude => ['search']", 3), ordered);
  // Per-platform rows add up to the total: each user is attributed to one value.
  EXPECT_EQ(users_at("breakdown => platform", 3), ordered);
  EXPECT_LE(users_at("window => INTERVAL 10 MINUTE", 3), ordered);
  EXPECT_NE(Error("SELECT * FROM funnel(steps => ['a'])").message().find("2 to 32 steps"),
            absl::string_view::npos);
  EXPECT_NE(Error("SELECT * FROM funnel(steps => ['a', 'b'], window => 0)").message().find("positive"),
            absl::string_view::npos);
  EXPECT_EQ(Run("SELECT users FROM funnel(steps => ['never', 'happens']) WHERE step = 1"), "0\n");
}

}  // namespace
}  // namespace mua

namespace mua {
namespace {

TEST_F(SqlEngineTest, StickinessLifecyclePathsAndCrashHealthAgreeWithSql) {
  // Stickiness: users active on exactly k of the 7 days add up to all active users.
  EXPECT_EQ(Run("SELECT sum(users) FROM stickiness(from => '2026-10-01', to => '2026-10-08')"),
            Run("SELECT uniqExact(user_id) FROM events WHERE toDate(event_time) BETWEEN '2026-10-01' AND "
                "'2026-10-07'"));
  EXPECT_EQ(Run("SELECT users FROM stickiness(from => '2026-10-01', to => '2026-10-08') WHERE periods_active = 7"),
            Run("SELECT count() FROM (SELECT user_id, uniqExact(toDate(event_time)) AS days FROM events WHERE "
                "toDate(event_time) BETWEEN '2026-10-01' AND '2026-10-07' GROUP BY user_id) WHERE days = 7"));
  // Lifecycle: new + returning + resurrecting = active users of the period.
  EXPECT_EQ(Run("SELECT sum(users) FROM lifecycle(from => '2026-10-04', to => '2026-10-05') WHERE status != 'dormant'"),
            Run("SELECT uniqExact(user_id) FROM events WHERE toDate(event_time) = '2026-10-04'"));
  // Paths: step-1 transitions out of app_open = app_open events followed by another event.
  EXPECT_NE(Run("SELECT sum(transitions) FROM paths(start_event => 'app_open', steps => 2) WHERE step = 1"), "0\n");
  // Crash health: crashed sessions per version = sessions with an app_crash event.
  EXPECT_EQ(Run("SELECT app_version, crashed_sessions FROM crash_health() ORDER BY app_version"),
            Run("SELECT app_version, countIf(crashed = 1) FROM sessions GROUP BY app_version ORDER BY app_version"));
  EXPECT_EQ(Run("SELECT sum(sessions) FROM crash_health()"), Run("SELECT count() FROM sessions"));
}

TEST(SqlEngineCatalogTest, ProvidedTablesAndSystemCommands) {
  Table table;
  Catalog catalog(&table);
  SqlEngine engine(&table, &catalog);
  catalog.RegisterTable("default", "kafka_log", {{"offset", "Int64"}, {"what", "String"}}, [] {
    auto rows = std::make_shared<ResultSet>();
    rows->AddColumn("offset", DataType::Of(TypeId::kInt64)).ints = {7, 3};
    rows->AddColumn("what", DataType::Of(TypeId::kString)).strings = {"b", "a"};
    rows->row_count = 2;
    return std::shared_ptr<const ResultSet>(rows);
  });
  int stops = 0;
  catalog.RegisterSystemCommand("STOP INGEST", [&stops](absl::string_view) -> absl::StatusOr<std::string> {
    ++stops;
    return std::string("stopped");
  });
  auto run = [&engine](const std::string& sql) {
    absl::StatusOr<StatementOutput> output = engine.Execute(sql);
    std::string text;
    if (output.ok()) WriteResult(output->result, OutputFormat::kTabSeparated, &text);
    return output.ok() ? text : std::string(output.status().message());
  };
  // OFFSET names a column where an expression starts and still ends LIMIT.
  EXPECT_EQ(run("SELECT offset, what FROM kafka_log ORDER BY offset LIMIT 1 OFFSET 1"), "7\tb\n");
  EXPECT_EQ(run("SHOW TABLES"), "daily_user_metrics\nevents\nkafka_log\nsessions\n");
  EXPECT_EQ(run("SELECT engine FROM system.tables WHERE name = 'kafka_log'"), "Memory\n");
  EXPECT_EQ(run("system stop  ingest"), "stopped\n");
  EXPECT_EQ(stops, 1);
  EXPECT_EQ(run("SYSTEM FLUSH EVERYTHING"),
            "line 1, column 1: Unknown SYSTEM command FLUSH EVERYTHING (this server has: STOP INGEST)");
  EXPECT_EQ(run("SYSTEM"), "line 1, column 7: expected a SYSTEM command (e.g. STOP INGEST) after 'SYSTEM', found end of input");
}

}  // namespace
}  // namespace mua
