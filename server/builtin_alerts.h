// The alert rules MUA ships, on by default (SPEC §5c): the pipeline watched from inside —
// consumer stopped or erroring, lag or freshness over 5 minutes, a partition's reject rate
// over 1 % in 5 minutes, memory or disk over 80 % — and the product: a new app_version
// whose crash-free sessions fall significantly below the previous version's, total events
// or DAU anomalous. A rules file replaces one by naming it, turns it off with
// `enabled: false`, and changes the thresholds under `builtin:` (BuiltInAlertSettings).
//
//   MUA_ASSIGN_OR_RETURN(std::vector<AlertRule> rules,
//                        BuiltInAlertRules({.consumer = consumer, .runner = runner}, file.builtin_settings));
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "server/alerts.h"

namespace mua {

class KafkaConsumer;
class QueryRunner;

struct BuiltInAlertParts {
  const KafkaConsumer* consumer = nullptr;  // null: no consumer rules
  std::function<bool()> consumer_running;   // false once the consume loop has ended
  const QueryRunner* runner = nullptr;      // for the product rules
  uint64_t memory_limit_bytes = 0;          // 0: no memory rule
  std::string data_dir;                     // empty: no disk rule
};

// Settings (`builtin:` in a rules file), with their defaults:
//   every: 15s            how often the pipeline rules run
//   for: 1m               how long a pipeline condition holds before firing
//   lag: 5m               lag (the oldest unapplied data) or freshness beyond this fires
//   reject_rate: 0.01     share of a partition's messages rejected ...
//   reject_window: 5m     ... over this window
//   memory: 0.8           resident memory over this share of the memory limit
//   disk: 0.8             the data directory's file system over this share
//   crash_free_alpha: 0.01  one-sided significance of a new version's crash-free drop
//   min_sessions: 200     sessions each version needs before it is compared
//   anomaly_every: 5m     how often the events and DAU anomaly rules run
//   anomaly_sensitivity: 3.5
// Errors: InvalidArgument for an unknown setting or a bad value.
absl::StatusOr<std::vector<AlertRule>> BuiltInAlertRules(const BuiltInAlertParts& parts,
                                                          const std::map<std::string, std::string>& settings);

}  // namespace mua
