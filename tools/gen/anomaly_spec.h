// AnomalySpec: one incident that mua-gen injects into its traffic (--anomaly), for testing
// anomalies() and anomalous_users(). A window of whole UTC hours where all traffic, the
// distinct active users, one app version's crashes are scaled by a factor, or where scripted
// users (bots) send events every hour. The spec text is
//   KIND:START:HOURS:FACTOR     KIND = events | users | crash | crash=VERSION | bot:N
//
//   auto spec = ParseAnomalySpec("events:2026-12-03T14:6:1.5");  // +50 % for 6 hours
//   auto bots = ParseAnomalySpec("bot:5:1500:48:20");  // 5 bots at 20x, hours 1500-1547
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace mua::gen {

enum class AnomalyKind {
  kEvents,  // session starts in the window x FACTOR: extra sessions of the same users, or
            // sessions dropped
  kUsers,   // distinct active users x FACTOR: extra users' sessions, or whole users removed
  kCrash,   // app_crash probability of one app version's sessions x FACTOR
  kBot,     // `bots` scripted users active every hour, FACTOR x a median user's hourly events
};

struct AnomalySpec {
  AnomalyKind kind = AnomalyKind::kEvents;
  std::string crash_version;  // kCrash: an app_version; "": the newest released at the start
  int bots = 0;               // kBot: how many, >= 1
  // The window's first hour: hours since 1970-01-01T00 UTC when `start_is_offset` is false,
  // else hours from 00:00 UTC of the period's first day (--start).
  int64_t start_hour = 0;
  bool start_is_offset = false;
  int hours = 1;      // >= 1
  double factor = 1;  // > 0, <= kMaxAnomalyFactor
};

inline constexpr double kMaxAnomalyFactor = 100;
inline constexpr int kMaxAnomalies = 64;
inline constexpr int kMaxBots = 10'000;  // over all bot anomalies

// Parses `text` in the syntax above; START is YYYY-MM-DDTHH (a UTC hour) or an hour offset
// from the period's start (an integer >= 0). Errors: InvalidArgument naming the part at fault.
absl::StatusOr<AnomalySpec> ParseAnomalySpec(absl::string_view text);

// The window's first hour counted from 00:00 UTC of `start_day` (days since 1970-01-01).
int64_t AnomalyStartOffset(const AnomalySpec& spec, int32_t start_day);

// "events:2026-12-03T14:6:1.5": the spec with an absolute START, for messages and logs.
std::string AnomalyToString(const AnomalySpec& spec, int32_t start_day);

// Checks the anomalies of one run together: at most kMaxAnomalies and kMaxBots bots, every
// window inside the period [start_day, start_day + days), no overlap of two windows of the
// same kind other than bots, and a crash version that exists and is released (day
// floor(fraction x days), tools/gen/internal/catalog.cc) by the window's last day.
// Errors: InvalidArgument.
absl::Status ValidateAnomalies(absl::Span<const AnomalySpec> anomalies, int32_t start_day,
                               int days);

}  // namespace mua::gen
