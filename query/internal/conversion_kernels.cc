// toDate, toDateTime, toDateTime64, toString, toInt8..64, toUInt8..64,
// toFloat32/64 (and CAST, which the binder maps onto them). Strings convert
// by parsing, as ClickHouse's to* functions do; unparsable text is an error.
#include <charconv>
#include <cmath>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "query/functions/time_functions.h"
#include "query/internal/function_registry.h"
#include "query/internal/kernel_util.h"
#include "query/internal/time_kernel_util.h"
#include "query/internal/value_writer.h"
#include "query/result_set.h"

namespace mua::query_internal {

absl::StatusOr<int64_t> ParseTimeIn(absl::string_view text, const DataType& type,
                                    const TimeZone& tz);

namespace {

// Converts `value` of time type `from` to time type `to`; days start and end in `tz`.
int64_t ConvertTime(TypeId from, TypeId to, int64_t value, const TimeZone& tz) {
  if (from == to) return value;
  switch (to) {
    case TypeId::kDate: return LocalDay(from, value, tz);
    case TypeId::kDateTime: return ToSeconds(from, value, tz);
    default: return from == TypeId::kDate ? ToSeconds(from, value, tz) * 1000 : value * 1000;
  }
}

// Parses `text` as a value of time type `target`, wall-clock time in `tz`.
absl::StatusOr<int64_t> ParseTime(absl::string_view text, TypeId target, const TimeZone& tz) {
  return ParseTimeIn(text, DataType::Of(target), tz);
}

// toDate(t[, zone]), toDateTime(t[, zone]), toDateTime64(t[, 3[, zone]]): a time
// converts at its instant (toDate gives the day in the zone), a String is parsed
// as wall-clock time in the zone, a number is taken in the target's unit.
absl::StatusOr<ScalarBinding> BindToTime(absl::string_view name, TypeId target,
                                         absl::Span<const ScalarArg> args) {
  const bool dt64 = target == TypeId::kDateTime64;
  if (args.empty() || args.size() > (dt64 ? 3u : 2u)) {
    return ArityError(name, args.size(), dt64 ? "1 to 3" : "1 or 2");
  }
  size_t zone_index = 1;
  if (dt64 && args.size() >= 2 && !args[1].type.is_string()) {
    if (args[1].constant == nullptr || !args[1].type.is_integer() || args[1].constant->ints[0] != 3) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Function ", name, " supports the precision 3 (milliseconds) only: DateTime64(3)"));
    }
    zone_index = 2;
  }
  // toDateTime keeps the argument's zone unless given one; a Date has none.
  absl::StatusOr<uint16_t> zone_id = OptionalZoneId(name, args, zone_index);
  if (!zone_id.ok()) return zone_id.status();
  const TimeZone zone = TimeZoneById(*zone_id);
  const DataType& type = args[0].type;
  const DataType result =
      target == TypeId::kDate ? DataType::Of(target) : DataType::Time(target, *zone_id);
  if (type.is_time()) {
    const TypeId from = type.id;
    return ScalarBinding{result, [from, target, tz = zone](absl::Span<Vector> v, size_t rows,
                                                           StringPool*, Vector* out) {
                           ResizeInts(out, rows);
                           for (size_t row = 0; row < rows; ++row) {
                             out->ints[row] = ConvertTime(from, target, v[0].int_at(row), tz);
                           }
                           return absl::OkStatus();
                         }};
  }
  if (type.is_string()) {
    return ScalarBinding{result, [target, tz = zone](absl::Span<Vector> v, size_t rows,
                                                     StringPool*, Vector* out) {
                           ResizeInts(out, rows);
                           for (size_t row = 0; row < rows; ++row) {
                             absl::StatusOr<int64_t> value = ParseTime(v[0].string_at(row), target, tz);
                             if (!value.ok()) return value.status();
                             out->ints[row] = *value;
                           }
                           return absl::OkStatus();
                         }};
  }
  if (type.is_numeric()) {
    // Numbers are taken in the target's own unit (days for Date, seconds for
    // DateTime); toDateTime64 takes seconds too, with their fraction.
    const bool float_seconds = dt64;
    return ScalarBinding{result, [float_seconds](absl::Span<Vector> v, size_t rows, StringPool*,
                                                 Vector* out) {
                           ResizeInts(out, rows);
                           for (size_t row = 0; row < rows; ++row) {
                             const double x = v[0].number_at(row);
                             // Out of Int64's range (INT64_MAX as a double, 1e300, NaN) the
                             // cast is undefined: such values give the epoch.
                             const double value = float_seconds ? x * 1000 : x;
                             out->ints[row] = std::isfinite(value) && std::fabs(value) < 9.2e18
                                                  ? static_cast<int64_t>(float_seconds ? std::llround(value) : value)
                                                  : 0;
                           }
                           return absl::OkStatus();
                         }};
  }
  return IllegalType(name, type, 1);
}

// Text of one value as toString gives it (the TabSeparated text, unescaped).
void AppendValueText(const Vector& v, size_t row, std::string* out) {
  switch (v.type.id) {
    case TypeId::kUInt8:
    case TypeId::kUInt16:
    case TypeId::kUInt32:
    case TypeId::kUInt64: AppendUInt(static_cast<uint64_t>(v.int_at(row)), out); return;
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64: AppendInt(v.int_at(row), out); return;
    case TypeId::kFloat64: AppendFloat(v.float_at(row), out); return;
    case TypeId::kDate: AppendDate(v.int_at(row), out); return;
    case TypeId::kDateTime: AppendDateTime(v.int_at(row), out, v.type.time_zone); return;
    case TypeId::kDateTime64: AppendDateTime64(v.int_at(row), out, v.type.time_zone); return;
    case TypeId::kString: absl::StrAppend(out, v.string_at(row)); return;
    case TypeId::kArray:
    case TypeId::kTuple: {
      // Elements of any type (floats, times, Nullable, nested arrays, tuples) as the text
      // formats write them: ClickHouse's serializeText, ['a',NULL], [[1],[]], (1,'a').
      const uint32_t index = static_cast<uint32_t>(row);
      Vector one;
      Gather(v, absl::MakeConstSpan(&index, 1), &one);
      Column column = EmptyColumn(v.type);
      AppendVectorRows(one, &column);
      AppendTextCell(column, 0, TextStyle::kPlain, out);
      return;
    }
    case TypeId::kNothing:
    case TypeId::kInterval: out->append("NULL"); return;
  }
}

// toString(t[, zone]): a DateTime prints in `zone`, else in its type's zone.
absl::StatusOr<ScalarBinding> BindToString(absl::string_view name, absl::Span<const ScalarArg> args) {
  if (args.empty() || args.size() > 2) return ArityError(name, args.size(), "1 or 2");
  absl::StatusOr<uint16_t> zone_id = OptionalZoneId(name, args, 1);
  if (!zone_id.ok()) return zone_id.status();
  const uint16_t zone = *zone_id;
  return ScalarBinding{DataType::Of(TypeId::kString),
                       [zone](absl::Span<Vector> v, size_t rows, StringPool* pool, Vector* out) {
                         ResizeStrings(out, rows);
                         if (v[0].type.id == TypeId::kDateTime || v[0].type.id == TypeId::kDateTime64) {
                           v[0].type.time_zone = zone;
                         }
                         if (v[0].type.is_string()) {
                           for (size_t row = 0; row < rows; ++row) out->strings[row] = v[0].string_at(row);
                           return absl::OkStatus();
                         }
                         for (size_t row = 0; row < rows; ++row) {
                           std::string text;
                           AppendValueText(v[0], row, &text);
                           out->strings[row] = pool->Add(std::move(text));
                         }
                         return absl::OkStatus();
                       }};
}

// Wraps an integer to the width and signedness of `target`, as ClickHouse's
// to(U)IntN conversions do.
int64_t WrapInteger(int64_t value, TypeId target) {
  switch (target) {
    case TypeId::kUInt8: return static_cast<uint8_t>(value);
    case TypeId::kUInt16: return static_cast<uint16_t>(value);
    case TypeId::kUInt32: return static_cast<uint32_t>(value);
    case TypeId::kInt8: return static_cast<int8_t>(value);
    case TypeId::kInt16: return static_cast<int16_t>(value);
    case TypeId::kInt32: return static_cast<int32_t>(value);
    default: return value;
  }
}

absl::StatusOr<ScalarBinding> BindToNumber(absl::string_view name, TypeId target,
                                           absl::Span<const ScalarArg> args) {
  if (args.size() != 1) return ArityError(name, args.size(), "1");
  const DataType& type = args[0].type;
  if (!type.is_numeric() && !type.is_time() && !type.is_string()) return IllegalType(name, type, 1);
  const bool to_float = target == TypeId::kFloat64;
  const std::string function(name);
  return ScalarBinding{
      DataType::Of(target),
      [to_float, target, function](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
        const Vector& a = v[0];
        if (to_float) {
          ResizeFloats(out, rows);
        } else {
          ResizeInts(out, rows);
        }
        for (size_t row = 0; row < rows; ++row) {
          if (a.type.is_string()) {
            const absl::string_view text = a.string_at(row);
            if (to_float) {
              double value = 0;
              if (!absl::SimpleAtod(text, &value)) {
                return absl::InvalidArgumentError(
                    absl::StrCat("Cannot parse string '", text, "' as Float64 in ", function));
              }
              out->floats[row] = value;
            } else {
              int64_t value = 0;
              uint64_t unsigned_value = 0;
              if (absl::SimpleAtoi(text, &value)) {
                out->ints[row] = WrapInteger(value, target);
              } else if (absl::SimpleAtoi(text, &unsigned_value)) {
                out->ints[row] = WrapInteger(static_cast<int64_t>(unsigned_value), target);
              } else {
                return absl::InvalidArgumentError(absl::StrCat(
                    "Cannot parse string '", text, "' as ", TypeIdName(target), " in ", function));
              }
            }
          } else if (a.type.id == TypeId::kDateTime64) {
            // A DateTime64(3) is a decimal number of seconds in ClickHouse: integers
            // take the whole seconds (truncated toward zero), floats the fraction too.
            const int64_t millis = a.int_at(row);
            if (to_float) {
              out->floats[row] = static_cast<double>(millis) / 1000;
            } else {
              out->ints[row] = WrapInteger(millis / 1000, target);
            }
          } else if (to_float) {
            out->floats[row] = a.number_at(row);
          } else if (a.type.id == TypeId::kFloat64) {
            const double x = a.float_at(row);
            out->ints[row] = std::isfinite(x) && std::fabs(x) < 9.2e18
                                 ? WrapInteger(static_cast<int64_t>(x), target)
                                 : 0;
          } else {
            out->ints[row] = WrapInteger(a.int_at(row), target);
          }
        }
        return absl::OkStatus();
      }};
}

// arrayElement(arr, i): 1-based, negative counts from the end, out of range
// gives the element type's default (ClickHouse's arr[i]; NULL for Nullable elements).
absl::StatusOr<ScalarBinding> BindArrayElement(absl::string_view name,
                                               absl::Span<const ScalarArg> args) {
  if (args.size() != 2) return ArityError(name, args.size(), "2");
  if (args[0].type.id != TypeId::kArray) return IllegalType(name, args[0].type, 1);
  if (!args[1].type.is_integer()) return IllegalType(name, args[1].type, 2);
  const DataType element = args[0].type.element_type();
  return ScalarBinding{element, [element](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                         const Vector& array = v[0];
                         // The element each row picks, or -1 when out of range.
                         auto pick = [&](size_t row) -> int64_t {
                           const size_t i = array.index(row);
                           const int64_t begin = array.offsets[i], end = array.offsets[i + 1];
                           const int64_t n = v[1].int_at(row);
                           const int64_t k = n > 0 ? begin + n - 1 : end + n;
                           return n != 0 && k >= begin && k < end ? k : -1;
                         };
                         const bool strings = element.id == TypeId::kString;
                         if (!array.type.nested_elements() && element.id != TypeId::kFloat64 &&
                             array.dictionary == nullptr) {
                           if (strings) {
                             ResizeStrings(out, rows);
                           } else {
                             ResizeInts(out, rows);
                           }
                           for (size_t row = 0; row < rows; ++row) {
                             const int64_t k = pick(row);
                             if (strings) {
                               out->strings[row] = k >= 0 ? array.strings[k] : absl::string_view();
                             } else {
                               out->ints[row] = k >= 0 ? array.ints[k] : 0;
                             }
                           }
                           return absl::OkStatus();
                         }
                         // Any element type: gather the picked elements, defaults elsewhere.
                         Vector elements;
                         if (array.type.nested_elements()) {
                           elements = array.children[0];
                         } else {
                           elements.type = element;
                           elements.ints = array.ints;
                           elements.floats = array.floats;
                           elements.strings = array.strings;
                           elements.codes = array.codes;
                           elements.dictionary = array.dictionary;
                           elements.size = array.offsets.empty() ? 0 : array.offsets.back();
                         }
                         std::vector<uint32_t> picked, inside;
                         for (size_t row = 0; row < rows; ++row) {
                           const int64_t k = pick(row);
                           if (k < 0) continue;
                           picked.push_back(static_cast<uint32_t>(k));
                           inside.push_back(static_cast<uint32_t>(row));
                         }
                         Vector compact;
                         Gather(elements, picked, &compact);
                         ScatterWithNulls(compact, inside, rows, out);
                         out->type = element;
                         if (!element.may_be_null()) out->nulls.clear();  // the slots hold defaults
                         return absl::OkStatus();
                       }};
}

}  // namespace

void RegisterConversion(FunctionRegistry* registry) {
  registry->Add("arrayElement", BindArrayElement);
  registry->Add("toDate", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindToTime(n, TypeId::kDate, a);
  });
  registry->Add("DATE", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindToTime(n, TypeId::kDate, a);
  }, true);
  registry->Add("toDateTime", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindToTime(n, TypeId::kDateTime, a);
  });
  registry->Add("toDateTime64", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindToTime(n, TypeId::kDateTime64, a);
  });
  registry->Add("toString", BindToString);
  static constexpr std::pair<const char*, TypeId> kNumbers[] = {
      {"toUInt8", TypeId::kUInt8},   {"toUInt16", TypeId::kUInt16}, {"toUInt32", TypeId::kUInt32},
      {"toUInt64", TypeId::kUInt64}, {"toInt8", TypeId::kInt8},     {"toInt16", TypeId::kInt16},
      {"toInt32", TypeId::kInt32},   {"toInt64", TypeId::kInt64},   {"toFloat64", TypeId::kFloat64},
      {"toFloat32", TypeId::kFloat64}};
  for (const auto& [name, type] : kNumbers) {
    const TypeId target = type;
    registry->Add(name, [target](absl::string_view n, absl::Span<const ScalarArg> a) {
      return BindToNumber(n, target, a);
    });
  }
}

}  // namespace mua::query_internal
