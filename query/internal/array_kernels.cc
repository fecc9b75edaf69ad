// Array functions over Array(T) of a scalar T held as offsets + elements in one
// Vector (integers, dates and times in `ints`, strings in `strings`):
// splitByChar, splitByString, arrayStringConcat, has, indexOf, range,
// arrayReverse, arraySort, arrayDistinct, arrayConcat, arraySlice,
// emptyArrayString. Lambdas (arrayMap, arrayFilter...) need the binder.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "query/internal/function_registry.h"
#include "query/internal/kernel_util.h"
#include "storage/base/hash_containers.h"
#include "storage/base/memory_tracker.h"

namespace mua::query_internal {
namespace {

bool IsScalarArray(const DataType& type) {
  return type.id == TypeId::kArray && type.element != TypeId::kNothing &&
         type.element != TypeId::kArray && type.element != TypeId::kFloat64 && !type.nullable;
}
bool StringElements(const DataType& type) { return type.element == TypeId::kString; }

// Starts an array result of `rows` rows.
void StartArray(const DataType& type, size_t rows, Vector* out) {
  *out = Vector();
  out->type = type;
  out->size = rows;
  out->offsets.assign(1, 0);
}
void EndRow(Vector* out) {
  out->offsets.push_back(static_cast<uint32_t>(
      StringElements(out->type) ? out->strings.size() : out->ints.size()));
}

// Elements [begin, end) of row `row` of an array vector.
std::pair<uint32_t, uint32_t> Bounds(const Vector& array, size_t row) {
  const size_t i = array.index(row);
  return {array.offsets[i], array.offsets[i + 1]};
}

absl::StatusOr<ScalarBinding> BindSplit(absl::string_view name, bool by_char,
                                        absl::Span<const ScalarArg> args) {
  if (args.size() != 2 && args.size() != 3) return ArityError(name, args.size(), "2 or 3");
  if (!args[0].type.is_string() || args[0].constant == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("Argument 1 of function ", name, " (separator) must be a constant String"));
  }
  const std::string separator(args[0].constant->string_at(0));
  if (by_char && separator.size() != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Illegal separator for function ", name, ". Must be exactly one byte."));
  }
  if (!args[1].type.is_string()) return IllegalType(name, args[1].type, 2);
  int64_t max_parts = 0;
  if (args.size() == 3) {
    if (args[2].constant == nullptr || !args[2].type.is_integer()) {
      return absl::InvalidArgumentError(
          absl::StrCat("Argument 3 of function ", name, " must be a constant integer"));
    }
    max_parts = args[2].constant->ints[0];
  }
  const DataType type = DataType::Array(TypeId::kString);
  return ScalarBinding{type, [type, separator, max_parts](absl::Span<Vector> v, size_t rows,
                                                          StringPool*, Vector* out) {
                         StartArray(type, rows, out);
                         for (size_t row = 0; row < rows; ++row) {
                           const absl::string_view text = v[1].string_at(row);
                           if (separator.empty()) {  // splitByString('', s): the bytes
                             for (size_t i = 0; i < text.size(); ++i) out->strings.push_back(text.substr(i, 1));
                           } else {
                             int64_t parts = 0;
                             size_t start = 0;
                             while (true) {
                               const size_t at = text.find(separator, start);
                               if (at == absl::string_view::npos ||
                                   (max_parts > 0 && parts + 1 == max_parts)) {
                                 // ClickHouse's max_substrings drops the rest of the string.
                                 const size_t end = at == absl::string_view::npos ? text.size() : at;
                                 out->strings.push_back(text.substr(start, end - start));
                                 break;
                               }
                               out->strings.push_back(text.substr(start, at - start));
                               ++parts;
                               start = at + separator.size();
                             }
                           }
                           EndRow(out);
                         }
                         return absl::OkStatus();
                       }};
}

absl::StatusOr<ScalarBinding> BindStringConcat(absl::string_view name,
                                               absl::Span<const ScalarArg> args) {
  if (args.empty() || args.size() > 2) return ArityError(name, args.size(), "1 or 2");
  if (!IsScalarArray(args[0].type) || !StringElements(args[0].type)) {
    return IllegalType(name, args[0].type, 1);
  }
  std::string separator;
  if (args.size() == 2) {
    if (!args[1].type.is_string() || args[1].constant == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("Argument 2 of function ", name, " (separator) must be a constant String"));
    }
    separator = std::string(args[1].constant->string_at(0));
  }
  return ScalarBinding{DataType::Of(TypeId::kString),
                       [separator](absl::Span<Vector> v, size_t rows, StringPool* pool, Vector* out) {
                         ResizeStrings(out, rows);
                         for (size_t row = 0; row < rows; ++row) {
                           const auto [begin, end] = Bounds(v[0], row);
                           std::string text;
                           for (uint32_t k = begin; k < end; ++k) {
                             if (k != begin) text.append(separator);
                             absl::StrAppend(&text, v[0].strings[k]);
                           }
                           out->strings[row] = pool->Add(std::move(text));
                         }
                         return absl::OkStatus();
                       }};
}

// has(arr, x) -> UInt8, indexOf(arr, x) -> UInt64 (1-based, 0 when absent).
absl::StatusOr<ScalarBinding> BindHas(absl::string_view name, bool index,
                                      absl::Span<const ScalarArg> args) {
  if (args.size() != 2) return ArityError(name, args.size(), "2");
  if (!IsScalarArray(args[0].type)) return IllegalType(name, args[0].type, 1);
  const bool strings = StringElements(args[0].type);
  const DataType& needle = args[1].type;
  if (strings ? !needle.is_string() : !(needle.is_integer() || needle.is_time())) {
    return absl::InvalidArgumentError(absl::StrCat("Types of array and 2nd argument of function ",
                                                   name, " must be identical up to nullability, "
                                                   "cardinality, numeric types, or Enum and numeric "
                                                   "type. Passed: ", args[0].type.Name(), " and ",
                                                   needle.Name()));
  }
  return ScalarBinding{DataType::Of(index ? TypeId::kUInt64 : TypeId::kUInt8),
                       [strings, index](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                         ResizeInts(out, rows);
                         for (size_t row = 0; row < rows; ++row) {
                           const auto [begin, end] = Bounds(v[0], row);
                           int64_t found = 0;
                           for (uint32_t k = begin; k < end && found == 0; ++k) {
                             const bool equal = strings ? v[0].strings[k] == v[1].string_at(row)
                                                        : v[0].ints[k] == v[1].int_at(row);
                             if (equal) found = k - begin + 1;
                           }
                           out->ints[row] = index ? found : found != 0;
                         }
                         return absl::OkStatus();
                       }};
}

// range(end), range(start, end[, step]) -> Array(UInt64) (Int64 when an argument is signed).
constexpr int64_t kMaxRangeElements = 100'000'000;  // ClickHouse's function_range_max_elements_in_block

absl::StatusOr<ScalarBinding> BindRange(absl::string_view name, absl::Span<const ScalarArg> args) {
  if (args.empty() || args.size() > 3) return ArityError(name, args.size(), "1, 2 or 3");
  bool is_signed = false;
  for (size_t i = 0; i < args.size(); ++i) {
    if (!args[i].type.is_integer()) return IllegalType(name, args[i].type, static_cast<int>(i + 1));
    is_signed |= !args[i].type.is_unsigned();
  }
  const DataType type = DataType::Array(is_signed ? TypeId::kInt64 : TypeId::kUInt64);
  const size_t count = args.size();
  return ScalarBinding{type, [type, count, name = std::string(name)](
                                 absl::Span<Vector> v, size_t rows, StringPool*,
                                 Vector* out) -> absl::Status {
                         StartArray(type, rows, out);
                         for (size_t row = 0; row < rows; ++row) {
                           const int64_t start = count == 1 ? 0 : v[0].int_at(row);
                           const int64_t end = count == 1 ? v[0].int_at(row) : v[1].int_at(row);
                           const int64_t step = count == 3 ? v[2].int_at(row) : 1;
                           if (step == 0) {
                             return absl::InvalidArgumentError(
                                 absl::StrCat("A call to function ", name, " overflows, the step is 0"));
                           }
                           const int64_t elements =
                               step > 0 ? (end > start ? (end - start + step - 1) / step : 0)
                                        : (end < start ? (start - end - step - 1) / -step : 0);
                           if (static_cast<int64_t>(out->ints.size()) + elements > kMaxRangeElements) {
                             return absl::ResourceExhaustedError(absl::StrCat(
                                 "A call to function ", name, " would produce more than ",
                                 kMaxRangeElements, " array elements"));
                           }
                           for (int64_t i = 0; i < elements; ++i) out->ints.push_back(start + i * step);
                           if (absl::Status memory = CheckMemory(); !memory.ok()) return memory;
                           EndRow(out);
                         }
                         return absl::OkStatus();
                       }};
}

enum class Reorder { kReverse, kSort, kReverseSort, kDistinct };

absl::StatusOr<ScalarBinding> BindReorder(absl::string_view name, Reorder kind,
                                          absl::Span<const ScalarArg> args) {
  if (args.size() != 1) return ArityError(name, args.size(), "1");
  if (!IsScalarArray(args[0].type)) return IllegalType(name, args[0].type, 1);
  const DataType type = args[0].type;
  return ScalarBinding{type, [type, kind](absl::Span<Vector> v, size_t rows, StringPool*,
                                          Vector* out) {
                         StartArray(type, rows, out);
                         const bool strings = StringElements(type);
                         const bool is_unsigned = DataType::Of(type.element).is_unsigned();
                         for (size_t row = 0; row < rows; ++row) {
                           const auto [begin, end] = Bounds(v[0], row);
                           if (strings) {
                             std::vector<absl::string_view> values(v[0].strings.begin() + begin,
                                                                   v[0].strings.begin() + end);
                             if (kind == Reorder::kReverse) std::reverse(values.begin(), values.end());
                             if (kind == Reorder::kSort) std::sort(values.begin(), values.end());
                             if (kind == Reorder::kReverseSort) std::sort(values.rbegin(), values.rend());
                             if (kind == Reorder::kDistinct) {
                               HashSet<absl::string_view> seen;
                               for (absl::string_view s : values) {
                                 if (seen.insert(s).second) out->strings.push_back(s);
                               }
                             } else {
                               out->strings.insert(out->strings.end(), values.begin(), values.end());
                             }
                           } else {
                             std::vector<int64_t> values(v[0].ints.begin() + begin, v[0].ints.begin() + end);
                             const auto less = [is_unsigned](int64_t a, int64_t b) {
                               return is_unsigned ? static_cast<uint64_t>(a) < static_cast<uint64_t>(b) : a < b;
                             };
                             if (kind == Reorder::kReverse) std::reverse(values.begin(), values.end());
                             if (kind == Reorder::kSort) std::sort(values.begin(), values.end(), less);
                             if (kind == Reorder::kReverseSort) std::sort(values.rbegin(), values.rend(), less);
                             if (kind == Reorder::kDistinct) {
                               HashSet<int64_t> seen;
                               for (int64_t x : values) {
                                 if (seen.insert(x).second) out->ints.push_back(x);
                               }
                             } else {
                               out->ints.insert(out->ints.end(), values.begin(), values.end());
                             }
                           }
                           EndRow(out);
                         }
                         return absl::OkStatus();
                       }};
}

absl::StatusOr<ScalarBinding> BindArrayConcat(absl::string_view name,
                                              absl::Span<const ScalarArg> args) {
  if (args.empty()) return ArityError(name, args.size(), "at least 1");
  for (size_t i = 0; i < args.size(); ++i) {
    if (!IsScalarArray(args[i].type) || args[i].type.element != args[0].type.element) {
      return IllegalType(name, args[i].type, static_cast<int>(i + 1));
    }
  }
  const DataType type = args[0].type;
  return ScalarBinding{type, [type](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                         StartArray(type, rows, out);
                         for (size_t row = 0; row < rows; ++row) {
                           for (const Vector& array : v) {
                             const auto [begin, end] = Bounds(array, row);
                             if (StringElements(type)) {
                               out->strings.insert(out->strings.end(), array.strings.begin() + begin,
                                                   array.strings.begin() + end);
                             } else {
                               out->ints.insert(out->ints.end(), array.ints.begin() + begin,
                                                array.ints.begin() + end);
                             }
                           }
                           EndRow(out);
                         }
                         return absl::OkStatus();
                       }};
}

// arraySlice(arr, offset[, length]): offset 1-based (negative from the end), length
// negative drops that many from the end, as ClickHouse.
absl::StatusOr<ScalarBinding> BindArraySlice(absl::string_view name,
                                             absl::Span<const ScalarArg> args) {
  if (args.size() != 2 && args.size() != 3) return ArityError(name, args.size(), "2 or 3");
  if (!IsScalarArray(args[0].type)) return IllegalType(name, args[0].type, 1);
  for (size_t i = 1; i < args.size(); ++i) {
    if (!args[i].type.is_integer()) return IllegalType(name, args[i].type, static_cast<int>(i + 1));
  }
  const DataType type = args[0].type;
  const bool has_length = args.size() == 3;
  return ScalarBinding{type, [type, has_length](absl::Span<Vector> v, size_t rows, StringPool*,
                                                Vector* out) {
                         StartArray(type, rows, out);
                         for (size_t row = 0; row < rows; ++row) {
                           const auto [begin, end] = Bounds(v[0], row);
                           const int64_t size = end - begin;
                           const int64_t offset = v[1].int_at(row);
                           int64_t from = offset > 0 ? offset - 1 : offset < 0 ? size + offset : size;
                           int64_t to = size;
                           if (has_length) {
                             const int64_t length = v[2].int_at(row);
                             to = length >= 0 ? from + length : size + length;
                           }
                           from = std::clamp<int64_t>(from, 0, size);
                           to = std::clamp<int64_t>(to, from, size);
                           if (offset == 0) to = from;  // ClickHouse: offset 0 gives []
                           for (int64_t k = begin + from; k < begin + to; ++k) {
                             if (StringElements(type)) {
                               out->strings.push_back(v[0].strings[k]);
                             } else {
                               out->ints.push_back(v[0].ints[k]);
                             }
                           }
                           EndRow(out);
                         }
                         return absl::OkStatus();
                       }};
}

absl::StatusOr<ScalarBinding> BindEmptyArrayString(absl::string_view name,
                                                   absl::Span<const ScalarArg> args) {
  if (!args.empty()) return ArityError(name, args.size(), "0");
  const DataType type = DataType::Array(TypeId::kString);
  return ScalarBinding{type, [type](absl::Span<Vector>, size_t rows, StringPool*, Vector* out) {
                         StartArray(type, rows, out);
                         for (size_t row = 0; row < rows; ++row) EndRow(out);
                         return absl::OkStatus();
                       }};
}

}  // namespace

void RegisterArray(FunctionRegistry* registry) {
  registry->Add("splitByChar", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindSplit(n, true, a);
  });
  registry->Add("splitByString", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindSplit(n, false, a);
  });
  registry->Add("arrayStringConcat", BindStringConcat);
  registry->Add("has", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindHas(n, false, a);
  });
  registry->Add("indexOf", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindHas(n, true, a);
  });
  registry->Add("range", BindRange);
  static constexpr std::pair<const char*, Reorder> kReorders[] = {
      {"arrayReverse", Reorder::kReverse}, {"arraySort", Reorder::kSort},
      {"arrayReverseSort", Reorder::kReverseSort}, {"arrayDistinct", Reorder::kDistinct}};
  for (const auto& [function, kind] : kReorders) {
    const Reorder bound = kind;
    registry->Add(function, [bound](absl::string_view n, absl::Span<const ScalarArg> a) {
      return BindReorder(n, bound, a);
    });
  }
  registry->Add("arrayConcat", BindArrayConcat);
  registry->Add("arraySlice", BindArraySlice);
  registry->Add("emptyArrayString", BindEmptyArrayString);
}

}  // namespace mua::query_internal
