// The per-user sequence path (query/operators/user_sequence.h) answers exactly what the
// hash path answers: every user's windowFunnel level and count over sealed segments,
// several segments a day and unsealed heads, with filters and conditions evaluated by
// dictionary lookup or per block, at millisecond and second resolution, with events in
// the same second and users that reach no step.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "query/output_format.h"
#include "sql/catalog.h"
#include "sql/sql_engine.h"
#include "storage/table.h"
#include "tests/sql/sql_test_util.h"
#include "tests/testutil/status_matchers.h"
#include "tools/gen/event_generator.h"

namespace mua {
namespace {

class UserSequenceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // Small segments: a day spans several sealed segments, and the last days stay in heads.
    table_ = new Table(TableOptions{.segment_rows = 3000});
    gen::ForEachDayOfRows({.users = 700, .days = 8, .seed = 5}, [](int day, absl::Span<const EventRow> rows) {
      // Two appends a day: segments and heads hold interleaved parts of a user's day.
      const size_t half = rows.size() / 2;
      ASSERT_OK(table_->Append(rows.subspan(0, half)));
      ASSERT_OK(table_->Append(rows.subspan(half)));
      if (day < 6) table_->SealAll();
    });
    // Steps in one second, in reverse order and out of arrival order, and a user who
    // reaches no step.
    std::vector<std::string> ids;
    std::vector<EventRow> rows;
    auto add = [&](const char* user, int64_t ms, const char* type) {
      EventRow& row = rows.emplace_back();
      ids.push_back(absl::StrCat("tie-", ids.size()));
      row.event_time_ms = ms;
      row.user_id = user;
      row.event_id = ids.back();
      row.event_type = type;
      row.session_id = "s1";
      row.platform = "android";
    };
    ids.reserve(16);
    const int64_t t = 1790000000000;  // 2026-09-21, a day of its own
    add("tie-user", t + 900, "purchase");
    add("tie-user", t + 500, "add_to_cart");
    add("tie-user", t + 100, "view_item");
    add("tie-user", t + 999, "app_open");
    add("tie-user-2", t + 5000, "view_item");
    add("tie-user-2", t + 2000, "app_open");
    add("no-step-user", t + 1000, "screen_view");
    ASSERT_OK(table_->Append(rows));
    catalog_ = new Catalog(table_);
  }
  static void TearDownTestSuite() {
    delete catalog_;
    delete table_;
  }

  std::string Run(const std::string& sql) { return test::RunTabSeparated(table_, catalog_, sql); }

  // `aggregates` by user over `where`, through the sequence path and (with one more
  // aggregate it does not handle) through the hash path: equal, and not empty.
  void ExpectSameAsHashPath(const std::string& aggregates, const std::string& where = "", bool some_rows = true,
                            const std::string& second_key = "") {
    const std::string keys = second_key.empty() ? "user_id" : "user_id, " + second_key;
    const std::string inner = absl::StrCat("SELECT ", keys, ", ", aggregates, " FROM events ",
                                           where.empty() ? "" : "WHERE " + where, " GROUP BY ", keys);
    const std::string hash_inner = absl::StrReplaceAll(inner, {{" FROM events", ", sum(0) AS zero FROM events"}});
    EXPECT_NE(Run("EXPLAIN " + inner).find("user sequence path"), std::string::npos) << inner;
    EXPECT_EQ(Run("EXPLAIN " + hash_inner).find("user sequence path"), std::string::npos) << hash_inner;
    const std::string fast = Run(absl::StrCat("SELECT *, 0 AS zero FROM (", inner, ") ORDER BY ", keys));
    const std::string hash = Run(absl::StrCat("SELECT * FROM (", hash_inner, ") ORDER BY ", keys));
    EXPECT_EQ(!fast.empty(), some_rows) << inner;
    EXPECT_EQ(fast, hash) << inner;
  }

  static Table* table_;
  static Catalog* catalog_;
};
Table* UserSequenceTest::table_ = nullptr;
Catalog* UserSequenceTest::catalog_ = nullptr;

constexpr char kFunnel[] =
    "windowFunnel(86400)(toDateTime(event_time), event_type = 'app_open', event_type = 'view_item', "
    "event_type = 'add_to_cart', event_type = 'purchase') AS level";

TEST_F(UserSequenceTest, FunnelAndCountEqualTheHashPath) {
  ExpectSameAsHashPath(kFunnel);
  ExpectSameAsHashPath(absl::StrCat(kFunnel, ", count() AS events"));
}

TEST_F(UserSequenceTest, MillisecondTimestampsAndShortWindows) {
  // event_time itself: milliseconds, window compared at that resolution.
  ExpectSameAsHashPath(
      "windowFunnel(600)(event_time, event_type = 'app_open', event_type = 'view_item', event_type = 'purchase')");
  ExpectSameAsHashPath("windowFunnel(1)(toDateTime(event_time), event_type = 'app_open', event_type = 'view_item')");
  ExpectSameAsHashPath("windowFunnel(0)(event_time, event_type = 'view_item', event_type = 'add_to_cart')");
}

TEST_F(UserSequenceTest, ConditionsOfOtherColumnsAndConstants) {
  // platform and event_type (two lookups), an hour (per block), a constant step.
  ExpectSameAsHashPath(
      "windowFunnel(3600)(toDateTime(event_time), event_type = 'app_open' AND platform = 'ios', "
      "event_type IN ('view_item', 'add_to_cart'), toHour(event_time) >= 12, 1 = 1) AS f");
  ExpectSameAsHashPath(
      "windowFunnel(86400)(toDateTime(event_time), country = 'US', event_type = 'purchase'), count()");
}

TEST_F(UserSequenceTest, Filters) {
  ExpectSameAsHashPath(kFunnel, "platform = 'android'");
  ExpectSameAsHashPath(kFunnel, "event_time >= '2026-10-03 06:00:00' AND event_time < '2026-10-06 00:00:00'");
  ExpectSameAsHashPath(absl::StrCat(kFunnel, ", count()"), "session_id != '' AND length(device_model) > 3");
  ExpectSameAsHashPath("count()", "event_type = 'no such type'", /*some_rows=*/false);
}

TEST_F(UserSequenceTest, StepsInOneSecondAreOrderedByCondition) {
  // All four steps inside one second, stored in reverse: at second resolution they are
  // one timestamp, ordered by condition, so the user reaches level 4; at milliseconds
  // app_open comes last and only level 1 is reached.
  EXPECT_EQ(Run(absl::StrCat("SELECT user_id, ", kFunnel,
                             " FROM events WHERE user_id LIKE 'tie-user%' GROUP BY user_id ORDER BY user_id")),
            "tie-user\t4\ntie-user-2\t2\n");
  EXPECT_EQ(Run("SELECT windowFunnel(86400)(event_time, event_type = 'app_open', event_type = 'view_item', "
                "event_type = 'add_to_cart', event_type = 'purchase') FROM events WHERE user_id = 'tie-user' "
                "GROUP BY user_id"),
            "1\n");
  EXPECT_EQ(Run(absl::StrCat("SELECT level, count() FROM (SELECT user_id, ", kFunnel,
                             " FROM events WHERE user_id = 'no-step-user' GROUP BY user_id) GROUP BY level")),
            "0\t1\n");
}

TEST_F(UserSequenceTest, GroupsOfUserAndSessionEqualTheHashPath) {
  // The SPEC §9 sessions inner query: groups per (user, session_id), its rows in runs.
  const std::string sessions =
      "min(event_time) AS first, max(event_time) AS last, count() AS events";
  ExpectSameAsHashPath(sessions, "session_id != ''", /*some_rows=*/true, "session_id");
  ExpectSameAsHashPath(sessions, "", /*some_rows=*/true, "session_id");
  ExpectSameAsHashPath(sessions, "platform = 'ios' AND length(session_id) > 0", /*some_rows=*/true, "session_id");
  // A low-cardinality second key, and a string one compared with a value.
  ExpectSameAsHashPath("count(), max(event_time)", "session_id = 's1'", /*some_rows=*/true, "app_version");
  ExpectSameAsHashPath("min(event_time)", "", /*some_rows=*/true, "event_type");
  EXPECT_EQ(Run("SELECT day, count() AS sessions, round(avg(length_s), 4), quantileExact(0.5)(length_s) FROM ("
                "SELECT user_id, session_id, toDate(min(event_time)) AS day, dateDiff('second', "
                "toDateTime(min(event_time)), toDateTime(max(event_time))) AS length_s FROM events "
                "WHERE session_id != '' GROUP BY user_id, session_id) GROUP BY day ORDER BY day"),
            Run("SELECT day, count() AS sessions, round(avg(length_s), 4), quantileExact(0.5)(length_s) FROM ("
                "SELECT user_id, session_id, toDate(min(event_time)) AS day, dateDiff('second', "
                "toDateTime(min(event_time)), toDateTime(max(event_time))) AS length_s, sum(0) AS z FROM events "
                "WHERE session_id != '' GROUP BY user_id, session_id) GROUP BY day ORDER BY day"));
}

TEST_F(UserSequenceTest, ModesAndOtherAggregatesKeepTheHashPath) {
  for (const char* aggregates :
       {"windowFunnel(86400, 'strict_order')(toDateTime(event_time), event_type = 'app_open', "
        "event_type = 'view_item')",
        "windowFunnel(86400)(toStartOfHour(event_time), event_type = 'app_open', event_type = 'view_item')",
        "count(), uniqExact(session_id)", "min(session_id)"}) {
    const std::string sql = absl::StrCat("SELECT user_id, ", aggregates, " FROM events GROUP BY user_id");
    EXPECT_EQ(Run("EXPLAIN " + sql).find("user sequence path"), std::string::npos) << sql;
  }
  // A funnel per (user, session), or a time as the second key: the hash path.
  for (const char* sql :
       {"SELECT user_id, session_id, windowFunnel(60)(event_time, event_type = 'app_open', event_type = "
        "'view_item') FROM events GROUP BY user_id, session_id",
        "SELECT user_id, event_time, count() FROM events GROUP BY user_id, event_time"}) {
    EXPECT_EQ(Run(absl::StrCat("EXPLAIN ", sql)).find("user sequence path"), std::string::npos) << sql;
  }
}

}  // namespace
}  // namespace mua
