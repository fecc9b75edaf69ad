// The REST analytics endpoints (user summary, daily metrics, retention, funnel) end to end
// through HandleRest on the fixture of rest_api_fixture.h.
#include "tests/server/rest_api_fixture.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mua::rest_test {
namespace {

using ::testing::HasSubstr;

// ---- GET /api/v1/users/{user_id}/summary ----

TEST_F(RestApiTest, UserSummaryReportsActivity) {
  const rapidjson::Document summary = Get("/api/v1/users/u1/summary");
  EXPECT_STREQ(summary["user_id"].GetString(), "u1");
  EXPECT_STREQ(summary["first_seen"].GetString(), "2026-10-05T08:00:00.000Z");
  EXPECT_STREQ(summary["last_seen"].GetString(), "2026-10-06T10:20:00.000Z");
  EXPECT_EQ(summary["events"].GetInt64(), 5);
  EXPECT_EQ(summary["active_days"].GetInt64(), 2);
  EXPECT_EQ(summary["sessions"].GetInt64(), 2);                 // s1, s3
  EXPECT_EQ(summary["avg_session_length_s"].GetDouble(), 900);  // (600 + 1200) / 2
  EXPECT_EQ(summary["crashed_sessions"].GetInt64(), 0);
  EXPECT_EQ(summary["purchases"].GetInt64(), 2);
  EXPECT_EQ(summary["revenue"].GetDouble(), 24.5);  // 19.5 + 5; view_item's price is no revenue
  EXPECT_THAT(Strings(summary["platforms"]), ::testing::ElementsAre("ios"));
  EXPECT_THAT(Strings(summary["app_versions"]), ::testing::ElementsAre("1.0", "1.1"));  // 3, 2
  EXPECT_THAT(Strings(summary["countries"]), ::testing::ElementsAre("US"));
  const rapidjson::Value& top = summary["top_events"];
  ASSERT_EQ(top.Size(), 3u);
  EXPECT_STREQ(top[0]["event_type"].GetString(), "app_open");  // 2, ties by name
  EXPECT_EQ(top[0]["events"].GetInt64(), 2);
  EXPECT_STREQ(top[1]["event_type"].GetString(), "purchase");
  EXPECT_EQ(top[1]["events"].GetInt64(), 2);
  EXPECT_STREQ(top[2]["event_type"].GetString(), "view_item");
  EXPECT_EQ(top[2]["events"].GetInt64(), 1);
}

TEST_F(RestApiTest, UserSummaryCountsCrashedSessionsAndNoRevenue) {
  const rapidjson::Document summary = Get("/api/v1/users/u2/summary/");  // trailing '/' is fine
  EXPECT_EQ(summary["events"].GetInt64(), 3);
  EXPECT_STREQ(summary["last_seen"].GetString(), "2026-10-07T12:00:00.000Z");
  EXPECT_EQ(summary["sessions"].GetInt64(), 2);               // s2, s5
  EXPECT_EQ(summary["avg_session_length_s"].GetInt64(), 30);  // (60 + 0) / 2
  EXPECT_EQ(summary["crashed_sessions"].GetInt64(), 1);
  EXPECT_EQ(summary["purchases"].GetInt64(), 0);
  EXPECT_EQ(summary["revenue"].GetInt64(), 0);
  EXPECT_THAT(Strings(summary["platforms"]), ::testing::ElementsAre("android"));
  EXPECT_THAT(Strings(summary["countries"]), ::testing::ElementsAre("DE"));
}

TEST_F(RestApiTest, UserSummaryOfUserWithoutEventsIs404) {
  EXPECT_EQ(ErrorOf(Get("/api/v1/users/nobody/summary", {}, 404)), "user 'nobody' has no events");
}

TEST_F(RestApiTest, UserIdIsPercentDecodedAndOnlyEverALiteral) {
  // o'brien\ exists: the quote and the backslash reach SQL escaped, and match exactly.
  const rapidjson::Document summary = Get("/api/v1/users/o%27brien%5C/summary");
  EXPECT_STREQ(summary["user_id"].GetString(), "o'brien\\");
  EXPECT_EQ(summary["events"].GetInt64(), 1);
  EXPECT_THAT(Strings(summary["platforms"]), ::testing::ElementsAre("web"));
  // Injection attempts find no user (and in particular not every user).
  for (const char* id :
       {"%27%20OR%201%3D1%20--", "u1%27%20OR%20%271%27%3D%271", "u1%27)%20OR%20(1%3D1", "u1%5C",
        "o%27brien", "o%27brien%5C%5C", "u1%00", "u1%0A", "u%25", "a%2Fb", "%E2%80%99%20OR%201"}) {
    const rapidjson::Document answer = Get(absl::StrCat("/api/v1/users/", id, "/summary"), {}, 404);
    EXPECT_THAT(ErrorOf(answer), HasSubstr("has no events")) << id;
  }
}

TEST_F(RestApiTest, UserSummaryHashesTheIdAsIngestStoredIt) {
  ASSERT_OK_AND_ASSIGN(const UserIdHasher hasher, UserIdHasher::FromSalt("pepper"));
  Table table{TableOptions{}};
  Catalog catalog(&table);
  SqlEngine engine(&table, &catalog);
  IngestOptions options;
  options.decoder.retention_days = 0;
  options.decoder.user_id_hasher = &hasher;
  BodyIngestor ingestor(&table, options);
  ASSERT_OK(ingestor
                .Ingest(R"({"event_id":"h1","user_id":"alice","event_type":"app_open",)"
                        R"("event_timestamp":"2026-10-05T08:00:00Z"})",
                        BodyFormat::kEventLines, "test")
                .status());
  HttpRequest request;
  request.method = "GET";
  request.path = "/api/v1/users/alice/summary";
  const EngineQueryRunner runner(&engine, Principal{"test", Role::kAnalyst});
  HttpResponse response = HandleRest(request, RestContext{&runner, &ingestor, &hasher});
  const rapidjson::Document summary = Json(response, 200);
  EXPECT_STREQ(summary["user_id"].GetString(), "alice");  // as asked, not the stored hash
  EXPECT_EQ(summary["events"].GetInt(), 1);
  // Without the hasher the stored id is not "alice".
  EXPECT_EQ(HandleRest(request, RestContext{&runner, &ingestor}).status, 404);
}

TEST_F(RestApiTest, UserSummaryRejectsBadPathsAndParameters) {
  EXPECT_THAT(ErrorOf(Get("/api/v1/users/u1%2/summary", {}, 400)), HasSubstr("bad percent-escape"));
  EXPECT_THAT(ErrorOf(Get("/api/v1/users/u1/summary", {{"x", "1"}}, 400)),
              HasSubstr("unknown parameter 'x'"));
  EXPECT_THAT(ErrorOf(Get("/api/v1/users//summary", {}, 404)), HasSubstr("users/{user_id}"));
  EXPECT_THAT(ErrorOf(Get("/api/v1/users/a/b/summary", {}, 404)), HasSubstr("percent-encoded"));
  EXPECT_EQ(Get("/api/v1/users/u1", {}, 404)["error"].IsString(), true);
}

// ---- GET /api/v1/metrics/daily ----

TEST_F(RestApiTest, DailyMetricsPerDay) {
  const rapidjson::Document answer =
      Get("/api/v1/metrics/daily", {{"from", "2026-10-04"}, {"to", "2026-10-08"}});
  EXPECT_STREQ(answer["from"].GetString(), "2026-10-04");
  EXPECT_STREQ(answer["to"].GetString(), "2026-10-08");  // exclusive
  const rapidjson::Value& days = answer["days"];
  ASSERT_EQ(days.Size(), 4u);
  // 10-04: nothing. Averages of no sessions are null, not 0.
  EXPECT_STREQ(days[0]["date"].GetString(), "2026-10-04");
  EXPECT_EQ(days[0]["dau"].GetInt64(), 0);
  EXPECT_EQ(days[0]["events"].GetInt64(), 0);
  EXPECT_EQ(days[0]["sessions"].GetInt64(), 0);
  EXPECT_TRUE(days[0]["avg_session_length_s"].IsNull());
  EXPECT_TRUE(days[0]["median_session_length_s"].IsNull());
  EXPECT_EQ(days[0]["crashed_sessions"].GetInt64(), 0);
  EXPECT_TRUE(days[0]["crash_rate"].IsNull());
  // 10-05: u1, u2; e1..e5; s1 600 s and s2 60 s (crashed): mean = median = 330.
  EXPECT_STREQ(days[1]["date"].GetString(), "2026-10-05");
  EXPECT_EQ(days[1]["dau"].GetInt64(), 2);
  EXPECT_EQ(days[1]["events"].GetInt64(), 5);
  EXPECT_EQ(days[1]["sessions"].GetInt64(), 2);
  EXPECT_EQ(days[1]["avg_session_length_s"].GetDouble(), 330);
  EXPECT_EQ(days[1]["median_session_length_s"].GetDouble(), 330);
  EXPECT_EQ(days[1]["crashed_sessions"].GetInt64(), 1);
  EXPECT_EQ(days[1]["crash_rate"].GetDouble(), 0.5);
  // 10-06: u1, u3; e6..e9; s3 1200 s, s4 30 s.
  EXPECT_EQ(days[2]["dau"].GetInt64(), 2);
  EXPECT_EQ(days[2]["events"].GetInt64(), 4);
  EXPECT_EQ(days[2]["sessions"].GetInt64(), 2);
  EXPECT_EQ(days[2]["avg_session_length_s"].GetDouble(), 615);
  EXPECT_EQ(days[2]["median_session_length_s"].GetDouble(), 615);
  EXPECT_EQ(days[2]["crash_rate"].GetDouble(), 0);
  // 10-07: u2, o'brien\; e10, e11; s5, s6 of 0 s.
  EXPECT_EQ(days[3]["dau"].GetInt64(), 2);
  EXPECT_EQ(days[3]["events"].GetInt64(), 2);
  EXPECT_EQ(days[3]["sessions"].GetInt64(), 2);
  EXPECT_EQ(days[3]["avg_session_length_s"].GetDouble(), 0);
  EXPECT_EQ(days[3]["crashed_sessions"].GetInt64(), 0);
}

TEST_F(RestApiTest, DailyMetricsDefaultToTheLast30DaysOfData) {
  rapidjson::Document answer = Get("/api/v1/metrics/daily");
  EXPECT_STREQ(answer["from"].GetString(), "2026-09-08");
  EXPECT_STREQ(answer["to"].GetString(), "2026-10-08");  // the day after the last with events
  ASSERT_EQ(answer["days"].Size(), 30u);
  EXPECT_STREQ(answer["days"][29]["date"].GetString(), "2026-10-07");
  EXPECT_EQ(answer["days"][29]["events"].GetInt64(), 2);
  // Only `to`: the 30 days before it; only `from`: from there to the last day of data.
  answer = Get("/api/v1/metrics/daily", {{"to", "2026-10-05"}});
  EXPECT_STREQ(answer["from"].GetString(), "2026-09-05");
  EXPECT_EQ(answer["days"].Size(), 30u);
  EXPECT_STREQ(answer["days"][29]["date"].GetString(), "2026-10-04");
  answer = Get("/api/v1/metrics/daily", {{"from", "2026-10-06"}});
  EXPECT_STREQ(answer["to"].GetString(), "2026-10-08");
  EXPECT_EQ(answer["days"].Size(), 2u);
}

TEST_F(RestApiTest, DailyMetricsTakeJsonParams) {
  const rapidjson::Document answer =
      Get("/api/v1/metrics/daily", {{"params", R"({"from": "2026-10-06", "to": "2026-10-07"})"}});
  ASSERT_EQ(answer["days"].Size(), 1u);
  EXPECT_EQ(answer["days"][0]["events"].GetInt64(), 4);
}

TEST_F(RestApiTest, DailyMetricsRejectBadParameters) {
  const std::vector<std::pair<Params, std::string>> cases = {
      {{{"from", "2026-13-01"}}, "from must be a date YYYY-MM-DD, not '2026-13-01'"},
      {{{"from", "2026-02-30"}}, "not '2026-02-30'"},
      {{{"from", "20261005"}}, "not '20261005'"},
      {{{"from", "2026-10-05 00:00:00"}}, "not '2026-10-05 00:00:00'"},
      {{{"to", "2026-10-05' OR 1=1 --"}}, "to must be a date"},
      {{{"from", " 2026-10-05"}}, "from must be a date"},
      {{{"from", "1800-01-01"}}, "in the years 1900..2399"},
      {{{"from", "2026-10-07"}, {"to", "2026-10-05"}},
       "from (2026-10-07) must be before to (2026-10-05): to is exclusive"},
      {{{"from", "2026-10-05"}, {"to", "2026-10-05"}}, "must be before to (2026-10-05)"},
      {{{"from", "2000-01-01"}, {"to", "2026-10-05"}}, "spans more than 3660 days"},
      {{{"form", "2026-10-05"}}, "unknown parameter 'form'; known: from, to"},
      {{{"from", "2026-10-05"}, {"from", "2026-10-06"}},
       "parameter 'from' is given more than once"},
      {{{"from", "2026-10-05"}, {"params", R"({"from": "2026-10-05"})"}}, "is given twice"},
      {{{"params", "{"}}, "parameter 'params' is not valid JSON"},
      {{{"params", "[1]"}}, "parameter 'params' must be a JSON object"},
      {{{"params", R"({"from": ["2026-10-05"]})"}}, "from must be a string"},
      {{{"params", R"({"from": 20261005})"}}, "not '20261005'"},
  };
  for (const auto& [params, error] : cases) {
    EXPECT_THAT(ErrorOf(Get("/api/v1/metrics/daily", params, 400)), HasSubstr(error)) << error;
  }
}

TEST_F(RestApiTest, ReadEndpointsWorkOnAnEmptyTable) {
  Table table{TableOptions{}};
  Catalog catalog(&table);
  SqlEngine engine(&table, &catalog);
  auto get = [&](const std::string& path, Params params) {
    HttpRequest request;
    request.method = "GET";
    request.path = path;
    request.params = std::move(params);
    const EngineQueryRunner runner(&engine, Principal{"test", Role::kAnalyst});
    return HandleRest(request, RestContext{&runner, nullptr});
  };
  const rapidjson::Document daily = Json(get("/api/v1/metrics/daily", {}), 200);
  ASSERT_EQ(daily["days"].Size(), 30u);  // ending today
  EXPECT_EQ(daily["days"][29]["dau"].GetInt(), 0);
  EXPECT_EQ(Json(get("/api/v1/retention", {}), 200)["rows"].Size(), 0u);
  EXPECT_EQ(Json(get("/api/v1/funnel", {{"steps", "a,b"}}), 200)["rows"][0]["users"].GetInt(), 0);
  EXPECT_EQ(get("/api/v1/users/u1/summary", {}).status, 404);
}

// ---- GET /api/v1/retention ----

TEST_F(RestApiTest, RetentionReturnsTheMatrixAsObjects) {
  const rapidjson::Document answer =
      Get("/api/v1/retention", {{"from", "2026-10-05"}, {"to", "2026-10-08"}});
  const rapidjson::Value& parameters = answer["parameters"];
  EXPECT_STREQ(parameters["start_event"].GetString(), "*");
  EXPECT_STREQ(parameters["period"].GetString(), "day");
  EXPECT_STREQ(parameters["type"].GetString(), "first_time");
  EXPECT_STREQ(parameters["mode"].GetString(), "on");
  EXPECT_STREQ(parameters["from"].GetString(), "2026-10-05");
  EXPECT_STREQ(parameters["to"].GetString(), "2026-10-08");
  EXPECT_TRUE(parameters["breakdown"].IsNull());
  EXPECT_STREQ(parameters["timezone"].GetString(), "UTC");
  // Cohorts by first day: 10-05 {u1,u2}: k1 10-06 u1, k2 10-07 u2; 10-06 {u3}: k1 none;
  // 10-07 {o'brien\}.
  struct Row {
    const char* cohort;
    int size, k, retained;
    double pct;
  };
  const Row expected[] = {{"2026-10-05", 2, 0, 2, 100}, {"2026-10-05", 2, 1, 1, 50},
                          {"2026-10-05", 2, 2, 1, 50},  {"2026-10-06", 1, 0, 1, 100},
                          {"2026-10-06", 1, 1, 0, 0},   {"2026-10-07", 1, 0, 1, 100}};
  const rapidjson::Value& rows = answer["rows"];
  ASSERT_EQ(rows.Size(), std::size(expected));
  for (size_t i = 0; i < std::size(expected); ++i) {
    EXPECT_STREQ(rows[i]["cohort"].GetString(), expected[i].cohort) << i;
    EXPECT_EQ(rows[i]["cohort_size"].GetInt(), expected[i].size) << i;
    EXPECT_EQ(rows[i]["k"].GetInt(), expected[i].k) << i;
    EXPECT_EQ(rows[i]["retained"].GetInt(), expected[i].retained) << i;
    EXPECT_EQ(rows[i]["pct"].GetDouble(), expected[i].pct) << i;
  }
}

TEST_F(RestApiTest, RetentionTakesEventsPeriodAndBreakdownFromParamsJson) {
  // app_open -> purchase by platform: ios u1 opens 10-05 and buys 10-05 (k0) and 10-06 (k1).
  const rapidjson::Document answer =
      Get("/api/v1/retention",
          {{"params", R"({"start_event": "app_open", "return_event": "purchase", "breakdown":
                      "platform", "from": "2026-10-05", "to": "2026-10-07"})"}});
  EXPECT_STREQ(answer["parameters"]["breakdown"].GetString(), "platform");
  bool found = false;
  for (const rapidjson::Value& row : answer["rows"].GetArray()) {
    if (std::string(row["platform"].GetString()) != "ios") continue;
    EXPECT_STREQ(row["cohort"].GetString(), "2026-10-05");
    EXPECT_EQ(row["cohort_size"].GetInt(), 1);
    EXPECT_EQ(row["retained"].GetInt(), 1) << "k " << row["k"].GetInt();
    found = true;
  }
  EXPECT_TRUE(found);
}

TEST_F(RestApiTest, RetentionEventNamesAreLiterals) {
  for (const char* event : {"x' OR 1=1 --", "app_open'", "\\", "a'), retention_matrix(('"}) {
    const rapidjson::Document answer = Get("/api/v1/retention", {{"start_event", event}});
    EXPECT_STREQ(answer["parameters"]["start_event"].GetString(), event);
    EXPECT_EQ(answer["rows"].Size(), 0u) << event;  // no such event: no cohorts
  }
}

TEST_F(RestApiTest, RetentionRejectsBadParameters) {
  const std::vector<std::pair<Params, std::string>> cases = {
      {{{"period", "year"}}, "period must be one of day, week, month, not 'year'"},
      {{{"type", "first"}}, "type must be one of first_time, recurring"},
      {{{"mode", "after"}}, "mode must be one of on, on_or_after"},
      {{{"breakdown", "user_id"}}, "breakdown must be none or one of event_type, platform"},
      {{{"breakdown", "platform) --"}}, "not 'platform) --'"},
      {{{"timezone", "Mars/Olympus"}}, "unknown time zone 'Mars/Olympus'"},
      {{{"timezone", "../../etc/passwd"}}, "timezone must be an IANA time zone name"},
      {{{"timezone", "UTC' --"}}, "timezone must be an IANA time zone name"},
      {{{"steps", "a,b"}}, "unknown parameter 'steps'"},
      {{{"start_event", std::string(2000, 'x')}}, "longer than 1024 bytes"},
  };
  for (const auto& [params, error] : cases) {
    EXPECT_THAT(ErrorOf(Get("/api/v1/retention", params, 400)), HasSubstr(error)) << error;
  }
}

TEST_F(RestApiTest, RetentionHonoursTimezone) {
  const rapidjson::Document answer =
      Get("/api/v1/retention",
          {{"timezone", "Asia/Tokyo"}, {"from", "2026-10-05"}, {"to", "2026-10-06"}});
  EXPECT_STREQ(answer["parameters"]["timezone"].GetString(), "Asia/Tokyo");
  // Tokyo's 10-05 is 10-04T15:00Z..10-05T15:00Z: u1 and u2 only.
  ASSERT_EQ(answer["rows"].Size(), 1u);
  EXPECT_EQ(answer["rows"][0]["cohort_size"].GetInt(), 2);
}

// ---- GET /api/v1/funnel ----

TEST_F(RestApiTest, FunnelCountsUsersPerStep) {
  // app_open -> view_item within a day: u1 (300 s), u3 (30 s) of u1, u2, u3, o'brien\.
  const rapidjson::Document answer = Get("/api/v1/funnel", {{"steps", "app_open,view_item"}});
  const rapidjson::Value& parameters = answer["parameters"];
  EXPECT_THAT(Strings(parameters["steps"]), ::testing::ElementsAre("app_open", "view_item"));
  EXPECT_EQ(parameters["window"].GetInt64(), 86400);
  EXPECT_STREQ(parameters["order"].GetString(), "ordered");
  EXPECT_EQ(parameters["exclude"].Size(), 0u);
  EXPECT_TRUE(parameters["from"].IsNull());
  const rapidjson::Value& rows = answer["rows"];
  ASSERT_EQ(rows.Size(), 2u);
  EXPECT_EQ(rows[0]["step"].GetInt(), 1);
  EXPECT_STREQ(rows[0]["event"].GetString(), "app_open");
  EXPECT_EQ(rows[0]["users"].GetInt(), 4);
  EXPECT_EQ(rows[0]["pct_of_first"].GetDouble(), 100);
  EXPECT_TRUE(rows[0]["median_seconds_to_convert"].IsNull());  // NaN: nothing to convert from
  EXPECT_EQ(rows[1]["step"].GetInt(), 2);
  EXPECT_EQ(rows[1]["users"].GetInt(), 2);
  EXPECT_EQ(rows[1]["pct_of_first"].GetDouble(), 50);
  EXPECT_EQ(rows[1]["pct_of_previous"].GetDouble(), 50);
  EXPECT_EQ(rows[1]["median_seconds_to_convert"].GetDouble(), 165);  // (300 + 30) / 2
}

TEST_F(RestApiTest, FunnelStepsAsRepeatedParameterOrJsonArrayAndWindowAsDuration) {
  for (const Params& params :
       {Params{{"steps", "app_open"}, {"steps", "view_item"}, {"window", "60"}},
        Params{{"params", R"({"steps": ["app_open", "view_item"], "window": 60})"}},
        Params{{"steps", "app_open, view_item"}, {"window", "1m"}}}) {
    const rapidjson::Document answer = Get("/api/v1/funnel", params);
    EXPECT_EQ(answer["parameters"]["window"].GetInt64(), 60);
    ASSERT_EQ(answer["rows"].Size(), 2u);
    EXPECT_EQ(answer["rows"][1]["users"].GetInt(), 1);  // only u3 within a minute
    EXPECT_EQ(answer["rows"][1]["median_seconds_to_convert"].GetDouble(), 30);
  }
}

TEST_F(RestApiTest, FunnelExcludeOrderAndRange) {
  // u1's view_item and purchase on 10-05: excluding view_item drops u1's only chain.
  rapidjson::Document answer =
      Get("/api/v1/funnel", {{"steps", "app_open,purchase"}, {"exclude", "view_item"}});
  EXPECT_THAT(Strings(answer["parameters"]["exclude"]), ::testing::ElementsAre("view_item"));
  // u1 still converts on 10-06 (app_open 10:00 -> purchase 10:20, nothing between).
  EXPECT_EQ(answer["rows"][1]["users"].GetInt(), 1);
  answer = Get("/api/v1/funnel", {{"steps", "app_open,purchase"},
                                  {"from", "2026-10-05"},
                                  {"to", "2026-10-06"},
                                  {"order", "strict"}});
  // Strict on 10-05: u1 has view_item between app_open and purchase.
  EXPECT_EQ(answer["rows"][0]["users"].GetInt(), 2);
  EXPECT_EQ(answer["rows"][1]["users"].GetInt(), 0);
}

TEST_F(RestApiTest, FunnelStepNamesAreLiterals) {
  const rapidjson::Document answer =
      Get("/api/v1/funnel",
          {{"params", R"({"steps": ["app_open' OR 1=1 --", "x'], window => 1) --", "\\"]})"}});
  ASSERT_EQ(answer["rows"].Size(), 3u);
  EXPECT_STREQ(answer["rows"][0]["event"].GetString(), "app_open' OR 1=1 --");
  EXPECT_EQ(answer["rows"][0]["users"].GetInt(), 0);
}

TEST_F(RestApiTest, FunnelRejectsBadParameters) {
  const std::vector<std::pair<Params, std::string>> cases = {
      {{}, "steps must name 2 to 32 events"},
      {{{"steps", "app_open"}}, "got 1"},
      {{{"steps", "a,b"}, {"window", "1.5"}}, "window must be whole seconds from 1 to 31622400"},
      {{{"steps", "a,b"}, {"window", "-1"}}, "not '-1'"},
      {{{"steps", "a,b"}, {"window", "0"}}, "not '0'"},
      {{{"steps", "a,b"}, {"window", "1e3"}}, "not '1e3'"},
      {{{"steps", "a,b"}, {"window", "86400 OR 1"}}, "not '86400 OR 1'"},
      {{{"steps", "a,b"}, {"window", "500ms"}}, "not '500ms'"},
      {{{"steps", "a,b"}, {"window", "367d"}}, "not '367d'"},
      {{{"steps", "a,b"}, {"order", "any"}}, "order must be one of ordered, strict, unordered"},
      {{{"steps", "a,b"}, {"period", "day"}}, "unknown parameter 'period'"},
      {{{"steps", "a,b"}, {"window", "1"}, {"window", "2"}}, "'window' is given more than once"},
      {{{"params", R"({"steps": [1, {"a": 2}]})"}}, "steps must hold strings"},
      {{{"steps", "a,b"}, {"from", "2026-10-05"}, {"to", "2026-10-04"}}, "must be before to"},
      {{{"steps", "a,b"}, {"from", "2026-10-05"}, {"to", "2026-10-05"}}, "must be before to"},
  };
  for (const auto& [params, error] : cases) {
    EXPECT_THAT(ErrorOf(Get("/api/v1/funnel", params, 400)), HasSubstr(error)) << error;
  }
}

// ---- `to` is exclusive on every endpoint ----

TEST_F(RestApiTest, ToIsExclusiveAtMidnightOnEveryEndpoint) {
  // x1 opens the app in the last millisecond of 10-09 and views an item exactly at
  // 10-10T00:00:00.000, the midnight a `to` date of 2026-10-10 means.
  ASSERT_OK(ingestor_
                ->Ingest(R"({"event_id":"b1","user_id":"x1","event_type":"app_open",)"
                         R"("event_timestamp":"2026-10-09T23:59:59.999Z"})"
                         "\n"
                         R"({"event_id":"b2","user_id":"x1","event_type":"view_item",)"
                         R"("event_timestamp":"2026-10-10T00:00:00.000Z"})",
                         BodyFormat::kEventLines, "boundary")
                .status());
  rapidjson::Document daily =
      Get("/api/v1/metrics/daily", {{"from", "2026-10-09"}, {"to", "2026-10-10"}});
  ASSERT_EQ(daily["days"].Size(), 1u);
  EXPECT_STREQ(daily["days"][0]["date"].GetString(), "2026-10-09");
  EXPECT_EQ(daily["days"][0]["events"].GetInt64(), 1);
  daily = Get("/api/v1/metrics/daily", {{"from", "2026-10-09"}, {"to", "2026-10-11"}});
  ASSERT_EQ(daily["days"].Size(), 2u);
  EXPECT_EQ(daily["days"][1]["events"].GetInt64(), 1);

  // Retention of x1's cohort 10-09, returning with view_item: the event at `to` is outside.
  auto retained_on_day_1 = [&](const char* to) {
    const rapidjson::Document answer = Get(
        "/api/v1/retention", {{"return_event", "view_item"}, {"from", "2026-10-09"}, {"to", to}});
    int64_t retained = 0;
    for (const rapidjson::Value& row : answer["rows"].GetArray()) {
      if (row["k"].GetInt() == 1) retained += row["retained"].GetInt64();
    }
    return retained;
  };
  EXPECT_EQ(retained_on_day_1("2026-10-10"), 0);
  EXPECT_EQ(retained_on_day_1("2026-10-11"), 1);

  // A funnel app_open -> view_item completes only when `to` is after the second event.
  auto converted = [&](const char* to) {
    const rapidjson::Document answer = Get(
        "/api/v1/funnel", {{"steps", "app_open,view_item"}, {"from", "2026-10-09"}, {"to", to}});
    EXPECT_EQ(answer["rows"][0]["users"].GetInt(), 1) << to;
    return answer["rows"][1]["users"].GetInt();
  };
  EXPECT_EQ(converted("2026-10-10"), 0);
  EXPECT_EQ(converted("2026-10-11"), 1);
}

// ---- POST /api/v1/query ----

}  // namespace
}  // namespace mua::rest_test
