#include "server/cluster_config.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "rapidjson/document.h"
#include "storage/base/json_limits.h"
#include "storage/base/status_macros.h"

namespace mua {
namespace {

constexpr size_t kMaxFileBytes = size_t{1} << 20;
constexpr int32_t kMaxPartitions = 100'000;  // Kafka's practical ceiling is far below

absl::Status Invalid(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("cluster file: ", what));
}

// Refuses members other than `known`: a misspelt "replica" must not pass as no replicas.
absl::Status CheckMembers(const rapidjson::Value& object, std::initializer_list<absl::string_view> known,
                          absl::string_view where) {
  for (const auto& member : object.GetObject()) {
    const absl::string_view name(member.name.GetString(), member.name.GetStringLength());
    bool found = false;
    for (absl::string_view k : known) found = found || k == name;
    if (!found) return Invalid(absl::StrCat("unknown member \"", name, "\" in ", where));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> NonEmptyString(const rapidjson::Value& value, absl::string_view where) {
  if (!value.IsString() || value.GetStringLength() == 0) {
    return Invalid(absl::StrCat(where, " must be a non-empty string"));
  }
  return std::string(value.GetString(), value.GetStringLength());
}

// HOST:PORT with a port in 1..65535 (HOST may be a bracketed IPv6 address).
absl::Status CheckAddress(absl::string_view address, absl::string_view where) {
  const size_t colon = address.rfind(':');
  uint32_t port = 0;
  if (colon == absl::string_view::npos || colon == 0 ||
      !absl::SimpleAtoi(address.substr(colon + 1), &port) || port == 0 || port > 65535) {
    return Invalid(absl::StrCat(where, " \"", address, "\" is not HOST:PORT"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ClusterConfig> ClusterConfig::Parse(absl::string_view json) {
  rapidjson::Document document;
  if (absl::Status status = ParseJsonBounded(json, &document); !status.ok()) {
    return Invalid(status.message());
  }
  if (!document.IsObject()) return Invalid("the top level must be an object");
  MUA_RETURN_IF_ERROR(CheckMembers(document, {"kafka", "shards"}, "the top level"));

  ClusterConfig config;
  const auto kafka = document.FindMember("kafka");
  if (kafka == document.MemberEnd() || !kafka->value.IsObject()) {
    return Invalid("\"kafka\" must be an object");
  }
  MUA_RETURN_IF_ERROR(
      CheckMembers(kafka->value, {"brokers", "topics", "partitions", "control_topic"}, "\"kafka\""));
  const auto brokers = kafka->value.FindMember("brokers");
  if (brokers == kafka->value.MemberEnd()) return Invalid("\"kafka.brokers\" is missing");
  MUA_ASSIGN_OR_RETURN(config.brokers, NonEmptyString(brokers->value, "\"kafka.brokers\""));

  const auto topics = kafka->value.FindMember("topics");
  if (topics == kafka->value.MemberEnd() || !topics->value.IsArray() || topics->value.Empty()) {
    return Invalid("\"kafka.topics\" must be a non-empty array of topic names");
  }
  for (const auto& topic : topics->value.GetArray()) {
    MUA_ASSIGN_OR_RETURN(std::string name, NonEmptyString(topic, "each of \"kafka.topics\""));
    config.topics.push_back(std::move(name));
  }

  const auto partitions = kafka->value.FindMember("partitions");
  if (partitions == kafka->value.MemberEnd() || !partitions->value.IsInt() ||
      partitions->value.GetInt() < 1 || partitions->value.GetInt() > kMaxPartitions) {
    return Invalid(absl::StrCat("\"kafka.partitions\" must be an integer in 1..", kMaxPartitions,
                                " (the topics' partition count)"));
  }
  config.partitions = partitions->value.GetInt();
  if (const auto control = kafka->value.FindMember("control_topic"); control != kafka->value.MemberEnd()) {
    MUA_ASSIGN_OR_RETURN(config.control_topic, NonEmptyString(control->value, "\"kafka.control_topic\""));
    if (std::find(config.topics.begin(), config.topics.end(), config.control_topic) != config.topics.end()) {
      return Invalid("\"kafka.control_topic\" must not be one of the event topics");
    }
  }

  const auto shards = document.FindMember("shards");
  if (shards == document.MemberEnd() || !shards->value.IsArray() || shards->value.Empty()) {
    return Invalid("\"shards\" must be a non-empty array");
  }
  if (static_cast<int64_t>(shards->value.Size()) > config.partitions) {
    return Invalid(absl::StrCat(shards->value.Size(), " shards for ", config.partitions,
                                " partitions: a shard would own none"));
  }
  absl::flat_hash_set<std::string> seen;
  for (const auto& shard : shards->value.GetArray()) {
    const std::string where = absl::StrCat("shard ", config.shards.size());
    if (!shard.IsObject()) return Invalid(absl::StrCat(where, " must be an object"));
    MUA_RETURN_IF_ERROR(CheckMembers(shard, {"replicas"}, where));
    const auto replicas = shard.FindMember("replicas");
    if (replicas == shard.MemberEnd() || !replicas->value.IsArray() || replicas->value.Empty()) {
      return Invalid(absl::StrCat(where, ": \"replicas\" must be a non-empty array of HOST:PORT"));
    }
    Shard& parsed = config.shards.emplace_back();
    for (const auto& replica : replicas->value.GetArray()) {
      MUA_ASSIGN_OR_RETURN(std::string address, NonEmptyString(replica, absl::StrCat(where, "'s replica")));
      MUA_RETURN_IF_ERROR(CheckAddress(address, absl::StrCat(where, "'s replica")));
      if (!seen.insert(address).second) {
        return Invalid(absl::StrCat("\"", address, "\" is listed twice: a node is one replica of one shard"));
      }
      parsed.replicas.push_back(std::move(address));
    }
  }
  return config;
}

absl::StatusOr<ClusterConfig> ClusterConfig::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cluster file ", path, " cannot be read"));
  std::string text(kMaxFileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxFileBytes) {
    return absl::InvalidArgumentError(absl::StrCat("cluster file ", path, " exceeds 1 MiB"));
  }
  absl::StatusOr<ClusterConfig> config = Parse(text);
  if (!config.ok()) {
    return absl::Status(config.status().code(), absl::StrCat(path, ": ", config.status().message()));
  }
  return config;
}

absl::StatusOr<ClusterNode> ClusterConfig::Locate(absl::string_view address) const {
  for (size_t s = 0; s < shards.size(); ++s) {
    for (size_t r = 0; r < shards[s].replicas.size(); ++r) {
      if (shards[s].replicas[r] == address) return ClusterNode{static_cast<int>(s), static_cast<int>(r)};
    }
  }
  return absl::NotFoundError(absl::StrCat("--node ", address, " is not a replica in the cluster file"));
}

std::vector<int32_t> ClusterConfig::OwnedPartitions(int shard) const {
  std::vector<int32_t> owned;
  for (int32_t p = shard; p < partitions; p += static_cast<int32_t>(shards.size())) owned.push_back(p);
  return owned;
}

}  // namespace mua
