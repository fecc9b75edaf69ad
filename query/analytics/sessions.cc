#include "query/analytics/sessions.h"

#include <algorithm>
#include <limits>
#include <map>
#include <memory>

#include "storage/base/hash_containers.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "query/analytics/metrics.h"
#include "query/analytics/event_scan.h"
#include "query/functions/json_extract.h"
#include "query/functions/time_functions.h"
#include "query/internal/user_key_groups.h"
#include "storage/base/fingerprint.h"
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

// One session of one user; sessions come out per range of users, users ascending.
struct SessionRow {
  uint32_t user;
  std::string session_id;
  SessionState state;
};

// Sessions of the users of one range (EventScan::RunByUser): SDK sessions by
// (user, 128-bit fingerprint of the id), session-less events per user until split.
struct RangeSessions {
  std::optional<query_internal::UserKeyGroups> slots;  // rows[i] is group i
  uint32_t first_user = 0;
  std::vector<SessionRow> rows;
  HashMap<uint32_t, std::vector<LooseEvent>> loose;
  std::unique_ptr<query_internal::JsonExtractor> json = std::make_unique<query_internal::JsonExtractor>();
};

// What of a session costs work beyond its times and counts: its id (the rows then
// ordered by user and id) and its revenue (parsed from `properties`).
struct SessionParts {
  bool ids = false;
  bool revenue = false;
};

// The sessions of the scope, with `parts`.
absl::Status CollectSessions(const TableSnapshot& snapshot, const AnalyticsScope& scope, SessionParts parts,
                             std::vector<SessionRow>* sessions) {
  int64_t from_ms, to_ms;
  query_internal::ScopeMillis(scope, &from_ms, &to_ms);
  query_internal::EventScan scan(scope);
  const int time = scan.Column(ColumnId::kEventTime), user = scan.Column(ColumnId::kUserId);
  const int session = scan.Column(ColumnId::kSessionId), type = scan.Column(ColumnId::kEventType);
  const int platform = scan.Column(ColumnId::kPlatform), version = scan.Column(ColumnId::kAppVersion);
  // Revenue reads `properties` (decompressed and parsed): only when it is read.
  const int properties = parts.revenue ? scan.Column(ColumnId::kProperties) : -1;

  const StringDictionary& types = snapshot.dictionary(ColumnId::kEventType);
  const std::optional<uint32_t> crash_code = types.Find("app_crash");
  const std::optional<uint32_t> purchase_code = types.Find("purchase");
  const StringDictionary& platforms = snapshot.dictionary(ColumnId::kPlatform);
  const std::optional<uint32_t> web_code = platforms.Find("web");

  const query_internal::JsonPath price = {query_internal::JsonPathStep::Key("price")};
  std::vector<RangeSessions> ranges(scan.range_count(snapshot));
  for (size_t r = 0; r < ranges.size(); ++r) {
    const auto [first, end] = scan.user_range(snapshot, r);
    ranges[r].first_user = first;
    ranges[r].slots.emplace(end - first);
  }
  // Sessions are cut by their start: read a day more on each side for those crossing midnight.
  absl::Status status = scan.RunByUser(snapshot, from_ms - kMaxSessionMs, to_ms + kMaxSessionMs,
                                       [&](size_t range, const Batch& batch, absl::Span<const uint32_t> selected) {
    RangeSessions& in = ranges[range];
    // Rows come sorted by (user, time) within a segment: a session's rows follow each other.
    uint32_t previous_user = std::numeric_limits<uint32_t>::max();
    absl::string_view previous_id;
    uint32_t previous_slot = 0;
    for (uint32_t row : selected) {
      const int64_t t = batch.columns[time].ints[row];
      const uint32_t u = batch.columns[user].codes[row];
      const uint32_t event_type = batch.columns[type].codes[row];
      const bool crash = crash_code && event_type == *crash_code;
      const double revenue = properties >= 0 && purchase_code && event_type == *purchase_code
                                 ? in.json->ExtractFloat(batch.columns[properties].strings[row], price)
                                 : 0;
      const uint32_t p = batch.columns[platform].codes[row];
      const uint32_t v = batch.columns[version].codes[row];
      const absl::string_view id = batch.columns[session].strings[row];
      if (id.empty()) {
        in.loose[u].push_back({t, p, v, crash, revenue});
        continue;
      }
      uint32_t slot = previous_slot;
      if (u != previous_user || !query_internal::SameString(id, previous_id)) {
        bool inserted = false;
        slot = in.slots->Find(u - in.first_user, Fingerprint(id), &inserted);
        if (inserted) in.rows.push_back({u, parts.ids ? std::string(id) : std::string(), SessionState{}});
        previous_user = u;
        previous_id = id;
        previous_slot = slot;
      }
      SessionState& s = in.rows[slot].state;
      const bool first = s.events == 0;
      if (first || t < s.start) {
        s.start = t;
        s.platform = p;
        s.app_version = v;
      }
      if (first || t > s.end) s.end = t;
      ++s.events;
      s.crashed = s.crashed || crash;
      s.revenue += revenue;
    }
  });
  if (!status.ok()) return status;
  for (RangeSessions& in : ranges) {
    // Split each user's session-less events at inactivity gaps and the 24 h cap.
    for (auto& [u, events] : in.loose) {
      std::sort(events.begin(), events.end(), [](const LooseEvent& a, const LooseEvent& b) { return a.time < b.time; });
      SessionState current;
      bool open = false;
      auto close = [&, u = u]() {  // clang 14 cannot capture a structured binding
        if (!open) return;
        in.rows.push_back(
            {u, parts.ids ? absl::StrCat(snapshot.user_index().Get(u), "@", current.start) : std::string(), current});
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
    // The sessions that start in range (with ids: ordered by user, then session id).
    std::vector<SessionRow>& rows = in.rows;
    std::vector<uint32_t> order;
    order.reserve(rows.size());
    for (uint32_t i = 0; i < rows.size(); ++i) {
      if (rows[i].state.start >= from_ms && rows[i].state.start < to_ms) order.push_back(i);
    }
    if (parts.ids) {
      std::sort(order.begin(), order.end(), [&rows](uint32_t a, uint32_t b) {
        return rows[a].user != rows[b].user ? rows[a].user < rows[b].user : rows[a].session_id < rows[b].session_id;
      });
    }
    for (uint32_t i : order) sessions->push_back(std::move(rows[i]));
    in = RangeSessions();
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ResultSet> Sessions(const TableSnapshot& snapshot, const AnalyticsScope& scope) {
  std::vector<SessionRow> sessions;
  // The columns below by number (0: session_id, 9: revenue): those not read stay empty,
  // and ids and revenue are not even computed.
  auto read = [&scope](size_t column) {
    return scope.columns_read.empty() || (column < scope.columns_read.size() && scope.columns_read[column]);
  };
  absl::Status status = CollectSessions(snapshot, scope, {.ids = read(0), .revenue = read(9)}, &sessions);
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
  // Each column filled in one pass of its own, or not at all.
  auto fill = [&](size_t c, auto&& value_of) {
    if (!read(c)) return;
    for (SessionRow& row : sessions) value_of(row, &result.columns[c]);
  };
  fill(0, [](SessionRow& row, Column* c) { c->strings.push_back(std::move(row.session_id)); });
  fill(1, [&](SessionRow& row, Column* c) { c->strings.emplace_back(snapshot.user_index().Get(row.user)); });
  fill(2, [](SessionRow& row, Column* c) { c->ints.push_back(row.state.start); });
  fill(3, [](SessionRow& row, Column* c) { c->ints.push_back(row.state.end); });
  fill(4, [](SessionRow& row, Column* c) { c->floats.push_back((row.state.end - row.state.start) / 1000.0); });
  fill(5, [](SessionRow& row, Column* c) { c->ints.push_back(static_cast<int64_t>(row.state.events)); });
  fill(6, [&](SessionRow& row, Column* c) { c->strings.emplace_back(platforms.Get(row.state.platform)); });
  fill(7, [&](SessionRow& row, Column* c) { c->strings.emplace_back(versions.Get(row.state.app_version)); });
  fill(8, [](SessionRow& row, Column* c) { c->ints.push_back(row.state.crashed ? 1 : 0); });
  fill(9, [](SessionRow& row, Column* c) { c->floats.push_back(row.state.revenue); });
  result.row_count = sessions.size();
  return result;
}

absl::StatusOr<ResultSet> CrashHealth(const TableSnapshot& snapshot, const AnalyticsScope& scope) {
  std::vector<SessionRow> sessions;
  absl::Status status = CollectSessions(snapshot, scope, SessionParts{}, &sessions);
  if (!status.ok()) return status;
  struct Health {
    uint64_t sessions = 0, crashed_sessions = 0;
    UserBitmap users, crashed_users;
  };
  // By version code, then named in order.
  HashMap<uint32_t, Health> by_code;
  const StringDictionary& versions = snapshot.dictionary(ColumnId::kAppVersion);
  for (const SessionRow& row : sessions) {
    Health& health = by_code[row.state.app_version];
    ++health.sessions;
    health.users.add(row.user);
    if (row.state.crashed) {
      ++health.crashed_sessions;
      health.crashed_users.add(row.user);
    }
  }
  std::map<std::string, Health> by_version;
  for (auto& [code, health] : by_code) by_version.emplace(std::string(versions.Get(code)), std::move(health));
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
