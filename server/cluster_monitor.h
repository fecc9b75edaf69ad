// ClusterMonitor: the cluster's state as one node sees it. A thread of its own probes every
// other replica's `GET /health` (ClusterConfig) every `interval`, each with a short timeout,
// and keeps what it answered: healthy or not, its status, Kafka lag and event count, the last
// error and how many probes failed. The node's own row comes from `local` (no HTTP). Served
// as system.clusters and in /health; distributed queries will pick replicas from it.
//
//   ClusterMonitor monitor(config, self, [&] { return LocalReplicaState(...); });
//   for (const ReplicaState& replica : monitor.Snapshot()) ...
//
// Thread safety: Snapshot from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/cluster_config.h"

namespace mua {

class Catalog;

// The last count of users seen on more than one shard (their events split, so per-user
// results no longer add up exactly): computed by one node, learned by the others from its
// /health.
struct SplitUsers {
  int64_t users = -1;  // -1: not counted yet
  absl::Time checked_at = absl::InfinitePast();
  std::string checked_by;  // the node that counted
  std::string error;       // of this node's last attempt, "" when it succeeded
};

struct ReplicaState {
  int shard = 0;    // 0-based, in cluster file order
  int replica = 0;
  std::string address;
  bool is_local = false;
  bool probed = false;   // answered or failed at least once (the local row always)
  bool healthy = false;  // answered /health with status ok or degraded
  std::string status;    // its /health status (ok | degraded | starting), or "unreachable"
  int64_t lag = 0;       // its Kafka lag, messages
  int64_t events = 0;    // events it holds
  int64_t errors = 0;    // failed probes so far
  std::string last_error;
  absl::Time checked_at = absl::InfinitePast();
  SplitUsers split_users;  // as its /health reported them
};

class ClusterMonitor {
 public:
  ClusterMonitor(ClusterConfig config, ClusterNode self, std::function<ReplicaState()> local,
                 absl::Duration interval = absl::Seconds(2), absl::Duration timeout = absl::Seconds(1));
  ~ClusterMonitor();  // stops probing
  ClusterMonitor(const ClusterMonitor&) = delete;
  ClusterMonitor& operator=(const ClusterMonitor&) = delete;

  // Every replica in file order, the local one included.
  std::vector<ReplicaState> Snapshot() const;

  const ClusterConfig& config() const { return config_; }
  ClusterNode self() const { return self_; }

  // Counts split users with `count` every `every` while this node is the first healthy
  // replica in file order (so one node of the cluster pays for it), on a thread of its own.
  void StartSplitUserCheck(std::function<absl::StatusOr<int64_t>()> count, absl::Duration every);
  SplitUsers split_users() const;

 private:
  void Run();
  void RunSplitUserCheck();
  void Learn(const SplitUsers& seen) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  ReplicaState Probe(const ReplicaState& before) const;
  bool Stopping() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_; }

  const ClusterConfig config_;
  const ClusterNode self_;
  const std::function<ReplicaState()> local_;
  const absl::Duration interval_;
  const absl::Duration timeout_;

  mutable absl::Mutex mu_;
  std::vector<ReplicaState> remote_ ABSL_GUARDED_BY(mu_);  // every replica; the local one unused
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  SplitUsers split_ ABSL_GUARDED_BY(mu_);
  std::function<absl::StatusOr<int64_t>()> count_split_;
  absl::Duration split_every_;
  std::thread prober_;
  std::thread split_checker_;
};

// system.clusters: one row per replica (ClickHouse's cluster, shard_num, replica_num,
// host_address, port, is_local, errors_count; then healthy, status, lag, events, last_error,
// and the cluster's split_users, the same on every row).
// REQUIRES: `monitor` outlives the catalog's use.
void RegisterClusterTable(Catalog* catalog, const ClusterMonitor* monitor);

}  // namespace mua
