// ClusterFanout: a coordinator's reach to the other shards of its cluster (SPEC §11,
// docs/CLUSTER.md "Distributed queries"). For one statement it sends the statement's
// text and parameters, with the stage asked for, to one replica of every other shard
// over HTTP (`POST /?cluster_stage=...`), all shards in parallel; each answers its part
// encoded (query/distributed.h), which SqlEngine merges with this node's own.
//
// Replica choice per shard, from the ClusterMonitor's probes: healthy replicas first,
// least Kafka lag first; then the others (a probe two seconds old may be wrong). A
// replica that cannot be reached, goes away mid-answer, or answers 503 is retried on the
// next; a query error (bad SQL, a memory limit) is the statement's error at once.
// A shard none of whose replicas answers fails the statement with Unavailable naming
// it, or with skip_unavailable_shards is left out and reported.
//
// Shards trust the request through the cluster secret (--cluster_secret): it carries
// the coordinator's principal, so shards apply the same role checks and limits.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/auth.h"
#include "sql/sql_engine.h"

namespace mua {

class ClusterMonitor;

// The `cluster_stage` URL parameter of a shard's part: "partial_aggregate", "collect",
// "source_rows".
absl::string_view ShardStageName(ShardStage stage);
// kNone for anything else.
ShardStage ParseShardStage(absl::string_view name);

// Headers of a coordinator's request to a shard.
inline constexpr absl::string_view kClusterSecretHeader = "X-MUA-Cluster-Secret";
inline constexpr absl::string_view kClusterPrincipalHeader = "X-MUA-Cluster-Principal";
inline constexpr absl::string_view kClusterRoleHeader = "X-MUA-Cluster-Role";

struct ClusterStatement {
  std::string sql;
  std::map<std::string, std::string, std::less<>> params;  // query parameters, without `param_`
  Principal principal;
  std::string query_id;  // the coordinator's; shards run `<query_id>-shard<N>`
};

class ClusterFanout final : public ShardFanout {
 public:
  // REQUIRES: `monitor` outlives this object.
  ClusterFanout(const ClusterMonitor* monitor, std::string secret, ClusterStatement statement)
      : monitor_(monitor), secret_(std::move(secret)), statement_(std::move(statement)) {}

  absl::StatusOr<Answers> Run(ShardStage stage, absl::string_view block, absl::string_view inputs,
                              bool skip_unavailable_shards, absl::Time deadline,
                              const std::atomic<bool>* cancelled) const override;
  // Each shard's part goes to `sink` from that shard's thread as soon as it answers.
  absl::StatusOr<Answers> Stream(ShardStage stage, absl::string_view block, absl::string_view inputs,
                                 bool skip_unavailable_shards, absl::Time deadline, const std::atomic<bool>* cancelled,
                                 const PartSink& sink) const override;

 private:
  const ClusterMonitor* monitor_;
  const std::string secret_;
  const ClusterStatement statement_;
};

// SYSTEM ... ON CLUSTER: `statement` on every node of the cluster but this one, as its
// principal (the cluster secret vouching), each node in turn. A node that cannot be reached
// answers Unavailable; a node's error comes back as its status.
struct NodeAnswer {
  std::string address;
  absl::Status status;
};
std::vector<NodeAnswer> RunOnOtherNodes(const ClusterMonitor& monitor, const std::string& secret,
                                        const ClusterStatement& statement, absl::Time deadline);

// The URL parameter of a statement forwarded by RunOnOtherNodes.
inline constexpr absl::string_view kForwardedParam = "cluster_forwarded";

}  // namespace mua
