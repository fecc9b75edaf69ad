#include "storage/base/time_util.h"

#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace mua {

std::string FormatDay(int32_t day) {
  const absl::CivilDay civil = absl::CivilDay(1970, 1, 1) + day;
  return absl::StrFormat("%04d-%02d-%02d", civil.year(), civil.month(), civil.day());
}

absl::StatusOr<int32_t> ParseDay(absl::string_view text) {
  absl::CivilDay civil;
  if (!absl::ParseCivilTime(text, &civil)) {
    return absl::InvalidArgumentError(absl::StrFormat("'%s' is not a date (YYYY-MM-DD)", text));
  }
  return static_cast<int32_t>(civil - absl::CivilDay(1970, 1, 1));
}

std::string FormatMillis(int64_t millis) {
  const absl::Time time = absl::FromUnixMillis(millis);
  const absl::CivilSecond second = absl::ToCivilSecond(time, absl::UTCTimeZone());
  int64_t fraction = millis % 1000;
  if (fraction < 0) fraction += 1000;
  return absl::StrFormat("%04d-%02d-%02d %02d:%02d:%02d.%03d", second.year(), second.month(),
                         second.day(), second.hour(), second.minute(), second.second(), fraction);
}

}  // namespace mua
