// experiment() and ExperimentSummaries on small hand-built tables. Every expected answer
// is derived by hand in the comments next to the events; the statistics of the larger
// case come from SciPy (the snippet is beside the numbers).
#include "query/analytics/experiment.h"

#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "storage/base/time_util.h"
#include "storage/table.h"
#include "tests/testutil/event_builder.h"
#include "tests/testutil/status_matchers.h"

namespace mua {
namespace {

using test::EventBuilder;
using test::MillisAt;

AnalyticsScope Scope(const std::string& from, const std::string& to) {
  AnalyticsScope scope;
  scope.from_day = *ParseDay(from);
  scope.to_day = *ParseDay(to);
  return scope;
}

// The value of `column` in the row of `variant`.
const Column& ColumnNamed(const ResultSet& result, const std::string& name) {
  for (size_t c = 0; c < result.names.size(); ++c) {
    if (result.names[c] == name) return result.columns[c];
  }
  ADD_FAILURE() << "no column " << name;
  return result.columns[0];
}

size_t RowOf(const ResultSet& result, const std::string& variant) {
  const Column& variants = ColumnNamed(result, "variant");
  for (size_t row = 0; row < result.row_count; ++row) {
    if (variants.strings[row] == variant) return row;
  }
  ADD_FAILURE() << "no variant " << variant;
  return 0;
}

double Float(const ResultSet& result, const std::string& variant, const std::string& column) {
  return ColumnNamed(result, column).floats[RowOf(result, variant)];
}

int64_t Int(const ResultSet& result, const std::string& variant, const std::string& column) {
  return ColumnNamed(result, column).ints[RowOf(result, variant)];
}

bool IsNull(const ResultSet& result, const std::string& variant, const std::string& column) {
  return ColumnNamed(result, column).is_null(RowOf(result, variant));
}

class ExperimentTest : public ::testing::Test {
 protected:
  EventRow& Add(const std::string& time, const std::string& user, const std::string& event) {
    return events_.Add(MillisAt(time), user, event);
  }
  // An event carrying `attributes` (the stored JSON of fields outside the columns).
  void Assigned(const std::string& time, const std::string& user, const std::string& attributes) {
    Add(time, user, "app_open").attributes = events_.Keep(attributes);
  }
  void Load() {
    ASSERT_OK(table_.Append(events_.rows()));
    events_.clear();
  }

  // The small experiment of the hand-checked cases (from 10-05, to 10-12).
  void LoadSmall() {
    // c1: assigned at the top level 10-05 10:00; a purchase (price 3) within 2 days, one after.
    Assigned("2026-10-05T10:00:00", "c1", R"({"ab_test_variants":{"exp":"control","other":"b"}})");
    Add("2026-10-06T09:00:00", "c1", "purchase").properties = R"({"price":3})";
    Add("2026-10-08T09:00:00", "c1", "purchase").properties = R"({"price":100})";
    // c2: an exposure event 10-06 12:00; its purchase lies an hour before (pre-period).
    Add("2026-10-06T12:00:00", "c2", "experiment_exposure").properties =
        R"({"experiment":"exp","variant":"control"})";
    Add("2026-10-06T11:00:00", "c2", "purchase").properties = R"({"price":50})";
    // c3: assigned under `user` before `from`: not in the population.
    Assigned("2026-10-04T10:00:00", "c3", R"({"user":{"ab_test_variants":{"exp":"control"}}})");
    Add("2026-10-05T10:00:00", "c3", "purchase");
    // t1: treatment 10-07 08:00 under `user`; purchases 5 and 7 within 2 days.
    Assigned("2026-10-07T08:00:00", "t1", R"({"user":{"segment":"x","ab_test_variants":{"exp":"treatment"}}})");
    Add("2026-10-07T09:00:00", "t1", "purchase").properties = R"({"price":5})";
    Add("2026-10-08T10:00:00", "t1", "purchase").properties = R"({"price":"7"})";
    // t2: treatment 10-11 23:00; its purchase falls after `to`.
    Assigned("2026-10-11T23:00:00", "t2", R"({"ab_test_variants":{"exp":"treatment"}})");
    Add("2026-10-12T00:30:00", "t2", "purchase");
    // x1: seen in both variants: excluded.
    Assigned("2026-10-05T09:00:00", "x1", R"({"ab_test_variants":{"exp":"treatment"}})");
    Assigned("2026-10-06T09:00:00", "x1", R"({"ab_test_variants":{"exp":"control"}})");
    Add("2026-10-06T10:00:00", "x1", "purchase");
    // Not assignments: a string mentioning the key, a nested object elsewhere.
    Assigned("2026-10-05T09:00:00", "n1", R"({"page":{"title":"\"ab_test_variants\""}})");
    Assigned("2026-10-05T09:00:00", "n2", R"({"page":{"ab_test_variants":{"exp":"control"}}})");
    Load();
  }

  absl::StatusOr<ResultSet> Run(ExperimentOptions options, const AnalyticsScope& scope = Scope("2026-10-05", "2026-10-12")) {
    options.name = options.name.empty() ? "exp" : options.name;
    return Experiment(table_.Snapshot(), scope, options);
  }

  EventBuilder events_;
  Table table_;
};

TEST_F(ExperimentTest, ConversionCountsUsersWithTheEventInTheirWindow) {
  LoadSmall();
  ASSERT_OK_AND_ASSIGN(ResultSet result, Run({.event = "purchase", .window_ms = 2 * 86400000LL}));
  ASSERT_EQ(result.row_count, 2u);
  EXPECT_EQ(ColumnNamed(result, "variant").strings[0], "control");  // control first
  // control: c1 converted (10-06 within 2 days), c2 not (its purchase precedes exposure).
  EXPECT_EQ(Int(result, "control", "users"), 2);
  EXPECT_EQ(Float(result, "control", "value"), 1);
  EXPECT_DOUBLE_EQ(Float(result, "control", "mean"), 0.5);
  EXPECT_DOUBLE_EQ(Float(result, "control", "stddev"), std::sqrt(0.5));
  // treatment: t1 converted, t2's purchase is after `to`.
  EXPECT_EQ(Int(result, "treatment", "users"), 2);
  EXPECT_EQ(Float(result, "treatment", "value"), 1);
  EXPECT_EQ(Int(result, "treatment", "excluded_users"), 1);  // x1
  EXPECT_EQ(Int(result, "control", "excluded_users"), 1);
  // Too few users: no statistics, and a note says why.
  EXPECT_TRUE(IsNull(result, "treatment", "p_value"));
  EXPECT_TRUE(IsNull(result, "treatment", "lift"));
  EXPECT_TRUE(IsNull(result, "treatment", "significant"));
  EXPECT_EQ(ColumnNamed(result, "note").strings[RowOf(result, "treatment")], "fewer than 50 users in control");
  EXPECT_TRUE(IsNull(result, "control", "lift"));
  EXPECT_EQ(ColumnNamed(result, "note").strings[RowOf(result, "control")], "");
  // SRM of 2 vs 2: chi-square 0, p 1.
  EXPECT_DOUBLE_EQ(Float(result, "control", "srm_p_value"), 1.0);
}

TEST_F(ExperimentTest, CountSumAndRetention) {
  LoadSmall();
  ASSERT_OK_AND_ASSIGN(ResultSet count, Run({.metric = ExperimentMetric::kCount, .event = "purchase",
                                             .window_ms = 2 * 86400000LL}));
  EXPECT_EQ(Float(count, "control", "value"), 1);    // c1: 1, c2: 0
  EXPECT_EQ(Float(count, "treatment", "value"), 2);  // t1: 2, t2: 0
  EXPECT_DOUBLE_EQ(Float(count, "treatment", "stddev"), std::sqrt(2.0));
  // Without a window: c1's 10-08 purchase counts too.
  ASSERT_OK_AND_ASSIGN(ResultSet unbounded, Run({.metric = ExperimentMetric::kCount, .event = "purchase"}));
  EXPECT_EQ(Float(unbounded, "control", "value"), 2);
  ASSERT_OK_AND_ASSIGN(ResultSet sum, Run({.metric = ExperimentMetric::kSum, .event = "purchase",
                                           .window_ms = 2 * 86400000LL, .value_property = "price"}));
  EXPECT_EQ(Float(sum, "control", "value"), 3);    // c1's 3 (its 100 is outside the window)
  EXPECT_EQ(Float(sum, "treatment", "value"), 12);  // t1: 5 + "7" (a numeric string)
  // Retention day 1 after the exposure day, any event: c1 (10-06) yes, c2 (10-07) no,
  // t1 (10-08) yes, t2 (10-12 is after `to`) no.
  ASSERT_OK_AND_ASSIGN(ResultSet retention, Run({.metric = ExperimentMetric::kRetention, .retention_day = 1}));
  EXPECT_EQ(Float(retention, "control", "value"), 1);
  EXPECT_EQ(Float(retention, "treatment", "value"), 1);
}

// CUPED, count of purchases, window 2 days. Pre-periods as long as each user's window:
//   c1 X=0 Y=1; c2 X=1 (10-06 11:00) Y=0; t1 X=0 Y=2; t2 (window cut to 1 h by `to`) X=0 Y=0.
// mean X = 0.25; cov(X, Y) / var(X) = -0.75 / 0.75 = -1, so Y' = Y + (X - 0.25):
//   control 0.75, 0.75; treatment 1.75, -0.25.
TEST_F(ExperimentTest, CupedAdjustsByThePrePeriod) {
  LoadSmall();
  ASSERT_OK_AND_ASSIGN(ResultSet result, Run({.metric = ExperimentMetric::kCount, .event = "purchase",
                                              .window_ms = 2 * 86400000LL, .cuped = true}));
  EXPECT_DOUBLE_EQ(Float(result, "control", "mean"), 0.75);
  EXPECT_NEAR(Float(result, "control", "stddev"), 0, 1e-12);
  EXPECT_DOUBLE_EQ(Float(result, "treatment", "mean"), 0.75);
  EXPECT_DOUBLE_EQ(Float(result, "treatment", "stddev"), std::sqrt(2.0));
  EXPECT_EQ(Float(result, "treatment", "value"), 2);  // the raw total
  EXPECT_FALSE(Run({.metric = ExperimentMetric::kRetention, .cuped = true}).ok());
}

TEST_F(ExperimentTest, ControlAndWeightsAreChecked) {
  LoadSmall();
  EXPECT_FALSE(Run({.event = "purchase", .control = "nope"}).ok());
  EXPECT_FALSE(Run({.event = "purchase", .weights = {0.2, 0.3, 0.5}}).ok());
  // Another control: its row comes first.
  ASSERT_OK_AND_ASSIGN(ResultSet result, Run({.event = "purchase", .control = "treatment"}));
  EXPECT_EQ(ColumnNamed(result, "variant").strings[0], "treatment");
  // An experiment nobody is in: no rows.
  ASSERT_OK_AND_ASSIGN(ResultSet none, Run({.name = "missing", .event = "purchase"}));
  EXPECT_EQ(none.row_count, 0u);
}

// 60 users per variant; 12 control and 24 treatment users convert. SciPy:
//   p = 36/120; z = 0.2 / sqrt(p (1 - p) (2/60)); 2 * norm.sf(z)          = 0.01682740948275684
//   lift 1, se = sqrt(vt/(60*0.2**2) + 0.4**2*vc/(60*0.2**4)), ± norm.ppf(0.975) se
//                                                     = -0.19683264235988673, 2.1968326423598867
//   norm.cdf(0.2 / sqrt(vt/60 + vc/60))                                      = 0.9924295576083487
//   chisquare([60, 60], [84, 36]).pvalue                                      = 1.7449962508738087e-06
//   sample stddevs: control 0.4033755872716886, treatment 0.49403218175557106
//   ttest_ind(t, c, equal_var=False).pvalue (CUPED: Welch, X = 0)             = 0.016710419425614582
TEST_F(ExperimentTest, StatisticsEqualScipy) {
  for (int i = 0; i < 60; ++i) {
    const std::string time = absl::StrCat("2026-10-05T10:", i < 10 ? "0" : "", i, ":00");
    for (const char* variant : {"control", "treatment"}) {
      const std::string user = absl::StrCat(variant, i);
      Assigned(time, user, absl::StrCat(R"({"ab_test_variants":{"big":")", variant, R"("}})"));
      const int converting = std::string(variant) == "control" ? 12 : 24;
      if (i < converting) Add("2026-10-06T10:00:00", user, "purchase");
    }
  }
  Load();
  const AnalyticsScope scope = Scope("2026-10-01", "2026-10-10");
  ASSERT_OK_AND_ASSIGN(ResultSet result, Run({.name = "big", .event = "purchase", .weights = {0.7, 0.3}}, scope));
  const double tolerance = 1e-12;
  EXPECT_NEAR(Float(result, "treatment", "lift"), 1.0, tolerance);
  EXPECT_NEAR(Float(result, "treatment", "lift_ci_low"), -0.19683264235988673, tolerance);
  EXPECT_NEAR(Float(result, "treatment", "lift_ci_high"), 2.1968326423598867, tolerance);
  EXPECT_NEAR(Float(result, "treatment", "p_value"), 0.01682740948275684, tolerance);
  EXPECT_NEAR(Float(result, "treatment", "chance_to_beat_control"), 0.9924295576083487, tolerance);
  EXPECT_EQ(Int(result, "treatment", "significant"), 1);
  EXPECT_NEAR(Float(result, "control", "srm_p_value") / 1.7449962508738087e-06, 1.0, 1e-9);
  EXPECT_NEAR(Float(result, "control", "stddev"), 0.4033755872716886, tolerance);
  EXPECT_NEAR(Float(result, "treatment", "stddev"), 0.49403218175557106, tolerance);
  // With CUPED and no pre-period activity, X = 0 everywhere: theta 0, Welch's test.
  ASSERT_OK_AND_ASSIGN(ResultSet cuped, Run({.name = "big", .event = "purchase", .cuped = true}, scope));
  EXPECT_NEAR(Float(cuped, "treatment", "p_value"), 0.016710419425614582, tolerance);
}

// Kept ahead (the server's idle loop): the sealed blocks' assignments, then nothing more to
// do; the answers stay the same.
TEST_F(ExperimentTest, AssignmentsKeptAheadGiveTheSameAnswer) {
  LoadSmall();
  ASSERT_OK_AND_ASSIGN(ResultSet before, Run({.metric = ExperimentMetric::kCount, .event = "purchase"}));
  table_.SealAll();
  const TableSnapshot snapshot = table_.Snapshot();
  size_t computed = 0;
  while (size_t step = KeepExperimentAssignments(snapshot, 1)) computed += step;
  EXPECT_GT(computed, 0u);
  EXPECT_EQ(KeepExperimentAssignments(table_.Snapshot(), 100), 0u);
  ASSERT_OK_AND_ASSIGN(ResultSet after, Run({.metric = ExperimentMetric::kCount, .event = "purchase"}));
  EXPECT_EQ(Float(after, "control", "value"), Float(before, "control", "value"));
  EXPECT_EQ(Float(after, "treatment", "value"), Float(before, "treatment", "value"));
  EXPECT_EQ(Int(after, "treatment", "excluded_users"), 1);
}

TEST_F(ExperimentTest, SummariesListEveryExperiment) {
  LoadSmall();
  ASSERT_OK_AND_ASSIGN(std::vector<ExperimentSummary> summaries, ExperimentSummaries(table_.Snapshot()));
  ASSERT_EQ(summaries.size(), 2u);
  EXPECT_EQ(summaries[0].name, "exp");
  EXPECT_EQ(summaries[0].variants, (std::vector<std::string>{"control", "treatment"}));
  EXPECT_EQ(summaries[0].users_per_variant, (std::vector<uint64_t>{3, 2}));  // c1 c2 c3; t1 t2
  EXPECT_EQ(summaries[0].excluded_users, 1u);
  EXPECT_EQ(summaries[0].first_exposure_ms, MillisAt("2026-10-04T10:00:00"));
  EXPECT_EQ(summaries[0].last_exposure_ms, MillisAt("2026-10-11T23:00:00"));
  EXPECT_EQ(summaries[1].name, "other");
}

}  // namespace
}  // namespace mua
