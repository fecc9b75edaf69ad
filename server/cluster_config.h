// ClusterConfig: the cluster file of `mua-server --cluster FILE --node HOST:PORT`
// (docs/CLUSTER.md, SPEC §11). Kafka is the distribution: shard s of S owns the topic
// partitions p with p mod S == s, and every replica of a shard consumes exactly those, by
// explicit assignment, under a consumer group of its own.
//
//   {"kafka": {"brokers": "127.0.0.1:19092", "topics": ["mobile_app_events"], "partitions": 24,
//              "control_topic": "mua_control"},
//    "shards": [{"replicas": ["127.0.0.1:8721", "127.0.0.1:8722"]},
//               {"replicas": ["127.0.0.1:8723", "127.0.0.1:8724"]}]}
//
//   MUA_ASSIGN_OR_RETURN(ClusterConfig cluster, ClusterConfig::Load(path));
//   MUA_ASSIGN_OR_RETURN(ClusterNode self, cluster.Locate("127.0.0.1:8721"));
//   std::vector<int32_t> partitions = cluster.OwnedPartitions(self.shard);
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mua {

// Where a node sits in the cluster (0-based, in file order).
struct ClusterNode {
  int shard = 0;
  int replica = 0;
};

struct ClusterConfig {
  struct Shard {
    std::vector<std::string> replicas;  // HOST:PORT, each a node's HTTP address
  };
  std::string brokers;              // Kafka bootstrap list
  std::vector<std::string> topics;  // every topic has `partitions` partitions
  int32_t partitions = 0;
  // One partition, kept forever: the changes every node applies in the same order (GDPR
  // erasures, dimension tables' DDL and rows).
  std::string control_topic = "mua_control";
  std::vector<Shard> shards;

  // Parses and checks a cluster file's text: every member known and of its type (a typo
  // is an error, not a default), 1 <= shards <= partitions, at least one replica per
  // shard, each address HOST:PORT and listed once. Errors: InvalidArgument naming the
  // member at fault.
  static absl::StatusOr<ClusterConfig> Parse(absl::string_view json);
  // Errors: as Parse, or NotFound / InvalidArgument when the file cannot be read or
  // exceeds 1 MiB.
  static absl::StatusOr<ClusterConfig> Load(const std::string& path);

  // Errors: NotFound when `address` is none of the replicas.
  absl::StatusOr<ClusterNode> Locate(absl::string_view address) const;

  // The partitions shard `shard` owns, ascending. REQUIRES: 0 <= shard < shards.size().
  std::vector<int32_t> OwnedPartitions(int shard) const;

  // The shard that owns `partition` (partition mod the shard count).
  int ShardOf(int32_t partition) const { return partition % static_cast<int32_t>(shards.size()); }
};

}  // namespace mua
