// Date and time components and rounding of SPEC §5 over Date (days), DateTime
// (seconds) and DateTime64(3) (milliseconds), with the calendar arithmetic of
// query/functions/time_functions.h. Every function on a time takes an optional
// time-zone argument ('Asia/Tokyo') and computes in that zone; without one in the
// zone of the argument's type (DateTime('Asia/Tokyo')), else the server's, UTC.
// DateTime results carry the zone they were computed in. A Date is a calendar
// day: zones leave it alone. Arithmetic, formatting and parsing are in time_zone_kernels.cc.
#include "query/functions/time_functions.h"
#include "query/internal/function_registry.h"
#include "query/internal/kernel_util.h"
#include "query/internal/time_kernel_util.h"
#include "query/time_zones.h"

namespace mua::query_internal {
namespace {

using TimeMap = int64_t (*)(TypeId id, int64_t value, const TimeZone& tz);

// A one-argument time function, `f(t[, zone])`: `map` turns a value of the
// argument's type into the result.
ScalarBinder UnaryTime(TypeId result, TimeMap map, bool accepts_date = true) {
  return [result, map, accepts_date](absl::string_view name, absl::Span<const ScalarArg> args)
             -> absl::StatusOr<ScalarBinding> {
    if (args.size() != 1 && !(args.size() == 2 && args[1].type.is_string())) {
      return ArityError(name, args.size(), "1 or 2");
    }
    absl::StatusOr<uint16_t> zone_id = OptionalZoneId(name, args, 1);
    if (!zone_id.ok()) return zone_id.status();
    const DataType& type = args[0].type;
    if (!type.is_time() || (!accepts_date && type.id == TypeId::kDate)) {
      return IllegalType(name, type, 1);
    }
    const TypeId id = type.id;
    // A DateTime result (toStartOfDay, toStartOfHour...) is typed with the zone it was
    // computed in, so that it prints as that zone's wall clock.
    const DataType result_type =
        result == TypeId::kDateTime ? DataType::Time(result, *zone_id) : DataType::Of(result);
    return ScalarBinding{result_type, [id, map, tz = TimeZoneById(*zone_id)](
                                          absl::Span<Vector> v, size_t rows, StringPool*,
                                          Vector* out) {
                           ResizeInts(out, rows);
                           for (size_t row = 0; row < rows; ++row) {
                             out->ints[row] = map(id, v[0].int_at(row), tz);
                           }
                           return absl::OkStatus();
                         }};
  };
}

// f(t[, mode[, zone]]): toStartOfWeek, toWeek-like functions with a constant integer mode.
absl::StatusOr<int64_t> ConstantMode(absl::string_view name, const ScalarArg& arg) {
  if (arg.constant == nullptr || !arg.type.is_integer()) {
    return absl::InvalidArgumentError(
        absl::StrCat("Argument 2 of function ", name, " must be a constant integer"));
  }
  return arg.constant->ints[0];
}

absl::StatusOr<ScalarBinding> BindToStartOfWeek(absl::string_view name,
                                                absl::Span<const ScalarArg> args) {
  if (args.empty() || args.size() > 3) return ArityError(name, args.size(), "1, 2 or 3");
  if (!args[0].type.is_time()) return IllegalType(name, args[0].type, 1);
  int64_t mode = 0;
  if (args.size() >= 2) {
    absl::StatusOr<int64_t> constant = ConstantMode(name, args[1]);
    if (!constant.ok()) return constant.status();
    mode = *constant;
    if (absl::Status s = ValidateWeekMode(mode); !s.ok()) return s;
  }
  absl::StatusOr<TimeZone> zone = OptionalZone(name, args, 2);
  if (!zone.ok()) return zone.status();
  const TypeId id = args[0].type.id;
  return ScalarBinding{DataType::Of(TypeId::kDate), [id, mode, tz = *zone](absl::Span<Vector> v,
                                                                          size_t rows, StringPool*,
                                                                          Vector* out) {
                         ResizeInts(out, rows);
                         for (size_t row = 0; row < rows; ++row) {
                           out->ints[row] =
                               ToStartOfWeek(LocalDay(id, v[0].int_at(row), tz), static_cast<int>(mode));
                         }
                         return absl::OkStatus();
                       }};
}

// toDayOfWeek(t[, mode[, zone]]): mode 0 Monday=1..Sunday=7, 1 Monday=0..Sunday=6,
// 2 Sunday=0..Saturday=6, 3 Sunday=1..Saturday=7. A String second argument is the zone.
absl::StatusOr<ScalarBinding> BindToDayOfWeek(absl::string_view name,
                                              absl::Span<const ScalarArg> args) {
  if (args.empty() || args.size() > 3) return ArityError(name, args.size(), "1, 2 or 3");
  if (!args[0].type.is_time()) return IllegalType(name, args[0].type, 1);
  int64_t mode = 0;
  size_t zone_index = 1;
  if (args.size() >= 2 && !args[1].type.is_string()) {
    absl::StatusOr<int64_t> constant = ConstantMode(name, args[1]);
    if (!constant.ok()) return constant.status();
    mode = *constant & 3;
    zone_index = 2;
  }
  if (args.size() > zone_index + 1) return ArityError(name, args.size(), "1, 2 or 3");
  absl::StatusOr<TimeZone> zone = OptionalZone(name, args, zone_index);
  if (!zone.ok()) return zone.status();
  const TypeId id = args[0].type.id;
  return ScalarBinding{DataType::Of(TypeId::kUInt8), [id, mode, tz = *zone](absl::Span<Vector> v,
                                                                           size_t rows, StringPool*,
                                                                           Vector* out) {
                         ResizeInts(out, rows);
                         for (size_t row = 0; row < rows; ++row) {
                           const int32_t iso = ToDayOfWeek(LocalDay(id, v[0].int_at(row), tz));
                           const bool sunday_first = mode >= 2;
                           const int32_t from_one = sunday_first ? iso % 7 + 1 : iso;
                           out->ints[row] = (mode == 0 || mode == 3) ? from_one : from_one - 1;
                         }
                         return absl::OkStatus();
                       }};
}

Interval IntervalOf(const ScalarArg& arg) {
  return Interval{static_cast<IntervalUnit>(arg.type.interval_unit), arg.constant->ints[0]};
}

// Rounds a DateTime64 down to `interval` (sub-second units keep milliseconds).
int64_t StartOfIntervalMillis(int64_t millis, Interval interval, const TimeZone& tz) {
  switch (interval.unit) {
    case IntervalUnit::kMillisecond: return FloorDiv(millis, interval.count) * interval.count;
    case IntervalUnit::kMicrosecond:
    case IntervalUnit::kNanosecond: return millis;  // finer than the type's precision
    default: return ToStartOfInterval(FloorDiv(millis, 1000), interval, tz);
  }
}

absl::StatusOr<ScalarBinding> BindToStartOfInterval(absl::string_view name,
                                                    absl::Span<const ScalarArg> args) {
  if (args.size() != 2 && args.size() != 3) return ArityError(name, args.size(), "2 or 3");
  const DataType& type = args[0].type;
  if (!type.is_time()) return IllegalType(name, type, 1);
  if (args[1].type.id != TypeId::kInterval || args[1].constant == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("Argument 2 of function ", name, " must be a constant INTERVAL"));
  }
  absl::StatusOr<uint16_t> zone_id = OptionalZoneId(name, args, 2);
  if (!zone_id.ok()) return zone_id.status();
  const TimeZone zone = TimeZoneById(*zone_id);
  const Interval interval = IntervalOf(args[1]);
  const bool is_date = type.id == TypeId::kDate;
  if (absl::Status s = ValidateStartOfInterval(interval, is_date); !s.ok()) return s;
  const TypeId id = type.id;
  const bool sub_second = IsSubSecondUnit(interval.unit);
  if (sub_second && id != TypeId::kDateTime64) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Illegal interval ", IntervalUnitName(interval.unit), " of function ", name,
        ": sub-second intervals need a DateTime64 argument"));
  }
  const bool returns_date = is_date || IntervalReturnsDate(interval.unit);
  const TypeId result =
      returns_date ? TypeId::kDate : sub_second ? TypeId::kDateTime64 : TypeId::kDateTime;
  return ScalarBinding{
      returns_date ? DataType::Of(result) : DataType::Time(result, *zone_id),
      [id, interval, is_date, sub_second, tz = zone](absl::Span<Vector> v, size_t rows,
                                                      StringPool*, Vector* out) {
        ResizeInts(out, rows);
        for (size_t row = 0; row < rows; ++row) {
          const int64_t value = v[0].int_at(row);
          if (is_date) {
            out->ints[row] = ToStartOfIntervalDate(static_cast<int32_t>(value), interval);
          } else if (sub_second) {
            out->ints[row] = StartOfIntervalMillis(value, interval, tz);
          } else {
            out->ints[row] = ToStartOfInterval(ToSeconds(id, value, tz), interval, tz);
          }
        }
        return absl::OkStatus();
      }};
}

// toStartOfFiveMinutes and friends: toStartOfInterval(t, INTERVAL n minute[, zone]).
ScalarBinder StartOfMinutes(int64_t minutes) {
  return [minutes](absl::string_view name,
                   absl::Span<const ScalarArg> args) -> absl::StatusOr<ScalarBinding> {
    if (args.size() != 1 && !(args.size() == 2 && args[1].type.is_string())) {
      return ArityError(name, args.size(), "1 or 2");
    }
    absl::StatusOr<uint16_t> zone_id = OptionalZoneId(name, args, 1);
    if (!zone_id.ok()) return zone_id.status();
    const DataType& type = args[0].type;
    if (!type.is_time() || type.id == TypeId::kDate) return IllegalType(name, type, 1);
    const TypeId id = type.id;
    const Interval interval{IntervalUnit::kMinute, minutes};
    return ScalarBinding{DataType::Time(TypeId::kDateTime, *zone_id),
                         [id, interval, tz = TimeZoneById(*zone_id)](
                             absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                           ResizeInts(out, rows);
                           for (size_t row = 0; row < rows; ++row) {
                             out->ints[row] =
                                 ToStartOfInterval(ToSeconds(id, v[0].int_at(row), tz), interval, tz);
                           }
                           return absl::OkStatus();
                         }};
  };
}

// toStartOfSecond(dt64[, zone]): DateTime64 only, as ClickHouse.
absl::StatusOr<ScalarBinding> BindToStartOfSecond(absl::string_view name,
                                                  absl::Span<const ScalarArg> args) {
  if (args.size() != 1 && !(args.size() == 2 && args[1].type.is_string())) {
    return ArityError(name, args.size(), "1 or 2");
  }
  absl::StatusOr<uint16_t> zone_id = OptionalZoneId(name, args, 1);
  if (!zone_id.ok()) return zone_id.status();
  if (args[0].type.id != TypeId::kDateTime64) return IllegalType(name, args[0].type, 1);
  return ScalarBinding{DataType::Time(TypeId::kDateTime64, *zone_id),
                       [](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                         ResizeInts(out, rows);
                         for (size_t row = 0; row < rows; ++row) {
                           out->ints[row] = FloorDiv(v[0].int_at(row), 1000) * 1000;
                         }
                         return absl::OkStatus();
                       }};
}

int32_t IsoWeekYear(int32_t day) {
  // The ISO year is the year of the week's Thursday.
  return ToYear(ToMonday(day) + 3);
}
int32_t IsoWeek(int32_t day) {
  const int32_t thursday = ToMonday(day) + 3;
  return (thursday - DaysFromCivil(ToYear(thursday), 1, 1)) / 7 + 1;
}

}  // namespace

int32_t ToIsoWeek(int32_t day) { return IsoWeek(day); }
int32_t ToIsoYear(int32_t day) { return IsoWeekYear(day); }

uint16_t TimeZoneIdOf(const DataType& type) {
  return type.id == TypeId::kDateTime || type.id == TypeId::kDateTime64 ? type.time_zone
                                                                          : kNoTimeZone;
}

absl::StatusOr<uint16_t> OptionalZoneId(absl::string_view name, absl::Span<const ScalarArg> args,
                                        size_t index, size_t time_index) {
  if (index >= args.size()) {
    return time_index < args.size() ? TimeZoneIdOf(args[time_index].type) : kNoTimeZone;
  }
  // Checks the argument's form and names the function in the error.
  absl::Status valid = LoadTimeZoneArgument(name, static_cast<int>(index + 1), args[index]).status();
  if (!valid.ok()) return valid;
  const absl::string_view zone = args[index].constant->string_at(0);
  if (zone.empty()) return kNoTimeZone;
  return InternTimeZone(zone);
}

absl::StatusOr<TimeZone> OptionalZone(absl::string_view name, absl::Span<const ScalarArg> args,
                                      size_t index, size_t time_index) {
  absl::StatusOr<uint16_t> id = OptionalZoneId(name, args, index, time_index);
  if (!id.ok()) return id.status();
  return TimeZoneById(*id);
}

int64_t DayStartIn(int64_t day, const DataType& type) {
  const int64_t seconds = DayStart(static_cast<int32_t>(day), ZoneOfType(type));
  return type.id == TypeId::kDateTime64 ? seconds * 1000 : seconds;
}

int64_t ToSeconds(TypeId id, int64_t value, const TimeZone& tz) {
  switch (id) {
    case TypeId::kDate: return DayStart(static_cast<int32_t>(value), tz);
    case TypeId::kDateTime64: return FloorDiv(value, 1000);
    default: return value;
  }
}

int32_t LocalDay(TypeId id, int64_t value, const TimeZone& tz) {
  switch (id) {
    case TypeId::kDate: return static_cast<int32_t>(value);
    case TypeId::kDateTime64: return ToDayNum(FloorDiv(value, 1000), tz);
    default: return ToDayNum(value, tz);
  }
}

void RegisterTime(FunctionRegistry* registry) {
  registry->Add("toStartOfMinute", UnaryTime(TypeId::kDateTime, [](TypeId id, int64_t v, const TimeZone& tz) {
    return ToStartOfMinute(ToSeconds(id, v, tz), tz);
  }, false));
  registry->Add("toStartOfFiveMinutes", StartOfMinutes(5));
  registry->Add("toStartOfFiveMinute", StartOfMinutes(5));
  registry->Add("toStartOfTenMinutes", StartOfMinutes(10));
  registry->Add("toStartOfFifteenMinutes", StartOfMinutes(15));
  registry->Add("toStartOfSecond", BindToStartOfSecond);
  registry->Add("toStartOfHour", UnaryTime(TypeId::kDateTime, [](TypeId id, int64_t v, const TimeZone& tz) {
    return ToStartOfHour(ToSeconds(id, v, tz), tz);
  }, false));
  registry->Add("toStartOfDay", UnaryTime(TypeId::kDateTime, [](TypeId id, int64_t v, const TimeZone& tz) {
    return DayStart(LocalDay(id, v, tz), tz);
  }));
  registry->Add("toStartOfWeek", BindToStartOfWeek);
  registry->Add("toMonday", UnaryTime(TypeId::kDate, [](TypeId id, int64_t v, const TimeZone& tz) -> int64_t {
    return ToMonday(LocalDay(id, v, tz));
  }));
  registry->Add("toStartOfMonth", UnaryTime(TypeId::kDate, [](TypeId id, int64_t v, const TimeZone& tz) -> int64_t {
    return ToStartOfMonth(LocalDay(id, v, tz));
  }));
  registry->Add("toStartOfQuarter", UnaryTime(TypeId::kDate, [](TypeId id, int64_t v, const TimeZone& tz) -> int64_t {
    return ToStartOfQuarter(LocalDay(id, v, tz));
  }));
  registry->Add("toStartOfYear", UnaryTime(TypeId::kDate, [](TypeId id, int64_t v, const TimeZone& tz) -> int64_t {
    return ToStartOfYear(LocalDay(id, v, tz));
  }));
  registry->Add("toYYYYMMDD", UnaryTime(TypeId::kUInt32, [](TypeId id, int64_t v, const TimeZone& tz) -> int64_t {
    return ToYYYYMMDD(LocalDay(id, v, tz));
  }));
  registry->Add("toYYYYMM", UnaryTime(TypeId::kUInt32, [](TypeId id, int64_t v, const TimeZone& tz) -> int64_t {
    return ToYYYYMM(LocalDay(id, v, tz));
  }));
  registry->Add("toYYYYMMDDhhmmss", UnaryTime(TypeId::kUInt64, [](TypeId id, int64_t v, const TimeZone& tz) -> int64_t {
    const int64_t seconds = ToSeconds(id, v, tz);
    return int64_t{ToYYYYMMDD(LocalDay(id, v, tz))} * 1'000'000 + ToHour(seconds, tz) * 10000 +
           ToMinute(seconds, tz) * 100 + ToSecond(seconds, tz);
  }));
  registry->Add("toYear", UnaryTime(TypeId::kUInt16, [](TypeId id, int64_t v, const TimeZone& tz) -> int64_t {
    return ToYear(LocalDay(id, v, tz));
  }));
  registry->Add("toQuarter", UnaryTime(TypeId::kUInt8, [](TypeId id, int64_t v, const TimeZone& tz) -> int64_t {
    return ToQuarter(LocalDay(id, v, tz));
  }));
  registry->Add("toMonth", UnaryTime(TypeId::kUInt8, [](TypeId id, int64_t v, const TimeZone& tz) -> int64_t {
    return ToMonth(LocalDay(id, v, tz));
  }));
  registry->Add("toDayOfMonth", UnaryTime(TypeId::kUInt8, [](TypeId id, int64_t v, const TimeZone& tz) -> int64_t {
    return ToDayOfMonth(LocalDay(id, v, tz));
  }));
  registry->Add("toDayOfWeek", BindToDayOfWeek);
  registry->Add("toDayOfYear", UnaryTime(TypeId::kUInt16, [](TypeId id, int64_t v, const TimeZone& tz) -> int64_t {
    return ToDayOfYear(LocalDay(id, v, tz));
  }));
  registry->Add("toISOWeek", UnaryTime(TypeId::kUInt8, [](TypeId id, int64_t v, const TimeZone& tz) -> int64_t {
    return IsoWeek(LocalDay(id, v, tz));
  }));
  registry->Add("toISOYear", UnaryTime(TypeId::kUInt16, [](TypeId id, int64_t v, const TimeZone& tz) -> int64_t {
    return IsoWeekYear(LocalDay(id, v, tz));
  }));
  registry->Add("toHour", UnaryTime(TypeId::kUInt8, [](TypeId id, int64_t v, const TimeZone& tz) -> int64_t {
    return ToHour(ToSeconds(id, v, tz), tz);
  }, false));
  registry->Add("toMinute", UnaryTime(TypeId::kUInt8, [](TypeId id, int64_t v, const TimeZone& tz) -> int64_t {
    return ToMinute(ToSeconds(id, v, tz), tz);
  }, false));
  registry->Add("toSecond", UnaryTime(TypeId::kUInt8, [](TypeId id, int64_t v, const TimeZone& tz) -> int64_t {
    return ToSecond(ToSeconds(id, v, tz), tz);
  }, false));
  registry->Add("toStartOfInterval", BindToStartOfInterval);
  RegisterTimeZone(registry);
}

}  // namespace mua::query_internal
