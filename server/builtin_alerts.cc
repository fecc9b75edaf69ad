#include "server/builtin_alerts.h"

#include <sys/statvfs.h>

#include <cmath>
#include <deque>
#include <memory>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "ingest/kafka_consumer.h"
#include "server/memory_table.h"
#include "server/query_runner.h"
#include "sql/printer.h"

namespace mua {
namespace {

struct Settings {
  absl::Duration every = absl::Seconds(15);
  absl::Duration for_duration = absl::Minutes(1);
  absl::Duration lag = absl::Minutes(5);
  double reject_rate = 0.01;
  absl::Duration reject_window = absl::Minutes(5);
  double memory = 0.8;
  double disk = 0.8;
  double crash_free_alpha = 0.01;
  double min_sessions = 200;
  absl::Duration anomaly_every = absl::Minutes(5);
  double anomaly_sensitivity = 3.5;
};

absl::StatusOr<Settings> ParseSettings(const std::map<std::string, std::string>& values) {
  Settings settings;
  for (const auto& [name, text] : values) {
    absl::Duration* duration = name == "every"           ? &settings.every
                               : name == "for"           ? &settings.for_duration
                               : name == "lag"           ? &settings.lag
                               : name == "reject_window" ? &settings.reject_window
                               : name == "anomaly_every" ? &settings.anomaly_every
                                                         : nullptr;
    double* number = name == "reject_rate"           ? &settings.reject_rate
                     : name == "memory"              ? &settings.memory
                     : name == "disk"                ? &settings.disk
                     : name == "crash_free_alpha"    ? &settings.crash_free_alpha
                     : name == "min_sessions"        ? &settings.min_sessions
                     : name == "anomaly_sensitivity" ? &settings.anomaly_sensitivity
                                                     : nullptr;
    if (duration != nullptr) {
      absl::StatusOr<absl::Duration> parsed = ParsePromDuration(text);
      if (!parsed.ok()) return absl::InvalidArgumentError(absl::StrCat("builtin.", name, ": ", parsed.status().message()));
      if ((name == "every" || name == "anomaly_every") && *parsed < absl::Seconds(1)) {
        return absl::InvalidArgumentError(absl::StrCat("builtin.", name, " must be at least 1s"));
      }
      *duration = *parsed;
    } else if (number != nullptr) {
      if (!absl::SimpleAtod(text, number) || !std::isfinite(*number) || *number < 0) {
        return absl::InvalidArgumentError(absl::StrCat("builtin.", name, ": '", text, "' is not a non-negative number"));
      }
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "builtin: unknown setting '", name,
          "' (expected every, for, lag, reject_rate, reject_window, memory, disk, crash_free_alpha, min_sessions, "
          "anomaly_every, anomaly_sensitivity)"));
    }
  }
  return settings;
}

AlertLabels Partition(const TopicPartition& key) {
  return {{"topic", key.topic}, {"partition", absl::StrCat(key.partition)}};
}

AlertRule PipelineRule(std::string name, const Settings& settings, std::string severity, std::string summary) {
  AlertRule rule;
  rule.name = std::move(name);
  rule.every = settings.every;
  rule.for_duration = settings.for_duration;
  rule.labels = {{"severity", std::move(severity)}};
  rule.annotations = {{"summary", std::move(summary)}};
  rule.built_in = true;
  rule.per_node = true;
  return rule;
}

// A new app_version whose crash-free sessions fall below the previous one's: the two
// versions first seen last in the past 14 days, compared by a one-sided two-proportion
// z-test over their sessions.
absl::StatusOr<std::vector<AlertSample>> CrashFreeRegression(const QueryRunner& runner, const Settings& settings) {
  absl::StatusOr<StatementOutput> versions = runner.Run(
      "SELECT app_version, min(event_time) AS first_seen FROM events WHERE event_time >= now() - INTERVAL 14 DAY "
      "AND app_version != '' GROUP BY app_version ORDER BY first_seen DESC, app_version LIMIT 2",
      SqlOrigin::kBuiltIn);
  if (!versions.ok()) return versions.status();
  std::vector<AlertSample> samples;
  if (versions->result.row_count < 2) return samples;
  const std::string newest = versions->result.columns[0].strings[0];
  const std::string previous = versions->result.columns[0].strings[1];
  const std::string from = absl::FormatTime("%Y-%m-%d %H:%M:%S", absl::Now() - absl::Hours(14 * 24), absl::UTCTimeZone());
  absl::StatusOr<StatementOutput> health = runner.Run(
      absl::StrCat("SELECT app_version, sessions, crashed_sessions FROM crash_health(from => ", QuoteString(from), ") "
                   "WHERE app_version IN (", QuoteString(newest), ", ", QuoteString(previous), ")"),
      SqlOrigin::kBuiltIn);
  if (!health.ok()) return health.status();
  double sessions[2] = {0, 0}, crashed[2] = {0, 0};
  const ResultSet& rows = health->result;
  for (size_t row = 0; row < rows.row_count; ++row) {
    const int which = rows.columns[0].strings[row] == newest ? 0 : 1;
    sessions[which] = static_cast<double>(static_cast<uint64_t>(rows.columns[1].ints[row]));
    crashed[which] = static_cast<double>(static_cast<uint64_t>(rows.columns[2].ints[row]));
  }
  if (sessions[0] < settings.min_sessions || sessions[1] < settings.min_sessions) return samples;
  const double free_new = 1 - crashed[0] / sessions[0];
  const double free_previous = 1 - crashed[1] / sessions[1];
  const double pooled = 1 - (crashed[0] + crashed[1]) / (sessions[0] + sessions[1]);
  const double se = std::sqrt(pooled * (1 - pooled) * (1 / sessions[0] + 1 / sessions[1]));
  if (se == 0) return samples;
  const double z = (free_new - free_previous) / se;
  const double p = 0.5 * std::erfc(-z / std::sqrt(2.0));  // P(Z <= z): one-sided, a drop
  if (p >= settings.crash_free_alpha) return samples;
  AlertSample sample;
  sample.labels = {{"app_version", newest}, {"previous_version", previous}};
  sample.value = 100 * free_new;
  sample.extra = {{"previous", 100 * free_previous}, {"p_value", p}, {"sessions", sessions[0]}};
  samples.push_back(std::move(sample));
  return samples;
}

}  // namespace

absl::StatusOr<std::vector<AlertRule>> BuiltInAlertRules(const BuiltInAlertParts& parts,
                                                          const std::map<std::string, std::string>& values) {
  absl::StatusOr<Settings> parsed = ParseSettings(values);
  if (!parsed.ok()) return parsed.status();
  const Settings settings = *parsed;
  std::vector<AlertRule> rules;
  if (const KafkaConsumer* consumer = parts.consumer; consumer != nullptr) {
    AlertRule stopped = PipelineRule("mua_consumer_stopped", settings, "page",
                                     "Kafka consumption is stopped ({{ labels.reason }})");
    stopped.probe = [consumer, running = parts.consumer_running]() -> absl::StatusOr<std::vector<AlertSample>> {
      const KafkaConsumerStats stats = consumer->stats();
      std::vector<AlertSample> samples;
      const char* reason = running && !running()     ? "exited"
                           : stats.paused_by_operator ? "paused by an operator"
                           : stats.paused_for_memory  ? "paused at the memory limit"
                                                      : nullptr;
      if (reason != nullptr) samples.push_back({{{"reason", reason}}, 1, {}});
      return samples;
    };
    rules.push_back(std::move(stopped));

    AlertRule erroring = PipelineRule("mua_consumer_errors", settings, "warning",
                                      "The Kafka client reported {{ value }} errors since the last evaluation "
                                      "(see system.ingest; a broker down or unreachable, failed commits)");
    struct LastCount {
      absl::Mutex mu;
      int64_t errors = -1;
    };
    erroring.probe = [consumer, last = std::make_shared<LastCount>()]() -> absl::StatusOr<std::vector<AlertSample>> {
      const KafkaConsumerStats stats = consumer->stats();
      absl::MutexLock lock(&last->mu);
      const int64_t errors = stats.consumer_errors + stats.commit_errors + stats.broker_errors;
      const int64_t added = last->errors < 0 ? 0 : errors - last->errors;
      last->errors = errors;
      std::vector<AlertSample> samples;
      if (added > 0) samples.push_back({{}, static_cast<double>(added), {}});
      return samples;
    };
    rules.push_back(std::move(erroring));

    AlertRule lag = PipelineRule("mua_ingest_lag", settings, "page",
                                 "Partition {{ labels.topic }}/{{ labels.partition }} is {{ value }} s behind");
    lag.probe = [consumer, limit = settings.lag]() -> absl::StatusOr<std::vector<AlertSample>> {
      std::vector<AlertSample> samples;
      const int64_t now_ms = absl::ToUnixMillis(absl::Now());
      for (const auto& [key, partition] : consumer->partitions()) {
        // Waiting messages and nothing applied for a while; or applied, but late.
        double behind_s = 0;
        if (partition.lag > 0 && partition.last_applied_at_ms > 0) {
          behind_s = static_cast<double>(now_ms - partition.last_applied_at_ms) / 1000;
        }
        behind_s = std::max(behind_s, static_cast<double>(partition.freshness_ms) / 1000);
        if (behind_s > absl::ToDoubleSeconds(limit)) samples.push_back({Partition(key), behind_s, {}});
      }
      return samples;
    };
    rules.push_back(std::move(lag));

    AlertRule rejects = PipelineRule("mua_reject_rate", settings, "warning",
                                     "{{ value }} of partition {{ labels.topic }}/{{ labels.partition }}'s messages "
                                     "were rejected (see system.events_rejected)");
    rejects.for_duration = absl::ZeroDuration();  // the window already spans minutes
    struct Counts {
      absl::Time time;
      int64_t rejected, messages;
    };
    auto windows = std::make_shared<std::pair<absl::Mutex, std::map<TopicPartition, std::deque<Counts>>>>();
    rejects.probe = [consumer, windows, settings]() -> absl::StatusOr<std::vector<AlertSample>> {
      std::vector<AlertSample> samples;
      const absl::Time now = absl::Now();
      absl::MutexLock lock(&windows->first);
      for (const auto& [key, partition] : consumer->partitions()) {
        std::deque<Counts>& window = windows->second[key];
        window.push_back({now, partition.rejected, partition.messages});
        while (window.size() > 1 && now - window[1].time >= settings.reject_window) window.pop_front();
        const Counts& first = window.front();
        const double messages = static_cast<double>(partition.messages - first.messages);
        const double rejected = static_cast<double>(partition.rejected - first.rejected);
        if (messages > 0 && rejected / messages > settings.reject_rate) {
          samples.push_back({Partition(key), rejected / messages, {{"rejected", rejected}, {"messages", messages}}});
        }
      }
      return samples;
    };
    rules.push_back(std::move(rejects));
  }
  if (parts.memory_limit_bytes > 0) {
    AlertRule memory = PipelineRule("mua_memory_high", settings, "warning",
                                    "Resident memory is {{ value }} of the memory limit");
    memory.probe = [limit = parts.memory_limit_bytes, share = settings.memory]() -> absl::StatusOr<std::vector<AlertSample>> {
      std::vector<AlertSample> samples;
      const double used = static_cast<double>(ResidentBytes()) / static_cast<double>(limit);
      if (used > share) samples.push_back({{}, used, {}});
      return samples;
    };
    rules.push_back(std::move(memory));
  }
  if (!parts.data_dir.empty()) {
    AlertRule disk = PipelineRule("mua_disk_high", settings, "warning",
                                  "The data directory's file system is {{ value }} full");
    disk.probe = [dir = parts.data_dir, share = settings.disk]() -> absl::StatusOr<std::vector<AlertSample>> {
      struct statvfs fs {};
      if (statvfs(dir.c_str(), &fs) != 0 || fs.f_blocks == 0) {
        return absl::UnavailableError(absl::StrCat("statvfs ", dir, " failed"));
      }
      // As df: used / (used + available to unprivileged users).
      const double used = static_cast<double>(fs.f_blocks - fs.f_bfree);
      const double full = used / (used + static_cast<double>(fs.f_bavail));
      std::vector<AlertSample> samples;
      if (full > share) samples.push_back({{{"path", dir}}, full, {}});
      return samples;
    };
    rules.push_back(std::move(disk));
  }
  if (parts.runner != nullptr) {
    AlertRule crash = PipelineRule("mua_crash_free_regression", settings, "page",
                                   "app_version {{ labels.app_version }} has {{ value }} % crash-free sessions against "
                                   "{{ previous }} % for {{ labels.previous_version }} (p = {{ p_value }})");
    crash.per_node = false;
    crash.every = settings.anomaly_every;
    crash.for_duration = absl::ZeroDuration();
    crash.probe = [runner = parts.runner, settings] { return CrashFreeRegression(*runner, settings); };
    rules.push_back(std::move(crash));
    const std::string sensitivity = absl::StrCat(settings.anomaly_sensitivity);
    for (const auto& [name, metric, period, what] :
         {std::tuple("mua_events_anomaly", "events", "hour", "Events"),
          std::tuple("mua_dau_anomaly", "active_users", "day", "Daily active users")}) {
      AlertRule rule = PipelineRule(name, settings, "warning",
                                    absl::StrCat(what, " in the last ", period, ": {{ value }}, expected {{ expected }} "
                                                 "(score {{ score }})"));
      rule.per_node = false;
      rule.every = settings.anomaly_every;
      rule.for_duration = absl::ZeroDuration();
      rule.anomaly = AnomalyCheck{{{"metric", metric}, {"period", period}, {"sensitivity", sensitivity}}};
      rules.push_back(std::move(rule));
    }
  }
  return rules;
}

}  // namespace mua
