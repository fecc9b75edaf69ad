// The result cache through SqlEngine: a repeated SELECT is answered from the cache
// while the partitions it read are unchanged, recomputed (with the new answer) as soon
// as one of them changes — and only then: rows appended to another day leave it
// cached. What depends on the clock, randomness or system tables is never cached;
// query_cache_ttl serves a stale answer up to that age.
#include "sql/query_cache.h"

#include <map>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "query/output_format.h"
#include "sql/catalog.h"
#include "sql/sql_engine.h"
#include "storage/base/time_util.h"
#include "storage/table.h"
#include "tests/sql/sql_test_util.h"
#include "tests/testutil/status_matchers.h"
#include "tools/gen/event_generator.h"

namespace mua {
namespace {

struct Answer {
  std::string text;
  bool cached = false;
};

class QueryCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    gen::ForEachDayOfRows({.users = 400, .days = 6, .seed = 11}, [&](int day, absl::Span<const EventRow> rows) {
      ASSERT_OK(table_.Append(rows));
      if (day % 2 == 1) table_.SealAll();  // sealed segments and heads mixed
    });
  }

  Answer Run(const std::string& sql, absl::Duration ttl = absl::ZeroDuration(),
             const std::map<std::string, std::string, std::less<>>& params = {}) {
    SqlEngine engine(&table_, &catalog_);
    ExecuteOptions options;
    options.query_cache = &cache_;
    options.use_query_cache = true;
    options.query_cache_ttl = ttl;
    absl::StatusOr<PreparedStatement> prepared = SqlEngine::Prepare(sql, PrepareOptions{params});
    EXPECT_OK(prepared.status()) << sql;
    if (!prepared.ok()) return {};
    absl::StatusOr<StatementOutput> output = engine.Execute(*prepared, options);
    EXPECT_OK(output.status()) << sql;
    if (!output.ok()) return {};
    Answer answer;
    WriteResult(output->result, OutputFormat::kTabSeparated, &answer.text);
    answer.cached = output->from_query_cache;
    return answer;
  }

  // The answer without the cache.
  std::string Fresh(const std::string& sql) { return test::RunTabSeparated(&table_, &catalog_, sql); }

  // One event of a new user on `day` (2026-10-01 + day_offset).
  void AppendOneEvent(int day_offset, absl::string_view event_type = "purchase") {
    const std::string user = "cache-test-user-" + std::to_string(appended_);
    const std::string id = "cache-test-event-" + std::to_string(appended_++);
    EventRow row;
    row.event_time_ms = MillisOfDay(ParseDayOrDie("2026-10-01") + day_offset) + 3600 * 1000;
    row.user_id = user;
    row.event_id = id;
    row.session_id = "s";
    row.event_type = event_type;
    row.platform = "ios";
    row.country = "US";
    row.properties = R"({"price": 9.5})";
    ASSERT_OK(table_.Append({row}));
  }

  static int32_t ParseDayOrDie(absl::string_view text) {
    absl::StatusOr<int32_t> day = ParseDay(text);
    EXPECT_OK(day.status()) << text;
    return day.ok() ? *day : 0;
  }

  Table table_{TableOptions{.segment_rows = 4000}};
  Catalog catalog_{&table_};
  QueryCache cache_;
  int appended_ = 0;
};

constexpr char kAllDays[] =
    "SELECT event_type, count() AS events, uniqExact(user_id) AS users FROM events "
    "GROUP BY event_type ORDER BY event_type";
constexpr char kFirstTwoDays[] =
    "SELECT country, count() AS events FROM events WHERE event_time >= '2026-10-01 00:00:00' "
    "AND event_time < '2026-10-03 00:00:00' AND length(event_type) > 0 GROUP BY country ORDER BY country";
constexpr char kDauFirstTwoDays[] =
    "SELECT toDate(event_time) AS day, uniqExact(user_id) AS dau FROM events WHERE event_time >= "
    "'2026-10-01 00:00:00' AND event_time < '2026-10-03 00:00:00' GROUP BY day ORDER BY day";
constexpr char kDau[] =
    "SELECT toDate(event_time) AS day, uniqExact(user_id) AS dau FROM events GROUP BY day ORDER BY day";

TEST_F(QueryCacheTest, RepeatedSelectIsAnsweredFromTheCache) {
  const Answer first = Run(kAllDays);
  EXPECT_FALSE(first.cached);
  const Answer second = Run(kAllDays);
  EXPECT_TRUE(second.cached);
  EXPECT_EQ(second.text, first.text);
  EXPECT_EQ(second.text, Fresh(kAllDays));
  // The key is the normalized statement: spacing and keyword case do not matter.
  const Answer respaced = Run(
      "select event_type,   count() AS events, uniqExact(user_id) AS users\nFROM events "
      "group by event_type order by event_type");
  EXPECT_TRUE(respaced.cached);
  EXPECT_EQ(respaced.text, first.text);
  EXPECT_EQ(cache_.counters().hits, 2u);
}

TEST_F(QueryCacheTest, AnAppendInvalidatesOnlyWhatReadItsDay) {
  Run(kAllDays);
  Run(kFirstTwoDays);
  Run(kDau);
  Run(kDauFirstTwoDays);
  Run("SELECT * FROM funnel(steps => ['app_open', 'purchase'], window => 86400, from => '2026-10-05', "
      "to => '2026-10-07')");
  AppendOneEvent(5);  // 2026-10-06
  // Read 2026-10-06: recomputed, with the new event counted.
  const Answer all = Run(kAllDays);
  EXPECT_FALSE(all.cached);
  EXPECT_EQ(all.text, Fresh(kAllDays));
  const Answer dau = Run(kDau);
  EXPECT_FALSE(dau.cached);
  EXPECT_EQ(dau.text, Fresh(kDau));
  EXPECT_FALSE(Run("SELECT * FROM funnel(steps => ['app_open', 'purchase'], window => 86400, "
                   "from => '2026-10-05', to => '2026-10-07')")
                   .cached);
  // Read only 2026-10-01 and 02: still the answer, still cached (the bitmap path too).
  const Answer early_dau = Run(kDauFirstTwoDays);
  EXPECT_TRUE(early_dau.cached);
  EXPECT_EQ(early_dau.text, Fresh(kDauFirstTwoDays));
  const Answer early = Run(kFirstTwoDays);
  EXPECT_TRUE(early.cached);
  EXPECT_EQ(early.text, Fresh(kFirstTwoDays));
  // Appended to one of its days, it is recomputed.
  AppendOneEvent(1);
  const Answer after = Run(kFirstTwoDays);
  EXPECT_FALSE(after.cached);
  EXPECT_EQ(after.text, Fresh(kFirstTwoDays));
  EXPECT_NE(after.text, early.text);
}

TEST_F(QueryCacheTest, ErasingAUserInvalidates) {
  const std::string sql = "SELECT uniqExact(user_id), count() FROM events";
  const Answer before = Run(sql);
  EXPECT_TRUE(Run(sql).cached);
  AppendOneEvent(2);
  EXPECT_FALSE(Run(sql).cached);
  EXPECT_TRUE(Run(sql).cached);
  ASSERT_OK(table_.EraseUser("cache-test-user-0").status());
  const Answer after = Run(sql);
  EXPECT_FALSE(after.cached);
  EXPECT_EQ(after.text, before.text);
}

TEST_F(QueryCacheTest, ClockRandomnessAndSystemTablesAreNotCached) {
  for (const char* sql : {"SELECT count() FROM events WHERE event_time < now()",
                          "SELECT count() FROM events WHERE toDate(event_time) <= today()",
                          "SELECT rand() % 1 + count() FROM events",
                          "SELECT count() > 0 FROM system.tables",
                          "SELECT currentUser(), count() FROM events"}) {
    Run(sql);
    EXPECT_FALSE(Run(sql).cached) << sql;
  }
  EXPECT_EQ(cache_.counters().entries, 0u);
}

TEST_F(QueryCacheTest, QueryParametersAndSettingsArePartOfTheKey) {
  const std::string sql = "SELECT count() FROM events WHERE event_type = {t:String}";
  const Answer open = Run(sql, absl::ZeroDuration(), {{"t", "app_open"}});
  const Answer purchase = Run(sql, absl::ZeroDuration(), {{"t", "purchase"}});
  EXPECT_FALSE(purchase.cached);
  EXPECT_NE(open.text, purchase.text);
  EXPECT_TRUE(Run(sql, absl::ZeroDuration(), {{"t", "purchase"}}).cached);
  // join_use_nulls may change an answer; the cache's own settings do not.
  const std::string base = "SELECT count() FROM events";
  Run(base + " SETTINGS join_use_nulls = 1");
  EXPECT_FALSE(Run(base + " SETTINGS join_use_nulls = 0").cached);
  EXPECT_TRUE(Run(base + " SETTINGS join_use_nulls = 1, query_cache_ttl = 5").cached);
}

TEST_F(QueryCacheTest, TtlServesAStaleAnswerUpToItsAge) {
  const Answer before = Run(kAllDays, absl::Hours(1));
  AppendOneEvent(0);
  const Answer stale = Run(kAllDays, absl::Hours(1));
  EXPECT_TRUE(stale.cached);
  EXPECT_EQ(stale.text, before.text);
  // Without a ttl the entry must be exact: recomputed.
  const Answer exact = Run(kAllDays);
  EXPECT_FALSE(exact.cached);
  EXPECT_EQ(exact.text, Fresh(kAllDays));
  EXPECT_NE(exact.text, before.text);
}

TEST_F(QueryCacheTest, SettingInTheStatementTurnsTheCacheOnOrOff) {
  SqlEngine engine(&table_, &catalog_);
  ExecuteOptions options;
  options.query_cache = &cache_;  // off unless the statement asks
  const std::string sql = "SELECT count() FROM events SETTINGS use_query_cache = 1";
  ASSERT_OK(engine.Execute(sql, options).status());
  absl::StatusOr<StatementOutput> second = engine.Execute(sql, options);
  ASSERT_OK(second.status());
  EXPECT_TRUE(second->from_query_cache);
  absl::StatusOr<StatementOutput> off = engine.Execute("SELECT count() FROM events SETTINGS use_query_cache = 0", options);
  ASSERT_OK(off.status());
  EXPECT_FALSE(off->from_query_cache);
}

TEST_F(QueryCacheTest, LimitsAndClear) {
  QueryCache small(QueryCacheOptions{.max_entries = 2, .max_entry_bytes = 1 << 20});
  cache_.Clear();
  SqlEngine engine(&table_, &catalog_);
  ExecuteOptions options;
  options.query_cache = &small;
  options.use_query_cache = true;
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK(engine.Execute("SELECT count() + " + std::to_string(i) + " FROM events", options).status());
  }
  EXPECT_EQ(small.counters().entries, 2u);
  EXPECT_EQ(small.counters().evictions, 1u);
  // The least recently used went: i = 0.
  absl::StatusOr<StatementOutput> oldest = engine.Execute("SELECT count() + 0 FROM events", options);
  ASSERT_OK(oldest.status());
  EXPECT_FALSE(oldest->from_query_cache);
  // A result larger than an entry may be is not kept.
  QueryCache tiny(QueryCacheOptions{.max_entry_bytes = 64});
  options.query_cache = &tiny;
  ASSERT_OK(engine.Execute("SELECT event_id FROM events LIMIT 100", options).status());
  EXPECT_EQ(tiny.counters().entries, 0u);
  small.Clear();
  EXPECT_EQ(small.counters().entries, 0u);
  EXPECT_EQ(small.counters().bytes, 0u);
}

}  // namespace
}  // namespace mua
