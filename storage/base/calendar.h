// The one calendar of MUA: civil day <-> day number (days since 1970-01-01,
// proleptic Gregorian, H. Hinnant's algorithms), the lengths of a day, and
// floor division so that times before 1970 land in the previous day. Pure
// constexpr integer arithmetic, thread-safe; time zones live in
// query/functions/time_functions.h (TimeZone) on top of this.
//
//   int32_t day = DaysFromCivil(2026, 10, 5);   // 20731
//   CivilDate c = CivilFromDays(day);           // {2026, 10, 5}
//   int32_t monday = StartOfIsoWeek(day);       // 2026-10-05 is a Monday
#pragma once

#include <cstdint>

namespace mua {

inline constexpr int64_t kMillisPerSecond = 1000;
inline constexpr int64_t kSecondsPerMinute = 60;
inline constexpr int64_t kSecondsPerHour = 3600;
inline constexpr int64_t kSecondsPerDay = 86'400;
inline constexpr int64_t kMillisPerDay = kSecondsPerDay * kMillisPerSecond;

// Floor division and modulo (results round toward negative infinity).
// REQUIRES: b != 0.
constexpr int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}
constexpr int64_t FloorMod(int64_t a, int64_t b) { return a - FloorDiv(a, b) * b; }

struct CivilDate {
  int32_t year;
  int32_t month;  // 1..12
  int32_t day;    // 1..31
};

// Day number of a civil date; month and day are not checked (use DaysInMonth).
constexpr int32_t DaysFromCivil(int32_t year, int32_t month, int32_t day) {
  const int64_t y = int64_t{year} - (month <= 2);
  const int64_t era = FloorDiv(y, 400);
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<int32_t>(era * 146097 + doe - 719468);
}

constexpr CivilDate CivilFromDays(int32_t days) {
  const int64_t z = int64_t{days} + 719468;
  const int64_t era = FloorDiv(z, 146097);
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int32_t d = static_cast<int32_t>(doy - (153 * mp + 2) / 5 + 1);
  const int32_t m = static_cast<int32_t>(mp < 10 ? mp + 3 : mp - 9);
  return CivilDate{static_cast<int32_t>(yoe + era * 400 + (m <= 2)), m, d};
}

constexpr bool IsLeapYear(int32_t year) {
  return (year % 4 == 0) && (year % 100 != 0 || year % 400 == 0);
}
constexpr int32_t DaysInMonth(int32_t year, int32_t month) {
  constexpr int8_t kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}
// ISO day of week: 1 = Monday .. 7 = Sunday (1970-01-01 was a Thursday).
constexpr int32_t DayOfWeek(int32_t days) {
  return static_cast<int32_t>(FloorMod(int64_t{days} + 3, 7)) + 1;
}
constexpr int32_t StartOfIsoWeek(int32_t days) { return days - (DayOfWeek(days) - 1); }
constexpr int32_t StartOfMonth(int32_t days) { return days - (CivilFromDays(days).day - 1); }
constexpr int32_t StartOfYear(int32_t days) {
  return DaysFromCivil(CivilFromDays(days).year, 1, 1);
}

// The UTC day of a Unix time in milliseconds / seconds.
constexpr int32_t DayOfUnixMillis(int64_t millis) {
  return static_cast<int32_t>(FloorDiv(millis, kMillisPerDay));
}
constexpr int32_t DayOfUnixSeconds(int64_t seconds) {
  return static_cast<int32_t>(FloorDiv(seconds, kSecondsPerDay));
}

static_assert(DaysFromCivil(1970, 1, 1) == 0);
static_assert(DaysFromCivil(2026, 10, 5) == 20731);
static_assert(DayOfWeek(20731) == 1);

}  // namespace mua
