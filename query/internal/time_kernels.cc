// Date and time functions of SPEC §5 over Date (days), DateTime (seconds) and
// DateTime64(3) (milliseconds) in UTC, with the calendar arithmetic of
// query/functions/time_functions.h; now() and today() are fixed per query.
#include "absl/time/clock.h"
#include "query/functions/time_functions.h"
#include "query/internal/function_registry.h"
#include "query/internal/kernel_util.h"

namespace mua::query_internal {
namespace {

const TimeZone& Utc() {
  static const TimeZone* const utc = new TimeZone();
  return *utc;
}

// Seconds since the epoch of any time value.
int64_t ToSeconds(TypeId id, int64_t value) {
  switch (id) {
    case TypeId::kDate: return value * kSecondsPerDay;
    case TypeId::kDateTime64: return FloorDiv(value, 1000);
    default: return value;
  }
}

// Day number of any time value (UTC).
int32_t ToDay(TypeId id, int64_t value) {
  switch (id) {
    case TypeId::kDate: return static_cast<int32_t>(value);
    case TypeId::kDateTime64: return ToDate(value);
    default: return static_cast<int32_t>(FloorDiv(value, kSecondsPerDay));
  }
}

using TimeMap = int64_t (*)(TypeId id, int64_t value);

// A one-argument time function: `map` turns a value of the argument's type into the result.
ScalarBinder UnaryTime(TypeId result, TimeMap map, bool accepts_date = true) {
  return [result, map, accepts_date](absl::string_view name,
                                     absl::Span<const ScalarArg> args) -> absl::StatusOr<ScalarBinding> {
    if (args.size() != 1 && !(args.size() == 2 && args[1].type.is_string())) {
      return ArityError(name, args.size(), "1");
    }
    if (args.size() == 2) {  // the zone must exist, never silently UTC
      if (absl::Status zone = LoadTimeZoneArgument(name, 2, args[1]).status(); !zone.ok()) {
        return zone;
      }
    }
    const DataType& type = args[0].type;
    if (!type.is_time() || (!accepts_date && type.id == TypeId::kDate)) {
      return IllegalType(name, type, 1);
    }
    const TypeId id = type.id;
    return ScalarBinding{DataType::Of(result),
                         [id, map](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                           ResizeInts(out, rows);
                           for (size_t row = 0; row < rows; ++row) out->ints[row] = map(id, v[0].int_at(row));
                           return absl::OkStatus();
                         }};
  };
}

absl::StatusOr<ScalarBinding> BindToStartOfWeek(absl::string_view name,
                                                absl::Span<const ScalarArg> args) {
  if (args.empty() || args.size() > 2) return ArityError(name, args.size(), "1 or 2");
  if (!args[0].type.is_time()) return IllegalType(name, args[0].type, 1);
  int64_t mode = 0;
  if (args.size() == 2) {
    if (args[1].constant == nullptr || !args[1].type.is_integer()) {
      return absl::InvalidArgumentError(
          absl::StrCat("Argument 2 of function ", name, " must be a constant integer"));
    }
    mode = args[1].constant->ints[0];
    if (absl::Status s = ValidateWeekMode(mode); !s.ok()) return s;
  }
  const TypeId id = args[0].type.id;
  return ScalarBinding{DataType::Of(TypeId::kDate),
                       [id, mode](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                         ResizeInts(out, rows);
                         for (size_t row = 0; row < rows; ++row) {
                           out->ints[row] = ToStartOfWeek(ToDay(id, v[0].int_at(row)), static_cast<int>(mode));
                         }
                         return absl::OkStatus();
                       }};
}

Interval IntervalOf(const ScalarArg& arg) {
  return Interval{static_cast<IntervalUnit>(arg.type.interval_unit), arg.constant->ints[0]};
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
  if (args.size() == 3) {  // the zone must exist, never silently UTC
    if (absl::Status zone = LoadTimeZoneArgument(name, 3, args[2]).status(); !zone.ok()) {
      return zone;
    }
  }
  const Interval interval = IntervalOf(args[1]);
  const bool is_date = type.id == TypeId::kDate;
  if (absl::Status s = ValidateStartOfInterval(interval, is_date); !s.ok()) return s;
  const TypeId id = type.id;
  const bool returns_date = is_date || IntervalReturnsDate(interval.unit);
  return ScalarBinding{
      DataType::Of(returns_date ? TypeId::kDate : TypeId::kDateTime),
      [id, interval, is_date](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
        ResizeInts(out, rows);
        for (size_t row = 0; row < rows; ++row) {
          const int64_t value = v[0].int_at(row);
          out->ints[row] = is_date ? ToStartOfIntervalDate(static_cast<int32_t>(value), interval)
                                   : ToStartOfInterval(ToSeconds(id, value), interval, Utc());
        }
        return absl::OkStatus();
      }};
}

absl::StatusOr<ScalarBinding> BindDateDiff(absl::string_view name, absl::Span<const ScalarArg> args) {
  if (args.size() != 3 && args.size() != 4) return ArityError(name, args.size(), "3 or 4");
  if (!args[0].type.is_string() || args[0].constant == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("First argument for function ", name, " (unit) must be a constant String"));
  }
  absl::StatusOr<IntervalUnit> unit = ParseIntervalUnit(args[0].constant->string_at(0));
  if (!unit.ok()) return unit.status();
  if (!args[1].type.is_time()) return IllegalType(name, args[1].type, 2);
  if (!args[2].type.is_time()) return IllegalType(name, args[2].type, 3);
  if (args.size() == 4) {  // the zone must exist, never silently UTC
    if (absl::Status zone = LoadTimeZoneArgument(name, 4, args[3]).status(); !zone.ok()) {
      return zone;
    }
  }
  const TypeId a = args[1].type.id, b = args[2].type.id;
  const IntervalUnit u = *unit;
  return ScalarBinding{DataType::Of(TypeId::kInt64),
                       [a, b, u](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                         ResizeInts(out, rows);
                         for (size_t row = 0; row < rows; ++row) {
                           const int64_t x = v[1].int_at(row), y = v[2].int_at(row);
                           out->ints[row] = a == TypeId::kDate && b == TypeId::kDate
                                                ? DateDiffDates(u, static_cast<int32_t>(x), static_cast<int32_t>(y))
                                                : DateDiff(u, ToSeconds(a, x), ToSeconds(b, y), Utc());
                         }
                         return absl::OkStatus();
                       }};
}

// time ± INTERVAL (the binder calls these for `t + INTERVAL n unit`), and
// addDays(t, n) style functions. Date plus a sub-day interval is a DateTime.
absl::StatusOr<ScalarBinding> BindAddInterval(absl::string_view name, bool subtract,
                                              std::optional<IntervalUnit> fixed_unit,
                                              absl::Span<const ScalarArg> args) {
  if (args.size() != 2) return ArityError(name, args.size(), "2");
  const DataType& type = args[0].type;
  if (!type.is_time()) return IllegalType(name, type, 1);
  IntervalUnit unit;
  if (fixed_unit.has_value()) {
    if (!args[1].type.is_integer()) return IllegalType(name, args[1].type, 2);
    unit = *fixed_unit;
  } else {
    if (args[1].type.id != TypeId::kInterval) return IllegalType(name, args[1].type, 2);
    unit = static_cast<IntervalUnit>(args[1].type.interval_unit);
  }
  const TypeId id = type.id;
  const bool date_result = id == TypeId::kDate && unit >= IntervalUnit::kDay;
  const TypeId result = id == TypeId::kDate ? (date_result ? TypeId::kDate : TypeId::kDateTime) : id;
  return ScalarBinding{
      DataType::Of(result),
      [id, unit, subtract, date_result](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
        ResizeInts(out, rows);
        for (size_t row = 0; row < rows; ++row) {
          const int64_t value = v[0].int_at(row);
          const Interval interval{unit, subtract ? -v[1].int_at(row) : v[1].int_at(row)};
          if (date_result) {
            out->ints[row] = AddIntervalToDate(static_cast<int32_t>(value), interval);
          } else if (id == TypeId::kDateTime64) {
            out->ints[row] = AddInterval(FloorDiv(value, 1000), interval, Utc()) * 1000 +
                             FloorMod(value, 1000);
          } else {
            out->ints[row] = AddInterval(ToSeconds(id, value), interval, Utc());
          }
        }
        return absl::OkStatus();
      }};
}

absl::StatusOr<ScalarBinding> BindNow(absl::string_view name, bool date,
                                      absl::Span<const ScalarArg> args) {
  if (!args.empty()) return ArityError(name, args.size(), "0");
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  const int64_t value = date ? FloorDiv(now, kSecondsPerDay) : now;
  const DataType type = DataType::Of(date ? TypeId::kDate : TypeId::kDateTime);
  return ScalarBinding{type, [type, value](absl::Span<Vector>, size_t rows, StringPool*, Vector* out) {
                         *out = Vector::ConstantInt(type, value, rows);
                         return absl::OkStatus();
                       }};
}

}  // namespace

absl::StatusOr<int64_t> ParseTimeLiteralInternal(absl::string_view text, TypeId type) {
  bool ok = false;
  int64_t value = 0;
  switch (type) {
    case TypeId::kDate: {
      int32_t day = 0;
      ok = TryParseDate(text, Utc(), &day);
      value = day;
      break;
    }
    case TypeId::kDateTime: ok = TryParseDateTime(text, Utc(), &value); break;
    default: ok = TryParseDateTime64(text, Utc(), &value); break;
  }
  if (!ok) {
    return absl::InvalidArgumentError(
        absl::StrCat("Cannot parse string '", text, "' as ", DataType::Of(type).Name()));
  }
  return value;
}

void RegisterTime(FunctionRegistry* registry) {
  registry->Add("toStartOfMinute", UnaryTime(TypeId::kDateTime, [](TypeId id, int64_t v) {
    return ToStartOfMinute(ToSeconds(id, v), Utc());
  }, false));
  registry->Add("toStartOfHour", UnaryTime(TypeId::kDateTime, [](TypeId id, int64_t v) {
    return ToStartOfHour(ToSeconds(id, v), Utc());
  }, false));
  registry->Add("toStartOfDay", UnaryTime(TypeId::kDateTime, [](TypeId id, int64_t v) {
    return ToStartOfDay(ToSeconds(id, v), Utc());
  }));
  registry->Add("toStartOfWeek", BindToStartOfWeek);
  registry->Add("toMonday", UnaryTime(TypeId::kDate, [](TypeId id, int64_t v) -> int64_t {
    return ToMonday(ToDay(id, v));
  }));
  registry->Add("toStartOfMonth", UnaryTime(TypeId::kDate, [](TypeId id, int64_t v) -> int64_t {
    return ToStartOfMonth(ToDay(id, v));
  }));
  registry->Add("toStartOfQuarter", UnaryTime(TypeId::kDate, [](TypeId id, int64_t v) -> int64_t {
    return ToStartOfQuarter(ToDay(id, v));
  }));
  registry->Add("toStartOfYear", UnaryTime(TypeId::kDate, [](TypeId id, int64_t v) -> int64_t {
    return ToStartOfYear(ToDay(id, v));
  }));
  registry->Add("toYYYYMMDD", UnaryTime(TypeId::kUInt32, [](TypeId id, int64_t v) -> int64_t {
    return ToYYYYMMDD(ToDay(id, v));
  }));
  registry->Add("toYYYYMM", UnaryTime(TypeId::kUInt32, [](TypeId id, int64_t v) -> int64_t {
    return ToYYYYMM(ToDay(id, v));
  }));
  registry->Add("toYear", UnaryTime(TypeId::kUInt16, [](TypeId id, int64_t v) -> int64_t {
    return ToYear(ToDay(id, v));
  }));
  registry->Add("toQuarter", UnaryTime(TypeId::kUInt8, [](TypeId id, int64_t v) -> int64_t {
    return ToQuarter(ToDay(id, v));
  }));
  registry->Add("toMonth", UnaryTime(TypeId::kUInt8, [](TypeId id, int64_t v) -> int64_t {
    return ToMonth(ToDay(id, v));
  }));
  registry->Add("toDayOfMonth", UnaryTime(TypeId::kUInt8, [](TypeId id, int64_t v) -> int64_t {
    return ToDayOfMonth(ToDay(id, v));
  }));
  registry->Add("toDayOfWeek", UnaryTime(TypeId::kUInt8, [](TypeId id, int64_t v) -> int64_t {
    return ToDayOfWeek(ToDay(id, v));
  }));
  registry->Add("toDayOfYear", UnaryTime(TypeId::kUInt16, [](TypeId id, int64_t v) -> int64_t {
    return ToDayOfYear(ToDay(id, v));
  }));
  registry->Add("toHour", UnaryTime(TypeId::kUInt8, [](TypeId id, int64_t v) -> int64_t {
    return ToHour(ToSeconds(id, v), Utc());
  }, false));
  registry->Add("toMinute", UnaryTime(TypeId::kUInt8, [](TypeId id, int64_t v) -> int64_t {
    return ToMinute(ToSeconds(id, v), Utc());
  }, false));
  registry->Add("toSecond", UnaryTime(TypeId::kUInt8, [](TypeId id, int64_t v) -> int64_t {
    return ToSecond(ToSeconds(id, v), Utc());
  }, false));
  registry->Add("toStartOfInterval", BindToStartOfInterval);
  registry->Add("dateDiff", BindDateDiff, true);
  registry->Add("date_diff", BindDateDiff, true);
  for (bool subtract : {false, true}) {
    registry->Add(subtract ? "subtractInterval" : "addInterval",
                  [subtract](absl::string_view n, absl::Span<const ScalarArg> a) {
                    return BindAddInterval(n, subtract, std::nullopt, a);
                  });
    static constexpr std::pair<const char*, IntervalUnit> kUnits[] = {
        {"Seconds", IntervalUnit::kSecond}, {"Minutes", IntervalUnit::kMinute},
        {"Hours", IntervalUnit::kHour},     {"Days", IntervalUnit::kDay},
        {"Weeks", IntervalUnit::kWeek},     {"Months", IntervalUnit::kMonth},
        {"Quarters", IntervalUnit::kQuarter}, {"Years", IntervalUnit::kYear}};
    for (const auto& [suffix, unit] : kUnits) {
      const IntervalUnit bound_unit = unit;
      registry->Add(std::string(subtract ? "subtract" : "add") + suffix,
                    [subtract, bound_unit](absl::string_view n, absl::Span<const ScalarArg> a) {
                      return BindAddInterval(n, subtract, bound_unit, a);
                    });
    }
  }
  registry->Add("now", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindNow(n, false, a);
  }, true);
  registry->Add("today", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindNow(n, true, a);
  }, true);
}

}  // namespace mua::query_internal

namespace mua {
absl::StatusOr<int64_t> ParseTimeLiteral(absl::string_view text, TypeId type) {
  return query_internal::ParseTimeLiteralInternal(text, type);
}
}  // namespace mua
