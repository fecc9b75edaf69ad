// Bit functions (bitAnd/Or/Xor/Not, bitShiftLeft/Right, bitCount) and the
// arithmetic ClickHouse adds around them: intDivOrZero, moduloOrZero, gcd, lcm,
// max2/min2, isNaN/isFinite/isInfinite, trunc/truncate, ceiling. Result types
// follow ClickHouse's NumberTraits: a bit operation of two integers is signed
// when either is, as wide as the wider one.
#include <bit>
#include <cmath>
#include <cstring>
#include <numeric>

#include "query/internal/function_registry.h"
#include "query/internal/kernel_util.h"
#include "storage/base/status_macros.h"

namespace mua::query_internal {
namespace {

int IntegerWidth(TypeId id) {
  switch (id) {
    case TypeId::kUInt8:
    case TypeId::kInt8:
      return 1;
    case TypeId::kUInt16:
    case TypeId::kInt16:
      return 2;
    case TypeId::kUInt32:
    case TypeId::kInt32:
      return 4;
    default:
      return 8;
  }
}

TypeId IntegerType(bool is_signed, int width) {
  switch (width) {
    case 1:
      return is_signed ? TypeId::kInt8 : TypeId::kUInt8;
    case 2:
      return is_signed ? TypeId::kInt16 : TypeId::kUInt16;
    case 4:
      return is_signed ? TypeId::kInt32 : TypeId::kUInt32;
    default:
      return is_signed ? TypeId::kInt64 : TypeId::kUInt64;
  }
}

// `bits` as a value of integer type `id`: wrapped to its width, sign-extended when signed.
int64_t WrapTo(TypeId id, uint64_t bits) {
  const int width = IntegerWidth(id);
  if (width == 8) return static_cast<int64_t>(bits);
  const int shift = 64 - 8 * width;
  const bool is_signed = DataType::Of(id).is_integer() && !DataType::Of(id).is_unsigned();
  return is_signed ? static_cast<int64_t>(bits << shift) >> shift
                   : static_cast<int64_t>((bits << shift) >> shift);
}

absl::Status RequireIntegers(absl::string_view name, absl::Span<const ScalarArg> args) {
  for (size_t i = 0; i < args.size(); ++i) {
    if (!args[i].type.is_integer()) return IllegalType(name, args[i].type, static_cast<int>(i + 1));
  }
  return absl::OkStatus();
}

enum class BitOp { kAnd, kOr, kXor };

absl::StatusOr<ScalarBinding> BindBitBinary(BitOp op, absl::string_view name,
                                            absl::Span<const ScalarArg> args) {
  if (args.size() != 2) return ArityError(name, args.size(), "2");
  MUA_RETURN_IF_ERROR(RequireIntegers(name, args));
  const bool is_signed = !args[0].type.is_unsigned() || !args[1].type.is_unsigned();
  const TypeId result = IntegerType(
      is_signed, std::max(IntegerWidth(args[0].type.id), IntegerWidth(args[1].type.id)));
  return ScalarBinding{
      DataType::Of(result),
      [op, result](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
        ResizeInts(out, rows);
        for (size_t row = 0; row < rows; ++row) {
          const uint64_t a = static_cast<uint64_t>(v[0].int_at(row));
          const uint64_t b = static_cast<uint64_t>(v[1].int_at(row));
          const uint64_t bits = op == BitOp::kAnd ? (a & b) : op == BitOp::kOr ? (a | b) : (a ^ b);
          out->ints[row] = WrapTo(result, bits);
        }
        return absl::OkStatus();
      }};
}

absl::StatusOr<ScalarBinding> BindBitNot(absl::string_view name, absl::Span<const ScalarArg> args) {
  if (args.size() != 1) return ArityError(name, args.size(), "1");
  MUA_RETURN_IF_ERROR(RequireIntegers(name, args));
  const TypeId result = args[0].type.id;
  return ScalarBinding{
      DataType::Of(result), [result](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
        ResizeInts(out, rows);
        for (size_t row = 0; row < rows; ++row) {
          out->ints[row] = WrapTo(result, ~static_cast<uint64_t>(v[0].int_at(row)));
        }
        return absl::OkStatus();
      }};
}

// ClickHouse refuses a negative shift or one past the width; a shift by the width gives 0.
absl::StatusOr<ScalarBinding> BindShift(bool left, absl::string_view name,
                                        absl::Span<const ScalarArg> args) {
  if (args.size() != 2) return ArityError(name, args.size(), "2");
  MUA_RETURN_IF_ERROR(RequireIntegers(name, args));
  const TypeId result = args[0].type.id;
  const bool shift_unsigned = args[1].type.is_unsigned();
  const std::string function(name);
  return ScalarBinding{
      DataType::Of(result), [left, result, shift_unsigned, function](
                                absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
        ResizeInts(out, rows);
        const int64_t bits = 8 * IntegerWidth(result);
        for (size_t row = 0; row < rows; ++row) {
          const int64_t shift = v[1].int_at(row);
          if ((!shift_unsigned && shift < 0) ||
              (shift_unsigned && static_cast<uint64_t>(shift) > 64) || shift > bits) {
            return absl::OutOfRangeError(absl::StrCat(
                "The number of shift positions needs to be a non-negative value and less or "
                "equal to the bit width of the value to shift (function ",
                function, ")"));
          }
          const uint64_t a = static_cast<uint64_t>(v[0].int_at(row));
          uint64_t value = 0;
          if (shift < bits) {
            // Right shifts of signed values are arithmetic, as in C++ on ClickHouse's types.
            value = left ? a << shift
                         : static_cast<uint64_t>(DataType::Of(result).is_unsigned()
                                                     ? static_cast<int64_t>(a >> shift)
                                                     : v[0].int_at(row) >> shift);
          }
          out->ints[row] = WrapTo(result, value);
        }
        return absl::OkStatus();
      }};
}

absl::StatusOr<ScalarBinding> BindBitCount(absl::string_view name,
                                           absl::Span<const ScalarArg> args) {
  if (args.size() != 1) return ArityError(name, args.size(), "1");
  if (!args[0].type.is_numeric()) return IllegalType(name, args[0].type, 1);
  const DataType type = args[0].type;
  return ScalarBinding{DataType::Of(TypeId::kUInt8),
                       [type](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                         ResizeInts(out, rows);
                         const int width = IntegerWidth(type.id);
                         for (size_t row = 0; row < rows; ++row) {
                           uint64_t bits;
                           if (type.id == TypeId::kFloat64) {
                             const double x = v[0].float_at(row);
                             std::memcpy(&bits, &x, 8);
                           } else {
                             bits = static_cast<uint64_t>(v[0].int_at(row));
                             if (width < 8) bits &= (uint64_t{1} << (8 * width)) - 1;
                           }
                           out->ints[row] = std::popcount(bits);
                         }
                         return absl::OkStatus();
                       }};
}

// intDivOrZero / moduloOrZero: intDiv / modulo, but 0 where the divisor is 0
// (the kernel runs on a divisor with its zeros replaced by 1).
absl::StatusOr<ScalarBinding> BindOrZero(absl::string_view target,
                                         absl::Span<const ScalarArg> args) {
  if (args.size() != 2) return ArityError(target, args.size(), "2");
  MUA_ASSIGN_OR_RETURN(ScalarBinding inner, BindScalarFunction(target, args));
  ScalarKernel kernel = std::move(inner.kernel);
  inner.kernel = [kernel](absl::Span<Vector> v, size_t rows, StringPool* pool, Vector* out) {
    Vector divisor = v[1];
    divisor.Flatten();
    std::vector<uint8_t> zero(rows, 0);
    for (size_t row = 0; row < rows; ++row) {
      if (divisor.type.id == TypeId::kFloat64) {
        zero[row] = divisor.floats[row] == 0;
        if (zero[row]) divisor.floats[row] = 1;
      } else {
        zero[row] = divisor.ints[row] == 0;
        if (zero[row]) divisor.ints[row] = 1;
      }
    }
    std::vector<Vector> inputs = {v[0], std::move(divisor)};
    MUA_RETURN_IF_ERROR(kernel(absl::MakeSpan(inputs), rows, pool, out));
    out->Flatten();
    for (size_t row = 0; row < rows; ++row) {
      if (!zero[row]) continue;
      if (out->type.id == TypeId::kFloat64) {
        out->floats[row] = 0;
      } else {
        out->ints[row] = 0;
      }
    }
    return absl::OkStatus();
  };
  return inner;
}

// gcd/lcm: the type of a * b (ClickHouse's ResultOfAdditionMultiplication); 0 divisors are refused.
absl::StatusOr<ScalarBinding> BindGcdLcm(bool lcm, absl::string_view name,
                                         absl::Span<const ScalarArg> args) {
  if (args.size() != 2) return ArityError(name, args.size(), "2");
  MUA_RETURN_IF_ERROR(RequireIntegers(name, args));
  MUA_ASSIGN_OR_RETURN(ScalarBinding product, BindScalarFunction("multiply", args));
  const TypeId result = product.type.id;
  const bool a_unsigned = args[0].type.is_unsigned();
  const bool b_unsigned = args[1].type.is_unsigned();
  return ScalarBinding{
      product.type, [lcm, result, a_unsigned, b_unsigned](absl::Span<Vector> v, size_t rows,
                                                          StringPool*, Vector* out) {
        ResizeInts(out, rows);
        for (size_t row = 0; row < rows; ++row) {
          const int64_t a = v[0].int_at(row);
          const int64_t b = v[1].int_at(row);
          if (b == 0) return absl::InvalidArgumentError("Division by zero");
          const uint64_t ua =
              a_unsigned ? static_cast<uint64_t>(a)
                         : (a < 0 ? 0 - static_cast<uint64_t>(a) : static_cast<uint64_t>(a));
          const uint64_t ub =
              b_unsigned ? static_cast<uint64_t>(b)
                         : (b < 0 ? 0 - static_cast<uint64_t>(b) : static_cast<uint64_t>(b));
          const uint64_t g = std::gcd(ua, ub);
          const uint64_t value = lcm ? (g == 0 ? 0 : ua / g * ub) : g;
          out->ints[row] = WrapTo(result, value);
        }
        return absl::OkStatus();
      }};
}

absl::Status RequireNumbers(absl::string_view name, absl::Span<const ScalarArg> args,
                            size_t count) {
  if (args.size() != count) return ArityError(name, args.size(), absl::StrCat(count));
  for (size_t i = 0; i < args.size(); ++i) {
    if (!args[i].type.is_numeric()) return IllegalType(name, args[i].type, static_cast<int>(i + 1));
  }
  return absl::OkStatus();
}

// max2/min2: Float64, as in ClickHouse.
absl::StatusOr<ScalarBinding> BindMax2(bool max, absl::string_view name,
                                       absl::Span<const ScalarArg> args) {
  MUA_RETURN_IF_ERROR(RequireNumbers(name, args, 2));
  return ScalarBinding{DataType::Of(TypeId::kFloat64),
                       [max](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                         ResizeFloats(out, rows);
                         for (size_t row = 0; row < rows; ++row) {
                           const double a = v[0].number_at(row);
                           const double b = v[1].number_at(row);
                           out->floats[row] = max ? std::max(a, b) : std::min(a, b);
                         }
                         return absl::OkStatus();
                       }};
}

enum class FloatClass { kNaN, kFinite, kInfinite };

absl::StatusOr<ScalarBinding> BindFloatClass(FloatClass what, absl::string_view name,
                                             absl::Span<const ScalarArg> args) {
  MUA_RETURN_IF_ERROR(RequireNumbers(name, args, 1));
  return ScalarBinding{DataType::Of(TypeId::kUInt8),
                       [what](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                         ResizeInts(out, rows);
                         for (size_t row = 0; row < rows; ++row) {
                           const double x = v[0].number_at(row);
                           out->ints[row] = what == FloatClass::kNaN      ? std::isnan(x)
                                            : what == FloatClass::kFinite ? std::isfinite(x)
                                                                          : std::isinf(x);
                         }
                         return absl::OkStatus();
                       }};
}

// trunc(x[, n]): rounds toward zero at 10^-n, keeping x's type (as round/floor/ceil).
absl::StatusOr<ScalarBinding> BindTrunc(absl::string_view name, absl::Span<const ScalarArg> args) {
  if (args.empty() || args.size() > 2) return ArityError(name, args.size(), "1 or 2");
  const DataType a = args[0].type;
  if (!a.is_numeric()) return IllegalType(name, a, 1);
  int64_t digits = 0;
  if (args.size() == 2) {
    if (args[1].constant == nullptr || !args[1].type.is_integer()) {
      return absl::InvalidArgumentError(
          absl::StrCat("Argument 2 of function ", name, " must be a constant integer"));
    }
    digits = args[1].constant->ints[0];
  }
  return ScalarBinding{a, [a, digits](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                         if (a.id == TypeId::kFloat64) {
                           ResizeFloats(out, rows);
                           const double scale =
                               std::pow(10.0, static_cast<double>(std::abs(digits)));
                           for (size_t row = 0; row < rows; ++row) {
                             const double x = v[0].float_at(row);
                             out->floats[row] = digits == 0  ? std::trunc(x)
                                                : digits > 0 ? std::trunc(x * scale) / scale
                                                             : std::trunc(x / scale) * scale;
                           }
                           return absl::OkStatus();
                         }
                         ResizeInts(out, rows);
                         int64_t step = 1;
                         for (int64_t d = digits; d < 0 && step < INT64_MAX / 10; ++d) step *= 10;
                         for (size_t row = 0; row < rows; ++row) {
                           const int64_t x = v[0].int_at(row);
                           if (a.is_unsigned()) {
                             const uint64_t ux = static_cast<uint64_t>(x);
                             out->ints[row] = static_cast<int64_t>(
                                 ux / static_cast<uint64_t>(step) * static_cast<uint64_t>(step));
                           } else {
                             out->ints[row] = x / step * step;
                           }
                         }
                         return absl::OkStatus();
                       }};
}

// A second name for a registered function.
ScalarBinder Alias(std::string target) {
  return [target](absl::string_view, absl::Span<const ScalarArg> args) {
    return BindScalarFunction(target, args);
  };
}

}  // namespace

void RegisterBits(FunctionRegistry* registry) {
  registry->Add("bitAnd", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindBitBinary(BitOp::kAnd, n, a);
  });
  registry->Add("bitOr", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindBitBinary(BitOp::kOr, n, a);
  });
  registry->Add("bitXor", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindBitBinary(BitOp::kXor, n, a);
  });
  registry->Add("bitNot", BindBitNot);
  registry->Add("bitShiftLeft", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindShift(true, n, a);
  });
  registry->Add("bitShiftRight", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindShift(false, n, a);
  });
  registry->Add("bitCount", BindBitCount);
  registry->Add("intDivOrZero", [](absl::string_view, absl::Span<const ScalarArg> a) {
    return BindOrZero("intDiv", a);
  });
  registry->Add("moduloOrZero", [](absl::string_view, absl::Span<const ScalarArg> a) {
    return BindOrZero("modulo", a);
  });
  registry->Add("gcd", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindGcdLcm(false, n, a);
  });
  registry->Add("lcm", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindGcdLcm(true, n, a);
  });
  registry->Add("max2", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindMax2(true, n, a);
  });
  registry->Add("min2", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindMax2(false, n, a);
  });
  registry->Add("isNaN", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindFloatClass(FloatClass::kNaN, n, a);
  });
  registry->Add("isFinite", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindFloatClass(FloatClass::kFinite, n, a);
  });
  registry->Add("isInfinite", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindFloatClass(FloatClass::kInfinite, n, a);
  });
  registry->Add("trunc", BindTrunc, true);
  registry->Add("truncate", BindTrunc, true);
  registry->Add("ceiling", Alias("ceil"), true);
}

}  // namespace mua::query_internal
