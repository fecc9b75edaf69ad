// The conversions that do not fail: to(U)IntN/toFloatN/toDate/toDateTime with the
// suffixes OrZero (the type's zero), OrNull (NULL, a Nullable result) and OrDefault
// (the optional second argument, else zero); and accurateCast / accurateCastOrNull,
// CAST with a range check (ClickHouse 24.x: a value that does not fit, or a float
// with a fraction into an integer, is error 70 CANNOT_CONVERT_TYPE, resp. NULL).
// Text must be the whole number: '12abc', ' 12', '' and out-of-range text fail.
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>

#include "absl/strings/str_cat.h"
#include "query/functions/time_functions.h"
#include "query/internal/function_registry.h"
#include "query/internal/kernel_util.h"
#include "query/internal/time_kernel_util.h"
#include "query/result_set.h"

namespace mua::query_internal {
namespace {

enum class Fallback { kZero, kNull, kDefault, kError };

bool IsIntegerTarget(TypeId id) {
  switch (id) {
    case TypeId::kUInt8:
    case TypeId::kUInt16:
    case TypeId::kUInt32:
    case TypeId::kUInt64:
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64:
      return true;
    default:
      return false;
  }
}

// The range of an integer target as long doubles (exact for every 64-bit bound).
void IntegerRange(TypeId id, long double* low, long double* high) {
  switch (id) {
    case TypeId::kUInt8:
      *low = 0;
      *high = 255;
      return;
    case TypeId::kUInt16:
      *low = 0;
      *high = 65535;
      return;
    case TypeId::kUInt32:
      *low = 0;
      *high = 4294967295.0L;
      return;
    case TypeId::kUInt64:
      *low = 0;
      *high = 18446744073709551615.0L;
      return;
    case TypeId::kInt8:
      *low = -128;
      *high = 127;
      return;
    case TypeId::kInt16:
      *low = -32768;
      *high = 32767;
      return;
    case TypeId::kInt32:
      *low = -2147483648.0L;
      *high = 2147483647.0L;
      return;
    default:
      *low = -9223372036854775808.0L;
      *high = 9223372036854775807.0L;
      return;
  }
}

// Parses the whole of `text` as an integer of `target` (an optional sign, digits).
bool ParseInteger(absl::string_view text, TypeId target, int64_t* value) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  long double low = 0, high = 0;
  IntegerRange(target, &low, &high);
  if (text.front() == '-') {
    int64_t parsed = 0;
    auto [ptr, ec] = std::from_chars(text.data(), end, parsed);
    if (ec != std::errc() || ptr != end || static_cast<long double>(parsed) < low) return false;
    *value = parsed;
    return true;
  }
  uint64_t parsed = 0;
  auto [ptr, ec] = std::from_chars(text.data(), end, parsed);
  if (ec != std::errc() || ptr != end || static_cast<long double>(parsed) > high) return false;
  *value = static_cast<int64_t>(parsed);
  return true;
}

bool ParseFloat(absl::string_view text, double* value) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, *value);
  // Out of range text (1e999) is an infinity in ClickHouse, as strtod gives.
  if (ec == std::errc::result_out_of_range && ptr == end) {
    *value = text.front() == '-' ? -HUGE_VAL : HUGE_VAL;
    return true;
  }
  return ec == std::errc() && ptr == end;
}

// accurate::convertNumeric: in range, and an integer target keeps the value exactly.
bool FitsInteger(long double x, TypeId target) {
  if (!std::isfinite(x)) return false;
  long double low = 0, high = 0;
  IntegerRange(target, &low, &high);
  return x >= low && x <= high && std::trunc(x) == x;
}

// Converts row `row` of `a` to `target`; false when the value has no exact image.
// `accurate`: numbers must fit (else they wrap, as toIntN does).
bool TryConvert(const Vector& a, size_t row, TypeId target, bool accurate, const TimeZone& tz,
                int64_t* i, double* f) {
  const DataType& type = a.type;
  if (type.is_string()) {
    const absl::string_view text = a.string_at(row);
    switch (target) {
      case TypeId::kFloat64:
        return ParseFloat(text, f);
      case TypeId::kDate: {
        int32_t day = 0;
        if (!TryParseDate(text, tz, &day)) return false;
        *i = day;
        return true;
      }
      case TypeId::kDateTime:
        return TryParseDateTime(text, tz, i);
      case TypeId::kDateTime64:
        return TryParseDateTime64(text, tz, i);
      default:
        return ParseInteger(text, target, i);
    }
  }
  if (target == TypeId::kFloat64) {
    *f = type.id == TypeId::kDateTime64 ? static_cast<double>(a.int_at(row)) / 1000
                                        : a.number_at(row);
    return true;
  }
  if (type.is_time() &&
      (target == TypeId::kDate || target == TypeId::kDateTime || target == TypeId::kDateTime64)) {
    const int64_t value = a.int_at(row);
    if (target == TypeId::kDate) {
      *i = LocalDay(type.id, value, tz);
    } else if (target == TypeId::kDateTime) {
      *i = ToSeconds(type.id, value, tz);
    } else {
      *i = type.id == TypeId::kDateTime64 ? value : ToSeconds(type.id, value, tz) * 1000;
    }
    return true;
  }
  // Numbers into integers (and a Date/DateTime into its day/second count).
  long double x = 0;
  if (type.id == TypeId::kFloat64) {
    x = a.float_at(row);
  } else if (type.id == TypeId::kDateTime64) {
    x = static_cast<long double>(FloorDiv(a.int_at(row), 1000));
  } else if (type.id == TypeId::kUInt64) {
    x = static_cast<long double>(static_cast<uint64_t>(a.int_at(row)));
  } else {
    x = static_cast<long double>(a.int_at(row));
  }
  if (target == TypeId::kDate || target == TypeId::kDateTime) {
    if (!std::isfinite(x)) return false;
    *i = static_cast<int64_t>(x);
    return true;
  }
  if (accurate) {
    if (!FitsInteger(x, target)) return false;
    *i = x < 0 ? static_cast<int64_t>(x) : static_cast<int64_t>(static_cast<uint64_t>(x));
    return true;
  }
  if (type.id == TypeId::kFloat64) {
    *i = std::isfinite(a.float_at(row)) && std::fabs(a.float_at(row)) < 9.2e18
             ? static_cast<int64_t>(a.float_at(row))
             : 0;
  } else {
    *i = a.int_at(row);
  }
  // Wrap to the width, as the plain toIntN does.
  switch (target) {
    case TypeId::kUInt8:
      *i = static_cast<uint8_t>(*i);
      break;
    case TypeId::kUInt16:
      *i = static_cast<uint16_t>(*i);
      break;
    case TypeId::kUInt32:
      *i = static_cast<uint32_t>(*i);
      break;
    case TypeId::kInt8:
      *i = static_cast<int8_t>(*i);
      break;
    case TypeId::kInt16:
      *i = static_cast<int16_t>(*i);
      break;
    case TypeId::kInt32:
      *i = static_cast<int32_t>(*i);
      break;
    default:
      break;
  }
  return true;
}

DataType TargetType(TypeId target, uint16_t zone) {
  return target == TypeId::kDateTime || target == TypeId::kDateTime64 ? DataType::Time(target, zone)
                                                                      : DataType::Of(target);
}

// The kernel of every form: `fallback` says what a failed row becomes; the
// default (OrDefault) is argument `default_index`, converted to the target.
ScalarKernel ConvertKernel(TypeId target, Fallback fallback, bool accurate, TimeZone tz,
                           std::optional<size_t> default_index, std::string function,
                           DataType result) {
  return [=](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) -> absl::Status {
    const bool floats = target == TypeId::kFloat64;
    if (floats) {
      ResizeFloats(out, rows);
    } else {
      ResizeInts(out, rows);
    }
    if (fallback == Fallback::kNull) out->nulls.assign(rows, 0);
    for (size_t row = 0; row < rows; ++row) {
      int64_t i = 0;
      double f = 0;
      if (!TryConvert(v[0], row, target, accurate, tz, &i, &f)) {
        switch (fallback) {
          case Fallback::kError:
            if (v[0].type.is_string()) {
              return absl::InvalidArgumentError(absl::StrCat("Cannot parse string '",
                                                             v[0].string_at(row), "' as ",
                                                             result.Name(), " in ", function));
            }
            return absl::InvalidArgumentError(absl::StrCat("Value in column ", v[0].type.Name(),
                                                           " cannot be safely converted into type ",
                                                           result.Name()));
          case Fallback::kNull:
            out->nulls[row] = 1;
            break;
          case Fallback::kDefault:
            i = 0;
            f = 0;
            if (default_index.has_value()) {
              TryConvert(v[*default_index], row, target, false, tz, &i, &f);
            }
            break;
          case Fallback::kZero:
            break;
        }
        i = fallback == Fallback::kDefault ? i : 0;
        f = fallback == Fallback::kDefault ? f : 0;
      }
      if (floats) {
        out->floats[row] = f;
      } else {
        out->ints[row] = i;
      }
    }
    return absl::OkStatus();
  };
}

// toXOrZero(x[, zone]), toXOrNull(x[, zone]); toXOrDefault(x[, default]), but
// toDateTimeOrDefault(x[, zone[, default]]) as ClickHouse orders it.
ScalarBinder OrConversion(TypeId target, Fallback fallback) {
  return [target, fallback](absl::string_view name,
                            absl::Span<const ScalarArg> args) -> absl::StatusOr<ScalarBinding> {
    const bool takes_zone = target == TypeId::kDate || target == TypeId::kDateTime;
    std::optional<size_t> default_index;
    std::optional<size_t> zone_index;
    if (target == TypeId::kDateTime) {
      zone_index = 1;
      if (fallback == Fallback::kDefault) default_index = 2;
    } else if (fallback == Fallback::kDefault) {
      default_index = 1;
    } else if (takes_zone) {
      zone_index = 1;
    }
    const size_t max_args =
        1 + (zone_index.has_value() ? 1 : 0) + (default_index.has_value() ? 1 : 0);
    if (args.empty() || args.size() > max_args) {
      return ArityError(name, args.size(), max_args == 1 ? "1" : absl::StrCat("1 to ", max_args));
    }
    const DataType& type = args[0].type;
    if (!type.is_numeric() && !type.is_time() && !type.is_string())
      return IllegalType(name, type, 1);
    absl::StatusOr<uint16_t> zone_id = OptionalZoneId(name, args, zone_index.value_or(args.size()));
    if (!zone_id.ok()) return zone_id.status();
    const DataType result = TargetType(target, *zone_id);
    if (default_index.has_value() && *default_index < args.size()) {
      const DataType& d = args[*default_index].type;
      if (!d.is_numeric() && !d.is_time())
        return IllegalType(name, d, static_cast<int>(*default_index) + 1);
    } else {
      default_index.reset();
    }
    const DataType type_out = fallback == Fallback::kNull ? result.WithNullable() : result;
    return ScalarBinding{type_out, ConvertKernel(target, fallback, false, TimeZoneById(*zone_id),
                                                 default_index, std::string(name), result)};
  };
}

// accurateCast(x, 'T') / accurateCastOrNull(x, 'T'): number, date and time targets are
// checked here; any other target (String, Nullable(...), Array...) is CAST's.
absl::StatusOr<ScalarBinding> BindAccurateCast(absl::string_view name, bool or_null,
                                               absl::Span<const ScalarArg> args) {
  if (args.size() != 2) return ArityError(name, args.size(), "2");
  if (!args[1].type.is_string() || args[1].constant == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "The second argument of function ", name, " must be a constant string with the type name"));
  }
  absl::StatusOr<DataType> parsed = ParseDataType(args[1].constant->string_at(0));
  if (!parsed.ok()) return parsed.status();
  const DataType target = parsed->WithoutNullable();
  const DataType& from = args[0].type.WithoutNullable();
  const bool checked =
      (IsIntegerTarget(target.id) || target.id == TypeId::kFloat64 || target.id == TypeId::kDate ||
       target.id == TypeId::kDateTime || target.id == TypeId::kDateTime64) &&
      !target.is_tuple() && target.id != TypeId::kArray && !target.low_cardinality &&
      (from.is_numeric() || from.is_time() || from.is_string());
  if (!checked) {
    absl::StatusOr<ScalarBinding> cast = BindScalarFunction("CAST", args);
    if (!cast.ok() || !or_null || cast->type.CannotBeNullable()) return cast;
    cast->type = cast->type.WithNullable();
    return cast;
  }
  if (args[0].type.id == TypeId::kNothing || args[0].type.nullable) {
    if (!or_null && !parsed->nullable) {
      return absl::InvalidArgumentError(
          absl::StrCat("Cannot convert NULL value to non-Nullable type ", target.Name()));
    }
  }
  const DataType result = target;
  const bool nullable_result = or_null || parsed->nullable;
  const Fallback fallback = or_null ? Fallback::kNull : Fallback::kError;
  ScalarKernel kernel = ConvertKernel(target.id, fallback, true, ZoneOfType(target), std::nullopt,
                                      std::string(name), result);
  const DataType type_out = nullable_result ? result.WithNullable() : result;
  const bool source_nullable = args[0].type.nullable || args[0].type.id == TypeId::kNothing;
  return ScalarBinding{
      type_out,
      [kernel = std::move(kernel), source_nullable, fallback, type_out, result](
          absl::Span<Vector> v, size_t rows, StringPool* pool, Vector* out) -> absl::Status {
        if (v[0].type.id == TypeId::kNothing) {
          *out = Vector::ConstantNullOf(type_out, rows);
          return absl::OkStatus();
        }
        std::vector<uint8_t> nulls;
        if (source_nullable && !v[0].nulls.empty()) {
          nulls.assign(rows, 0);
          for (size_t row = 0; row < rows; ++row) nulls[row] = v[0].is_null(row) ? 1 : 0;
        }
        Vector arg = v[0];
        arg.Flatten();
        arg.nulls.clear();
        arg.type.nullable = false;
        out->type = fallback == Fallback::kNull ? result.WithNullable() : result;
        // A NULL slot holds the type's default, which converts: the flag is restored below.
        absl::Status status = kernel(absl::MakeSpan(&arg, 1), rows, pool, out);
        if (!status.ok()) return status;
        out->type = type_out;
        if (!nulls.empty()) {
          out->nulls.resize(rows, 0);
          for (size_t row = 0; row < rows; ++row) out->nulls[row] |= nulls[row];
        }
        if (!type_out.nullable) out->nulls.clear();
        return absl::OkStatus();
      }};
}

}  // namespace

void RegisterConversionOr(FunctionRegistry* registry) {
  static constexpr std::pair<const char*, TypeId> kTargets[] = {
      {"UInt8", TypeId::kUInt8},     {"UInt16", TypeId::kUInt16}, {"UInt32", TypeId::kUInt32},
      {"UInt64", TypeId::kUInt64},   {"Int8", TypeId::kInt8},     {"Int16", TypeId::kInt16},
      {"Int32", TypeId::kInt32},     {"Int64", TypeId::kInt64},   {"Float32", TypeId::kFloat64},
      {"Float64", TypeId::kFloat64}, {"Date", TypeId::kDate},     {"DateTime", TypeId::kDateTime}};
  static constexpr std::pair<const char*, Fallback> kSuffixes[] = {
      {"OrZero", Fallback::kZero}, {"OrNull", Fallback::kNull}, {"OrDefault", Fallback::kDefault}};
  for (const auto& [type_name, target] : kTargets) {
    for (const auto& [suffix, fallback] : kSuffixes) {
      registry->Add(absl::StrCat("to", type_name, suffix), OrConversion(target, fallback));
    }
  }
  registry->Add("accurateCast", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindAccurateCast(n, false, a);
  });
  registry->Add("accurateCastOrNull", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindAccurateCast(n, true, a);
  });
}

}  // namespace mua::query_internal
