// The Grafana metric `experiment` end to end through HandleGrafana on the fixture of
// experiment_fixture.h: its editor fields, the table of experiment() rows, and the lift
// over time, each point checked against experiment() over [range start, end of its day).
#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/internal/result_cells.h"
#include "tests/server/experiment_fixture.h"

namespace mua::experiment_test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kOct5Ms = 1791158400000;  // 2026-10-05T00:00:00Z

// A /query body over [from, to) with one experiment target.
std::string QueryBody(const std::string& from, const std::string& to, const std::string& payload,
                      const std::string& extra = "") {
  return absl::StrCat(R"({"range": {"from": ")", from, R"(", "to": ")", to,
                      R"("}, "intervalMs": 3600000, "maxDataPoints": 500)", extra,
                      R"(, "targets": [{"refId": "A", "target": "experiment", "payload": )",
                      payload, "}]}");
}

// The value of `column` in the row of `variant` (and breakdown value) of an experiment() result.
std::optional<double> Cell(const ResultSet& rows, const std::string& column,
                           const std::string& variant, const std::string& platform = "") {
  const size_t index = *server_internal::FindResultColumn(rows, column);
  for (size_t row = 0; row < rows.row_count; ++row) {
    if (rows.columns[0].strings[row] != variant) continue;
    if (!platform.empty() && rows.columns[1].strings[row] != platform) continue;
    return server_internal::NumericCell(rows.columns[index], row);
  }
  ADD_FAILURE() << "no row for " << variant << " " << platform;
  return std::nullopt;
}

// The datapoints of the series named `name`.
std::vector<std::pair<std::optional<double>, int64_t>> Series(const rapidjson::Document& answer,
                                                              const std::string& name) {
  std::vector<std::pair<std::optional<double>, int64_t>> points;
  for (const rapidjson::Value& series : answer.GetArray()) {
    if (!series.HasMember("target") || name != series["target"].GetString()) continue;
    for (const rapidjson::Value& point : series["datapoints"].GetArray()) {
      points.emplace_back(
          point[0].IsNull() ? std::nullopt : std::optional<double>(point[0].GetDouble()),
          point[1].GetInt64());
    }
    return points;
  }
  ADD_FAILURE() << "no series " << name;
  return points;
}

void ExpectNear(std::optional<double> actual, std::optional<double> expected) {
  ASSERT_EQ(actual.has_value(), expected.has_value());
  if (actual) {
    EXPECT_DOUBLE_EQ(*actual, *expected);
  }
}

TEST_F(ExperimentApiTest, GrafanaListsTheMetricWithItsPayloadFields) {
  const rapidjson::Document metrics = Json(Grafana("/metrics", "{}"), 200);
  const rapidjson::Value* experiment = nullptr;
  for (const rapidjson::Value& metric : metrics.GetArray()) {
    if (std::string(metric["value"].GetString()) == "experiment") experiment = &metric;
  }
  ASSERT_NE(experiment, nullptr);
  std::vector<std::string> names;
  for (const rapidjson::Value& payload : (*experiment)["payloads"].GetArray()) {
    names.emplace_back(payload["name"].GetString());
  }
  EXPECT_THAT(names, ElementsAre("experiment", "metric", "event", "window", "control",
                                 "value_property", "k", "alpha", "weights", "cuped",
                                 "exposure_event", "breakdown", "format"));

  rapidjson::Document options =
      Json(Grafana("/metric-payload-options",
                   R"({"metric": "experiment", "payload": {}, "name": "experiment"})"),
           200);
  std::vector<std::string> values;
  for (const rapidjson::Value& option : options.GetArray())
    values.emplace_back(option["value"].GetString());
  EXPECT_THAT(values, ElementsAre(kQuotedName, "checkout_v2", "exposed_only", "late_ab"));
  options = Json(Grafana("/metric-payload-options",
                         R"({"metric": "experiment", "payload": {}, "name": "event"})"),
                 200);
  ASSERT_GE(options.Size(), 2u);
  EXPECT_STREQ(options[0]["value"].GetString(), "*");
  options = Json(Grafana("/metric-payload-options",
                         R"({"metric": "experiment", "payload": {}, "name": "metric"})"),
                 200);
  EXPECT_EQ(options.Size(), 4u);
}

TEST_F(ExperimentApiTest, GrafanaTableIsTheExperimentRows) {
  const rapidjson::Document answer = Json(
      Grafana("/query",
              QueryBody("2026-10-05T00:00:00.000Z", "2026-10-08T00:00:00.000Z",
                        R"({"experiment": "checkout_v2", "event": "purchase", "window": "7d"})")),
      200);
  ASSERT_EQ(answer.Size(), 1u);
  const rapidjson::Value& table = answer[0];
  EXPECT_STREQ(table["type"].GetString(), "table");
  EXPECT_STREQ(table["refId"].GetString(), "A");
  const ResultSet expected =
      Sql("SELECT * FROM experiment(name => 'checkout_v2', event => 'purchase', window => 604800, "
          "from => '2026-10-05', to => '2026-10-08')");
  ASSERT_EQ(table["columns"].Size(), expected.columns.size());
  for (size_t i = 0; i < expected.columns.size(); ++i) {
    EXPECT_EQ(table["columns"][static_cast<rapidjson::SizeType>(i)]["text"].GetString(),
              expected.names[i]);
  }
  const rapidjson::Value& rows = table["rows"];
  ASSERT_EQ(rows.Size(), 2u);
  EXPECT_STREQ(rows[0][0].GetString(), "control");
  EXPECT_EQ(rows[0][1].GetInt(), 150);
  EXPECT_TRUE(rows[0][5].IsNull());  // the control's lift
  EXPECT_STREQ(rows[1][0].GetString(), "treatment");
  EXPECT_DOUBLE_EQ(rows[1][5].GetDouble(), 1.0);
  for (size_t i = 1; i + 1 < expected.columns.size(); ++i) {
    const rapidjson::Value& cell = rows[1][static_cast<rapidjson::SizeType>(i)];
    const std::optional<double> value = server_internal::NumericCell(expected.columns[i], 1);
    SCOPED_TRACE(expected.names[i]);
    ExpectNear(cell.IsNull() ? std::nullopt : std::optional<double>(cell.GetDouble()), value);
  }
}

TEST_F(ExperimentApiTest, GrafanaLiftOverTimeIsTheAnswerAtTheEndOfEachDay) {
  const rapidjson::Document answer =
      Json(Grafana("/query", QueryBody("2026-10-05T00:00:00.000Z", "2026-10-08T00:00:00.000Z",
                                       R"({"experiment": "checkout_v2", "event": "purchase",
                                      "format": "timeseries"})")),
           200);
  ASSERT_EQ(answer.Size(), 3u);
  EXPECT_STREQ(answer[0]["target"].GetString(), "lift{variant=treatment}");
  EXPECT_STREQ(answer[0]["tags"]["variant"].GetString(), "treatment");
  EXPECT_STREQ(answer[1]["target"].GetString(), "lift_ci_low{variant=treatment}");
  EXPECT_STREQ(answer[2]["target"].GetString(), "lift_ci_high{variant=treatment}");
  for (const char* measure : {"lift", "lift_ci_low", "lift_ci_high"}) {
    const auto points = Series(answer, absl::StrCat(measure, "{variant=treatment}"));
    ASSERT_EQ(points.size(), 3u);
    for (int day = 0; day < 3; ++day) {
      SCOPED_TRACE(absl::StrCat(measure, " day ", day));
      EXPECT_EQ(points[day].second, kOct5Ms + day * kDayMs);
      const ResultSet expected = Sql(absl::StrCat(
          "SELECT * FROM experiment(name => 'checkout_v2', event => 'purchase', from => "
          "'2026-10-05', to => '2026-10-0",
          6 + day, "')"));
      ExpectNear(points[day].first, Cell(expected, measure, "treatment"));
    }
  }
  // By the end of 10-05, x1 is still a control user (their treatment comes on 10-06): 10 of
  // 51 control users bought, 20 of 50 treated ones; from 10-06 on x1 is excluded: 20% vs 40%.
  const auto lift = Series(answer, "lift{variant=treatment}");
  EXPECT_DOUBLE_EQ(*lift[0].first, 0.4 / (10.0 / 51) - 1);
  EXPECT_DOUBLE_EQ(*lift[1].first, 1.0);
  EXPECT_DOUBLE_EQ(*lift[2].first, 1.0);
}

TEST_F(ExperimentApiTest, GrafanaLiftSeriesSplitByBreakdownAndFilteredByAdhocFilters) {
  rapidjson::Document answer = Json(
      Grafana("/query", QueryBody("2026-10-05T00:00:00.000Z", "2026-10-08T00:00:00.000Z",
                                  R"({"experiment": "checkout_v2", "metric": "count", "event": "*",
                                      "breakdown": "platform", "format": "timeseries"})")),
      200);
  ASSERT_EQ(answer.Size(), 6u);  // 3 measures x (android, ios)
  const ResultSet expected = Sql(
      "SELECT * FROM experiment(name => 'checkout_v2', metric => 'count', breakdown => platform, "
      "from => '2026-10-05', to => '2026-10-08')");
  const auto ios = Series(answer, "lift{variant=treatment, platform=ios}");
  ASSERT_EQ(ios.size(), 3u);
  ExpectNear(ios[2].first, Cell(expected, "lift", "treatment", "ios"));

  answer = Json(
      Grafana("/query",
              QueryBody("2026-10-05T00:00:00.000Z", "2026-10-08T00:00:00.000Z",
                        R"({"experiment": "checkout_v2", "event": "purchase"})",
                        R"(, "filters": [{"key": "platform", "operator": "=", "value": "ios"}])")),
      200);
  const ResultSet filtered =
      Sql("SELECT * FROM experiment(name => 'checkout_v2', event => 'purchase', from => "
          "'2026-10-05', to => '2026-10-08', where => 'platform = ''ios''')");
  EXPECT_EQ(answer[0]["rows"][0][1].GetInt(), 75);
  ExpectNear(answer[0]["rows"][1][5].GetDouble(), Cell(filtered, "lift", "treatment"));
}

TEST_F(ExperimentApiTest, GrafanaSeriesStayBoundedOnLongRanges) {
  // 200 days from mid-day: at most 90 points, every third day counting back from the last,
  // the last one the answer over the whole range.
  const rapidjson::Document answer =
      Json(Grafana("/query", QueryBody("2026-09-01T12:00:00.000Z", "2027-03-20T00:00:00.000Z",
                                       R"({"experiment": "checkout_v2", "event": "purchase",
                                      "format": "timeseries"})")),
           200);
  const auto points = Series(answer, "lift{variant=treatment}");
  ASSERT_LE(points.size(), 90u);
  ASSERT_GE(points.size(), 60u);
  EXPECT_EQ(points.back().second, 1805500800000 - kDayMs);  // 2027-03-19
  EXPECT_EQ(points[1].second - points[0].second, 3 * kDayMs);
  EXPECT_DOUBLE_EQ(*points.back().first, 1.0);
  EXPECT_FALSE(points.front().first.has_value());  // before the first exposure: a gap
}

TEST_F(ExperimentApiTest, GrafanaEarlyDaysWithoutTheControlAreGaps) {
  // The control named explicitly is seen from 10-05 on; days before it are gaps, not errors.
  const rapidjson::Document answer =
      Json(Grafana("/query", QueryBody("2026-10-03T00:00:00.000Z", "2026-10-08T00:00:00.000Z",
                                       R"({"experiment": "checkout_v2", "event": "purchase",
                                      "control": "control", "weights": "1,1",
                                      "format": "timeseries"})")),
           200);
  const auto points = Series(answer, "lift{variant=treatment}");
  ASSERT_EQ(points.size(), 5u);
  EXPECT_FALSE(points[0].first.has_value());
  EXPECT_FALSE(points[1].first.has_value());
  EXPECT_DOUBLE_EQ(*points[4].first, 1.0);

  // late_ab's control arrives on 10-06: over 10-05 alone experiment() refuses two weights
  // for one variant, and without weights it would measure against the treatment. Both gaps.
  const std::string late = R"({"experiment": "late_ab", "metric": "count", "event": "*",
                               "format": "timeseries")";
  for (const std::string& payload : {late + R"(, "weights": "1,1"})", late + "}"}) {
    const rapidjson::Document series =
        Json(Grafana("/query",
                     QueryBody("2026-10-05T00:00:00.000Z", "2026-10-07T00:00:00.000Z", payload)),
             200);
    ASSERT_EQ(series.Size(), 3u) << payload;
    const auto lift = Series(series, "lift{variant=treatment}");
    ASSERT_EQ(lift.size(), 2u);
    EXPECT_FALSE(lift[0].first.has_value());
    EXPECT_FALSE(lift[1].first.has_value());  // 1 user a side: no lift, but no error either
  }
  EXPECT_THAT(std::string(Json(Grafana("/query", QueryBody("2026-10-05T00:00:00.000Z",
                                                           "2026-10-06T00:00:00.000Z",
                                                           late + R"(, "weights": "1,1"})")),
                               400)["message"]
                              .GetString()),
              HasSubstr("weights has 2 entries"));
}

TEST_F(ExperimentApiTest, GrafanaBadPayloadsAre400NamingTheTarget) {
  const std::pair<std::string, std::string> cases[] = {
      {R"({})", "target A (experiment): payload.experiment is empty"},
      {R"({"experiment": "nope", "event": "purchase"})",
       "no stored event assigns anyone to experiment 'nope'"},
      {R"({"experiment": "nope", "event": "purchase", "format": "timeseries"})",
       "no stored event assigns anyone to experiment 'nope'"},
      {R"({"experiment": "checkout_v2"})", "metric conversion needs payload.event"},
      {R"({"experiment": "checkout_v2", "event": "purchase", "alpha": 2})",
       "payload.alpha must be a number strictly between 0 and 1"},
      {R"({"experiment": "checkout_v2", "event": "purchase", "format": "graph"})",
       "payload.format must be one of table, timeseries"},
      {R"({"experiment": "checkout_v2", "event": "purchase", "breakdown": "user_id"})",
       "payload.breakdown must be none or one of"},
      {R"({"experiment": "checkout_v2", "event": "purchase", "weights": [1, 2, 3]})",
       "weights has 3 entries"},
  };
  for (const auto& [payload, message] : cases) {
    const rapidjson::Document answer =
        Json(Grafana("/query",
                     QueryBody("2026-10-05T00:00:00.000Z", "2026-10-08T00:00:00.000Z", payload)),
             400);
    EXPECT_THAT(std::string(answer["message"].GetString()), HasSubstr(message)) << payload;
  }
}

TEST_F(ExperimentApiTest, GrafanaExperimentNamesAreLiterals) {
  const rapidjson::Document answer =
      Json(Grafana("/query", QueryBody("2026-10-05T00:00:00.000Z", "2026-10-08T00:00:00.000Z",
                                       R"({"experiment": "a'b/c\\", "metric": "count"})")),
           200);
  ASSERT_EQ(answer[0]["rows"].Size(), 2u);
  EXPECT_STREQ(answer[0]["rows"][1][0].GetString(), "treatment");
  const HttpResponse injected = Grafana(
      "/query", QueryBody("2026-10-05T00:00:00.000Z", "2026-10-08T00:00:00.000Z",
                          R"({"experiment": "x', metric => 'count') --", "metric": "count"})"));
  EXPECT_EQ(injected.status, 400) << injected.body;
  EXPECT_THAT(injected.body, HasSubstr("no stored event assigns anyone"));
}

}  // namespace
}  // namespace mua::experiment_test
