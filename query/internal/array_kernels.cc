// Array functions over Array(T) of any T (query/internal/array_util.h has the
// layout): has, indexOf,
// countEqual, hasAll, hasAny, range, arrayReverse, arrayDistinct, arrayUniq, arrayCompact,
// arrayConcat, arraySlice, arrayPopBack/Front, arrayPushBack/Front,
// arrayEnumerate, arrayDifference, arrayZip, arrayFlatten, emptyArray<T>. The higher-order
// functions (arrayMap, arraySort, arraySum...) are in lambda_kernels.cc, the ones
// between strings and arrays (splitBy*, arrayStringConcat) in string_array_kernels.cc.
#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "query/internal/array_util.h"
#include "query/internal/function_registry.h"
#include "query/internal/kernel_util.h"
#include "query/interrupt.h"
#include "storage/base/hash_containers.h"
#include "storage/base/memory_tracker.h"
#include "storage/base/status_macros.h"

namespace mua::query_internal {
namespace {

bool IsArray(const DataType& type) { return type.id == TypeId::kArray; }


// Picks, for one row of the first argument (elements [begin, end)), the element
// positions the result row keeps, in order.
using Chooser = std::function<void(absl::Span<const Vector> args, size_t row, uint32_t begin,
                                   uint32_t end, const Vector& elements, std::vector<uint32_t>* picks)>;

// A kernel whose result rows are picked elements of the first argument (type `type`).
ScalarKernel PickKernel(DataType type, Chooser choose) {
  return [type, choose = std::move(choose)](absl::Span<Vector> v, size_t rows, StringPool*,
                                            Vector* out) {
    const bool constant = AllConstant(v);
    const size_t physical = constant ? 1 : rows;
    MUA_RETURN_IF_ERROR(CheckArrayRowElements(v[0], physical));
    const Vector elements = ArrayElements(v[0]);
    std::vector<uint32_t> picks;
    std::vector<uint32_t> offsets{0};
    for (size_t row = 0; row < physical; ++row) {
      const auto [begin, end] = ArrayBounds(v[0], row);
      choose(v, row, begin, end, elements, &picks);
      offsets.push_back(static_cast<uint32_t>(picks.size()));
    }
    Vector picked;
    Gather(elements, picks, &picked);
    BuildArray(type.element_type(), std::move(offsets), std::move(picked), out);
    if (constant) MarkConstant(rows, out);
    return CheckStatementInterrupted();  // KILL / time limit once a batch's arrays are done
  };
}

// Whether values of `element` and `value` can be compared for equality (has, indexOf).
bool Comparable(const DataType& element, const DataType& value) {
  DataType a = element.WithoutNullable(), b = value.WithoutNullable();
  a.low_cardinality = b.low_cardinality = false;
  if (a.is_null_type() || b.is_null_type()) return true;
  if (a.is_string() || b.is_string()) return a.is_string() && b.is_string();
  if ((a.is_numeric() || a.is_time()) && (b.is_numeric() || b.is_time())) return true;
  return a == b;
}

// elements[k] == value[row], numbers across types and time units; NULL equals NULL (has).
bool ElementEquals(const Vector& elements, uint32_t k, const Vector& value, size_t row) {
  const bool null_element = elements.is_null(k), null_value = value.is_null(row);
  if (null_element || null_value) return null_element && null_value;
  const DataType& a = elements.type;
  const DataType& b = value.type;
  if (a.is_string()) return elements.string_at(k) == value.string_at(row);
  if (a.id == TypeId::kFloat64 || b.id == TypeId::kFloat64) {
    return elements.number_at(k) == value.number_at(row);
  }
  if (a.is_time() && b.is_time() && a.id != b.id) {
    return elements.int_at(k) * MillisPerUnit(a.id) == value.int_at(row) * MillisPerUnit(b.id);
  }
  if (a.is_numeric() || a.is_time()) return elements.int_at(k) == value.int_at(row);
  return CompareValues(elements, k, value, row, true) == 0;
}

enum class Search { kHas, kIndexOf, kCountEqual };

// has(arr, x) -> UInt8, indexOf(arr, x) -> UInt64 (1-based, 0 when absent), countEqual -> UInt64.
absl::StatusOr<ScalarBinding> BindHas(absl::string_view name, Search kind,
                                      absl::Span<const ScalarArg> args) {
  if (args.size() != 2) return ArityError(name, args.size(), "2");
  if (!IsArray(args[0].type)) return IllegalType(name, args[0].type, 1);
  if (!Comparable(args[0].type.element_type(), args[1].type)) {
    return absl::InvalidArgumentError(absl::StrCat("Types of array and 2nd argument of function ",
                                                   name, " must be identical up to nullability, "
                                                   "cardinality, numeric types, or Enum and numeric "
                                                   "type. Passed: ", args[0].type.Name(), " and ",
                                                   args[1].type.Name()));
  }
  return ScalarBinding{DataType::Of(kind == Search::kHas ? TypeId::kUInt8 : TypeId::kUInt64),
                       [kind](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                         const bool constant = AllConstant(v);
                         const size_t physical = constant ? 1 : rows;
                         ResizeInts(out, physical);
                         const Vector elements = ArrayElements(v[0]);
                         for (size_t row = 0; row < physical; ++row) {
                           const auto [begin, end] = ArrayBounds(v[0], row);
                           int64_t found = 0;
                           for (uint32_t k = begin; k < end; ++k) {
                             if (!ElementEquals(elements, k, v[1], row)) continue;
                             if (kind == Search::kCountEqual) {
                               ++found;
                               continue;
                             }
                             found = kind == Search::kHas ? 1 : k - begin + 1;
                             break;
                           }
                           out->ints[row] = found;
                         }
                         if (constant) MarkConstant(rows, out);
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
                         InterruptTicker ticker;
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
                           // One row may hold 10^8 elements: its memory is asked for before it is
                           // taken (a clean 241, not a throw halfway), and KILL / the time limit are
                           // checked while it fills.
                           const size_t needed = out->ints.size() + static_cast<size_t>(elements);
                           if (needed > out->ints.capacity()) {
                             const size_t capacity = std::max(
                                 needed, std::min(2 * out->ints.capacity(), static_cast<size_t>(kMaxRangeElements)));
                             MUA_RETURN_IF_ERROR(CheckMemory(static_cast<int64_t>(capacity * sizeof(int64_t))));
                             out->ints.reserve(capacity);
                           }
                           for (int64_t i = 0; i < elements;) {
                             const int64_t chunk_end = std::min<int64_t>(
                                 elements, i + static_cast<int64_t>(kInterruptCheckEvery));
                             const size_t chunk = static_cast<size_t>(chunk_end - i);
                             for (; i < chunk_end; ++i) out->ints.push_back(start + i * step);
                             MUA_RETURN_IF_ERROR(ticker.Tick(chunk));
                           }
                           MUA_RETURN_IF_ERROR(ticker.Tick());
                           EndRow(out);
                         }
                         return absl::OkStatus();
                       }};
}

// hasAll(set, subset) / hasAny(a, b) -> UInt8: every / some element of the second
// array is in the first (NULL matches NULL). Hashed for strings and integers.
absl::StatusOr<ScalarBinding> BindHasAllAny(absl::string_view name, bool all,
                                            absl::Span<const ScalarArg> args) {
  if (args.size() != 2) return ArityError(name, args.size(), "2");
  for (size_t i = 0; i < 2; ++i) {
    if (!IsArray(args[i].type)) return IllegalType(name, args[i].type, static_cast<int>(i + 1));
  }
  const DataType a = args[0].type.element_type(), b = args[1].type.element_type();
  if (!Comparable(a, b)) {
    return absl::InvalidArgumentError(absl::StrCat("Types of arguments of function ", name,
                                                   " have no common supertype: ", args[0].type.Name(),
                                                   " and ", args[1].type.Name()));
  }
  const bool strings = a.WithoutNullable().is_string();
  const bool integers = a.WithoutNullable().is_integer() && b.WithoutNullable().is_integer();
  return ScalarBinding{DataType::Of(TypeId::kUInt8), [all, strings, integers](
                                                         absl::Span<Vector> v, size_t rows,
                                                         StringPool*, Vector* out) {
                         const bool constant = AllConstant(v);
                         const size_t physical = constant ? 1 : rows;
                         ResizeInts(out, physical);
                         const Vector set = ArrayElements(v[0]);
                         const Vector probe = ArrayElements(v[1]);
                         for (size_t row = 0; row < physical; ++row) {
                           // Not a structured binding: clang 14 (the fuzz build) cannot capture one.
                           const std::pair<uint32_t, uint32_t> set_bounds = ArrayBounds(v[0], row);
                           const uint32_t set_begin = set_bounds.first, set_end = set_bounds.second;
                           const auto [begin, end] = ArrayBounds(v[1], row);
                           bool set_has_null = false;
                           HashSet<absl::string_view> texts;
                           HashSet<int64_t> numbers;
                           if (strings || integers) {
                             for (uint32_t k = set_begin; k < set_end; ++k) {
                               if (set.is_null(k)) {
                                 set_has_null = true;
                               } else if (strings) {
                                 texts.insert(set.string_at(k));
                               } else {
                                 numbers.insert(set.int_at(k));
                               }
                             }
                           }
                           auto contains = [&](uint32_t j) {
                             if (!strings && !integers) {
                               for (uint32_t k = set_begin; k < set_end; ++k) {
                                 if (ElementEquals(set, k, probe, j)) return true;
                               }
                               return false;
                             }
                             if (probe.is_null(j)) return set_has_null;
                             return strings ? texts.contains(probe.string_at(j))
                                            : numbers.contains(probe.int_at(j));
                           };
                           bool result = all;
                           for (uint32_t j = begin; j < end && result == all; ++j) {
                             if (contains(j) != all) result = !all;
                           }
                           out->ints[row] = result;
                         }
                         if (constant) MarkConstant(rows, out);
                         return absl::OkStatus();
                       }};
}

absl::Status RequireArray(absl::string_view name, absl::Span<const ScalarArg> args, size_t count) {
  if (args.size() != count) return ArityError(name, args.size(), absl::StrCat(count));
  if (!IsArray(args[0].type)) return IllegalType(name, args[0].type, 1);
  return absl::OkStatus();
}

enum class Reorder { kReverse, kDistinct, kCompact, kPopBack, kPopFront };

absl::StatusOr<ScalarBinding> BindReorder(absl::string_view name, Reorder kind,
                                          absl::Span<const ScalarArg> args) {
  MUA_RETURN_IF_ERROR(RequireArray(name, args, 1));
  return ScalarBinding{args[0].type, PickKernel(args[0].type, [kind](absl::Span<const Vector>, size_t,
                                                                      uint32_t begin, uint32_t end,
                                                                      const Vector& elements,
                                                                      std::vector<uint32_t>* picks) {
    switch (kind) {
      case Reorder::kReverse:
        for (uint32_t k = end; k-- > begin;) picks->push_back(k);
        return;
      case Reorder::kDistinct: {
        // ClickHouse's arrayDistinct drops NULLs.
        HashSet<std::string> seen;
        std::string key;
        for (uint32_t k = begin; k < end; ++k) {
          if (elements.is_null(k)) continue;
          key.clear();
          AppendValueKey(elements, k, &key);
          if (seen.insert(key).second) picks->push_back(k);
        }
        return;
      }
      case Reorder::kCompact:
        for (uint32_t k = begin; k < end; ++k) {
          if (k == begin || CompareValues(elements, k, elements, k - 1, true) != 0) picks->push_back(k);
        }
        return;
      case Reorder::kPopBack:
        for (uint32_t k = begin; k + 1 < end; ++k) picks->push_back(k);
        return;
      case Reorder::kPopFront:
        for (uint32_t k = begin + 1; k < end; ++k) picks->push_back(k);
        return;
    }
  })};
}

// arrayUniq(arr) -> UInt64: the number of distinct elements (NULL counts as one).
absl::StatusOr<ScalarBinding> BindUniq(absl::string_view name, absl::Span<const ScalarArg> args) {
  MUA_RETURN_IF_ERROR(RequireArray(name, args, 1));
  return ScalarBinding{DataType::Of(TypeId::kUInt64), [](absl::Span<Vector> v, size_t rows, StringPool*,
                                                         Vector* out) {
                         ResizeInts(out, rows);
                         const Vector elements = ArrayElements(v[0]);
                         std::string key;
                         for (size_t row = 0; row < rows; ++row) {
                           const auto [begin, end] = ArrayBounds(v[0], row);
                           HashSet<std::string> seen;
                           for (uint32_t k = begin; k < end; ++k) {
                             key.clear();
                             AppendValueKey(elements, k, &key);
                             seen.insert(key);
                           }
                           out->ints[row] = static_cast<int64_t>(seen.size());
                         }
                         return absl::OkStatus();
                       }};
}

// The element type arrays of `a` and `b` elements share, or an error.
absl::StatusOr<DataType> SharedElement(absl::string_view name, const DataType& a, const DataType& b) {
  DataType x = a, y = b;
  x.low_cardinality = y.low_cardinality = false;
  if (x == y) return x;
  if (x.is_integer() && y.is_integer() && !x.nullable && !y.nullable) return CommonSuperType(name, x, y);
  return absl::InvalidArgumentError(absl::StrCat("There is no supertype for types ", a.Name(), ", ",
                                                 b.Name(), " because some of them are Array and some of them are not"));
}

absl::StatusOr<ScalarBinding> BindArrayConcat(absl::string_view name,
                                              absl::Span<const ScalarArg> args) {
  if (args.empty()) return ArityError(name, args.size(), "at least 1");
  DataType element = DataType::Of(TypeId::kNothing);
  for (size_t i = 0; i < args.size(); ++i) {
    if (!IsArray(args[i].type)) return IllegalType(name, args[i].type, static_cast<int>(i + 1));
    if (i == 0) {
      element = args[0].type.element_type();
      continue;
    }
    absl::StatusOr<DataType> shared = SharedElement(name, element, args[i].type.element_type());
    if (!shared.ok()) return shared.status();
    element = *shared;
  }
  const DataType type = DataType::ArrayOf(element);
  return ScalarBinding{type, [element](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                         const bool constant = AllConstant(v);
                         const size_t physical = constant ? 1 : rows;
                         // Every argument's elements one after another; `bases` says where each starts.
                         Vector all = EmptyVector(element);
                         std::vector<uint32_t> bases;
                         for (const Vector& array : v) {
                           MUA_RETURN_IF_ERROR(CheckArrayRowElements(array, physical));
                           bases.push_back(static_cast<uint32_t>(all.size));
                           Vector elements = ArrayElements(array);
                           elements.type = element;
                           AppendValues(elements, &all);
                         }
                         std::vector<uint32_t> picks, offsets{0};
                         for (size_t row = 0; row < physical; ++row) {
                           for (size_t i = 0; i < v.size(); ++i) {
                             const auto [begin, end] = ArrayBounds(v[i], row);
                             for (uint32_t k = begin; k < end; ++k) picks.push_back(bases[i] + k);
                           }
                           offsets.push_back(static_cast<uint32_t>(picks.size()));
                         }
                         Vector picked;
                         Gather(all, picks, &picked);
                         BuildArray(element, std::move(offsets), std::move(picked), out);
                         if (constant) MarkConstant(rows, out);
                         return CheckStatementInterrupted();  // KILL / time limit once a batch's arrays are done
                       }};
}

// arraySlice(arr, offset[, length]): offset 1-based (negative from the end), length
// negative drops that many from the end, as ClickHouse.
absl::StatusOr<ScalarBinding> BindArraySlice(absl::string_view name,
                                             absl::Span<const ScalarArg> args) {
  if (args.size() != 2 && args.size() != 3) return ArityError(name, args.size(), "2 or 3");
  if (!IsArray(args[0].type)) return IllegalType(name, args[0].type, 1);
  for (size_t i = 1; i < args.size(); ++i) {
    if (!args[i].type.is_integer()) return IllegalType(name, args[i].type, static_cast<int>(i + 1));
  }
  const bool has_length = args.size() == 3;
  return ScalarBinding{args[0].type, PickKernel(args[0].type, [has_length](absl::Span<const Vector> v, size_t row,
                                                                           uint32_t begin, uint32_t end,
                                                                           const Vector&,
                                                                           std::vector<uint32_t>* picks) {
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
    for (int64_t k = begin + from; k < begin + to; ++k) picks->push_back(static_cast<uint32_t>(k));
  })};
}

// arrayPushBack(arr, x) / arrayPushFront(arr, x): x converted to a plain scalar
// element type, or of the element's own type.
absl::StatusOr<ScalarBinding> BindPush(absl::string_view name, bool back,
                                       absl::Span<const ScalarArg> args) {
  MUA_RETURN_IF_ERROR(RequireArray(name, args, 2));
  const DataType element = args[0].type.element_type();
  const bool scalar = !args[0].type.nested_elements();
  if (!Comparable(element, args[1].type) || (!scalar && !(element == args[1].type))) {
    return absl::InvalidArgumentError(absl::StrCat("There is no supertype for types ", element.Name(),
                                                   ", ", args[1].type.Name()));
  }
  return ScalarBinding{args[0].type, [element, scalar, back](absl::Span<Vector> v, size_t rows, StringPool*,
                                                             Vector* out) {
                         const bool constant = AllConstant(v);
                         const size_t physical = constant ? 1 : rows;
                         MUA_RETURN_IF_ERROR(CheckArrayRowElements(v[0], physical));
                         Vector all = EmptyVector(element);
                         AppendValues(ArrayElements(v[0]), &all);
                         const uint32_t base = static_cast<uint32_t>(all.size);
                         Vector values;
                         if (scalar) {
                           values.type = element;
                           ResizeFor(element, physical, &values);
                           for (size_t row = 0; row < physical; ++row) CopyValue(v[1], row, element, &values);
                         } else {
                           values = v[1];
                           values.size = physical;
                         }
                         AppendValues(values, &all);
                         std::vector<uint32_t> picks, offsets{0};
                         for (size_t row = 0; row < physical; ++row) {
                           const auto [begin, end] = ArrayBounds(v[0], row);
                           if (!back) picks.push_back(base + static_cast<uint32_t>(row));
                           for (uint32_t k = begin; k < end; ++k) picks.push_back(k);
                           if (back) picks.push_back(base + static_cast<uint32_t>(row));
                           offsets.push_back(static_cast<uint32_t>(picks.size()));
                         }
                         Vector picked;
                         Gather(all, picks, &picked);
                         BuildArray(element, std::move(offsets), std::move(picked), out);
                         if (constant) MarkConstant(rows, out);
                         return absl::OkStatus();
                       }};
}

// arrayEnumerate(arr) -> Array(UInt32): [1, 2, ..., length(arr)].
absl::StatusOr<ScalarBinding> BindEnumerate(absl::string_view name, absl::Span<const ScalarArg> args) {
  MUA_RETURN_IF_ERROR(RequireArray(name, args, 1));
  const DataType type = DataType::Array(TypeId::kUInt32);
  return ScalarBinding{type, [type](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                         MUA_RETURN_IF_ERROR(CheckArrayRowElements(v[0], rows));
                         StartArray(type, rows, out);
                         for (size_t row = 0; row < rows; ++row) {
                           const auto [begin, end] = ArrayBounds(v[0], row);
                           for (uint32_t k = begin; k < end; ++k) out->ints.push_back(k - begin + 1);
                           EndRow(out);
                         }
                         return CheckStatementInterrupted();  // KILL / time limit once a batch's arrays are done
                       }};
}

// arrayZip(a, b, ...) -> Array(Tuple(A, B, ...)); the arrays must have equal sizes.
absl::StatusOr<ScalarBinding> BindZip(absl::string_view name, absl::Span<const ScalarArg> args) {
  if (args.empty()) return ArityError(name, args.size(), "at least 1");
  std::vector<DataType> elements;
  for (size_t i = 0; i < args.size(); ++i) {
    if (!IsArray(args[i].type)) return IllegalType(name, args[i].type, static_cast<int>(i + 1));
    DataType element = args[i].type.element_type();
    element.low_cardinality = false;
    elements.push_back(element);
  }
  const DataType tuple = DataType::Tuple(elements);
  return ScalarBinding{DataType::ArrayOf(tuple), [tuple, name = std::string(name)](
                                                     absl::Span<Vector> v, size_t rows, StringPool*,
                                                     Vector* out) -> absl::Status {
                         const bool constant = AllConstant(v);
                         const size_t physical = constant ? 1 : rows;
                         MUA_RETURN_IF_ERROR(CheckArrayRowElements(v[0], physical));
                         const std::vector<uint32_t> offsets = ArrayRowOffsets(v[0], physical);
                         Vector zipped;
                         zipped.type = tuple;
                         zipped.size = offsets.back();
                         for (size_t i = 0; i < v.size(); ++i) {
                           if (ArrayRowOffsets(v[i], physical) != offsets) {
                             return absl::InvalidArgumentError(absl::StrCat(
                                 "The argument 1 and argument ", i + 1, " of function ", name,
                                 " have different array sizes"));
                           }
                           zipped.children.push_back(ArrayRowElements(v[i], physical));
                         }
                         BuildArray(tuple, offsets, std::move(zipped), out);
                         if (constant) MarkConstant(rows, out);
                         return absl::OkStatus();
                       }};
}

// arrayFlatten(arr) / flatten: the innermost elements of an array of arrays, in order.
absl::StatusOr<ScalarBinding> BindFlatten(absl::string_view name, absl::Span<const ScalarArg> args) {
  MUA_RETURN_IF_ERROR(RequireArray(name, args, 1));
  DataType element = args[0].type.element_type();
  while (element.id == TypeId::kArray) element = element.element_type();
  return ScalarBinding{DataType::ArrayOf(element), [element](absl::Span<Vector> v, size_t rows, StringPool*,
                                                             Vector* out) {
                         const bool constant = AllConstant(v);
                         const size_t physical = constant ? 1 : rows;
                         MUA_RETURN_IF_ERROR(CheckArrayRowElements(v[0], physical));
                         std::vector<uint32_t> offsets = ArrayRowOffsets(v[0], physical);
                         Vector level = ArrayRowElements(v[0], physical);
                         while (level.type.id == TypeId::kArray) {
                           for (uint32_t& offset : offsets) offset = level.offsets[offset];
                           Vector inner = ArrayElements(level);
                           level = std::move(inner);
                         }
                         BuildArray(element, std::move(offsets), std::move(level), out);
                         if (constant) MarkConstant(rows, out);
                         return absl::OkStatus();
                       }};
}

// arrayDifference(arr): 0, then each element minus the one before it; the
// result widens as ClickHouse's (UInt8 -> Int16 ... UInt32 -> Int64, Float64).
absl::StatusOr<ScalarBinding> BindDifference(absl::string_view name, absl::Span<const ScalarArg> args) {
  MUA_RETURN_IF_ERROR(RequireArray(name, args, 1));
  const DataType element = args[0].type.element_type();
  if (args[0].type.nested_elements() || !element.is_numeric()) return IllegalType(name, args[0].type, 1);
  TypeId result = TypeId::kFloat64;
  switch (element.id) {
    case TypeId::kUInt8: case TypeId::kInt8: result = TypeId::kInt16; break;
    case TypeId::kUInt16: case TypeId::kInt16: result = TypeId::kInt32; break;
    case TypeId::kFloat64: result = TypeId::kFloat64; break;
    default: result = TypeId::kInt64; break;
  }
  const DataType type = DataType::Array(result);
  return ScalarBinding{type, [type, floats = result == TypeId::kFloat64](absl::Span<Vector> v, size_t rows,
                                                                         StringPool*, Vector* out) {
                         MUA_RETURN_IF_ERROR(CheckArrayRowElements(v[0], rows));
                         *out = Vector();
                         out->type = type;
                         out->size = rows;
                         out->offsets.assign(1, 0);
                         const Vector elements = ArrayElements(v[0]);
                         for (size_t row = 0; row < rows; ++row) {
                           const auto [begin, end] = ArrayBounds(v[0], row);
                           for (uint32_t k = begin; k < end; ++k) {
                             if (floats) {
                               out->floats.push_back(k == begin ? 0 : elements.number_at(k) - elements.number_at(k - 1));
                             } else {
                               // Wraps as ClickHouse's integer subtraction does.
                               out->ints.push_back(k == begin ? 0
                                                              : static_cast<int64_t>(static_cast<uint64_t>(elements.int_at(k)) -
                                                                                     static_cast<uint64_t>(elements.int_at(k - 1))));
                             }
                           }
                           out->offsets.push_back(static_cast<uint32_t>(floats ? out->floats.size() : out->ints.size()));
                         }
                         return absl::OkStatus();
                       }};
}

absl::StatusOr<ScalarBinding> BindEmptyArray(absl::string_view name, TypeId element,
                                             absl::Span<const ScalarArg> args) {
  if (!args.empty()) return ArityError(name, args.size(), "0");
  const DataType type = DataType::Array(element);
  return ScalarBinding{type, [type](absl::Span<Vector>, size_t rows, StringPool*, Vector* out) {
                         StartArray(type, rows, out);
                         for (size_t row = 0; row < rows; ++row) EndRow(out);
                         return absl::OkStatus();
                       }};
}

}  // namespace

namespace {

// An empty constant array ([] binds as Array(UInt8)): an element of any array type.
bool IsEmptyConstantArray(const ScalarArg& arg) {
  return arg.type.id == TypeId::kArray && arg.constant != nullptr && arg.constant->offsets.size() == 2 &&
         arg.constant->offsets[0] == arg.constant->offsets[1];
}

bool FlatIntegerArray(const DataType& type) {
  return type.id == TypeId::kArray && !type.nested_elements() && DataType::Of(type.element).is_integer();
}

}  // namespace

absl::StatusOr<ScalarBinding> BindArrayOfComposites(absl::string_view name,
                                                    absl::Span<const ScalarArg> args) {
  // The element type: the arguments' common type, integer arrays widened, [] fitting any array.
  DataType element = DataType::Null();
  for (const ScalarArg& arg : args) {
    DataType type = arg.type;
    type.low_cardinality = false;
    if (IsEmptyConstantArray(arg)) continue;
    if (element.is_null_type()) {
      element = type;
    } else if (FlatIntegerArray(element) && FlatIntegerArray(type) && !(element == type)) {
      absl::StatusOr<DataType> wider = CommonSuperType(name, element.element_type(), type.element_type());
      if (!wider.ok()) return wider.status();
      element = DataType::ArrayOf(*wider);
    } else if (!(type == element)) {
      return absl::UnimplementedError(absl::StrCat("array(...) of ", element.Name(), " and ",
                                                   type.Name(), " values is not supported"));
    }
  }
  if (element.is_null_type()) element = args[0].type;  // [[], []]
  return ScalarBinding{DataType::ArrayOf(element), [element](absl::Span<Vector> v, size_t rows,
                                                             StringPool*, Vector* out) {
                         const bool constant = AllConstant(v);
                         const size_t physical = constant ? 1 : rows;
                         // Every argument's rows one after another: argument i's row r is at i * physical + r.
                         Vector all = EmptyVector(element);
                         for (const Vector& arg : v) {
                           Vector rows_of_arg = arg;
                           rows_of_arg.size = physical;
                           rows_of_arg.Flatten();  // a constant: `physical` copies (tuple children too)
                           DataType type = rows_of_arg.type;
                           type.low_cardinality = false;
                           if (!(type == element) && !(FlatIntegerArray(type) && FlatIntegerArray(element))) {
                             // An empty array of another type: `physical` empty arrays of this one.
                             BuildArray(element.element_type(), std::vector<uint32_t>(physical + 1, 0),
                                        EmptyVector(element.element_type()), &rows_of_arg);
                           }
                           rows_of_arg.type = element;
                           AppendValues(rows_of_arg, &all);
                         }
                         std::vector<uint32_t> picks, offsets{0};
                         for (size_t row = 0; row < physical; ++row) {
                           for (size_t i = 0; i < v.size(); ++i) {
                             picks.push_back(static_cast<uint32_t>(i * physical + row));
                           }
                           offsets.push_back(static_cast<uint32_t>(picks.size()));
                         }
                         Vector picked;
                         Gather(all, picks, &picked);
                         BuildArray(element, std::move(offsets), std::move(picked), out);
                         if (constant) MarkConstant(rows, out);
                         return CheckStatementInterrupted();  // KILL / time limit once a batch's arrays are done
                       }};
}

void RegisterArray(FunctionRegistry* registry) {
  static constexpr std::pair<const char*, Search> kSearches[] = {
      {"has", Search::kHas}, {"indexOf", Search::kIndexOf}, {"countEqual", Search::kCountEqual}};
  for (const auto& [function, kind] : kSearches) {
    const Search bound = kind;
    registry->Add(function, [bound](absl::string_view n, absl::Span<const ScalarArg> a) {
      return BindHas(n, bound, a);
    });
  }
  registry->Add("range", BindRange);
  registry->Add("hasAll", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindHasAllAny(n, true, a);
  });
  registry->Add("hasAny", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindHasAllAny(n, false, a);
  });
  static constexpr std::pair<const char*, Reorder> kReorders[] = {
      {"arrayReverse", Reorder::kReverse}, {"arrayDistinct", Reorder::kDistinct},
      {"arrayCompact", Reorder::kCompact}, {"arrayPopBack", Reorder::kPopBack},
      {"arrayPopFront", Reorder::kPopFront}};
  for (const auto& [function, kind] : kReorders) {
    const Reorder bound = kind;
    registry->Add(function, [bound](absl::string_view n, absl::Span<const ScalarArg> a) {
      return BindReorder(n, bound, a);
    });
  }
  registry->Add("arrayUniq", BindUniq);
  registry->Add("arrayConcat", BindArrayConcat);
  registry->Add("arraySlice", BindArraySlice);
  registry->Add("arrayPushBack", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindPush(n, true, a);
  });
  registry->Add("arrayPushFront", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindPush(n, false, a);
  });
  registry->Add("arrayEnumerate", BindEnumerate);
  registry->Add("arrayDifference", BindDifference);
  registry->Add("arrayZip", BindZip);
  registry->Add("arrayFlatten", BindFlatten);
  registry->Add("flatten", BindFlatten);
  static constexpr std::pair<const char*, TypeId> kEmpty[] = {
      {"emptyArrayString", TypeId::kString},     {"emptyArrayUInt8", TypeId::kUInt8},
      {"emptyArrayUInt16", TypeId::kUInt16},     {"emptyArrayUInt32", TypeId::kUInt32},
      {"emptyArrayUInt64", TypeId::kUInt64},     {"emptyArrayInt8", TypeId::kInt8},
      {"emptyArrayInt16", TypeId::kInt16},       {"emptyArrayInt32", TypeId::kInt32},
      {"emptyArrayInt64", TypeId::kInt64},       {"emptyArrayFloat64", TypeId::kFloat64},
      {"emptyArrayFloat32", TypeId::kFloat64},   {"emptyArrayDate", TypeId::kDate},
      {"emptyArrayDateTime", TypeId::kDateTime}};
  for (const auto& [function, element] : kEmpty) {
    const TypeId bound = element;
    registry->Add(function, [bound](absl::string_view n, absl::Span<const ScalarArg> a) {
      return BindEmptyArray(n, bound, a);
    });
  }
  RegisterArrayMapped(registry);  // arrayMap's family without a lambda (lambda_kernels.cc)
  RegisterArrayReduce(registry);
}

}  // namespace mua::query_internal
