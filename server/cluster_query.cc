#include "server/cluster_query.h"

#include <algorithm>
#include <optional>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/ascii.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "query/distributed.h"
#include "server/cluster_monitor.h"
#include "server/internal/cluster_http.h"
#include "storage/base/status_macros.h"
#include "storage/base/url_encoding.h"

namespace mua {
namespace {

// A shard's part is bounded by the statement's own memory limit on the shard; this only
// stops a peer that is not MUA from filling the coordinator.
constexpr size_t kMaxPartBytes = size_t{2} << 30;
// Without max_execution_time a replica that accepts and never answers (stopped, not
// dead) would hold the statement for ever.
constexpr absl::Duration kMaxShardWait = absl::Seconds(300);

// The shard's error as the coordinator reports it: the status its HTTP code stands for,
// the message without ClickHouse's "Code: N. DB::Exception: " frame.
absl::Status ShardError(int shard, const std::string& address, int http_status, absl::string_view body) {
  absl::string_view message = absl::StripAsciiWhitespace(body);
  if (absl::StartsWith(message, "Code: ")) {
    const size_t frame = message.find("DB::Exception: ");
    if (frame != absl::string_view::npos) message.remove_prefix(frame + 15);
    const size_t version = message.rfind(" (version MUA");
    if (version != absl::string_view::npos) message = message.substr(0, version);
  }
  absl::StatusCode code = absl::StatusCode::kInternal;
  switch (http_status) {
    case 400: code = absl::StatusCode::kInvalidArgument; break;
    case 401: code = absl::StatusCode::kUnauthenticated; break;
    case 403: code = absl::StatusCode::kPermissionDenied; break;
    case 404: code = absl::StatusCode::kNotFound; break;
    case 413: code = absl::StatusCode::kResourceExhausted; break;
    case 501: code = absl::StatusCode::kUnimplemented; break;
    case 504: code = absl::StatusCode::kDeadlineExceeded; break;
    default: break;
  }
  return absl::Status(code, absl::StrCat("shard ", shard + 1, " (", address, "): ", message));
}

}  // namespace

absl::string_view ShardStageName(ShardStage stage) {
  switch (stage) {
    case ShardStage::kPartialAggregate: return "partial_aggregate";
    case ShardStage::kCollect: return "collect";
    case ShardStage::kSourceRows: return "source_rows";
    case ShardStage::kNone: break;
  }
  return "";
}

ShardStage ParseShardStage(absl::string_view name) {
  if (name == "partial_aggregate") return ShardStage::kPartialAggregate;
  if (name == "collect") return ShardStage::kCollect;
  if (name == "source_rows") return ShardStage::kSourceRows;
  return ShardStage::kNone;
}

absl::StatusOr<ShardFanout::Answers> ClusterFanout::Run(ShardStage stage, absl::string_view block,
                                                        absl::string_view inputs, bool skip_unavailable_shards,
                                                        absl::Time deadline,
                                                        const std::atomic<bool>* cancelled) const {
  absl::Mutex mu;
  std::vector<std::string> parts;
  MUA_ASSIGN_OR_RETURN(Answers answers, Stream(stage, block, inputs, skip_unavailable_shards, deadline, cancelled,
                                               [&](std::string part) {
                                                 absl::MutexLock lock(&mu);
                                                 parts.push_back(std::move(part));
                                                 return absl::OkStatus();
                                               }));
  answers.parts = std::move(parts);
  return answers;
}

absl::StatusOr<ShardFanout::Answers> ClusterFanout::Stream(ShardStage stage, absl::string_view block,
                                                           absl::string_view inputs, bool skip_unavailable_shards,
                                                           absl::Time deadline, const std::atomic<bool>* cancelled,
                                                           const PartSink& sink) const {
  const std::vector<ReplicaState> replicas = monitor_->Snapshot();
  const ClusterNode self = monitor_->self();
  const int shards = static_cast<int>(monitor_->config().shards.size());

  std::string target = absl::StrCat("/?cluster_stage=", ShardStageName(stage));
  if (!block.empty()) absl::StrAppend(&target, "&cluster_block=", UrlEncode(block));
  // GLOBAL subqueries' values travel in the body, after the statement.
  const std::string body = inputs.empty() ? statement_.sql : EncodeShardRequest(statement_.sql, inputs);
  if (!inputs.empty()) absl::StrAppend(&target, "&cluster_inputs=1");
  for (const auto& [name, value] : statement_.params) {
    absl::StrAppend(&target, "&param_", UrlEncode(name), "=", UrlEncode(value));
  }
  std::vector<std::pair<std::string, std::string>> headers = {
      {std::string(kClusterPrincipalHeader), statement_.principal.name},
      {std::string(kClusterRoleHeader), std::string(RoleName(statement_.principal.role))},
      {"Content-Type", "text/plain; charset=utf-8"}};
  if (!secret_.empty()) headers.emplace_back(std::string(kClusterSecretHeader), secret_);

  struct ShardResult {
    bool answered = false;  // its part went to the sink
    absl::Status error;     // a query error, or Unavailable when no replica answered
  };
  std::vector<ShardResult> results(shards);
  auto ask_shard = [&](int shard) {
    // Healthy replicas first, least lag first; then the rest in file order.
    std::vector<const ReplicaState*> order;
    for (const ReplicaState& replica : replicas) {
      if (replica.shard == shard) order.push_back(&replica);
    }
    std::stable_sort(order.begin(), order.end(), [](const ReplicaState* a, const ReplicaState* b) {
      if (a->healthy != b->healthy) return a->healthy;
      return a->healthy && a->lag < b->lag;
    });
    std::vector<std::string> tried;
    std::string last_error = "no replica";
    for (const ReplicaState* replica : order) {
      tried.push_back(replica->address);
      const absl::Duration left = std::min(deadline - absl::Now(), kMaxShardWait);
      if (left <= absl::ZeroDuration()) {
        results[shard].error = absl::DeadlineExceededError(
            "Timeout exceeded: the query ran longer than max_execution_time waiting for the shards");
        return;
      }
      absl::StatusOr<server_internal::ClusterHttpResponse> answer = server_internal::ClusterHttpCall({
          .address = replica->address,
          .method = "POST",
          .target = absl::StrCat(target, "&query_id=", UrlEncode(absl::StrCat(statement_.query_id.substr(0, 100),
                                                                              "-shard", shard + 1))),
          .headers = headers,
          .body = body,
          .timeout = left,
          .max_body_bytes = kMaxPartBytes,
          .cancelled = cancelled,
      });
      if (!answer.ok()) {
        if (absl::IsCancelled(answer.status())) {
          results[shard].error = answer.status();
          return;
        }
        last_error = absl::StrCat(replica->address, ": ", answer.status().message());
        continue;  // unreachable or gone mid-answer: its sibling holds the same events
      }
      if (answer->status == 200) {
        // Merged now, while the other shards may still be working.
        results[shard].error = sink(std::move(answer->body));
        results[shard].answered = results[shard].error.ok();
        return;
      }
      if (answer->status == 503) {  // too many queries, or not ready: a sibling may serve
        last_error = absl::StrCat(replica->address, ": HTTP 503 ",
                                  absl::StripAsciiWhitespace(answer->body.substr(0, 300)));
        continue;
      }
      results[shard].error = ShardError(shard, replica->address, answer->status, answer->body);
      return;
    }
    results[shard].error = absl::UnavailableError(absl::StrCat("All replicas of shard ", shard + 1, " (",
                                                               absl::StrJoin(tried, ", "),
                                                               ") are unavailable: ", last_error));
  };
  std::vector<std::thread> threads;
  for (int shard = 0; shard < shards; ++shard) {
    if (shard != self.shard) threads.emplace_back(ask_shard, shard);
  }
  for (std::thread& thread : threads) thread.join();

  Answers answers;
  // A query error outranks a shard that could not be reached: it would fail there too.
  for (int shard = 0; shard < shards; ++shard) {
    const absl::Status& error = results[shard].error;
    if (!error.ok() && !absl::IsUnavailable(error)) return error;
  }
  for (int shard = 0; shard < shards; ++shard) {
    if (shard == self.shard) continue;
    if (results[shard].answered) continue;
    if (!skip_unavailable_shards) return results[shard].error;
    answers.skipped_shards.push_back(shard);
  }
  return answers;
}

std::vector<NodeAnswer> RunOnOtherNodes(const ClusterMonitor& monitor, const std::string& secret,
                                        const ClusterStatement& statement, absl::Time deadline) {
  std::vector<std::pair<std::string, std::string>> headers = {
      {std::string(kClusterPrincipalHeader), statement.principal.name},
      {std::string(kClusterRoleHeader), std::string(RoleName(statement.principal.role))},
      {"Content-Type", "text/plain; charset=utf-8"}};
  if (!secret.empty()) headers.emplace_back(std::string(kClusterSecretHeader), secret);
  std::string target = absl::StrCat("/?", kForwardedParam, "=1&query_id=", UrlEncode(statement.query_id.substr(0, 100)), "-on-cluster");
  for (const auto& [name, value] : statement.params) {
    absl::StrAppend(&target, "&param_", UrlEncode(name), "=", UrlEncode(value));
  }
  const ClusterConfig& config = monitor.config();
  const ClusterNode self = monitor.self();
  std::vector<NodeAnswer> answers;
  for (int shard = 0; shard < static_cast<int>(config.shards.size()); ++shard) {
    for (int replica = 0; replica < static_cast<int>(config.shards[shard].replicas.size()); ++replica) {
      if (shard == self.shard && replica == self.replica) continue;
      NodeAnswer& answer = answers.emplace_back();
      answer.address = config.shards[shard].replicas[replica];
      absl::StatusOr<server_internal::ClusterHttpResponse> response = server_internal::ClusterHttpCall({
          .address = answer.address,
          .method = "POST",
          .target = target,
          .headers = headers,
          .body = statement.sql,
          .timeout = std::clamp(deadline - absl::Now(), absl::Seconds(1), kMaxShardWait),
      });
      if (!response.ok()) {
        answer.status = response.status();
      } else if (response->status != 200) {
        answer.status = ShardError(shard, answer.address, response->status, response->body);
      }
    }
  }
  return answers;
}

}  // namespace mua
