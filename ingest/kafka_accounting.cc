#include "ingest/kafka_accounting.h"

#include <algorithm>
#include <optional>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace mua {
namespace {

constexpr absl::string_view kPrefix = "kafka-";
constexpr absl::string_view kRejectedPrefix = "rejected.";

std::string Key(absl::string_view name, const TopicPartition& partition) {
  return absl::StrCat(kPrefix, name, "/", partition.topic, "/", partition.partition);
}

// "TOPIC/PARTITION" (topic names have no '/': Kafka allows [a-zA-Z0-9._-]).
std::optional<TopicPartition> ParsePartition(absl::string_view text) {
  const size_t slash = text.rfind('/');
  TopicPartition partition;
  if (slash == absl::string_view::npos || slash == 0 ||
      !absl::SimpleAtoi(text.substr(slash + 1), &partition.partition)) {
    return std::nullopt;
  }
  partition.topic = std::string(text.substr(0, slash));
  return partition;
}

}  // namespace

OffsetJump ClassifyJump(int64_t needed, int64_t got, int64_t log_start) {
  OffsetJump jump;
  if (got <= needed) return jump;
  jump.lost = log_start < 0 ? got - needed : std::clamp<int64_t>(log_start - needed, 0, got - needed);
  jump.skipped = got - needed - jump.lost;
  return jump;
}

std::map<std::string, int64_t> AccountingPositions(const TopicPartition& partition,
                                                   const PartitionIngestStats& stats) {
  std::map<std::string, int64_t> positions = {
      {Key("start", partition), stats.start_offset},
      {Key("events", partition), stats.events},
      {Key("duplicates", partition), stats.duplicates},
      {Key("gap", partition), stats.gap_messages},
      {Key("gaps", partition), stats.gaps},
      {Key("skipped", partition), stats.skipped_offsets},
  };
  for (int r = 0; r < kNumRejectReasons; ++r) {
    // Only reasons that occurred: 16 keys per partition would bloat every MANIFEST. A count
    // never goes back to 0, so an absent key is never stale.
    if (stats.rejected_by_reason[r] == 0) continue;
    positions[Key(absl::StrCat(kRejectedPrefix, RejectReasonName(static_cast<RejectReason>(r))),
                  partition)] = stats.rejected_by_reason[r];
  }
  return positions;
}

std::map<TopicPartition, PartitionIngestStats> LoadAccounting(
    const std::map<std::string, int64_t>& positions) {
  std::map<TopicPartition, PartitionIngestStats> partitions;
  for (const auto& [key, value] : positions) {
    absl::string_view rest = key;
    if (absl::ConsumePrefix(&rest, "kafka/")) {
      if (std::optional<TopicPartition> partition = ParsePartition(rest)) {
        partitions[*partition].applied_offset = value;
      }
      continue;
    }
    if (!absl::ConsumePrefix(&rest, kPrefix)) continue;
    const size_t slash = rest.find('/');
    if (slash == absl::string_view::npos) continue;
    const absl::string_view name = rest.substr(0, slash);
    std::optional<TopicPartition> partition = ParsePartition(rest.substr(slash + 1));
    if (!partition) continue;
    PartitionIngestStats& stats = partitions[*partition];
    if (name == "start") {
      stats.start_offset = value;
    } else if (name == "events") {
      stats.events = value;
    } else if (name == "duplicates") {
      stats.duplicates = value;
    } else if (name == "gap") {
      stats.gap_messages = value;
    } else if (name == "gaps") {
      stats.gaps = value;
    } else if (name == "skipped") {
      stats.skipped_offsets = value;
    } else if (absl::string_view reason_name = name;
               absl::ConsumePrefix(&reason_name, kRejectedPrefix)) {
      if (std::optional<RejectReason> reason = FindRejectReason(reason_name)) {
        stats.rejected_by_reason[static_cast<size_t>(*reason)] = value;
      }
    }
  }
  for (auto& [key, stats] : partitions) {
    stats.rejected = 0;
    for (const int64_t count : stats.rejected_by_reason) stats.rejected += count;
    stats.messages = stats.events + stats.duplicates + stats.rejected;
    if (stats.start_offset < 0 && stats.applied_offset >= 0) {
      // Stored before the accounting existed: it starts here, with nothing counted yet.
      stats = PartitionIngestStats{.applied_offset = stats.applied_offset,
                                   .start_offset = stats.applied_offset};
    } else if (stats.applied_offset < 0 && stats.start_offset >= 0) {
      stats.applied_offset = stats.start_offset;  // cannot happen: both go in one scope
    }
  }
  return partitions;
}

}  // namespace mua
