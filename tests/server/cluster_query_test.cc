// A shard's side of a distributed query (server/cluster_query.h): the cluster secret
// vouches for a coordinator's caller, only for a shard's part of a SELECT, and the part
// answers as the encoded bytes the coordinator merges.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "ingest/body_ingestor.h"
#include "query/distributed.h"
#include "server/audit_log.h"
#include "server/auth.h"
#include "server/cluster_query.h"
#include "server/http_types.h"
#include "server/service.h"
#include "sql/catalog.h"
#include "sql/sql_engine.h"
#include "storage/table.h"
#include "tests/testutil/status_matchers.h"

namespace mua {
namespace {

constexpr char kSecret[] = "0123456789abcdef-cluster";
constexpr char kEvents[] = R"(
{"event_id":"e1","user_id":"u1","session_id":"s1","event_type":"app_open","event_timestamp":"2026-10-05T10:00:00Z","platform":"ios"}
{"event_id":"e2","user_id":"u2","session_id":"s2","event_type":"purchase","event_timestamp":"2026-10-05T11:00:00Z","platform":"android"}
)";

class ShardRequestTest : public ::testing::Test {
 protected:
  void SetUp() override { Build(kSecret); }

  void Build(const std::string& secret) {
    service_.reset();
    table_ = std::make_unique<Table>(TableOptions{});
    catalog_ = std::make_unique<Catalog>(table_.get());
    engine_ = std::make_unique<SqlEngine>(table_.get(), catalog_.get());
    IngestOptions ingest;
    ingest.decoder.retention_days = 0;
    ingestor_ = std::make_unique<BodyIngestor>(table_.get(), ingest);
    ASSERT_OK(ingestor_->Ingest(kEvents, BodyFormat::kEventLines, "fixture").status());
    ASSERT_OK_AND_ASSIGN(audit_, AuditLog::Open({.max_records = 100, .max_memory_bytes = 1 << 20}));
    ASSERT_OK_AND_ASSIGN(tokens_, TokenStore::Parse("analyst-token analyst ann\n"));
    ServiceOptions options;
    options.cluster_secret = secret;
    service_ = std::make_unique<Service>(ServiceParts{.table = table_.get(),
                                                      .catalog = catalog_.get(),
                                                      .engine = engine_.get(),
                                                      .ingestor = ingestor_.get(),
                                                      .audit = audit_.get(),
                                                      .tokens = &tokens_},
                                         options);
  }

  HttpResponse Post(const std::string& sql, std::vector<std::pair<std::string, std::string>> params,
                    std::vector<std::pair<std::string, std::string>> headers) {
    HttpRequest request;
    request.method = "POST";
    request.path = "/";
    request.params = std::move(params);
    request.headers = std::move(headers);
    request.headers.emplace_back("Host", "127.0.0.1:8123");
    request.body = sql;
    return service_->Handle(request);
  }
  static std::vector<std::pair<std::string, std::string>> Coordinator(const std::string& secret,
                                                                      const std::string& role = "analyst") {
    return {{std::string(kClusterSecretHeader), secret},
            {std::string(kClusterPrincipalHeader), "ann"},
            {std::string(kClusterRoleHeader), role}};
  }

  std::unique_ptr<Table> table_;
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<SqlEngine> engine_;
  std::unique_ptr<BodyIngestor> ingestor_;
  std::unique_ptr<AuditLog> audit_;
  TokenStore tokens_;
  std::unique_ptr<Service> service_;
};

TEST_F(ShardRequestTest, TheSecretRunsAShardPartAsTheCoordinatorsCaller) {
  const HttpResponse part = Post("SELECT platform, count() FROM events GROUP BY platform",
                                 {{"cluster_stage", "partial_aggregate"}}, Coordinator(kSecret));
  EXPECT_EQ(part.status, 200) << part.body;
  EXPECT_EQ(part.content_type, "application/x-mua-partial");
  EXPECT_TRUE(absl::StartsWith(part.body, "MUAP")) << part.body;
  const HttpResponse rows = Post("SELECT user_id FROM events ORDER BY user_id", {{"cluster_stage", "collect"}},
                                 Coordinator(kSecret));
  EXPECT_EQ(rows.status, 200) << rows.body;
}

TEST_F(ShardRequestTest, AWrongOrMissingSecretIsRefused) {
  EXPECT_EQ(Post("SELECT count() FROM events", {{"cluster_stage", "partial_aggregate"}}, Coordinator("wrong")).status,
            401);
  EXPECT_EQ(Post("SELECT count() FROM events", {{"cluster_stage", "partial_aggregate"}},
                 Coordinator(std::string(kSecret) + "x"))
                .status,
            401);
  // Without the header the caller needs a token of their own.
  EXPECT_EQ(Post("SELECT count() FROM events", {{"cluster_stage", "partial_aggregate"}}, {}).status, 401);
  // A server without --cluster_secret accepts no secret at all.
  Build("");
  EXPECT_EQ(Post("SELECT count() FROM events", {{"cluster_stage", "partial_aggregate"}}, Coordinator("")).status, 401);
}

TEST_F(ShardRequestTest, TheSecretRunsNothingButAShardsPartOfASelect) {
  // No stage: it is not a shard's part.
  EXPECT_EQ(Post("SELECT count() FROM events", {}, Coordinator(kSecret)).status, 403);
  EXPECT_EQ(Post("SELECT count() FROM events", {{"cluster_stage", "everything"}}, Coordinator(kSecret)).status, 403);
  // A write, even as an admin.
  const HttpResponse insert = Post("INSERT INTO events FORMAT JSONEachRow {}", {{"cluster_stage", "collect"}},
                                   Coordinator(kSecret, "admin"));
  EXPECT_EQ(insert.status, 400) << insert.body;
  EXPECT_EQ(table_->Snapshot().row_count(), 2u);
  // An unknown role.
  EXPECT_EQ(Post("SELECT 1", {{"cluster_stage", "collect"}}, Coordinator(kSecret, "root")).status, 401);
}

TEST_F(ShardRequestTest, GlobalInputsThatDoNotFitTheStatementAreErrors) {
  const HttpResponse junk = Post("junk", {{"cluster_stage", "collect"}, {"cluster_inputs", "1"}}, Coordinator(kSecret));
  EXPECT_EQ(junk.status, 400) << junk.body;
  const HttpResponse wrong_path =
      Post(EncodeShardRequest("SELECT count() FROM events WHERE platform IN (SELECT platform FROM events)",
                                     std::string("\x02p9\x00", 4)),
           {{"cluster_stage", "partial_aggregate"}, {"cluster_inputs", "1"}}, Coordinator(kSecret));
  EXPECT_EQ(wrong_path.status, 400) << wrong_path.body;
}

}  // namespace
}  // namespace mua
