// Time functions counted from a fixed point or in MySQL's week modes (ClickHouse 24.x):
// toRelative{Year,Quarter,Month,Week,Day,Hour,Minute,Second}Num, toWeek / toYearWeek
// (modes 0..9), toStartOfISOYear, toLastDayOfMonth, toLastDayOfWeek, dateTrunc, age
// (full units elapsed), toInterval<Unit>(n), timeSlot, toUTCTimestamp / fromUTCTimestamp.
#include <cmath>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "query/functions/time_functions.h"
#include "query/internal/function_registry.h"
#include "query/internal/kernel_util.h"
#include "query/internal/time_kernel_util.h"
#include "query/time_zones.h"

namespace mua::query_internal {
namespace {

// Milliseconds since the epoch of any time value (a Date: its start in `tz`).
int64_t MillisOf(TypeId id, int64_t value, const TimeZone& tz) {
  return id == TypeId::kDateTime64 ? value : ToSeconds(id, value, tz) * 1000;
}

// A one-argument function f(t[, zone]) whose result is `result` and value `map(id, v, tz)`.
using TimeMap = int64_t (*)(TypeId id, int64_t value, const TimeZone& tz);
ScalarBinder Unary(TypeId result, TimeMap map) {
  return [result, map](absl::string_view name,
                       absl::Span<const ScalarArg> args) -> absl::StatusOr<ScalarBinding> {
    if (args.size() != 1 && !(args.size() == 2 && args[1].type.is_string())) {
      return ArityError(name, args.size(), "1 or 2");
    }
    if (!args[0].type.is_time()) return IllegalType(name, args[0].type, 1);
    absl::StatusOr<TimeZone> zone = OptionalZone(name, args, 1);
    if (!zone.ok()) return zone.status();
    const TypeId id = args[0].type.id;
    return ScalarBinding{
        DataType::Of(result),
        [id, map, tz = *zone](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
          ResizeInts(out, rows);
          for (size_t row = 0; row < rows; ++row) out->ints[row] = map(id, v[0].int_at(row), tz);
          return absl::OkStatus();
        }};
  };
}

// ClickHouse's relative hours count from the zone's offset at the epoch (stable across DST).
int64_t RelativeHour(TypeId id, int64_t v, const TimeZone& tz) {
  return FloorDiv(ToSeconds(id, v, tz) + tz.OffsetAt(0), 3600);
}

// ---- MySQL week modes (toWeek, toYearWeek) ----

constexpr int kMondayFirst = 1, kWeekYear = 2, kFirstWeekday = 4, kNewYearDay = 8;

// Weekday of `day`: 0 = Monday .. 6 when Monday starts the week, else 0 = Sunday .. 6.
int32_t WeekdayIndex(int32_t day, bool sunday_first) {
  return sunday_first ? DayOfWeek(day) % 7 : DayOfWeek(day) - 1;
}

int32_t DaysInYear(int32_t year) { return IsLeapYear(year) ? 366 : 365; }

// (year, week) of `day` in `mode` as MySQL's calc_week / ClickHouse's toYearWeek.
std::pair<int32_t, int32_t> YearWeek(int32_t day, int mode) {
  const bool new_year_day = (mode & kNewYearDay) != 0;
  int format = mode & 7;
  if ((format & kMondayFirst) == 0) format ^= kFirstWeekday;
  const bool monday_first = (format & kMondayFirst) != 0;
  bool week_year = (format & kWeekYear) != 0;
  const bool first_weekday = (format & kFirstWeekday) != 0;
  const CivilDate civil = CivilFromDays(day);
  if (new_year_day) {
    // Week 1 is the week holding January 1st; the year is that of the week's last day.
    const int32_t last = monday_first ? day + 7 - DayOfWeek(day) : day + 7 - DayOfWeek(day + 1);
    const int32_t year = CivilFromDays(last).year;
    int32_t first_day = DaysFromCivil(year, 1, 1);
    int32_t this_day = day;
    if (monday_first) {
      first_day = ToMonday(first_day);
      this_day = ToMonday(day);
    } else {
      if (DayOfWeek(first_day) != 7) first_day -= DayOfWeek(first_day);
      if (DayOfWeek(day) != 7) this_day -= DayOfWeek(day);
    }
    return {year, (this_day - first_day) / 7 + 1};
  }
  int32_t year = civil.year;
  int32_t first_daynr = DaysFromCivil(year, 1, 1);
  int32_t weekday = WeekdayIndex(first_daynr, !monday_first);
  if (civil.month == 1 && civil.day <= 7 - weekday) {
    if (!week_year && ((first_weekday && weekday != 0) || (!first_weekday && weekday >= 4))) {
      return {year, 0};
    }
    week_year = true;
    --year;
    const int32_t days = DaysInYear(year);
    first_daynr -= days;
    weekday = (weekday + 53 * 7 - days) % 7;
  }
  int32_t days = 0;
  if ((first_weekday && weekday != 0) || (!first_weekday && weekday >= 4)) {
    days = day - (first_daynr + (7 - weekday));
  } else {
    days = day - (first_daynr - weekday);
  }
  if (week_year && days >= 52 * 7) {
    weekday = (weekday + DaysInYear(year)) % 7;
    if ((!first_weekday && weekday < 4) || (first_weekday && weekday == 0)) return {year + 1, 1};
  }
  return {year, days / 7 + 1};
}

absl::StatusOr<int64_t> ConstantInt(absl::string_view name, const ScalarArg& arg, int position) {
  if (arg.constant == nullptr || !arg.type.is_integer()) {
    return absl::InvalidArgumentError(
        absl::StrCat("Argument ", position, " of function ", name, " must be a constant integer"));
  }
  return arg.constant->ints[0];
}

// toWeek(t[, mode[, zone]]) / toYearWeek(...) / toLastDayOfWeek(...).
enum class WeekForm { kWeek, kYearWeek, kLastDay };
ScalarBinder WeekFunction(WeekForm form) {
  return [form](absl::string_view name,
                absl::Span<const ScalarArg> args) -> absl::StatusOr<ScalarBinding> {
    if (args.empty() || args.size() > 3) return ArityError(name, args.size(), "1, 2 or 3");
    if (!args[0].type.is_time()) return IllegalType(name, args[0].type, 1);
    int64_t mode = 0;
    size_t zone_index = 1;
    if (args.size() >= 2 && !args[1].type.is_string()) {
      absl::StatusOr<int64_t> constant = ConstantInt(name, args[1], 2);
      if (!constant.ok()) return constant.status();
      mode = *constant;
      if (absl::Status s = ValidateWeekMode(mode); !s.ok()) return s;
      zone_index = 2;
    }
    if (args.size() > zone_index + 1) return ArityError(name, args.size(), "1, 2 or 3");
    absl::StatusOr<TimeZone> zone = OptionalZone(name, args, zone_index);
    if (!zone.ok()) return zone.status();
    const TypeId id = args[0].type.id;
    const TypeId result = form == WeekForm::kWeek       ? TypeId::kUInt8
                          : form == WeekForm::kYearWeek ? TypeId::kUInt32
                                                        : TypeId::kDate;
    const int week_mode = static_cast<int>(mode);
    return ScalarBinding{DataType::Of(result),
                         [id, form, week_mode, tz = *zone](absl::Span<Vector> v, size_t rows,
                                                           StringPool*, Vector* out) {
                           ResizeInts(out, rows);
                           for (size_t row = 0; row < rows; ++row) {
                             const int32_t day = LocalDay(id, v[0].int_at(row), tz);
                             if (form == WeekForm::kLastDay) {
                               out->ints[row] = ToStartOfWeek(day, week_mode) + 6;
                             } else if (form == WeekForm::kWeek) {
                               out->ints[row] = YearWeek(day, week_mode).second;
                             } else {
                               const auto [year, week] = YearWeek(day, week_mode | kWeekYear);
                               out->ints[row] = int64_t{year} * 100 + week;
                             }
                           }
                           return absl::OkStatus();
                         }};
  };
}

// ---- dateTrunc, age ----

// dateTrunc('unit', t[, zone]): year..week give a Date; day..second a DateTime
// (a DateTime64(3) for a DateTime64 argument), as ClickHouse 24.x types it.
absl::StatusOr<ScalarBinding> BindDateTrunc(absl::string_view name,
                                            absl::Span<const ScalarArg> args) {
  if (args.size() != 2 && args.size() != 3) return ArityError(name, args.size(), "2 or 3");
  if (!args[0].type.is_string() || args[0].constant == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("First argument for function ", name,
                                                   " must be constant string: name of datepart"));
  }
  absl::StatusOr<IntervalUnit> unit =
      ParseIntervalUnit(absl::AsciiStrToLower(args[0].constant->string_at(0)));
  if (!unit.ok()) return unit.status();
  const DataType& type = args[1].type;
  if (!type.is_time()) {
    return absl::InvalidArgumentError(absl::StrCat("Illegal type ", type.Name(),
                                                   " of 2nd argument of function ", name,
                                                   ". Should be a date or a date with time"));
  }
  if (IsSubSecondUnit(*unit)) {
    return absl::InvalidArgumentError(
        absl::StrCat("Function ", name, " supports units second to year"));
  }
  const bool is_date = type.id == TypeId::kDate;
  const bool to_date = IntervalReturnsDate(*unit);
  if (is_date && *unit < IntervalUnit::kDay) return IllegalType(name, type, 2);
  if (is_date && to_date && args.size() == 3) {
    return absl::InvalidArgumentError(
        absl::StrCat("The timezone argument of function ", name,
                     " is allowed only when the 2nd argument has the type DateTime"));
  }
  absl::StatusOr<uint16_t> zone_id = OptionalZoneId(name, args, 2, 1);
  if (!zone_id.ok()) return zone_id.status();
  const TypeId result = to_date                          ? TypeId::kDate
                        : type.id == TypeId::kDateTime64 ? TypeId::kDateTime64
                                                         : TypeId::kDateTime;
  const IntervalUnit u = *unit;
  const TypeId id = type.id;
  return ScalarBinding{to_date ? DataType::Of(result) : DataType::Time(result, *zone_id),
                       [u, id, result, tz = TimeZoneById(*zone_id)](
                           absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                         ResizeInts(out, rows);
                         for (size_t row = 0; row < rows; ++row) {
                           const int64_t value = v[1].int_at(row);
                           const int32_t day = LocalDay(id, value, tz);
                           int64_t r = 0;
                           switch (u) {
                             case IntervalUnit::kYear:
                               r = ToStartOfYear(day);
                               break;
                             case IntervalUnit::kQuarter:
                               r = ToStartOfQuarter(day);
                               break;
                             case IntervalUnit::kMonth:
                               r = ToStartOfMonth(day);
                               break;
                             case IntervalUnit::kWeek:
                               r = ToMonday(day);
                               break;
                             case IntervalUnit::kDay:
                               r = DayStart(day, tz);
                               break;
                             case IntervalUnit::kHour:
                               r = ToStartOfHour(ToSeconds(id, value, tz), tz);
                               break;
                             case IntervalUnit::kMinute:
                               r = ToStartOfMinute(ToSeconds(id, value, tz), tz);
                               break;
                             default:
                               r = ToSeconds(id, value, tz);
                               break;
                           }
                           out->ints[row] = result == TypeId::kDateTime64 ? r * 1000 : r;
                         }
                         return absl::OkStatus();
                       }};
}

// The parts of a local time that decide whether a full unit has elapsed.
struct LocalParts {
  int32_t day;
  CivilDate civil;
  int64_t millis_of_day;
};
LocalParts PartsOf(int64_t millis, const TimeZone& tz) {
  const int64_t local = tz.ToLocal(FloorDiv(millis, 1000)) * 1000 + FloorMod(millis, 1000);
  const int32_t day = static_cast<int32_t>(FloorDiv(local, kMillisPerDay));
  return LocalParts{day, CivilFromDays(day), FloorMod(local, kMillisPerDay)};
}

// age(unit, a, b): the units counted from a to b, less one when b's position inside its unit
// is before a's (a month from 01-31 ends on 03-01's eve: age('month', '01-31', '02-29') = 0).
int64_t Age(IntervalUnit unit, int64_t a, int64_t b, const TimeZone& tz) {
  switch (unit) {
    case IntervalUnit::kMillisecond:
      return b - a;
    case IntervalUnit::kMicrosecond:
      return (b - a) * 1000;
    case IntervalUnit::kNanosecond:
      return (b - a) * 1'000'000;
    case IntervalUnit::kSecond:
      return (b - a) / 1000;
    case IntervalUnit::kMinute:
      return (b - a) / 60'000;
    case IntervalUnit::kHour:
      return (b - a) / 3'600'000;
    default:
      break;
  }
  const LocalParts x = PartsOf(a, tz), y = PartsOf(b, tz);
  int64_t count = 0;
  std::tuple<int64_t, int64_t, int64_t> px, py;  // position inside the unit
  switch (unit) {
    case IntervalUnit::kDay:
      count = y.day - x.day;
      px = {0, 0, x.millis_of_day};
      py = {0, 0, y.millis_of_day};
      break;
    case IntervalUnit::kWeek:
      count = (ToMonday(y.day) - ToMonday(x.day)) / 7;
      px = {0, DayOfWeek(x.day), x.millis_of_day};
      py = {0, DayOfWeek(y.day), y.millis_of_day};
      break;
    case IntervalUnit::kMonth:
      count = (int64_t{y.civil.year} * 12 + y.civil.month) -
              (int64_t{x.civil.year} * 12 + x.civil.month);
      px = {0, x.civil.day, x.millis_of_day};
      py = {0, y.civil.day, y.millis_of_day};
      break;
    case IntervalUnit::kQuarter:
      count = (int64_t{y.civil.year} * 4 + (y.civil.month - 1) / 3) -
              (int64_t{x.civil.year} * 4 + (x.civil.month - 1) / 3);
      px = {(x.civil.month - 1) % 3, x.civil.day, x.millis_of_day};
      py = {(y.civil.month - 1) % 3, y.civil.day, y.millis_of_day};
      break;
    default:  // year
      count = int64_t{y.civil.year} - x.civil.year;
      px = {x.civil.month, x.civil.day, x.millis_of_day};
      py = {y.civil.month, y.civil.day, y.millis_of_day};
      break;
  }
  if (count > 0 && px > py) --count;
  if (count < 0 && px < py) ++count;
  return count;
}

absl::StatusOr<IntervalUnit> UnitArgument(absl::string_view name, const ScalarArg& arg) {
  if (!arg.type.is_string() || arg.constant == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("First argument for function ", name, " (unit) must be a String constant"));
  }
  return ParseIntervalUnit(absl::AsciiStrToLower(arg.constant->string_at(0)));
}

absl::StatusOr<ScalarBinding> BindAge(absl::string_view name, absl::Span<const ScalarArg> args) {
  if (args.size() != 3 && args.size() != 4) return ArityError(name, args.size(), "3 or 4");
  absl::StatusOr<IntervalUnit> unit = UnitArgument(name, args[0]);
  if (!unit.ok()) return unit.status();
  if (!args[1].type.is_time()) return IllegalType(name, args[1].type, 2);
  if (!args[2].type.is_time()) return IllegalType(name, args[2].type, 3);
  absl::StatusOr<TimeZone> zone = OptionalZone(name, args, 3, 1);
  if (!zone.ok()) return zone.status();
  const TypeId a_id = args[1].type.id, b_id = args[2].type.id;
  const IntervalUnit u = *unit;
  return ScalarBinding{
      DataType::Of(TypeId::kInt32),
      [u, a_id, b_id, tz = *zone](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
        ResizeInts(out, rows);
        for (size_t row = 0; row < rows; ++row) {
          const int64_t a = MillisOf(a_id, v[1].int_at(row), tz);
          const int64_t b = MillisOf(b_id, v[2].int_at(row), tz);
          out->ints[row] = static_cast<int32_t>(Age(u, a, b, tz));
        }
        return absl::OkStatus();
      }};
}

// ---- toInterval<Unit>, timeSlot, UTC conversions ----

ScalarBinder ToInterval(IntervalUnit unit) {
  return [unit](absl::string_view name,
                absl::Span<const ScalarArg> args) -> absl::StatusOr<ScalarBinding> {
    if (args.size() != 1) return ArityError(name, args.size(), "1");
    if (!args[0].type.is_numeric()) return IllegalType(name, args[0].type, 1);
    DataType type = DataType::Of(TypeId::kInterval);
    type.interval_unit = static_cast<uint8_t>(unit);
    return ScalarBinding{type, [](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                           ResizeInts(out, rows);
                           for (size_t row = 0; row < rows; ++row) {
                             const double x = v[0].number_at(row);
                             out->ints[row] =
                                 v[0].type.id == TypeId::kFloat64
                                     ? (std::fabs(x) < 9.2e18 ? static_cast<int64_t>(x) : 0)
                                     : v[0].int_at(row);
                           }
                           return absl::OkStatus();
                         }};
  };
}

// timeSlot(t): the half hour, counted from the epoch (not the zone's midnight) as ClickHouse.
absl::StatusOr<ScalarBinding> BindTimeSlot(absl::string_view name,
                                           absl::Span<const ScalarArg> args) {
  if (args.size() != 1 && !(args.size() == 2 && args[1].type.is_string())) {
    return ArityError(name, args.size(), "1 or 2");
  }
  const DataType& type = args[0].type;
  if (type.id != TypeId::kDateTime && type.id != TypeId::kDateTime64)
    return IllegalType(name, type, 1);
  absl::StatusOr<uint16_t> zone_id = OptionalZoneId(name, args, 1);
  if (!zone_id.ok()) return zone_id.status();
  const int64_t slot = type.id == TypeId::kDateTime64 ? 1'800'000 : 1800;
  return ScalarBinding{DataType::Time(type.id, *zone_id),
                       [slot](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                         ResizeInts(out, rows);
                         for (size_t row = 0; row < rows; ++row) {
                           out->ints[row] = FloorDiv(v[0].int_at(row), slot) * slot;
                         }
                         return absl::OkStatus();
                       }};
}

// toUTCTimestamp(t, zone): t's UTC wall clock read as `zone`'s, the instant of that;
// fromUTCTimestamp(t, zone): t's wall clock in `zone` read as UTC.
ScalarBinder UtcShift(bool to_utc) {
  return [to_utc](absl::string_view name,
                  absl::Span<const ScalarArg> args) -> absl::StatusOr<ScalarBinding> {
    if (args.size() != 2) return ArityError(name, args.size(), "2");
    const DataType& type = args[0].type;
    if (!type.is_time()) return IllegalType(name, type, 1);
    absl::StatusOr<TimeZone> zone = OptionalZone(name, args, 1);
    if (!zone.ok()) return zone.status();
    const TypeId id = type.id == TypeId::kDateTime64 ? TypeId::kDateTime64 : TypeId::kDateTime;
    const TypeId from = type.id;
    return ScalarBinding{
        DataType::Time(id, kNoTimeZone),
        [to_utc, id, from, tz = *zone](absl::Span<Vector> v, size_t rows, StringPool*,
                                       Vector* out) {
          ResizeInts(out, rows);
          const TimeZone utc;
          for (size_t row = 0; row < rows; ++row) {
            const int64_t millis = MillisOf(from, v[0].int_at(row), utc);
            const int64_t seconds = FloorDiv(millis, 1000);
            const int64_t shifted = to_utc ? tz.FromLocal(seconds) : tz.ToLocal(seconds);
            out->ints[row] =
                id == TypeId::kDateTime64 ? shifted * 1000 + FloorMod(millis, 1000) : shifted;
          }
          return absl::OkStatus();
        }};
  };
}

}  // namespace

void RegisterRelativeTime(FunctionRegistry* registry) {
  registry->Add("toRelativeYearNum",
                Unary(TypeId::kUInt16, [](TypeId id, int64_t v, const TimeZone& tz) -> int64_t {
                  return ToYear(LocalDay(id, v, tz));
                }));
  registry->Add("toRelativeQuarterNum",
                Unary(TypeId::kUInt32, [](TypeId id, int64_t v, const TimeZone& tz) -> int64_t {
                  const int32_t day = LocalDay(id, v, tz);
                  return int64_t{ToYear(day)} * 4 + ToQuarter(day) - 1;
                }));
  registry->Add("toRelativeMonthNum",
                Unary(TypeId::kUInt32, [](TypeId id, int64_t v, const TimeZone& tz) -> int64_t {
                  const int32_t day = LocalDay(id, v, tz);
                  return int64_t{ToYear(day)} * 12 + ToMonth(day);  // not - 1: ClickHouse counts so
                }));
  registry->Add("toRelativeWeekNum",
                Unary(TypeId::kUInt32, [](TypeId id, int64_t v, const TimeZone& tz) -> int64_t {
                  const int32_t day = LocalDay(id, v, tz);
                  return FloorDiv(int64_t{day} + 8 - DayOfWeek(day), 7);
                }));
  registry->Add("toRelativeDayNum",
                Unary(TypeId::kUInt32, [](TypeId id, int64_t v, const TimeZone& tz) -> int64_t {
                  return LocalDay(id, v, tz);
                }));
  registry->Add("toRelativeHourNum", Unary(TypeId::kUInt32, RelativeHour));
  registry->Add("toRelativeMinuteNum",
                Unary(TypeId::kUInt32, [](TypeId id, int64_t v, const TimeZone& tz) -> int64_t {
                  return FloorDiv(ToSeconds(id, v, tz), 60);
                }));
  registry->Add("toRelativeSecondNum",
                Unary(TypeId::kUInt32, [](TypeId id, int64_t v, const TimeZone& tz) -> int64_t {
                  return ToSeconds(id, v, tz);
                }));
  registry->Add("toStartOfISOYear",
                Unary(TypeId::kDate, [](TypeId id, int64_t v, const TimeZone& tz) -> int64_t {
                  return ToMonday(DaysFromCivil(ToIsoYear(LocalDay(id, v, tz)), 1, 4));
                }));
  registry->Add("toLastDayOfMonth",
                Unary(TypeId::kDate, [](TypeId id, int64_t v, const TimeZone& tz) -> int64_t {
                  const CivilDate civil = CivilFromDays(LocalDay(id, v, tz));
                  return DaysFromCivil(civil.year, civil.month,
                                       DaysInMonth(civil.year, civil.month));
                }));
  registry->Add("LAST_DAY",
                Unary(TypeId::kDate,
                      [](TypeId id, int64_t v, const TimeZone& tz) -> int64_t {
                        const CivilDate civil = CivilFromDays(LocalDay(id, v, tz));
                        return DaysFromCivil(civil.year, civil.month,
                                             DaysInMonth(civil.year, civil.month));
                      }),
                true);
  registry->Add("toWeek", WeekFunction(WeekForm::kWeek));
  registry->Add("week", WeekFunction(WeekForm::kWeek), true);
  registry->Add("toYearWeek", WeekFunction(WeekForm::kYearWeek));
  registry->Add("yearweek", WeekFunction(WeekForm::kYearWeek), true);
  registry->Add("toLastDayOfWeek", WeekFunction(WeekForm::kLastDay));
  registry->Add("dateTrunc", BindDateTrunc);
  registry->Add("DATE_TRUNC", BindDateTrunc, true);
  registry->Add("age", BindAge);
  static constexpr std::pair<const char*, IntervalUnit> kUnits[] = {
      {"Second", IntervalUnit::kSecond},   {"Minute", IntervalUnit::kMinute},
      {"Hour", IntervalUnit::kHour},       {"Day", IntervalUnit::kDay},
      {"Week", IntervalUnit::kWeek},       {"Month", IntervalUnit::kMonth},
      {"Quarter", IntervalUnit::kQuarter}, {"Year", IntervalUnit::kYear}};
  for (const auto& [unit_name, unit] : kUnits) {
    registry->Add(absl::StrCat("toInterval", unit_name), ToInterval(unit));
  }
  registry->Add("timeSlot", BindTimeSlot);
  registry->Add("toUTCTimestamp", UtcShift(true));
  registry->Add("to_utc_timestamp", UtcShift(true), true);
  registry->Add("fromUTCTimestamp", UtcShift(false));
  registry->Add("from_utc_timestamp", UtcShift(false), true);
}

}  // namespace mua::query_internal
