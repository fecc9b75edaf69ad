// Delivery of alerts to Prometheus Alertmanager's API v2 (POST /api/v2/alerts), as
// Prometheus does it: the newest state of each alert (by labels) waits in a queue per
// Alertmanager, a thread of its own sends it, and a failed send is retried with backoff
// (1 s doubling to 1 min). Rule evaluation, ingest and queries never wait for it; the
// queue holds at most kMaxQueuedAlerts alerts per Alertmanager (more are counted as dropped).
//
//   MUA_ASSIGN_OR_RETURN(auto notifier, AlertmanagerNotifier::Create({"http://127.0.0.1:9093"}));
//   AlertEngine engine(runner, notifier.get(), {});
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/alerts.h"

namespace mua::server_internal {

inline constexpr size_t kMaxQueuedAlerts = 10'000;

// The JSON array Alertmanager's POST /api/v2/alerts takes.
std::string AlertsJson(const std::vector<AlertNotification>& alerts);

class AlertmanagerNotifier : public AlertNotifier {
 public:
  // `urls`: http://HOST:PORT[/path prefix] each. Errors: InvalidArgument for another form.
  static absl::StatusOr<std::unique_ptr<AlertmanagerNotifier>> Create(const std::vector<std::string>& urls);
  ~AlertmanagerNotifier() override;

  void Notify(std::vector<AlertNotification> alerts) override;

  struct Counters {
    int64_t sent = 0;     // alerts Alertmanager accepted
    int64_t failed = 0;   // sends that failed (then retried)
    int64_t dropped = 0;  // alerts not queued: the queue was full
    std::string last_error;
  };
  Counters counters() const;
  // Prometheus text lines of the counters.
  std::string MetricsText() const;

 private:
  struct Target {
    std::string address;  // HOST:PORT
    std::string path;     // prefix + /api/v2/alerts
    absl::flat_hash_map<std::string, AlertNotification> queued;  // by labels
    absl::Time retry_at = absl::InfinitePast();
    absl::Duration backoff = absl::Seconds(1);
  };
  explicit AlertmanagerNotifier(std::vector<Target> targets);
  void Loop();

  mutable absl::Mutex mu_;
  std::vector<Target> targets_ ABSL_GUARDED_BY(mu_);
  Counters counters_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace mua::server_internal
