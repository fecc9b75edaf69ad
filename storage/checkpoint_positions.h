// The source positions a data directory's last checkpoint holds (the Kafka offsets a Store
// opened on it resumes from), read without opening it: a cluster replica decides at start
// whether Kafka still holds what it needs (server/cluster_snapshot.h).
//
//   MUA_ASSIGN_OR_RETURN(auto positions, ReadCheckpointPositions("/var/lib/mua"));
//   int64_t next = positions["kafka/mobile_app_events/3"];
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/statusor.h"

namespace mua {

// Errors: NotFound when `dir` holds no checkpoint; DataLoss when its MANIFEST is damaged.
absl::StatusOr<std::map<std::string, int64_t>> ReadCheckpointPositions(const std::string& dir);

}  // namespace mua
