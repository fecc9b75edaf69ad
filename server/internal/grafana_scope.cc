#include "server/internal/grafana_scope.h"

#include <algorithm>
#include <array>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "storage/base/time_util.h"

namespace mua::server_internal {
namespace {

// Years 0001..9999: what the SQL time literals can spell.
constexpr int64_t kMinMillis = -62'135'596'800'000;
constexpr int64_t kMaxMillis = 253'402'300'799'999;

constexpr std::array<int64_t, 16> kNiceBucketMillis = {
    1'000,
    5'000,
    10'000,
    15'000,
    30'000,
    kMillisPerMinute,
    5 * 60'000,
    10 * 60'000,
    15 * 60'000,
    30 * 60'000,
    kMillisPerHour,
    2 * kMillisPerHour,
    3 * kMillisPerHour,
    6 * kMillisPerHour,
    12 * kMillisPerHour,
    kMillisPerDayInScope,
};

absl::StatusOr<TimeRange> ParseRangeObject(const rapidjson::Value& range, absl::string_view name) {
  if (!range.IsObject() || !range.HasMember("from") || !range.HasMember("to")) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, " must be an object with 'from' and 'to'"));
  }
  TimeRange parsed;
  absl::StatusOr<int64_t> from = ParseGrafanaTime(range["from"], absl::StrCat(name, ".from"));
  if (!from.ok()) return from.status();
  absl::StatusOr<int64_t> to = ParseGrafanaTime(range["to"], absl::StrCat(name, ".to"));
  if (!to.ok()) return to.status();
  if (*from >= *to) {
    return absl::InvalidArgumentError(absl::StrCat(name, ".from (", SqlTimeLiteral(*from),
                                                   ") must be before ", name, ".to (",
                                                   SqlTimeLiteral(*to), ")"));
  }
  parsed.from_ms = *from;
  parsed.to_ms = *to;
  return parsed;
}

}  // namespace

absl::StatusOr<int64_t> ParseGrafanaTime(const rapidjson::Value& value, absl::string_view what) {
  int64_t millis = 0;
  if (value.IsInt64()) {
    millis = value.GetInt64();
  } else if (value.IsString()) {
    const absl::string_view text(value.GetString(), value.GetStringLength());
    absl::Time time;
    std::string error;
    if (!absl::ParseTime(absl::RFC3339_full, text, &time, &error)) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": cannot parse '", text,
                       "' as an ISO-8601 time such as 2024-05-01T10:00:00.000Z"));
    }
    millis = absl::ToUnixMillis(time);
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " must be an ISO-8601 string or epoch milliseconds"));
  }
  if (millis < kMinMillis || millis > kMaxMillis) {
    return absl::InvalidArgumentError(absl::StrCat(what, " is outside the years 1..9999"));
  }
  return millis;
}

absl::StatusOr<std::optional<TimeRange>> ParseOptionalRange(const rapidjson::Value& request) {
  for (const char* name : {"range", "timeRange"}) {
    if (!request.HasMember(name) || request[name].IsNull()) continue;
    absl::StatusOr<TimeRange> range = ParseRangeObject(request[name], name);
    if (!range.ok()) return range.status();
    return std::optional<TimeRange>(*range);
  }
  return std::optional<TimeRange>();
}

absl::StatusOr<TimeRange> ParseRequiredRange(const rapidjson::Value& request) {
  absl::StatusOr<std::optional<TimeRange>> range = ParseOptionalRange(request);
  if (!range.ok()) return range.status();
  if (!range->has_value()) {
    return absl::InvalidArgumentError("the request needs a time range: range.from and range.to");
  }
  return **range;
}

absl::StatusOr<int64_t> ParseDurationMillis(absl::string_view text) {
  const absl::string_view trimmed = absl::StripAsciiWhitespace(text);
  size_t digits = 0;
  while (digits < trimmed.size() && absl::ascii_isdigit(trimmed[digits])) ++digits;
  int64_t count = 0;
  const absl::string_view unit = trimmed.substr(digits);
  if (digits == 0 || digits > 12 || !absl::SimpleAtoi(trimmed.substr(0, digits), &count)) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot parse '", text, "' as a duration such as 30s, 5m, 1h or 1d"));
  }
  static constexpr std::pair<absl::string_view, int64_t> kUnits[] = {
      {"", 1'000},
      {"ms", 1},
      {"s", 1'000},
      {"m", kMillisPerMinute},
      {"h", kMillisPerHour},
      {"d", kMillisPerDayInScope},
      {"w", 7 * kMillisPerDayInScope},
  };
  for (const auto& [name, millis] : kUnits) {
    if (unit != name) continue;
    if (count > std::numeric_limits<int64_t>::max() / millis) {
      return absl::InvalidArgumentError(absl::StrCat("duration '", text, "' is too long"));
    }
    return count * millis;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown unit '", unit, "' in duration '", text, "' (use ms, s, m, h, d or w)"));
}

std::string Bucket::SqlInterval() const {
  if (millis % kMillisPerDayInScope == 0)
    return absl::StrCat("INTERVAL ", millis / kMillisPerDayInScope, " DAY");
  if (millis % kMillisPerHour == 0)
    return absl::StrCat("INTERVAL ", millis / kMillisPerHour, " HOUR");
  if (millis % kMillisPerMinute == 0)
    return absl::StrCat("INTERVAL ", millis / kMillisPerMinute, " MINUTE");
  return absl::StrCat("INTERVAL ", millis / 1000, " SECOND");
}

int64_t Bucket::Floor(int64_t time_ms) const { return FloorDiv(time_ms, millis) * millis; }

int64_t Bucket::BucketCount(const TimeRange& range) const {
  return (Floor(range.to_ms - 1) - Floor(range.from_ms)) / millis + 1;
}

std::vector<int64_t> Bucket::Starts(const TimeRange& range) const {
  std::vector<int64_t> starts;
  starts.reserve(static_cast<size_t>(BucketCount(range)));
  for (int64_t start = Floor(range.from_ms); start < range.to_ms; start += millis) {
    starts.push_back(start);
  }
  return starts;
}

Bucket ChooseBucket(const TimeRange& range, int64_t interval_ms, int64_t max_data_points) {
  int64_t wanted = std::max<int64_t>(interval_ms, 0);
  if (max_data_points > 0) {
    const int64_t span = range.to_ms - range.from_ms;
    wanted = std::max(wanted, (span + max_data_points - 1) / max_data_points);
  }
  for (int64_t millis : kNiceBucketMillis) {
    if (millis >= wanted) return Bucket{millis};
  }
  return Bucket{kMillisPerDayInScope};
}

absl::StatusOr<std::optional<Bucket>> ParseBucketOverride(absl::string_view text) {
  if (text.empty() || absl::EqualsIgnoreCase(text, "auto")) return std::optional<Bucket>();
  absl::StatusOr<int64_t> millis = ParseDurationMillis(text);
  if (!millis.ok()) return millis.status();
  if (*millis < 1'000 || *millis > kMillisPerDayInScope || kMillisPerDayInScope % *millis != 0 ||
      *millis % 1'000 != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("interval '", text,
                     "' must be whole seconds from 1s to 1d that divide a day (e.g. 1m, 1h, 1d)"));
  }
  return std::optional<Bucket>(Bucket{*millis});
}

absl::Status CheckBucketCount(const TimeRange& range, const Bucket& bucket) {
  const int64_t count = bucket.BucketCount(range);
  if (count > kMaxBucketsPerSeries) {
    return absl::InvalidArgumentError(absl::StrCat("the range needs ", count, " buckets of ",
                                                   bucket.millis / 1000, " s; at most ",
                                                   kMaxBucketsPerSeries, " per series"));
  }
  return absl::OkStatus();
}

std::string SqlTimeLiteral(int64_t millis) { return absl::StrCat("'", FormatMillis(millis), "'"); }

}  // namespace mua::server_internal
