// mua-server: the MUA database process.
//
// Server mode (default): consume events from Kafka (--kafka_brokers) and/or
// --load files, and answer SQL over HTTP (ClickHouse-compatible, --http,
// default 127.0.0.1:8720) until SIGINT/SIGTERM.
// Local mode (with --query, --queries_file or --batch_dir): load, answer,
// exit — like clickhouse-local:
//   mua-server --load events.jsonl --query 'SELECT count() FROM events' [--format JSON]
#include <malloc.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <atomic>
#include <csignal>
#include <thread>
#include <cstdio>
#include <filesystem>
#include <map>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/synchronization/mutex.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/ascii.h"
#include "absl/time/time.h"
#include "ingest/json_lines_loader.h"
#include "query/analytics/experiment.h"
#include "ingest/kafka_consumer.h"
#include "ingest/rejected_event_log.h"
#include "server/http_server.h"
#include "server/audit_log.h"
#include "server/cluster_config.h"
#include "server/cluster_control.h"
#include "server/alerts.h"
#include "server/builtin_alerts.h"
#include "server/cluster_monitor.h"
#include "server/internal/alert_delivery.h"
#include "server/cluster_query.h"
#include "server/cluster_snapshot.h"
#include "server/auth.h"
#include "server/dimension_tables.h"
#include "server/ingest_tables.h"
#include "server/internal/grafana_scope.h"
#include "server/memory_table.h"
#include "server/query_log.h"
#include "server/service.h"
#include "ingest/body_ingestor.h"
#include "ingest/kafka_producer.h"
#include "ingest/pii.h"
#include "query/output_format.h"
#include "sql/catalog.h"
#include "sql/parser.h"
#include "sql/query_cache.h"
#include "sql/sql_engine.h"
#include "ingest/dedup.h"
#include "server/storage_tables.h"
#include "storage/base/command_line.h"
#include "storage/base/status_macros.h"
#include "storage/derived_block.h"
#include "storage/dimension_table.h"
#include "storage/store.h"
#include "storage/table.h"

ABSL_FLAG(std::vector<std::string>, load, {}, "JSON-lines event files to load (comma-separated or repeated)");
ABSL_FLAG(std::string, query, "", "SQL to run after loading; several statements separated by ';'");
ABSL_FLAG(std::string, queries_file, "", "a file of ';'-separated SQL statements to run");
ABSL_FLAG(std::string, format, "TabSeparated", "output format when a statement has no FORMAT clause");
ABSL_FLAG(int, threads, 0, "query threads (0: one per core)");
ABSL_FLAG(int, retention_days, 730,
          "events of days older than this are rejected at ingest and their partitions dropped, in "
          "memory and on disk (0: keep everything, e.g. to load historical data)");
ABSL_FLAG(std::string, dedup_window, "7d",
          "a repeat of (user_id, event_id) that arrives within this long of the first is dropped as a "
          "duplicate: a duration such as 7d, 36h, 90m or 30s (0: no de-duplication)");
ABSL_FLAG(int, rejected_retention_days, 30,
          "events_rejected keeps the rejects of this many days (older ones are dropped and counted "
          "in system.ingest_summary's rejected_expired; 0: keep them, within the count and byte bounds)");
ABSL_FLAG(std::string, data_dir, "mua-data",
          "server mode: the data directory (checkpoints, WAL); events survive restarts and crashes. "
          "Local mode (--query...) uses it only when given. Empty: memory only");
ABSL_FLAG(double, checkpoint_interval, 10, "seconds between checkpoints of new data to --data_dir");
ABSL_FLAG(std::string, cold_columns, "event_id,attributes",
          "string columns sealed segments keep only in --data_dir once checkpointed, read back on "
          "demand (comma-separated, of session_id, event_id, properties, attributes; none: all "
          "resident). Without a data directory everything stays resident");
ABSL_FLAG(std::string, backup_root, "",
          "SYSTEM BACKUP TO 'path' is allowed only for paths under this directory (and outside "
          "--data_dir); empty: backups are refused");
ABSL_FLAG(std::string, on_corruption, "stop",
          "when a persisted file fails its checksum at start: stop (refuse to start, naming it), "
          "skip (quarantine it, serve the rest, report degraded) or discard (set the data aside, "
          "start empty and re-read Kafka)");
ABSL_FLAG(int64_t, max_dimension_table_mb, 1024,
          "MiB of values one created table (CREATE TABLE ... ENGINE = MergeTree|Log|Memory) may hold; an "
          "INSERT beyond it fails");
ABSL_FLAG(bool, verbose, false, "print load statistics to stderr");
ABSL_FLAG(std::string, http, "127.0.0.1:8720", "server mode: HOST:PORT of the HTTP endpoint");
ABSL_FLAG(std::string, https, "",
          "server mode: HOST:PORT of an HTTPS endpoint (TLS 1.2+, same API), with --tls_cert and --tls_key");
ABSL_FLAG(std::string, tls_cert, "", "PEM certificate chain for --https");
ABSL_FLAG(std::string, tls_key, "", "PEM private key for --https");
ABSL_FLAG(std::string, kafka_brokers, "", "server mode: consume from these Kafka brokers");
ABSL_FLAG(std::string, kafka_topic, "mobile_app_events", "Kafka topics to consume, comma-separated");
ABSL_FLAG(std::string, kafka_group, "mua", "Kafka consumer group");
ABSL_FLAG(std::string, cluster, "",
          "cluster mode (docs/CLUSTER.md): the cluster file (Kafka brokers, topics, partitions; "
          "shards and their replicas); this node consumes its shard's partitions (p mod shards)");
ABSL_FLAG(std::string, node, "",
          "with --cluster: this node's HOST:PORT as the cluster file lists it (also the --http "
          "address unless --http is given)");
ABSL_FLAG(std::string, cluster_bootstrap, "auto",
          "with --cluster and an empty --data_dir: copy a sibling replica's snapshot first -- auto (when Kafka no "
          "longer holds the shard's first events), always, or never");
ABSL_FLAG(int, cluster_split_check_s, 600,
          "with --cluster: how often (seconds) the first healthy node counts users seen on more than one shard "
          "(system.clusters.split_users, /health)");
ABSL_FLAG(std::string, cluster_secret, "",
          "with --cluster: a file holding the secret (16+ characters, the same on every node) with "
          "which coordinators vouch for their caller to the shards; required with --tokens");
ABSL_FLAG(std::vector<std::string>, kafka_property, {},
          "extra librdkafka consumer properties, comma-separated NAME=VALUE "
          "(security.protocol, sasl.*, ssl.*, fetch tuning); they override MUA's own");
ABSL_FLAG(std::string, kafka_instance_id, "",
          "Kafka static group membership (group.instance.id): a restarted server takes its "
          "partitions back at once instead of waiting out the dead member's session. Default with "
          "--data_dir: mua-<hash of the directory's path>; 'none' turns it off");
ABSL_FLAG(std::string, hash_user_ids, "",
          "PII: a salt file; user ids are stored as keyed SipHash-128 hashes of it (REST lookups hash "
          "the id the same way)");
ABSL_FLAG(std::string, tokens, "",
          "bearer tokens file: TOKEN ROLE PRINCIPAL per line (roles viewer|analyst|admin); without it "
          "the server runs in development mode and only binds to loopback");
ABSL_FLAG(std::string, audit_log, "mua-audit.jsonl", "JSON-lines audit log file, one line per request");
ABSL_FLAG(int64_t, audit_log_max_mb, 100,
          "rotate the audit log when it would exceed this many MiB (FILE -> FILE.1 -> FILE.2 ...)");
ABSL_FLAG(int, audit_log_files, 5, "audit log files kept, the live one included (older ones are deleted)");
ABSL_FLAG(int, max_concurrent_queries, 32,
          "SQL statements admitted at once (executing or waiting their turn); more get error 202");
ABSL_FLAG(int, max_executing_queries, 0,
          "of the admitted statements, how many execute at once (the others wait, within their "
          "max_execution_time); 0: one per core");
ABSL_FLAG(int64_t, max_memory_usage, 0,
          "bytes one statement may hold (error 241 beyond); 0: only --max_query_memory applies");
ABSL_FLAG(int64_t, max_query_memory, -1,
          "bytes all running statements together may hold (error 241 beyond); -1: half the RAM, 0: no cap");
ABSL_FLAG(double, max_execution_time, 300, "seconds a query may run before error 159");
ABSL_FLAG(uint64_t, max_result_rows, 10'000'000, "rows a result may have before error 396");
// The result cache (docs/SQL.md "Query cache"); ClickHouse's server settings' names.
ABSL_FLAG(uint64_t, query_cache_max_size_in_bytes, 256ull << 20, "bytes the result cache may hold; 0: no cache");
ABSL_FLAG(uint64_t, query_cache_max_entries, 1024, "results the result cache may hold");
ABSL_FLAG(uint64_t, query_cache_max_entry_size_in_bytes, 1 << 20, "largest result the cache keeps, bytes");
ABSL_FLAG(uint64_t, query_cache_max_entry_size_in_rows, 30'000'000, "largest result the cache keeps, rows");
ABSL_FLAG(bool, query_cache_for_api, true,
          "REST API and Grafana statements use the result cache (the SQL endpoint's need use_query_cache=1)");
ABSL_FLAG(uint64_t, derived_block_budget_bytes, 256ull << 20,
          "bytes the property columns kept per sealed block may hold together (JSON extractions "
          "computed once per block, docs/SQL.md \"Property columns\"); 0: keep none");
ABSL_FLAG(std::string, exposure_event, "experiment_exposure",
          "event_type of experiment exposure events (properties `experiment` and `variant`)");
ABSL_FLAG(int64_t, max_body_mb, 256,
          "largest request body accepted (413 beyond); a streaming INSERT's rows are not bounded");
ABSL_FLAG(int64_t, max_connections, 10'000, "open HTTP connections (503 beyond)");
ABSL_FLAG(int64_t, max_read_body_mb, 16,
          "largest request body accepted from a non-admin (SQL, JSON requests; 413 beyond); "
          "admins' ingest bodies are bounded by --max_body_mb");
ABSL_FLAG(std::string, cors_origins, "",
          "comma-separated browser origins (e.g. https://grafana.example.com) allowed cross-site: CORS "
          "grants for /grafana; in development mode requests with any other Origin are refused");
ABSL_FLAG(std::string, alerts, "",
          "a YAML file of alert rules (docs/ALERTS.md): added to the built-in ones, replacing or turning off those "
          "it names; empty: the built-in rules only");
ABSL_FLAG(std::string, alertmanager, "",
          "Prometheus Alertmanager URLs (http://HOST:PORT[/prefix], comma-separated) firing and resolved alerts are "
          "sent to (API v2); empty: alerts are only in system.alerts and /metrics");
ABSL_FLAG(int64_t, memory_limit_mb, -1,
          "pause Kafka consumption while the data holds this many MiB (-1: 75% of RAM; 0: no limit)");
ABSL_FLAG(std::string, batch_dir, "",
          "run every DIR/*.sql (one statement each, in name order) and write DIR/<name>.out "
          "(the result) or DIR/<name>.err (the error); for test harnesses that load once");

namespace mua {
namespace {

// Splits a script at ';' outside string literals, quoted names and comments.
std::vector<std::string> SplitStatements(const std::string& script) {
  std::vector<std::string> statements;
  std::string current;
  for (size_t i = 0; i < script.size(); ++i) {
    const char c = script[i];
    if (c == '\'' || c == '"' || c == '`') {
      const size_t start = i++;
      while (i < script.size() && script[i] != c) i += script[i] == '\\' ? 2 : 1;
      current.append(script, start, std::min(i + 1, script.size()) - start);
      continue;
    }
    if (c == '-' && i + 1 < script.size() && script[i + 1] == '-') {
      while (i < script.size() && script[i] != '\n') current.push_back(script[i++]);
      current.push_back('\n');
      continue;
    }
    if (c == '/' && i + 1 < script.size() && script[i + 1] == '*') {
      const size_t end = script.find("*/", i + 2);
      const size_t stop = end == std::string::npos ? script.size() : end + 2;
      current.append(script, i, stop - i);
      i = stop - 1;
      continue;
    }
    if (c == ';') {
      statements.push_back(std::move(current));
      current.clear();
      continue;
    }
    current.push_back(c);
  }
  statements.push_back(std::move(current));
  std::vector<std::string> nonempty;
  for (std::string& statement : statements) {
    if (statement.find_first_not_of(" \t\r\n") != std::string::npos) nonempty.push_back(std::move(statement));
  }
  return nonempty;
}

int Fail(const std::string& message) {
  std::fprintf(stderr, "mua-server: %s\n", message.c_str());
  return 1;
}

// Runs one statement; on success fills *body with its formatted result, else
// *error with the message (and a caret under the position, when known).
bool RunStatement(const SqlEngine& engine, const ExecuteOptions& options, OutputFormat default_format,
                  const std::string& sql, std::string* body, std::string* error) {
  absl::StatusOr<StatementOutput> output = engine.Execute(sql, options);
  if (!output.ok()) {
    *error = absl::StrCat(output.status().message(), "\n");
    if (std::optional<SqlError> position = GetSqlError(output.status())) {
      absl::StrAppend(error, DrawCaret(sql, *position));
    }
    return false;
  }
  if (output->kind == StatementOutput::Kind::kInsert) {
    *error = "INSERT needs the HTTP endpoint; use --load for files\n";
    return false;
  }
  OutputFormat format = default_format;
  if (!output->format.empty()) {
    absl::StatusOr<OutputFormat> parsed = ParseOutputFormat(output->format);
    if (!parsed.ok()) {
      *error = absl::StrCat(parsed.status().message(), "\n");
      return false;
    }
    format = *parsed;
  }
  WriteResult(output->result, format, body);
  return true;
}

int RunBatch(const SqlEngine& engine, const ExecuteOptions& options, OutputFormat format,
             const std::string& dir) {
  std::vector<std::filesystem::path> files;
  std::error_code error_code;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error_code)) {
    if (entry.path().extension() == ".sql") files.push_back(entry.path());
  }
  if (error_code) return Fail(absl::StrCat("cannot list ", dir, ": ", error_code.message()));
  std::sort(files.begin(), files.end());
  for (const std::filesystem::path& file : files) {
    std::ifstream in(file);
    std::stringstream sql;
    sql << in.rdbuf();
    std::string body, error;
    const bool ok = RunStatement(engine, options, format, sql.str(), &body, &error);
    std::filesystem::path out = file;
    out.replace_extension(ok ? ".out" : ".err");
    std::ofstream(out, std::ios::binary) << (ok ? body : error);
  }
  return 0;
}

size_t MemoryLimitBytes() {
  const int64_t mib = absl::GetFlag(FLAGS_memory_limit_mb);
  if (mib >= 0) return static_cast<size_t>(mib) << 20;
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page_size > 0 ? static_cast<size_t>(pages) * static_cast<size_t>(page_size) / 4 * 3 : 0;
}

// --kafka_property NAME=VALUE, every client's (consumer, producer, control topic).
absl::StatusOr<std::map<std::string, std::string>> KafkaProperties() {
  std::map<std::string, std::string> properties;
  for (const std::string& property : absl::GetFlag(FLAGS_kafka_property)) {
    const std::pair<std::string, std::string> name_value = absl::StrSplit(property, absl::MaxSplits('=', 1));
    if (name_value.first.empty() || property.find('=') == std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat("--kafka_property ", property, ": expected NAME=VALUE"));
    }
    properties[name_value.first] = name_value.second;
  }
  return properties;
}

// A cluster node's secret (--cluster_secret FILE): its text without surrounding whitespace.
absl::StatusOr<std::string> ClusterSecret() {
  const std::string path = absl::GetFlag(FLAGS_cluster_secret);
  if (path.empty()) return std::string();
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read --cluster_secret ", path));
  std::string secret(absl::StripAsciiWhitespace(text.str()));
  if (secret.size() < 16) return absl::InvalidArgumentError("--cluster_secret: the secret needs 16 characters or more");
  return secret;
}

std::atomic<bool> stop_requested{false};
void RequestStop(int) { stop_requested.store(true); }

// Server mode: Kafka consumer + HTTP endpoint + idle-head sealing, until a signal.
int Serve(Table* table, Catalog* catalog, const SqlEngine& engine, const IngestOptions& ingest,
          Store* store, const DimensionTables* dimension_tables) {
  std::signal(SIGINT, RequestStop);
  std::signal(SIGTERM, RequestStop);
  std::string http = absl::GetFlag(FLAGS_http);
  std::optional<ClusterConfig> cluster;
  ClusterNode self;
  const std::string node = absl::GetFlag(FLAGS_node);
  if (const std::string path = absl::GetFlag(FLAGS_cluster); !path.empty()) {
    absl::StatusOr<ClusterConfig> loaded = ClusterConfig::Load(path);
    if (!loaded.ok()) return Fail(std::string(loaded.status().message()));
    if (node.empty()) return Fail("--cluster needs --node HOST:PORT, this node's address in the cluster file");
    absl::StatusOr<ClusterNode> located = loaded->Locate(node);
    if (!located.ok()) return Fail(std::string(located.status().message()));
    self = *located;
    cluster = *std::move(loaded);
    // Listens where the file says it does, unless --http says otherwise.
    const absl::CommandLineFlag* http_flag = absl::FindCommandLineFlag("http");
    if (http_flag->CurrentValue() == http_flag->DefaultValue()) http = node;
  } else if (!node.empty()) {
    return Fail("--node is for cluster mode: give --cluster FILE too");
  }
  const size_t colon = http.rfind(':');
  int port = 0;
  if (colon == std::string::npos || !absl::SimpleAtoi(http.substr(colon + 1), &port)) {
    return Fail(absl::StrCat("--http needs HOST:PORT, got '", http, "'"));
  }
  std::unique_ptr<KafkaConsumer> consumer;
  std::thread consumer_thread;
  if (const std::string brokers = absl::GetFlag(FLAGS_kafka_brokers); !brokers.empty() || cluster) {
    KafkaConsumerOptions options;
    options.brokers = brokers;
    options.topics = absl::StrSplit(absl::GetFlag(FLAGS_kafka_topic), ',', absl::SkipEmpty());
    options.group = absl::GetFlag(FLAGS_kafka_group);
    options.ingest = ingest;
    options.memory_limit_bytes = MemoryLimitBytes();
    if (cluster) {
      // Its shard's partitions by explicit assignment; offsets committed under a group of
      // its own, so replicas never overwrite each other's.
      options.brokers = cluster->brokers;
      options.topics = cluster->topics;
      options.group = absl::StrCat(options.group, "-", node);
      options.partitions = cluster->OwnedPartitions(self.shard);
      options.cluster_shards = static_cast<int32_t>(cluster->shards.size());
      options.cluster_topic_partitions = cluster->partitions;
      std::cerr << "mua-server: cluster node " << node << ": shard " << self.shard + 1 << " of "
                << cluster->shards.size() << ", replica " << self.replica + 1 << ", partitions "
                << absl::StrJoin(options.partitions, ",") << " of " << absl::StrJoin(options.topics, ",")
                << "\n";
    }
    // One server per data directory (it is locked), so the directory names the member.
    std::string instance = cluster ? "none" : absl::GetFlag(FLAGS_kafka_instance_id);
    if (instance.empty() && store != nullptr) {
      instance = absl::StrFormat("mua-%016x", std::hash<std::string>()(
                                                  std::filesystem::absolute(store->options().dir).string()));
    }
    if (!instance.empty() && instance != "none") options.config["group.instance.id"] = instance;
    absl::StatusOr<std::map<std::string, std::string>> properties = KafkaProperties();
    if (!properties.ok()) return Fail(std::string(properties.status().message()));
    for (const auto& [name, value] : *properties) options.config[name] = value;
    absl::StatusOr<std::unique_ptr<KafkaConsumer>> opened = KafkaConsumer::Open(options, table);
    if (!opened.ok()) return Fail(std::string(opened.status().message()));
    consumer = *std::move(opened);
  }
  RegisterIngestTables(catalog, ingest.rejected_log, consumer.get(), ingest.dedup);
  RegisterStorageTables(catalog, store, dimension_tables);
  RegisterMemoryTable(catalog, table, ingest.dedup);
  std::unique_ptr<ClusterMonitor> cluster_monitor;
  if (cluster) {
    const KafkaConsumer* local_consumer = consumer.get();
    cluster_monitor = std::make_unique<ClusterMonitor>(*cluster, self, [table, local_consumer] {
      ReplicaState local;
      local.healthy = true;  // it is answering
      local.status = "ok";
      local.events = static_cast<int64_t>(table->row_count());
      if (local_consumer != nullptr) {
        for (const auto& [key, partition] : local_consumer->partitions()) local.lag += partition.lag;
      }
      return local;
    });
    RegisterClusterTable(catalog, cluster_monitor.get());
  }

  const std::string host = http.substr(0, colon);
  TokenStore tokens;
  if (const std::string path = absl::GetFlag(FLAGS_tokens); !path.empty()) {
    absl::StatusOr<TokenStore> loaded = TokenStore::Load(path);
    if (!loaded.ok()) return Fail(std::string(loaded.status().message()));
    tokens = *std::move(loaded);
  }
  if (!absl::GetFlag(FLAGS_cluster_secret).empty() && !cluster) {
    return Fail("--cluster_secret is for cluster mode: give --cluster FILE too");
  }
  absl::StatusOr<std::string> secret = ClusterSecret();
  if (!secret.ok()) return Fail(std::string(secret.status().message()));
  const std::string cluster_secret = *std::move(secret);
  if (cluster_monitor != nullptr) {
    // One node (the first healthy one) counts users split across shards now and then: every
    // user's 128-bit fingerprint travels to it, so not on every probe.
    cluster_monitor->StartSplitUserCheck(
        [&engine, monitor = cluster_monitor.get(), cluster_secret]() -> absl::StatusOr<int64_t> {
          constexpr absl::string_view kSplitUsers =
              "SELECT uniqExact(user_id) - uniqExact(concat(user_id, '')) FROM events";
          const ClusterFanout fanout(monitor, cluster_secret,
                                     ClusterStatement{std::string(kSplitUsers), {}, Principal{"mua-cluster", Role::kAdmin},
                                                      absl::StrCat("split-users-", absl::ToUnixMillis(absl::Now()))});
          ExecuteOptions options;
          options.caller = QueryCaller{"mua-cluster", true};
          options.fanout = &fanout;
          options.max_execution_time = absl::Minutes(5);
          absl::StatusOr<StatementOutput> output = engine.Execute(kSplitUsers, options);
          if (!output.ok()) return output.status();
          if (output->result.row_count != 1 || output->result.columns.size() != 1) {
            return absl::InternalError("the split-user count answered no single value");
          }
          return output->result.columns[0].ints[0];
        },
        absl::Seconds(std::max(1, absl::GetFlag(FLAGS_cluster_split_check_s))));
  }
  // Shards trust a coordinator's caller only through the secret.
  if (cluster && !tokens.development_mode() && cluster_secret.empty()) {
    return Fail("--cluster with --tokens needs --cluster_secret FILE (the same secret on every node)");
  }
  const std::string https = absl::GetFlag(FLAGS_https);
  const size_t https_colon = https.rfind(':');
  if (!https.empty() && (https_colon == std::string::npos || absl::GetFlag(FLAGS_tls_cert).empty() ||
                         absl::GetFlag(FLAGS_tls_key).empty())) {
    return Fail("--https needs HOST:PORT, --tls_cert FILE and --tls_key FILE");
  }
  const std::string https_host = https.empty() ? "" : https.substr(0, https_colon);
  auto loopback = [](const std::string& name) {
    return name == "127.0.0.1" || name == "::1" || name == "localhost" || name.rfind("127.", 0) == 0;
  };
  if (tokens.development_mode() && (!loopback(host) || (!https.empty() && !loopback(https_host)))) {
    return Fail(absl::StrCat("refusing to listen on ", loopback(host) ? https_host : host,
                             " without --tokens: development mode (no authentication) is for loopback "
                             "addresses only"));
  }
  if (absl::GetFlag(FLAGS_audit_log_max_mb) < 1) return Fail("--audit_log_max_mb must be at least 1");
  absl::StatusOr<std::unique_ptr<AuditLog>> audit =
      AuditLog::Open({.path = absl::GetFlag(FLAGS_audit_log),
                      .max_file_bytes = static_cast<uint64_t>(absl::GetFlag(FLAGS_audit_log_max_mb)) << 20,
                      .max_files = absl::GetFlag(FLAGS_audit_log_files)});
  if (!audit.ok()) return Fail(std::string(audit.status().message()));
  RegisterQueryLog(catalog, audit->get());
  // Ingest through the log: in a cluster, events an HTTP request brings go to Kafka keyed by
  // user, and the owning shard's replicas consume them like any other event.
  std::unique_ptr<KafkaEventProducer> producer;
  std::unique_ptr<ClusterControl> control;
  // A sibling replica bootstrapping copies this node's checkpoint.
  std::unique_ptr<SnapshotService> snapshots;
  if (cluster && store != nullptr) {
    snapshots = std::make_unique<SnapshotService>(store, store->options().dir + "/snapshots");
  }
  IngestOptions body_ingest = ingest;
  if (cluster) {
    // Security and client settings serve both; librdkafka ignores consumer-only ones here.
    absl::StatusOr<std::map<std::string, std::string>> properties = KafkaProperties();
    if (!properties.ok()) return Fail(std::string(properties.status().message()));
    KafkaProducerOptions options{.brokers = cluster->brokers, .topic = cluster->topics.front(), .config = *properties};
    absl::StatusOr<std::unique_ptr<KafkaEventProducer>> opened = KafkaEventProducer::Open(options);
    if (!opened.ok()) return Fail(std::string(opened.status().message()));
    producer = *std::move(opened);
    body_ingest.forward = producer.get();
    // Erasures and dimension tables' changes: every node applies them in the control topic's order.
    absl::StatusOr<std::unique_ptr<ClusterControl>> control_opened = ClusterControl::Open(
        {.brokers = cluster->brokers,
         .topic = cluster->control_topic,
         .self = node,
         .state_file = store != nullptr ? store->options().dir + "/control_offset" : "",
         .config = options.config},
        catalog, &engine);
    if (!control_opened.ok()) return Fail(std::string(control_opened.status().message()));
    control = *std::move(control_opened);
  }
  BodyIngestor ingestor(table, body_ingest);
  SetDerivedBlockBudget(absl::GetFlag(FLAGS_derived_block_budget_bytes));
  std::unique_ptr<QueryCache> query_cache;
  if (absl::GetFlag(FLAGS_query_cache_max_size_in_bytes) > 0) {
    query_cache = std::make_unique<QueryCache>(QueryCacheOptions{
        .max_entries = absl::GetFlag(FLAGS_query_cache_max_entries),
        .max_bytes = absl::GetFlag(FLAGS_query_cache_max_size_in_bytes),
        .max_entry_bytes = absl::GetFlag(FLAGS_query_cache_max_entry_size_in_bytes),
        .max_entry_rows = absl::GetFlag(FLAGS_query_cache_max_entry_size_in_rows)});
  }
  // Alerting (docs/ALERTS.md): rules run through the service, as an analyst, with every
  // statement's limits.
  AlertRulesFile alert_rules;
  if (const std::string path = absl::GetFlag(FLAGS_alerts); !path.empty()) {
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    if (!file) return Fail(absl::StrCat("--alerts ", path, ": cannot read it"));
    absl::StatusOr<AlertRulesFile> parsed = ParseAlertRules(text.str());
    if (!parsed.ok()) return Fail(absl::StrCat("--alerts ", path, ": ", parsed.status().message()));
    alert_rules = *std::move(parsed);
  }
  std::unique_ptr<server_internal::AlertmanagerNotifier> alertmanager;
  if (const std::string urls = absl::GetFlag(FLAGS_alertmanager); !urls.empty()) {
    absl::StatusOr<std::unique_ptr<server_internal::AlertmanagerNotifier>> created =
        server_internal::AlertmanagerNotifier::Create(absl::StrSplit(urls, ',', absl::SkipWhitespace()));
    if (!created.ok()) return Fail(std::string(created.status().message()));
    alertmanager = *std::move(created);
  }
  std::unique_ptr<AlertEngine> alert_engine;
  std::unique_ptr<QueryRunner> alert_runner;
  std::atomic<bool> consumer_running{false};
  Service service({.table = table,
                   .catalog = catalog,
                   .engine = &engine,
                   .ingestor = &ingestor,
                   .consumer = consumer.get(),
                   .rejected = ingest.rejected_log,
                   .audit = audit->get(),
                   .tokens = &tokens,
                   .user_id_hasher = ingest.decoder.user_id_hasher,
                   .store = store,
                   .cluster = cluster_monitor.get(),
                   .control = control.get(),
                   .snapshots = snapshots.get(),
                   .query_cache = query_cache.get(),
                   .more_metrics =
                       [&alert_engine, &alertmanager] {
                         std::string text = alert_engine ? alert_engine->MetricsText() : "";
                         if (alertmanager) text += alertmanager->MetricsText();
                         return text;
                       }},
                  {.max_concurrent_queries = absl::GetFlag(FLAGS_max_concurrent_queries),
                   .max_executing_queries = absl::GetFlag(FLAGS_max_executing_queries),
                   .max_memory_usage = absl::GetFlag(FLAGS_max_memory_usage),
                   .max_query_memory = absl::GetFlag(FLAGS_max_query_memory) >= 0
                                           ? absl::GetFlag(FLAGS_max_query_memory)
                                           : static_cast<int64_t>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGESIZE) / 2,
                   .max_execution_time = absl::Seconds(absl::GetFlag(FLAGS_max_execution_time)),
                   .max_result_rows = absl::GetFlag(FLAGS_max_result_rows),
                   .query_threads = absl::GetFlag(FLAGS_threads),
                   .max_body_bytes = static_cast<size_t>(absl::GetFlag(FLAGS_max_body_mb)) << 20,
                   .max_read_body_bytes = static_cast<size_t>(absl::GetFlag(FLAGS_max_read_body_mb)) << 20,
                   .cors_origins = absl::StrSplit(absl::GetFlag(FLAGS_cors_origins), ',', absl::SkipWhitespace()),
                   .cluster_secret = cluster_secret,
                   .query_cache_for_api = absl::GetFlag(FLAGS_query_cache_for_api)});
  // Workers beyond the statements that may run at once: KILL QUERY, probes and requests
  // refused with 202 are answered even when every admitted statement is busy.
  HttpServer server([&service](HttpRequest& request) { return service.Handle(request); },
                    {.worker_threads = absl::GetFlag(FLAGS_max_concurrent_queries) + 8,
                     .max_body_bytes = static_cast<size_t>(absl::GetFlag(FLAGS_max_body_mb)) << 20,
                     .max_connections = static_cast<size_t>(absl::GetFlag(FLAGS_max_connections)),
                     .admit = [&service](const HttpRequest& head) { return service.Admit(head); },
                     .answer_inline = &Service::IsProbe});
  service.set_connection_counter([&server] { return server.open_connections(); });
  {
    alert_runner = service.RunnerFor({.name = "alerts", .role = Role::kAnalyst});
    const std::string self_address = node.empty() ? http : node;
    ClusterMonitor* monitor = cluster_monitor.get();
    alert_engine = std::make_unique<AlertEngine>(
        alert_runner.get(), alertmanager.get(),
        AlertEngineOptions{.evaluates_cluster_rules = monitor == nullptr ? std::function<bool()>()
                                                                          : [monitor, self_address] {
                                                                              // The lowest-addressed healthy node.
                                                                              for (const ReplicaState& replica : monitor->Snapshot()) {
                                                                                if (replica.healthy && replica.address < self_address) return false;
                                                                              }
                                                                              return true;
                                                                            },
                           .instance = self_address,
                           .generator_url = absl::StrCat("http://", self_address, "/?query=SELECT%20*%20FROM%20system.alerts")});
    absl::StatusOr<std::vector<AlertRule>> built_in = BuiltInAlertRules(
        {.consumer = consumer.get(),
         .consumer_running = [&consumer_running] { return consumer_running.load(); },
         .runner = alert_runner.get(),
         .memory_limit_bytes = MemoryLimitBytes(),
         .data_dir = store != nullptr ? store->options().dir : ""},
        alert_rules.builtin_settings);
    if (!built_in.ok()) return Fail(absl::StrCat("--alerts: ", built_in.status().message()));
    alert_engine->SetRules(MergeAlertRules(*std::move(built_in), alert_rules));
    alert_engine->RegisterTables(catalog);
  }
  service.set_accept_error_counter([&server] { return server.accept_errors(); });
  if (absl::Status status = server.Start(host, port); !status.ok()) {
    return Fail(std::string(status.message()));
  }
  if (!https.empty()) {
    int https_port = 0;
    if (!absl::SimpleAtoi(https.substr(https_colon + 1), &https_port)) return Fail("--https needs HOST:PORT");
    if (absl::Status status = server.StartHttps(https_host, https_port, absl::GetFlag(FLAGS_tls_cert),
                                                absl::GetFlag(FLAGS_tls_key));
        !status.ok()) {
      return Fail(std::string(status.message()));
    }
    std::fprintf(stderr, "mua-server: HTTPS on %s:%d\n", https_host.c_str(), server.https_port());
  }
  std::fprintf(stderr, "mua-server: %s\n",
               tokens.development_mode() ? "development mode: no tokens, every request is admin"
                                         : "tokens loaded: requests need Authorization: Bearer TOKEN");
  std::fprintf(stderr, "mua-server: HTTP on %s:%d\n", http.substr(0, colon).c_str(), server.port());
  if (consumer) {
    std::fprintf(stderr, "mua-server: consuming %s from %s (group %s)\n",
                 absl::GetFlag(FLAGS_kafka_topic).c_str(), absl::GetFlag(FLAGS_kafka_brokers).c_str(),
                 absl::GetFlag(FLAGS_kafka_group).c_str());
    consumer_running.store(true);
    consumer_thread = std::thread([&consumer, &consumer_running] {
      absl::Status status = consumer->Run();
      consumer_running.store(false);
      if (!status.ok()) std::fprintf(stderr, "mua-server: consumer stopped: %s\n", std::string(status.message()).c_str());
    });
  }
  if (store != nullptr) store->StartBackground();
  alert_engine->Start();
  absl::Time trimmed = absl::Now();
  bool assignments_kept = false;  // every sealed block's experiment assignments are kept
  absl::Time assignments_checked = absl::InfinitePast();
  while (!stop_requested.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    table->SealIdleHeads(absl::Seconds(10));
    // After 10 s without a request, read the A/B assignments of blocks that have not been
    // read (after a load, a restart, new segments), a block a tick, so experiment() finds
    // them kept; once all are, look again every 10 s for new segments. Never beside a
    // request: its memory would add to theirs.
    if (service.Idle(absl::Seconds(10)) &&
        (!assignments_kept || absl::Now() - assignments_checked > absl::Seconds(10))) {
      assignments_kept = KeepExperimentAssignments(table->Snapshot(), 1) == 0;
      assignments_checked = absl::Now();
    }
    const absl::Duration since = absl::Now() - trimmed;
    if ((since > absl::Seconds(10) && service.Idle(absl::Seconds(2))) || since > absl::Minutes(1)) {
      // Decoding, sealing and checkpoints free large buffers on many threads; glibc keeps
      // such pages in its per-thread arenas (resident) until asked to return them. Not
      // between queries of a busy spell: they would fault and zero those pages again.
      malloc_trim(0);
      trimmed = absl::Now();
    }
  }
  std::fprintf(stderr, "mua-server: stopping\n");
  // A stop completes within 5 s whatever clients and queries do: running statements are
  // cancelled, connections get a grace period, and should the rest still hang the
  // process exits without the final checkpoint — the WAL and the Kafka offsets of the
  // last checkpoint already cover everything it would write.
  std::atomic<bool> stopped{false};
  std::thread watchdog([&stopped] {
    const absl::Time deadline = absl::Now() + absl::Milliseconds(4500);
    while (!stopped.load() && absl::Now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (stopped.load()) return;
    std::fprintf(stderr, "mua-server: stopping took over 4.5 s: exiting without the final checkpoint "
                         "(the WAL and the stored Kafka offsets cover it)\n");
    std::fflush(stderr);
    std::_Exit(0);
  });
  // No rule starts; one evaluating is cancelled with every other statement, then joined.
  alert_engine->RequestStop();
  service.CancelAll();
  alert_engine->Stop();
  std::thread http_stopper([&server] { server.Stop(); });
  if (consumer) {
    consumer->RequestStop();
    consumer_thread.join();
    if (absl::Status status = consumer->Stop(); !status.ok()) {
      std::fprintf(stderr, "mua-server: %s\n", std::string(status.message()).c_str());
    }
  }
  http_stopper.join();
  if (store != nullptr) {
    // Everything applied is persisted: the next start replays nothing.
    if (absl::Status status = store->Checkpoint(); !status.ok()) {
      std::fprintf(stderr, "mua-server: final checkpoint failed: %s\n", std::string(status.message()).c_str());
    }
  }
  stopped.store(true);
  watchdog.join();
  return 0;
}

// A cluster replica with an empty data directory starts from a sibling's snapshot when Kafka
// no longer holds its shard's whole history (server/cluster_snapshot.h).
absl::Status BootstrapReplica() {
  const std::string cluster_path = absl::GetFlag(FLAGS_cluster);
  if (cluster_path.empty()) return absl::OkStatus();
  MUA_ASSIGN_OR_RETURN(const ClusterConfig cluster, ClusterConfig::Load(cluster_path));
  MUA_ASSIGN_OR_RETURN(const ClusterNode self, cluster.Locate(absl::GetFlag(FLAGS_node)));
  BootstrapOptions options{.data_dir = absl::GetFlag(FLAGS_data_dir)};
  const std::string mode = absl::GetFlag(FLAGS_cluster_bootstrap);
  if (mode == "always") {
    options.mode = BootstrapMode::kAlways;
  } else if (mode == "never") {
    options.mode = BootstrapMode::kNever;
  } else if (mode != "auto") {
    return absl::InvalidArgumentError(absl::StrCat("--cluster_bootstrap takes auto, always or never, not '", mode, "'"));
  }
  MUA_ASSIGN_OR_RETURN(options.secret, ClusterSecret());
  MUA_ASSIGN_OR_RETURN(options.kafka_config, KafkaProperties());
  return BootstrapFromSibling(cluster, self, options).status();
}

// The data directory: loads the checkpoint, replays the WAL, refills de-duplication.
absl::StatusOr<std::unique_ptr<Store>> OpenStore(Table* table, Deduplicator* dedup, RejectedEventLog* rejected_log) {
  MUA_RETURN_IF_ERROR(BootstrapReplica());
  const std::string on_corruption = absl::GetFlag(FLAGS_on_corruption);
  StoreOptions options{.dir = absl::GetFlag(FLAGS_data_dir),
                       .checkpoint_interval = absl::Seconds(absl::GetFlag(FLAGS_checkpoint_interval)),
                       .retention_days = absl::GetFlag(FLAGS_retention_days),
                       .backup_root = absl::GetFlag(FLAGS_backup_root),
                       .attachments = {{std::string(kRejectedAttachment), rejected_log},
                                       {std::string(Deduplicator::kAttachmentName), dedup}}};
  for (absl::string_view name : absl::StrSplit(absl::GetFlag(FLAGS_cold_columns), ',', absl::SkipEmpty())) {
    const std::optional<ColumnId> column = FindColumn(name);
    if (name == "none") continue;
    if (!column.has_value() || KindOf(*column) != ColumnKind::kString) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--cold_columns takes session_id, event_id, properties, attributes or none, not '", name, "'"));
    }
    options.cold_columns.Add(*column);
  }
  if (on_corruption == "skip") {
    options.on_corruption = OnCorruption::kSkip;
  } else if (on_corruption == "discard") {
    options.on_corruption = OnCorruption::kDiscard;
  } else if (on_corruption != "stop") {
    return absl::InvalidArgumentError(
        absl::StrCat("--on_corruption takes stop, skip or discard, not '", on_corruption, "'"));
  }
  // Acknowledged HTTP events after the checkpoint; they passed validation once already.
  auto replay = [table, dedup](absl::Span<const EventRow> rows) -> absl::Status {
    std::vector<EventRow> fresh;
    for (const EventRow& row : rows) {
      if (!dedup->SeenBefore(row.user_id, row.event_id)) fresh.push_back(row);
    }
    return table->Append(fresh);
  };
  const absl::Time start = absl::Now();
  MUA_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, Store::Open(options, table, replay));
  std::fprintf(stderr, "mua-server: data directory %s: %llu events queryable after %.2f s\n", options.dir.c_str(),
               static_cast<unsigned long long>(table->row_count()), absl::ToDoubleSeconds(absl::Now() - start));
  // A data directory from before the de-duplication snapshot: what it holds counts as
  // arrived now, once (the next checkpoint stores the window).
  if (dedup->enabled() && !dedup->restored() && table->row_count() > 0) {
    const absl::Time refill_start = absl::Now();
    MUA_RETURN_IF_ERROR(dedup->RecordStored(table->Snapshot()));
    std::fprintf(stderr, "mua-server: de-duplication window filled from %llu stored events in %.2f s\n",
                 static_cast<unsigned long long>(table->row_count()),
                 absl::ToDoubleSeconds(absl::Now() - refill_start));
  }
  return store;
}

int Run() {
  Table table({.background_sealing = true});  // full heads seal off the ingest path
  Catalog catalog(&table);
  SqlEngine engine(&table, &catalog);

  RejectedEventLog rejected_log(
      {.max_age = absl::Hours(24) * std::max(0, absl::GetFlag(FLAGS_rejected_retention_days))});
  std::optional<UserIdHasher> hasher;
  if (const std::string salt = absl::GetFlag(FLAGS_hash_user_ids); !salt.empty()) {
    absl::StatusOr<UserIdHasher> loaded = UserIdHasher::FromSaltFile(salt);
    if (!loaded.ok()) return Fail(std::string(loaded.status().message()));
    hasher = *loaded;
  }
  IngestOptions ingest;
  if (hasher) ingest.decoder.user_id_hasher = &*hasher;
  ingest.decoder.retention_days = absl::GetFlag(FLAGS_retention_days);
  ingest.rejected_log = &rejected_log;
  // One de-duplication window for every source (Kafka, HTTP, files), kept by checkpoints.
  const absl::StatusOr<int64_t> dedup_window_ms = server_internal::ParseDurationMillis(absl::GetFlag(FLAGS_dedup_window));
  if (!dedup_window_ms.ok()) return Fail(absl::StrCat("--dedup_window: ", dedup_window_ms.status().message()));
  Deduplicator dedup({.window = absl::Milliseconds(*dedup_window_ms)});
  ingest.dedup = &dedup;

  const bool local_mode = !absl::GetFlag(FLAGS_query).empty() || !absl::GetFlag(FLAGS_queries_file).empty() ||
                          !absl::GetFlag(FLAGS_batch_dir).empty();
  const absl::CommandLineFlag* data_dir_flag = absl::FindCommandLineFlag("data_dir");
  const bool data_dir_given = data_dir_flag->CurrentValue() != data_dir_flag->DefaultValue();
  std::unique_ptr<Store> store;
  if (!absl::GetFlag(FLAGS_data_dir).empty() && (!local_mode || data_dir_given)) {
    absl::StatusOr<std::unique_ptr<Store>> opened = OpenStore(&table, &dedup, &rejected_log);
    if (!opened.ok()) return Fail(std::string(opened.status().message()));
    store = *std::move(opened);
    ingest.store = store.get();
  }
  // Created tables live under the data directory (Memory ones, and all without one, in memory).
  DimensionTablesOptions dimension_options{
      .dir = store != nullptr ? store->options().dir + "/tables" : "",
      .max_table_bytes = static_cast<uint64_t>(std::max<int64_t>(0, absl::GetFlag(FLAGS_max_dimension_table_mb))) << 20,
      .skip_damaged = absl::GetFlag(FLAGS_on_corruption) != "stop"};
  absl::StatusOr<std::unique_ptr<DimensionTables>> dimension_tables = DimensionTables::Open(dimension_options);
  if (!dimension_tables.ok()) return Fail(std::string(dimension_tables.status().message()));
  if ((*dimension_tables)->recovery().tables > 0) {
    std::fprintf(stderr, "mua-server: %d created tables loaded (%llu rows)\n", (*dimension_tables)->recovery().tables,
                 static_cast<unsigned long long>((*dimension_tables)->recovery().rows));
  }
  DimensionTableManager table_manager(dimension_tables->get());
  RegisterDimensionTables(&catalog, &table_manager, &table);
  // Users are erased by their stored id; with a store, for good and on disk too.
  if (store != nullptr) {
    // A reject of an erased user arrives without its payload, as its events are refused.
    rejected_log.SetErasedCheck([&store](absl::string_view user_id) { return store->IsErased(user_id); });
  }
  catalog.SetUserEraser([&store, &table, &hasher, &rejected_log](absl::string_view user_id) {
    const std::string stored = hasher ? hasher->Hash(user_id) : std::string(user_id);
    absl::StatusOr<uint64_t> erased = store != nullptr ? store->EraseUser(stored) : table.EraseUser(stored);
    // After the store marks the user erased, so no reject of theirs can be appended later.
    const int64_t rejects = rejected_log.EraseUser(stored);
    // Their persisted rejects go too (the store's erasure checkpointed before they left).
    if (rejects > 0 && store != nullptr && erased.ok()) {
      if (absl::Status status = store->Checkpoint(); !status.ok()) erased = status;
    }
    // Counts only: the log must not name the user it erased.
    std::fprintf(stderr, "mua-server: GDPR erasure: %lld events%s and %lld rejected events removed\n",
                 erased.ok() ? static_cast<long long>(*erased) : 0LL, erased.ok() ? "" : " (failed)",
                 static_cast<long long>(rejects));
    return erased;
  });
  for (const std::string& path : absl::GetFlag(FLAGS_load)) {
    LoadStats stats;
    absl::Status status = LoadJsonLines(path, &table, ingest, &stats);
    if (!status.ok()) return Fail(std::string(status.message()));
    if (absl::GetFlag(FLAGS_verbose)) {
      std::fprintf(stderr, "%s: %lld lines, %lld accepted, %lld duplicates, %lld rejected, %.2f s\n",
                   path.c_str(), static_cast<long long>(stats.lines),
                   static_cast<long long>(stats.accepted), static_cast<long long>(stats.duplicates),
                   static_cast<long long>(stats.rejected), stats.seconds);
    }
  }
  if (!absl::GetFlag(FLAGS_load).empty() || local_mode) {
    table.SealAll();
    malloc_trim(0);  // the loaders' decode buffers are freed: return their pages
    if (store != nullptr && !absl::GetFlag(FLAGS_load).empty()) {
      if (absl::Status status = store->Checkpoint(); !status.ok()) return Fail(std::string(status.message()));
    }
  }
  if (!local_mode) return Serve(&table, &catalog, engine, ingest, store.get(), dimension_tables->get());
  RegisterIngestTables(&catalog, &rejected_log, nullptr, &dedup);
  RegisterStorageTables(&catalog, store.get(), dimension_tables->get());
  RegisterMemoryTable(&catalog, &table, &dedup);

  std::string script = absl::GetFlag(FLAGS_query);
  if (const std::string file = absl::GetFlag(FLAGS_queries_file); !file.empty()) {
    std::ifstream in(file);
    if (!in) return Fail(absl::StrCat("cannot read ", file));
    std::stringstream text;
    text << in.rdbuf();
    absl::StrAppend(&script, ";\n", text.str());
  }
  // Split at top-level ';' so ';' inside strings and comments is safe.
  std::vector<std::string> statements = SplitStatements(script);

  const absl::StatusOr<OutputFormat> default_format = ParseOutputFormat(absl::GetFlag(FLAGS_format));
  if (!default_format.ok()) return Fail(std::string(default_format.status().message()));

  ExecuteOptions options;
  options.threads = absl::GetFlag(FLAGS_threads);
  if (const std::string dir = absl::GetFlag(FLAGS_batch_dir); !dir.empty()) {
    return RunBatch(engine, options, *default_format, dir);
  }
  for (const std::string& sql : statements) {
    std::string body, error;
    if (!RunStatement(engine, options, *default_format, sql, &body, &error)) {
      std::fputs(error.c_str(), stderr);
      return 1;
    }
    std::fwrite(body.data(), 1, body.size(), stdout);
  }
  return 0;
}

}  // namespace
}  // namespace mua

int main(int argc, char** argv) {
  // Queries run on whichever HTTP worker thread takes the request; with glibc's default of
  // 8 arenas per core, consecutive queries land on different arenas and each arena grows
  // its own copy of a big query's working set (10 M events, sessions: resident 1.7 GB and
  // runs slowing from 410 to 770 ms as fresh pages are zeroed). Two per core keep reuse
  // high without the lock contention of one (measured: 390 ms steady, 0.9 GB).
  mallopt(M_ARENA_MAX, static_cast<int>(2 * std::max(1u, std::thread::hardware_concurrency())));
  // Data, WAL, audit log, backups: readable by the server's user only, whatever the
  // shell's umask.
  umask(077);
#ifdef NDEBUG
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
#endif
  absl::SetProgramUsageMessage(
      "MUA database. Local mode: mua-server --load events.jsonl --query 'SELECT ...' [--format F]");
  mua::ParseCommandLineOrExit({.program = "mua-server"}, argc, argv);
  mua::SetDefaultExposureEvent(absl::GetFlag(FLAGS_exposure_event));
  return mua::Run();
}
