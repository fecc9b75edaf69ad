#include "server/internal/alert_delivery.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"
#include "server/internal/cluster_http.h"

namespace mua::server_internal {
namespace {

constexpr absl::Duration kMaxBackoff = absl::Minutes(1);
constexpr absl::Duration kSendTimeout = absl::Seconds(10);

std::string Rfc3339(absl::Time time) { return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", time, absl::UTCTimeZone()); }

std::string Key(const AlertLabels& labels) {
  std::string key;
  for (const auto& [name, value] : labels) absl::StrAppend(&key, name.size(), ":", name, value.size(), ":", value);
  return key;
}

}  // namespace

std::string AlertsJson(const std::vector<AlertNotification>& alerts) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  auto string = [&](const std::string& text) { writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size())); };
  auto map = [&](const AlertLabels& values) {
    writer.StartObject();
    for (const auto& [name, value] : values) {
      string(name);
      string(value);
    }
    writer.EndObject();
  };
  writer.StartArray();
  for (const AlertNotification& alert : alerts) {
    writer.StartObject();
    writer.Key("labels");
    map(alert.labels);
    writer.Key("annotations");
    map(alert.annotations);
    writer.Key("startsAt");
    string(Rfc3339(alert.starts_at));
    writer.Key("endsAt");
    string(Rfc3339(alert.ends_at));
    if (!alert.generator_url.empty()) {
      writer.Key("generatorURL");
      string(alert.generator_url);
    }
    writer.EndObject();
  }
  writer.EndArray();
  return std::string(buffer.GetString(), buffer.GetSize());
}

absl::StatusOr<std::unique_ptr<AlertmanagerNotifier>> AlertmanagerNotifier::Create(
    const std::vector<std::string>& urls) {
  std::vector<Target> targets;
  for (const std::string& url : urls) {
    absl::string_view rest = url;
    if (!absl::ConsumePrefix(&rest, "http://")) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--alertmanager '", url, "': expected http://HOST:PORT[/prefix] (put TLS in front with a local proxy)"));
    }
    const size_t slash = rest.find('/');
    Target target;
    target.address = std::string(rest.substr(0, slash));
    absl::string_view prefix = slash == absl::string_view::npos ? "" : rest.substr(slash);
    while (absl::ConsumeSuffix(&prefix, "/")) {
    }
    target.path = absl::StrCat(prefix, "/api/v2/alerts");
    if (target.address.empty() || target.address.find(':') == std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat("--alertmanager '", url, "': needs HOST:PORT"));
    }
    targets.push_back(std::move(target));
  }
  return std::unique_ptr<AlertmanagerNotifier>(new AlertmanagerNotifier(std::move(targets)));
}

AlertmanagerNotifier::AlertmanagerNotifier(std::vector<Target> targets) : targets_(std::move(targets)) {
  thread_ = std::thread([this] { Loop(); });
}

AlertmanagerNotifier::~AlertmanagerNotifier() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

void AlertmanagerNotifier::Notify(std::vector<AlertNotification> alerts) {
  absl::MutexLock lock(&mu_);
  for (Target& target : targets_) {
    for (const AlertNotification& alert : alerts) {
      const std::string key = Key(alert.labels);
      if (!target.queued.contains(key) && target.queued.size() >= kMaxQueuedAlerts) {
        ++counters_.dropped;
        continue;
      }
      target.queued[key] = alert;  // the newest state replaces an unsent older one
    }
  }
}

void AlertmanagerNotifier::Loop() {
  while (true) {
    size_t index = 0;
    std::vector<AlertNotification> batch;
    std::string address, path;
    {
      absl::MutexLock lock(&mu_);
      // The first target with alerts due, or targets_.size().
      auto due = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
        const absl::Time now = absl::Now();
        size_t i = 0;
        while (i < targets_.size() && (targets_[i].queued.empty() || now < targets_[i].retry_at)) ++i;
        return i;
      };
      auto ready = [this, &due]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stopping_ || due() < targets_.size(); };
      // Woken by Notify (the condition is re-checked on each change) or for a retry.
      mu_.AwaitWithTimeout(absl::Condition(&ready), absl::Milliseconds(200));
      if (stopping_) return;
      index = due();
      if (index >= targets_.size()) continue;
      Target& target = targets_[index];
      for (auto& [key, alert] : target.queued) batch.push_back(alert);
      target.queued.clear();
      address = target.address;
      path = target.path;
    }
    absl::StatusOr<ClusterHttpResponse> response = ClusterHttpCall({.address = address,
                                                                     .method = "POST",
                                                                     .target = path,
                                                                     .headers = {{"Content-Type", "application/json"}},
                                                                     .body = AlertsJson(batch),
                                                                     .timeout = kSendTimeout});
    absl::MutexLock lock(&mu_);
    Target& target = targets_[index];
    if (response.ok() && response->status / 100 == 2) {
      counters_.sent += static_cast<int64_t>(batch.size());
      target.backoff = absl::Seconds(1);
      target.retry_at = absl::InfinitePast();
      continue;
    }
    ++counters_.failed;
    counters_.last_error = response.ok() ? absl::StrCat("HTTP ", response->status, ": ", response->body.substr(0, 200))
                                         : std::string(response.status().message());
    for (AlertNotification& alert : batch) target.queued.try_emplace(Key(alert.labels), std::move(alert));
    target.retry_at = absl::Now() + target.backoff;
    target.backoff = std::min(target.backoff * 2, kMaxBackoff);
  }
}

AlertmanagerNotifier::Counters AlertmanagerNotifier::counters() const {
  absl::MutexLock lock(&mu_);
  return counters_;
}

std::string AlertmanagerNotifier::MetricsText() const {
  const Counters c = counters();
  return absl::StrCat(
      "# HELP mua_alert_notifications_total Alerts sent to Alertmanager, by result.\n",
      "# TYPE mua_alert_notifications_total counter\n", "mua_alert_notifications_total{result=\"sent\"} ", c.sent, "\n",
      "mua_alert_notifications_total{result=\"dropped\"} ", c.dropped, "\n",
      "# HELP mua_alert_notification_failures_total Sends to Alertmanager that failed (retried with backoff).\n",
      "# TYPE mua_alert_notification_failures_total counter\n", "mua_alert_notification_failures_total ", c.failed, "\n");
}

}  // namespace mua::server_internal
