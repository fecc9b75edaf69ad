// Conversions between event time (int64 milliseconds since the Unix epoch, UTC)
// and the UTC-day numbers that name partitions (days since 1970-01-01).
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "storage/base/calendar.h"  // kMillisPerSecond, kMillisPerDay

namespace mua {

// Floor division, so times before 1970 land in negative days.
inline int32_t DayOfMillis(int64_t millis) {
  int64_t day = millis / kMillisPerDay;
  if (millis % kMillisPerDay < 0) --day;
  return static_cast<int32_t>(day);
}
inline int64_t MillisOfDay(int32_t day) { return int64_t{day} * kMillisPerDay; }

// "2026-10-05" for day 20731.
std::string FormatDay(int32_t day);

// Parses "YYYY-MM-DD" into a day number.
absl::StatusOr<int32_t> ParseDay(absl::string_view text);

// "2026-10-05 14:03:07.123" (ClickHouse's DateTime64(3) text form, UTC).
std::string FormatMillis(int64_t millis);

}  // namespace mua
