// Deeply nested JSON into every request parser of the Grafana datasource and the REST
// API: a clean 400 (or a per-event reject), never a stack overflow.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest/body_ingestor.h"
#include "rapidjson/document.h"
#include "server/grafana_api.h"
#include "server/internal/json_api.h"
#include "server/internal/rest_request.h"
#include "server/query_runner.h"
#include "server/rest_api.h"
#include "sql/catalog.h"
#include "sql/sql_engine.h"
#include "storage/base/json_limits.h"
#include "storage/table.h"
#include "tests/testutil/status_matchers.h"

namespace mua {
namespace {

using ::testing::HasSubstr;

constexpr size_t kTwoMillion = 2'000'000;

std::string OpenArrays(size_t depth) { return std::string(depth, '['); }
std::string Arrays(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }
std::string Objects(size_t depth, bool close = true) {
  std::string text;
  text.reserve(depth * 6 + 1);
  for (size_t i = 0; i < depth; ++i) text += "{\"a\":";
  text += "1";
  if (close) text.append(depth, '}');
  return text;
}

// Bodies nested 2 M levels deep (or 400 k objects), as a whole or inside an object.
std::vector<std::string> DeepBodies() {
  return {OpenArrays(kTwoMillion),
          Arrays(kTwoMillion),
          Objects(kTwoMillion / 5, /*close=*/false),
          Objects(kTwoMillion / 5),
          absl::StrCat(R"({"targets":[{"target":"dau"}],"annotation":)", Arrays(kTwoMillion), "}"),
          absl::StrCat(R"({"annotation":{"query":"SELECT 1","x":)", OpenArrays(kTwoMillion))};
}

class JsonDepthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    table_ = std::make_unique<Table>(TableOptions{});
    catalog_ = std::make_unique<Catalog>(table_.get());
    engine_ = std::make_unique<SqlEngine>(table_.get(), catalog_.get());
    IngestOptions options;
    options.decoder.retention_days = 0;
    options.decoder.max_payload_bytes = size_t{64} << 20;
    ingestor_ = std::make_unique<BodyIngestor>(table_.get(), options);
  }

  HttpResponse Grafana(const std::string& endpoint, const std::string& body, Role role) {
    HttpRequest request;
    request.method = "POST";
    request.path = absl::StrCat("/grafana", endpoint);
    request.body = body;
    request.headers.emplace_back("Content-Type", "application/json");
    const EngineQueryRunner runner(engine_.get(), Principal{"test", role});
    return HandleGrafana(request, runner);
  }

  HttpResponse Rest(const std::string& method, const std::string& path, const std::string& body,
                    std::vector<std::pair<std::string, std::string>> params = {}) {
    HttpRequest request;
    request.method = method;
    request.path = path;
    request.body = body;
    request.params = std::move(params);
    const EngineQueryRunner runner(engine_.get(), Principal{"test", Role::kAdmin});
    return HandleRest(request, RestContext{&runner, ingestor_.get()});
  }

  std::unique_ptr<Table> table_;
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<SqlEngine> engine_;
  std::unique_ptr<BodyIngestor> ingestor_;
};

TEST_F(JsonDepthTest, ParseUntrustedJsonRefusesDeepBodies) {
  for (const std::string& body : DeepBodies()) {
    rapidjson::Document document;
    const absl::Status status = server_internal::ParseUntrustedJson(body, &document);
    EXPECT_TRUE(IsJsonTooDeep(status)) << status;
    EXPECT_THAT(std::string(status.message()), HasSubstr("JSON nested deeper than 64 levels"));
  }
  rapidjson::Document document;
  ASSERT_OK(server_internal::ParseUntrustedJson(Arrays(kMaxJsonDepth), &document));
}

TEST_F(JsonDepthTest, EveryGrafanaEndpointAnswers400ForDeepBodies) {
  for (const char* endpoint : {"/query", "/annotations", "/search", "/variable", "/metrics",
                               "/metric-payload-options", "/tag-keys", "/tag-values"}) {
    for (const Role role : {Role::kViewer, Role::kAdmin}) {
      for (const std::string& body : DeepBodies()) {
        const HttpResponse response = Grafana(endpoint, body, role);
        EXPECT_EQ(response.status, 400) << endpoint;
        EXPECT_THAT(response.body, HasSubstr("JSON nested deeper than 64 levels")) << endpoint;
      }
    }
  }
}

TEST_F(JsonDepthTest, RestQueryAndParamsAnswer400ForDeepJson) {
  for (const std::string& body : DeepBodies()) {
    const HttpResponse response = Rest("POST", "/api/v1/query", body);
    EXPECT_EQ(response.status, 400);
    EXPECT_THAT(response.body, HasSubstr("JSON nested deeper than 64 levels"));
    const HttpResponse get = Rest("GET", "/api/v1/metrics/daily", "", {{"params", body}});
    EXPECT_EQ(get.status, 400);
    EXPECT_THAT(get.body, HasSubstr("JSON nested deeper than 64 levels"));
  }
}

TEST_F(JsonDepthTest, GatherParamsRefusesDeepParams) {
  HttpRequest request;
  request.params = {{"params", absl::StrCat(R"({"from":)", Arrays(kTwoMillion), "}")}};
  rapidjson::Document document;
  const absl::Status status = server_internal::GatherParams(request, {}, &document);
  EXPECT_THAT(status, test::StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(std::string(status.message()), HasSubstr("nested deeper than 64 levels"));
}

TEST_F(JsonDepthTest, RestEventsKeepTheGoodEventsBesideADeepOne) {
  const std::string good1 =
      R"({"event_id":"e1","user_id":"u1","event_type":"app_open","event_timestamp":"2026-10-05T14:03:07Z"})";
  const std::string good2 =
      R"({"event_id":"e2","user_id":"u1","event_type":"app_open","event_timestamp":"2026-10-05T14:03:08Z"})";
  // As JSON lines: the deep line is rejected alone.
  const HttpResponse lines = Rest(
      "POST", "/api/v1/events", absl::StrCat(good1, "\n", OpenArrays(kTwoMillion), "\n",
                                             Objects(kTwoMillion / 5), "\n", good2, "\n"));
  EXPECT_EQ(lines.status, 200) << lines.body.substr(0, 300);
  EXPECT_THAT(lines.body, HasSubstr(R"("accepted":2)"));
  EXPECT_THAT(lines.body, HasSubstr(R"("rejected":2)"));
  // As an array: an element deeper than the event limit is rejected alone...
  const HttpResponse array = Rest(
      "POST", "/api/v1/events",
      absl::StrCat("[", absl::StrReplaceAll(good1, {{"e1", "e4"}}), ",", Objects(200), ",",
                   R"({"event_id":"e3","user_id":"u1","event_type":"app_open",)",
                   R"("event_timestamp":"2026-10-05T14:03:09Z","properties":)", Objects(100), "}]"));
  EXPECT_EQ(array.status, 200) << array.body.substr(0, 300);
  EXPECT_THAT(array.body, HasSubstr(R"("accepted":1)"));
  EXPECT_THAT(array.body, HasSubstr(R"("rejected":2)"));
  EXPECT_THAT(array.body, HasSubstr("JSON nested deeper than 64 levels"));
  // ...and a body nested millions deep is refused whole, cleanly.
  for (const std::string& body : {OpenArrays(kTwoMillion), Arrays(kTwoMillion),
                                  absl::StrCat("[", good2, ",", Objects(kTwoMillion / 5), "]")}) {
    EXPECT_EQ(Rest("POST", "/api/v1/events", body).status, 400);
  }
}

}  // namespace
}  // namespace mua
