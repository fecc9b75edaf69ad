// Fuzzes the whole request path, Service::Admit then Service::Handle, with random
// methods, paths (every endpoint: /, /ping, /health, /metrics, /grafana/*, /api/v1/*),
// query parameters, headers, credentials of each role and bodies, over a small
// in-memory table. Besides "never crashes, never hangs", every response must have a
// status in 100..599 and header fields without CR, LF or NUL (no header injection);
// a request without valid credentials gets no 2xx or 3xx outside the probes; and only
// an admin's request may change the events table.
//
// Input layout (FuzzedDataProvider): the choices are read from the end of the input,
// the strings from its front (each ended by "\" and a character other than "\"), and
// what remains is the body. tests/fuzz/make_service_seeds.py writes inputs that way.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <fuzzer/FuzzedDataProvider.h>

#include "absl/strings/string_view.h"
#include "ingest/body_ingestor.h"
#include "ingest/dedup.h"
#include "ingest/rejected_event_log.h"
#include "server/audit_log.h"
#include "server/auth.h"
#include "server/http_types.h"
#include "server/ingest_tables.h"
#include "server/memory_table.h"
#include "server/service.h"
#include "server/storage_tables.h"
#include "sql/catalog.h"
#include "sql/sql_engine.h"
#include "storage/table.h"

namespace mua {
namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

// Tokens of tests/fuzz/service.dict and the seeds: one per role.
constexpr char kTokens[] =
    "viewer-token viewer vera\n"
    "analyst-token analyst ann\n"
    "admin-token admin ada\n";

// Rebuilt once admins have inserted this many rows, so memory stays bounded.
constexpr size_t kMaxRows = 20'000;

constexpr char kEvents[] =
    R"({"event_id":"e1","user_id":"u1","session_id":"s1","event_type":"app_open","event_timestamp":"2026-10-05T08:00:00Z","platform":"ios","country":"US","app_version":"1.0","properties":{"screen":"home","n":1}}
{"event_id":"e2","user_id":"u1","session_id":"s1","event_type":"purchase","event_timestamp":"2026-10-05T08:10:00Z","platform":"ios","country":"US","app_version":"1.0","properties":{"price":9.99,"currency":"EUR"}}
{"event_id":"e3","user_id":"u2","session_id":"s2","event_type":"app_open","event_timestamp":"2026-10-05T09:30:00Z","platform":"android","country":"DE","app_version":"1.0"}
{"event_id":"e4","user_id":"u1","session_id":"s3","event_type":"app_open","event_timestamp":"2026-10-06T10:00:00Z","platform":"ios","country":"US","app_version":"1.1"}
{"event_id":"e5","user_id":"u2","session_id":"s5","event_type":"screen_view","event_timestamp":"2026-10-06T10:05:00Z","platform":"android","country":"DE","app_version":"1.1","properties":{"screen":"cart"}}
{"event_id":"e6","user_id":"u3","session_id":"s4","event_type":"app_open","event_timestamp":"2026-10-06T11:00:00Z","platform":"ios","country":"FR","app_version":"2.0"}
{"event_id":"e7","user_id":"u3","session_id":"s4","event_type":"app_crash","event_timestamp":"2026-10-06T11:02:00Z","platform":"ios","country":"FR","app_version":"2.0"}
{"event_id":"e8","user_id":"u4","session_id":"s6","event_type":"signup","event_timestamp":"2026-10-07T12:00:00Z","platform":"web","country":"GB","app_version":"2.0"}
{"event_id":"e9","user_id":"u1","session_id":"s7","event_type":"purchase","event_timestamp":"2026-10-08T13:00:00Z","platform":"ios","country":"US","app_version":"2.0","properties":{"price":19.5}}
)";

// One server's worth of parts, in construction order.
struct Fixture {
  Fixture() {
    table = std::make_unique<Table>(TableOptions{});
    dedup = std::make_unique<Deduplicator>(DedupOptions{});
    rejected = std::make_unique<RejectedEventLog>(
        RejectedEventLogOptions{.max_rows = 1'000, .max_bytes = 1 << 20});
    catalog = std::make_unique<Catalog>(table.get());
    RegisterIngestTables(catalog.get(), rejected.get(), nullptr);
    RegisterStorageTables(catalog.get(), nullptr);
    RegisterMemoryTable(catalog.get(), table.get(), dedup.get());
    engine = std::make_unique<SqlEngine>(table.get(), catalog.get());
    IngestOptions ingest;
    ingest.decoder.retention_days = 0;
    ingest.dedup = dedup.get();
    ingest.rejected_log = rejected.get();
    ingest.threads = 1;
    ingestor = std::make_unique<BodyIngestor>(table.get(), ingest);
    Check(ingestor->Ingest(kEvents, BodyFormat::kEventLines, "seed").ok());
    audit = *AuditLog::Open({.max_records = 1'000, .max_memory_bytes = 1 << 20});
    tokens = *TokenStore::Parse(kTokens);
    service = std::make_unique<Service>(
        ServiceParts{.table = table.get(),
                     .catalog = catalog.get(),
                     .engine = engine.get(),
                     .ingestor = ingestor.get(),
                     .rejected = rejected.get(),
                     .audit = audit.get(),
                     .tokens = &tokens},
        ServiceOptions{.max_concurrent_queries = 4,
                       .max_memory_usage = int64_t{256} << 20,
                       .max_query_memory = int64_t{512} << 20,
                       .max_execution_time = absl::Seconds(2),
                       .max_result_rows = 100'000,
                       .query_threads = 1,
                       .max_body_bytes = size_t{1} << 20,
                       .max_read_body_bytes = size_t{1} << 20,
                       .cors_origins = {"https://grafana.example"}});
  }

  std::unique_ptr<Table> table;
  std::unique_ptr<Deduplicator> dedup;
  std::unique_ptr<RejectedEventLog> rejected;
  std::unique_ptr<Catalog> catalog;
  std::unique_ptr<SqlEngine> engine;
  std::unique_ptr<BodyIngestor> ingestor;
  std::unique_ptr<AuditLog> audit;
  TokenStore tokens;
  std::unique_ptr<Service> service;
};

const std::vector<std::string> kMethods = {"GET", "POST", "OPTIONS", "HEAD", "PUT", "DELETE"};
const std::vector<std::string> kPaths = {
    "/",
    "/ping",
    "/health",
    "/metrics",
    "/grafana",
    "/grafana/",
    "/grafana/query",
    "/grafana/search",
    "/grafana/annotations",
    "/grafana/variable",
    "/grafana/metrics",
    "/grafana/metric-payload-options",
    "/grafana/tag-keys",
    "/grafana/tag-values",
    "/api/v1",
    "/api/v1/query",
    "/api/v1/events",
    "/api/v1/metrics/daily",
    "/api/v1/retention",
    "/api/v1/funnel",
    "/api/v1/users/u1/summary",
    "/api/v1/users/",
};
const std::vector<std::string> kParamNames = {
    "query",      "default_format", "query_id", "max_execution_time", "max_result_rows",
    "max_memory_usage", "database", "user",   "password", "params", "from", "to", "period",
    "steps",      "event_type",     "date",     "limit",   "window", "format"};
const std::vector<std::string> kHeaderNames = {
    "Content-Type", "Origin", "Host", "Content-Encoding", "X-ClickHouse-Format",
    "X-ClickHouse-User", "X-ClickHouse-Key", "Authorization", "Accept", "X-ClickHouse-Query-Id"};
const std::vector<std::string> kHeaderValues = {
    "application/json", "application/x-ndjson", "text/plain", "gzip",
    "https://grafana.example", "https://evil.example", "127.0.0.1:8123", "evil.example",
    "JSONCompact", "TabSeparated"};

enum class Credentials { kNone, kViewer, kAnalyst, kAdmin, kWrong, kRandom, kCount };

// An index in [0, size]; `size` means "a random string instead".
size_t Pick(FuzzedDataProvider& in, size_t size) { return in.ConsumeIntegralInRange<size_t>(0, size); }

std::string PickOrRandom(FuzzedDataProvider& in, const std::vector<std::string>& choices,
                         size_t max_random) {
  const size_t i = Pick(in, choices.size());
  return i < choices.size() ? choices[i] : in.ConsumeRandomLengthString(max_random);
}

bool CleanHeaderText(absl::string_view text) {
  return text.find_first_of(absl::string_view("\r\n\0", 3)) == absl::string_view::npos;
}

}  // namespace
}  // namespace mua

// The fuzz entry without libFuzzer's main, so tests/fuzz/fuzz_replay_test.cc can replay
// the corpus and the regressions in the unit-test build.
int MuaServiceFuzz(const uint8_t* data, size_t size) {
  using namespace mua;  // NOLINT: the harness's own names
  static Fixture* fixture = new Fixture();
  if (fixture->table->Snapshot().row_count() > kMaxRows) {
    delete fixture;
    fixture = new Fixture();
  }
  FuzzedDataProvider in(data, size);
  HttpRequest request;
  request.method = PickOrRandom(in, kMethods, 16);
  request.path = PickOrRandom(in, kPaths, 256);
  if (in.ConsumeBool()) request.path += in.ConsumeRandomLengthString(64);
  const auto credentials = static_cast<Credentials>(
      in.ConsumeIntegralInRange<int>(0, static_cast<int>(Credentials::kCount) - 1));
  std::string token;
  switch (credentials) {
    case Credentials::kViewer:
      token = "viewer-token";
      break;
    case Credentials::kAnalyst:
      token = "analyst-token";
      break;
    case Credentials::kAdmin:
      token = "admin-token";
      break;
    case Credentials::kWrong:
      token = "wrong-token";
      break;
    case Credentials::kRandom:
      token = in.ConsumeRandomLengthString(64);
      break;
    default:
      break;
  }
  const int how = in.ConsumeIntegralInRange<int>(0, 2);  // Bearer, ClickHouse headers, password
  if (credentials != Credentials::kNone) {
    if (how == 0) {
      request.headers.emplace_back("Authorization", "Bearer " + token);
    } else if (how == 1) {
      request.headers.emplace_back("X-ClickHouse-User", "default");
      request.headers.emplace_back("X-ClickHouse-Key", token);
    } else {
      request.params.emplace_back("password", token);
    }
  }
  for (int n = in.ConsumeIntegralInRange<int>(0, 4); n > 0; --n) {
    std::string name = PickOrRandom(in, kParamNames, 32);
    request.params.emplace_back(std::move(name), in.ConsumeRandomLengthString(1024));
  }
  for (int n = in.ConsumeIntegralInRange<int>(0, 3); n > 0; --n) {
    std::string name = PickOrRandom(in, kHeaderNames, 32);
    request.headers.emplace_back(std::move(name), PickOrRandom(in, kHeaderValues, 256));
  }
  request.body = in.ConsumeRemainingBytesAsString();

  Service& service = *fixture->service;
  const size_t rows_before = fixture->table->Snapshot().row_count();
  HttpRequest head = request;
  head.body.clear();
  const HttpAdmission admission = service.Admit(head);
  HttpResponse response;
  if (admission.refusal) {
    response = *admission.refusal;
  } else if (request.body.size() > admission.max_body_bytes) {
    return 0;  // the HTTP server answers 413 without reading it
  } else {
    response = service.Handle(request);
  }

  if (std::getenv("MUA_FUZZ_VERBOSE") != nullptr) {  // to check what a seed reaches
    std::fprintf(stderr, "%s %s -> %d %.160s\n", request.method.c_str(), request.path.c_str(),
                 response.status, response.body.c_str());
  }
  Check(response.status >= 100 && response.status <= 599);
  Check(CleanHeaderText(response.content_type));
  for (const auto& [name, value] : response.headers) {
    Check(!name.empty() && CleanHeaderText(name) && CleanHeaderText(value));
  }
  // Who the request really is (a fuzzed header or parameter may carry a token too).
  const absl::StatusOr<Principal> who = fixture->tokens.Authenticate(request);
  const bool probe = request.path == "/ping" || request.path == "/health" ||
                     request.method == "OPTIONS" ||
                     (request.path == "/" && request.method == "GET" && !request.HasParam("query"));
  if (!who.ok()) Check(probe || response.status >= 400);
  if (!who.ok() || who->role != Role::kAdmin) {
    Check(fixture->table->Snapshot().row_count() == rows_before);
  }
  return 0;
}

#ifndef MUA_FUZZ_NO_MAIN
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return MuaServiceFuzz(data, size);
}
#endif
