#include "query/analytics/sessions.h"

#include <algorithm>
#include <map>

#include "storage/base/hash_containers.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "query/analytics/metrics.h"
#include "query/analytics/event_scan.h"
#include "query/functions/json_extract.h"
#include "query/functions/time_functions.h"
#include "storage/base/time_util.h"
#include "storage/string_dictionary.h"

namespace mua {
namespace {

struct SessionState {
  int64_t start = 0;
  int64_t end = 0;
  uint64_t events = 0;
  uint32_t platform = 0;
  uint32_t app_version = 0;
  bool crashed = false;
  double revenue = 0;
};

// An event without an SDK session, kept until its user's events are split.
struct LooseEvent {
  int64_t time;
  uint32_t platform;
  uint32_t app_version;
  bool crash;
  double revenue;
};

struct SessionKey {
  uint32_t user;
  std::string session_id;
  bool operator<(const SessionKey& o) const {
    return user != o.user ? user < o.user : session_id < o.session_id;
  }
};

absl::Status CollectSessions(const TableSnapshot& snapshot, const AnalyticsScope& scope,
                             std::map<SessionKey, SessionState>* sessions) {
  int64_t from_ms, to_ms;
  query_internal::ScopeMillis(scope, &from_ms, &to_ms);
  query_internal::EventScan scan(scope);
  const int time = scan.Column(ColumnId::kEventTime), user = scan.Column(ColumnId::kUserId);
  const int session = scan.Column(ColumnId::kSessionId), type = scan.Column(ColumnId::kEventType);
  const int platform = scan.Column(ColumnId::kPlatform), version = scan.Column(ColumnId::kAppVersion);
  const int properties = scan.Column(ColumnId::kProperties);

  const StringDictionary& types = snapshot.dictionary(ColumnId::kEventType);
  const std::optional<uint32_t> crash_code = types.Find("app_crash");
  const std::optional<uint32_t> purchase_code = types.Find("purchase");
  const StringDictionary& platforms = snapshot.dictionary(ColumnId::kPlatform);
  const std::optional<uint32_t> web_code = platforms.Find("web");

  HashMap<uint32_t, std::vector<LooseEvent>> loose;
  query_internal::JsonExtractor json;
  const query_internal::JsonPath price = {query_internal::JsonPathStep::Key("price")};
  // Sessions are cut by their start: read a day more on each side for those crossing midnight.
  absl::Status status = scan.Run(snapshot, from_ms - kMaxSessionMs, to_ms + kMaxSessionMs,
                                 [&](const Batch& batch, absl::Span<const uint32_t> selected) {
    for (uint32_t row : selected) {
      const int64_t t = batch.columns[time].ints[row];
      const uint32_t u = batch.columns[user].codes[row];
      const uint32_t event_type = batch.columns[type].codes[row];
      const bool crash = crash_code && event_type == *crash_code;
      const double revenue = purchase_code && event_type == *purchase_code
                                 ? json.ExtractFloat(batch.columns[properties].strings[row], price)
                                 : 0;
      const uint32_t p = batch.columns[platform].codes[row];
      const uint32_t v = batch.columns[version].codes[row];
      const absl::string_view id = batch.columns[session].strings[row];
      if (id.empty()) {
        loose[u].push_back({t, p, v, crash, revenue});
        continue;
      }
      auto [it, inserted] = sessions->try_emplace(SessionKey{u, std::string(id)});
      SessionState& s = it->second;
      if (inserted || t < s.start) {
        s.start = t;
        s.platform = p;
        s.app_version = v;
      }
      if (inserted || t > s.end) s.end = t;
      ++s.events;
      s.crashed = s.crashed || crash;
      s.revenue += revenue;
    }
  });
  if (!status.ok()) return status;
  // Split each user's session-less events at inactivity gaps and the 24 h cap.
  for (auto& [u, events] : loose) {
    std::sort(events.begin(), events.end(), [](const LooseEvent& a, const LooseEvent& b) { return a.time < b.time; });
    SessionState current;
    bool open = false;
    auto close = [&, u = u]() {  // clang 14 cannot capture a structured binding
      if (open) sessions->emplace(SessionKey{u, absl::StrCat(snapshot.user_index().Get(u), "@", current.start)}, current);
    };
    for (const LooseEvent& e : events) {
      const int64_t gap = web_code && e.platform == *web_code ? kWebSessionGapMs : kMobileSessionGapMs;
      if (!open || e.time - current.end > gap || e.time - current.start >= kMaxSessionMs) {
        close();
        current = SessionState{e.time, e.time, 0, e.platform, e.app_version, false, 0};
        open = true;
      }
      current.end = e.time;
      ++current.events;
      current.crashed = current.crashed || e.crash;
      current.revenue += e.revenue;
    }
    close();
  }
  // Keep the sessions that start in range.
  for (auto it = sessions->begin(); it != sessions->end();) {
    it = it->second.start < from_ms || it->second.start >= to_ms ? sessions->erase(it) : std::next(it);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ResultSet> Sessions(const TableSnapshot& snapshot, const AnalyticsScope& scope) {
  std::map<SessionKey, SessionState> sessions;
  absl::Status status = CollectSessions(snapshot, scope, &sessions);
  if (!status.ok()) return status;
  ResultSet result;
  const DataType string = DataType::Of(TypeId::kString);
  result.AddColumn("session_id", string);
  result.AddColumn("user_id", string);
  result.AddColumn("start", DataType::Of(TypeId::kDateTime64));
  result.AddColumn("end", DataType::Of(TypeId::kDateTime64));
  result.AddColumn("duration_s", DataType::Of(TypeId::kFloat64));
  result.AddColumn("events", DataType::Of(TypeId::kUInt64));
  result.AddColumn("platform", string);
  result.AddColumn("app_version", string);
  result.AddColumn("crashed", DataType::Of(TypeId::kUInt8));
  result.AddColumn("revenue", DataType::Of(TypeId::kFloat64));
  const StringDictionary& platforms = snapshot.dictionary(ColumnId::kPlatform);
  const StringDictionary& versions = snapshot.dictionary(ColumnId::kAppVersion);
  for (const auto& [key, s] : sessions) {
    result.columns[0].strings.push_back(key.session_id);
    result.columns[1].strings.emplace_back(snapshot.user_index().Get(key.user));
    result.columns[2].ints.push_back(s.start);
    result.columns[3].ints.push_back(s.end);
    result.columns[4].floats.push_back((s.end - s.start) / 1000.0);
    result.columns[5].ints.push_back(static_cast<int64_t>(s.events));
    result.columns[6].strings.emplace_back(platforms.Get(s.platform));
    result.columns[7].strings.emplace_back(versions.Get(s.app_version));
    result.columns[8].ints.push_back(s.crashed ? 1 : 0);
    result.columns[9].floats.push_back(s.revenue);
    ++result.row_count;
  }
  return result;
}

absl::StatusOr<ResultSet> CrashHealth(const TableSnapshot& snapshot, const AnalyticsScope& scope) {
  std::map<SessionKey, SessionState> sessions;
  absl::Status status = CollectSessions(snapshot, scope, &sessions);
  if (!status.ok()) return status;
  struct Health {
    uint64_t sessions = 0, crashed_sessions = 0;
    UserBitmap users, crashed_users;
  };
  std::map<std::string, Health> by_version;
  const StringDictionary& versions = snapshot.dictionary(ColumnId::kAppVersion);
  for (const auto& [key, s] : sessions) {
    Health& health = by_version[std::string(versions.Get(s.app_version))];
    ++health.sessions;
    health.users.add(key.user);
    if (s.crashed) {
      ++health.crashed_sessions;
      health.crashed_users.add(key.user);
    }
  }
  ResultSet result;
  const DataType uint64 = DataType::Of(TypeId::kUInt64), float64 = DataType::Of(TypeId::kFloat64);
  result.AddColumn("app_version", DataType::Of(TypeId::kString));
  result.AddColumn("sessions", uint64);
  result.AddColumn("crashed_sessions", uint64);
  result.AddColumn("crash_free_sessions_pct", float64);
  result.AddColumn("users", uint64);
  result.AddColumn("crashed_users", uint64);
  result.AddColumn("crash_free_users_pct", float64);
  for (const auto& [version, h] : by_version) {
    const uint64_t users = h.users.cardinality(), crashed_users = h.crashed_users.cardinality();
    result.columns[0].strings.push_back(version);
    result.columns[1].ints.push_back(static_cast<int64_t>(h.sessions));
    result.columns[2].ints.push_back(static_cast<int64_t>(h.crashed_sessions));
    result.columns[3].floats.push_back(query_internal::Percent(h.sessions - h.crashed_sessions, h.sessions));
    result.columns[4].ints.push_back(static_cast<int64_t>(users));
    result.columns[5].ints.push_back(static_cast<int64_t>(crashed_users));
    result.columns[6].floats.push_back(query_internal::Percent(users - crashed_users, users));
    ++result.row_count;
  }
  return result;
}

}  // namespace mua
