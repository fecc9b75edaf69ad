#include "server/cluster_snapshot.h"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <random>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "ingest/kafka_consumer.h"
#include "server/cluster_query.h"
#include "server/internal/cluster_http.h"
#include "server/internal/cluster_messages.h"
#include "storage/base/status_macros.h"
#include "storage/checkpoint_positions.h"
#include "storage/durable_file.h"
#include "storage/store.h"

namespace mua {
namespace {

namespace fs = std::filesystem;

constexpr absl::string_view kPrefix = "/cluster/snapshot";
constexpr absl::Duration kSnapshotLifetime = absl::Hours(1);
constexpr size_t kMaxSnapshots = 4;  // held at once (a shard's replicas bootstrapping together)
// A segment file is tens of MiB; anything far past this is not one.
constexpr size_t kMaxFileBytes = size_t{4} << 30;

HttpResponse Error(int status, absl::string_view message) {
  return HttpResponse::Json(status, absl::StrCat("{\"error\":\"", message, "\"}"));
}

}  // namespace

SnapshotService::SnapshotService(Store* store, std::string dir) : store_(store), dir_(std::move(dir)) {
  std::error_code error;
  fs::remove_all(dir_, error);  // an earlier run's: nobody fetches them any more
}

bool SnapshotService::Serves(const std::string& path) {
  return path == kPrefix || absl::StartsWith(path, absl::StrCat(kPrefix, "/"));
}

HttpResponse SnapshotService::Handle(const HttpRequest& request) {
  if (request.path == kPrefix) {
    if (request.method != "POST") return Error(405, "POST makes a snapshot");
    return Create();
  }
  // ID or ID/PATH after the prefix.
  const absl::string_view rest = absl::string_view(request.path).substr(kPrefix.size() + 1);
  const std::pair<absl::string_view, absl::string_view> id_path = absl::StrSplit(rest, absl::MaxSplits('/', 1));
  const std::string id(id_path.first);
  {
    absl::MutexLock lock(&mu_);
    RemoveExpired();
    if (!server_internal::ValidSnapshotId(id) || !created_.contains(id)) return Error(404, "no such snapshot");
  }
  const std::string snapshot = absl::StrCat(dir_, "/", id);
  if (request.method == "DELETE" && id_path.second.empty()) {
    absl::MutexLock lock(&mu_);
    std::error_code error;
    fs::remove_all(snapshot, error);
    created_.erase(id);
    return HttpResponse::Json(200, "{}");
  }
  if (request.method != "GET" || !server_internal::ValidSnapshotFile(id_path.second)) return Error(404, "no such file in the snapshot");
  absl::StatusOr<std::string> bytes = ReadWholeFile(absl::StrCat(snapshot, "/", id_path.second));
  if (!bytes.ok()) return Error(404, "no such file in the snapshot");
  HttpResponse response = HttpResponse::Text(200, *std::move(bytes));
  response.content_type = "application/octet-stream";
  return response;
}

HttpResponse SnapshotService::Create() {
  absl::MutexLock lock(&mu_);
  RemoveExpired();
  // Each holds a checkpoint's files for up to an hour (hard links keep what retention drops).
  if (created_.size() >= kMaxSnapshots) {
    return Error(503, absl::StrCat(kMaxSnapshots, " snapshots are held already: fetch and DELETE one, or wait"));
  }
  thread_local std::mt19937_64 random(std::random_device{}());
  const std::string id = absl::StrFormat("%016x", random());
  const std::string snapshot = absl::StrCat(dir_, "/", id);
  if (absl::Status made = MakePrivateDirectories(dir_); !made.ok()) {
    return Error(500, made.message());
  }
  if (absl::StatusOr<uint64_t> copied = store_->Snapshot(snapshot); !copied.ok()) {
    std::error_code error;
    fs::remove_all(snapshot, error);
    return Error(500, copied.status().message());
  }
  created_[id] = absl::Now();
  server_internal::SnapshotListing listing{.id = id};
  std::vector<std::string> paths = {"MANIFEST"};
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(snapshot + "/files", error)) {
    paths.push_back(absl::StrCat("files/", entry.path().filename().string()));
  }
  for (const std::string& path : paths) {
    listing.files.emplace_back(path, fs::file_size(absl::StrCat(snapshot, "/", path), error));
  }
  return HttpResponse::Json(200, server_internal::EncodeSnapshotListing(listing));
}

void SnapshotService::RemoveExpired() {
  for (auto it = created_.begin(); it != created_.end();) {
    if (absl::Now() - it->second < kSnapshotLifetime) {
      ++it;
      continue;
    }
    std::error_code error;
    fs::remove_all(absl::StrCat(dir_, "/", it->first), error);
    created_.erase(it++);
  }
}

namespace {

// Copies sibling `address`'s snapshot into `data_dir`: files/ first, MANIFEST last (its
// presence says the copy is whole; a copy cut short is swept and redone at the next start).
absl::Status CopySnapshot(const std::string& address, const BootstrapOptions& options) {
  const absl::Time deadline = absl::Now() + options.timeout;
  std::vector<std::pair<std::string, std::string>> headers = {
      {std::string(kClusterPrincipalHeader), "mua-cluster"}, {std::string(kClusterRoleHeader), "admin"}};
  if (!options.secret.empty()) headers.emplace_back(std::string(kClusterSecretHeader), options.secret);
  auto call = [&](const char* method, const std::string& target, size_t max_bytes) -> absl::StatusOr<std::string> {
    MUA_ASSIGN_OR_RETURN(server_internal::ClusterHttpResponse response,
                         server_internal::ClusterHttpCall({.address = address,
                                                           .method = method,
                                                           .target = target,
                                                           .headers = headers,
                                                           .timeout = deadline - absl::Now(),
                                                           .max_body_bytes = max_bytes}));
    if (response.status != 200) {
      return absl::UnavailableError(absl::StrCat(method, " ", target, ": HTTP ", response.status, " ",
                                                 response.body.substr(0, 300)));
    }
    return std::move(response.body);
  };
  MUA_ASSIGN_OR_RETURN(const std::string text, call("POST", std::string(kPrefix), 64 << 20));
  MUA_ASSIGN_OR_RETURN(const server_internal::SnapshotListing listing,
                       server_internal::DecodeSnapshotListing(text, kMaxFileBytes));
  MUA_RETURN_IF_ERROR(MakePrivateDirectories(options.data_dir + "/files"));
  std::string manifest;
  uint64_t total = 0;
  for (const auto& [path, size] : listing.files) {
    MUA_ASSIGN_OR_RETURN(std::string bytes, call("GET", absl::StrCat(kPrefix, "/", listing.id, "/", path),
                                                 static_cast<size_t>(size) + 1));
    if (bytes.size() != size) {
      return absl::DataLossError(absl::StrCat(path, ": ", bytes.size(), " bytes, the listing said ", size));
    }
    total += bytes.size();
    if (path == "MANIFEST") {
      manifest = std::move(bytes);
    } else {
      MUA_RETURN_IF_ERROR(WriteFileSynced(absl::StrCat(options.data_dir, "/", path), bytes));
    }
  }
  if (manifest.empty()) return absl::DataLossError("the snapshot has no MANIFEST");
  MUA_RETURN_IF_ERROR(SyncDirectory(options.data_dir + "/files"));
  MUA_RETURN_IF_ERROR(ReplaceFileDurably(options.data_dir + "/MANIFEST", manifest));
  (void)call("DELETE", absl::StrCat(kPrefix, "/", listing.id), 4096);  // it also expires
  std::cerr << "mua-server: bootstrapped from " << address << "'s snapshot: " << listing.files.size()
            << " files, " << total << " bytes\n";
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> BootstrapFromSibling(const ClusterConfig& config, ClusterNode self,
                                                 const BootstrapOptions& options) {
  if (options.mode == BootstrapMode::kNever) return "";
  // Where this replica's data stands: its checkpoint's Kafka offsets, or nothing.
  absl::StatusOr<std::map<std::string, int64_t>> stored = ReadCheckpointPositions(options.data_dir);
  if (!stored.ok() && !absl::IsNotFound(stored.status())) return "";  // the store's recovery reports it
  const bool empty = !stored.ok();
  if (!empty || options.mode == BootstrapMode::kAuto) {
    // Does Kafka still hold everything from where this replica stands (or from the start)?
    bool gone = false;
    for (const std::string& topic : config.topics) {
      const absl::StatusOr<std::map<int32_t, int64_t>> starts =
          LogStartOffsets(config.brokers, topic, config.OwnedPartitions(self.shard), options.kafka_config);
      if (!starts.ok()) {
        // Kafka down at start: the node starts on what it has; a gap it meets later is counted.
        std::cerr << "mua-server: cannot tell whether Kafka still holds this replica's next events ("
                  << starts.status().message() << "); starting without a sibling's snapshot\n";
        return "";
      }
      for (const auto& [partition, start] : *starts) {
        int64_t next = 0;
        if (!empty) {
          const auto it = stored->find(KafkaSource(TopicPartition{topic, partition}));
          next = it == stored->end() ? 0 : std::max<int64_t>(it->second, 0);
        }
        gone = gone || start > next;
      }
    }
    if (!gone) return "";  // Kafka holds the rest of the shard's history: it is consumed
  }
  if (!empty) {
    // A checkpoint whose next events Kafka no longer holds: the sibling's replaces it, kept aside.
    const std::string aside = absl::StrCat(options.data_dir, "/discarded-stale-", absl::ToUnixSeconds(absl::Now()));
    MUA_RETURN_IF_ERROR(MakePrivateDirectories(aside));
    for (const char* name : {"MANIFEST", "files", "wal"}) {
      std::error_code error;
      fs::rename(absl::StrCat(options.data_dir, "/", name), absl::StrCat(aside, "/", name), error);
      if (error && error != std::errc::no_such_file_or_directory) {
        return absl::InternalError(absl::StrCat("cannot move ", name, " to ", aside, ": ", error.message()));
      }
    }
    std::cerr << "mua-server: Kafka no longer holds the events after this replica's checkpoint; it is moved to "
              << aside << " and replaced by a sibling's\n";
  }
  std::string failures;
  const std::vector<std::string>& replicas = config.shards[self.shard].replicas;
  for (int replica = 0; replica < static_cast<int>(replicas.size()); ++replica) {
    if (replica == self.replica) continue;
    const absl::Status copied = CopySnapshot(replicas[replica], options);
    if (copied.ok()) return replicas[replica];
    absl::StrAppend(&failures, failures.empty() ? "" : "; ", replicas[replica], ": ", copied.message());
  }
  return absl::UnavailableError(absl::StrCat(
      "Kafka no longer holds the events this replica needs next, but no sibling gave a snapshot to start from (",
      failures.empty() ? "the shard has no other replica" : failures,
      "); start a sibling, or pass --cluster_bootstrap=never to start with what Kafka holds"));
}

}  // namespace mua
