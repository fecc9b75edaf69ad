// The planner (issue 16): binding runs nothing (subqueries, table functions and
// catalog tables run when the plan does, once), EXPLAIN never executes, and the
// optimizer's rules (pushdown, top-N) keep the answers exact.
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "query/executor.h"
#include "query/optimizer/optimizer.h"
#include "sql/binder.h"
#include "sql/parser.h"
#include "query/output_format.h"
#include "sql/catalog.h"
#include "sql/sql_engine.h"
#include "storage/table.h"
#include "tests/testutil/status_matchers.h"
#include "tools/gen/event_generator.h"

namespace mua {
namespace {

class PlannerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    table_ = new Table(TableOptions{.segment_rows = 20000});
    gen::EventGenerator generator({.users = 800, .days = 6, .seed = 7});
    std::vector<gen::GeneratedEvent> day;
    int days = 0;
    while (generator.NextDay(&day)) {
      std::vector<EventRow> rows;
      for (const gen::GeneratedEvent& e : day) {
        if (!e.duplicate) rows.push_back(gen::ToEventRow(e));
      }
      ASSERT_OK(table_->Append(rows));
      if (++days % 2 == 0) table_->SealAll();
    }
    catalog_ = new Catalog(table_);
    // A provided table that counts how often it is produced.
    catalog_->RegisterTable("default", "probe", {{"user_id", "String"}, {"n", "UInt64"}}, [] {
      probes_.fetch_add(1);
      auto rows = std::make_shared<ResultSet>();
      rows->AddColumn("user_id", DataType::Of(TypeId::kString)).strings = {"nobody", "nobody-else"};
      rows->AddColumn("n", DataType::Of(TypeId::kUInt64)).ints = {1, 2};
      rows->row_count = 2;
      return std::shared_ptr<const ResultSet>(rows);
    });
  }
  static void TearDownTestSuite() {
    delete catalog_;
    delete table_;
  }

  std::string Run(const std::string& sql) {
    SqlEngine engine(table_, catalog_);
    absl::StatusOr<StatementOutput> output = engine.Execute(sql);
    EXPECT_OK(output.status()) << sql;
    if (!output.ok()) return std::string(output.status().message());
    std::string text;
    WriteResult(output->result, OutputFormat::kTabSeparated, &text);
    return text;
  }

  static Table* table_;
  static Catalog* catalog_;
  static std::atomic<int> probes_;
};

Table* PlannerTest::table_ = nullptr;
Catalog* PlannerTest::catalog_ = nullptr;
std::atomic<int> PlannerTest::probes_{0};

TEST_F(PlannerTest, ExplainRunsNoSubqueryTableFunctionOrCatalogTable) {
  probes_ = 0;
  const std::string query =
      "SELECT count() FROM events WHERE user_id IN (SELECT user_id FROM probe) "
      "OR event_time < (SELECT min(n) FROM probe)";
  const std::string plan = Run("EXPLAIN " + query);
  EXPECT_EQ(probes_.load(), 0) << plan;
  EXPECT_NE(plan.find("Prepared set"), std::string::npos) << plan;
  EXPECT_NE(plan.find("Prepared scalar"), std::string::npos) << plan;
  EXPECT_NE(plan.find("rows produced when the query runs"), std::string::npos) << plan;
  // Run: each subquery once.
  EXPECT_EQ(Run(query), "0\n");
  EXPECT_EQ(probes_.load(), 2);

  // A table function whose error shows only when it runs: the first stored day
  // is after `from`, so `to` (exclusive, earlier than every default) is checked at run time.
  const std::string function = "SELECT * FROM funnel(steps => ['app_open', 'purchase'], to => '1971-01-01')";
  EXPECT_NE(Run("EXPLAIN " + function).find("funnel("), std::string::npos);
  SqlEngine engine(table_, catalog_);
  EXPECT_FALSE(engine.Execute(function).ok());
}

TEST_F(PlannerTest, SubqueriesInExpressionsRunAtExecution) {
  EXPECT_EQ(Run("SELECT count() FROM events WHERE event_time >= (SELECT min(event_time) FROM events)"),
            Run("SELECT count() FROM events"));
  EXPECT_EQ(Run("SELECT (SELECT count() FROM events) - count() FROM events"), "0\n");
  EXPECT_EQ(Run("SELECT uniqExact(user_id) FROM events WHERE user_id IN "
                "(SELECT user_id FROM events WHERE event_type = 'purchase')"),
            Run("SELECT uniqExactIf(user_id, event_type = 'purchase') FROM events"));
  // A scalar subquery without rows is NULL (modern ClickHouse; 18.16 gave the type's default).
  EXPECT_EQ(Run("SELECT (SELECT count() FROM events WHERE 0 GROUP BY user_id) + 1"), "\\N\n");
  // user ids listed as literals resolve against the snapshot's user index when run.
  EXPECT_EQ(Run("SELECT count() FROM events WHERE user_id IN ('no-such-user')"), "0\n");
  EXPECT_EQ(Run("SELECT count() FROM system.one WHERE dummy IN (SELECT 0)"), "1\n");
}

TEST_F(PlannerTest, TopNEqualsAFullSort) {
  const std::string inner = "SELECT user_id, count() AS c FROM events GROUP BY user_id ORDER BY c DESC";
  EXPECT_NE(Run("EXPLAIN " + inner + " LIMIT 5 OFFSET 2").find("Sort (top 7)"), std::string::npos);
  // Ties keep the order a stable sort gives them.
  EXPECT_EQ(Run(inner + " LIMIT 5 OFFSET 2"), Run("SELECT * FROM (" + inner + ") LIMIT 5 OFFSET 2"));
}

TEST_F(PlannerTest, PredicatesMoveIntoSubqueriesAndPruneTime) {
  std::string day = Run("SELECT toDate(min(event_time)) + 2 FROM events");
  day = "'" + day.substr(0, day.size() - 1) + "'";  // a literal: prepared values stay where they are
  const std::string pushed =
      "SELECT count() FROM (SELECT event_time, user_id FROM events) WHERE event_time >= '2000-01-01 00:00:00'";
  const std::string plan = Run("EXPLAIN " + pushed);
  EXPECT_NE(plan.find("Filter: greaterOrEquals(event_time"), std::string::npos) << plan;
  EXPECT_EQ(Run(pushed), Run("SELECT count() FROM events"));
  // Into an aggregating view, on its keys only; a LIMIT inside keeps the filter outside.
  const std::string view = "SELECT count(), sum(total_events) FROM daily_user_metrics WHERE date = " + day;
  const std::string view_plan = Run("EXPLAIN " + view);
  EXPECT_NE(view_plan.find("      Filter: equals(date, "), std::string::npos) << view_plan;
  EXPECT_EQ(Run(view), Run("SELECT count(), sum(total_events) FROM (SELECT * FROM daily_user_metrics LIMIT "
                           "1000000000) WHERE date = " + day));
}

// The seam a cluster uses: partials over some rows each, one final over them all.
// Two partials of the same rows double every count and sum; distinct counts stay.
TEST_F(PlannerTest, PartialAndFinalAggregationMerge) {
  const TableSnapshot snapshot = table_->Snapshot();
  ExecutionContext context{&snapshot};
  int expansions = 0;
  BindContext bind{catalog_, &context, &expansions};
  ASSERT_OK_AND_ASSIGN(Statement statement,
                       ParseStatement("SELECT platform, count(), uniqExact(user_id), sum(length(event_type)) "
                                      "FROM events GROUP BY platform HAVING count() > 0 ORDER BY platform"));
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<const SelectPlan> plan, BindSelect(*statement.query, bind));
  ASSERT_OK(OptimizePlan(plan, snapshot));
  std::vector<PartialAggregatePtr> partials;
  for (int i = 0; i < 2; ++i) {
    ASSERT_OK_AND_ASSIGN(PartialAggregatePtr partial, ExecutePartialAggregate(*plan, context));
    partials.push_back(std::move(partial));
  }
  ASSERT_OK_AND_ASSIGN(ResultSet merged, ExecuteFinalAggregate(*plan, std::move(partials), context));
  std::string text;
  WriteResult(merged, OutputFormat::kTabSeparated, &text);
  EXPECT_EQ(text, Run("SELECT platform, count() * 2, uniqExact(user_id), sum(length(event_type)) * 2 "
                      "FROM events GROUP BY platform ORDER BY platform"));
  // A bitmap path's partials are its counts, which add: parts of a cluster hold disjoint users.
  ASSERT_OK_AND_ASSIGN(Statement bitmap, ParseStatement("SELECT uniqExact(user_id) FROM events"));
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<const SelectPlan> bitmap_plan, BindSelect(*bitmap.query, bind));
  ASSERT_OK(OptimizePlan(bitmap_plan, snapshot));
  ASSERT_TRUE(bitmap_plan->bitmap.has_value());
  // Days named in UTC are UTC days (the bitmaps'); another zone's are not.
  for (const auto& [zone, bitmap_path] : {std::pair{"UTC", true}, {"Etc/UTC", true}, {"Asia/Tokyo", false}}) {
    ASSERT_OK_AND_ASSIGN(Statement zoned, ParseStatement(absl::StrCat(
                                              "SELECT toStartOfDay(event_time, '", zone,
                                              "') AS d, uniqExact(user_id) FROM events GROUP BY d")));
    ASSERT_OK_AND_ASSIGN(std::shared_ptr<const SelectPlan> zoned_plan, BindSelect(*zoned.query, bind));
    ASSERT_OK(OptimizePlan(zoned_plan, snapshot));
    EXPECT_EQ(zoned_plan->bitmap.has_value(), bitmap_path) << zone;
  }
  std::vector<PartialAggregatePtr> counts;
  for (int i = 0; i < 2; ++i) {
    ASSERT_OK_AND_ASSIGN(PartialAggregatePtr partial, ExecutePartialAggregate(*bitmap_plan, context));
    counts.push_back(std::move(partial));
  }
  ASSERT_OK_AND_ASSIGN(ResultSet summed, ExecuteFinalAggregate(*bitmap_plan, std::move(counts), context));
  text.clear();
  WriteResult(summed, OutputFormat::kTabSeparated, &text);
  EXPECT_EQ(text, Run("SELECT uniqExact(user_id) * 2 FROM events"));
}

}  // namespace
}  // namespace mua
