// Mathematical functions with ClickHouse's names and result types: sqrt, cbrt,
// log/ln, log2, log10, exp, exp2, exp10, the trigonometric family, pow/power,
// atan2, hypot (all Float64 of any numeric argument, IEEE results for
// out-of-domain input: sqrt(-1) = nan, log(0) = -inf, as ClickHouse), sign
// (Int8), e(), pi(), and greatest/least over the arguments' common supertype.
#include <cmath>
#include <numbers>

#include "query/internal/function_registry.h"
#include "query/internal/kernel_util.h"

namespace mua::query_internal {
namespace {

using UnaryMath = double (*)(double);
using BinaryMath = double (*)(double, double);

ScalarBinder UnaryFloat(UnaryMath function) {
  return [function](absl::string_view name,
                    absl::Span<const ScalarArg> args) -> absl::StatusOr<ScalarBinding> {
    if (args.size() != 1) return ArityError(name, args.size(), "1");
    if (!args[0].type.is_numeric()) return IllegalType(name, args[0].type, 1);
    return ScalarBinding{DataType::Of(TypeId::kFloat64),
                         [function](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                           ResizeFloats(out, rows);
                           for (size_t row = 0; row < rows; ++row) {
                             out->floats[row] = function(v[0].number_at(row));
                           }
                           return absl::OkStatus();
                         }};
  };
}

ScalarBinder BinaryFloat(BinaryMath function) {
  return [function](absl::string_view name,
                    absl::Span<const ScalarArg> args) -> absl::StatusOr<ScalarBinding> {
    if (args.size() != 2) return ArityError(name, args.size(), "2");
    if (!args[0].type.is_numeric()) return IllegalType(name, args[0].type, 1);
    if (!args[1].type.is_numeric()) return IllegalType(name, args[1].type, 2);
    return ScalarBinding{DataType::Of(TypeId::kFloat64),
                         [function](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                           ResizeFloats(out, rows);
                           for (size_t row = 0; row < rows; ++row) {
                             out->floats[row] = function(v[0].number_at(row), v[1].number_at(row));
                           }
                           return absl::OkStatus();
                         }};
  };
}

ScalarBinder Constant(double value) {
  return [value](absl::string_view name,
                 absl::Span<const ScalarArg> args) -> absl::StatusOr<ScalarBinding> {
    if (!args.empty()) return ArityError(name, args.size(), "0");
    return ScalarBinding{DataType::Of(TypeId::kFloat64),
                         [value](absl::Span<Vector>, size_t rows, StringPool*, Vector* out) {
                           *out = Vector::ConstantFloat(value, rows);
                           return absl::OkStatus();
                         }};
  };
}

absl::StatusOr<ScalarBinding> BindSign(absl::string_view name, absl::Span<const ScalarArg> args) {
  if (args.size() != 1) return ArityError(name, args.size(), "1");
  const DataType& type = args[0].type;
  if (!type.is_numeric()) return IllegalType(name, type, 1);
  const bool is_float = type.id == TypeId::kFloat64;
  const bool is_unsigned = type.is_unsigned();
  return ScalarBinding{DataType::Of(TypeId::kInt8),
                       [is_float, is_unsigned](absl::Span<Vector> v, size_t rows, StringPool*,
                                               Vector* out) {
                         ResizeInts(out, rows);
                         for (size_t row = 0; row < rows; ++row) {
                           if (is_float) {
                             const double x = v[0].float_at(row);
                             out->ints[row] = x > 0 ? 1 : x < 0 ? -1 : 0;  // nan: 0
                           } else {
                             const int64_t x = v[0].int_at(row);
                             out->ints[row] = x == 0 ? 0 : (is_unsigned || x > 0) ? 1 : -1;
                           }
                         }
                         return absl::OkStatus();
                       }};
}

// Orders two values of `type` (as the supertype's representation holds them).
bool Less(const DataType& type, const Vector& a, size_t row_a, const Vector& b, size_t row_b) {
  if (type.is_string()) return a.string_at(row_a) < b.string_at(row_b);
  if (type.id == TypeId::kFloat64) return a.float_at(row_a) < b.float_at(row_b);
  if (type.id == TypeId::kUInt64) {
    return static_cast<uint64_t>(a.int_at(row_a)) < static_cast<uint64_t>(b.int_at(row_b));
  }
  return a.int_at(row_a) < b.int_at(row_b);
}

// Converts argument `from` to the supertype `type` (numbers widen, times to the finer unit).
void ConvertTo(const DataType& type, const Vector& from, size_t rows, Vector* out) {
  out->type = type;
  if (type.is_string()) {
    ResizeStrings(out, rows);
    for (size_t row = 0; row < rows; ++row) out->strings[row] = from.string_at(row);
  } else if (type.id == TypeId::kFloat64) {
    ResizeFloats(out, rows);
    for (size_t row = 0; row < rows; ++row) out->floats[row] = from.number_at(row);
  } else {
    ResizeInts(out, rows);
    const int64_t scale = type.is_time() && from.type.is_time()
                              ? MillisPerUnit(from.type.id) / MillisPerUnit(type.id)
                              : 1;
    for (size_t row = 0; row < rows; ++row) out->ints[row] = from.int_at(row) * scale;
  }
}

// greatest(a, b, ...) / least: the common supertype of all arguments (numbers,
// strings or times), as modern ClickHouse.
absl::StatusOr<ScalarBinding> BindGreatest(absl::string_view name, bool greatest,
                                           absl::Span<const ScalarArg> args) {
  if (args.size() < 2) return ArityError(name, args.size(), "at least 2");
  DataType type = args[0].type;
  for (size_t i = 0; i < args.size(); ++i) {
    const DataType& arg = args[i].type;
    if (!arg.is_numeric() && !arg.is_string() && !arg.is_time()) {
      return IllegalType(name, arg, static_cast<int>(i + 1));
    }
    absl::StatusOr<DataType> super = CommonSuperType(name, type, arg);
    if (!super.ok()) return super.status();
    type = *super;
  }
  return ScalarBinding{type, [type, greatest](absl::Span<Vector> v, size_t rows, StringPool*,
                                              Vector* out) {
                         ConvertTo(type, v[0], rows, out);
                         Vector next;
                         for (size_t i = 1; i < v.size(); ++i) {
                           ConvertTo(type, v[i], rows, &next);
                           for (size_t row = 0; row < rows; ++row) {
                             const bool take = greatest ? Less(type, *out, row, next, row)
                                                        : Less(type, next, row, *out, row);
                             if (!take) continue;
                             if (type.is_string()) {
                               out->strings[row] = next.strings[row];
                             } else if (type.id == TypeId::kFloat64) {
                               out->floats[row] = next.floats[row];
                             } else {
                               out->ints[row] = next.ints[row];
                             }
                           }
                         }
                         return absl::OkStatus();
                       }};
}

double Exp10(double x) { return std::pow(10.0, x); }
double Sqrt(double x) { return std::sqrt(x); }
double Cbrt(double x) { return std::cbrt(x); }
double Log(double x) { return std::log(x); }
double Log2(double x) { return std::log2(x); }
double Log10(double x) { return std::log10(x); }
double Log1p(double x) { return std::log1p(x); }
double Exp(double x) { return std::exp(x); }
double Exp2(double x) { return std::exp2(x); }
double Sin(double x) { return std::sin(x); }
double Cos(double x) { return std::cos(x); }
double Tan(double x) { return std::tan(x); }
double Asin(double x) { return std::asin(x); }
double Acos(double x) { return std::acos(x); }
double Atan(double x) { return std::atan(x); }
double Sinh(double x) { return std::sinh(x); }
double Cosh(double x) { return std::cosh(x); }
double Tanh(double x) { return std::tanh(x); }
double Erf(double x) { return std::erf(x); }
double Erfc(double x) { return std::erfc(x); }
double Lgamma(double x) { return std::lgamma(x); }
double Tgamma(double x) { return std::tgamma(x); }
double Pow(double x, double y) { return std::pow(x, y); }
double Atan2(double y, double x) { return std::atan2(y, x); }
double Hypot(double x, double y) { return std::hypot(x, y); }

}  // namespace

void RegisterMath(FunctionRegistry* registry) {
  static constexpr std::pair<const char*, UnaryMath> kUnary[] = {
      {"sqrt", Sqrt},   {"cbrt", Cbrt},     {"log", Log},     {"ln", Log},
      {"log2", Log2},   {"log10", Log10},   {"log1p", Log1p}, {"exp", Exp},
      {"exp2", Exp2},   {"exp10", Exp10},   {"sin", Sin},     {"cos", Cos},
      {"tan", Tan},     {"asin", Asin},     {"acos", Acos},   {"atan", Atan},
      {"sinh", Sinh},   {"cosh", Cosh},     {"tanh", Tanh},   {"erf", Erf},
      {"erfc", Erfc},   {"lgamma", Lgamma}, {"tgamma", Tgamma},
  };
  for (const auto& [name, function] : kUnary) registry->Add(name, UnaryFloat(function), true);
  registry->Add("pow", BinaryFloat(Pow), true);
  registry->Add("power", BinaryFloat(Pow), true);
  registry->Add("atan2", BinaryFloat(Atan2), true);
  registry->Add("hypot", BinaryFloat(Hypot), true);
  registry->Add("sign", BindSign, true);
  registry->Add("e", Constant(std::numbers::e));
  registry->Add("pi", Constant(std::numbers::pi), true);
  registry->Add("greatest", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindGreatest(n, true, a);
  }, true);
  registry->Add("least", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindGreatest(n, false, a);
  }, true);
}

}  // namespace mua::query_internal
