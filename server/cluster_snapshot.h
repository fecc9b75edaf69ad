// Bootstrapping a replica from a sibling (docs/CLUSTER.md). Two years of events outlive any
// Kafka retention: a new or rebuilt replica whose shard's partitions Kafka no longer holds
// from their first offset copies a sibling's checkpoint over HTTP, then catches up from the
// Kafka offsets stored in it (and from the control topic, which keeps everything).
//
// Serving (every node with a data directory):
//   POST   /cluster/snapshot           a consistent copy of the last checkpoint (hard links
//                                      under DATA_DIR/snapshots/ID): {"id", "files": [{"path", "bytes"}]}
//   GET    /cluster/snapshot/ID/PATH   one of its files (MANIFEST or files/NAME)
//   DELETE /cluster/snapshot/ID        removes it (snapshots also expire after an hour; 4 at most
//                                      are held at once)
// Admins only (a sibling's request is vouched for by the cluster secret).
//
// Fetching, at a node's start before its store opens: BootstrapFromSibling.
//
// Thread safety: SnapshotService::Handle from any thread.
#pragma once

#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/cluster_config.h"
#include "server/http_types.h"

namespace mua {

class Store;

class SnapshotService {
 public:
  // REQUIRES: `store` outlives the service. Removes what an earlier run left in `dir`.
  SnapshotService(Store* store, std::string dir);

  // Whether `path` is one of the service's.
  static bool Serves(const std::string& path);
  HttpResponse Handle(const HttpRequest& request);

 private:
  HttpResponse Create();
  void RemoveExpired() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Store* const store_;
  const std::string dir_;
  absl::Mutex mu_;  // one snapshot made at a time
  std::map<std::string, absl::Time> created_ ABSL_GUARDED_BY(mu_);
};

enum class BootstrapMode { kAuto, kAlways, kNever };

struct BootstrapOptions {
  BootstrapMode mode = BootstrapMode::kAuto;
  std::string data_dir;
  std::string secret;  // the cluster secret, "" in development mode
  std::map<std::string, std::string> kafka_config;
  absl::Duration timeout = absl::Minutes(30);  // for the whole copy
};

// Before a node's store opens: when Kafka no longer holds the events its shard's replica needs
// next — any partition's log start above the offset its checkpoint resumes from, or above 0
// for an empty data directory — copies a sibling replica's snapshot into the data directory
// (siblings in file order, the first that answers; a stale checkpoint is moved aside to
// DATA_DIR/discarded-stale-TIME). kAlways copies into an empty data directory whatever Kafka
// holds; kNever never copies. Returns the sibling it copied from, "" when none was needed.
// Errors: Unavailable when one was needed and no sibling could give one (the node should not
// start with events missing).
absl::StatusOr<std::string> BootstrapFromSibling(const ClusterConfig& config, ClusterNode self,
                                                 const BootstrapOptions& options);

}  // namespace mua
