// Sessions (SPEC §3, §5a): the SDK's session_id when an event has one;
// otherwise a user's events split into sessions at 5 minutes of inactivity on
// mobile (30 on web), a session lasting 24 hours at most. One row per session:
// session_id, user_id, start, end, duration_s, events, platform, app_version,
// crashed, revenue. Generated ids read "<user_id>@<start ms>".
#pragma once

#include "absl/status/statusor.h"
#include "query/analytics.h"

namespace mua {

inline constexpr int64_t kMobileSessionGapMs = 5 * 60 * 1000;
inline constexpr int64_t kWebSessionGapMs = 30 * 60 * 1000;
inline constexpr int64_t kMaxSessionMs = 24 * 3600 * 1000;

// Sessions starting in [scope.from_day, scope.to_day) (scope.where filters
// events; breakdown is ignored).
absl::StatusOr<ResultSet> Sessions(const TableSnapshot& snapshot, const AnalyticsScope& scope);

// Rows (app_version, sessions, crashed_sessions, crash_free_sessions_pct,
// users, crashed_users, crash_free_users_pct) over the sessions of the scope.
absl::StatusOr<ResultSet> CrashHealth(const TableSnapshot& snapshot, const AnalyticsScope& scope);

}  // namespace mua
