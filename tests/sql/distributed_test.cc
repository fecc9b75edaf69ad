// Distributed queries without the network (issue 18): the events of one table split by
// user over three shard tables; shard 0's engine coordinates through an in-process
// ShardFanout that runs the other shards' parts as their servers would. Every answer
// must equal the whole table's; what a cluster cannot run yet is refused by name.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/hash/hash.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "query/distributed.h"
#include "query/output_format.h"
#include "sql/catalog.h"
#include "sql/sql_engine.h"
#include "storage/table.h"
#include "tests/testutil/event_builder.h"
#include "tests/testutil/fixed_fanout.h"
#include "tests/testutil/status_matchers.h"
#include "tools/gen/event_generator.h"
#include "tools/gen/experiment_spec.h"

namespace mua {
namespace {

constexpr int kShards = 3;

// The other shards as a coordinator's server reaches them, in-process.
class InProcessFanout final : public ShardFanout {
 public:
  InProcessFanout(std::vector<const SqlEngine*> shards, std::string sql) : shards_(std::move(shards)), sql_(std::move(sql)) {}
  void set_down(int shard) { down_ = shard; }

  absl::StatusOr<Answers> Run(ShardStage stage, absl::string_view block, absl::string_view inputs,
                              bool skip_unavailable_shards, absl::Time, const std::atomic<bool>*) const override {
    Answers answers;
    for (size_t s = 0; s < shards_.size(); ++s) {
      const int shard = static_cast<int>(s) + 1;  // shard 0 coordinates
      if (shard == down_) {
        if (!skip_unavailable_shards) return absl::UnavailableError("All replicas of shard 2 are unavailable");
        answers.skipped_shards.push_back(shard);
        continue;
      }
      ExecuteOptions options;
      options.shard_stage = stage;
      options.shard_block = std::string(block);
      options.shard_inputs = std::string(inputs);
      absl::StatusOr<StatementOutput> output = shards_[s]->Execute(sql_, options);
      if (!output.ok()) return output.status();
      answers.parts.push_back(std::move(output->shard_part));
    }
    return answers;
  }

 private:
  std::vector<const SqlEngine*> shards_;
  std::string sql_;
  int down_ = -1;
};

using test::FixedFanout;

class DistributedTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    whole_ = new Table(TableOptions{.segment_rows = 5000});
    for (int s = 0; s < kShards; ++s) shards_[s] = new Table(TableOptions{.segment_rows = 5000});
    // Two A/B tests (assignments in `attributes`): one with an effect on purchases from day 2.
    gen::EventGenerator generator({.users = 600,
                                   .days = 8,
                                   .seed = 11,
                                   .experiments = {*gen::ParseExperimentSpec("exp:control,treatment:purchase*1.3@2"),
                                                   *gen::ParseExperimentSpec("aa:a,b,c")}});
    std::vector<gen::GeneratedEvent> day;
    int days = 0;
    while (generator.NextDay(&day)) {
      std::vector<EventRow> all;
      std::vector<EventRow> per_shard[kShards];
      for (const gen::GeneratedEvent& e : day) {
        if (e.duplicate) continue;
        all.push_back(gen::ToEventRow(e));
        per_shard[absl::HashOf(e.user_id) % kShards].push_back(gen::ToEventRow(e));
      }
      ASSERT_OK(whole_->Append(all));
      for (int s = 0; s < kShards; ++s) ASSERT_OK(shards_[s]->Append(per_shard[s]));
      // Sealed and unsealed data both: the bitmap paths read sealed segments.
      if (++days % 3 != 0) {
        whole_->SealAll();
        for (Table* shard : shards_) shard->SealAll();
      }
    }
    whole_catalog_ = new Catalog(whole_);
    for (int s = 0; s < kShards; ++s) catalogs_[s] = new Catalog(shards_[s]);
  }
  static void TearDownTestSuite() {
    delete whole_catalog_;
    delete whole_;
    for (int s = 0; s < kShards; ++s) {
      delete catalogs_[s];
      delete shards_[s];
    }
  }

  static std::string Text(const absl::StatusOr<StatementOutput>& output) {
    if (!output.ok()) return std::string(output.status().ToString());
    std::string text;
    WriteResult(output->result, OutputFormat::kTabSeparatedWithNamesAndTypes, &text);
    return text;
  }
  // Rows in order where the query orders them, else sorted.
  static std::string Canonical(const std::string& text, bool ordered) {
    if (ordered) return text;
    std::vector<std::string> lines = absl::StrSplit(text, '\n');
    std::sort(lines.begin() + std::min<size_t>(2, lines.size()), lines.end());
    return absl::StrJoin(lines, "\n");
  }

  absl::StatusOr<StatementOutput> OnCluster(const std::string& sql, int down = -1, bool skip = false) {
    SqlEngine coordinator(shards_[0], catalogs_[0]);
    SqlEngine shard1(shards_[1], catalogs_[1]);
    SqlEngine shard2(shards_[2], catalogs_[2]);
    InProcessFanout fanout({&shard1, &shard2}, sql);
    fanout.set_down(down);
    ExecuteOptions options;
    options.fanout = &fanout;
    options.skip_unavailable_shards = skip;
    return coordinator.Execute(sql, options);
  }
  std::string Whole(const std::string& sql) { return Text(SqlEngine(whole_, whole_catalog_).Execute(sql)); }

  void ExpectSame(const std::string& sql) {
    const bool ordered = sql.find("ORDER BY") != std::string::npos;
    const absl::StatusOr<StatementOutput> cluster = OnCluster(sql);
    ASSERT_OK(cluster.status()) << sql;
    EXPECT_EQ(Canonical(Text(cluster), ordered), Canonical(Whole(sql), ordered)) << sql;
  }

  static Table* whole_;
  static Catalog* whole_catalog_;
  static Table* shards_[kShards];
  static Catalog* catalogs_[kShards];
};

Table* DistributedTest::whole_ = nullptr;
Catalog* DistributedTest::whole_catalog_ = nullptr;
Table* DistributedTest::shards_[kShards] = {};
Catalog* DistributedTest::catalogs_[kShards] = {};

TEST_F(DistributedTest, EveryShardHoldsPartOfTheEvents) {
  const std::string sql = "SELECT count(), uniqExact(user_id) FROM events";
  const std::string whole = Whole(sql);
  for (int s = 0; s < kShards; ++s) {
    const std::string alone = Text(SqlEngine(shards_[s], catalogs_[s]).Execute(sql));
    EXPECT_NE(alone, whole);
  }
  EXPECT_NE(Text(OnCluster(sql + " SETTINGS distributed = 0")), whole);
  EXPECT_EQ(Text(OnCluster(sql)), whole);
}

// docs/CLUSTER.md's check for users split across shards: a distinct count over 128-bit
// fingerprints unions the shards' sets, one over user_id adds their counts.
TEST_F(DistributedTest, SplitUsersCheckFindsNoneWhenUsersAreDisjoint) {
  const absl::StatusOr<StatementOutput> check = OnCluster(
      "SELECT uniqExact(concat(user_id, '')) AS users, uniqExact(user_id) AS per_shard, per_shard - users AS split "
      "FROM events");
  ASSERT_OK(check.status());
  const absl::StatusOr<StatementOutput> whole =
      SqlEngine(whole_, whole_catalog_).Execute("SELECT uniqExact(user_id) FROM events");
  ASSERT_OK(whole.status());
  const int64_t users = whole->result.columns[0].ints[0];
  EXPECT_EQ(Text(check), absl::StrCat("users\tper_shard\tsplit\nUInt64\tUInt64\tInt64\n", users, "\t", users, "\t0\n"));
}

// The same check with a user whose events reach two shards: counted once as split.
TEST(SplitUsersCheck, CountsAUserWithEventsOnTwoShards) {
  Table first;
  Table second;
  auto event = [](const char* user, const char* id) {
    EventRow row;
    row.event_time_ms = test::MillisAt("2026-10-05T10:00:00");
    row.user_id = user;
    row.event_id = id;
    row.event_type = "app_open";
    return row;
  };
  ASSERT_OK(first.Append({event("u1", "e1"), event("u2", "e2")}));
  ASSERT_OK(second.Append({event("u2", "e3"), event("u3", "e4"), event("u3", "e5")}));
  const Catalog first_catalog(&first);
  const Catalog second_catalog(&second);
  const SqlEngine coordinator(&first, &first_catalog);
  const SqlEngine other(&second, &second_catalog);
  const std::string sql =
      "SELECT uniqExact(concat(user_id, '')) AS users, uniqExact(user_id) AS per_shard, per_shard - users AS split "
      "FROM events";
  InProcessFanout fanout({&other}, sql);
  ExecuteOptions options;
  options.fanout = &fanout;
  ASSERT_OK_AND_ASSIGN(const StatementOutput output, coordinator.Execute(sql, options));
  ASSERT_EQ(output.result.row_count, 1u);
  EXPECT_EQ(output.result.columns[0].ints[0], 3);
  EXPECT_EQ(output.result.columns[1].ints[0], 4);
  EXPECT_EQ(output.result.columns[2].ints[0], 1);
}

TEST_F(DistributedTest, BenchmarkQueriesEqualOneTable) {
  for (const char* sql : {
           // dau, dau_purchase, mau: the bitmap paths' counts add up across shards
           "SELECT toDate(event_time) AS day, uniqExact(user_id) AS dau FROM events GROUP BY day ORDER BY day",
           "SELECT toDate(event_time) AS day, uniqExact(user_id) AS buyers FROM events "
           "WHERE event_type = 'purchase' GROUP BY day ORDER BY day",
           "SELECT toStartOfMonth(event_time) AS month, uniqExact(user_id) AS mau FROM events GROUP BY month "
           "ORDER BY month",
           "SELECT toDate(event_time) AS day, uniqExact(user_id) AS users FROM events "
           "WHERE platform = 'ios' AND country = 'US' GROUP BY day ORDER BY day",
           // retention_day: per-user retention summed
           "SELECT sum(r[1]) AS a, sum(r[2]) AS b, sum(r[3]) AS c FROM (SELECT user_id, "
           "retention(toDate(event_time) = toDate('2026-10-01'), toDate(event_time) = toDate('2026-10-02'), "
           "toDate(event_time) = toDate('2026-10-05')) AS r FROM events "
           "WHERE toDate(event_time) IN (toDate('2026-10-01'), toDate('2026-10-02'), toDate('2026-10-05')) "
           "GROUP BY user_id)",
           // funnel
           "SELECT level, count() AS users FROM (SELECT user_id, windowFunnel(86400)(toDateTime(event_time), "
           "event_type = 'app_open', event_type = 'view_item', event_type = 'add_to_cart', "
           "event_type = 'purchase') AS level FROM events GROUP BY user_id) GROUP BY level ORDER BY level",
           // sessions: avg and quantileExact as states
           "SELECT day, count() AS sessions, round(avg(length_s), 4) AS avg_length_s, "
           "quantileExact(0.5)(length_s) AS median_length_s FROM (SELECT user_id, session_id, "
           "toDate(min(event_time)) AS day, dateDiff('second', toDateTime(min(event_time)), "
           "toDateTime(max(event_time))) AS length_s FROM events WHERE session_id != '' "
           "GROUP BY user_id, session_id) GROUP BY day ORDER BY day",
           // crash_rate: uniqExact of strings as fingerprint sets
           "SELECT app_version, countIf(event_type = 'app_crash') AS crashes, uniqExact(session_id) AS sessions, "
           "round(countIf(event_type = 'app_crash') / uniqExact(session_id), 6) AS crash_rate FROM events "
           "WHERE session_id != '' GROUP BY app_version ORDER BY app_version",
           // top_events, revenue
           "SELECT event_type, count() AS events FROM events WHERE platform = 'android' GROUP BY event_type "
           "ORDER BY events DESC, event_type LIMIT 5",
           "SELECT country, round(sum(JSONExtractFloat(properties, 'price')), 2) AS revenue, "
           "uniqExact(user_id) AS buyers FROM events WHERE event_type = 'purchase' GROUP BY country "
           "ORDER BY revenue DESC, country",
       }) {
    ExpectSame(sql);
  }
}

TEST_F(DistributedTest, AggregatesHavingAndRowsEqualOneTable) {
  for (const char* sql : {
           "SELECT count() FROM events",
           "SELECT count(), uniq(user_id), count(DISTINCT user_id), min(event_time), max(event_time) FROM events",
           "SELECT event_type, avg(length(properties)), min(country), max(country), "
           "arraySort(groupUniqArray(platform)) FROM events GROUP BY event_type ORDER BY event_type",
           "SELECT platform, uniqExactIf(user_id, event_type = 'purchase') AS buyers, countIf(country = 'US') "
           "FROM events GROUP BY platform HAVING buyers > 0 ORDER BY platform",
           "SELECT toDate(event_time) AS day, count() AS n FROM events GROUP BY day HAVING n > 100 "
           "ORDER BY n DESC LIMIT 3 OFFSET 1",
           "SELECT user_id, count() AS n FROM events GROUP BY user_id ORDER BY n DESC, user_id LIMIT 10",
           "SELECT user_id, count() AS n FROM events GROUP BY user_id HAVING n > 40",
           "SELECT event_id, user_id, event_type FROM events WHERE country = 'DE' "
           "ORDER BY event_time DESC, event_id LIMIT 7 OFFSET 3",
           "SELECT DISTINCT platform FROM events ORDER BY platform",
           "SELECT count() FROM events WHERE user_id IN (SELECT user_id FROM events WHERE event_type = 'purchase')",
           "SELECT count() FROM (SELECT user_id FROM events WHERE event_type = 'purchase' "
           "UNION ALL SELECT user_id FROM events WHERE event_type = 'app_crash')",
           "SELECT event_type, count() FROM events GROUP BY event_type",
           // views whose rows are per user: each shard's are its own users'
           "SELECT count(), sum(events), round(sum(duration_s), 3) FROM sessions",
           "SELECT date, count(), sum(total_events) FROM daily_user_metrics GROUP BY date ORDER BY date",
           "SELECT user_id, sum(session_count) AS s FROM daily_user_metrics GROUP BY user_id ORDER BY s DESC, "
           "user_id LIMIT 5",
           "SELECT name FROM system.tables WHERE name = 'events'",
           "SELECT 1 + 1",
       }) {
    ExpectSame(sql);
  }
}

TEST_F(DistributedTest, TableFunctionsEqualOneTable) {
  for (const char* sql : {
           "SELECT * FROM active_users(period => 'day') ORDER BY bucket",
           "SELECT * FROM active_users(period => 'week', breakdown => platform) ORDER BY bucket, platform",
           "SELECT cohort, cohort_size, k, retained, pct FROM retention_matrix() ORDER BY cohort, k",
           "SELECT * FROM retention_matrix(start_event => 'app_open', return_event => 'purchase', period => 'week', "
           "mode => 'on_or_after', breakdown => country, from => '2026-10-01', to => '2026-10-07') "
           "ORDER BY cohort, country, k",
           "SELECT * FROM stickiness(event => 'app_open') ORDER BY periods_active",
           "SELECT * FROM stickiness(breakdown => platform) ORDER BY periods_active, platform",
           "SELECT * FROM lifecycle(period => 'day') ORDER BY period, status",
           "SELECT * FROM crash_health() ORDER BY app_version",
           "SELECT * FROM paths(start_event => 'app_open', steps => 3) ORDER BY step, from_event, to_event",
           "SELECT step, count(), sum(transitions) FROM paths(start_event => 'app_open') GROUP BY step ORDER BY step",
           "SELECT count(), sum(events), round(sum(duration_s), 3) FROM sessions(from => '2026-10-02', to => '2026-10-05')",
           "SELECT user_id, session_id, events FROM sessions() ORDER BY events DESC, user_id, session_id LIMIT 5",
           // funnel's medians come from every shard's samples
           "SELECT * FROM funnel(steps => ['app_open', 'view_item', 'add_to_cart', 'purchase']) ORDER BY step",
           "SELECT * FROM funnel(steps => ['app_open', 'purchase'], order => 'strict', window => INTERVAL 2 HOUR, "
           "breakdown => platform) ORDER BY platform, step",
           "SELECT step, users FROM funnel(steps => ['view_item', 'add_to_cart'], order => 'unordered', "
           "from => '2026-10-02', to => '2026-10-06')",
       }) {
    ExpectSame(sql);
  }
}

// experiment(): each shard's arms (mergeable moments) add up to the whole table's
// statistics; floats rounded, as merging in another order moves the last digits.
TEST_F(DistributedTest, ExperimentEqualsOneTable) {
  const std::string columns =
      "variant, users, round(value, 6), round(mean, 9), round(stddev, 9), round(lift, 9), round(lift_ci_low, 9), "
      "round(lift_ci_high, 9), round(p_value, 9), round(chance_to_beat_control, 9), significant, "
      "round(srm_p_value, 9), excluded_users, note";
  for (const std::string arguments : {
           "name => 'exp', event => 'purchase'",
           "name => 'exp', metric => 'count', event => 'purchase', window => INTERVAL 2 DAY, cuped => 1",
           "name => 'exp', metric => 'sum', event => 'purchase', value_property => 'price', weights => [0.6, 0.4]",
           "name => 'exp', metric => 'retention', k => 1, from => '2026-10-02', to => '2026-10-08'",
           "name => 'aa', metric => 'count', control => 'b'",
       }) {
    ExpectSame(absl::StrCat("SELECT ", columns, " FROM experiment(", arguments, ")"));
  }
  ExpectSame(absl::StrCat("SELECT platform, ", columns,
                          " FROM experiment(name => 'exp', event => 'purchase', breakdown => platform) "
                          "ORDER BY platform, variant"));
  // The answers compared are not empty: all three variants, each with users.
  const absl::StatusOr<StatementOutput> cluster =
      OnCluster("SELECT count() = 3 AND min(users) > 0 FROM experiment(name => 'aa', event => 'purchase')");
  ASSERT_OK(cluster.status());
  EXPECT_TRUE(absl::EndsWith(Text(cluster), "\n1\n")) << Text(cluster);
}

// The differential queries (tests/differential/queries: what MUA answers as ClickHouse
// does): on the cluster each answers as one table does, or is refused by name; never
// another answer.
TEST_F(DistributedTest, DifferentialQueriesEqualOneTableOrAreRefused) {
  int equal = 0;
  std::vector<std::string> refused;
  for (const auto& entry : std::filesystem::directory_iterator(MUA_DIFFERENTIAL_DIR)) {
    if (entry.path().extension() != ".sql") continue;
    std::ifstream in(entry.path());
    std::string line, name, sql;
    bool expect_error = false;
    auto run = [&] {
      const std::string text(absl::StripAsciiWhitespace(sql));
      if (!text.empty() && !expect_error) {
        const std::string whole = Whole(text);
        const absl::StatusOr<StatementOutput> cluster = OnCluster(text);
        if (!cluster.ok() && cluster.status().code() == absl::StatusCode::kUnimplemented &&
            absl::StrContains(cluster.status().message(), "is not supported on a cluster yet")) {
          refused.push_back(absl::StrCat(entry.path().filename().string(), "/", name, ": ",
                                         cluster.status().message()));
        } else {
          const bool ordered = absl::StrContains(text, "ORDER BY");
          EXPECT_EQ(Canonical(Text(cluster), ordered), Canonical(whole, ordered))
              << entry.path().filename() << "/" << name << "\n" << text;
          ++equal;
        }
      }
      sql.clear();
      expect_error = false;
    };
    while (std::getline(in, line)) {
      const absl::string_view stripped = absl::StripAsciiWhitespace(line);
      if (absl::StartsWith(stripped, "-- name:")) {
        run();
        name = std::string(absl::StripAsciiWhitespace(stripped.substr(8)));
      } else if (stripped == "-- expect-error") {
        expect_error = true;
      } else if (!absl::StartsWith(stripped, "--")) {
        absl::StrAppend(&sql, line, "\n");
      }
    }
    run();
  }
  EXPECT_GT(equal, 100);
  std::cout << equal << " differential queries answer on the cluster as on one table; " << refused.size()
            << " are refused:\n  " << absl::StrJoin(refused, "\n  ") << "\n";
}

// A block below the root that cannot run on the shards alone (groups not keyed by user, a
// LIMIT, a join on another key) runs on the cluster as a statement of its own; the rest on
// the coordinator over its rows.
TEST_F(DistributedTest, BlocksBelowARootThatCannotSplitRunOnTheCluster) {
  for (const char* sql : {
           "SELECT count() FROM (SELECT event_type, count() AS c FROM events GROUP BY event_type)",
           "SELECT count() FROM (SELECT * FROM events ORDER BY event_time, event_id LIMIT 10)",
           "SELECT k, c FROM (SELECT platform AS k, count() AS c FROM events GROUP BY platform "
           "UNION ALL SELECT country, count() FROM events GROUP BY country) ORDER BY k, c",
           "SELECT d, n, buyers FROM (SELECT toDate(event_time) AS d, count() AS n FROM events GROUP BY d) "
           "LEFT JOIN (SELECT toDate(event_time) AS d, uniqExact(user_id) AS buyers FROM events "
           "WHERE event_type = 'purchase' GROUP BY d) USING d ORDER BY d",
           "SELECT event_type, platform, count() AS c FROM events GROUP BY event_type, platform "
           "ORDER BY event_type, c DESC, platform LIMIT 1 BY event_type",
           "SELECT 1 FROM system.one WHERE (SELECT count() FROM events) > 0",
       }) {
    ExpectSame(sql);
  }
}

// A set or value over all events, inside a scan of events, is computed once over the
// cluster and sent to the shards (ClickHouse's GLOBAL).
TEST_F(DistributedTest, GlobalSubqueriesAreComputedOnceAndShipped) {
  for (const char* sql : {
           "SELECT count() FROM events WHERE country IN (SELECT country FROM events WHERE event_type = 'purchase')",
           "SELECT event_type, round(count() / (SELECT count() FROM events), 6) AS share FROM events "
           "GROUP BY event_type ORDER BY event_type",
           "SELECT count() FROM events WHERE user_id = (SELECT min(user_id) FROM events)",
           "SELECT user_id, count() FROM events WHERE user_id IN (SELECT user_id FROM events GROUP BY user_id "
           "ORDER BY count() DESC, user_id LIMIT 3) GROUP BY user_id ORDER BY user_id",
           "SELECT platform, count() FROM events WHERE app_version NOT IN (SELECT app_version FROM events "
           "WHERE event_type = 'app_crash' GROUP BY app_version HAVING count() > 2) GROUP BY platform ORDER BY platform",
       }) {
    ExpectSame(sql);
  }
  EXPECT_THAT(Text(OnCluster("EXPLAIN SELECT count() / (SELECT count() FROM events) FROM events")),
              ::testing::HasSubstr("GLOBAL first"));
}

// WITH TOTALS over distinct users: each shard sends its own total beside its groups' counts
// (a user active on two days is one user of the totals), and the shards' totals add up.
TEST_F(DistributedTest, TotalsOfDistinctUsersAddUpAcrossShards) {
  for (const char* sql : {
           "SELECT toDate(event_time) AS day, uniqExact(user_id) AS users, count() FROM events GROUP BY day "
           "WITH TOTALS ORDER BY day",
           "SELECT platform, uniq(user_id), uniqExactIf(user_id, event_type = 'purchase'), count(DISTINCT user_id) "
           "FROM events GROUP BY platform WITH TOTALS ORDER BY platform",
           "SELECT event_type, uniqExact(user_id) AS u FROM events GROUP BY event_type WITH TOTALS ORDER BY u DESC, "
           "event_type LIMIT 3",
       }) {
    ExpectSame(sql);
    // FORMAT JSON writes the totals row (the TSV above does too, after a blank line).
    const absl::StatusOr<StatementOutput> cluster = OnCluster(sql);
    ASSERT_OK(cluster.status());
    ASSERT_TRUE(cluster->result.totals.has_value()) << sql;
    std::string cluster_json;
    std::string whole_json;
    WriteResult(cluster->result, OutputFormat::kJSONCompact, &cluster_json);
    const absl::StatusOr<StatementOutput> whole = SqlEngine(whole_, whole_catalog_).Execute(sql);
    ASSERT_OK(whole.status());
    WriteResult(whole->result, OutputFormat::kJSONCompact, &whole_json);
    const auto totals = [](const std::string& json) {
      const size_t start = json.find("\"totals\"");
      return start == std::string::npos ? std::string() : json.substr(start, json.find(']', start) - start);
    };
    EXPECT_NE(totals(whole_json), "") << sql;
    EXPECT_EQ(totals(cluster_json), totals(whole_json)) << sql;
  }
}

TEST_F(DistributedTest, RefusesWhatShardsCannotAnswerAlone) {
  for (const char* sql : {
           "SELECT toDate(event_time) AS day, uniqExact(user_id) AS users FROM events GROUP BY day WITH TOTALS "
           "HAVING users > 10",
       }) {
    const absl::StatusOr<StatementOutput> output = OnCluster(sql);
    EXPECT_EQ(output.status().code(), absl::StatusCode::kUnimplemented) << sql;
    EXPECT_NE(output.status().message().find("is not supported on a cluster yet"), std::string::npos)
        << output.status();
  }
  // This node's shard alone, on request.
  const absl::StatusOr<StatementOutput> local =
      OnCluster("SELECT count() FROM (SELECT * FROM events LIMIT 10) SETTINGS distributed = 0");
  ASSERT_OK(local.status());
  EXPECT_EQ(Text(local), "count()\nUInt64\n10\n");
}

TEST_F(DistributedTest, ExplainSaysHowTheStatementSplits) {
  const auto first_line = [&](const std::string& sql) {
    const absl::StatusOr<StatementOutput> output = OnCluster("EXPLAIN " + sql);
    EXPECT_OK(output.status()) << sql;
    return output.ok() && output->result.row_count > 0 ? output->result.columns[0].strings[0] : std::string();
  };
  EXPECT_THAT(first_line("SELECT toDate(event_time) AS d, count() FROM events GROUP BY d"),
              ::testing::StartsWith("Cluster: every shard aggregates"));
  EXPECT_THAT(first_line("SELECT user_id, count() FROM events GROUP BY user_id"),
              ::testing::StartsWith("Cluster: every shard runs the block below"));
  EXPECT_THAT(first_line("SELECT * FROM active_users()"), ::testing::HasSubstr("adds them up"));
  EXPECT_THAT(first_line("SELECT 1"), ::testing::StartsWith("Cluster: this node alone"));
  EXPECT_THAT(first_line("SELECT count() FROM (SELECT * FROM events LIMIT 5)"),
              ::testing::StartsWith("Cluster: the blocks below at s run on every shard"));
  EXPECT_THAT(first_line("SELECT toDate(event_time) AS d, uniqExact(user_id) AS u FROM events GROUP BY d WITH TOTALS "
                         "HAVING u > 1"),
              ::testing::HasSubstr("is not supported on a cluster yet"));
  // EXPLAIN runs nothing, on no shard.
  EXPECT_OK(OnCluster("EXPLAIN SELECT count() FROM events", /*down=*/2).status());
}

TEST_F(DistributedTest, UnavailableShardFailsOrIsSkipped) {
  const std::string sql = "SELECT count() FROM events";
  const absl::StatusOr<StatementOutput> failed = OnCluster(sql, /*down=*/2);
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable);
  const absl::StatusOr<StatementOutput> skipped = OnCluster(sql, /*down=*/2, /*skip=*/true);
  ASSERT_OK(skipped.status());
  EXPECT_EQ(skipped->skipped_shards, std::vector<int>{2});
  const uint64_t without = static_cast<uint64_t>(skipped->result.columns[0].ints[0]);
  EXPECT_EQ(without, shards_[0]->Snapshot().row_count() + shards_[1]->Snapshot().row_count());
  // SETTINGS says so too.
  ASSERT_OK(OnCluster(sql + " SETTINGS skip_unavailable_shards = 1", 2).status());
  // Skipped by a GLOBAL subquery and by the statement: one shard skipped.
  const absl::StatusOr<StatementOutput> global =
      OnCluster("SELECT count() / (SELECT count() FROM events) FROM events", /*down=*/2, /*skip=*/true);
  ASSERT_OK(global.status());
  EXPECT_EQ(global->skipped_shards, std::vector<int>{2});
}

TEST_F(DistributedTest, DamagedPartsAreErrorsNotCrashes) {
  const std::string sql =
      "SELECT toDate(event_time) AS day, uniqExact(user_id), avg(length(properties)), "
      "arraySort(groupUniqArray(platform)) FROM events GROUP BY day";
  ExecuteOptions options;
  options.shard_stage = ShardStage::kPartialAggregate;
  SqlEngine shard(shards_[1], catalogs_[1]);
  absl::StatusOr<StatementOutput> part = shard.Execute(sql, options);
  ASSERT_OK(part.status());
  const std::string bytes = part->shard_part;
  ASSERT_GT(bytes.size(), 100u);
  for (size_t cut = 0; cut < bytes.size(); cut += std::max<size_t>(1, bytes.size() / 97)) {
    // A truncated and a garbled copy, as the coordinator's only other shard's answer.
    std::string garbled = bytes;
    garbled[cut] = static_cast<char>(garbled[cut] ^ 0x5a);
    for (const std::string& damaged : {bytes.substr(0, cut), garbled}) {
      FixedFanout fanout(damaged);
      ExecuteOptions coordinator;
      coordinator.fanout = &fanout;
      // Either an error, or (a garbled value that still parses) some answer: never a crash.
      (void)SqlEngine(shards_[0], catalogs_[0]).Execute(sql, coordinator);
    }
    const absl::StatusOr<StatementOutput> cut_answer = [&] {
      FixedFanout fanout(bytes.substr(0, cut));
      ExecuteOptions coordinator;
      coordinator.fanout = &fanout;
      return SqlEngine(shards_[0], catalogs_[0]).Execute(sql, coordinator);
    }();
    EXPECT_FALSE(cut_answer.ok()) << "a part cut at " << cut << " of " << bytes.size() << " was accepted";
  }
}

}  // namespace
}  // namespace mua
