// The Grafana JSON datasource end to end through HandleGrafana on a hand-made
// data set, so every number below is checked by hand:
//   e1 u1 s1 app_open  2026-10-05 08:00 ios     US 1.0
//   e2 u1 s1 purchase  2026-10-05 08:10 ios     US 1.0
//   e3 u2 s2 app_open  2026-10-05 09:30 android DE 1.0
//   e4 u1 s3 app_open  2026-10-06 10:00 ios     US 1.0
//   e5 u2 s5 app_open  2026-10-06 10:05 android DE 1.0
//   e6 u3 s4 app_open  2026-10-06 11:00 ios     FR 2.0
//   e7 u3 s4 app_crash 2026-10-06 11:02 ios     FR 2.0
// DAU: 10-05 {u1,u2} = 2, 10-06 {u1,u2,u3} = 3. Sessions: 10-05 s1 s2, 10-06 s3 s5 s4 (s4 crashed).
#include "server/grafana_api.h"
#include "server/query_runner.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"
#include "sql/catalog.h"
#include "sql/sql_engine.h"
#include "storage/table.h"
#include "tests/testutil/event_builder.h"
#include "tests/testutil/status_matchers.h"

namespace mua {
namespace {

using test::MillisAt;
using ::testing::ElementsAre;
using ::testing::Pair;

// (value or null, epoch ms) as a datapoint reads back.
using Point = std::pair<std::optional<double>, int64_t>;

constexpr char kTwoDays[] =
    R"("range": {"from": "2026-10-05T00:00:00.000Z", "to": "2026-10-07T00:00:00.000Z",
                 "raw": {"from": "now-2d", "to": "now"}},
       "intervalMs": 86400000, "maxDataPoints": 500)";

// {"<key>": "<text>"} with `text` escaped as a JSON string.
std::string JsonObject(const std::string& key, const std::string& text) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key(key.c_str());
  writer.String(text.c_str());
  writer.EndObject();
  return buffer.GetString();
}

class GrafanaApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    table_ = new Table(TableOptions{});
    test::EventBuilder events;
    struct Spec {
      const char* time;
      const char* user;
      const char* session;
      const char* type;
      const char* platform;
      const char* country;
      const char* version;
    };
    const Spec specs[] = {
        {"2026-10-05T08:00:00", "u1", "s1", "app_open", "ios", "US", "1.0"},
        {"2026-10-05T08:10:00", "u1", "s1", "purchase", "ios", "US", "1.0"},
        {"2026-10-05T09:30:00", "u2", "s2", "app_open", "android", "DE", "1.0"},
        {"2026-10-06T10:00:00", "u1", "s3", "app_open", "ios", "US", "1.0"},
        {"2026-10-06T10:05:00", "u2", "s5", "app_open", "android", "DE", "1.0"},
        {"2026-10-06T11:00:00", "u3", "s4", "app_open", "ios", "FR", "2.0"},
        {"2026-10-06T11:02:00", "u3", "s4", "app_crash", "ios", "FR", "2.0"},
    };
    for (const Spec& spec : specs) {
      EventRow& row = events.Add(MillisAt(spec.time), spec.user, spec.type);
      row.session_id = spec.session;
      row.platform = spec.platform;
      row.country = spec.country;
      row.app_version = spec.version;
    }
    ASSERT_OK(table_->Append(events.rows()));
    catalog_ = new Catalog(table_);
    engine_ = new SqlEngine(table_, catalog_);
  }
  static void TearDownTestSuite() {
    delete engine_;
    delete catalog_;
    delete table_;
  }

  static HttpResponse Send(const std::string& method, const std::string& path,
                           const std::string& body = "",
                           std::vector<std::pair<std::string, std::string>> headers = {}) {
    HttpRequest request;
    request.method = method;
    request.path = path;
    request.body = body;
    request.headers = std::move(headers);
    if (!body.empty()) request.headers.emplace_back("Content-Type", "application/json");
    // The tests' requests come from an analyst unless they set role "viewer".
    const EngineQueryRunner runner(
        engine_, Principal{request.principal, request.role == "viewer" ? Role::kViewer : Role::kAnalyst});
    return HandleGrafana(request, runner, {"http://grafana.local:3000"});
  }

  // POSTs `body` to /grafana<endpoint>, expects `status`, and returns the parsed answer.
  static rapidjson::Document Post(const std::string& endpoint, const std::string& body,
                                  int status = 200) {
    const HttpResponse response = Send("POST", absl::StrCat("/grafana", endpoint), body);
    EXPECT_EQ(response.status, status) << response.body;
    EXPECT_EQ(response.content_type, "application/json");
    rapidjson::Document document;
    document.Parse(response.body.c_str());
    EXPECT_FALSE(document.HasParseError()) << response.body;
    return document;
  }

  // A /query over 2026-10-05 and 2026-10-06 with one target.
  static rapidjson::Document Query(const std::string& target, const std::string& payload = "{}",
                                   const std::string& extra = "", int status = 200) {
    return Post("/query",
                absl::StrCat(R"({"app": "dashboard", )", kTwoDays, extra,
                             R"(, "targets": [{"refId": "A", "target": ")", target,
                             R"(", "payload": )", payload, "}]}"),
                status);
  }

  static std::vector<Point> Points(const rapidjson::Value& series) {
    std::vector<Point> points;
    for (const rapidjson::Value& point : series["datapoints"].GetArray()) {
      EXPECT_EQ(point.Size(), 2u);
      points.emplace_back(
          point[0].IsNull() ? std::nullopt : std::optional<double>(point[0].GetDouble()),
          point[1].GetInt64());
    }
    return points;
  }

  // The datapoints of the series named `name` in a /query answer (empty when missing).
  static std::vector<Point> Series(const rapidjson::Document& answer, const std::string& name) {
    for (const rapidjson::Value& series : answer.GetArray()) {
      if (series.HasMember("target") && name == series["target"].GetString()) return Points(series);
    }
    ADD_FAILURE() << "no series " << name;
    return {};
  }

  static std::string ErrorOf(const rapidjson::Document& answer) {
    EXPECT_TRUE(answer.IsObject() && answer.HasMember("error") && answer.HasMember("message"));
    return answer.IsObject() && answer.HasMember("message") ? answer["message"].GetString() : "";
  }

  static int64_t Day(const std::string& date) { return MillisAt(date + "T00:00:00"); }

  static Table* table_;
  static Catalog* catalog_;
  static SqlEngine* engine_;
};

Table* GrafanaApiTest::table_ = nullptr;
Catalog* GrafanaApiTest::catalog_ = nullptr;
SqlEngine* GrafanaApiTest::engine_ = nullptr;

std::optional<std::string> HeaderOf(const HttpResponse& response, const std::string& name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return std::nullopt;
}

// ---- HTTP behaviour ----

TEST_F(GrafanaApiTest, TestConnectionIsExactly200WithJson) {
  for (const char* path : {"/grafana", "/grafana/", "/grafana//"}) {
    const HttpResponse response = Send("GET", path);
    EXPECT_EQ(response.status, 200) << path;
    EXPECT_EQ(response.content_type, "application/json");
    EXPECT_EQ(response.body, R"({"status":"ok"})");
    EXPECT_EQ(HeaderOf(response, "Access-Control-Allow-Origin"), "*");
  }
}

TEST_F(GrafanaApiTest, PreflightAnswersCorsForEveryPath) {
  const HttpResponse response =
      Send("OPTIONS", "/grafana/query", "",
           {{"Origin", "http://grafana.local:3000"},
            {"Access-Control-Request-Method", "POST"},
            {"Access-Control-Request-Headers", "content-type, authorization"}});
  EXPECT_EQ(response.status, 204);
  EXPECT_EQ(HeaderOf(response, "Access-Control-Allow-Origin"), "http://grafana.local:3000");
  EXPECT_EQ(HeaderOf(response, "Access-Control-Allow-Credentials"), "true");
  EXPECT_EQ(HeaderOf(response, "Access-Control-Allow-Methods"), "GET, POST, OPTIONS");
  EXPECT_EQ(HeaderOf(response, "Access-Control-Allow-Headers"), "content-type, authorization");

  const HttpResponse plain = Send("OPTIONS", "/grafana/tag-keys");
  EXPECT_EQ(plain.status, 204);
  EXPECT_EQ(HeaderOf(plain, "Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(HeaderOf(plain, "Access-Control-Allow-Headers"), "accept, content-type, authorization");
}

TEST_F(GrafanaApiTest, ForeignOriginGetsNoCorsGrant) {
  const HttpResponse response =
      Send("OPTIONS", "/grafana/query", "", {{"Origin", "https://evil.example"}});
  EXPECT_EQ(HeaderOf(response, "Access-Control-Allow-Origin"), std::nullopt);
  EXPECT_EQ(HeaderOf(response, "Access-Control-Allow-Credentials"), std::nullopt);
  const HttpResponse query = Send("POST", "/grafana/metrics", "{}", {{"Origin", "https://evil.example"}});
  EXPECT_EQ(HeaderOf(query, "Access-Control-Allow-Origin"), std::nullopt);
}

TEST_F(GrafanaApiTest, ErrorsAreJsonWithStatusAndCors) {
  HttpResponse response = Send("POST", "/grafana/nope", "{}");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(HeaderOf(response, "Access-Control-Allow-Origin"), "*");
  EXPECT_THAT(response.body,
              ::testing::HasSubstr(R"("message":"no Grafana endpoint /grafana/nope")"));

  response = Send("GET", "/grafana/query");
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(HeaderOf(response, "Allow"), "POST, OPTIONS");
  EXPECT_EQ(HeaderOf(response, "Access-Control-Allow-Origin"), "*");

  EXPECT_EQ(Send("DELETE", "/grafana").status, 405);

  EXPECT_THAT(ErrorOf(Post("/query", R"({"range": )", 400)),
              ::testing::HasSubstr("malformed JSON body"));
  EXPECT_EQ(ErrorOf(Post("/query", "[1, 2]", 400)), "the JSON body must be an object");

  response = Send("POST", "/grafana/metrics", "x=1",
                  {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(response.status, 415);
}

TEST_F(GrafanaApiTest, DoubleSlashFromTrailingSlashInDatasourceUrlWorks) {
  const HttpResponse response = Send("POST", "/grafana//metrics", "{}");
  EXPECT_EQ(response.status, 200) << response.body;
}

// ---- /metrics and /metric-payload-options ----

TEST_F(GrafanaApiTest, MetricsListsEveryMetricWithPayloads) {
  for (const char* request :
       {"{}", R"({"metric": "events", "payload": {"event_type": "app_open"}})", ""}) {
    const rapidjson::Document answer = Post("/metrics", request);
    ASSERT_TRUE(answer.IsArray());
    std::vector<std::string> values;
    for (const rapidjson::Value& metric : answer.GetArray()) {
      values.push_back(metric["value"].GetString());
      EXPECT_TRUE(metric["label"].IsString());
      ASSERT_TRUE(metric["payloads"].IsArray());
      for (const rapidjson::Value& payload : metric["payloads"].GetArray()) {
        EXPECT_TRUE(payload["name"].IsString());
        EXPECT_THAT(std::string(payload["type"].GetString()),
                    ::testing::AnyOf("select", "multi-select", "input", "textarea"));
      }
    }
    EXPECT_THAT(values,
                ElementsAre("dau", "wau", "mau", "dau_mau", "active_users", "events", "sessions",
                            "crash_rate", "retention", "funnel", "experiment", "releases", "alerts", "sql"));
  }
}

TEST_F(GrafanaApiTest, PayloadOptionsComeFromTheData) {
  rapidjson::Document answer = Post("/metric-payload-options",
                                    R"({"metric": "events", "payload": {}, "name": "event_type"})");
  std::vector<std::string> values;
  for (const rapidjson::Value& option : answer.GetArray())
    values.push_back(option["value"].GetString());
  EXPECT_THAT(values, ElementsAre("app_crash", "app_open", "purchase"));

  answer = Post("/metric-payload-options",
                R"({"metric": "retention", "payload": {}, "name": "start_event"})");
  ASSERT_EQ(answer.Size(), 4u);
  EXPECT_STREQ(answer[0]["value"].GetString(), "*");

  answer = Post("/metric-payload-options",
                R"({"metric": "retention", "payload": {}, "name": "period"})");
  ASSERT_EQ(answer.Size(), 3u);
  EXPECT_STREQ(answer[2]["value"].GetString(), "month");

  EXPECT_THAT(ErrorOf(Post("/metric-payload-options",
                           R"({"metric": "x", "payload": {}, "name": "y"})", 400)),
              ::testing::HasSubstr("unknown metric 'x'"));
  EXPECT_THAT(ErrorOf(Post("/metric-payload-options",
                           R"({"metric": "dau", "payload": {}, "name": "y"})", 400)),
              ::testing::HasSubstr("has no payload field 'y'"));
}

// ---- /query: time series ----

TEST_F(GrafanaApiTest, DauIsOnePointPerDay) {
  const rapidjson::Document answer = Query("dau");
  ASSERT_EQ(answer.Size(), 1u);
  EXPECT_STREQ(answer[0]["refId"].GetString(), "A");
  EXPECT_STREQ(answer[0]["target"].GetString(), "DAU");
  EXPECT_THAT(Points(answer[0]),
              ElementsAre(Point{2, Day("2026-10-05")}, Point{3, Day("2026-10-06")}));
}

TEST_F(GrafanaApiTest, WauMauAndStickinessRollOverTrailingDays) {
  EXPECT_THAT(Series(Query("wau"), "WAU"),
              ElementsAre(Point{2, Day("2026-10-05")}, Point{3, Day("2026-10-06")}));
  EXPECT_THAT(Series(Query("MAU"), "MAU"),
              ElementsAre(Point{2, Day("2026-10-05")}, Point{3, Day("2026-10-06")}));
  EXPECT_THAT(Series(Query("dau_mau"), "DAU/MAU"),
              ElementsAre(Point{1, Day("2026-10-05")}, Point{1, Day("2026-10-06")}));
}

TEST_F(GrafanaApiTest, DauBreakdownMakesOneLabelledSeriesPerValue) {
  const rapidjson::Document answer = Query("dau", R"({"breakdown": "platform"})");
  ASSERT_EQ(answer.Size(), 2u);
  EXPECT_STREQ(answer[0]["tags"]["platform"].GetString(), "android");
  EXPECT_THAT(Series(answer, "DAU{platform=android}"),
              ElementsAre(Point{1, Day("2026-10-05")}, Point{1, Day("2026-10-06")}));
  EXPECT_THAT(Series(answer, "DAU{platform=ios}"),
              ElementsAre(Point{1, Day("2026-10-05")}, Point{2, Day("2026-10-06")}));
}

TEST_F(GrafanaApiTest, DauOfOneEventTypeCountsItsUsersOnly) {
  EXPECT_THAT(Series(Query("dau", R"({"event_type": ["purchase", "app_crash"]})"), "DAU"),
              ElementsAre(Point{1, Day("2026-10-05")}, Point{1, Day("2026-10-06")}));
}

TEST_F(GrafanaApiTest, EventsByTypeUseHourlyBucketsOnShortRangesAndFillZeros) {
  const rapidjson::Document answer = Post("/query", R"({
      "range": {"from": "2026-10-06T10:00:00.000Z", "to": "2026-10-06T12:00:00.000Z"},
      "intervalMs": 60000, "maxDataPoints": 2,
      "targets": [{"refId": "B", "target": "events"}]})");
  const int64_t ten = MillisAt("2026-10-06T10:00:00"), eleven = MillisAt("2026-10-06T11:00:00");
  ASSERT_EQ(answer.Size(), 2u);
  EXPECT_THAT(Series(answer, "events{event_type=app_crash}"),
              ElementsAre(Point{0, ten}, Point{1, eleven}));
  EXPECT_THAT(Series(answer, "events{event_type=app_open}"),
              ElementsAre(Point{2, ten}, Point{1, eleven}));
  EXPECT_STREQ(answer[0]["refId"].GetString(), "B");
}

TEST_F(GrafanaApiTest, PickedEventTypesWithoutEventsAreZeroLines) {
  const rapidjson::Document answer = Post("/query", R"({
      "range": {"from": "2026-10-05T08:00:00.000Z", "to": "2026-10-05T10:00:00.000Z"},
      "intervalMs": 3600000, "targets": [{"refId": "A", "target": "events",
                                           "payload": {"event_type": ["purchase", "app_crash"]}}]})");
  const int64_t eight = MillisAt("2026-10-05T08:00:00"), nine = MillisAt("2026-10-05T09:00:00");
  ASSERT_EQ(answer.Size(), 2u);
  EXPECT_THAT(Series(answer, "events{event_type=app_crash}"),
              ElementsAre(Point{0, eight}, Point{0, nine}));
  EXPECT_THAT(Series(answer, "events{event_type=purchase}"),
              ElementsAre(Point{1, eight}, Point{0, nine}));
}

TEST_F(GrafanaApiTest, EventsPayloadIntervalOverridesTheBucket) {
  const rapidjson::Document answer =
      Query("events", R"({"breakdown": "none", "interval": "1d", "event_type": "app_open"})");
  EXPECT_THAT(Series(answer, "events"),
              ElementsAre(Point{2, Day("2026-10-05")}, Point{3, Day("2026-10-06")}));
  EXPECT_THAT(ErrorOf(Query("events", R"({"interval": "7m"})", "", 400)),
              ::testing::HasSubstr("divide a day"));
}

TEST_F(GrafanaApiTest, ActiveUsersPerInterval) {
  const rapidjson::Document answer = Post("/query", R"({
      "range": {"from": "2026-10-05T08:00:00.000Z", "to": "2026-10-05T10:00:00.000Z"},
      "intervalMs": 3600000, "targets": [{"refId": "A", "target": "active_users"}]})");
  EXPECT_THAT(Series(answer, "active users"),
              ElementsAre(Point{1, MillisAt("2026-10-05T08:00:00")},
                          Point{1, MillisAt("2026-10-05T09:00:00")}));
}

TEST_F(GrafanaApiTest, SessionsPerDayAndTheirMeasures) {
  EXPECT_THAT(Series(Query("sessions"), "sessions"),
              ElementsAre(Point{2, Day("2026-10-05")}, Point{3, Day("2026-10-06")}));
  // s1 lasts 600 s, s2 0 s; s3 and s5 0 s, s4 120 s.
  EXPECT_THAT(
      Series(Query("sessions", R"({"measure": "avg_duration_s"})"), "avg session duration (s)"),
      ElementsAre(Point{300, Day("2026-10-05")}, Point{40, Day("2026-10-06")}));
}

TEST_F(GrafanaApiTest, CrashRateByVersionIsAShareOfSessionsWithGapsAsNull) {
  const rapidjson::Document answer = Query("crash_rate");
  EXPECT_THAT(Series(answer, "crash rate %{app_version=1.0}"),
              ElementsAre(Point{0, Day("2026-10-05")}, Point{0, Day("2026-10-06")}));
  EXPECT_THAT(Series(answer, "crash rate %{app_version=2.0}"),
              ElementsAre(Point{std::nullopt, Day("2026-10-05")}, Point{100, Day("2026-10-06")}));
}

TEST_F(GrafanaApiTest, CrashHealthTable) {
  const rapidjson::Document answer = Query("crash_rate", R"({"format": "table"})");
  ASSERT_EQ(answer.Size(), 1u);
  EXPECT_STREQ(answer[0]["type"].GetString(), "table");
  EXPECT_STREQ(answer[0]["columns"][0]["text"].GetString(), "app_version");
  EXPECT_FALSE(answer[0].HasMember("datapoints"));
  ASSERT_EQ(answer[0]["rows"].Size(), 2u);
  EXPECT_STREQ(answer[0]["rows"][1][0].GetString(), "2.0");
  EXPECT_EQ(answer[0]["rows"][1][2].GetInt(), 1);  // crashed_sessions
}

// ---- /query: tables ----

TEST_F(GrafanaApiTest, RetentionTableHasTimeTypedCohorts) {
  const rapidjson::Document answer =
      Query("retention", R"({"start_event": "app_open", "return_event": "*"})");
  ASSERT_EQ(answer.Size(), 1u);
  const rapidjson::Value& table = answer[0];
  EXPECT_STREQ(table["columns"][0]["text"].GetString(), "cohort");
  EXPECT_STREQ(table["columns"][0]["type"].GetString(), "time");
  // Cohort 10-05 = {u1, u2}, both back on 10-06; cohort 10-06 = {u3}.
  std::vector<std::vector<double>> rows;
  for (const rapidjson::Value& row : table["rows"].GetArray()) {
    rows.push_back(
        {row[0].GetDouble(), row[1].GetDouble(), row[2].GetDouble(), row[3].GetDouble()});
  }
  const double d5 = static_cast<double>(Day("2026-10-05")),
               d6 = static_cast<double>(Day("2026-10-06"));
  EXPECT_THAT(rows, ElementsAre(ElementsAre(d5, 2, 0, 2), ElementsAre(d5, 2, 1, 2),
                                ElementsAre(d6, 1, 0, 1)));
}

TEST_F(GrafanaApiTest, RetentionAsSeriesPerPeriod) {
  const rapidjson::Document answer = Query("retention", R"({"format": "timeseries", "k": "1"})");
  ASSERT_EQ(answer.Size(), 1u);
  EXPECT_THAT(Series(answer, "retention %{k=1}"), ElementsAre(Point{100, Day("2026-10-05")}));
}

TEST_F(GrafanaApiTest, FunnelTable) {
  const rapidjson::Document answer =
      Query("funnel", R"({"steps": ["app_open", "purchase"], "window": "1h", "order": "ordered"})");
  ASSERT_EQ(answer.Size(), 1u);
  const rapidjson::Value& rows = answer[0]["rows"];
  ASSERT_EQ(rows.Size(), 2u);
  EXPECT_STREQ(rows[0][1].GetString(), "app_open");
  EXPECT_EQ(rows[0][2].GetInt(), 3);
  EXPECT_TRUE(rows[0][5].IsNull());  // no median for step 1 (NaN is not JSON)
  EXPECT_STREQ(rows[1][1].GetString(), "purchase");
  EXPECT_EQ(rows[1][2].GetInt(), 1);
  EXPECT_EQ(rows[1][5].GetInt(), 600);

  EXPECT_THAT(ErrorOf(Query("funnel", R"({"steps": "app_open"})", "", 400)),
              ::testing::HasSubstr("target A (funnel): payload.steps must name at least 2 events"));
}

// Grafana's range is half-open like every MUA range: an event exactly at range.from counts,
// one exactly at range.to does not (the next panel's range starts there).
TEST_F(GrafanaApiTest, RangeToIsExclusiveToTheMillisecond) {
  auto query = [](const std::string& from, const std::string& to, const std::string& target,
                  const std::string& payload) {
    return Post("/query", absl::StrCat(R"({"range": {"from": ")", from, R"(", "to": ")", to,
                                       R"("}, "intervalMs": 3600000, "targets": [{"refId": "A", "target": ")",
                                       target, R"(", "payload": )", payload, "}]}"));
  };
  // [e2 at 08:10, e4 at 10-06 10:00): e2 and e3.
  rapidjson::Document answer =
      query("2026-10-05T08:10:00.000Z", "2026-10-06T10:00:00.000Z", "sql",
            R"j({"sql": "SELECT count() AS n FROM events WHERE $__timeFilter(event_time)"})j");
  EXPECT_EQ(answer[0]["rows"][0][0].GetInt(), 2);
  answer = query("2026-10-05T08:10:00.000Z", "2026-10-06T10:00:00.001Z", "sql",
                 R"j({"sql": "SELECT count() AS n FROM events WHERE $__timeFilter(event_time)"})j");
  EXPECT_EQ(answer[0]["rows"][0][0].GetInt(), 3);
  // Table functions get the same bounds: u1's purchase at 08:10 is outside [08:00, 08:10).
  const std::string funnel = R"({"steps": ["app_open", "purchase"], "window": "1h"})";
  answer = query("2026-10-05T08:00:00.000Z", "2026-10-05T08:10:00.000Z", "funnel", funnel);
  EXPECT_EQ(answer[0]["rows"][0][2].GetInt(), 1);
  EXPECT_EQ(answer[0]["rows"][1][2].GetInt(), 0);
  answer = query("2026-10-05T08:00:00.000Z", "2026-10-05T08:10:00.001Z", "funnel", funnel);
  EXPECT_EQ(answer[0]["rows"][1][2].GetInt(), 1);
}

TEST_F(GrafanaApiTest, ReleasesAreAnnotationsOfFirstSeenVersions) {
  const rapidjson::Document answer = Query("releases");
  ASSERT_EQ(answer.Size(), 1u);
  const rapidjson::Value& rows = answer[0]["rows"];
  ASSERT_EQ(rows.Size(), 2u);
  EXPECT_EQ(rows[0][0].GetInt64(), MillisAt("2026-10-05T08:00:00"));
  EXPECT_STREQ(rows[0][1].GetString(), "Release 1.0");
  EXPECT_EQ(rows[1][0].GetInt64(), MillisAt("2026-10-06T11:00:00"));
  EXPECT_STREQ(rows[1][3][1].GetString(), "2.0");
}

// ---- /query: free SQL ----

TEST_F(GrafanaApiTest, SqlWithTimeColumnBecomesSeriesPerNumberColumnAndLabel) {
  const rapidjson::Document answer = Query(
      "sql",
      JsonObject("sql",
                 "SELECT toDate(event_time) AS day, platform, count() AS n, uniqExact(user_id) AS "
                 "users FROM events WHERE $__timeFilter(event_time) GROUP BY day, platform "
                 "ORDER BY day"));
  ASSERT_EQ(answer.Size(), 4u);
  EXPECT_THAT(Series(answer, "n{platform=ios}"),
              ElementsAre(Point{2, Day("2026-10-05")}, Point{3, Day("2026-10-06")}));
  EXPECT_THAT(Series(answer, "users{platform=android}"),
              ElementsAre(Point{1, Day("2026-10-05")}, Point{1, Day("2026-10-06")}));
}

TEST_F(GrafanaApiTest, SqlWithoutTimeColumnIsATable) {
  const rapidjson::Document answer = Query(
      "sql",
      R"({"sql": "SELECT country, count() AS n FROM events GROUP BY country ORDER BY country"})");
  ASSERT_EQ(answer.Size(), 1u);
  EXPECT_STREQ(answer[0]["columns"][1]["type"].GetString(), "number");
  EXPECT_STREQ(answer[0]["rows"][0][0].GetString(), "DE");
  EXPECT_EQ(answer[0]["rows"][2][1].GetInt(), 3);
}

TEST_F(GrafanaApiTest, SqlMacrosExpandToTheRangeBucketAndFilters) {
  const rapidjson::Document answer = Query(
      "sql",
      JsonObject(
          "sql",
          "SELECT $__timeGroup(event_time) AS t, count() AS n FROM events WHERE event_time >= "
          "$__fromTime AND event_time < $__toTime AND $__adhocFilters GROUP BY t ORDER BY t"),
      R"(, "filters": [{"key": "country", "operator": "=", "value": "US"}])");
  EXPECT_THAT(Series(answer, "n"),
              ElementsAre(Point{2, Day("2026-10-05")}, Point{1, Day("2026-10-06")}));
}

TEST_F(GrafanaApiTest, SqlTargetTextRunsAsSqlForSimpleJson) {
  const rapidjson::Document answer = Query("SELECT count() AS n FROM events");
  EXPECT_EQ(answer[0]["rows"][0][0].GetInt(), 7);
}

TEST_F(GrafanaApiTest, OnlySelectRunsThroughGrafana) {
  EXPECT_THAT(
      ErrorOf(Query("sql", R"({"sql": "DELETE FROM events WHERE user_id = 'u1'"})", "", 400)),
      ::testing::HasSubstr("only SELECT statements"));
  EXPECT_THAT(ErrorOf(Query("sql", R"({"sql": "SHOW TABLES"})", "", 400)),
              ::testing::HasSubstr("only SELECT statements"));
  EXPECT_THAT(ErrorOf(Query("sql", R"({"sql": "SELECT 1; SELECT 2"})", "", 400)),
              ::testing::Not(""));
  EXPECT_THAT(ErrorOf(Query("sql", R"({"sql": "SELECT $__bogus"})", "", 400)),
              ::testing::HasSubstr("unknown macro $__bogus"));
  // The table still holds u1's events.
  EXPECT_THAT(Series(Query("dau"), "DAU"),
              ElementsAre(Point{2, Day("2026-10-05")}, Point{3, Day("2026-10-06")}));
}

// ---- /query: ad hoc filters ----

TEST_F(GrafanaApiTest, AdhocFiltersNarrowEveryMetric) {
  const std::string ios = R"(, "filters": [{"key": "platform", "operator": "=", "value": "ios"}])";
  EXPECT_THAT(Series(Query("dau", "{}", ios), "DAU"),
              ElementsAre(Point{1, Day("2026-10-05")}, Point{2, Day("2026-10-06")}));
  // Plugins up to 0.6.3 send adhocFilters.
  const std::string legacy =
      R"(, "adhocFilters": [{"key": "country", "operator": "!=", "value": "US"}])";
  EXPECT_THAT(Series(Query("dau", "{}", legacy), "DAU"),
              ElementsAre(Point{1, Day("2026-10-05")}, Point{2, Day("2026-10-06")}));
  const std::string in =
      R"(, "filters": [{"key": "country", "operator": "=|", "value": "", "values": ["DE", "FR"]}])";
  EXPECT_THAT(Series(Query("sessions", "{}", in), "sessions"),
              ElementsAre(Point{1, Day("2026-10-05")}, Point{2, Day("2026-10-06")}));
  const std::string regex =
      R"(, "filters": [{"key": "app_version", "operator": "=~", "value": "2\\..*"}])";
  EXPECT_THAT(Series(Query("dau", "{}", regex), "DAU"),
              ElementsAre(Point{0, Day("2026-10-05")}, Point{1, Day("2026-10-06")}));
}

TEST_F(GrafanaApiTest, FilterValuesAreLiteralsNeverSql) {
  const std::string injection =
      R"(, "filters": [{"key": "platform", "operator": "=", "value": "ios' OR '1' = '1"}])";
  EXPECT_THAT(Series(Query("dau", "{}", injection), "DAU"),
              ElementsAre(Point{0, Day("2026-10-05")}, Point{0, Day("2026-10-06")}));
  const std::string quote_in_regex =
      R"(, "filters": [{"key": "platform", "operator": "!~", "value": "x'|y\\\\"}])";
  EXPECT_THAT(Series(Query("dau", "{}", quote_in_regex), "DAU"),
              ElementsAre(Point{2, Day("2026-10-05")}, Point{3, Day("2026-10-06")}));
}

TEST_F(GrafanaApiTest, BadFiltersAre400) {
  EXPECT_THAT(
      ErrorOf(Query("dau", "{}",
                    R"(, "filters": [{"key": "1=1; --", "operator": "=", "value": "x"}])", 400)),
      ::testing::HasSubstr("unknown key '1=1; --'"));
  EXPECT_THAT(ErrorOf(Query(
                  "dau", "{}",
                  R"(, "filters": [{"key": "platform", "operator": "LIKE", "value": "x"}])", 400)),
              ::testing::HasSubstr("unknown operator 'LIKE'"));
  EXPECT_THAT(
      ErrorOf(Query("dau", "{}",
                    R"(, "filters": [{"key": "platform", "operator": "=~", "value": "[a-z]+"}])",
                    400)),
      ::testing::HasSubstr("uses '['"));
  EXPECT_THAT(
      ErrorOf(Query("dau", "{}", R"(, "filters": [{"key": "platform", "value": "x"}])", 400)),
      ::testing::HasSubstr("string 'key' and 'operator'"));
}

// ---- /query: request handling ----

TEST_F(GrafanaApiTest, QueryRequestEdgeCases) {
  EXPECT_THAT(ErrorOf(Post("/query", R"({"targets": [{"target": "dau"}]})", 400)),
              ::testing::HasSubstr("range.from and range.to"));
  EXPECT_THAT(
      ErrorOf(
          Post("/query", R"({"range": {"from": "yesterday", "to": "2026-10-07T00:00:00Z"}})", 400)),
      ::testing::HasSubstr("range.from: cannot parse 'yesterday'"));
  EXPECT_THAT(ErrorOf(Query("nope", "{}", "", 400)),
              ::testing::HasSubstr("target A (nope): unknown metric 'nope'"));
  EXPECT_THAT(ErrorOf(Query("dau", "\"junk\"", "", 400)),
              ::testing::HasSubstr("payload must be an object"));
  EXPECT_THAT(ErrorOf(Query("dau", R"({"breakdown": "user_id"})", "", 400)),
              ::testing::HasSubstr("payload.breakdown must be none or one of"));
  // Hidden and empty targets are skipped, as the plugin itself would.
  const rapidjson::Document answer = Post("/query", absl::StrCat("{", kTwoDays, R"(, "targets": [
      {"refId": "A", "target": "dau", "hide": true}, {"refId": "B", "target": ""}, {"refId": "C"},
      {"refId": "D", "target": "mau", "payload": {}}]})"));
  ASSERT_EQ(answer.Size(), 1u);
  EXPECT_STREQ(answer[0]["refId"].GetString(), "D");
  EXPECT_EQ(Post("/query", absl::StrCat("{", kTwoDays, "}")).Size(), 0u);
}

// ---- /variable, /tag-keys, /tag-values, /search, /annotations ----

TEST_F(GrafanaApiTest, VariableValuesUseUnderscoreTextAndValue) {
  rapidjson::Document answer = Post("/variable", R"({"payload": {"target": "platform"},
      "range": {"from": "2026-10-05T00:00:00.000Z", "to": "2026-10-06T00:00:00.000Z",
                "raw": {"from": "now-7d", "to": "now"}}})");
  ASSERT_EQ(answer.Size(), 2u);
  EXPECT_STREQ(answer[0]["__text"].GetString(), "android");
  EXPECT_STREQ(answer[1]["__value"].GetString(), "ios");
  EXPECT_FALSE(answer[0].HasMember("text"));

  answer = Post(
      "/variable",
      absl::StrCat(R"({"payload": )",
                   JsonObject("target",
                              "SELECT DISTINCT app_version AS __value, concat('v', app_version) "
                              "AS __text FROM events ORDER BY __value"),
                   "}"));
  ASSERT_EQ(answer.Size(), 2u);
  EXPECT_STREQ(answer[1]["__text"].GetString(), "v2.0");
  EXPECT_STREQ(answer[1]["__value"].GetString(), "2.0");

  EXPECT_THAT(ErrorOf(Post("/variable", R"({"payload": {"target": "hosts"}})", 400)),
              ::testing::HasSubstr("an events column"));
}

TEST_F(GrafanaApiTest, TagKeysAndValues) {
  rapidjson::Document answer = Post("/tag-keys", "");
  ASSERT_TRUE(answer.IsArray());
  EXPECT_STREQ(answer[1]["text"].GetString(), "platform");
  EXPECT_STREQ(answer[1]["type"].GetString(), "string");

  answer = Post("/tag-values", R"({"key": "country"})");
  ASSERT_EQ(answer.Size(), 3u);
  EXPECT_STREQ(answer[0]["text"].GetString(), "DE");
  // Other ad hoc filters narrow the values; the key's own filter does not.
  answer = Post("/tag-values", R"({"key": "country", "filters": [
      {"key": "platform", "operator": "=", "value": "ios"},
      {"key": "country", "operator": "=", "value": "US"}]})");
  ASSERT_EQ(answer.Size(), 2u);
  EXPECT_STREQ(answer[0]["text"].GetString(), "FR");
  EXPECT_THAT(ErrorOf(Post("/tag-values", R"({"key": "properties"})", 400)),
              ::testing::HasSubstr("unknown key"));
}

TEST_F(GrafanaApiTest, LegacySearchListsMetricsOrValues) {
  rapidjson::Document answer = Post("/search", R"({"target": ""})");
  EXPECT_EQ(answer.Size(), 14u);
  answer = Post("/search", R"({"target": "AU"})");
  std::vector<std::string> names;
  for (const rapidjson::Value& name : answer.GetArray()) names.push_back(name.GetString());
  EXPECT_THAT(names, ElementsAre("dau", "wau", "mau", "dau_mau"));
  answer = Post("/search", R"({"target": "app_version"})");
  ASSERT_EQ(answer.Size(), 2u);
  EXPECT_STREQ(answer[1].GetString(), "2.0");
}

TEST_F(GrafanaApiTest, LegacyAnnotations) {
  rapidjson::Document answer = Post("/annotations", absl::StrCat("{", kTwoDays, R"(,
      "annotation": {"name": "releases", "datasource": "MUA", "enable": true, "query": ""}})"));
  ASSERT_EQ(answer.Size(), 2u);
  EXPECT_EQ(answer[1]["time"].GetInt64(), MillisAt("2026-10-06T11:00:00"));
  EXPECT_STREQ(answer[1]["title"].GetString(), "Release 2.0");
  ASSERT_EQ(answer[1]["tags"].Size(), 2u);
  EXPECT_STREQ(answer[1]["tags"][0].GetString(), "release");
  EXPECT_STREQ(answer[1]["annotation"]["name"].GetString(), "releases");

  answer =
      Post("/annotations",
           absl::StrCat("{", kTwoDays, R"(, "annotation": )",
                        JsonObject("query",
                                   "SELECT event_time AS time, user_id AS title, 'crash' AS tags "
                                   "FROM events WHERE event_type = 'app_crash' AND "
                                   "$__timeFilter(event_time)"),
                        "}"));
  ASSERT_EQ(answer.Size(), 1u);
  EXPECT_EQ(answer[0]["time"].GetInt64(), MillisAt("2026-10-06T11:02:00"));
  EXPECT_STREQ(answer[0]["title"].GetString(), "u3");
  EXPECT_STREQ(answer[0]["tags"][0].GetString(), "crash");

  EXPECT_THAT(ErrorOf(Post("/annotations",
                           absl::StrCat("{", kTwoDays, R"(, "annotation": {"query": "x"}})"), 400)),
              ::testing::HasSubstr("annotation.query"));
}

}  // namespace
}  // namespace mua
