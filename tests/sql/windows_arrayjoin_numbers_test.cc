// Window functions over GROUP BY, arrayJoin() and system.numbers (issue 16): each
// answer equals the same question asked in a form that was already trusted
// (windows over a grouped subquery, ARRAY JOIN), and an endless source stops at
// its LIMIT or at the statement's limits.
#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "query/executor.h"
#include "query/optimizer/optimizer.h"
#include "query/output_format.h"
#include "sql/binder.h"
#include "sql/catalog.h"
#include "sql/parser.h"
#include "sql/sql_engine.h"
#include "storage/table.h"
#include "tests/testutil/status_matchers.h"
#include "tools/gen/event_generator.h"

namespace mua {
namespace {

class WindowsArrayJoinNumbersTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    table_ = new Table(TableOptions{.segment_rows = 20000});
    gen::EventGenerator generator({.users = 400, .days = 5, .seed = 3});
    std::vector<gen::GeneratedEvent> day;
    while (generator.NextDay(&day)) {
      std::vector<EventRow> rows;
      for (const gen::GeneratedEvent& e : day) {
        if (!e.duplicate) rows.push_back(gen::ToEventRow(e));
      }
      ASSERT_OK(table_->Append(rows));
    }
    catalog_ = new Catalog(table_);
  }
  static void TearDownTestSuite() {
    delete catalog_;
    delete table_;
  }

  static absl::StatusOr<std::string> Try(const std::string& sql) {
    SqlEngine engine(table_, catalog_);
    absl::StatusOr<StatementOutput> output = engine.Execute(sql);
    if (!output.ok()) return output.status();
    std::string text;
    WriteResult(output->result, OutputFormat::kTabSeparated, &text);
    return text;
  }
  static std::string Run(const std::string& sql) {
    absl::StatusOr<std::string> text = Try(sql);
    EXPECT_OK(text.status()) << sql;
    return text.ok() ? *text : std::string(text.status().message());
  }
  // The plan of `sql`, bound and optimized, and the context it runs in.
  absl::StatusOr<ResultSet> Execute(const std::string& sql, const ExecutionContext& context) {
    int expansions = 0;
    BindContext bind{catalog_, &context, &expansions};
    absl::StatusOr<Statement> statement = ParseStatement(sql);
    if (!statement.ok()) return statement.status();
    absl::StatusOr<std::shared_ptr<const SelectPlan>> plan = BindSelect(*statement->query, bind);
    if (!plan.ok()) return plan.status();
    if (absl::Status s = OptimizePlan(*plan, *context.snapshot); !s.ok()) return s;
    return ExecuteSelect(**plan, context);
  }

  static Table* table_;
  static Catalog* catalog_;
};

Table* WindowsArrayJoinNumbersTest::table_ = nullptr;
Catalog* WindowsArrayJoinNumbersTest::catalog_ = nullptr;

TEST_F(WindowsArrayJoinNumbersTest, WindowsOverGroupByEqualWindowsOverGroupedSubquery) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"SELECT toDate(event_time) AS d, count() AS n, sum(count()) OVER (ORDER BY d) AS running, "
       "round(n / sum(n) OVER (), 6) AS share FROM events GROUP BY d ORDER BY d",
       "SELECT d, n, sum(n) OVER (ORDER BY d), round(n / sum(n) OVER (), 6) "
       "FROM (SELECT toDate(event_time) AS d, count() AS n FROM events GROUP BY d) ORDER BY d"},
      {"SELECT platform, event_type, uniqExact(user_id) AS users, "
       "rank() OVER (PARTITION BY platform ORDER BY uniqExact(user_id) DESC, event_type) AS r "
       "FROM events GROUP BY platform, event_type ORDER BY platform, r",
       "SELECT platform, event_type, users, rank() OVER (PARTITION BY platform ORDER BY users "
       "DESC, event_type) AS r "
       "FROM (SELECT platform, event_type, uniqExact(user_id) AS users FROM events GROUP BY "
       "platform, event_type) "
       "ORDER BY platform, r"},
      {"SELECT toHour(event_time) AS h, count() AS n, n - lagInFrame(n) OVER (ORDER BY h) AS "
       "change "
       "FROM events WHERE event_type = 'purchase' GROUP BY h HAVING n > 3 ORDER BY h DESC LIMIT 5",
       "SELECT h, n, n - lagInFrame(n) OVER (ORDER BY h) FROM (SELECT toHour(event_time) AS h, "
       "count() AS n "
       "FROM events WHERE event_type = 'purchase' GROUP BY h HAVING n > 3) ORDER BY h DESC LIMIT "
       "5"},
      {"SELECT count() AS n, max(count()) OVER () FROM events",
       "SELECT n, n FROM (SELECT count() AS n FROM events)"},
  };
  for (const auto& [grouped, nested] : cases) {
    const std::string got = Run(grouped);
    EXPECT_FALSE(got.empty()) << grouped;
    EXPECT_EQ(got, Run(nested)) << grouped;
  }
}

TEST_F(WindowsArrayJoinNumbersTest, WindowsOverGroupsExplainWithoutRunning) {
  const std::string plan =
      Run("EXPLAIN SELECT platform, count() AS n, rank() OVER (ORDER BY n DESC) "
          "FROM events GROUP BY platform");
  EXPECT_NE(plan.find("window function call(s) over the groups of events"), std::string::npos)
      << plan;
  // Not in WHERE/HAVING, and a column that is neither key nor aggregate is refused.
  EXPECT_FALSE(Try("SELECT platform FROM events GROUP BY platform HAVING rank() OVER () > 1").ok());
  EXPECT_FALSE(
      Try("SELECT platform, row_number() OVER (ORDER BY event_time) FROM events GROUP BY platform")
          .ok());
}

TEST_F(WindowsArrayJoinNumbersTest, ArrayJoinFunctionEqualsArrayJoinClause) {
  EXPECT_EQ(Run("SELECT arrayJoin(splitByChar('.', app_version)) AS part, count() FROM events "
                "GROUP BY part ORDER BY part"),
            Run("SELECT part, count() FROM events ARRAY JOIN splitByChar('.', app_version) AS part "
                "GROUP BY part ORDER BY part"));
  // Different calls multiply; the same call twice is one join.
  EXPECT_EQ(Run("SELECT count() FROM (SELECT arrayJoin([1, 2, 3]) AS a, arrayJoin(['x', 'y']) AS b "
                "FROM events)"),
            Run("SELECT count() * 6 FROM events"));
  EXPECT_EQ(Run("SELECT count() FROM (SELECT arrayJoin([1, 2, 3]) AS a, arrayJoin([1, 2, 3]) AS b "
                "FROM events "
                "WHERE a = b)"),
            Run("SELECT count() * 3 FROM events"));
}

TEST_F(WindowsArrayJoinNumbersTest, EndlessNumbersStopAtLimitOrAtTheStatementsLimits) {
  const TableSnapshot snapshot = table_->Snapshot();
  std::atomic<uint64_t> rows_read{0};
  ExecutionContext context{&snapshot};
  context.rows_read = &rows_read;
  ASSERT_OK_AND_ASSIGN(ResultSet limited,
                       Execute("SELECT number FROM system.numbers LIMIT 3 OFFSET 5", context));
  ASSERT_EQ(limited.row_count, 3u);
  EXPECT_EQ(limited.columns[0].ints, (std::vector<int64_t>{5, 6, 7}));
  EXPECT_LE(rows_read.load(), 65536u);  // one batch generated, not the endless rest

  ExecutionContext rows_limited{&snapshot};
  rows_limited.max_result_rows = 1000;
  EXPECT_EQ(Execute("SELECT number FROM system.numbers", rows_limited).status().code(),
            absl::StatusCode::kResourceExhausted);

  std::atomic<bool> cancelled{true};
  ExecutionContext killed{&snapshot};
  killed.cancelled = &cancelled;
  EXPECT_EQ(Execute("SELECT count() FROM system.numbers_mt", killed).status().code(),
            absl::StatusCode::kCancelled);

  ExecutionContext timed{&snapshot};
  timed.deadline = absl::Now() - absl::Seconds(1);
  EXPECT_EQ(Execute("SELECT sum(zero) FROM system.zeros", timed).status().code(),
            absl::StatusCode::kDeadlineExceeded);

  EXPECT_EQ(Run("SELECT number FROM numbers(7, 3)"), "7\n8\n9\n");
  EXPECT_EQ(Run("SELECT groupArray(number) FROM numbers(0, 10, 4)"), "[0,4,8]\n");
  EXPECT_EQ(Run("SELECT count(), sum(zero) FROM zeros(100)"), "100\t0\n");
}

}  // namespace
}  // namespace mua
