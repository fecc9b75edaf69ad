// Time arithmetic, formatting and parsing with ClickHouse's names: dateDiff
// (units down to nanosecond), dateAdd/dateSub/timestampAdd and addDays...,
// now/today/yesterday, toTimeZone, timezone(), toUnixTimestamp[64Milli],
// fromUnixTimestamp[64Milli], formatDateTime and parseDateTimeBestEffort[OrNull|OrZero].
// Time zones: an explicit zone argument is honoured, else the zone of the time
// argument's type (DateTime('Zone')), else the server's, UTC. toTimeZone keeps
// the instant and changes the type's zone, which later functions and the output
// formats then use.
#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "query/functions/time_functions.h"
#include "query/internal/function_registry.h"
#include "query/internal/kernel_util.h"
#include "query/internal/time_kernel_util.h"
#include "query/time_zones.h"

namespace mua::query_internal {
namespace {

// ---- dateDiff ----

absl::StatusOr<IntervalUnit> ConstantUnit(absl::string_view name, const ScalarArg& arg,
                                          int position) {
  if (!arg.type.is_string() || arg.constant == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("Argument ", position, " of function ", name,
                                                   " (unit) must be a constant String"));
  }
  return ParseIntervalUnit(arg.constant->string_at(0));
}

// Time arithmetic past Int64's range wraps around (ClickHouse's times wrap too) rather
// than overflow, which is undefined: dateAdd(millisecond, 9223372036854775807, now64(3)).
int64_t WrapAdd(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
int64_t WrapMul(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
}

// A shift's count is cut to this: the calendar arithmetic multiplies it by up to a
// week's seconds (and a DateTime64's result by 1000) within Int64.
constexpr int64_t kMaxShiftCount = int64_t{1} << 32;

// Milliseconds since the epoch of a time value.
int64_t ToMillis(TypeId id, int64_t value, const TimeZone& tz) {
  return id == TypeId::kDateTime64 ? value : WrapMul(ToSeconds(id, value, tz), 1000);
}

absl::StatusOr<ScalarBinding> BindDateDiff(absl::string_view name, absl::Span<const ScalarArg> args) {
  if (args.size() != 3 && args.size() != 4) return ArityError(name, args.size(), "3 or 4");
  absl::StatusOr<IntervalUnit> unit = ConstantUnit(name, args[0], 1);
  if (!unit.ok()) return unit.status();
  if (!args[1].type.is_time()) return IllegalType(name, args[1].type, 2);
  if (!args[2].type.is_time()) return IllegalType(name, args[2].type, 3);
  absl::StatusOr<TimeZone> zone = OptionalZone(name, args, 3, 1);
  if (!zone.ok()) return zone.status();
  const TypeId a = args[1].type.id, b = args[2].type.id;
  const IntervalUnit u = *unit;
  return ScalarBinding{DataType::Of(TypeId::kInt64),
                       [a, b, u, tz = *zone](absl::Span<Vector> v, size_t rows, StringPool*,
                                             Vector* out) {
                         ResizeInts(out, rows);
                         for (size_t row = 0; row < rows; ++row) {
                           const int64_t x = v[1].int_at(row), y = v[2].int_at(row);
                           if (a == TypeId::kDate && b == TypeId::kDate) {
                             out->ints[row] = DateDiffDates(u, static_cast<int32_t>(x),
                                                            static_cast<int32_t>(y));
                           } else {
                             out->ints[row] = DateDiffMillis(u, ToMillis(a, x, tz), ToMillis(b, y, tz), tz);
                           }
                         }
                         return absl::OkStatus();
                       }};
}

// ---- time ± interval ----

constexpr int64_t SubSecondPerMilli(IntervalUnit unit) {
  return unit == IntervalUnit::kMicrosecond ? 1000 : unit == IntervalUnit::kNanosecond ? 1'000'000 : 1;
}

// t ± n units. Date plus a sub-day unit is a DateTime (a DateTime64 for sub-second
// units, as is DateTime plus milliseconds); DateTime64 keeps its milliseconds.
absl::StatusOr<ScalarBinding> BindShift(absl::string_view name, const DataType& type, int type_arg,
                                        IntervalUnit unit, bool subtract, int count_arg,
                                        const DataType& count_type) {
  if (!type.is_time()) return IllegalType(name, type, type_arg + 1);
  if (!count_type.is_integer() && count_type.id != TypeId::kInterval) {
    return IllegalType(name, count_type, count_arg + 1);
  }
  const TypeId id = type.id;
  const bool sub_second = IsSubSecondUnit(unit);
  const bool date_result = id == TypeId::kDate && IsCalendarUnit(unit);
  TypeId result = id;
  if (sub_second) {
    result = TypeId::kDateTime64;
  } else if (id == TypeId::kDate && !date_result) {
    result = TypeId::kDateTime;
  }
  // Days and longer keep the wall-clock time of the value's own zone; so does its type.
  const uint16_t zone_id = TimeZoneIdOf(type);
  return ScalarBinding{
      date_result ? DataType::Of(result) : DataType::Time(result, zone_id),
      [id, unit, subtract, date_result, sub_second, type_arg, count_arg,
       tz = TimeZoneById(zone_id)](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
        ResizeInts(out, rows);
        for (size_t row = 0; row < rows; ++row) {
          const int64_t value = v[type_arg].int_at(row);
          const int64_t count = std::clamp(v[count_arg].int_at(row), -kMaxShiftCount, kMaxShiftCount);
          const Interval interval{unit, subtract ? -count : count};
          if (date_result) {
            out->ints[row] = AddIntervalToDate(static_cast<int32_t>(value), interval);
          } else if (sub_second) {
            out->ints[row] = WrapAdd(ToMillis(id, value, tz), interval.count / SubSecondPerMilli(unit));
          } else if (id == TypeId::kDateTime64) {
            out->ints[row] =
                WrapAdd(WrapMul(AddInterval(FloorDiv(value, 1000), interval, tz), 1000), FloorMod(value, 1000));
          } else {
            out->ints[row] = AddInterval(ToSeconds(id, value, tz), interval, tz);
          }
        }
        return absl::OkStatus();
      }};
}

// addInterval(t, INTERVAL) / addDays(t, n) style: the unit is fixed or the interval's.
absl::StatusOr<ScalarBinding> BindAddInterval(absl::string_view name, bool subtract,
                                              std::optional<IntervalUnit> fixed_unit,
                                              absl::Span<const ScalarArg> args) {
  if (args.size() != 2) return ArityError(name, args.size(), "2");
  IntervalUnit unit;
  if (fixed_unit.has_value()) {
    if (!args[1].type.is_integer()) return IllegalType(name, args[1].type, 2);
    unit = *fixed_unit;
  } else {
    if (args[1].type.id != TypeId::kInterval) return IllegalType(name, args[1].type, 2);
    unit = static_cast<IntervalUnit>(args[1].type.interval_unit);
  }
  return BindShift(name, args[0].type, 0, unit, subtract, 1, args[1].type);
}

// dateAdd(unit, n, t), dateAdd(t, INTERVAL n unit); dateSub likewise. The parser
// turns `dateAdd(day, 1, d)` into `dateAdd('day', 1, d)`.
absl::StatusOr<ScalarBinding> BindDateAdd(absl::string_view name, bool subtract,
                                          absl::Span<const ScalarArg> args) {
  if (args.size() == 2) return BindAddInterval(name, subtract, std::nullopt, args);
  if (args.size() != 3) return ArityError(name, args.size(), "2 or 3");
  absl::StatusOr<IntervalUnit> unit = ConstantUnit(name, args[0], 1);
  if (!unit.ok()) return unit.status();
  if (!args[1].type.is_integer()) return IllegalType(name, args[1].type, 2);
  return BindShift(name, args[2].type, 2, *unit, subtract, 1, args[1].type);
}

// ---- now, today, yesterday ----

ScalarBinder Now(TypeId type, int64_t day_offset) {
  return [type, day_offset](absl::string_view name,
                            absl::Span<const ScalarArg> args) -> absl::StatusOr<ScalarBinding> {
    // now([zone]), now64([precision[, zone]]): the zone only changes how it prints.
    const size_t max_args = type == TypeId::kDateTime ? 1 : type == TypeId::kDateTime64 ? 2 : 0;
    if (args.size() > max_args) return ArityError(name, args.size(), absl::StrCat("0 to ", max_args));
    if (type == TypeId::kDateTime64 && !args.empty() &&
        (args[0].constant == nullptr || !args[0].type.is_integer() || args[0].constant->ints[0] != 3)) {
      return absl::InvalidArgumentError(
          absl::StrCat("Function ", name, " supports the precision 3 (milliseconds) only"));
    }
    const size_t zone_index = type == TypeId::kDateTime64 ? 1 : 0;
    absl::StatusOr<uint16_t> zone_id = OptionalZoneId(name, args, zone_index, args.size());
    if (!zone_id.ok()) return zone_id.status();
    const int64_t millis = absl::ToUnixMillis(absl::Now());
    int64_t value = millis;
    if (type == TypeId::kDateTime) value = FloorDiv(millis, 1000);
    if (type == TypeId::kDate) value = FloorDiv(millis, kMillisPerDay) + day_offset;
    const DataType result =
        type == TypeId::kDate ? DataType::Of(type) : DataType::Time(type, *zone_id);
    return ScalarBinding{result, [result, value](absl::Span<Vector>, size_t rows, StringPool*,
                                                 Vector* out) {
                           *out = Vector::ConstantInt(result, value, rows);
                           return absl::OkStatus();
                         }};
  };
}

// ---- zones ----

absl::StatusOr<ScalarBinding> BindToTimeZone(absl::string_view name,
                                             absl::Span<const ScalarArg> args) {
  if (args.size() != 2) return ArityError(name, args.size(), "2");
  const DataType& type = args[0].type;
  if (type.id != TypeId::kDateTime && type.id != TypeId::kDateTime64) {
    return IllegalType(name, type, 1);
  }
  absl::StatusOr<uint16_t> zone_id = OptionalZoneId(name, args, 1);
  if (!zone_id.ok()) return zone_id.status();
  DataType result = type;
  result.time_zone = *zone_id;
  return ScalarBinding{result, [result](absl::Span<Vector> v, size_t, StringPool*, Vector* out) {
                         *out = v[0];
                         out->type = result;
                         return absl::OkStatus();
                       }};
}

absl::StatusOr<ScalarBinding> BindServerZone(absl::string_view name,
                                             absl::Span<const ScalarArg> args) {
  if (!args.empty()) return ArityError(name, args.size(), "0");
  return ScalarBinding{DataType::Of(TypeId::kString),
                       [](absl::Span<Vector>, size_t rows, StringPool*, Vector* out) {
                         *out = Vector::ConstantString("UTC", rows);
                         return absl::OkStatus();
                       }};
}

// ---- Unix timestamps ----

// toUnixTimestamp(t[, zone]) -> UInt32; a String is parsed as a DateTime in the zone.
absl::StatusOr<ScalarBinding> BindToUnixTimestamp(absl::string_view name,
                                                  absl::Span<const ScalarArg> args) {
  if (args.empty() || args.size() > 2) return ArityError(name, args.size(), "1 or 2");
  absl::StatusOr<TimeZone> zone = OptionalZone(name, args, 1);
  if (!zone.ok()) return zone.status();
  const DataType& type = args[0].type;
  if (!type.is_time() && !type.is_string()) return IllegalType(name, type, 1);
  const TypeId id = type.id;
  return ScalarBinding{DataType::Of(TypeId::kUInt32),
                       [id, tz = *zone](absl::Span<Vector> v, size_t rows, StringPool*,
                                        Vector* out) -> absl::Status {
                         ResizeInts(out, rows);
                         for (size_t row = 0; row < rows; ++row) {
                           int64_t seconds = 0;
                           if (id == TypeId::kString) {
                             const absl::string_view text = v[0].string_at(row);
                             if (!TryParseDateTime(text, tz, &seconds)) {
                               return absl::InvalidArgumentError(
                                   absl::StrCat("Cannot parse string '", text, "' as DateTime"));
                             }
                           } else {
                             seconds = ToSeconds(id, v[0].int_at(row), tz);
                           }
                           out->ints[row] = static_cast<uint32_t>(seconds);
                         }
                         return absl::OkStatus();
                       }};
}

absl::StatusOr<ScalarBinding> BindToUnixTimestamp64Milli(absl::string_view name,
                                                         absl::Span<const ScalarArg> args) {
  if (args.size() != 1) return ArityError(name, args.size(), "1");
  if (args[0].type.id != TypeId::kDateTime64) return IllegalType(name, args[0].type, 1);
  return ScalarBinding{DataType::Of(TypeId::kInt64),
                       [](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                         ResizeInts(out, rows);
                         for (size_t row = 0; row < rows; ++row) out->ints[row] = v[0].int_at(row);
                         return absl::OkStatus();
                       }};
}

// fromUnixTimestamp64Milli(n[, zone]) -> DateTime64(3); fromUnixTimestamp(n) -> DateTime.
absl::StatusOr<ScalarBinding> BindFromUnixTimestamp(absl::string_view name, TypeId result,
                                                    absl::Span<const ScalarArg> args) {
  if (args.empty() || args.size() > 2) return ArityError(name, args.size(), "1 or 2");
  if (!args[0].type.is_integer()) return IllegalType(name, args[0].type, 1);
  absl::StatusOr<uint16_t> zone_id = OptionalZoneId(name, args, 1);
  if (!zone_id.ok()) return zone_id.status();
  return ScalarBinding{DataType::Time(result, *zone_id),
                       [](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                         ResizeInts(out, rows);
                         for (size_t row = 0; row < rows; ++row) out->ints[row] = v[0].int_at(row);
                         return absl::OkStatus();
                       }};
}

// ---- parseDateTimeBestEffort ----

enum class OnError { kThrow, kNull, kZero };

absl::StatusOr<ScalarBinding> BindBestEffort(absl::string_view name, TypeId result,
                                             OnError on_error, absl::Span<const ScalarArg> args) {
  // parseDateTime64BestEffort(s[, precision[, zone]]); parseDateTimeBestEffort(s[, zone]).
  const bool dt64 = result == TypeId::kDateTime64;
  if (args.empty() || args.size() > (dt64 ? 3u : 2u)) {
    return ArityError(name, args.size(), dt64 ? "1 to 3" : "1 or 2");
  }
  if (!args[0].type.is_string()) return IllegalType(name, args[0].type, 1);
  size_t zone_index = 1;
  if (dt64 && args.size() >= 2 && !args[1].type.is_string()) {
    if (args[1].constant == nullptr || !args[1].type.is_integer() || args[1].constant->ints[0] != 3) {
      return absl::InvalidArgumentError(
          absl::StrCat("Function ", name, " supports the precision 3 (milliseconds) only"));
    }
    zone_index = 2;
  }
  absl::StatusOr<uint16_t> zone_id = OptionalZoneId(name, args, zone_index);
  if (!zone_id.ok()) return zone_id.status();
  DataType type = DataType::Time(result, *zone_id);
  type.nullable = on_error == OnError::kNull;
  const std::string function(name);
  return ScalarBinding{type, [dt64, on_error, function, tz = TimeZoneById(*zone_id)](
                                 absl::Span<Vector> v, size_t rows, StringPool*,
                                 Vector* out) -> absl::Status {
                         ResizeInts(out, rows);
                         if (on_error == OnError::kNull) out->nulls.assign(rows, 0);
                         for (size_t row = 0; row < rows; ++row) {
                           const absl::string_view text = v[0].string_at(row);
                           int64_t millis = 0;
                           if (!ParseDateTimeBestEffort(text, tz, &millis)) {
                             if (on_error == OnError::kThrow) {
                               return absl::InvalidArgumentError(absl::StrCat(
                                   "Cannot read DateTime: unexpected text '", text, "' in ", function));
                             }
                             if (on_error == OnError::kNull) out->nulls[row] = 1;
                             out->ints[row] = 0;
                             continue;
                           }
                           out->ints[row] = dt64 ? millis : FloorDiv(millis, 1000);
                         }
                         return absl::OkStatus();
                       }};
}

}  // namespace

// ---- formatDateTime (format_date_time.cc) ----
absl::StatusOr<ScalarBinding> BindFormatDateTime(absl::string_view name,
                                                 absl::Span<const ScalarArg> args);

absl::StatusOr<int64_t> ParseTimeIn(absl::string_view text, const DataType& type,
                                    const TimeZone& tz) {
  bool ok = false;
  int64_t value = 0;
  switch (type.id) {
    case TypeId::kDate: {
      int32_t day = 0;
      ok = TryParseDate(text, tz, &day);
      value = day;
      break;
    }
    case TypeId::kDateTime: ok = TryParseDateTime(text, tz, &value); break;
    default: ok = TryParseDateTime64(text, tz, &value); break;
  }
  if (!ok) {
    return absl::InvalidArgumentError(
        absl::StrCat("Cannot parse string '", text, "' as ", type.WithoutNullable().Name()));
  }
  return value;
}

void RegisterTimeZone(FunctionRegistry* registry) {
  for (const char* name : {"dateDiff", "date_diff", "timestampDiff", "timestamp_diff"}) {
    registry->Add(name, BindDateDiff, true);
  }
  for (bool subtract : {false, true}) {
    registry->Add(subtract ? "subtractInterval" : "addInterval",
                  [subtract](absl::string_view n, absl::Span<const ScalarArg> a) {
                    return BindAddInterval(n, subtract, std::nullopt, a);
                  });
    static constexpr std::pair<const char*, IntervalUnit> kUnits[] = {
        {"Seconds", IntervalUnit::kSecond},   {"Minutes", IntervalUnit::kMinute},
        {"Hours", IntervalUnit::kHour},       {"Days", IntervalUnit::kDay},
        {"Weeks", IntervalUnit::kWeek},       {"Months", IntervalUnit::kMonth},
        {"Quarters", IntervalUnit::kQuarter}, {"Years", IntervalUnit::kYear},
        {"Milliseconds", IntervalUnit::kMillisecond}, {"Microseconds", IntervalUnit::kMicrosecond},
        {"Nanoseconds", IntervalUnit::kNanosecond}};
    for (const auto& [suffix, unit] : kUnits) {
      const IntervalUnit bound_unit = unit;
      registry->Add(std::string(subtract ? "subtract" : "add") + suffix,
                    [subtract, bound_unit](absl::string_view n, absl::Span<const ScalarArg> a) {
                      return BindAddInterval(n, subtract, bound_unit, a);
                    });
    }
    for (const char* name : subtract ? std::array{"dateSub", "date_sub", "timestampSub", "timestamp_sub"}
                                     : std::array{"dateAdd", "date_add", "timestampAdd", "timestamp_add"}) {
      registry->Add(name, [subtract](absl::string_view n, absl::Span<const ScalarArg> a) {
        return BindDateAdd(n, subtract, a);
      }, true);
    }
  }
  registry->Add("now", Now(TypeId::kDateTime, 0), true);
  registry->Add("current_timestamp", Now(TypeId::kDateTime, 0), true);
  registry->Add("now64", Now(TypeId::kDateTime64, 0));
  registry->Add("today", Now(TypeId::kDate, 0), true);
  registry->Add("curdate", Now(TypeId::kDate, 0), true);
  registry->Add("current_date", Now(TypeId::kDate, 0), true);
  registry->Add("yesterday", Now(TypeId::kDate, -1));
  registry->Add("toTimeZone", BindToTimeZone);
  registry->Add("toTimezone", BindToTimeZone);
  for (const char* name : {"timezone", "timeZone", "serverTimezone", "serverTimeZone"}) {
    registry->Add(name, BindServerZone);
  }
  registry->Add("toUnixTimestamp", BindToUnixTimestamp);
  registry->Add("toUnixTimestamp64Milli", BindToUnixTimestamp64Milli);
  registry->Add("fromUnixTimestamp64Milli", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindFromUnixTimestamp(n, TypeId::kDateTime64, a);
  });
  registry->Add("fromUnixTimestamp", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    if (a.size() >= 2 && a[1].type.is_string() && a[1].constant != nullptr &&
        absl::StrContains(a[1].constant->string_at(0), '%')) {
      return BindFormatDateTime(n, a);  // fromUnixTimestamp(t, format[, zone])
    }
    return BindFromUnixTimestamp(n, TypeId::kDateTime, a);
  });
  registry->Add("FROM_UNIXTIME", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    if (a.size() >= 2) return BindFormatDateTime(n, a);
    return BindFromUnixTimestamp(n, TypeId::kDateTime, a);
  }, true);
  registry->Add("formatDateTime", BindFormatDateTime);
  registry->Add("DATE_FORMAT", BindFormatDateTime, true);
  static constexpr std::tuple<const char*, TypeId, OnError> kBestEffort[] = {
      {"parseDateTimeBestEffort", TypeId::kDateTime, OnError::kThrow},
      {"parseDateTimeBestEffortOrNull", TypeId::kDateTime, OnError::kNull},
      {"parseDateTimeBestEffortOrZero", TypeId::kDateTime, OnError::kZero},
      {"parseDateTime64BestEffort", TypeId::kDateTime64, OnError::kThrow},
      {"parseDateTime64BestEffortOrNull", TypeId::kDateTime64, OnError::kNull},
      {"parseDateTime64BestEffortOrZero", TypeId::kDateTime64, OnError::kZero},
  };
  for (const auto& [name, type, on_error] : kBestEffort) {
    const TypeId bound_type = type;
    const OnError bound_on_error = on_error;
    registry->Add(name, [bound_type, bound_on_error](absl::string_view n,
                                                     absl::Span<const ScalarArg> a) {
      return BindBestEffort(n, bound_type, bound_on_error, a);
    });
  }
}

}  // namespace mua::query_internal

namespace mua {
absl::StatusOr<int64_t> ParseTimeLiteral(absl::string_view text, TypeId type) {
  return query_internal::ParseTimeIn(text, DataType::Of(type), query_internal::TimeZone());
}
absl::StatusOr<int64_t> ParseTimeLiteral(absl::string_view text, const DataType& type) {
  return query_internal::ParseTimeIn(text, type, query_internal::ZoneOfType(type));
}
}  // namespace mua
