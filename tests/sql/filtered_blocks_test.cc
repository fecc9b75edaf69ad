// Filtered blocks (query/operators/filtered_blocks.h): the rows a sealed block keeps under
// a keyed WHERE, with the columns read after it, kept with the segment — later queries
// with the same filter answer exactly what filtering the block again answers, whatever
// columns they read, with property columns, time ranges, no rows at all, and heads.
// The oracle adds a conjunct the rule does not key (length(event_id) >= 0).
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "sql/catalog.h"
#include "sql/sql_engine.h"
#include "storage/table.h"
#include "tests/sql/sql_test_util.h"
#include "tests/testutil/status_matchers.h"
#include "tools/gen/event_generator.h"

namespace mua {
namespace {

class FilteredBlocksTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    table_ = new Table(TableOptions{.segment_rows = 2500});
    gen::ForEachDayOfRows({.users = 400, .days = 6, .seed = 23}, [&](int day, absl::Span<const EventRow> rows) {
      ASSERT_OK(table_->Append(rows));
      if (day < 4) table_->SealAll();
    });
    catalog_ = new Catalog(table_);
  }
  static void TearDownTestSuite() {
    delete catalog_;
    delete table_;
  }

  std::string Run(const std::string& sql) { return test::RunTabSeparated(table_, catalog_, sql); }

  // `select` + " WHERE " + `where` + `rest`, three times (kept from the first on), equals the
  // same with an unkeyed conjunct.
  void ExpectSameAsFiltering(const std::string& select, const std::string& where, const std::string& rest,
                             bool some_rows = true) {
    const std::string sql = absl::StrCat(select, " WHERE ", where, " ", rest);
    const std::string oracle = absl::StrCat(select, " WHERE (", where, ") AND length(event_id) >= 0 ", rest);
    const std::string expected = Run(oracle);
    EXPECT_EQ(expected.find_first_not_of("0\t\n") != std::string::npos, some_rows) << oracle << ": " << expected;
    for (int run = 0; run < 3; ++run) EXPECT_EQ(Run(sql), expected) << sql << " (run " << run << ")";
  }

  static Table* table_;
  static Catalog* catalog_;
};
Table* FilteredBlocksTest::table_ = nullptr;
Catalog* FilteredBlocksTest::catalog_ = nullptr;

TEST_F(FilteredBlocksTest, SelectiveFiltersAnswerAsFiltering) {
  ExpectSameAsFiltering("SELECT country, count(), uniqExact(user_id) FROM events", "event_type = 'purchase'",
                        "GROUP BY country ORDER BY country");
  // The same filter, other columns read after it: its own kept rows.
  ExpectSameAsFiltering("SELECT platform, app_version, count(), max(event_time) FROM events",
                        "event_type = 'purchase'", "GROUP BY platform, app_version ORDER BY platform, app_version");
  ExpectSameAsFiltering("SELECT event_id, session_id, event_time FROM events", "event_type = 'purchase'",
                        "ORDER BY event_id, event_time");
  ExpectSameAsFiltering("SELECT count(), uniqExact(session_id) FROM events",
                        "event_type = 'purchase' AND country = 'US'", "");
  ExpectSameAsFiltering("SELECT user_id, count() FROM events", "user_id = 'u17' OR user_id = 'u200'",
                        "GROUP BY user_id ORDER BY user_id");
  ExpectSameAsFiltering("SELECT count() FROM events", "startsWith(device_model, 'Google') AND event_type != 'app_open'",
                        "");
}

TEST_F(FilteredBlocksTest, PropertyColumnsTimeRangesAndNoRows) {
  ExpectSameAsFiltering(
      "SELECT country, round(sum(JSONExtractFloat(properties, 'price')), 2) AS revenue, uniqExact(user_id) FROM events",
      "event_type = 'purchase'", "GROUP BY country ORDER BY revenue DESC, country");
  ExpectSameAsFiltering("SELECT count(), max(JSONExtractFloat(properties, 'price')) FROM events",
                        "JSONExtractFloat(properties, 'price') > 50", "");
  ExpectSameAsFiltering("SELECT toDate(event_time) AS d, count() FROM events",
                        "event_time >= '2026-10-02 06:00:00' AND event_time < '2026-10-05 00:00:00' AND "
                        "event_type = 'add_to_cart'",
                        "GROUP BY d ORDER BY d");
  // No row anywhere: kept as nothing, still one row of an aggregate without GROUP BY.
  ExpectSameAsFiltering("SELECT count(), sum(length(session_id)) FROM events", "event_type = 'no such event'", "",
                        /*some_rows=*/false);
  ExpectSameAsFiltering("SELECT event_id FROM events", "event_type = 'no such event'", "ORDER BY event_id",
                        /*some_rows=*/false);
}

TEST_F(FilteredBlocksTest, OnlyKeyableFiltersAreKept) {
  const std::string plain = Run("EXPLAIN SELECT count() FROM events WHERE event_type = 'purchase'");
  EXPECT_NE(plain.find("Filtered rows kept per sealed block"), std::string::npos) << plain;
  for (const char* where : {"event_type = 'purchase' AND length(event_id) >= 0", "rand() % 2 = 0",
                            "event_type IN (SELECT 'purchase')", "toDate(event_time) = '2026-10-02'"}) {
    const std::string explain = Run(absl::StrCat("EXPLAIN SELECT count() FROM events WHERE ", where));
    EXPECT_EQ(explain.find("Filtered rows kept per sealed block"), std::string::npos) << where << "\n" << explain;
  }
}

}  // namespace
}  // namespace mua
