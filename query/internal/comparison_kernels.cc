// equals, notEquals, less, greater, lessOrEquals, greaterOrEquals. Numbers
// compare by value across types; strings bytewise; times by instant across
// Date/DateTime/DateTime64; a string constant compared with a time is parsed
// once at bind time, as ClickHouse does. A dictionary-coded string compared
// for equality with a constant compares codes.
#include <algorithm>
#include <optional>

#include "storage/base/hash_containers.h"
#include "absl/container/flat_hash_map.h"
#include "query/functions/time_functions.h"
#include "query/internal/function_registry.h"
#include "query/internal/kernel_util.h"
#include "storage/string_dictionary.h"

namespace mua::query_internal {
namespace {

enum class CompareOp { kEquals, kNotEquals, kLess, kGreater, kLessOrEquals, kGreaterOrEquals };

template <typename T>
bool Compare(CompareOp op, const T& a, const T& b) {
  switch (op) {
    case CompareOp::kEquals: return a == b;
    case CompareOp::kNotEquals: return a != b;
    case CompareOp::kLess: return a < b;
    case CompareOp::kGreater: return a > b;
    case CompareOp::kLessOrEquals: return a <= b;
    case CompareOp::kGreaterOrEquals: return a >= b;
  }
  return false;
}

ScalarKernel StringCompareKernel(CompareOp op) {
  return [op](absl::Span<Vector> args, size_t rows, StringPool*, Vector* out) {
    const Vector& a = args[0];
    const Vector& b = args[1];
    ResizeInts(out, rows);
    // Dictionary column against a constant: decide per code, once.
    if (a.is_dictionary() && b.constant) {
      const absl::string_view value = b.string_at(0);
      if (op == CompareOp::kEquals || op == CompareOp::kNotEquals) {
        const std::optional<uint32_t> code = a.dictionary->Find(value);
        const int64_t equal_means = op == CompareOp::kEquals ? 1 : 0;
        int64_t* result = out->ints.data();
        if (!code.has_value() || a.constant) {
          const bool equal = code.has_value() && a.codes[0] == *code;
          std::fill_n(result, rows, equal == (equal_means == 1) ? 1 : 0);
          return absl::OkStatus();
        }
        // Without branches, so the loop vectorizes: the filter of most scans.
        const uint32_t* codes = a.codes.data();
        const uint32_t wanted = *code;
        for (size_t row = 0; row < rows; ++row) result[row] = (codes[row] == wanted) == equal_means;
        return absl::OkStatus();
      }
      HashMap<uint32_t, int64_t> decided;
      for (size_t row = 0; row < rows; ++row) {
        const uint32_t code = a.codes[a.index(row)];
        auto [it, inserted] = decided.try_emplace(code, 0);
        if (inserted) it->second = Compare(op, a.dictionary->Get(code), value);
        out->ints[row] = it->second;
      }
      return absl::OkStatus();
    }
    // Plain strings against a constant, for (in)equality: no switch per row;
    // against '' only lengths are read.
    if (b.constant && !a.is_dictionary() && !a.constant &&
        (op == CompareOp::kEquals || op == CompareOp::kNotEquals)) {
      const absl::string_view value = b.string_at(0);
      const int64_t equal_means = op == CompareOp::kEquals ? 1 : 0;
      if (value.empty()) {
        for (size_t row = 0; row < rows; ++row) out->ints[row] = a.strings[row].empty() == equal_means;
      } else {
        for (size_t row = 0; row < rows; ++row) out->ints[row] = (a.strings[row] == value) == equal_means;
      }
      return absl::OkStatus();
    }
    for (size_t row = 0; row < rows; ++row) {
      out->ints[row] = Compare(op, a.string_at(row), b.string_at(row));
    }
    return absl::OkStatus();
  };
}

ScalarKernel NumericCompareKernel(CompareOp op, bool as_float, bool as_unsigned, int64_t scale_a,
                                  int64_t scale_b) {
  return [=](absl::Span<Vector> args, size_t rows, StringPool*, Vector* out) {
    const Vector& a = args[0];
    const Vector& b = args[1];
    ResizeInts(out, rows);
    if (as_float) {
      for (size_t row = 0; row < rows; ++row) {
        out->ints[row] = Compare(op, a.number_at(row), b.number_at(row));
      }
    } else if (as_unsigned) {
      for (size_t row = 0; row < rows; ++row) {
        out->ints[row] = Compare(op, static_cast<uint64_t>(a.int_at(row)),
                                 static_cast<uint64_t>(b.int_at(row)));
      }
    } else if (scale_a == 1 && scale_b == 1) {
      if (b.constant) {
        const int64_t value = b.ints[0];
        for (size_t row = 0; row < rows; ++row) out->ints[row] = Compare(op, a.int_at(row), value);
      } else {
        for (size_t row = 0; row < rows; ++row) {
          out->ints[row] = Compare(op, a.int_at(row), b.int_at(row));
        }
      }
    } else {
      for (size_t row = 0; row < rows; ++row) {
        out->ints[row] = Compare(op, a.int_at(row) * scale_a, b.int_at(row) * scale_b);
      }
    }
    return absl::OkStatus();
  };
}

// A Date (argument `date_side`) against a DateTime/DateTime64 `time` whose type names a zone:
// the day is the instant it starts in that zone, as ClickHouse converts it to `time`'s type.
ScalarKernel ZonedDateCompareKernel(CompareOp op, int date_side, const DataType& time) {
  const ScalarKernel compare = NumericCompareKernel(op, false, false, 1, 1);
  const int64_t per_second = time.id == TypeId::kDateTime64 ? 1000 : 1;
  return [=, tz = ZoneOfType(time)](absl::Span<Vector> args, size_t rows, StringPool* pool,
                                    Vector* out) {
    Vector instants;
    instants.type = time;
    ResizeInts(&instants, rows);
    for (size_t row = 0; row < rows; ++row) {
      instants.ints[row] =
          DayStart(static_cast<int32_t>(args[date_side].int_at(row)), tz) * per_second;
    }
    args[date_side] = std::move(instants);
    return compare(args, rows, pool, out);
  };
}

absl::StatusOr<ScalarBinding> BindCompare(absl::string_view name, CompareOp op,
                                          absl::Span<const ScalarArg> args) {
  if (args.size() != 2) return ArityError(name, args.size(), "2");
  DataType a = args[0].type;
  DataType b = args[1].type;
  const DataType uint8 = DataType::Of(TypeId::kUInt8);
  ScalarBinding binding{uint8, nullptr, {}};
  // A string constant against a time: parse it in the time's type.
  for (int side = 0; side < 2; ++side) {
    const DataType& time = side == 0 ? b : a;
    const ScalarArg& text = args[side];
    if (time.is_time() && text.type.is_string() && text.constant != nullptr) {
      absl::StatusOr<int64_t> value = ParseTimeLiteral(text.constant->string_at(0), time);
      if (!value.ok()) return value.status();
      binding.converted_constants.emplace_back(side, Vector::ConstantInt(time, *value, 1));
      (side == 0 ? a : b) = time;
    }
  }
  if (a.is_string() && b.is_string()) {
    binding.kernel = StringCompareKernel(op);
    return binding;
  }
  if (a.is_time() && b.is_time()) {
    const int64_t unit_a = MillisPerUnit(a.id), unit_b = MillisPerUnit(b.id);
    const int64_t common = std::min(unit_a, unit_b);
    binding.kernel = NumericCompareKernel(op, false, false, unit_a / common, unit_b / common);
    const int date_side = a.id == TypeId::kDate ? 0 : b.id == TypeId::kDate ? 1 : -1;
    const DataType& other = date_side == 0 ? b : a;
    if (date_side >= 0 && other.id != TypeId::kDate && other.time_zone != 0) {
      binding.kernel = ZonedDateCompareKernel(op, date_side, other);
    }
    return binding;
  }
  const bool a_number = a.is_numeric() || a.is_time();
  const bool b_number = b.is_numeric() || b.is_time();
  if (!a_number || !b_number) {
    return absl::InvalidArgumentError(absl::StrCat("Illegal types of arguments (", a.Name(), ", ",
                                                   b.Name(), ") of function ", name));
  }
  const bool as_float = a.id == TypeId::kFloat64 || b.id == TypeId::kFloat64;
  // A UInt64 holds values past Int64's end: with another unsigned type (which fits in
  // it) both compare as unsigned, so rand64() >= 0 holds for every value.
  const bool as_unsigned = (a.id == TypeId::kUInt64 || b.id == TypeId::kUInt64) && a.is_unsigned() &&
                           b.is_unsigned();
  binding.kernel = NumericCompareKernel(op, as_float, as_unsigned, 1, 1);
  return binding;
}

}  // namespace

void RegisterComparison(FunctionRegistry* registry) {
  const std::pair<const char*, CompareOp> ops[] = {
      {"equals", CompareOp::kEquals},          {"notEquals", CompareOp::kNotEquals},
      {"less", CompareOp::kLess},              {"greater", CompareOp::kGreater},
      {"lessOrEquals", CompareOp::kLessOrEquals}, {"greaterOrEquals", CompareOp::kGreaterOrEquals},
  };
  for (const auto& [name, op] : ops) {
    const CompareOp bound_op = op;
    registry->Add(name, [bound_op](absl::string_view n, absl::Span<const ScalarArg> args) {
      return BindCompare(n, bound_op, args);
    });
  }
}

}  // namespace mua::query_internal
