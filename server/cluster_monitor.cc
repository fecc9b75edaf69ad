#include "server/cluster_monitor.h"

#include <iostream>
#include <memory>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "rapidjson/document.h"
#include "server/internal/cluster_http.h"
#include "server/internal/system_rows.h"
#include "sql/catalog.h"
#include "storage/base/json_limits.h"
#include "storage/base/status_macros.h"

namespace mua {
namespace {

// A /health answer is a few hundred bytes: anything far larger is not MUA's.
constexpr size_t kMaxHealthBytes = 64 << 10;

absl::StatusOr<std::string> HttpGet(const std::string& address, const std::string& target,
                                    absl::Duration timeout) {
  MUA_ASSIGN_OR_RETURN(server_internal::ClusterHttpResponse response,
                       server_internal::ClusterHttpCall({.address = address,
                                                         .target = target,
                                                         .timeout = timeout,
                                                         .max_body_bytes = kMaxHealthBytes}));
  if (response.status != 200 && response.status != 503) {
    return absl::UnavailableError(absl::StrCat("HTTP ", response.status));
  }
  return std::move(response.body);
}

}  // namespace

ClusterMonitor::ClusterMonitor(ClusterConfig config, ClusterNode self, std::function<ReplicaState()> local,
                               absl::Duration interval, absl::Duration timeout)
    : config_(std::move(config)), self_(self), local_(std::move(local)), interval_(interval), timeout_(timeout) {
  for (size_t s = 0; s < config_.shards.size(); ++s) {
    for (size_t r = 0; r < config_.shards[s].replicas.size(); ++r) {
      ReplicaState& state = remote_.emplace_back();
      state.shard = static_cast<int>(s);
      state.replica = static_cast<int>(r);
      state.address = config_.shards[s].replicas[r];
      state.is_local = state.shard == self_.shard && state.replica == self_.replica;
      state.status = "unknown";
    }
  }
  prober_ = std::thread([this] { Run(); });
}

ClusterMonitor::~ClusterMonitor() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  prober_.join();
  if (split_checker_.joinable()) split_checker_.join();
}

void ClusterMonitor::StartSplitUserCheck(std::function<absl::StatusOr<int64_t>()> count, absl::Duration every) {
  count_split_ = std::move(count);
  split_every_ = every;
  split_checker_ = std::thread([this] { RunSplitUserCheck(); });
}

SplitUsers ClusterMonitor::split_users() const {
  absl::MutexLock lock(&mu_);
  return split_;
}

// The newest count wins, whoever made it.
void ClusterMonitor::Learn(const SplitUsers& seen) {
  if (seen.users < 0 || seen.checked_at <= split_.checked_at) return;
  split_.users = seen.users;
  split_.checked_at = seen.checked_at;
  split_.checked_by = seen.checked_by;
}

void ClusterMonitor::RunSplitUserCheck() {
  const std::string& self_address = config_.shards[self_.shard].replicas[self_.replica];
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      if (mu_.AwaitWithTimeout(absl::Condition(this, &ClusterMonitor::Stopping), split_every_)) return;
    }
    // The first healthy replica in file order counts (this one is healthy: it is running).
    bool first = true;
    for (const ReplicaState& replica : Snapshot()) {
      if (replica.is_local) break;
      if (replica.healthy) first = false;
    }
    if (!first) continue;
    const absl::Time started = absl::Now();
    absl::StatusOr<int64_t> users = count_split_();
    absl::MutexLock lock(&mu_);
    if (users.ok()) {
      split_.error.clear();
      Learn({.users = *users, .checked_at = started, .checked_by = self_address});
    } else {
      if (split_.error != users.status().message()) {
        std::cerr << "mua-server: counting users split across shards failed: " << users.status().message() << "\n";
      }
      split_.error = std::string(users.status().message());
    }
  }
}

std::vector<ReplicaState> ClusterMonitor::Snapshot() const {
  std::vector<ReplicaState> states;
  {
    absl::MutexLock lock(&mu_);
    states = remote_;
  }
  for (ReplicaState& state : states) {
    if (!state.is_local) continue;
    ReplicaState local = local_();
    local.shard = state.shard;
    local.replica = state.replica;
    local.address = state.address;
    local.is_local = true;
    local.probed = true;
    local.checked_at = absl::Now();
    state = std::move(local);
  }
  return states;
}

ReplicaState ClusterMonitor::Probe(const ReplicaState& before) const {
  ReplicaState after = before;
  after.probed = true;
  after.checked_at = absl::Now();
  absl::StatusOr<std::string> body = HttpGet(before.address, "/health", timeout_);
  rapidjson::Document health;
  absl::Status parsed = body.ok() ? ParseJsonBounded(*body, &health) : body.status();
  if (parsed.ok() && (!health.IsObject() || !health.HasMember("status") || !health["status"].IsString())) {
    parsed = absl::DataLossError("the answer is not MUA's /health");
  }
  if (!parsed.ok()) {
    after.healthy = false;
    after.status = "unreachable";
    after.last_error = std::string(parsed.message());
    ++after.errors;
    return after;
  }
  after.status = health["status"].GetString();
  after.healthy = after.status == "ok" || after.status == "degraded";
  if (health.HasMember("events") && health["events"].IsInt64()) after.events = health["events"].GetInt64();
  // A sibling's count of split users (its /health's cluster.split_users).
  if (health.HasMember("cluster") && health["cluster"].IsObject()) {
    const rapidjson::Value& cluster = health["cluster"];
    if (cluster.HasMember("split_users") && cluster["split_users"].IsInt64() &&
        cluster.HasMember("split_users_checked_ms") && cluster["split_users_checked_ms"].IsInt64() &&
        cluster.HasMember("split_users_checked_by") && cluster["split_users_checked_by"].IsString()) {
      after.split_users = {.users = cluster["split_users"].GetInt64(),
                           .checked_at = absl::FromUnixMillis(cluster["split_users_checked_ms"].GetInt64()),
                           .checked_by = cluster["split_users_checked_by"].GetString()};
    }
  }
  after.lag = 0;
  if (health.HasMember("kafka") && health["kafka"].IsObject() && health["kafka"].HasMember("lag") &&
      health["kafka"]["lag"].IsInt64()) {
    after.lag = health["kafka"]["lag"].GetInt64();
  }
  return after;
}

void ClusterMonitor::Run() {
  for (;;) {
    std::vector<ReplicaState> states;
    {
      absl::MutexLock lock(&mu_);
      if (stop_) return;
      states = remote_;
    }
    // Probed outside the lock: a replica that hangs holds up only its own row's update.
    for (ReplicaState& state : states) {
      if (!state.is_local) state = Probe(state);
    }
    absl::MutexLock lock(&mu_);
    for (const ReplicaState& state : states) Learn(state.split_users);
    remote_ = std::move(states);
    mu_.AwaitWithTimeout(absl::Condition(this, &ClusterMonitor::Stopping), interval_);
  }
}

void RegisterClusterTable(Catalog* catalog, const ClusterMonitor* monitor) {
  static const server_internal::ColumnList* columns = new server_internal::ColumnList{
      {"cluster", "String"},    {"shard_num", "UInt32"}, {"replica_num", "UInt32"},
      {"host_address", "String"}, {"port", "UInt16"},   {"is_local", "UInt8"},
      {"errors_count", "UInt64"}, {"healthy", "UInt8"},  {"status", "String"},
      {"lag", "Int64"},          {"events", "UInt64"},  {"last_error", "String"},
      {"split_users", "Int64"}};
  catalog->RegisterSystemTable("clusters", *columns, [monitor] {
    auto rows = std::make_shared<ResultSet>(server_internal::EmptyRows(*columns));
    const int64_t split_users = monitor->split_users().users;
    for (const ReplicaState& replica : monitor->Snapshot()) {
      const size_t colon = replica.address.rfind(':');
      int64_t port = 0;
      if (colon != std::string::npos) (void)absl::SimpleAtoi(replica.address.substr(colon + 1), &port);
      auto& c = rows->columns;
      c[0].strings.push_back("default");
      c[1].ints.push_back(replica.shard + 1);  // 1-based, as ClickHouse numbers them
      c[2].ints.push_back(replica.replica + 1);
      c[3].strings.push_back(replica.address.substr(0, colon));
      c[4].ints.push_back(port);
      c[5].ints.push_back(replica.is_local ? 1 : 0);
      c[6].ints.push_back(replica.errors);
      c[7].ints.push_back(replica.healthy ? 1 : 0);
      c[8].strings.push_back(replica.probed ? replica.status : "unknown");
      c[9].ints.push_back(replica.lag);
      c[10].ints.push_back(replica.events);
      c[11].strings.push_back(replica.last_error);
      c[12].ints.push_back(split_users);
      ++rows->row_count;
    }
    return std::shared_ptr<const ResultSet>(rows);
  });
}

}  // namespace mua
