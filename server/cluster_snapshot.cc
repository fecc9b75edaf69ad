#include "server/cluster_snapshot.h"

#include <filesystem>
#include <iostream>
#include <random>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "ingest/kafka_consumer.h"
#include "rapidjson/document.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"
#include "server/cluster_query.h"
#include "server/internal/cluster_http.h"
#include "storage/base/json_limits.h"
#include "storage/base/status_macros.h"
#include "storage/internal/file_format.h"
#include "storage/store.h"

namespace mua {
namespace {

namespace fs = std::filesystem;

constexpr absl::string_view kPrefix = "/cluster/snapshot";
constexpr absl::Duration kSnapshotLifetime = absl::Hours(1);
// A segment file is tens of MiB; anything far past this is not one.
constexpr size_t kMaxFileBytes = size_t{4} << 30;

HttpResponse Error(int status, absl::string_view message) {
  return HttpResponse::Json(status, absl::StrCat("{\"error\":\"", message, "\"}"));
}

// A snapshot id as Create makes them.
bool ValidId(absl::string_view id) {
  return id.size() == 16 && std::all_of(id.begin(), id.end(), [](char c) { return absl::ascii_isxdigit(c); });
}

// The files a sibling may fetch: MANIFEST and files/NAME (no other directory, no "..").
bool ValidFile(absl::string_view path) {
  if (path == "MANIFEST") return true;
  if (!absl::ConsumePrefix(&path, "files/")) return false;
  return !path.empty() && path != "." && path != ".." && path.find('/') == absl::string_view::npos;
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
    if (!ValidId(id) || !created_.contains(id)) return Error(404, "no such snapshot");
  }
  const std::string snapshot = absl::StrCat(dir_, "/", id);
  if (request.method == "DELETE" && id_path.second.empty()) {
    absl::MutexLock lock(&mu_);
    std::error_code error;
    fs::remove_all(snapshot, error);
    created_.erase(id);
    return HttpResponse::Json(200, "{}");
  }
  if (request.method != "GET" || !ValidFile(id_path.second)) return Error(404, "no such file in the snapshot");
  absl::StatusOr<std::string> bytes = storage_internal::ReadWholeFile(absl::StrCat(snapshot, "/", id_path.second));
  if (!bytes.ok()) return Error(404, "no such file in the snapshot");
  HttpResponse response = HttpResponse::Text(200, *std::move(bytes));
  response.content_type = "application/octet-stream";
  return response;
}

HttpResponse SnapshotService::Create() {
  absl::MutexLock lock(&mu_);
  RemoveExpired();
  thread_local std::mt19937_64 random(std::random_device{}());
  const std::string id = absl::StrFormat("%016x", random());
  const std::string snapshot = absl::StrCat(dir_, "/", id);
  if (absl::Status made = storage_internal::MakePrivateDirectories(dir_); !made.ok()) {
    return Error(500, made.message());
  }
  if (absl::StatusOr<uint64_t> copied = store_->Snapshot(snapshot); !copied.ok()) {
    std::error_code error;
    fs::remove_all(snapshot, error);
    return Error(500, copied.status().message());
  }
  created_[id] = absl::Now();
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("id");
  writer.String(id.c_str());
  writer.Key("files");
  writer.StartArray();
  std::vector<std::string> paths = {"MANIFEST"};
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(snapshot + "/files", error)) {
    paths.push_back(absl::StrCat("files/", entry.path().filename().string()));
  }
  for (const std::string& path : paths) {
    writer.StartObject();
    writer.Key("path");
    writer.String(path.c_str());
    writer.Key("bytes");
    writer.Uint64(fs::file_size(absl::StrCat(snapshot, "/", path), error));
    writer.EndObject();
  }
  writer.EndArray();
  writer.EndObject();
  return HttpResponse::Json(200, std::string(buffer.GetString(), buffer.GetSize()));
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
  MUA_ASSIGN_OR_RETURN(const std::string listing, call("POST", std::string(kPrefix), 64 << 20));
  rapidjson::Document document;
  MUA_RETURN_IF_ERROR(ParseJsonBounded(listing, &document));
  if (!document.IsObject() || !document.HasMember("id") || !document["id"].IsString() ||
      !document.HasMember("files") || !document["files"].IsArray()) {
    return absl::DataLossError("the snapshot listing is not MUA's");
  }
  const std::string id = document["id"].GetString();
  MUA_RETURN_IF_ERROR(storage_internal::MakePrivateDirectories(options.data_dir + "/files"));
  std::string manifest;
  uint64_t total = 0;
  for (const auto& file : document["files"].GetArray()) {
    if (!file.IsObject() || !file.HasMember("path") || !file["path"].IsString() || !file.HasMember("bytes") ||
        !file["bytes"].IsUint64() || !ValidFile(file["path"].GetString()) || file["bytes"].GetUint64() > kMaxFileBytes) {
      return absl::DataLossError("the snapshot listing names a file that is not a data file");
    }
    const std::string path = file["path"].GetString();
    MUA_ASSIGN_OR_RETURN(std::string bytes, call("GET", absl::StrCat(kPrefix, "/", id, "/", path),
                                                 static_cast<size_t>(file["bytes"].GetUint64()) + 1));
    if (bytes.size() != file["bytes"].GetUint64()) {
      return absl::DataLossError(absl::StrCat(path, ": ", bytes.size(), " bytes, the listing said ",
                                              file["bytes"].GetUint64()));
    }
    total += bytes.size();
    if (path == "MANIFEST") {
      manifest = std::move(bytes);
    } else {
      MUA_RETURN_IF_ERROR(storage_internal::WriteFileAndSync(absl::StrCat(options.data_dir, "/", path), bytes));
    }
  }
  if (manifest.empty()) return absl::DataLossError("the snapshot has no MANIFEST");
  MUA_RETURN_IF_ERROR(storage_internal::SyncDirectory(options.data_dir + "/files"));
  MUA_RETURN_IF_ERROR(storage_internal::WriteFileAndSync(options.data_dir + "/MANIFEST.tmp", manifest));
  MUA_RETURN_IF_ERROR(
      storage_internal::RenameDurably(options.data_dir + "/MANIFEST.tmp", options.data_dir + "/MANIFEST", options.data_dir));
  (void)call("DELETE", absl::StrCat(kPrefix, "/", id), 4096);  // it also expires
  std::cerr << "mua-server: bootstrapped from " << address << "'s snapshot: " << document["files"].Size()
            << " files, " << total << " bytes\n";
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> BootstrapFromSibling(const ClusterConfig& config, ClusterNode self,
                                                 const BootstrapOptions& options) {
  std::error_code error;
  if (options.mode == BootstrapMode::kNever || fs::exists(options.data_dir + "/MANIFEST", error)) return "";
  if (options.mode == BootstrapMode::kAuto) {
    bool lost = false;
    for (const std::string& topic : config.topics) {
      MUA_ASSIGN_OR_RETURN(const auto starts, LogStartOffsets(config.brokers, topic, config.OwnedPartitions(self.shard),
                                                              options.kafka_config));
      for (const auto& [partition, start] : starts) lost = lost || start > 0;
    }
    if (!lost) return "";  // Kafka holds the shard's whole history: it is replayed
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
      "this replica's data directory is empty and Kafka no longer holds its shard's first events, but no sibling "
      "gave a snapshot to start from (",
      failures.empty() ? "the shard has no other replica" : failures,
      "); start a sibling, or pass --cluster_bootstrap=never to start with what Kafka holds"));
}

}  // namespace mua
