#include "server/cluster_monitor.h"

#include <memory>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "boost/asio/connect.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "rapidjson/document.h"
#include "server/internal/system_rows.h"
#include "sql/catalog.h"
#include "storage/base/json_limits.h"

namespace mua {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

// A /health answer is a few hundred bytes: anything far larger is not MUA's.
constexpr size_t kMaxHealthBytes = 64 << 10;

// GET `target` from HOST:PORT within `timeout` (connect, write and read together). The
// operations are asynchronous on a private io_context because Beast's synchronous ones
// ignore the stream's deadline.
absl::StatusOr<std::string> HttpGet(const std::string& address, const std::string& target,
                                    absl::Duration timeout) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos) return absl::InvalidArgumentError("not HOST:PORT");
  std::string host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string port = address.substr(colon + 1);

  boost::asio::io_context io;
  tcp::resolver resolver(io);
  beast::tcp_stream stream(io);
  beast::flat_buffer buffer;
  http::request<http::empty_body> request(http::verb::get, target, 11);
  request.set(http::field::host, address);
  request.set(http::field::user_agent, "mua-cluster-monitor");
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxHealthBytes);
  beast::error_code failure;
  const char* step = "resolve";
  stream.expires_after(absl::ToChronoMilliseconds(timeout));
  resolver.async_resolve(host, port, [&](beast::error_code ec, tcp::resolver::results_type results) {
    if (ec) return void(failure = ec);
    step = "connect";
    stream.async_connect(results, [&](beast::error_code ec2, const tcp::endpoint&) {
      if (ec2) return void(failure = ec2);
      step = "send";
      http::async_write(stream, request, [&](beast::error_code ec3, size_t) {
        if (ec3) return void(failure = ec3);
        step = "read";
        http::async_read(stream, buffer, parser, [&](beast::error_code ec4, size_t) {
          if (ec4) failure = ec4;
        });
      });
    });
  });
  io.run();
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  if (failure) return absl::UnavailableError(absl::StrCat(step, ": ", failure.message()));
  if (!parser.is_done()) return absl::UnavailableError("no answer");
  const auto& response = parser.get();
  if (response.result_int() != 200 && response.result_int() != 503) {
    return absl::UnavailableError(absl::StrCat("HTTP ", response.result_int()));
  }
  return response.body();
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
    remote_ = std::move(states);
    mu_.AwaitWithTimeout(absl::Condition(this, &ClusterMonitor::Stopping), interval_);
  }
}

void RegisterClusterTable(Catalog* catalog, const ClusterMonitor* monitor) {
  static const server_internal::ColumnList* columns = new server_internal::ColumnList{
      {"cluster", "String"},    {"shard_num", "UInt32"}, {"replica_num", "UInt32"},
      {"host_address", "String"}, {"port", "UInt16"},   {"is_local", "UInt8"},
      {"errors_count", "UInt64"}, {"healthy", "UInt8"},  {"status", "String"},
      {"lag", "Int64"},          {"events", "UInt64"},  {"last_error", "String"}};
  catalog->RegisterSystemTable("clusters", *columns, [monitor] {
    auto rows = std::make_shared<ResultSet>(server_internal::EmptyRows(*columns));
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
      ++rows->row_count;
    }
    return std::shared_ptr<const ResultSet>(rows);
  });
}

}  // namespace mua
