// What every target of one Grafana request shares: the time range (range.from/to,
// ISO-8601 or epoch ms), the bucket width chosen from intervalMs/maxDataPoints
// (1 s .. 1 day, always dividing a day, so buckets align to UTC midnight), and
// the ad hoc filters as one SQL predicate. Pure values; thread-compatible.
//
//   MUA_ASSIGN_OR_RETURN(TimeRange range, ParseRequiredRange(request));
//   Bucket bucket = ChooseBucket(range, /*interval_ms=*/60000, /*max_data_points=*/720);
//   bucket.SqlInterval();  // "INTERVAL 5 MINUTE"
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "rapidjson/document.h"

namespace mua::server_internal {

inline constexpr int64_t kMillisPerMinute = 60'000;
inline constexpr int64_t kMillisPerHour = 3'600'000;
inline constexpr int64_t kMillisPerDayInScope = 86'400'000;
// Most buckets one series may span: guards gap filling against absurd ranges.
inline constexpr int64_t kMaxBucketsPerSeries = 100'000;

// [from_ms, to_ms): epoch milliseconds, UTC.
struct TimeRange {
  int64_t from_ms = 0;
  int64_t to_ms = 0;
};

// Epoch ms of a Grafana time: an ISO-8601 string with offset ("2024-05-01T10:00:00.000Z")
// or a number of epoch ms. Errors: InvalidArgument naming `what`.
absl::StatusOr<int64_t> ParseGrafanaTime(const rapidjson::Value& value, absl::string_view what);

// The request's `range` (or `timeRange`, as newer Grafana sends to /tag-values), or
// nullopt when it has neither. Errors: InvalidArgument when present but malformed or
// when from >= to.
absl::StatusOr<std::optional<TimeRange>> ParseOptionalRange(const rapidjson::Value& request);
// As ParseOptionalRange, but a missing range is an InvalidArgument error.
absl::StatusOr<TimeRange> ParseRequiredRange(const rapidjson::Value& request);

// A duration as Grafana and users spell it: "500ms", "30s", "5m", "1h", "1d", "1w";
// a bare number means seconds. Errors: InvalidArgument.
absl::StatusOr<int64_t> ParseDurationMillis(absl::string_view text);

// The width of a time bucket; divides a day, so buckets start at multiples of
// `millis` since the epoch (and since every UTC midnight).
struct Bucket {
  int64_t millis = kMillisPerDayInScope;

  // "INTERVAL n UNIT" in the largest exact unit, for toStartOfInterval.
  std::string SqlInterval() const;
  // The start of the bucket holding `time_ms`.
  int64_t Floor(int64_t time_ms) const;
  // Bucket starts covering [range.from_ms, range.to_ms), ascending.
  // REQUIRES: BucketCount(range) <= kMaxBucketsPerSeries.
  std::vector<int64_t> Starts(const TimeRange& range) const;
  int64_t BucketCount(const TimeRange& range) const;
};

// Grafana's suggestion: the smallest "nice" width (1s 5s 10s 15s 30s 1m 5m 10m 15m
// 30m 1h 2h 3h 6h 12h 1d) at least max(interval_ms, range / max_data_points);
// 1 day when the range needs wider buckets. Non-positive inputs mean "no hint".
Bucket ChooseBucket(const TimeRange& range, int64_t interval_ms, int64_t max_data_points);

// A bucket the user asked for ("auto" = nullopt, else a duration dividing a day,
// 1s .. 1d). Errors: InvalidArgument.
absl::StatusOr<std::optional<Bucket>> ParseBucketOverride(absl::string_view text);

// Checks that series over `range` in `bucket` stay within kMaxBucketsPerSeries.
absl::Status CheckBucketCount(const TimeRange& range, const Bucket& bucket);

// What one /query or /annotations request shares across its targets.
struct QueryScope {
  TimeRange range;
  Bucket bucket;
  std::string filter_sql;  // ad hoc filters as a predicate on events; "" when none
};

// The SQL literal of an instant: '2024-05-01 10:00:00.000' (UTC), comparable with
// event_time and accepted by the table functions' from/to.
std::string SqlTimeLiteral(int64_t millis);

}  // namespace mua::server_internal
