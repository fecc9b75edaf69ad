// The REST query and events endpoints, routing and roles, end to end through HandleRest
// on the fixture of rest_api_fixture.h.
#include "tests/server/rest_api_fixture.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mua::rest_test {
namespace {

using ::testing::HasSubstr;

TEST_F(RestApiTest, QueryAnswersJsonWithMetaDataRowsStatistics) {
  const rapidjson::Document answer = Query(QueryBody(
      "SELECT toDate(event_time) AS day, count() AS events, uniqExact(user_id) AS users, "
      "min(event_time) AS first_at, 1.5 AS x FROM events GROUP BY day ORDER BY day LIMIT 2"));
  const rapidjson::Value& meta = answer["meta"];
  ASSERT_EQ(meta.Size(), 5u);
  EXPECT_STREQ(meta[0]["name"].GetString(), "day");
  EXPECT_STREQ(meta[0]["type"].GetString(), "Date");
  EXPECT_STREQ(meta[1]["type"].GetString(), "UInt64");
  EXPECT_STREQ(meta[3]["type"].GetString(), "DateTime64(3)");
  const rapidjson::Value& data = answer["data"];
  ASSERT_EQ(data.Size(), 2u);
  EXPECT_STREQ(data[0]["day"].GetString(), "2026-10-05");
  EXPECT_EQ(data[0]["events"].GetUint64(), 5u);  // a number, not a quoted string
  EXPECT_EQ(data[0]["users"].GetUint64(), 2u);
  EXPECT_STREQ(data[0]["first_at"].GetString(), "2026-10-05 08:00:00.000");
  EXPECT_EQ(data[0]["x"].GetDouble(), 1.5);
  EXPECT_STREQ(data[1]["day"].GetString(), "2026-10-06");
  EXPECT_EQ(answer["rows"].GetInt(), 2);
  EXPECT_TRUE(answer["statistics"]["elapsed"].IsNumber());
  EXPECT_TRUE(answer["statistics"]["rows_read"].IsUint64());
}

TEST_F(RestApiTest, QueryAnswersValidUtf8EvenForInvalidStoredStrings) {
  // The decoder stores strings as sent; JSON out must stay valid UTF-8.
  const rapidjson::Document posted = PostEvents(
      "{\"event_id\":\"bad1\",\"user_id\":\"u\xff\xc3(\xe2\x82\xac\",\"event_type\":"
      "\"app_open\",\"event_timestamp\":\"2026-10-08T10:00:00Z\"}\n");
  ASSERT_EQ(posted["accepted"].GetInt(), 1);
  const HttpResponse response = Send(
      "POST", "/api/v1/query", {}, QueryBody("SELECT user_id FROM events WHERE event_id = 'bad1'"));
  rapidjson::Document answer;
  answer.Parse<rapidjson::kParseValidateEncodingFlag>(response.body.c_str());
  ASSERT_FALSE(answer.HasParseError()) << response.body;
  // 0xFF and the truncated 0xC3 each become U+FFFD; the euro sign stays.
  EXPECT_STREQ(answer["data"][0]["user_id"].GetString(), "u\xEF\xBF\xBD\xEF\xBF\xBD(\xE2\x82\xAC");
}

TEST_F(RestApiTest, QueryRunsEveryReadOnlyStatement) {
  for (const char* sql : {"WITH 2 AS two SELECT two", "EXPLAIN SELECT count() FROM events",
                          "SHOW TABLES", "DESCRIBE events", "SELECT 1;"}) {
    const rapidjson::Document answer = Query(QueryBody(sql));
    EXPECT_GT(answer["rows"].GetInt(), 0) << sql;
  }
}

TEST_F(RestApiTest, QueryFormatsTextOnRequest) {
  HttpResponse response = Send("POST", "/api/v1/query", {},
                               QueryBody("SELECT event_type, count() AS n FROM events GROUP BY "
                                         "event_type ORDER BY event_type",
                                         "CSVWithNames"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type, "text/csv; charset=UTF-8; header=present");
  EXPECT_EQ(response.body,
            "\"event_type\",\"n\"\n\"app_crash\",1\n\"app_open\",6\n\"purchase\",2\n"
            "\"view_item\",2\n");
  // The statement's FORMAT clause wins over the body's format.
  response = Send("POST", "/api/v1/query", {}, QueryBody("SELECT 1 AS a FORMAT TSV", "CSV"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "1\n");
  response = Send("POST", "/api/v1/query", {}, QueryBody("SELECT 1 AS a", "JSONEachRow"));
  EXPECT_EQ(response.body, "{\"a\":1}\n");
}

TEST_F(RestApiTest, QueryErrorsCarryThePosition) {
  rapidjson::Document answer = Query(QueryBody("SELECT usr_id FROM events"), 404);
  EXPECT_THAT(ErrorOf(answer), HasSubstr("line 1, column 8: "));
  EXPECT_EQ(answer["line"].GetInt(), 1);
  EXPECT_EQ(answer["column"].GetInt(), 8);
  answer = Query(QueryBody("SELECT 1\nFROM events WHERE )"), 400);
  EXPECT_EQ(answer["line"].GetInt(), 2);
  EXPECT_EQ(answer["column"].GetInt(), 19);
  answer = Query(QueryBody("SELECT 1", "XML"), 400);
  EXPECT_EQ(ErrorOf(answer), "Unknown format XML");
  EXPECT_FALSE(answer.HasMember("line"));
}

TEST_F(RestApiTest, QueryRefusesStatementsThatChangeData) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"INSERT INTO events FORMAT JSONEachRow {}", "INSERT adds data: send events to POST"},
      {"DELETE FROM events WHERE user_id = 'u1'", "DELETE removes data"},
      {"ALTER TABLE events DELETE WHERE 1", "DELETE removes data"},
      {"SYSTEM STOP INGEST", "SYSTEM commands run through the SQL endpoint"},
  };
  for (const auto& [sql, why] : cases) {
    const std::string error = ErrorOf(Query(QueryBody(sql), 400));
    EXPECT_THAT(error, HasSubstr("runs read-only statements only")) << sql;
    EXPECT_THAT(error, HasSubstr(why)) << sql;
  }
  EXPECT_EQ(CountOf("SELECT count() AS n FROM events WHERE user_id = 'u1'"), 5);  // still there
  // A second statement is a syntax error, never run.
  EXPECT_EQ(Query(QueryBody("SELECT 1; DELETE FROM events WHERE 1"), 400)["line"].GetInt(), 1);
  EXPECT_EQ(CountOf("SELECT count() AS n FROM events"), 11);
}

TEST_F(RestApiTest, QueryRejectsBadBodies) {
  EXPECT_THAT(ErrorOf(Query("{\"sql\": ", 400)), HasSubstr("the body is not valid JSON"));
  EXPECT_THAT(ErrorOf(Query("[\"SELECT 1\"]", 400)), HasSubstr("must be a JSON object"));
  EXPECT_THAT(ErrorOf(Query("{}", 400)), HasSubstr("the body needs \"sql\""));
  EXPECT_THAT(ErrorOf(Query("{\"sql\": 1}", 400)), HasSubstr("the body needs \"sql\""));
  EXPECT_THAT(ErrorOf(Query("{\"sql\": \"SELECT 1\", \"fmt\": \"CSV\"}", 400)),
              HasSubstr("unknown parameter 'fmt'; known: sql, format"));
  EXPECT_THAT(ErrorOf(Query("{\"sql\": \"SELECT 1\", \"format\": [\"CSV\"]}", 400)),
              HasSubstr("format must be a string"));
  const HttpResponse response =
      Send("POST", "/api/v1/query", {}, "SELECT 1", {{"Content-Type", "text/plain"}});
  EXPECT_EQ(response.status, 415);
  EXPECT_THAT(response.body, HasSubstr("Content-Type text/plain"));
}

// ---- POST /api/v1/events ----

TEST_F(RestApiTest, EventsAcceptGoodCountDuplicatesAndRejectBadLines) {
  const std::string body =
      R"({"event_id":"n1","user_id":"u9","event_type":"app_open","event_timestamp":"2026-10-08T10:00:00Z"}
{"event_id":"n1","user_id":"u9","event_type":"app_open","event_timestamp":"2026-10-08T10:00:00Z"}
{"event_id":"n2","event_type":"app_open","event_timestamp":"2026-10-08T10:00:00Z"}
not json

{"event_id":"n3","user":{"user_id":"u9"},"event_type":"purchase","event_timestamp":1791453600000,"properties":{"price":3}}
{"event_id":"e1","user_id":"u1","session_id":"s1","event_type":"app_open","event_timestamp":"2026-10-05T08:00:00Z"}
)";
  const rapidjson::Document answer = PostEvents(body);
  EXPECT_EQ(answer["received"].GetInt(), 6);    // the blank line is no event
  EXPECT_EQ(answer["accepted"].GetInt(), 2);    // n1, n3
  EXPECT_EQ(answer["duplicates"].GetInt(), 2);  // n1 again; e1 from the fixture's earlier body
  EXPECT_EQ(answer["rejected"].GetInt(), 2);
  const rapidjson::Value& errors = answer["errors"];
  ASSERT_EQ(errors.Size(), 2u);
  EXPECT_EQ(errors[0]["line"].GetInt(), 3);
  EXPECT_STREQ(errors[0]["reason"].GetString(), "missing_user_id");
  EXPECT_EQ(errors[1]["line"].GetInt(), 4);
  EXPECT_STREQ(errors[1]["reason"].GetString(), "malformed_json");
  EXPECT_TRUE(errors[1]["message"].IsString());
  EXPECT_EQ(CountOf("SELECT count() AS n FROM events WHERE user_id = 'u9'"), 2);
  EXPECT_EQ(CountOf("SELECT count() AS n FROM events_rejected"), 2);
  EXPECT_EQ(CountOf("SELECT count() AS n FROM events_rejected WHERE reason = 'missing_user_id' "
                    "AND source = 'http:3'"),
            1);
}

TEST_F(RestApiTest, EventsAcceptAJsonArray) {
  const std::string body =
      R"(  [{"event_id":"a1","user_id":"u8","event_type":"app_open","event_timestamp":"2026-10-08T10:00:00Z"},
            {"event_id":"a1","user_id":"u8","event_type":"app_open","event_timestamp":"2026-10-08T10:00:00Z"},
            {"event_id":"a2","user_id":"u8","event_type":"app_open","event_timestamp":"2099-01-01T00:00:00Z"},
            42])";
  const rapidjson::Document answer = PostEvents(body, 200, "application/json");
  EXPECT_EQ(answer["received"].GetInt(), 4);
  EXPECT_EQ(answer["accepted"].GetInt(), 1);
  EXPECT_EQ(answer["duplicates"].GetInt(), 1);
  EXPECT_EQ(answer["rejected"].GetInt(), 2);
  ASSERT_EQ(answer["errors"].Size(), 2u);
  EXPECT_EQ(answer["errors"][0]["line"].GetInt(), 3);  // array element numbers, from 1
  EXPECT_STREQ(answer["errors"][0]["reason"].GetString(), "timestamp_in_future");
  EXPECT_STREQ(answer["errors"][1]["reason"].GetString(), "not_an_object");
  EXPECT_EQ(CountOf("SELECT count() AS n FROM events WHERE user_id = 'u8'"), 1);
  EXPECT_EQ(CountOf("SELECT count() AS n FROM events_rejected"), 2);
}

TEST_F(RestApiTest, EventsBodyThatIsUnusableAsAWholeIs400AndStoresNothing) {
  const std::string good =
      R"({"event_id":"b1","user_id":"u7","event_type":"app_open","event_timestamp":"2026-10-08T10:00:00Z"})";
  EXPECT_THAT(ErrorOf(PostEvents(absl::StrCat("[", good, ", {"), 400, "application/json")),
              HasSubstr("is not a JSON array of events"));
  EXPECT_THAT(ErrorOf(PostEvents(absl::StrCat("[", good, "] [", good, "]"), 400)),
              HasSubstr("root must not be followed by other values"));
  EXPECT_THAT(ErrorOf(PostEvents(std::string(100'000, '[') + std::string(100'000, ']'), 400)),
              HasSubstr("nested deeper than 1000 levels"));
  EXPECT_THAT(ErrorOf(PostEvents(" \n ", 400)), HasSubstr("the body is empty"));
  EXPECT_EQ(CountOf("SELECT count() AS n FROM events WHERE user_id = 'u7'"), 0);
  EXPECT_EQ(CountOf("SELECT count() AS n FROM events_rejected"), 0);
  const HttpResponse response =
      Send("POST", "/api/v1/events", {}, good, {{"Content-Type", "text/csv"}});
  EXPECT_EQ(response.status, 415);
}

TEST_F(RestApiTest, EventsWithoutIngestorAre503) {
  HttpRequest request;
  request.method = "POST";
  request.path = "/api/v1/events";
  request.body = "{}";
  const EngineQueryRunner runner(engine_.get(), Principal{"test", Role::kAnalyst});
  const HttpResponse response = HandleRest(request, RestContext{&runner, nullptr});
  EXPECT_EQ(response.status, 503);
  EXPECT_EQ(ErrorOf(Json(response, 503)), "HTTP ingest is not available in this server");
}

// ---- Routing ----

TEST_F(RestApiTest, UnknownPathsAre404AndWrongMethods405WithAllow) {
  EXPECT_THAT(ErrorOf(Get("/api/v1/nope", {}, 404)),
              HasSubstr("no REST endpoint /api/v1/nope; there are GET "
                        "/api/v1/users/{user_id}/summary, GET /api/v1/metrics/daily"));
  EXPECT_EQ(Send("GET", "/api/v1/").status, 404);
  EXPECT_EQ(Send("GET", "/api/v2/query").status, 404);

  HttpResponse response = Send("GET", "/api/v1/query");
  EXPECT_EQ(ErrorOf(Json(response, 405)), "method GET is not allowed on /api/v1/query; use POST");
  EXPECT_EQ(HeaderOf(response, "Allow"), "POST, OPTIONS");
  response = Send("POST", "/api/v1/metrics/daily");
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(HeaderOf(response, "Allow"), "GET, OPTIONS");
  EXPECT_EQ(Send("DELETE", "/api/v1/users/u1/summary").status, 405);

  response = Send("OPTIONS", "/api/v1/events");
  EXPECT_EQ(response.status, 204);
  EXPECT_EQ(HeaderOf(response, "Allow"), "POST, OPTIONS");
}

TEST_F(RestApiTest, RequiredRoleMatchesPathsLikeTheRouter) {
  auto role = [](const std::string& method, const std::string& path) {
    HttpRequest request;
    request.method = method;
    request.path = path;
    return RestRequiredRole(request);
  };
  EXPECT_EQ(role("POST", "/api/v1/events"), Role::kAdmin);
  EXPECT_EQ(role("POST", "/api/v1/events/"), Role::kAdmin);
  EXPECT_EQ(role("POST", "/api/v1/query"), Role::kAnalyst);
  EXPECT_EQ(role("POST", "/api/v1/query/"), Role::kAnalyst);
  EXPECT_EQ(role("GET", "/api/v1/query"), Role::kViewer);  // a 405
  EXPECT_EQ(role("GET", "/api/v1/metrics/daily"), Role::kViewer);
  EXPECT_EQ(role("GET", "/api/v1/users/u1/summary"), Role::kViewer);
  EXPECT_EQ(role("POST", "/api/v1/nope"), Role::kViewer);  // a 404
}

}  // namespace
}  // namespace mua::rest_test
