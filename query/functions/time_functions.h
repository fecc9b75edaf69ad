// ClickHouse date/time functions as pure kernels. Representations: Date = day
// number (days since 1970-01-01, int32), DateTime = Unix seconds (int64),
// DateTime64(3) = Unix milliseconds; all signed, so times before 1970 work
// (ClickHouse's unsigned DateTime saturates there instead). Calendar math is
// integer civil-from-days arithmetic (H. Hinnant's algorithms); a TimeZone other
// than UTC adds an absl lookup per value. Everything here is thread-safe.
//
//   TimeZone utc;                                       // UTC fast path
//   int32_t day = ToDate(ms);                           // toDate(ts)
//   int64_t hour = ToStartOfHour(ToDateTime(ms), utc);  // toStartOfHour(ts)
//   int64_t bucket = ToStartOfInterval(s, {IntervalUnit::kMinute, 15}, utc);
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "storage/base/calendar.h"

namespace mua {
struct DataType;
struct ScalarArg;
}  // namespace mua

namespace mua::query_internal {

// ---- Civil-day arithmetic: storage/base/calendar.h, named here for the query code ----

using ::mua::CivilDate;
using ::mua::CivilFromDays;
using ::mua::DayOfWeek;
using ::mua::DaysFromCivil;
using ::mua::DaysInMonth;
using ::mua::FloorDiv;
using ::mua::FloorMod;
using ::mua::IsLeapYear;
using ::mua::kMillisPerDay;
using ::mua::kSecondsPerDay;

// ---- Time zones ----

// UTC unless constructed from an absl::TimeZone. Cheap to copy.
class TimeZone {
 public:
  TimeZone() = default;
  explicit TimeZone(absl::TimeZone zone);
  // "UTC" (and "Etc/UTC", "GMT", "") give the fast path. InvalidArgument ("Unknown time zone
  // 'Foo/Bar'") when `name` is not a valid IANA name (ValidateTimeZoneName) or names no zone
  // in the time-zone database; nothing outside the database is ever opened.
  static absl::StatusOr<TimeZone> Load(absl::string_view name);
  // Whether Load(name) gives UTC; decided from the name alone, without the database.
  static bool IsUtcName(absl::string_view name) {
    return name.empty() || name == "UTC" || name == "Etc/UTC" || name == "GMT" || name == "UCT";
  }

  bool is_utc() const { return !zone_.has_value(); }
  // Seconds east of UTC at the instant `unix_seconds`.
  int64_t OffsetAt(int64_t unix_seconds) const { return zone_ ? ZoneOffsetAt(unix_seconds) : 0; }
  // Wall-clock seconds since 1970-01-01 00:00 local.
  int64_t ToLocal(int64_t unix_seconds) const { return unix_seconds + OffsetAt(unix_seconds); }
  // The instant of a wall-clock time: in a DST gap, the transition instant; when
  // repeated, the later occurrence if it is not after `not_after`, else the earlier.
  int64_t FromLocal(int64_t local_seconds, int64_t not_after = INT64_MIN) const;

 private:
  int64_t ZoneOffsetAt(int64_t unix_seconds) const;
  std::optional<absl::TimeZone> zone_;
};

// Checks the form of an IANA time-zone name ("Europe/Berlin", "Etc/GMT+3"): components of
// [A-Za-z0-9_+-] joined by single '/', none "." or "..", no leading '/', at most
// kMaxTimeZoneNameBytes bytes, so that it cannot name a path outside the zone database.
// InvalidArgument naming the zone otherwise. Does not check that the zone exists.
inline constexpr size_t kMaxTimeZoneNameBytes = 64;
absl::Status ValidateTimeZoneName(absl::string_view name);

// The zone of an id of query/time_zones.h; UTC for kNoTimeZone. Lives forever.
const TimeZone& TimeZoneById(uint16_t id);
// The zone a DateTime / DateTime64 type computes and prints in (its time_zone).
TimeZone ZoneOfType(const DataType& type);

// The time-zone argument (1-based `position`) of SQL function `function`, as in
// toStartOfDay(t, 'Europe/Berlin'): InvalidArgument unless it is a constant String naming a
// zone TimeZone::Load accepts.
absl::StatusOr<TimeZone> LoadTimeZoneArgument(absl::string_view function, int position,
                                              const ScalarArg& arg);

// ---- Conversions and components ----

inline int32_t ToDate(int64_t unix_millis) {  // toDate(DateTime64) in UTC
  return static_cast<int32_t>(FloorDiv(unix_millis, kMillisPerDay));
}
inline int64_t ToDateTime(int64_t unix_millis) { return FloorDiv(unix_millis, 1000); }
// Local calendar day of an instant.
inline int32_t ToDayNum(int64_t unix_seconds, const TimeZone& tz) {
  return static_cast<int32_t>(FloorDiv(tz.ToLocal(unix_seconds), kSecondsPerDay));
}
// The instant a local day starts (00:00, or the end of a DST gap covering it).
int64_t DayStart(int32_t day, const TimeZone& tz);

int32_t ToHour(int64_t unix_seconds, const TimeZone& tz);
int32_t ToMinute(int64_t unix_seconds, const TimeZone& tz);
int32_t ToSecond(int64_t unix_seconds, const TimeZone& tz);
// Day-based components take a Date (day number); use ToDayNum for a DateTime.
inline int32_t ToYear(int32_t day) { return CivilFromDays(day).year; }
inline int32_t ToMonth(int32_t day) { return CivilFromDays(day).month; }
inline int32_t ToQuarter(int32_t day) { return (CivilFromDays(day).month + 2) / 3; }
inline int32_t ToDayOfMonth(int32_t day) { return CivilFromDays(day).day; }
inline int32_t ToDayOfWeek(int32_t day) { return DayOfWeek(day); }
int32_t ToDayOfYear(int32_t day);
uint32_t ToYYYYMMDD(int32_t day);  // may be out of range before year 0
uint32_t ToYYYYMM(int32_t day);

// ---- Rounding (Date results are day numbers, DateTime results seconds) ----

int64_t ToStartOfMinute(int64_t unix_seconds, const TimeZone& tz);
int64_t ToStartOfHour(int64_t unix_seconds, const TimeZone& tz);
inline int64_t ToStartOfDay(int64_t unix_seconds, const TimeZone& tz) {
  return DayStart(ToDayNum(unix_seconds, tz), tz);
}
// toStartOfWeek(d, mode): Monday when mode is odd (1, 3, 5, 7, 9), else Sunday.
int32_t ToStartOfWeek(int32_t day, int mode);
inline int32_t ToMonday(int32_t day) { return day - (DayOfWeek(day) - 1); }
int32_t ToStartOfMonth(int32_t day);
int32_t ToStartOfQuarter(int32_t day);
int32_t ToStartOfYear(int32_t day);
// InvalidArgument unless 0 <= mode <= 9 (ClickHouse's week modes).
absl::Status ValidateWeekMode(int64_t mode);

// The first eight in the order of DataType::interval_unit (INTERVAL n unit); the
// sub-second units come last so that order holds.
enum class IntervalUnit {
  kSecond, kMinute, kHour, kDay, kWeek, kMonth, kQuarter, kYear,
  kMillisecond, kMicrosecond, kNanosecond
};

// Day and longer: whole local days (Date arithmetic works in these).
inline bool IsCalendarUnit(IntervalUnit unit) {
  return unit >= IntervalUnit::kDay && unit <= IntervalUnit::kYear;
}
inline bool IsSubSecondUnit(IntervalUnit unit) { return unit >= IntervalUnit::kMillisecond; }

struct Interval {
  IntervalUnit unit;
  int64_t count;  // > 0 for toStartOfInterval; any sign for arithmetic
};

// "second", "SECONDS", "ss", "s", ... as ClickHouse's dateDiff and INTERVAL accept.
absl::StatusOr<IntervalUnit> ParseIntervalUnit(absl::string_view name);
absl::string_view IntervalUnitName(IntervalUnit unit);  // "second", "minute", ...

// True when toStartOfInterval on a DateTime returns a Date (week, month,
// quarter, year) rather than a DateTime (second, minute, hour, day).
inline bool IntervalReturnsDate(IntervalUnit unit) {
  return unit >= IntervalUnit::kWeek && unit <= IntervalUnit::kYear;
}

// toStartOfInterval(t, INTERVAL n unit) on a DateTime, aligned like ClickHouse:
// seconds/minutes from the epoch, hours from local midnight, days from
// 1970-01-01, weeks from Monday 1970-01-05, months and quarters from 1900-01,
// years from year 0. Returns seconds (unit <= day) or a day number (unit >=
// week). REQUIRES interval.count > 0 (validate with ValidateStartOfInterval).
int64_t ToStartOfInterval(int64_t unix_seconds, Interval interval, const TimeZone& tz);
// The same on a Date; REQUIRES unit >= kDay. Returns a day number.
int32_t ToStartOfIntervalDate(int32_t day, Interval interval);
// InvalidArgument for a non-positive count, or a unit below day on a Date.
absl::Status ValidateStartOfInterval(Interval interval, bool argument_is_date);

// dateDiff(unit, a, b): unit boundaries crossed going from a to b (negative when
// b < a), e.g. month boundaries between 2026-01-31 and 2026-02-01 = 1.
int64_t DateDiff(IntervalUnit unit, int64_t a_seconds, int64_t b_seconds, const TimeZone& tz);
int64_t DateDiffDates(IntervalUnit unit, int32_t a_day, int32_t b_day);
// dateDiff of two instants in milliseconds: sub-second units count exactly
// (microseconds and nanoseconds as multiples), others as DateDiff on the seconds.
int64_t DateDiffMillis(IntervalUnit unit, int64_t a_millis, int64_t b_millis, const TimeZone& tz);

// date + INTERVAL n unit. Seconds to hours add elapsed time; days and weeks keep
// the local wall-clock time; months, quarters and years clamp the day of month
// (2026-01-31 + 1 month = 2026-02-28).
int64_t AddInterval(int64_t unix_seconds, Interval interval, const TimeZone& tz);
// On a Date. REQUIRES unit >= kDay.
int32_t AddIntervalToDate(int32_t day, Interval interval);
// addMonths on a day number, clamping the day of month.
int32_t AddMonths(int32_t day, int64_t months);

// ---- Text ----

std::string FormatDate(int32_t day);                                    // "2026-10-05"
std::string FormatDateTime(int64_t unix_seconds, const TimeZone& tz);   // "2026-10-05 14:03:07"
std::string FormatDateTime64(int64_t unix_millis, const TimeZone& tz);  // "... 14:03:07.123"

// Best-effort parsing of "2026-10-05", "2026-10-05 14:03:07", "2026-10-05 14:03",
// "2026-10-05 14:03:07.123", "2026-10-05T14:03:07Z", "...+02:00", "...-0530".
// Without an explicit offset the text is wall-clock time in `tz`. Extra
// fraction digits are truncated. Returns false on malformed or invalid dates.
bool TryParseDateTime64(absl::string_view text, const TimeZone& tz, int64_t* unix_millis);
bool TryParseDateTime(absl::string_view text, const TimeZone& tz, int64_t* unix_seconds);
// A date, or the local date of a date-time text.
bool TryParseDate(absl::string_view text, const TimeZone& tz, int32_t* day);

// parseDateTimeBestEffort's reader (best_effort_parse.cc): everything above plus
// RFC 1123 ("Sun, 21 Oct 2018 05:06:07 GMT"), month and weekday names, DD/MM/YYYY,
// DD-MM-YY, YYYY/MM/DD, YYYYMMDD[hhmm[ss]], YYYYMM, a lone year, AM/PM, offsets
// (+hh, +hhmm, +hh:mm, Z, UTC, GMT) and 9-10 digit Unix timestamps. Text without an
// offset is wall-clock time in `tz`. False when the text is not a date-time.
bool ParseDateTimeBestEffort(absl::string_view text, const TimeZone& tz, int64_t* unix_millis);

}  // namespace mua::query_internal
