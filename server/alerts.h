// Alerting (SPEC §5c): rules evaluated on a schedule with Prometheus's semantics —
// inactive → pending (the condition holds) → firing (it held for `for`) → resolved —
// their state in system.alerts and system.alert_history, `mua_alerts` gauges on
// /metrics, and every firing or resolved alert handed to a notifier (Alertmanager's API
// v2: server/internal/alert_delivery.h).
//
// A rule is SQL (one alert per returned row: string columns are labels, the last numeric
// column the value, kept when `condition` holds), an anomaly check (anomalies() over the
// last complete bucket), or a probe of the server's own state (the built-in pipeline
// rules: server/builtin_alerts.h). Rules come from a YAML file:
//
//   rules:
//     - name: crash_spike
//       sql: "SELECT countIf(event_type = 'app_crash') FROM events WHERE event_time > now() - INTERVAL 5 MINUTE"
//       condition: "> 100"
//       for: 1m
//       every: 15s
//       labels: {severity: page}
//       annotations: {summary: "crashes in the last 5 minutes: {{ value }}"}
//
//   MUA_ASSIGN_OR_RETURN(AlertRulesFile file, ParseAlertRules(yaml_text));
//   AlertEngine engine(runner, notifier, {});
//   engine.SetRules(MergeRules(BuiltInAlertRules(...), file));
//   engine.Start();
//
// Thread safety: every public method may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace mua {

class Catalog;
class QueryRunner;

using AlertLabels = std::map<std::string, std::string>;

// One thing a rule found wrong: its labels (beyond alertname and the rule's) and value.
struct AlertSample {
  AlertLabels labels;
  double value = 0;
  // More values the annotations may name ({{ expected }}, {{ score }}).
  std::map<std::string, double> extra;
};

struct AlertCondition {
  enum class Op { kGreater, kGreaterEqual, kLess, kLessEqual, kEqual, kNotEqual };
  Op op = Op::kGreater;
  double threshold = 0;
  bool Holds(double value) const;
};

// anomaly: {metric: crash_rate, period: hour, sensitivity: 3.5, ...}: the named arguments
// of anomalies(), text as written; the rule checks the last complete bucket.
struct AnomalyCheck {
  std::map<std::string, std::string> arguments;
};

struct AlertRule {
  std::string name;
  std::string sql;                       // or:
  std::optional<AnomalyCheck> anomaly;   // or:
  std::function<absl::StatusOr<std::vector<AlertSample>>()> probe;  // a built-in rule's
  std::optional<AlertCondition> condition;
  absl::Duration for_duration = absl::ZeroDuration();
  absl::Duration every = absl::Seconds(15);
  AlertLabels labels;
  AlertLabels annotations;  // templates: {{ value }}, {{ labels.NAME }}, {{ $value }}, {{ $labels.NAME }}
  bool built_in = false;
  // Evaluated on every node of a cluster (about the node itself, labelled `instance`);
  // other rules only on the lowest-addressed healthy node.
  bool per_node = false;
};

// What a rules file says: its rules, the built-in rules it turns off, and the built-in
// thresholds it changes.
struct AlertRulesFile {
  std::vector<AlertRule> rules;
  std::vector<std::string> disabled;  // `- name: X\n  enabled: false`
  std::map<std::string, std::string> builtin_settings;  // `builtin: {lag: 5m, ...}`
};

// Errors: InvalidArgument naming the rule and the key (and the line for YAML errors).
absl::StatusOr<AlertRulesFile> ParseAlertRules(const std::string& yaml_text);

// `base` (built-in rules) with the file's rules replacing those of the same name, the
// disabled ones dropped, the file's other rules after them.
std::vector<AlertRule> MergeAlertRules(std::vector<AlertRule> base, const AlertRulesFile& file);

// "15s", "1m", "2h30m", "0s" as Prometheus writes durations. Errors: InvalidArgument.
absl::StatusOr<absl::Duration> ParsePromDuration(const std::string& text);

// A firing or resolved alert as Alertmanager's API v2 takes it.
struct AlertNotification {
  AlertLabels labels;  // alertname first among them
  AlertLabels annotations;
  absl::Time starts_at;
  absl::Time ends_at;  // ahead of now while firing; the resolution time once resolved
  std::string generator_url;
};

class AlertNotifier {
 public:
  virtual ~AlertNotifier() = default;
  // Must not block: queue and return.
  virtual void Notify(std::vector<AlertNotification> alerts) = 0;
};

struct AlertEngineOptions {
  // Whether this node evaluates the rules that are not per-node (a cluster's elected
  // node); null: always.
  std::function<bool()> evaluates_cluster_rules;
  std::string instance;       // this node's address: the `instance` label of per-node rules
  std::string generator_url;  // where an alert links to (this server's /play or system.alerts)
  size_t history_limit = 10'000;  // system.alert_history rows kept (oldest dropped)
};

class AlertEngine {
 public:
  // REQUIRES: `runner` and `notifier` (may be null: no delivery) outlive the engine.
  AlertEngine(const QueryRunner* runner, AlertNotifier* notifier, AlertEngineOptions options);
  ~AlertEngine();  // Stop()s
  AlertEngine(const AlertEngine&) = delete;
  AlertEngine& operator=(const AlertEngine&) = delete;

  // Replaces the rules (their state is kept by name). Call before Start, or any time.
  void SetRules(std::vector<AlertRule> rules);
  // Evaluates the rules on a thread of its own, each every `every`.
  void Start();
  // No rule starts evaluating after it (one evaluating finishes: cancel its statement to
  // end it sooner, e.g. Service::CancelAll).
  void RequestStop();
  // RequestStop, then waits for the thread.
  void Stop();

  // Evaluates every rule that is due at `now` (all of them with `force`), updates state
  // and notifies. The thread calls it; tests call it with their own clock.
  void EvaluateDue(absl::Time now, bool force = false);

  // system.alerts and system.alert_history; REQUIRES: the engine outlives the catalog's use.
  void RegisterTables(Catalog* catalog);
  // `mua_alerts{alertname, alertstate, labels...} 1` per pending or firing alert, and the
  // engine's counters, in Prometheus text format.
  std::string MetricsText() const;

 private:
  struct Active;
  struct RuleState;
  struct HistoryEntry;
  absl::StatusOr<std::vector<AlertSample>> RunRule(const AlertRule& rule, absl::Time now) const;
  void Evaluate(RuleState* state, absl::Time now, std::vector<AlertNotification>* out)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Record(absl::Time time, const AlertRule& rule, const Active& alert, const char* state)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Loop();

  const QueryRunner* runner_;
  AlertNotifier* notifier_;
  const AlertEngineOptions options_;

  mutable absl::Mutex mu_;
  std::vector<std::unique_ptr<RuleState>> rules_ ABSL_GUARDED_BY(mu_);
  std::vector<HistoryEntry> history_ ABSL_GUARDED_BY(mu_);  // a ring once full
  size_t history_next_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t evaluations_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t failures_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Duration evaluation_time_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // Serializes evaluations (the thread's and tests'): state changes in order.
  absl::Mutex evaluate_mu_;
  std::thread thread_;
};

}  // namespace mua
