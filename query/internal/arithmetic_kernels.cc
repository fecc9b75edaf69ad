// plus, minus, multiply, divide, intDiv, modulo, negate, abs, round, floor,
// ceil with ClickHouse's result types: integer results widen (UInt8 + UInt8 is
// UInt16, anything with a 64-bit operand is 64-bit), minus is signed, divide is
// Float64; time ± number stays a time (seconds for DateTime, days for Date).
#include <algorithm>
#include <cmath>

#include "query/internal/function_registry.h"
#include "query/internal/kernel_util.h"

namespace mua::query_internal {
namespace {

int IntegerBytes(TypeId id) {
  switch (id) {
    case TypeId::kUInt8:
    case TypeId::kInt8: return 1;
    case TypeId::kUInt16:
    case TypeId::kInt16: return 2;
    case TypeId::kUInt32:
    case TypeId::kInt32: return 4;
    default: return 8;
  }
}

TypeId IntegerOfBytes(int bytes, bool is_signed) {
  switch (bytes) {
    case 1: return is_signed ? TypeId::kInt8 : TypeId::kUInt8;
    case 2: return is_signed ? TypeId::kInt16 : TypeId::kUInt16;
    case 4: return is_signed ? TypeId::kInt32 : TypeId::kUInt32;
    default: return is_signed ? TypeId::kInt64 : TypeId::kUInt64;
  }
}

// The widened integer type ClickHouse gives a + b, a * b (and a - b when force_signed).
DataType WidenedInteger(const DataType& a, const DataType& b, bool force_signed) {
  const bool is_signed = force_signed || !a.is_unsigned() || !b.is_unsigned();
  const int bytes = std::min(8, 2 * std::max(IntegerBytes(a.id), IntegerBytes(b.id)));
  return DataType::Of(IntegerOfBytes(bytes, is_signed));
}

enum class ArithmeticOp { kPlus, kMinus, kMultiply };

template <typename IntOp, typename FloatOp>
ScalarKernel BinaryNumericKernel(bool float_result, IntOp int_op, FloatOp float_op) {
  return [=](absl::Span<Vector> args, size_t rows, StringPool*, Vector* out) {
    const Vector& a = args[0];
    const Vector& b = args[1];
    if (float_result) {
      ResizeFloats(out, rows);
      for (size_t row = 0; row < rows; ++row) {
        out->floats[row] = float_op(a.number_at(row), b.number_at(row));
      }
    } else {
      ResizeInts(out, rows);
      for (size_t row = 0; row < rows; ++row) {
        out->ints[row] = int_op(a.int_at(row), b.int_at(row));
      }
    }
    return absl::OkStatus();
  };
}

absl::StatusOr<ScalarBinding> BindArithmetic(absl::string_view name, ArithmeticOp op,
                                             absl::Span<const ScalarArg> args) {
  if (args.size() != 2) return ArityError(name, args.size(), "2");
  const DataType& a = args[0].type;
  const DataType& b = args[1].type;
  // Time arithmetic: time ± integer (in the time's unit), time - time.
  if (a.is_time() || b.is_time()) {
    // Date - Date and DateTime - DateTime are Int32 (days, seconds) in ClickHouse;
    // DateTime64 - DateTime64 is seconds with the fraction (ClickHouse 25.1+: Decimal64(3) of
    // the same value; 24.x refuses it), never milliseconds.
    if (op == ArithmeticOp::kMinus && a.is_time() && b.is_time() && a.id == b.id) {
      if (a.id == TypeId::kDateTime64) {
        return ScalarBinding{DataType::Of(TypeId::kFloat64),
                             [](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                               ResizeFloats(out, rows);
                               for (size_t row = 0; row < rows; ++row) {
                                 out->floats[row] =
                                     static_cast<double>(v[0].int_at(row) - v[1].int_at(row)) / 1000;
                               }
                               return absl::OkStatus();
                             }};
      }
      return ScalarBinding{DataType::Of(TypeId::kInt32),
                           BinaryNumericKernel(false,
                                               [](int64_t x, int64_t y) {
                                                 return int64_t{static_cast<int32_t>(x - y)};
                                               },
                                               [](double x, double y) { return x - y; })};
    }
    const bool time_first = a.is_time();
    const DataType& time = time_first ? a : b;
    const DataType& other = time_first ? b : a;
    if (op == ArithmeticOp::kMultiply || !other.is_integer() ||
        (op == ArithmeticOp::kMinus && !time_first)) {
      return absl::InvalidArgumentError(absl::StrCat("Illegal types ", a.Name(), " and ", b.Name(),
                                                     " of arguments of function ", name));
    }
    const bool minus = op == ArithmeticOp::kMinus;
    // A DateTime64 ± n moves by n seconds, as ClickHouse (not n milliseconds).
    const int64_t scale = time.id == TypeId::kDateTime64 ? 1000 : 1;
    return ScalarBinding{time, BinaryNumericKernel(
                                   false,
                                   [minus, time_first, scale](int64_t x, int64_t y) {
                                     const int64_t t = time_first ? x : y;
                                     const int64_t n = static_cast<int64_t>(static_cast<uint64_t>(time_first ? y : x) * scale);
                                     return minus ? t - n : t + n;
                                   },
                                   [](double x, double) { return x; })};
  }
  if (!a.is_numeric()) return IllegalType(name, a, 1);
  if (!b.is_numeric()) return IllegalType(name, b, 2);
  const bool float_result = a.id == TypeId::kFloat64 || b.id == TypeId::kFloat64;
  const DataType type = float_result ? DataType::Of(TypeId::kFloat64)
                                     : WidenedInteger(a, b, op == ArithmeticOp::kMinus);
  switch (op) {
    case ArithmeticOp::kPlus:
      return ScalarBinding{type, BinaryNumericKernel(
                                     float_result,
                                     [](int64_t x, int64_t y) {
                                       return static_cast<int64_t>(static_cast<uint64_t>(x) +
                                                                   static_cast<uint64_t>(y));
                                     },
                                     [](double x, double y) { return x + y; })};
    case ArithmeticOp::kMinus:
      return ScalarBinding{type, BinaryNumericKernel(
                                     float_result,
                                     [](int64_t x, int64_t y) {
                                       return static_cast<int64_t>(static_cast<uint64_t>(x) -
                                                                   static_cast<uint64_t>(y));
                                     },
                                     [](double x, double y) { return x - y; })};
    case ArithmeticOp::kMultiply:
      return ScalarBinding{type, BinaryNumericKernel(
                                     float_result,
                                     [](int64_t x, int64_t y) {
                                       return static_cast<int64_t>(static_cast<uint64_t>(x) *
                                                                   static_cast<uint64_t>(y));
                                     },
                                     [](double x, double y) { return x * y; })};
  }
  return absl::InternalError("unreachable");
}

absl::StatusOr<ScalarBinding> BindDivide(absl::string_view name, absl::Span<const ScalarArg> args) {
  if (args.size() != 2) return ArityError(name, args.size(), "2");
  if (!args[0].type.is_numeric()) return IllegalType(name, args[0].type, 1);
  if (!args[1].type.is_numeric()) return IllegalType(name, args[1].type, 2);
  return ScalarBinding{DataType::Of(TypeId::kFloat64),
                       BinaryNumericKernel(true, [](int64_t x, int64_t) { return x; },
                                           [](double x, double y) { return x / y; })};
}

// ClickHouse's result types: intDiv has the dividend's width, signed when either side
// is; modulo has the divisor's width, signed (and one size wider, for -199 % 200u) when
// the dividend is. MUA's widest integer is 64 bits.
DataType IntegerDivisionType(const DataType& a, const DataType& b, bool modulo) {
  auto width = [](TypeId id) -> int {
    switch (id) {
      case TypeId::kUInt8: case TypeId::kInt8: return 1;
      case TypeId::kUInt16: case TypeId::kInt16: return 2;
      case TypeId::kUInt32: case TypeId::kInt32: return 4;
      default: return 8;
    }
  };
  const bool is_signed = modulo ? !a.is_unsigned() : !(a.is_unsigned() && b.is_unsigned());
  int bytes = modulo ? width(b.id) : width(a.id);
  if (modulo && is_signed) bytes = std::min(8, bytes * 2);
  static constexpr TypeId kSigned[] = {TypeId::kInt8, TypeId::kInt16, TypeId::kInt32, TypeId::kInt64};
  static constexpr TypeId kUnsigned[] = {TypeId::kUInt8, TypeId::kUInt16, TypeId::kUInt32, TypeId::kUInt64};
  const int index = bytes == 1 ? 0 : bytes == 2 ? 1 : bytes == 4 ? 2 : 3;
  return DataType::Of(is_signed ? kSigned[index] : kUnsigned[index]);
}

// intDiv and modulo: integer results; division by zero is an error, as in ClickHouse.
absl::StatusOr<ScalarBinding> BindIntegerDivision(absl::string_view name, bool modulo,
                                                  absl::Span<const ScalarArg> args) {
  if (args.size() != 2) return ArityError(name, args.size(), "2");
  const DataType& a = args[0].type;
  const DataType& b = args[1].type;
  if (!a.is_numeric()) return IllegalType(name, a, 1);
  if (!b.is_numeric()) return IllegalType(name, b, 2);
  const bool floats = a.id == TypeId::kFloat64 || b.id == TypeId::kFloat64;
  if (floats && modulo) {
    return ScalarBinding{DataType::Of(TypeId::kFloat64),
                         BinaryNumericKernel(true, [](int64_t x, int64_t) { return x; },
                                             [](double x, double y) { return std::fmod(x, y); })};
  }
  const DataType type = floats ? DataType::Of(TypeId::kInt64) : IntegerDivisionType(a, b, modulo);
  const bool unsigned_a = !floats && a.is_unsigned();
  const bool unsigned_b = !floats && b.is_unsigned();
  ScalarKernel kernel = [modulo, floats, unsigned_a, unsigned_b, name = std::string(name)](
                            absl::Span<Vector> args2, size_t rows, StringPool*, Vector* out) {
    ResizeInts(out, rows);
    for (size_t row = 0; row < rows; ++row) {
      const int64_t x = floats ? static_cast<int64_t>(args2[0].number_at(row)) : args2[0].int_at(row);
      const int64_t y = floats ? static_cast<int64_t>(args2[1].number_at(row)) : args2[1].int_at(row);
      if (y == 0) return absl::InvalidArgumentError("Division by zero");
      // A UInt64 at or above 2^63 (a hash: sipHash64(id) % 100) divides as unsigned.
      if (unsigned_a && (unsigned_b || y > 0)) {
        const uint64_t ux = static_cast<uint64_t>(x);
        const uint64_t uy = static_cast<uint64_t>(y);
        out->ints[row] = static_cast<int64_t>(modulo ? ux % uy : ux / uy);
        continue;
      }
      if (y == -1) {
        out->ints[row] = modulo ? 0 : static_cast<int64_t>(0 - static_cast<uint64_t>(x));
        continue;
      }
      out->ints[row] = modulo ? x % y : x / y;
    }
    return absl::OkStatus();
  };
  return ScalarBinding{type, std::move(kernel)};
}

absl::StatusOr<ScalarBinding> BindNegate(absl::string_view name, absl::Span<const ScalarArg> args) {
  if (args.size() != 1) return ArityError(name, args.size(), "1");
  const DataType& a = args[0].type;
  if (!a.is_numeric()) return IllegalType(name, a, 1);
  if (a.id == TypeId::kFloat64) {
    return ScalarBinding{a, [](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                           ResizeFloats(out, rows);
                           for (size_t r = 0; r < rows; ++r) out->floats[r] = -v[0].float_at(r);
                           return absl::OkStatus();
                         }};
  }
  const DataType type = a.is_unsigned()
                            ? DataType::Of(IntegerOfBytes(std::min(8, 2 * IntegerBytes(a.id)), true))
                            : a;
  return ScalarBinding{type, [](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                         ResizeInts(out, rows);
                         for (size_t r = 0; r < rows; ++r) {
                           out->ints[r] = static_cast<int64_t>(0 - static_cast<uint64_t>(v[0].int_at(r)));
                         }
                         return absl::OkStatus();
                       }};
}

absl::StatusOr<ScalarBinding> BindAbs(absl::string_view name, absl::Span<const ScalarArg> args) {
  if (args.size() != 1) return ArityError(name, args.size(), "1");
  const DataType& a = args[0].type;
  if (!a.is_numeric()) return IllegalType(name, a, 1);
  if (a.id == TypeId::kFloat64) {
    return ScalarBinding{a, [](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                           ResizeFloats(out, rows);
                           for (size_t r = 0; r < rows; ++r) out->floats[r] = std::fabs(v[0].float_at(r));
                           return absl::OkStatus();
                         }};
  }
  const DataType type = DataType::Of(IntegerOfBytes(IntegerBytes(a.id), false));
  return ScalarBinding{type, [](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                         ResizeInts(out, rows);
                         for (size_t r = 0; r < rows; ++r) {
                           const int64_t x = v[0].int_at(r);
                           out->ints[r] = x < 0 ? static_cast<int64_t>(0 - static_cast<uint64_t>(x)) : x;
                         }
                         return absl::OkStatus();
                       }};
}

enum class RoundingMode { kRound, kFloor, kCeil };

double RoundHalfToEven(double x) { return std::nearbyint(x); }

// round(x[, n]) / floor / ceil: ClickHouse rounds floats half to even
// ("banker's") for round, and keeps integers' type (n < 0 rounds to tens...).
absl::StatusOr<ScalarBinding> BindRounding(absl::string_view name, RoundingMode mode,
                                           absl::Span<const ScalarArg> args) {
  if (args.empty() || args.size() > 2) return ArityError(name, args.size(), "1 or 2");
  const DataType& a = args[0].type;
  if (!a.is_numeric()) return IllegalType(name, a, 1);
  int64_t digits = 0;
  if (args.size() == 2) {
    if (args[1].constant == nullptr || !args[1].type.is_integer()) {
      return absl::InvalidArgumentError(
          absl::StrCat("Argument 2 of function ", name, " must be a constant integer"));
    }
    digits = args[1].constant->ints[0];
  }
  auto apply = [mode](double x) {
    switch (mode) {
      case RoundingMode::kRound: return RoundHalfToEven(x);
      case RoundingMode::kFloor: return std::floor(x);
      case RoundingMode::kCeil: return std::ceil(x);
    }
    return x;
  };
  if (a.id == TypeId::kFloat64) {
    return ScalarBinding{a, [apply, digits](absl::Span<Vector> v, size_t rows, StringPool*,
                                            Vector* out) {
                           ResizeFloats(out, rows);
                           const double scale = std::pow(10.0, static_cast<double>(digits));
                           for (size_t r = 0; r < rows; ++r) {
                             const double x = v[0].float_at(r);
                             out->floats[r] = digits == 0 ? apply(x)
                                              : digits > 0 ? apply(x * scale) / scale
                                                           : apply(x / (1 / scale)) * (1 / scale);
                           }
                           return absl::OkStatus();
                         }};
  }
  return ScalarBinding{a, [apply, digits](absl::Span<Vector> v, size_t rows, StringPool*,
                                          Vector* out) {
                         ResizeInts(out, rows);
                         int64_t step = 1;
                         for (int64_t d = digits; d < 0 && step < INT64_MAX / 10; ++d) step *= 10;
                         for (size_t r = 0; r < rows; ++r) {
                           const int64_t x = v[0].int_at(r);
                           out->ints[r] = step == 1 ? x
                                                    : static_cast<int64_t>(apply(static_cast<double>(x) /
                                                                                 step)) * step;
                         }
                         return absl::OkStatus();
                       }};
}

}  // namespace

void RegisterArithmetic(FunctionRegistry* registry) {
  registry->Add("plus", [](absl::string_view name, absl::Span<const ScalarArg> args) {
    return BindArithmetic(name, ArithmeticOp::kPlus, args);
  });
  registry->Add("minus", [](absl::string_view name, absl::Span<const ScalarArg> args) {
    return BindArithmetic(name, ArithmeticOp::kMinus, args);
  });
  registry->Add("multiply", [](absl::string_view name, absl::Span<const ScalarArg> args) {
    return BindArithmetic(name, ArithmeticOp::kMultiply, args);
  });
  registry->Add("divide", BindDivide);
  registry->Add("intDiv", [](absl::string_view name, absl::Span<const ScalarArg> args) {
    return BindIntegerDivision(name, false, args);
  });
  registry->Add("modulo", [](absl::string_view name, absl::Span<const ScalarArg> args) {
    return BindIntegerDivision(name, true, args);
  }, true);
  registry->Add("negate", BindNegate);
  registry->Add("abs", BindAbs, true);
  registry->Add("round", [](absl::string_view name, absl::Span<const ScalarArg> args) {
    return BindRounding(name, RoundingMode::kRound, args);
  }, true);
  registry->Add("floor", [](absl::string_view name, absl::Span<const ScalarArg> args) {
    return BindRounding(name, RoundingMode::kFloor, args);
  }, true);
  registry->Add("ceil", [](absl::string_view name, absl::Span<const ScalarArg> args) {
    return BindRounding(name, RoundingMode::kCeil, args);
  }, true);
}

}  // namespace mua::query_internal
