// GET /api/v1/experiments and /api/v1/experiments/{name} end to end through HandleRest on
// the fixture of experiment_fixture.h: every answer is checked against the SQL answer of the
// same experiment() call, and the headline numbers by hand.
#include <optional>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/internal/result_cells.h"
#include "tests/server/experiment_fixture.h"

namespace mua::experiment_test {
namespace {

using ::testing::HasSubstr;

// Expects the REST `rows` to hold exactly `expected`'s rows and columns, in order: numbers
// equal, NULL as null, `significant` as a boolean.
void ExpectRowsMatch(const rapidjson::Value& rows, const ResultSet& expected) {
  ASSERT_TRUE(rows.IsArray());
  ASSERT_EQ(rows.Size(), expected.row_count);
  for (size_t row = 0; row < expected.row_count; ++row) {
    const rapidjson::Value& object = rows[static_cast<rapidjson::SizeType>(row)];
    ASSERT_EQ(object.MemberCount(), expected.columns.size());
    for (size_t i = 0; i < expected.columns.size(); ++i) {
      const std::string& name = expected.names[i];
      const Column& column = expected.columns[i];
      SCOPED_TRACE(absl::StrCat("row ", row, " column ", name));
      ASSERT_TRUE(object.HasMember(name.c_str()));
      const rapidjson::Value& value = object[name.c_str()];
      if (column.is_null(row)) {
        EXPECT_TRUE(value.IsNull());
      } else if (name == "significant") {
        ASSERT_TRUE(value.IsBool());
        EXPECT_EQ(value.GetBool(), column.ints[row] != 0);
      } else if (column.type.is_string()) {
        ASSERT_TRUE(value.IsString());
        EXPECT_EQ(value.GetString(), column.strings[row]);
      } else {
        ASSERT_TRUE(value.IsNumber());
        EXPECT_DOUBLE_EQ(value.GetDouble(), *server_internal::NumericCell(column, row));
      }
    }
  }
}

// The REST answer for `params` must equal SELECT * FROM experiment(<arguments>).
void ExpectSameAsSql(const std::string& name_segment, const ExperimentApiTest::Params& params,
                     const std::string& arguments) {
  SCOPED_TRACE(arguments);
  const HttpResponse response =
      ExperimentApiTest::Rest(absl::StrCat("/api/v1/experiments/", name_segment), params);
  rapidjson::Document answer;
  answer.Parse(response.body.c_str());
  ASSERT_EQ(response.status, 200) << response.body;
  ExpectRowsMatch(answer["rows"], ExperimentApiTest::Sql(
                                      absl::StrCat("SELECT * FROM experiment(", arguments, ")")));
}

TEST_F(ExperimentApiTest, ConversionAnswersOneObjectPerVariantAsSqlDoes) {
  const rapidjson::Document answer = Json(
      Rest("/api/v1/experiments/checkout_v2",
           {{"event", "purchase"}, {"window", "7d"}, {"from", "2026-10-05"}, {"to", "2026-10-08"}}),
      200);
  EXPECT_STREQ(answer["experiment"].GetString(), "checkout_v2");
  const rapidjson::Value& parameters = answer["parameters"];
  EXPECT_STREQ(parameters["metric"].GetString(), "conversion");
  EXPECT_STREQ(parameters["event"].GetString(), "purchase");
  EXPECT_EQ(parameters["window"].GetInt64(), 7 * 86400);
  EXPECT_TRUE(parameters["control"].IsNull());
  EXPECT_EQ(parameters["alpha"].GetDouble(), 0.05);
  EXPECT_FALSE(parameters["cuped"].GetBool());
  EXPECT_STREQ(parameters["exposure_event"].GetString(), "experiment_exposure");
  EXPECT_STREQ(parameters["from"].GetString(), "2026-10-05");
  EXPECT_STREQ(parameters["timezone"].GetString(), "UTC");
  EXPECT_TRUE(parameters["where"].IsNull());
  const rapidjson::Value& rows = answer["rows"];
  ASSERT_EQ(rows.Size(), 2u);
  EXPECT_STREQ(rows[0]["variant"].GetString(), "control");  // control first
  EXPECT_EQ(rows[0]["users"].GetInt(), 150);
  EXPECT_EQ(rows[0]["value"].GetInt(), 30);
  EXPECT_DOUBLE_EQ(rows[0]["mean"].GetDouble(), 0.2);
  EXPECT_TRUE(rows[0]["lift"].IsNull());
  EXPECT_TRUE(rows[0]["significant"].IsNull());
  EXPECT_EQ(rows[0]["excluded_users"].GetInt(), 1);  // x1 saw both variants
  EXPECT_STREQ(rows[1]["variant"].GetString(), "treatment");
  EXPECT_EQ(rows[1]["value"].GetInt(), 60);
  EXPECT_DOUBLE_EQ(rows[1]["lift"].GetDouble(), 1.0);  // 0.4 / 0.2 - 1
  EXPECT_LT(rows[1]["lift_ci_low"].GetDouble(), 1.0);
  EXPECT_GT(rows[1]["lift_ci_high"].GetDouble(), 1.0);
  EXPECT_LT(rows[1]["p_value"].GetDouble(), 0.05);
  EXPECT_TRUE(rows[1]["significant"].GetBool());
  EXPECT_STREQ(rows[1]["note"].GetString(), "");
  ExpectRowsMatch(rows, Sql("SELECT * FROM experiment(name => 'checkout_v2', metric => "
                            "'conversion', event => 'purchase', window => INTERVAL 7 DAY, "
                            "from => '2026-10-05', to => '2026-10-08')"));
}

TEST_F(ExperimentApiTest, EveryOptionReachesExperimentAsItsSqlArgument) {
  ExpectSameAsSql("checkout_v2", {{"event", "purchase"}},
                  "name => 'checkout_v2', event => 'purchase'");
  ExpectSameAsSql("checkout_v2",
                  {{"metric", "sum"}, {"event", "purchase"}, {"value_property", "price"}},
                  "name => 'checkout_v2', metric => 'sum', event => 'purchase', "
                  "value_property => 'price'");
  ExpectSameAsSql("checkout_v2",
                  {{"metric", "count"}, {"event", "*"}, {"cuped", "1"}, {"window", "3600"}},
                  "name => 'checkout_v2', metric => 'count', cuped => 1, window => 3600");
  ExpectSameAsSql("checkout_v2", {{"metric", "retention"}, {"k", "0"}, {"alpha", "0.01"}},
                  "name => 'checkout_v2', metric => 'retention', k => 0, alpha => 0.01");
  ExpectSameAsSql("checkout_v2",
                  {{"event", "purchase"},
                   {"control", "treatment"},
                   {"weights", "0.4, 0.6"},
                   {"breakdown", "platform"},
                   {"timezone", "America/New_York"}},
                  "name => 'checkout_v2', event => 'purchase', control => 'treatment', "
                  "weights => [0.4, 0.6], breakdown => platform, timezone => 'America/New_York'");
  ExpectSameAsSql("exposed_only", {{"metric", "count"}, {"exposure_event", "experiment_exposure"}},
                  "name => 'exposed_only', metric => 'count'");
  // The same through the params JSON, numbers as JSON numbers.
  ExpectSameAsSql("checkout_v2",
                  {{"params", R"({"metric":"sum","event":"purchase","value_property":"price",)"
                              R"("alpha":0.1,"weights":[1,3],"window":"2h"})"}},
                  "name => 'checkout_v2', metric => 'sum', event => 'purchase', "
                  "value_property => 'price', alpha => 0.1, weights => [1.0, 3.0], window => 7200");
}

TEST_F(ExperimentApiTest, SumAndBreakdownByHand) {
  rapidjson::Document answer =
      Json(Rest("/api/v1/experiments/checkout_v2",
                {{"metric", "sum"}, {"event", "purchase"}, {"value_property", "price"}}),
           200);
  EXPECT_EQ(answer["rows"][0]["value"].GetDouble(), 300);  // 30 buyers x 10
  EXPECT_EQ(answer["rows"][1]["value"].GetDouble(), 720);  // 60 buyers x 12
  answer = Json(
      Rest("/api/v1/experiments/checkout_v2", {{"event", "purchase"}, {"breakdown", "platform"}}),
      200);
  const rapidjson::Value& rows = answer["rows"];
  ASSERT_EQ(rows.Size(), 4u);  // (android, ios) x (control, treatment)
  for (const rapidjson::Value& row : rows.GetArray()) {
    EXPECT_EQ(row["users"].GetInt(), 75) << row["platform"].GetString();
  }
  EXPECT_STREQ(answer["parameters"]["breakdown"].GetString(), "platform");
}

TEST_F(ExperimentApiTest, ListsTheExperimentsOfSystemExperiments) {
  const rapidjson::Document answer = Json(Rest("/api/v1/experiments"), 200);
  const rapidjson::Value& experiments = answer["experiments"];
  ASSERT_EQ(experiments.Size(), 4u);
  EXPECT_STREQ(experiments[0]["experiment"].GetString(), kQuotedName);
  EXPECT_STREQ(experiments[1]["experiment"].GetString(), "checkout_v2");
  EXPECT_EQ(experiments[1]["users"].GetInt(), 300);
  EXPECT_EQ(experiments[1]["excluded_users"].GetInt(), 1);
  ASSERT_EQ(experiments[1]["variants"].Size(), 2u);
  EXPECT_STREQ(experiments[1]["variants"][1].GetString(), "treatment");
  EXPECT_EQ(experiments[1]["users_per_variant"][1].GetInt(), 150);
  EXPECT_STREQ(experiments[1]["first_exposure"].GetString(), "2026-10-05 08:00:00.000");
  EXPECT_STREQ(experiments[2]["experiment"].GetString(), "exposed_only");
  EXPECT_STREQ(experiments[3]["experiment"].GetString(), "late_ab");
  EXPECT_EQ(Rest("/api/v1/experiments/").status, 200);
  EXPECT_THAT(ErrorOf(Json(Rest("/api/v1/experiments", {{"from", "2026-10-05"}}), 400)),
              HasSubstr("unknown parameter 'from'; there are none"));
}

TEST_F(ExperimentApiTest, UnknownExperimentIs404AndAKnownOneWithoutUsersInRangeIsEmpty) {
  EXPECT_THAT(ErrorOf(Json(Rest("/api/v1/experiments/nope", {{"event", "purchase"}}), 404)),
              HasSubstr("no stored event assigns anyone to experiment 'nope'"));
  const rapidjson::Document answer =
      Json(Rest("/api/v1/experiments/checkout_v2",
                {{"event", "purchase"}, {"from", "2026-11-01"}, {"to", "2026-11-02"}}),
           200);
  EXPECT_EQ(answer["rows"].Size(), 0u);
}

TEST_F(ExperimentApiTest, TheNameIsAPercentDecodedSegmentAndOnlyEverALiteral) {
  // a'b/c\ exists: the quote, slash and backslash arrive encoded and reach SQL escaped.
  rapidjson::Document answer =
      Json(Rest("/api/v1/experiments/a%27b%2Fc%5C", {{"metric", "count"}}), 200);
  EXPECT_STREQ(answer["experiment"].GetString(), kQuotedName);
  ASSERT_EQ(answer["rows"].Size(), 2u);
  EXPECT_EQ(answer["rows"][0]["users"].GetInt(), 1);
  ExpectSameAsSql("a%27b%2Fc%5C", {{"metric", "count"}},
                  R"(name => 'a\'b/c\\', metric => 'count')");
  for (const char* name : {"%27%20OR%201%3D1%20--", "checkout_v2%27%20OR%20%271%27%3D%271",
                           "checkout_v2%27)%20--", "a%27b%2Fc", "a%27b%2Fc%5C%5C", "checkout_v2%00",
                           "checkout_v2%0A", "checkout_v2%20", "%E2%80%99"}) {
    const HttpResponse response =
        Rest(absl::StrCat("/api/v1/experiments/", name), {{"event", "purchase"}});
    EXPECT_EQ(response.status, 404) << name << ": " << response.body;
  }
  EXPECT_THAT(ErrorOf(Json(Rest("/api/v1/experiments/a%2", {{"event", "purchase"}}), 400)),
              HasSubstr("bad percent-escape"));
  EXPECT_THAT(ErrorOf(Json(Rest("/api/v1/experiments/a/b"), 404)),
              HasSubstr("/api/v1/experiments/{name} with the name percent-encoded"));
  EXPECT_THAT(ErrorOf(Json(Rest(absl::StrCat("/api/v1/experiments/", std::string(1025, 'x')),
                                {{"event", "purchase"}}),
                           400)),
              HasSubstr("the experiment name is longer than 1024 bytes"));
}

TEST_F(ExperimentApiTest, BadParametersAre400WithTheReason) {
  const std::string long_text(1025, 'a');
  const std::pair<Params, std::string> cases[] = {
      {{}, "metric conversion needs event"},
      {{{"metric", "sum"}, {"event", "purchase"}}, "metric sum needs value_property"},
      {{{"metric", "revenue"}}, "metric must be one of conversion, count, sum, retention"},
      {{{"event", "purchase"}, {"value_property", "price"}}, "value_property is for metric sum"},
      {{{"metric", "count"}, {"k", "3"}}, "k is for metric retention"},
      {{{"metric", "retention"}, {"k", "-1"}}, "k must be a whole number of days"},
      {{{"metric", "retention"}, {"k", "99999"}}, "k must be a whole number of days"},
      {{{"metric", "retention"}, {"cuped", "1"}}, "cuped=1 is not available for metric retention"},
      {{{"event", "purchase"}, {"cuped", "true"}}, "cuped must be one of 0, 1"},
      {{{"event", "purchase"}, {"alpha", "1"}}, "alpha must be a number strictly between 0 and 1"},
      {{{"event", "purchase"}, {"alpha", "nan"}}, "alpha must be a number"},
      {{{"event", "purchase"}, {"alpha", "0.05); DROP TABLE events; --"}},
       "alpha must be a number"},
      {{{"event", "purchase"}, {"weights", "1"}}, "weights must list 2 to 64 positive numbers"},
      {{{"event", "purchase"}, {"weights", "1,0"}}, "weights must list 2 to 64 positive numbers"},
      {{{"event", "purchase"}, {"weights", "1,1e999"}}, "weights must list"},
      {{{"event", "purchase"}, {"weights", "1,2,3"}}, "weights has 3 entries but experiment"},
      {{{"event", "purchase"}, {"window", "1.5"}}, "window must be whole seconds"},
      {{{"event", "purchase"}, {"window", "400d"}}, "window must be whole seconds"},
      {{{"event", "purchase"}, {"control", "nobody"}}, "has no variant 'nobody' (control)"},
      {{{"event", "purchase"}, {"breakdown", "user_id"}}, "breakdown must be none or one of"},
      {{{"event", "purchase"}, {"timezone", "../etc/passwd"}}, "timezone must be an IANA"},
      {{{"event", "purchase"}, {"from", "2026-10-08"}, {"to", "2026-10-05"}}, "must be before to"},
      {{{"event", "purchase"}, {"from", "yesterday"}}, "from must be"},
      {{{"event", long_text}}, "event is longer than 1024 bytes"},
      {{{"event", "purchase"}, {"control", long_text}}, "control is longer than 1024 bytes"},
      {{{"event", "purchase"}, {"steps", "a,b"}}, "unknown parameter 'steps'"},
      {{{"event", "purchase"}, {"params", "[1]"}}, "params"},
  };
  for (const auto& [params, message] : cases) {
    const rapidjson::Document answer = Json(Rest("/api/v1/experiments/checkout_v2", params), 400);
    EXPECT_THAT(ErrorOf(answer), HasSubstr(message)) << (params.empty() ? "" : params[0].second);
  }
}

TEST_F(ExperimentApiTest, WhereIsTheAnalystsAndStaysOnePredicate) {
  const Params params = {{"event", "purchase"}, {"where", "platform = 'ios'"}};
  EXPECT_THAT(ErrorOf(Json(Rest("/api/v1/experiments/checkout_v2", params), 403)),
              HasSubstr("needs the analyst role"));
  const rapidjson::Document answer =
      Json(Rest("/api/v1/experiments/checkout_v2", params, Role::kAnalyst), 200);
  EXPECT_STREQ(answer["parameters"]["where"].GetString(), "platform = 'ios'");
  EXPECT_EQ(answer["rows"][0]["users"].GetInt(), 75);
  ExpectRowsMatch(answer["rows"], Sql("SELECT * FROM experiment(name => 'checkout_v2', event => "
                                      "'purchase', where => 'platform = ''ios''')"));
  // Text that would close the literal or the call stays inside the predicate: a 400.
  for (const char* where : {"1) FROM events --", "1') UNION SELECT * FROM system.users --",
                            "1; SELECT 1", "platform = 'ios' FORMAT JSON"}) {
    const HttpResponse response = Rest("/api/v1/experiments/checkout_v2",
                                       {{"event", "purchase"}, {"where", where}}, Role::kAnalyst);
    EXPECT_EQ(response.status, 400) << where << ": " << response.body;
  }
  EXPECT_THAT(
      ErrorOf(Json(Rest("/api/v1/experiments/checkout_v2",
                        {{"event", "purchase"}, {"where", std::string(5000, '1')}}, Role::kAnalyst),
                   400)),
      HasSubstr("where is longer than 4096 bytes"));
}

TEST_F(ExperimentApiTest, RoutesMethodsAndRoles) {
  HttpRequest request;
  request.method = "POST";
  request.path = "/api/v1/experiments/checkout_v2";
  const EngineQueryRunner runner(engine_, Principal{"test", Role::kAdmin});
  HttpResponse response = HandleRest(request, RestContext{&runner, nullptr});
  EXPECT_EQ(response.status, 405);
  request.method = "GET";
  EXPECT_EQ(RestRequiredRole(request), Role::kViewer);
  request.path = "/api/v1/experiments";
  EXPECT_EQ(RestRequiredRole(request), Role::kViewer);
  EXPECT_EQ(Rest("/api/v1/experiments//").status, 404);
  EXPECT_EQ(Rest("/api/v1/experiments/checkout_v2/variants").status, 404);
  EXPECT_THAT(ErrorOf(Json(Rest("/api/v1/nope"), 404)),
              HasSubstr("GET /api/v1/experiments, GET /api/v1/experiments/{name}"));
}

}  // namespace
}  // namespace mua::experiment_test
