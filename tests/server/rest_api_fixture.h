// The REST API tests' fixture: a hand-made data set loaded through the same
// BodyIngestor as POST /api/v1/events, so every number in the tests is checked by
// hand. All times UTC:
//   e1  u1       s1 app_open  2026-10-05 08:00:00 ios     US 1.0
//   e2  u1       s1 view_item 2026-10-05 08:05:00 ios     US 1.0 {price 19.5}
//   e3  u1       s1 purchase  2026-10-05 08:10:00 ios     US 1.0 {price 19.5}
//   e4  u2       s2 app_open  2026-10-05 09:00:00 android DE 2.0
//   e5  u2       s2 app_crash 2026-10-05 09:01:00 android DE 2.0
//   e6  u1       s3 app_open  2026-10-06 10:00:00 ios     US 1.1
//   e7  u1       s3 purchase  2026-10-06 10:20:00 ios     US 1.1 {price 5}
//   e8  u3       s4 app_open  2026-10-06 11:00:00 android FR 2.0
//   e9  u3       s4 view_item 2026-10-06 11:00:30 android FR 2.0
//   e10 u2       s5 app_open  2026-10-07 12:00:00 android DE 2.0
//   e11 o'brien\ s6 app_open  2026-10-07 13:00:00 web     US 1.0
// Sessions: s1 600 s, s2 60 s (crashed), s3 1200 s, s4 30 s, s5 0 s, s6 0 s.
// DAU: 10-05 {u1,u2}, 10-06 {u1,u3}, 10-07 {u2,o'brien\}.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest/body_ingestor.h"
#include "ingest/pii.h"
#include "ingest/rejected_event_log.h"
#include "rapidjson/document.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"
#include "server/ingest_tables.h"
#include "server/query_runner.h"
#include "server/rest_api.h"
#include "sql/catalog.h"
#include "sql/sql_engine.h"
#include "storage/table.h"
#include "tests/testutil/status_matchers.h"

namespace mua::rest_test {

inline constexpr char kEvents[] = R"(
{"event_id":"e1","user_id":"u1","session_id":"s1","event_type":"app_open","event_timestamp":"2026-10-05T08:00:00Z","platform":"ios","country":"US","app_version":"1.0"}
{"event_id":"e2","user_id":"u1","session_id":"s1","event_type":"view_item","event_timestamp":"2026-10-05T08:05:00Z","platform":"ios","country":"US","app_version":"1.0","properties":{"item":"sku1","price":19.5}}
{"event_id":"e3","user_id":"u1","session_id":"s1","event_type":"purchase","event_timestamp":"2026-10-05T08:10:00Z","platform":"ios","country":"US","app_version":"1.0","properties":{"item":"sku1","price":19.5}}
{"event_id":"e4","user":{"user_id":"u2"},"session":{"session_id":"s2"},"event_type":"app_open","event_timestamp":"2026-10-05T09:00:00Z","device":{"platform":"android"},"geo":{"country":"DE"},"context":{"app_version":"2.0"}}
{"event_id":"e5","user_id":"u2","session_id":"s2","event_type":"app_crash","event_timestamp":"2026-10-05T09:01:00Z","platform":"android","country":"DE","app_version":"2.0"}
{"event_id":"e6","user_id":"u1","session_id":"s3","event_type":"app_open","event_timestamp":"2026-10-06T10:00:00Z","platform":"ios","country":"US","app_version":"1.1"}
{"event_id":"e7","user_id":"u1","session_id":"s3","event_type":"purchase","event_timestamp":"2026-10-06T10:20:00Z","platform":"ios","country":"US","app_version":"1.1","properties":{"price":5}}
{"event_id":"e8","user_id":"u3","session_id":"s4","event_type":"app_open","event_timestamp":"2026-10-06T11:00:00Z","platform":"android","country":"FR","app_version":"2.0"}
{"event_id":"e9","user_id":"u3","session_id":"s4","event_type":"view_item","event_timestamp":"2026-10-06T11:00:30Z","platform":"android","country":"FR","app_version":"2.0"}
{"event_id":"e10","user_id":"u2","session_id":"s5","event_type":"app_open","event_timestamp":"2026-10-07T12:00:00Z","platform":"android","country":"DE","app_version":"2.0"}
{"event_id":"e11","user_id":"o'brien\\","session_id":"s6","event_type":"app_open","event_timestamp":"2026-10-07T13:00:00Z","platform":"web","country":"US","app_version":"1.0"}
)";

// {"sql": sql[, "format": format]} with the strings escaped by RapidJSON.
inline std::string QueryBody(const std::string& sql, const std::string& format = "") {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("sql");
  writer.String(sql.c_str());
  if (!format.empty()) {
    writer.Key("format");
    writer.String(format.c_str());
  }
  writer.EndObject();
  return buffer.GetString();
}

inline std::optional<std::string> HeaderOf(const HttpResponse& response, const std::string& name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return std::nullopt;
}

class RestApiTest : public ::testing::Test {
 protected:
  using Params = std::vector<std::pair<std::string, std::string>>;

  void SetUp() override {
    table_ = std::make_unique<Table>(TableOptions{});
    catalog_ = std::make_unique<Catalog>(table_.get());
    RegisterIngestTables(catalog_.get(), &rejected_log_, nullptr);
    engine_ = std::make_unique<SqlEngine>(table_.get(), catalog_.get());
    IngestOptions options;
    options.decoder.retention_days = 0;
    options.now = absl::FromUnixSeconds(1792454400);  // 2026-10-20T00:00:00Z
    options.rejected_log = &rejected_log_;
    ingestor_ = std::make_unique<BodyIngestor>(table_.get(), options);
    ASSERT_OK_AND_ASSIGN(BodyIngestStats stats,
                         ingestor_->Ingest(kEvents, BodyFormat::kEventLines, "fixture"));
    ASSERT_EQ(stats.accepted, 11);
  }

  HttpResponse Send(const std::string& method, const std::string& path, Params params = {},
                    const std::string& body = "", Params headers = {}) {
    HttpRequest request;
    request.method = method;
    request.path = path;
    request.params = std::move(params);
    request.body = body;
    request.headers = std::move(headers);
    const EngineQueryRunner runner(engine_.get(), Principal{"test", Role::kAnalyst});
    return HandleRest(request, RestContext{&runner, ingestor_.get()});
  }

  // Parses a JSON response, expecting `status`.
  static rapidjson::Document Json(const HttpResponse& response, int status) {
    EXPECT_EQ(response.status, status) << response.body;
    EXPECT_EQ(response.content_type, "application/json");
    rapidjson::Document document;
    document.Parse(response.body.c_str());
    EXPECT_FALSE(document.HasParseError()) << response.body;
    return document;
  }

  rapidjson::Document Get(const std::string& path, Params params = {}, int status = 200) {
    return Json(Send("GET", path, std::move(params)), status);
  }

  rapidjson::Document Query(const std::string& body, int status = 200) {
    return Json(Send("POST", "/api/v1/query", {}, body, {{"Content-Type", "application/json"}}),
                status);
  }

  rapidjson::Document PostEvents(const std::string& body, int status = 200,
                                 const std::string& content_type = "application/x-ndjson") {
    return Json(Send("POST", "/api/v1/events", {}, body, {{"Content-Type", content_type}}), status);
  }

  // The "error" of an error response (and only an error response).
  static std::string ErrorOf(const rapidjson::Document& answer) {
    EXPECT_TRUE(answer.IsObject() && answer.HasMember("error")) << "no error";
    if (!answer.IsObject() || !answer.HasMember("error")) return "";
    return std::string(answer["error"].GetString(), answer["error"].GetStringLength());
  }

  int64_t CountOf(const std::string& sql) {
    const rapidjson::Document answer = Query(QueryBody(sql));
    return answer["data"][0]["n"].GetInt64();
  }

  RejectedEventLog rejected_log_;
  std::unique_ptr<Table> table_;
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<SqlEngine> engine_;
  std::unique_ptr<BodyIngestor> ingestor_;
};

inline std::vector<std::string> Strings(const rapidjson::Value& array) {
  std::vector<std::string> strings;
  for (const rapidjson::Value& value : array.GetArray()) strings.emplace_back(value.GetString());
  return strings;
}

}  // namespace mua::rest_test
