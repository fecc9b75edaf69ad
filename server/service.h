// Service: every HTTP endpoint of MUA behind one Handle(request) — authentication and
// roles (SPEC §6), the ClickHouse-compatible SQL endpoint (SELECT..., INSERT INTO events
// FORMAT JSONEachRow|JSONCompactEachRow, KILL QUERY), the Grafana datasource under
// /grafana, the REST API under /api/v1, /ping, /health and /metrics — and the audit
// record of each request. It also adds system.audit_log, system.query_log and
// system.processes to the catalog.
//
//   Service service(parts, options);
//   HttpServer server([&](HttpRequest& request) { return service.Handle(request); }, {});
//
// Roles: viewer — /metrics, Grafana (not its free SQL), REST reads; analyst — + any
// read-only SQL (SELECT, EXPLAIN, SHOW, DESCRIBE) and /api/v1/query, KILL of its own
// queries; admin — + INSERT, /api/v1/events, SYSTEM, DELETE, KILL of any query.
// /ping and /health answer without a token (probes); a wrong token always gets 401.
//
// Thread safety: Handle may run concurrently.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/audit_log.h"
#include "server/auth.h"
#include "server/http_server.h"
#include "server/http_types.h"
#include "server/query_runner.h"
#include "sql/sql_engine.h"
#include "storage/base/latency_histogram.h"
#include "storage/base/memory_tracker.h"
#include "storage/base/version.h"

namespace mua {

class QueryCache;
namespace server_internal {
class ExecutionSlots;
}  // namespace server_internal

class BodyIngestor;
class Catalog;
class ClusterControl;
class ClusterMonitor;
class SnapshotService;
class KafkaConsumer;
class RejectedEventLog;
class SqlEngine;
class Store;
class Table;
class UserIdHasher;

struct ServiceParts {
  const Table* table = nullptr;
  Catalog* catalog = nullptr;
  const SqlEngine* engine = nullptr;
  BodyIngestor* ingestor = nullptr;
  const KafkaConsumer* consumer = nullptr;  // null without Kafka
  const RejectedEventLog* rejected = nullptr;
  AuditLog* audit = nullptr;
  const TokenStore* tokens = nullptr;
  const UserIdHasher* user_id_hasher = nullptr;  // with --hash_user_ids
  const Store* store = nullptr;                  // with --data_dir
  const ClusterMonitor* cluster = nullptr;       // with --cluster
  ClusterControl* control = nullptr;             // with --cluster: changes every node applies
  SnapshotService* snapshots = nullptr;          // with --cluster and --data_dir
  QueryCache* query_cache = nullptr;             // null: no result cache
  // More /metrics lines (the alert engine's), appended as they are; null: none.
  std::function<std::string()> more_metrics;
};

struct ServiceOptions {
  int max_concurrent_queries = 32;  // admitted at once (executing or waiting); 202 beyond
  // Of those, how many execute at once; the others wait their turn. 0: one per core.
  int max_executing_queries = 0;
  // Bytes one statement may hold (ClickHouse's max_memory_usage; error 241 beyond);
  // 0: only the server-wide cap applies. A request's max_memory_usage may lower it.
  int64_t max_memory_usage = 0;
  // Bytes all running statements together may hold; 0: no cap.
  int64_t max_query_memory = 0;
  absl::Duration max_execution_time = absl::Seconds(300);
  uint64_t max_result_rows = 10'000'000;
  int query_threads = 0;  // per query; 0: one per core
  // Request bodies: an admin's (ingest) up to max_body_bytes, everyone else's (SQL,
  // JSON requests) up to max_read_body_bytes, GETs and probes 64 KiB.
  size_t max_body_bytes = size_t{256} << 20;
  size_t max_read_body_bytes = size_t{16} << 20;
  // Browser origins allowed cross-site (CORS grants for /grafana; in development mode
  // any other Origin is refused).
  std::vector<std::string> cors_origins;
  std::string version = std::string(kMuaVersion);
  // The shared secret coordinators vouch for their principal with (--cluster_secret);
  // empty: shard parts are not accepted from other nodes' principals.
  std::string cluster_secret;
  // The REST API's and Grafana's statements use the result cache (exact entries: an
  // answer is served only while the rows it read are unchanged); the SQL endpoint's
  // only with use_query_cache = 1, ClickHouse's default.
  bool query_cache_for_api = true;
};

class Service {
 public:
  Service(ServiceParts parts, ServiceOptions options);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  HttpResponse Handle(HttpRequest& request);

  // For HttpServerOptions::admit: authenticates a request from its head and sets its
  // body limit by endpoint and role, before any of the body is read.
  HttpAdmission Admit(const HttpRequest& head);

  // Requests answered on the I/O threads (HttpServerOptions::answer_inline): /ping,
  // /health, /metrics and GET / without a query (ClickHouse's health check).
  static bool IsProbe(const HttpRequest& request);

  // Runs statements as `principal` with every endpoint's limits, admission and
  // system.processes entry (the alert engine's rules run as an analyst).
  std::unique_ptr<QueryRunner> RunnerFor(Principal principal);

  // Cancels every running statement (shutdown): each stops at its next check.
  void CancelAll();

  // For /metrics: the HTTP server's connection count (set once it exists).
  void set_connection_counter(std::function<int64_t()> counter) { connections_ = std::move(counter); }
  // For /metrics: the HTTP server's failed accept() calls (each followed by a backoff).
  void set_accept_error_counter(std::function<int64_t()> counter) { accept_errors_ = std::move(counter); }

  // Whether no request ran for `quiet` (none is running, streamed INSERTs included, and
  // the last one ended that long ago): when returning freed pages to the OS, or reading
  // ahead for later queries, costs no request time or memory beside theirs.
  bool Idle(absl::Duration quiet) const {
    return running_.load() == 0 && handling_.load() == 0 &&
           absl::Now() - absl::FromUnixNanos(last_query_end_ns_.load()) > quiet;
  }

 private:
  struct RunningQuery;
  struct QueryCall;
  class RequestRunner;
  struct Outcome;  // what the audit record needs besides the response
  struct Gate {      // who sent a request, or why it is refused before routing
    Principal principal;
    std::optional<HttpResponse> refusal;
    std::string error;
  };
  Gate Authenticate(const HttpRequest& request) const;
  absl::StatusOr<Principal> AuthenticateCoordinator(const HttpRequest& request) const;
  void Audit(const HttpRequest& request, const Principal& principal, absl::Time start,
             const HttpResponse& response, Outcome* outcome);
  QueryCall DefaultCall(const Principal& principal);
  // Every statement of every endpoint: admission, system.processes, limits, memory
  // tracking, the role check on the parsed statement.
  absl::StatusOr<StatementOutput> RunStatement(const QueryCall& call);
  HttpResponse Route(HttpRequest& request, const Principal& principal, Outcome* outcome);
  HttpResponse HandleSql(HttpRequest& request, const Principal& principal, Outcome* outcome);
  HttpResponse Health(const HttpRequest& request) const;
  HttpResponse Metrics() const;
  absl::StatusOr<std::string> Kill(absl::string_view query_id);
  // SYSTEM ... ON CLUSTER, run here already: the other nodes, and ClickHouse's answer
  // (host, port, status, error, num_hosts_remaining, num_hosts_active), or the first error.
  absl::StatusOr<ResultSet> OnEveryNode(const QueryCall& call) const;

  const ServiceParts parts_;
  const ServiceOptions options_;
  std::function<int64_t()> connections_;
  std::function<int64_t()> accept_errors_;
  std::atomic<int> running_{0};
  std::atomic<int64_t> last_query_end_ns_{0};  // of a statement, or of any request
  std::atomic<int> handling_{0};                // requests in Handle (a streamed INSERT's whole body)
  std::atomic<int64_t> query_counter_{0};
  LatencyHistogram query_latency_;
  MemoryTracker all_queries_memory_;
  std::unique_ptr<server_internal::ExecutionSlots> slots_;
  std::atomic<int64_t> responses_by_class_[6] = {};  // 1xx..5xx by first digit

  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<RunningQuery>> running_queries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mua
