#include "server/service.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <array>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "ingest/body_ingestor.h"
#include "ingest/kafka_consumer.h"
#include "ingest/rejected_event_log.h"
#include "query/distributed.h"
#include "query/output_format.h"
#include "openssl/crypto.h"
#include "rapidjson/document.h"
#include "server/cluster_control.h"
#include "server/cluster_monitor.h"
#include "server/cluster_query.h"
#include "server/cluster_snapshot.h"
#include "server/dimension_tables.h"
#include "server/grafana_api.h"
#include "server/query_cache_table.h"
#include "server/query_runner.h"
#include "server/internal/client_watch.h"
#include "server/internal/execution_slots.h"
#include "server/internal/streamed_body.h"
#include "server/internal/system_rows.h"
#include "server/rest_api.h"
#include "sql/ast.h"
#include "sql/catalog.h"
#include "sql/parser.h"
#include "sql/query_cache.h"
#include "sql/sql_engine.h"
#include "sql/sql_error.h"
#include "storage/base/memory_tracker.h"
#include "storage/base/parallel_for.h"
#include "storage/base/status_macros.h"
#include "storage/derived_block.h"
#include "storage/store.h"
#include "storage/table.h"

namespace mua {
namespace {

// ClickHouse's error code, name and HTTP status for a status (spec/clickhouse.md §8).
struct ClickHouseError {
  int code;
  const char* name;
  int status;
};

ClickHouseError MapError(const absl::Status& status) {
  const absl::string_view message = status.message();
  if (absl::StrContains(message, "Unknown function")) return {46, "UNKNOWN_FUNCTION", 404};
  if (absl::StrContains(message, "Expected ALL or DISTINCT in SelectWithUnion")) {
    return {558, "EXPECTED_ALL_OR_DISTINCT", 400};
  }
  if (absl::StrContains(message, "Missing columns")) return {47, "UNKNOWN_IDENTIFIER", 404};
  if (absl::StrContains(message, "doesn't exist") && absl::StrContains(message, "Database")) {
    return {81, "UNKNOWN_DATABASE", 404};
  }
  if (absl::StrContains(message, "doesn't exist")) return {60, "UNKNOWN_TABLE", 404};
  if (absl::StrContains(message, "Unknown format") || absl::StrContains(message, "unsupported input format")) {
    return {73, "UNKNOWN_FORMAT", 404};
  }
  if (absl::StrContains(message, "Unknown aggregate function")) return {63, "UNKNOWN_AGGREGATE_FUNCTION", 404};
  // Anywhere in the message: an error raised while constants fold carries its position first.
  if (absl::StrContains(message, "Memory limit (")) return {241, "MEMORY_LIMIT_EXCEEDED", 500};
  if (absl::StartsWith(message, "Query is too complex")) return {306, "TOO_DEEP_SUBQUERIES", 400};
  if (absl::StartsWith(message, "Query with id")) return {216, "QUERY_WITH_SAME_ID_IS_ALREADY_RUNNING", 400};
  if (absl::StrContains(message, "Cannot compile regexp")) return {427, "CANNOT_COMPILE_REGEXP", 400};
  if (absl::StrContains(message, "must have equal size") || absl::StrContains(message, "have different array sizes")) {
    return {190, "SIZES_OF_ARRAYS_DONT_MATCH", 500};  // arrayMap((x, y) -> ..., a, b), arrayZip
  }
  if (absl::StrContains(message, "Substitution `")) return {456, "UNKNOWN_QUERY_PARAMETER", 400};
  if (absl::StrContains(message, "is neither a builtin setting")) return {115, "UNKNOWN_SETTING", 404};
  if (absl::StrContains(message, "Scalar subquery returned")) {  // more than one row; no row of an Array
    return {125, "INCORRECT_RESULT_OF_SCALAR_SUBQUERY", 400};
  }
  // A cluster's shards (server/cluster_query.h): none reachable, or not speaking our version.
  if (absl::StartsWith(message, "All replicas of shard") ||
      (absl::StartsWith(message, "There was an error on [") && status.code() == absl::StatusCode::kUnavailable)) {
    return {279, "ALL_CONNECTION_TRIES_FAILED", 500};
  }
  if (absl::StrContains(message, "Malformed shard answer") || absl::StrContains(message, "run the same MUA version")) {
    return {49, "LOGICAL_ERROR", 500};
  }
  switch (status.code()) {
    case absl::StatusCode::kUnimplemented: return {48, "NOT_IMPLEMENTED", 501};
    case absl::StatusCode::kCancelled: return {394, "QUERY_WAS_CANCELLED", 500};
    case absl::StatusCode::kDeadlineExceeded: return {159, "TIMEOUT_EXCEEDED", 408};
    case absl::StatusCode::kUnauthenticated: return {516, "AUTHENTICATION_FAILED", 401};
    case absl::StatusCode::kPermissionDenied: return {497, "ACCESS_DENIED", 403};
    case absl::StatusCode::kUnavailable: return {202, "TOO_MANY_SIMULTANEOUS_QUERIES", 503};
    case absl::StatusCode::kResourceExhausted:
      if (absl::StartsWith(message, "Limit for result")) return {396, "TOO_MANY_ROWS_OR_BYTES", 500};
      if (absl::StrContains(message, "function range")) return {69, "ARGUMENT_OUT_OF_BOUND", 400};
      if (absl::StrContains(message, "would produce")) return {158, "TOO_MANY_ROWS", 500};
      return {62, "SYNTAX_ERROR", 400};  // the parser's depth and size limits
    case absl::StatusCode::kDataLoss: return {117, "INCORRECT_DATA", 400};
    case absl::StatusCode::kFailedPrecondition: return {164, "READONLY", 400};
    case absl::StatusCode::kInvalidArgument:
      if (GetSqlError(status) && (absl::StrContains(message, "expected") || absl::StrContains(message, "unexpected") ||
                                  absl::StrContains(message, "unterminated"))) {
        return {62, "SYNTAX_ERROR", 400};
      }
      return {36, "BAD_ARGUMENTS", 400};
    case absl::StatusCode::kNotFound: return {47, "UNKNOWN_IDENTIFIER", 404};
    default: return {1001, "STD_EXCEPTION", 500};
  }
}

HttpResponse ClickHouseErrorResponse(const absl::Status& status, const std::string& version) {
  const ClickHouseError error = MapError(status);
  HttpResponse response = HttpResponse::Text(
      error.status, absl::StrCat("Code: ", error.code, ". DB::Exception: ", status.message(), ". (", error.name,
                                 ") (version MUA ", version, ")\n"));
  response.headers.emplace_back("X-ClickHouse-Exception-Code", std::to_string(error.code));
  if (error.status == 401) response.headers.emplace_back("WWW-Authenticate", "Bearer");
  return response;
}

std::string Summary(int64_t read_rows, int64_t read_bytes, int64_t written_rows, int64_t result_rows,
                    absl::Duration elapsed) {
  return absl::StrCat("{\"read_rows\":\"", read_rows, "\",\"read_bytes\":\"", read_bytes, "\",\"written_rows\":\"",
                      written_rows, "\",\"written_bytes\":\"0\",\"total_rows_to_read\":\"", read_rows,
                      "\",\"result_rows\":\"", result_rows, "\",\"result_bytes\":\"0\",\"elapsed_ns\":\"",
                      absl::ToInt64Nanoseconds(elapsed), "\"}");
}

using server_internal::ColumnList;
using server_internal::EmptyRows;

const ColumnList& AuditColumns() {
  static const ColumnList* columns = new ColumnList{
      {"event_time", "DateTime64(3)"}, {"principal", "String"}, {"role", "String"},
      {"endpoint", "String"},          {"statement", "String"}, {"query_id", "String"},
      {"status", "UInt32"},            {"rows", "Int64"},       {"duration_ms", "Float64"},
      {"error", "String"},             {"statement_kind", "String"}, {"statement_hash", "String"}};
  return *columns;
}

// ClickHouse accepts any query_id; ours is echoed in response headers and logs, so it
// is held to characters that cannot break a header line or a log record.
bool ValidQueryId(absl::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-') return false;
  }
  return true;
}

// The ClickHouse error code an error response carries (0 for none), for system.query_log.
int ExceptionCode(const HttpResponse& response) {
  for (const auto& [name, value] : response.headers) {
    if (int code = 0; name == "X-ClickHouse-Exception-Code" && absl::SimpleAtoi(value, &code)) return code;
  }
  return 0;
}

std::string NewQueryId(int64_t counter) {
  return absl::StrFormat("%016x-%04x", absl::ToUnixNanos(absl::Now()), counter & 0xffff);
}

}  // namespace

struct Service::RunningQuery {
  std::string query_id;
  std::string principal;
  std::string sql;
  absl::Time start;
  std::atomic<bool> cancelled{false};
  const MemoryTracker* memory = nullptr;  // valid while registered
};

// One statement's run as an endpoint asks for it.
struct Service::QueryCall {
  const PreparedStatement* statement = nullptr;  // REQUIRES: set, outlives the call
  SqlOrigin origin = SqlOrigin::kUser;
  Principal principal;
  std::string query_id;
  bool read_only_request = false;  // a GET: nothing may be written
  absl::Duration max_execution_time;
  uint64_t max_result_rows = 0;
  int64_t max_memory_usage = 0;
  ShardStage shard_stage = ShardStage::kNone;  // a request for this shard's part of a statement
  bool from_coordinator = false;  // sent by a coordinator (the cluster secret checked)
  std::string shard_block;  // the block of the statement it asks for ("" the whole)
  std::string shard_inputs;  // its GLOBAL subqueries' values
  bool distributed = true;
  bool skip_unavailable_shards = false;
  bool use_query_cache = false;
  absl::Duration query_cache_ttl = absl::ZeroDuration();
  // In a cluster, a statement every node must apply alike (ClusterControl::Converges): its
  // whole text, with an INSERT's rows, for the control topic.
  const std::string* control_sql = nullptr;
};

// The QueryRunner handed to REST and Grafana for one request: their statements run
// as the request's principal, through RunStatement like the SQL endpoint's.
class Service::RequestRunner : public QueryRunner {
 public:
  RequestRunner(Service* service, Principal principal) : service_(service), principal_(std::move(principal)) {}
  using QueryRunner::Run;
  absl::StatusOr<StatementOutput> Run(const PreparedStatement& statement, SqlOrigin origin) const override {
    QueryCall call = service_->DefaultCall(principal_);
    call.statement = &statement;
    call.origin = origin;
    call.use_query_cache = service_->options_.query_cache_for_api;
    return service_->RunStatement(call);
  }

 private:
  Service* service_;
  const Principal principal_;
};

std::unique_ptr<QueryRunner> Service::RunnerFor(Principal principal) {
  return std::make_unique<RequestRunner>(this, std::move(principal));
}

struct Service::Outcome {
  std::string statement;
  std::string query_id;
  int64_t rows = 0;
  std::string error;
  int64_t read_rows = 0;  // for system.query_log
  int64_t read_bytes = 0;
  int64_t memory_usage = 0;
};

Service::Service(ServiceParts parts, ServiceOptions options)
    : parts_(parts),
      options_(std::move(options)),
      all_queries_memory_(options_.max_query_memory, nullptr, "total"),
      slots_(std::make_unique<server_internal::ExecutionSlots>(
          options_.max_executing_queries > 0 ? options_.max_executing_queries : DefaultThreads())) {
  AuditLog* audit = parts_.audit;
  parts_.catalog->RegisterSystemTable("audit_log", AuditColumns(), [audit] {
    auto rows = std::make_shared<ResultSet>(EmptyRows(AuditColumns()));
    if (audit == nullptr) return std::shared_ptr<const ResultSet>(rows);
    const QueryCaller& caller = CurrentQueryCaller();
    for (const AuditRecord& record : audit->Records()) {
      if (!caller.admin && record.principal != caller.principal) continue;
      std::vector<Column>& c = rows->columns;
      c[0].ints.push_back(absl::ToUnixMillis(record.time));
      c[1].strings.push_back(record.principal);
      c[2].strings.push_back(record.role);
      c[3].strings.push_back(record.endpoint);
      c[4].strings.push_back(record.statement);
      c[5].strings.push_back(record.query_id);
      c[6].ints.push_back(record.status);
      c[7].ints.push_back(record.rows);
      c[8].floats.push_back(absl::ToDoubleMilliseconds(record.duration));
      c[9].strings.push_back(record.error);
      c[10].strings.push_back(record.statement_kind);
      c[11].strings.push_back(record.statement_hash == 0 ? "" : absl::StrFormat("%016x", record.statement_hash));
      ++rows->row_count;
    }
    return std::shared_ptr<const ResultSet>(rows);
  });
  const ColumnList processes = {{"query_id", "String"}, {"user", "String"},          {"query", "String"},
                                {"elapsed", "Float64"},  {"memory_usage", "Int64"}, {"peak_memory_usage", "Int64"}};
  parts_.catalog->RegisterSystemTable("processes", processes, [this, processes] {
    auto rows = std::make_shared<ResultSet>(EmptyRows(processes));
    const QueryCaller& caller = CurrentQueryCaller();
    absl::MutexLock lock(&mu_);
    for (const auto& [id, query] : running_queries_) {
      if (!caller.admin && query->principal != caller.principal) continue;
      rows->columns[0].strings.push_back(query->query_id);
      rows->columns[1].strings.push_back(query->principal);
      rows->columns[2].strings.push_back(query->sql);
      rows->columns[3].floats.push_back(absl::ToDoubleSeconds(absl::Now() - query->start));
      rows->columns[4].ints.push_back(query->memory != nullptr ? query->memory->used() : 0);
      rows->columns[5].ints.push_back(query->memory != nullptr ? query->memory->peak() : 0);
      ++rows->row_count;
    }
    return std::shared_ptr<const ResultSet>(rows);
  });
  parts_.catalog->RegisterSystemCommand("KILL QUERY", [this](absl::string_view id) { return Kill(id); });
  if (parts_.query_cache != nullptr) RegisterQueryCacheTable(parts_.catalog, parts_.table, parts_.query_cache);
}

Service::~Service() = default;

absl::StatusOr<std::string> Service::Kill(absl::string_view query_id) {
  absl::MutexLock lock(&mu_);
  auto it = running_queries_.find(query_id);
  // Another principal's statements are invisible to a non-admin, here as in system.processes.
  const QueryCaller& caller = CurrentQueryCaller();
  if (it == running_queries_.end() || (!caller.admin && it->second->principal != caller.principal)) {
    return std::string("Ok. No running query has that id.");
  }
  it->second->cancelled.store(true);
  return absl::StrCat("Ok. Query ", query_id, " is being cancelled.");
}

namespace {

// The host of a Host header value: "127.0.0.1:8720" -> "127.0.0.1", "[::1]:80" -> "[::1]".
absl::string_view HostName(absl::string_view host) {
  if (absl::StartsWith(host, "[")) {
    const size_t close = host.find(']');
    return close == absl::string_view::npos ? host : host.substr(0, close + 1);
  }
  return host.substr(0, host.find(':'));
}

bool IsLoopbackHost(absl::string_view host) {
  const absl::string_view name = HostName(host);
  if (absl::EqualsIgnoreCase(name, "localhost") || name == "[::1]") return true;
  // An IPv4 literal in 127/8 (never a DNS name such as 127.0.0.1.evil.com, which a
  // rebinding page could use).
  in_addr address{};
  return inet_pton(AF_INET, std::string(name).c_str(), &address) == 1 &&
         (ntohl(address.s_addr) >> 24) == 127;
}

// Consumes `word` (case-insensitive) and the spaces after it.
bool ConsumeWord(absl::string_view* text, absl::string_view word) {
  if (!absl::StartsWithIgnoreCase(*text, word)) return false;
  const absl::string_view rest = text->substr(word.size());
  if (!rest.empty() && (absl::ascii_isalnum(rest[0]) || rest[0] == '_')) return false;
  *text = absl::StripLeadingAsciiWhitespace(rest);
  return true;
}

// POST here with an admin's token streams its body (JSON lines of any size).
constexpr absl::string_view kEventsPath = "/api/v1/events";

// True for `INSERT INTO [default.]events [(columns)] FORMAT Name` and nothing after:
// its rows are the whole body, which is then streamed (HttpAdmission::stream_body).
// Anything else (a statement split between the URL and the body, VALUES, comments)
// takes the ordinary path with its whole body in memory.
bool IsStreamableInsert(absl::string_view query) {
  absl::string_view rest = absl::StripAsciiWhitespace(query);
  if (absl::ConsumeSuffix(&rest, ";")) rest = absl::StripTrailingAsciiWhitespace(rest);
  if (!ConsumeWord(&rest, "INSERT") || !ConsumeWord(&rest, "INTO")) return false;
  if (!ConsumeWord(&rest, "events") && !ConsumeWord(&rest, "`events`") && !ConsumeWord(&rest, "\"events\"") &&
      !ConsumeWord(&rest, "default.events")) {
    return false;
  }
  if (absl::ConsumePrefix(&rest, "(")) {
    const size_t close = rest.find(')');
    if (close == absl::string_view::npos || rest.substr(0, close).find('(') != absl::string_view::npos) return false;
    rest = absl::StripLeadingAsciiWhitespace(rest.substr(close + 1));
  }
  if (!ConsumeWord(&rest, "FORMAT") || rest.empty()) return false;
  return std::all_of(rest.begin(), rest.end(), [](char c) { return absl::ascii_isalnum(c) || c == '_'; });
}

// A streamed body read whole, for a statement that takes its body as text.
}  // namespace

Service::Gate Service::Authenticate(const HttpRequest& request) const {
  Gate gate;
  gate.principal = Principal{"anonymous", Role::kViewer};
  // Development mode makes every request admin, so only this machine's own clients may
  // use it: a foreign Host is a DNS-rebinding page, a foreign Origin a cross-site one
  // (a browser sends both even when the request is a "simple" text/plain POST).
  if (parts_.tokens->development_mode()) {
    const absl::string_view host = request.Header("Host");
    const absl::string_view origin = request.Header("Origin");
    absl::Status refused;
    if (!host.empty() && !IsLoopbackHost(host)) {
      refused = absl::PermissionDeniedError(absl::StrCat(
          "development mode (no --tokens) answers only requests to a loopback Host (127.0.0.1, localhost, [::1]), not '",
          absl::string_view(host).substr(0, 128), "'"));
    } else if (!origin.empty() && !OriginAllowed(origin, options_.cors_origins)) {
      refused = absl::PermissionDeniedError(absl::StrCat(
          "development mode (no --tokens) refuses cross-site requests from Origin '",
          absl::string_view(origin).substr(0, 128), "': list it in --cors_origins"));
    }
    if (!refused.ok()) {
      gate.error = std::string(refused.message());
      gate.refusal = ClickHouseErrorResponse(refused, options_.version);
      return gate;
    }
  }
  // Probes answer whatever the credentials, as ClickHouse's /ping does (its clients send
  // `default:` by default); browsers send none with a CORS preflight.
  const bool open_probe = IsProbe(request) && request.path != "/metrics";
  const bool preflight = request.method == "OPTIONS";
  absl::StatusOr<Principal> who = request.Header(kClusterSecretHeader).empty()
                                      ? parts_.tokens->Authenticate(request)
                                      : AuthenticateCoordinator(request);
  if (who.ok()) {
    gate.principal = *who;
  } else if (!open_probe && !preflight) {
    gate.error = std::string(who.status().message());
    gate.refusal = ClickHouseErrorResponse(who.status(), options_.version);
  }
  return gate;
}

// A shard's part of a coordinator's statement, a SYSTEM command sent ON CLUSTER, or a
// sibling's snapshot: the cluster secret vouches for the principal the sending node
// authenticated, whose role is still checked. It runs nothing else (a leaked secret reads as
// anyone and runs operator commands as an admin, but changes no data).
absl::StatusOr<Principal> Service::AuthenticateCoordinator(const HttpRequest& request) const {
  const absl::string_view secret = request.Header(kClusterSecretHeader);
  if (options_.cluster_secret.empty() || secret.size() != options_.cluster_secret.size() ||
      CRYPTO_memcmp(secret.data(), options_.cluster_secret.data(), secret.size()) != 0) {
    return absl::UnauthenticatedError("Authentication failed: wrong cluster secret");
  }
  const bool shard_part = request.path == "/" && (ParseShardStage(request.Param("cluster_stage")) != ShardStage::kNone ||
                                                   request.Param(kForwardedParam) == "1");
  if (!shard_part && !SnapshotService::Serves(request.path)) {
    return absl::PermissionDeniedError(
        "the cluster secret only runs a shard's part of a statement (cluster_stage), SYSTEM ... ON CLUSTER and a "
        "sibling's snapshot");
  }
  const absl::string_view role = request.Header(kClusterRoleHeader);
  Principal principal{std::string(request.Header(kClusterPrincipalHeader)), Role::kViewer};
  if (role == "admin") {
    principal.role = Role::kAdmin;
  } else if (role == "analyst") {
    principal.role = Role::kAnalyst;
  } else if (role != "viewer") {
    return absl::UnauthenticatedError(absl::StrCat("Authentication failed: unknown role '", role.substr(0, 32), "'"));
  }
  return principal;
}

bool Service::IsProbe(const HttpRequest& request) {
  return request.path == "/ping" || request.path == "/health" || request.path == "/metrics" ||
         (request.path == "/" && request.method == "GET" && !request.HasParam("query"));
}

HttpAdmission Service::Admit(const HttpRequest& head) {
  Gate gate = Authenticate(head);
  if (gate.refusal) {
    Outcome outcome;
    outcome.error = std::move(gate.error);
    Audit(head, gate.principal, absl::Now(), *gate.refusal, &outcome);
    return HttpAdmission{.refusal = std::move(gate.refusal)};
  }
  // An admin's INSERT INTO events streams its rows, whatever their size (SECURITY.md):
  // decided here, before any byte of the body is read; other roles never get here
  // with an INSERT's body unbounded.
  if (head.method == "POST" && head.path == "/" && IsStreamableInsert(head.Param("query"))) {
    if (!Allows(gate.principal.role, Role::kAdmin)) {
      // Refused from the head alone: a viewer's or analyst's rows are never read.
      const absl::Status denied = absl::PermissionDeniedError(
          absl::StrCat(gate.principal.name, " (", RoleName(gate.principal.role),
                       ") may not run this statement: it needs the admin role"));
      HttpResponse refusal = ClickHouseErrorResponse(denied, options_.version);
      Outcome outcome;
      outcome.error = std::string(denied.message());
      outcome.statement = std::string(head.Param("query"));
      Audit(head, gate.principal, absl::Now(), refusal, &outcome);
      return HttpAdmission{.refusal = std::move(refusal)};
    }
    return HttpAdmission{.max_body_bytes = std::numeric_limits<size_t>::max(), .stream_body = true};
  }
  // An admin's events (JSON lines) stream the same way; other roles are refused by the
  // handler with their body bounded below.
  if (head.method == "POST" && head.path == kEventsPath && Allows(gate.principal.role, Role::kAdmin)) {
    return HttpAdmission{.max_body_bytes = std::numeric_limits<size_t>::max(), .stream_body = true};
  }
  // Only an admin ingests; what others send is a statement or a JSON request.
  size_t limit = options_.max_body_bytes;
  if (!Allows(gate.principal.role, Role::kAdmin)) limit = std::min(limit, options_.max_read_body_bytes);
  if (IsProbe(head) || head.method == "OPTIONS" || head.method == "GET") limit = std::min<size_t>(limit, 64 << 10);
  return HttpAdmission{.max_body_bytes = limit};
}

HttpResponse Service::Handle(HttpRequest& request) {
  const absl::Time start = absl::Now();
  // Idle() is false while any request runs: a streamed INSERT reads its body here, outside
  // any statement's admission.
  handling_.fetch_add(1);
  absl::Cleanup handled = [this] {
    last_query_end_ns_.store(absl::ToUnixNanos(absl::Now()));
    handling_.fetch_sub(1);
  };
  Outcome outcome;
  Gate gate = Authenticate(request);
  HttpResponse response;
  if (gate.refusal) {
    response = *std::move(gate.refusal);
    outcome.error = std::move(gate.error);
  } else {
    request.principal = gate.principal.name;
    request.role = std::string(RoleName(gate.principal.role));
    response = Route(request, gate.principal, &outcome);
  }
  Audit(request, gate.principal, start, response, &outcome);
  return response;
}

void Service::Audit(const HttpRequest& request, const Principal& principal, absl::Time start,
                    const HttpResponse& response, Outcome* outcome) {
  responses_by_class_[std::min(5, std::max(0, response.status / 100))].fetch_add(1);
  if (parts_.audit == nullptr || request.path == "/ping") return;
  parts_.audit->Record({.time = start,
                        .principal = principal.name,
                        .role = std::string(RoleName(principal.role)),
                        .endpoint = absl::StrCat(request.method, " ", request.path),
                        .statement = std::move(outcome->statement),
                        .query_id = std::move(outcome->query_id),
                        .status = response.status,
                        .rows = outcome->rows,
                        .duration = absl::Now() - start,
                        .error = std::move(outcome->error),
                        .read_rows = outcome->read_rows,
                        .read_bytes = outcome->read_bytes,
                        .memory_usage = outcome->memory_usage,
                        .result_bytes = static_cast<int64_t>(response.body.size()),
                        .exception_code = ExceptionCode(response)});
}

void Service::CancelAll() {
  absl::MutexLock lock(&mu_);
  for (auto& [id, query] : running_queries_) query->cancelled.store(true);
}

HttpResponse Service::Route(HttpRequest& request, const Principal& principal, Outcome* outcome) {
  if (const absl::string_view encoding = request.Header("Content-Encoding");
      !encoding.empty() && !absl::EqualsIgnoreCase(encoding, "identity")) {
    outcome->error = absl::StrCat("Content-Encoding ", encoding, " is not supported");
    return HttpResponse::Text(415, absl::StrCat("Code: 73. DB::Exception: Content-Encoding ", encoding,
                                                " is not supported: send the body uncompressed. (UNKNOWN_FORMAT)\n"));
  }
  auto forbid = [&](Role need) {
    const absl::Status denied = absl::PermissionDeniedError(
        absl::StrCat(principal.name, " (", RoleName(principal.role), ") may not use ", request.method, " ",
                     request.path, ": it needs the ", RoleName(need), " role"));
    outcome->error = std::string(denied.message());
    return ClickHouseErrorResponse(denied, options_.version);
  };
  if (request.path == "/ping") return HttpResponse::Text(200, "Ok.\n");
  if (request.path == "/health") return Health(request);
  if (request.path == "/metrics") {
    if (!Allows(principal.role, Role::kViewer)) return forbid(Role::kViewer);
    return Metrics();
  }
  if (SnapshotService::Serves(request.path)) {
    // A sibling replica bootstrapping (server/cluster_snapshot.h): every event of the shard.
    if (!Allows(principal.role, Role::kAdmin)) return forbid(Role::kAdmin);
    if (parts_.snapshots == nullptr) return HttpResponse::Text(404, "snapshots need --cluster and --data_dir\n");
    return parts_.snapshots->Handle(request);
  }
  if (request.path == kGrafanaPathPrefix || absl::StartsWith(request.path, "/grafana/")) {
    // The body is the statement audited, moved (not copied) once it has been answered.
    absl::Cleanup audit_body = [&] { outcome->statement = std::move(request.body); };
    // Roles are checked where each statement runs (RequestRunner), not guessed from the body.
    const RequestRunner runner(this, principal);
    return HandleGrafana(request, runner, options_.cors_origins);
  }
  if (request.path == "/api/v1" || absl::StartsWith(request.path, kRestPathPrefix)) {
    absl::Cleanup audit_body = [&] {
      outcome->statement = request.method == "GET" ? request.path : std::move(request.body);
    };
    const Role need = RestRequiredRole(request);
    if (!Allows(principal.role, need)) return forbid(need);
    const RequestRunner runner(this, principal);
    return HandleRest(request, RestContext{&runner, parts_.ingestor, parts_.user_id_hasher, options_.max_body_bytes});
  }
  if (request.path == "/") {
    if (request.method == "GET" && !request.HasParam("query")) return HttpResponse::Text(200, "Ok.\n");
    if (request.method != "GET" && request.method != "POST") {
      HttpResponse response = HttpResponse::Text(405, "Only GET and POST are supported on /\n");
      response.headers.emplace_back("Allow", "GET, POST");
      return response;
    }
    return HandleSql(request, principal, outcome);
  }
  return HttpResponse::Text(404, absl::StrCat("There is no handle ", request.path,
                                              " (see /, /ping, /health, /metrics, /grafana, /api/v1)\n"));
}

Service::QueryCall Service::DefaultCall(const Principal& principal) {
  QueryCall call;
  call.principal = principal;
  call.query_id = NewQueryId(query_counter_.fetch_add(1));
  call.max_execution_time = options_.max_execution_time;
  call.max_result_rows = options_.max_result_rows;
  call.max_memory_usage = options_.max_memory_usage;
  return call;
}

absl::StatusOr<StatementOutput> Service::RunStatement(const QueryCall& call) {
  MemoryTracker memory(call.max_memory_usage, &all_queries_memory_, "for query");
  auto running = std::make_shared<RunningQuery>();
  running->query_id = call.query_id;
  running->principal = call.principal.name;
  running->sql = AuditCut(call.statement->sql, 4096);  // UTF-8-safe, like the audit record
  running->start = absl::Now();
  running->memory = &memory;
  // A client that hangs up cancels its statement, as KILL QUERY does.
  const server_internal::CancelOnClientGone cancel_on_gone(&running->cancelled);
  {
    absl::MutexLock lock(&mu_);
    if (!running_queries_.try_emplace(running->query_id, running).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("Query with id = ", call.query_id, " is already running"));
    }
  }
  // Admission once the statement is known: KILL QUERY is never refused for being one
  // too many, or a full server could not be relieved.
  bool admitted = false;
  bool executing = false;  // holds one of the execution slots
  ExecuteOptions execute;
  execute.authorize = [&](const Statement&) {
    return AuthorizeStatement(call.statement->access, call.principal, call.origin, call.read_only_request);
  };
  execute.admit = [&]() {
    if (call.statement->access == StatementAccess::kKillOwnQuery) return absl::OkStatus();
    if (running_.fetch_add(1) >= options_.max_concurrent_queries) {
      running_.fetch_sub(1);
      return absl::UnavailableError(
          absl::StrCat("Too many simultaneous queries: the maximum is ", options_.max_concurrent_queries));
    }
    admitted = true;
    // A coordinator's request for a shard's part does not queue for an execution slot: the
    // coordinator holds one while it waits, and two coordinators waiting on each other's
    // shards would deadlock. Only a request the cluster secret vouched for: a user asking
    // for a stage themselves queues like any statement.
    if (call.from_coordinator) return absl::OkStatus();
    MUA_RETURN_IF_ERROR(slots_->Acquire(call.max_execution_time == absl::InfiniteDuration()
                                            ? absl::InfiniteFuture()
                                            : running->start + call.max_execution_time,
                                        &running->cancelled));
    executing = true;
    return absl::OkStatus();
  };
  execute.caller = QueryCaller{call.principal.name, call.principal.role == Role::kAdmin};
  execute.threads = options_.query_threads;
  execute.max_execution_time = call.max_execution_time;
  execute.max_result_rows = call.max_result_rows;
  execute.cancelled = &running->cancelled;
  execute.shard_stage = call.shard_stage;
  execute.shard_block = call.shard_block;
  execute.shard_inputs = call.shard_inputs;
  execute.distributed = call.distributed;
  execute.skip_unavailable_shards = call.skip_unavailable_shards;
  execute.query_cache = parts_.query_cache;
  execute.use_query_cache = call.use_query_cache;
  execute.query_cache_ttl = call.query_cache_ttl;
  // A coordinator: every node is one, for the statements it is sent (a shard's part is not).
  std::optional<ClusterFanout> fanout;
  if (parts_.cluster != nullptr && call.shard_stage == ShardStage::kNone && call.statement->kind == StatementKind::kSelect) {
    fanout.emplace(parts_.cluster, options_.cluster_secret,
                   ClusterStatement{call.statement->sql, call.statement->params, call.principal, call.query_id});
    execute.fanout = &*fanout;
  }
  absl::StatusOr<StatementOutput> output;
  {
    MemoryTrackerScope scope(&memory);
    try {
      if (call.control_sql != nullptr && parts_.control != nullptr) {
        absl::Status allowed = execute.authorize(*call.statement->statement);
        if (allowed.ok()) allowed = execute.admit();
        output = allowed.ok() ? parts_.control->Submit(*call.control_sql, call.statement->params,
                                                       running->start + std::min(call.max_execution_time, absl::Seconds(60)))
                              : absl::StatusOr<StatementOutput>(allowed);
      } else {
        output = parts_.engine->Execute(*call.statement, execute);
      }
    } catch (const std::bad_alloc& failure) {
      // Allocations past the limits throw, as in ClickHouse; everything the statement
      // held is freed on the way here.
      const absl::string_view what = failure.what();
      output = absl::ResourceExhaustedError(
          absl::StartsWith(what, "Memory limit")
              ? std::string(what)
              : absl::StrCat("Memory limit (for query) exceeded: the system could not allocate memory (",
                             what, ")"));
    }
  }
  {
    absl::MutexLock lock(&mu_);
    running_queries_.erase(running->query_id);
  }
  last_query_end_ns_.store(absl::ToUnixNanos(absl::Now()));
  if (output.ok()) output->result.statistics.peak_memory_bytes = memory.peak();
  if (executing) slots_->Release();
  if (admitted) running_.fetch_sub(1);
  query_latency_.Record(absl::Now() - running->start);
  return output;
}

absl::StatusOr<ResultSet> Service::OnEveryNode(const QueryCall& call) const {
  const std::vector<NodeAnswer> others =
      RunOnOtherNodes(*parts_.cluster, options_.cluster_secret,
                      ClusterStatement{call.statement->sql, call.statement->params, call.principal, call.query_id},
                      absl::Now() + std::min(call.max_execution_time, absl::Seconds(60)));
  const ClusterConfig& config = parts_.cluster->config();
  const ClusterNode self = parts_.cluster->self();
  std::vector<NodeAnswer> answers = {{config.shards[self.shard].replicas[self.replica], absl::OkStatus()}};
  answers.insert(answers.end(), others.begin(), others.end());
  ResultSet result;
  result.AddColumn("host", DataType::Of(TypeId::kString));
  result.AddColumn("port", DataType::Of(TypeId::kUInt16));
  result.AddColumn("status", DataType::Of(TypeId::kInt64));
  result.AddColumn("error", DataType::Of(TypeId::kString));
  result.AddColumn("num_hosts_remaining", DataType::Of(TypeId::kUInt64));
  result.AddColumn("num_hosts_active", DataType::Of(TypeId::kUInt64));
  for (size_t i = 0; i < answers.size(); ++i) {
    const NodeAnswer& answer = answers[i];
    if (!answer.status.ok()) {
      // As ClickHouse's distributed_ddl_output_mode = 'throw'.
      return absl::Status(answer.status.code(), absl::StrCat("There was an error on [", answer.address,
                                                             "]: ", answer.status.message(),
                                                             " (the nodes that answered ran the command)"));
    }
    const size_t colon = answer.address.rfind(':');
    int64_t port = 0;
    if (colon != std::string::npos) (void)absl::SimpleAtoi(answer.address.substr(colon + 1), &port);
    result.columns[0].strings.push_back(answer.address.substr(0, colon));
    result.columns[1].ints.push_back(port);
    result.columns[2].ints.push_back(0);
    result.columns[3].strings.emplace_back();
    result.columns[4].ints.push_back(static_cast<int64_t>(answers.size() - i - 1));
    result.columns[5].ints.push_back(0);
    ++result.row_count;
  }
  return result;
}

HttpResponse Service::HandleSql(HttpRequest& request, const Principal& principal, Outcome* outcome) {
  std::string sql(request.Param("query"));
  if (request.method == "POST" && !request.body.empty()) {
    sql = request.HasParam("query") ? absl::StrCat(sql, "\n", request.body) : std::move(request.body);
  }
  std::string shard_inputs;  // a coordinator's GLOBAL subqueries' values, after the statement
  const absl::Status shard_request = request.Param("cluster_inputs") == "1" && request.HasParam("cluster_stage")
                                         ? DecodeShardRequest(std::string(sql), &sql, &shard_inputs)
                                         : absl::OkStatus();
  absl::Cleanup audit_statement = [&] { outcome->statement = std::move(sql); };
  QueryCall call = DefaultCall(principal);
  if (request.HasParam("query_id")) call.query_id = std::string(request.Param("query_id"));
  auto fail = [&](const absl::Status& status) {
    outcome->error = std::string(status.message());
    HttpResponse response = ClickHouseErrorResponse(status, options_.version);
    if (ValidQueryId(call.query_id)) response.headers.emplace_back("X-ClickHouse-Query-Id", call.query_id);
    return response;
  };
  if (!shard_request.ok()) return fail(shard_request);
  if (!ValidQueryId(call.query_id)) {
    return fail(absl::InvalidArgumentError(
        "query_id must be 1 to 128 characters of A-Z, a-z, 0-9, '_', '.' and '-'"));
  }
  outcome->query_id = call.query_id;
  if (const absl::string_view database = request.Param("database");
      !database.empty() && database != "default" && database != "system") {
    return fail(absl::NotFoundError(absl::StrCat("Database ", database, " doesn't exist")));
  }
  PrepareOptions prepare;
  for (const auto& [name, value] : request.params) {
    if (absl::StartsWith(name, "param_")) prepare.params[name.substr(6)] = value;
  }
  // Unlike ClickHouse (115 for an unknown URL parameter), unknown URL parameters are
  // ignored: clients and proxies add their own, and a dashboard must not break on one.
  // An unknown name in a SETTINGS clause is still 115: the user wrote it.
  absl::StatusOr<PreparedStatement> statement = SqlEngine::Prepare(sql, prepare);
  if (!statement.ok()) return fail(statement.status());
  call.statement = &*statement;
  call.origin = SqlOrigin::kUser;
  call.read_only_request = request.method == "GET";
  // ClickHouse clients send settings as URL parameters; they may only tighten our limits.
  if (double seconds = 0; absl::SimpleAtod(request.Param("max_execution_time"), &seconds) && seconds > 0) {
    call.max_execution_time = std::min(call.max_execution_time, absl::Seconds(seconds));
  }
  if (uint64_t rows = 0; absl::SimpleAtoi(request.Param("max_result_rows"), &rows) && rows > 0) {
    call.max_result_rows = std::min(call.max_result_rows, rows);
  }
  if (int64_t bytes = 0; absl::SimpleAtoi(request.Param("max_memory_usage"), &bytes) && bytes > 0) {
    call.max_memory_usage = call.max_memory_usage > 0 ? std::min(call.max_memory_usage, bytes) : bytes;
  }
  if (request.HasParam("cluster_stage")) {
    call.shard_stage = ParseShardStage(request.Param("cluster_stage"));
    if (call.shard_stage == ShardStage::kNone || statement->kind != StatementKind::kSelect) {
      return fail(absl::InvalidArgumentError("cluster_stage is partial_aggregate, collect or source_rows, of a SELECT"));
    }
    call.shard_block = std::string(request.Param("cluster_block"));
    // The secret header routed authentication to AuthenticateCoordinator, which checked it.
    call.from_coordinator = !request.Header(kClusterSecretHeader).empty();
    call.shard_inputs = std::move(shard_inputs);
  }
  // Sent by another node's SYSTEM ... ON CLUSTER: run here only. (Anyone may ask for that;
  // the role is checked as for any statement.)
  const bool forwarded = request.Param(kForwardedParam) == "1";
  if (forwarded && statement->kind != StatementKind::kSystem) {
    return fail(absl::PermissionDeniedError("a statement forwarded ON CLUSTER must be a SYSTEM command"));
  }
  call.skip_unavailable_shards = request.Param("skip_unavailable_shards") == "1";
  // ClickHouse's settings as URL parameters; a statement's SETTINGS override them.
  call.use_query_cache = request.Param("use_query_cache") == "1" || request.Param("use_query_cache") == "true";
  if (double seconds = 0; absl::SimpleAtod(request.Param("query_cache_ttl"), &seconds) && seconds > 0) {
    call.query_cache_ttl = absl::Seconds(std::min(seconds, 1e9));
  }
  call.distributed = request.Param("distributed") != "0";
  if (parts_.control != nullptr && call.distributed && ClusterControl::Converges(*statement->statement)) {
    // Every node applies it, from the control topic: the whole text, an INSERT's rows included.
    // Read no further than one control message holds: a larger body is refused unread.
    if (request.body_stream != nullptr) {
      std::string body;
      if (absl::Status read = server_internal::ReadRestOfBody(
              *request.body_stream, std::min(options_.max_body_bytes, parts_.control->max_statement_bytes()), &body);
          !read.ok()) {
        return fail(absl::IsResourceExhausted(read)
                        ? absl::InvalidArgumentError(absl::StrCat(
                              "a statement that every node applies is one Kafka message, at most ",
                              parts_.control->max_statement_bytes(), " bytes: split the INSERT"))
                        : read);
      }
      absl::StrAppend(&sql, "\n", body);
    }
    call.control_sql = &sql;
  }
  const absl::Time started = absl::Now();
  absl::StatusOr<StatementOutput> output = RunStatement(call);
  const absl::Duration elapsed = absl::Now() - started;
  if (!output.ok()) return fail(output.status());
  if (const std::string& cluster_name = statement->statement->on_cluster; !cluster_name.empty() && !forwarded) {
    // Run here (above, the role checked), then on every other node.
    if (parts_.cluster == nullptr || cluster_name != "default") {
      return fail(absl::NotFoundError(absl::StrCat("Requested cluster '", cluster_name, "' not found",
                                                   parts_.cluster == nullptr ? " (this node is not in a cluster)"
                                                                             : " (the cluster is 'default')")));
    }
    absl::StatusOr<ResultSet> hosts = OnEveryNode(call);
    if (!hosts.ok()) return fail(hosts.status());
    output->result = *std::move(hosts);
  }
  if (output->kind == StatementOutput::Kind::kShardPart) {
    HttpResponse response = HttpResponse::Text(200, "");
    response.content_type = "application/x-mua-partial";
    response.body = std::move(output->shard_part);
    response.headers.emplace_back("X-ClickHouse-Query-Id", outcome->query_id);
    return response;
  }
  const bool streams_rows = output->kind == StatementOutput::Kind::kInsert && output->insert_table == "events";
  if (request.body_stream != nullptr && !streams_rows) {
    // Admitted for streaming, but not an INSERT into events: its body as text, bounded.
    std::string body;
    if (absl::Status read = server_internal::ReadRestOfBody(*request.body_stream, options_.max_body_bytes, &body);
        !read.ok()) {
      return fail(read);
    }
    absl::StrAppend(&sql, "\n", body);
  }

  if (output->kind == StatementOutput::Kind::kInsert) {
    if (output->insert_table != "events") {
      // A created table's rows (server/dimension_tables.h); events take the path below.
      absl::StatusOr<uint64_t> inserted = InsertTableRows(
          *parts_.catalog, *parts_.engine, output->insert_table,
          absl::string_view(sql).substr(std::min(output->data_offset, sql.size())), output->format,
          output->insert_columns);
      if (!inserted.ok()) return fail(inserted.status());
      outcome->rows = static_cast<int64_t>(*inserted);
      HttpResponse response = HttpResponse::Text(200, "");
      response.headers.emplace_back("X-ClickHouse-Query-Id", outcome->query_id);
      response.headers.emplace_back(
          "X-ClickHouse-Summary", Summary(outcome->rows, 0, outcome->rows, 0, absl::Now() - started));
      return response;
    }
    absl::StatusOr<BodyFormat> format = InsertFormat(output->format);
    if (!format.ok()) return fail(format.status());
    const absl::string_view inline_rows = absl::string_view(sql).substr(std::min(output->data_offset, sql.size()));
    absl::StatusOr<BodyIngestStats> stats;
    if (request.body_stream != nullptr) {
      // Rows written after FORMAT in the URL come first, then the body as it arrives,
      // block by block (each block durable before the next is read).
      bool inline_sent = absl::StripAsciiWhitespace(inline_rows).empty();
      const BodyChunkSource next = [&](std::string* chunk) -> absl::StatusOr<bool> {
        if (!inline_sent) {
          inline_sent = true;
          *chunk = absl::StrCat(inline_rows, "\n");
          return true;
        }
        return request.body_stream->Next(chunk);
      };
      stats = parts_.ingestor->IngestStream(next, *format, absl::StrCat("http:", outcome->query_id),
                                            output->insert_columns);
    } else {
      stats = parts_.ingestor->Ingest(inline_rows, *format, absl::StrCat("http:", outcome->query_id),
                                      output->insert_columns);
    }
    if (!stats.ok()) return fail(stats.status());
    outcome->rows = stats->accepted;
    if (stats->rejected > 0) {
      // Good rows are stored; the client must still learn that some were not.
      const RejectedEvent& first = stats->first_rejected.front();
      return fail(absl::DataLossError(absl::StrCat(
          stats->rejected, " of ", stats->events, " rows rejected, the other ", stats->accepted,
          " stored (", stats->duplicates, " duplicates); first: row ", first.offset, ": ",
          RejectReasonName(first.reason), ": ", first.message, "; all are in events_rejected")));
    }
    HttpResponse response = HttpResponse::Text(200, "");
    response.headers.emplace_back("X-ClickHouse-Query-Id", outcome->query_id);
    response.headers.emplace_back("X-ClickHouse-Summary",
                                  Summary(stats->events, stats->bytes, stats->accepted, 0, absl::Now() - started));
    return response;
  }

  std::string format_name = output->format;
  if (format_name.empty()) format_name = std::string(request.Param("default_format"));
  if (format_name.empty()) format_name = std::string(request.Header("X-ClickHouse-Format"));
  if (format_name.empty()) format_name = "TabSeparated";
  absl::StatusOr<OutputFormat> format = ParseOutputFormat(format_name);
  if (!format.ok()) return fail(format.status());
  HttpResponse response;
  response.content_type = std::string(ContentType(*format));
  WriteResult(output->result, *format, &response.body);
  outcome->rows = static_cast<int64_t>(output->result.row_count);
  outcome->read_rows = static_cast<int64_t>(output->result.statistics.rows_read);
  outcome->read_bytes = static_cast<int64_t>(output->result.statistics.bytes_read);
  outcome->memory_usage = output->result.statistics.peak_memory_bytes;
  response.headers.emplace_back("X-ClickHouse-Query-Id", outcome->query_id);
  response.headers.emplace_back("X-ClickHouse-Format", format_name);
  if (output->from_query_cache) response.headers.emplace_back("X-MUA-Query-Cache", "hit");
  if (!output->skipped_shards.empty()) {
    // skip_unavailable_shards: the answer leaves out the users of the shards skipped.
    std::vector<std::string> numbers;
    for (int shard : output->skipped_shards) numbers.push_back(std::to_string(shard + 1));
    response.headers.emplace_back("X-MUA-Shards-Skipped", std::to_string(numbers.size()));
    response.headers.emplace_back(
        "X-MUA-Warning", absl::StrCat("shard(s) ", absl::StrJoin(numbers, ", "),
                                      " unavailable and skipped (skip_unavailable_shards): their users are left out"));
  }
  response.headers.emplace_back("X-ClickHouse-Timezone", "UTC");
  response.headers.emplace_back(
      "X-ClickHouse-Summary",
      Summary(static_cast<int64_t>(output->result.statistics.rows_read),
              static_cast<int64_t>(output->result.statistics.bytes_read), 0,
              static_cast<int64_t>(output->result.row_count), elapsed));
  if (request.Param("add_http_cors_header") == "1") response.headers.emplace_back("Access-Control-Allow-Origin", "*");
  return response;
}

HttpResponse Service::Health(const HttpRequest& request) const {
  std::string kafka = "\"none\"";
  bool ready = true;
  bool degraded = false;
  int64_t lag = 0;
  if (parts_.consumer != nullptr) {
    const KafkaConsumerStats stats = parts_.consumer->stats();
    // Partitions the group has assigned, not those known from stored offsets: after a
    // crash the group may take a session timeout to hand them back.
    const int64_t partitions = stats.assigned_partitions;
    for (const auto& [key, partition] : parts_.consumer->partitions()) lag += partition.lag;
    const char* state = stats.paused_by_operator ? "stopped" : stats.paused_for_memory ? "paused" : "consuming";
    // Misplaced events (a producer not keying by user with murmur2): per-user results of the
    // cluster are no longer exact.
    degraded = stats.gap_messages > 0 || stats.paused_for_memory || stats.consumer_errors > 0 ||
               stats.misplaced_events > 0;
    ready = partitions > 0 || stats.batches > 0;
    kafka = absl::StrCat("{\"state\":\"", partitions == 0 ? "joining" : state, "\",\"partitions\":", partitions,
                         ",\"lag\":", lag, ",\"gap_messages\":", stats.gap_messages,
                         ",\"consumer_errors\":", stats.consumer_errors, ",\"events\":", stats.events,
                         ",\"misplaced_events\":", stats.misplaced_events, "}");
  }
  std::string storage = "\"memory\"";
  if (parts_.store != nullptr) {
    const StoreStats stats = parts_.store->stats();
    // A failing checkpoint is degraded until one succeeds again.
    const bool failing = !stats.last_error.empty();
    degraded = degraded || stats.degraded || failing;
    storage = absl::StrCat("{\"checkpoints\":", stats.checkpoints, ",\"checkpoint_errors\":",
                           stats.checkpoint_errors, ",\"persisted_rows\":", stats.persisted_rows,
                           ",\"degraded\":", stats.degraded ? "true" : "false", "}");
  }
  // The cluster as this node's probes see it; a sibling's trouble does not degrade this node.
  std::string cluster;
  if (parts_.cluster != nullptr) {
    const std::vector<ReplicaState> replicas = parts_.cluster->Snapshot();
    const size_t shards = parts_.cluster->config().shards.size();
    std::vector<int> healthy_in_shard(shards, 0);
    std::vector<int> unknown_in_shard(shards, 0);
    int healthy = 0;
    for (const ReplicaState& replica : replicas) {
      healthy += replica.healthy ? 1 : 0;
      healthy_in_shard[replica.shard] += replica.healthy ? 1 : 0;
      unknown_in_shard[replica.shard] += replica.probed ? 0 : 1;
    }
    std::string unavailable;
    for (size_t s = 0; s < shards; ++s) {
      if (healthy_in_shard[s] == 0 && unknown_in_shard[s] == 0) {
        absl::StrAppend(&unavailable, unavailable.empty() ? "" : ",", s + 1);
      }
    }
    const ClusterNode self = parts_.cluster->self();
    cluster = absl::StrCat(",\"cluster\":{\"shard\":", self.shard + 1, ",\"replica\":", self.replica + 1,
                           ",\"shards\":", shards, ",\"replicas\":", replicas.size(),
                           ",\"healthy_replicas\":", healthy, ",\"shards_unavailable\":[", unavailable, "]");
    // Users on more than one shard make every per-user answer of the cluster inexact.
    if (const SplitUsers split = parts_.cluster->split_users(); split.users >= 0) {
      degraded = degraded || split.users > 0;
      absl::StrAppend(&cluster, ",\"split_users\":", split.users, ",\"split_users_checked_ms\":",
                      absl::ToUnixMillis(split.checked_at), ",\"split_users_checked_by\":\"", split.checked_by, "\"");
      if (split.users > 0) {
        absl::StrAppend(&cluster, ",\"warning\":\"", split.users,
                        " users have events on more than one shard: per-user results are not exact (a producer "
                        "does not key events by user id with murmur2_random)\"");
      }
    }
    cluster += "}";
  }
  const bool want_ready = request.HasParam("ready") || request.Param("check") == "ready";
  const std::string body = absl::StrCat(
      "{\"status\":\"", degraded ? "degraded" : !ready ? "starting" : "ok", "\",\"live\":true,\"ready\":",
      ready ? "true" : "false", ",\"events\":", parts_.table->row_count(), ",\"kafka\":", kafka,
      ",\"storage\":", storage, cluster, "}\n");
  return HttpResponse::Json(want_ready && !ready ? 503 : 200, body);
}

HttpResponse Service::Metrics() const {
  std::string out;
  auto metric = [&out](absl::string_view name, absl::string_view type, absl::string_view help) {
    absl::StrAppend(&out, "# HELP ", name, " ", help, "\n# TYPE ", name, " ", type, "\n");
  };
  auto histogram = [&](absl::string_view name, absl::string_view help, const LatencyHistogram::Counts& counts,
                       std::initializer_list<double> bounds_seconds) {
    metric(name, "histogram", help);
    for (double bound : bounds_seconds) {
      absl::StrAppend(&out, name, "_bucket{le=\"", bound, "\"} ", counts.CountAtMost(absl::Seconds(bound)), "\n");
    }
    absl::StrAppend(&out, name, "_bucket{le=\"+Inf\"} ", counts.count, "\n", name, "_sum ",
                    absl::ToDoubleSeconds(counts.sum), "\n", name, "_count ", counts.count, "\n");
  };
  const MemoryUsage memory = parts_.table->Memory();
  metric("mua_table_rows", "gauge", "Rows stored per table.");
  absl::StrAppend(&out, "mua_table_rows{table=\"events\"} ", parts_.table->row_count(), "\n");
  metric("mua_table_memory_bytes", "gauge", "Bytes held per table.");
  absl::StrAppend(&out, "mua_table_memory_bytes{table=\"events\"} ", memory.total_bytes(), "\n");
  if (parts_.rejected != nullptr) {
    absl::StrAppend(&out, "mua_table_memory_bytes{table=\"events_rejected\"} ", parts_.rejected->bytes(), "\n");
  }
  if (parts_.consumer != nullptr) {
    const auto partitions = parts_.consumer->partitions();
    const KafkaConsumerStats stats = parts_.consumer->stats();
    auto per_partition = [&](absl::string_view name, absl::string_view type, absl::string_view help,
                             auto value) {
      metric(name, type, help);
      for (const auto& [key, partition] : partitions) {
        absl::StrAppend(&out, name, "{topic=\"", key.topic, "\",partition=\"", key.partition, "\"} ",
                        value(partition), "\n");
      }
    };
    per_partition("mua_ingest_events_total", "counter", "Events stored from Kafka.",
                  [](const PartitionIngestStats& p) { return p.events; });
    per_partition("mua_ingest_duplicates_total", "counter", "Repeated (user_id, event_id) dropped.",
                  [](const PartitionIngestStats& p) { return p.duplicates; });
    per_partition("mua_ingest_lag", "gauge", "Messages in Kafka not yet applied.",
                  [](const PartitionIngestStats& p) { return p.lag; });
    per_partition("mua_ingest_applied_offset", "gauge", "Next offset to apply.",
                  [](const PartitionIngestStats& p) { return p.applied_offset; });
    per_partition("mua_ingest_gap_messages_total", "counter",
                  "Messages the broker removed before MUA read them (lost).",
                  [](const PartitionIngestStats& p) { return p.gap_messages; });
    per_partition("mua_ingest_start_offset", "gauge",
                  "First offset MUA needed: end - start = events + rejected + duplicates + gaps + skipped.",
                  [](const PartitionIngestStats& p) { return p.start_offset; });
    per_partition("mua_ingest_skipped_offsets_total", "counter",
                  "Offsets the broker holds without a message (transaction markers, compaction).",
                  [](const PartitionIngestStats& p) { return p.skipped_offsets; });
    per_partition("mua_ingest_misplaced_events_total", "counter",
                  "Events a cluster replica appended whose key hashes (murmur2) to another shard.",
                  [](const PartitionIngestStats& p) { return p.misplaced_events; });
    per_partition("mua_ingest_freshness_seconds_last", "gauge",
                  "Produce to queryable, of the newest batch's oldest message.",
                  [](const PartitionIngestStats& p) { return p.freshness_ms / 1000.0; });
    metric("mua_ingest_rejected_total", "counter", "Events rejected, by reason.");
    std::array<int64_t, kNumRejectReasons> by_reason{};
    for (const auto& [key, partition] : partitions) {
      for (int r = 0; r < kNumRejectReasons; ++r) by_reason[r] += partition.rejected_by_reason[r];
    }
    for (int r = 0; r < kNumRejectReasons; ++r) {
      absl::StrAppend(&out, "mua_ingest_rejected_total{reason=\"", RejectReasonName(static_cast<RejectReason>(r)),
                      "\"} ", by_reason[r], "\n");
    }
    metric("mua_ingest_paused", "gauge", "1 while consumption is paused (memory limit or operator).");
    absl::StrAppend(&out, "mua_ingest_paused ", stats.paused_for_memory || stats.paused_by_operator ? 1 : 0, "\n");
    // For alerting (docs/prometheus/mua-rules.yml): per-partition messages and rejects (the reject
    // rate), the broker's end offset and the last batch's time (lag in time, a stalled consumer),
    // client errors, and the memory limit that pauses consumption.
    per_partition("mua_ingest_messages_total", "counter",
                  "Messages applied: events + duplicates + rejected.",
                  [](const PartitionIngestStats& p) { return p.messages; });
    per_partition("mua_ingest_partition_rejected_total", "counter",
                  "Messages rejected, per partition (by reason: mua_ingest_rejected_total).",
                  [](const PartitionIngestStats& p) { return p.rejected; });
    per_partition("mua_ingest_high_watermark", "gauge",
                  "The broker's end offset as of the partition's newest batch (-1 unknown).",
                  [](const PartitionIngestStats& p) { return p.high_watermark; });
    per_partition("mua_ingest_last_applied_timestamp_seconds", "gauge",
                  "Unix time the partition's newest batch became queryable (0 none yet).",
                  [](const PartitionIngestStats& p) { return p.last_applied_at_ms / 1000; });
    metric("mua_ingest_assigned_partitions", "gauge",
           "Partitions the consumer group assigns this server now.");
    absl::StrAppend(&out, "mua_ingest_assigned_partitions ", stats.assigned_partitions, "\n");
    metric("mua_ingest_consumer_errors_total", "counter",
           "Errors the Kafka client reported (broker unreachable, transport...); it retries.");
    absl::StrAppend(&out, "mua_ingest_consumer_errors_total ", stats.consumer_errors, "\n");
    metric("mua_ingest_commit_errors_total", "counter",
           "Failed offset commits to Kafka (lag tools only: MUA resumes from its checkpoints).");
    absl::StrAppend(&out, "mua_ingest_commit_errors_total ", stats.commit_errors, "\n");
    metric("mua_ingest_broker_errors_total", "counter",
           "Errors the Kafka client reported outside any message: brokers down or unreachable; it reconnects.");
    absl::StrAppend(&out, "mua_ingest_broker_errors_total ", stats.broker_errors, "\n");
    metric("mua_ingest_memory_limit_bytes", "gauge",
           "Consumption pauses at this many bytes of sum(mua_table_memory_bytes); 0: no limit.");
    absl::StrAppend(&out, "mua_ingest_memory_limit_bytes ", parts_.consumer->memory_limit(), "\n");
    histogram("mua_ingest_freshness_seconds", "Produce (Kafka CreateTime) to queryable, per message.",
              parts_.consumer->freshness(), {0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0});
  }
  histogram("mua_query_duration_seconds", "SQL statements, parse to result.", query_latency_.Snapshot(),
            {0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 30.0});
  metric("mua_queries_running", "gauge", "SQL statements running now.");
  absl::StrAppend(&out, "mua_queries_running ", running_.load(), "\n");
  if (parts_.query_cache != nullptr) {
    const QueryCache::Counters cache = parts_.query_cache->counters();
    metric("mua_query_cache_hits_total", "counter", "SELECTs answered from the result cache.");
    absl::StrAppend(&out, "mua_query_cache_hits_total ", cache.hits, "\n");
    metric("mua_query_cache_misses_total", "counter",
           "SELECTs that asked the result cache and were computed (no entry, or the rows it read changed).");
    absl::StrAppend(&out, "mua_query_cache_misses_total ", cache.misses, "\n");
    metric("mua_query_cache_entries", "gauge", "Results held by the result cache.");
    absl::StrAppend(&out, "mua_query_cache_entries ", cache.entries, "\n");
    metric("mua_query_cache_bytes", "gauge", "Bytes the result cache holds.");
    absl::StrAppend(&out, "mua_query_cache_bytes ", cache.bytes, "\n");
  }
  metric("mua_derived_block_bytes", "gauge",
         "Bytes of values kept per sealed block: property columns (JSON extractions computed once), filtered rows, experiment assignments.");
  absl::StrAppend(&out, "mua_derived_block_bytes ", DerivedBlockBytes(), "\n");
  metric("mua_queries_waiting", "gauge", "Admitted SQL statements waiting for their turn to execute.");
  absl::StrAppend(&out, "mua_queries_waiting ", slots_->waiting(), "\n");
  metric("mua_http_responses_total", "counter", "HTTP responses by status class.");
  for (int c = 1; c <= 5; ++c) {
    absl::StrAppend(&out, "mua_http_responses_total{code=\"", c, "xx\"} ", responses_by_class_[c].load(), "\n");
  }
  if (connections_) {
    metric("mua_http_connections", "gauge", "Open HTTP connections.");
    absl::StrAppend(&out, "mua_http_connections ", connections_(), "\n");
  }
  if (accept_errors_) {
    metric("mua_http_accept_errors_total", "counter", "accept() failures (e.g. out of descriptors), each backed off.");
    absl::StrAppend(&out, "mua_http_accept_errors_total ", accept_errors_(), "\n");
  }
  if (parts_.audit != nullptr) {
    metric("mua_audit_file_errors_total", "counter", "Audit lines the file could not take (kept in memory only).");
    absl::StrAppend(&out, "mua_audit_file_errors_total ", parts_.audit->file_errors(), "\n");
  }
  if (parts_.cluster != nullptr) {
    // The cluster as this node sees it: alert on a replica down or a user split across shards.
    const std::vector<ReplicaState> replicas = parts_.cluster->Snapshot();
    metric("mua_cluster_replica_healthy", "gauge", "1 while a replica answers its /health (this node's probes).");
    for (const ReplicaState& replica : replicas) {
      absl::StrAppend(&out, "mua_cluster_replica_healthy{shard=\"", replica.shard + 1, "\",replica=\"",
                      replica.replica + 1, "\",address=\"", replica.address, "\"} ", replica.healthy ? 1 : 0, "\n");
    }
    metric("mua_cluster_replica_lag", "gauge", "A replica's Kafka lag in messages, as its /health last said.");
    for (const ReplicaState& replica : replicas) {
      absl::StrAppend(&out, "mua_cluster_replica_lag{shard=\"", replica.shard + 1, "\",replica=\"",
                      replica.replica + 1, "\",address=\"", replica.address, "\"} ", replica.lag, "\n");
    }
    if (const SplitUsers split = parts_.cluster->split_users(); split.users >= 0) {
      metric("mua_cluster_split_users", "gauge", "Users with events on more than one shard at the last count.");
      absl::StrAppend(&out, "mua_cluster_split_users ", split.users, "\n");
    }
  }
  if (parts_.control != nullptr) {
    metric("mua_cluster_control_next_offset", "gauge",
           "The next control-topic offset this node applies (erasures, dimension tables' changes).");
    absl::StrAppend(&out, "mua_cluster_control_next_offset ", parts_.control->log().next_offset(), "\n");
    metric("mua_cluster_control_errors_total", "counter",
           "Control-topic read errors, offsets found missing and offsets not saved.");
    absl::StrAppend(&out, "mua_cluster_control_errors_total ", parts_.control->log().errors(), "\n");
    metric("mua_cluster_control_failed_total", "counter",
           "Control-topic changes this node could not apply (every node fails alike; logged).");
    absl::StrAppend(&out, "mua_cluster_control_failed_total ", parts_.control->failed(), "\n");
  }
  if (parts_.more_metrics) out += parts_.more_metrics();
  HttpResponse response = HttpResponse::Text(200, std::move(out));
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  return response;
}

}  // namespace mua
