// The experiment API tests' fixture (REST /api/v1/experiments, Grafana metric `experiment`):
// events loaded through the BodyIngestor as POST /api/v1/events loads them, all UTC:
//   checkout_v2: users c000..c149 (control) and t000..t149 (treatment), user i exposed by an
//     app_open carrying "ab_test_variants" on 2026-10-0(5 + i % 3) at 08:00 + i / 3 minutes
//     (platform ios for even i, android for odd), and a purchase one hour later
//     ({"price": 10} in control, 12 in treatment) when i % 5 == 0 (control: 30 buyers) or
//     i % 5 < 2 (treatment: 60 buyers). Day 1: 50 users per variant, day 2: 100, day 3: 150.
//     User x1 (ios) sees control on 10-05 and treatment on 10-06: excluded.
//   exposed_only: e1 (control) and e2 (treatment) from experiment_exposure events.
//   a'b/c\ (a name to escape everywhere): q1 control, q2 treatment.
//   late_ab: l1 treatment on 10-05 12:00, l2 control on 10-06 12:00 (the control comes late).
// The REST answers are compared with the SQL answers of the same experiment() call.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "ingest/body_ingestor.h"
#include "rapidjson/document.h"
#include "server/grafana_api.h"
#include "server/query_runner.h"
#include "server/rest_api.h"
#include "sql/catalog.h"
#include "sql/sql_engine.h"
#include "storage/table.h"
#include "tests/testutil/status_matchers.h"

namespace mua::experiment_test {

inline constexpr int kUsersPerVariant = 150;
inline constexpr char kQuotedName[] = "a'b/c\\";

// One event as a JSON line; `extra` is appended inside the object (",\"k\":v...").
inline std::string EventLine(const std::string& id, const std::string& user,
                             const std::string& type, absl::Time time, const std::string& extra) {
  return absl::StrCat(R"({"event_id":")", id, R"(","user_id":")", user, R"(","event_type":")", type,
                      R"(","event_timestamp":")",
                      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", time, absl::UTCTimeZone()), "\"",
                      extra, "}\n");
}

inline std::string ExperimentEvents() {
  const absl::Time start = absl::FromUnixSeconds(1791158400);  // 2026-10-05T00:00:00Z
  std::string lines;
  for (const char* variant : {"control", "treatment"}) {
    const bool control = variant[0] == 'c';
    for (int i = 0; i < kUsersPerVariant; ++i) {
      const std::string user = absl::StrFormat("%c%03d", variant[0], i);
      const std::string extra =
          absl::StrCat(R"(,"platform":")", i % 2 == 0 ? "ios" : "android",
                       R"(","ab_test_variants":{"checkout_v2":")", variant, "\"}");
      const absl::Time exposure = start + absl::Hours(24 * (i % 3) + 8) + absl::Minutes(i / 3);
      lines += EventLine(user + "-1", user, "app_open", exposure, extra);
      if (control ? i % 5 == 0 : i % 5 < 2) {
        lines +=
            EventLine(user + "-2", user, "purchase", exposure + absl::Hours(1),
                      absl::StrCat(extra, R"(,"properties":{"price":)", control ? 10 : 12, "}"));
      }
    }
  }
  lines += EventLine("x1-1", "x1", "app_open", start + absl::Hours(9),
                     R"(,"platform":"ios","ab_test_variants":{"checkout_v2":"control"})");
  lines += EventLine("x1-2", "x1", "app_open", start + absl::Hours(33),
                     R"(,"platform":"ios","ab_test_variants":{"checkout_v2":"treatment"})");
  for (const auto& [user, variant] :
       {std::pair<const char*, const char*>{"e1", "control"}, {"e2", "treatment"}}) {
    lines += EventLine(
        absl::StrCat(user, "-1"), user, "experiment_exposure", start + absl::Hours(10),
        absl::StrCat(R"(,"properties":{"experiment":"exposed_only","variant":")", variant, "\"}"));
  }
  for (const auto& [user, variant] :
       {std::pair<const char*, const char*>{"q1", "control"}, {"q2", "treatment"}}) {
    lines += EventLine(absl::StrCat(user, "-1"), user, "app_open", start + absl::Hours(11),
                       absl::StrCat(R"(,"ab_test_variants":{"a'b/c\\":")", variant, "\"}"));
  }
  lines += EventLine("l1-1", "l1", "app_open", start + absl::Hours(12),
                     R"(,"ab_test_variants":{"late_ab":"treatment"})");
  lines += EventLine("l2-1", "l2", "app_open", start + absl::Hours(36),
                     R"(,"ab_test_variants":{"late_ab":"control"})");
  return lines;
}

class ExperimentApiTest : public ::testing::Test {
 public:  // the helpers serve free functions of the tests too
  using Params = std::vector<std::pair<std::string, std::string>>;

  static void SetUpTestSuite() {
    table_ = new Table(TableOptions{});
    catalog_ = new Catalog(table_);
    engine_ = new SqlEngine(table_, catalog_);
    IngestOptions options;
    options.decoder.retention_days = 0;
    options.now = absl::FromUnixSeconds(1792454400);  // 2026-10-20T00:00:00Z
    BodyIngestor ingestor(table_, options);
    absl::StatusOr<BodyIngestStats> stats =
        ingestor.Ingest(ExperimentEvents(), BodyFormat::kEventLines, "fixture");
    ASSERT_OK(stats.status());
    ASSERT_EQ(stats->rejected, 0);
  }
  static void TearDownTestSuite() {
    delete engine_;
    delete catalog_;
    delete table_;
  }

  // GET `path` of the REST API as a principal of `role`.
  static HttpResponse Rest(const std::string& path, Params params = {}, Role role = Role::kViewer) {
    HttpRequest request;
    request.method = "GET";
    request.path = path;
    request.params = std::move(params);
    const EngineQueryRunner runner(engine_, Principal{"test", role});
    return HandleRest(request, RestContext{&runner, nullptr});
  }

  // POSTs `body` to /grafana<endpoint> as a principal of `role`.
  static HttpResponse Grafana(const std::string& endpoint, const std::string& body,
                              Role role = Role::kViewer) {
    HttpRequest request;
    request.method = "POST";
    request.path = absl::StrCat("/grafana", endpoint);
    request.body = body;
    request.headers.emplace_back("Content-Type", "application/json");
    const EngineQueryRunner runner(engine_, Principal{"test", role});
    return HandleGrafana(request, runner);
  }

  // The rows of `sql`, run straight on the engine.
  static ResultSet Sql(const std::string& sql) {
    const EngineQueryRunner runner(engine_, Principal{"test", Role::kAnalyst});
    absl::StatusOr<StatementOutput> output = runner.Run(sql, SqlOrigin::kUser);
    EXPECT_TRUE(output.ok()) << output.status() << "\n" << sql;
    return output.ok() ? std::move(output->result) : ResultSet();
  }

  static rapidjson::Document Json(const HttpResponse& response, int status) {
    EXPECT_EQ(response.status, status) << response.body;
    EXPECT_EQ(response.content_type, "application/json");
    rapidjson::Document document;
    document.Parse(response.body.c_str());
    EXPECT_FALSE(document.HasParseError()) << response.body;
    return document;
  }

  static std::string ErrorOf(const rapidjson::Document& answer) {
    EXPECT_TRUE(answer.IsObject() && answer.HasMember("error")) << "no error";
    if (!answer.IsObject() || !answer.HasMember("error")) return "";
    return answer["error"].GetString();
  }

  static Table* table_;
  static Catalog* catalog_;
  static SqlEngine* engine_;
};

inline Table* ExperimentApiTest::table_ = nullptr;
inline Catalog* ExperimentApiTest::catalog_ = nullptr;
inline SqlEngine* ExperimentApiTest::engine_ = nullptr;

}  // namespace mua::experiment_test
