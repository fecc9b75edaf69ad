// Higher-order array functions (ClickHouse's FunctionArrayMapped family):
// arrayMap, arrayFilter, arrayExists, arrayAll, arrayCount, arrayFirst,
// arrayLast, arrayFirstIndex, arrayLastIndex, arraySort, arrayReverseSort,
// arraySum, arrayAvg, arrayMin, arrayMax, arrayProduct, arrayCumSum,
// arraySplit, arrayReverseSplit, arrayFill, arrayReverseFill.
// With a lambda, its body runs once per batch over the flattened elements of
// every row's arrays (the parameters), with the row's captured values
// replicated per element; the function then works on the "mapped" element
// values. Without a lambda the mapped values are the array's own elements.
#include <algorithm>
#include <numeric>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "query/internal/array_util.h"
#include "query/internal/kernel_util.h"
#include "query/interrupt.h"
#include "storage/base/memory_tracker.h"
#include "storage/base/status_macros.h"

namespace mua {
namespace query_internal {
namespace {

enum class Mapped {
  kMap, kFilter, kExists, kAll, kCount, kFirst, kLast, kFirstOrNull, kLastOrNull, kFirstIndex,
  kLastIndex, kSort,
  kReverseSort, kSum, kAvg, kMin, kMax, kProduct, kCumSum, kSplit, kReverseSplit, kFill,
  kReverseFill
};

struct MappedSpec {
  const char* name;
  Mapped kind;
  bool need_boolean;     // the mapped values are conditions (UInt8)
  bool need_expression;  // only with a lambda
};

constexpr MappedSpec kSpecs[] = {
    {"arrayMap", Mapped::kMap, false, true},
    {"arrayFilter", Mapped::kFilter, true, true},
    {"arrayExists", Mapped::kExists, true, false},
    {"arrayAll", Mapped::kAll, true, false},
    {"arrayCount", Mapped::kCount, true, false},
    {"arrayFirst", Mapped::kFirst, true, true},
    {"arrayLast", Mapped::kLast, true, true},
    {"arrayFirstOrNull", Mapped::kFirstOrNull, true, true},
    {"arrayLastOrNull", Mapped::kLastOrNull, true, true},
    {"arrayFirstIndex", Mapped::kFirstIndex, true, true},
    {"arrayLastIndex", Mapped::kLastIndex, true, true},
    {"arraySort", Mapped::kSort, false, false},
    {"arrayReverseSort", Mapped::kReverseSort, false, false},
    {"arraySum", Mapped::kSum, false, false},
    {"arrayAvg", Mapped::kAvg, false, false},
    {"arrayMin", Mapped::kMin, false, false},
    {"arrayMax", Mapped::kMax, false, false},
    {"arrayProduct", Mapped::kProduct, false, false},
    {"arrayCumSum", Mapped::kCumSum, false, false},
    {"arraySplit", Mapped::kSplit, true, true},
    {"arrayReverseSplit", Mapped::kReverseSplit, true, true},
    {"arrayFill", Mapped::kFill, true, true},
    {"arrayReverseFill", Mapped::kReverseFill, true, true},
};

const MappedSpec* FindSpec(absl::string_view name) {
  for (const MappedSpec& spec : kSpecs) {
    if (name == spec.name) return &spec;
  }
  return nullptr;
}

// The result type of `spec` over mapped values of type `mapped` and the first array `array`.
absl::StatusOr<DataType> ResultType(const MappedSpec& spec, const DataType& mapped,
                                    const DataType& array, bool with_lambda) {
  DataType value = mapped;
  value.low_cardinality = false;
  const DataType plain = value.WithoutNullable();
  if (spec.need_boolean && !plain.is_integer() && plain.id != TypeId::kNothing) {
    if (!with_lambda) {
      return absl::InvalidArgumentError(absl::StrCat("The first and only argument for function ",
                                                     spec.name, " must be array of UInt8. Found ",
                                                     array.Name(), " instead"));
    }
    return absl::InvalidArgumentError(absl::StrCat("Expression for function ", spec.name,
                                                   " must return UInt8 or Nullable(UInt8), found ",
                                                   mapped.Name()));
  }
  auto number_type = [&](bool widen) -> absl::StatusOr<DataType> {
    if (plain.id == TypeId::kFloat64) return DataType::Of(TypeId::kFloat64);
    if (plain.is_integer()) {
      if (!widen) return DataType::Of(TypeId::kFloat64);
      return DataType::Of(plain.is_unsigned() ? TypeId::kUInt64 : TypeId::kInt64);
    }
    return absl::InvalidArgumentError(absl::StrCat(
        spec.kind == Mapped::kCumSum ? "arrayCumSum cannot add values of type "
                                     : "array aggregation function cannot be performed on type ",
        mapped.Name()));
  };
  switch (spec.kind) {
    case Mapped::kMap: return DataType::ArrayOf(value);
    case Mapped::kFilter:
    case Mapped::kSort:
    case Mapped::kReverseSort:
    case Mapped::kFill:
    case Mapped::kReverseFill: return array;
    case Mapped::kSplit:
    case Mapped::kReverseSplit: return DataType::ArrayOf(array);
    case Mapped::kExists:
    case Mapped::kAll: return DataType::Of(TypeId::kUInt8);
    case Mapped::kCount:
    case Mapped::kFirstIndex:
    case Mapped::kLastIndex: return DataType::Of(TypeId::kUInt32);
    case Mapped::kFirst:
    case Mapped::kLast: return array.element_type();
    case Mapped::kFirstOrNull:
    case Mapped::kLastOrNull: {
      const DataType element = array.element_type();
      return element.CannotBeNullable() ? element : element.WithNullable();
    }
    case Mapped::kMin:
    case Mapped::kMax: return value;
    case Mapped::kSum: return number_type(true);
    case Mapped::kAvg:
    case Mapped::kProduct: return number_type(false);
    case Mapped::kCumSum: {
      absl::StatusOr<DataType> element = number_type(true);
      if (!element.ok()) return element.status();
      return DataType::Array(element->id);
    }
  }
  return absl::InternalError("unknown array function");
}

// Gathers `picks` of `elements`, where -1 picks the type's default (NULL when Nullable).
void GatherOrDefault(const Vector& elements, const DataType& type, const std::vector<int64_t>& picks,
                     Vector* out) {
  Vector source = EmptyVector(type);
  AppendValues(elements, &source);
  Vector fallback = type.nullable ? Vector::ConstantNullOf(type, 1) : Vector::Defaults(type, 1);
  fallback.type = type;
  AppendValues(fallback, &source);
  const uint32_t default_at = static_cast<uint32_t>(source.size - 1);
  std::vector<uint32_t> positions(picks.size());
  for (size_t i = 0; i < picks.size(); ++i) {
    positions[i] = picks[i] < 0 ? default_at : static_cast<uint32_t>(picks[i]);
  }
  Gather(source, positions, out);
  out->type = type;
}

// Sums or multiplies the non-NULL mapped values of each row.
absl::Status Aggregate(Mapped kind, const DataType& type, const Vector& mapped,
                       const std::vector<uint32_t>& offsets, Vector* out) {
  InterruptTicker ticker;
  const size_t rows = offsets.size() - 1;
  const bool floats = mapped.type.id == TypeId::kFloat64;
  const bool is_unsigned = mapped.type.WithoutNullable().is_unsigned();
  if (type.id == TypeId::kFloat64) {
    ResizeFloats(out, rows);
  } else {
    ResizeInts(out, rows);
  }
  for (size_t row = 0; row < rows; ++row) {
    // Integers add and multiply in 64 bits, wrapping as ClickHouse's do.
    uint64_t int_value = kind == Mapped::kProduct ? 1 : 0;
    double float_value = kind == Mapped::kProduct ? 1 : 0;
    size_t count = 0;
    for (uint32_t k = offsets[row]; k < offsets[row + 1]; ++k) {
      MUA_RETURN_IF_ERROR(ticker.Tick());
      if (mapped.is_null(k)) continue;
      ++count;
      if (floats) {
        float_value = kind == Mapped::kProduct ? float_value * mapped.float_at(k) : float_value + mapped.float_at(k);
      } else {
        const uint64_t x = static_cast<uint64_t>(mapped.int_at(k));
        int_value = kind == Mapped::kProduct ? int_value * x : int_value + x;
      }
    }
    double as_double = floats ? float_value
                       : is_unsigned ? static_cast<double>(int_value)
                                     : static_cast<double>(static_cast<int64_t>(int_value));
    if (count == 0) as_double = 0;
    if (kind == Mapped::kAvg) {
      out->floats[row] = count == 0 ? 0 : as_double / static_cast<double>(count);
    } else if (type.id == TypeId::kFloat64) {
      out->floats[row] = as_double;
    } else {
      out->ints[row] = static_cast<int64_t>(int_value);
    }
  }
  return absl::OkStatus();
}

absl::Status CumulativeSum(const DataType& type, const Vector& mapped, const std::vector<uint32_t>& offsets,
                           Vector* out) {
  InterruptTicker ticker;
  const DataType element = type.element_type();
  Vector sums;
  sums.type = element;
  const uint32_t total = offsets.back();
  sums.size = total;
  if (element.id == TypeId::kFloat64) {
    sums.floats.resize(total);
  } else {
    sums.ints.resize(total);
  }
  for (size_t row = 0; row + 1 < offsets.size(); ++row) {
    uint64_t int_sum = 0;
    double float_sum = 0;
    for (uint32_t k = offsets[row]; k < offsets[row + 1]; ++k) {
      MUA_RETURN_IF_ERROR(ticker.Tick());
      const bool null = mapped.is_null(k);
      if (element.id == TypeId::kFloat64) {
        float_sum += null ? 0 : mapped.number_at(k);
        sums.floats[k] = float_sum;
      } else {
        int_sum += null ? 0 : static_cast<uint64_t>(mapped.int_at(k));
        sums.ints[k] = static_cast<int64_t>(int_sum);
      }
    }
  }
  BuildArray(element, offsets, std::move(sums), out);
  return absl::OkStatus();
}

// Per row, the positions of the elements in mapped-value order (stable: equal keys keep
// their order). NULLs and NaNs come last both ways, as ClickHouse's arraySort.
std::vector<uint32_t> SortedPositions(bool descending, const Vector& mapped,
                                      const std::vector<uint32_t>& offsets) {
  std::vector<uint32_t> positions(offsets.back());
  std::iota(positions.begin(), positions.end(), 0);
  for (size_t row = 0; row + 1 < offsets.size(); ++row) {
    auto begin = positions.begin() + offsets[row];
    auto end = positions.begin() + offsets[row + 1];
    if (descending) {
      std::stable_sort(begin, end, [&](uint32_t a, uint32_t b) {
        return CompareValues(mapped, a, mapped, b, false) > 0;
      });
    } else {
      std::stable_sort(begin, end, [&](uint32_t a, uint32_t b) {
        return CompareValues(mapped, a, mapped, b, true) < 0;
      });
    }
  }
  return positions;
}

// Row r's elements are [offsets[r], offsets[r + 1]) of `elements` (the first array's) and
// of `mapped` (the lambda's values, or the elements themselves).
absl::Status Apply(Mapped kind, const DataType& type, const Vector& elements, Vector mapped,
                   const std::vector<uint32_t>& offsets, Vector* out) {
  const size_t rows = offsets.size() - 1;
  mapped.size = offsets.back();
  mapped.Flatten();
  mapped.MaterializeStrings();
  // One row's array may hold 10^8 elements: KILL and the time limit are checked inside it.
  InterruptTicker ticker;
  MUA_RETURN_IF_ERROR(CheckStatementInterrupted());
  switch (kind) {
    case Mapped::kMap: {
      BuildArray(type.element_type(), offsets, std::move(mapped), out);
      return absl::OkStatus();
    }
    case Mapped::kFilter: {
      std::vector<uint32_t> picks;
      std::vector<uint32_t> new_offsets{0};
      for (size_t row = 0; row < rows; ++row) {
        for (uint32_t k = offsets[row]; k < offsets[row + 1]; ++k) {
          MUA_RETURN_IF_ERROR(ticker.Tick());
          if (IsTrue(mapped, k)) picks.push_back(k);
        }
        new_offsets.push_back(static_cast<uint32_t>(picks.size()));
      }
      Vector picked;
      Gather(elements, picks, &picked);
      BuildArray(type.element_type(), std::move(new_offsets), std::move(picked), out);
      return absl::OkStatus();
    }
    case Mapped::kExists:
    case Mapped::kAll:
    case Mapped::kCount:
    case Mapped::kFirstIndex:
    case Mapped::kLastIndex: {
      ResizeInts(out, rows);
      for (size_t row = 0; row < rows; ++row) {
        int64_t result = kind == Mapped::kAll ? 1 : 0;
        for (uint32_t k = offsets[row]; k < offsets[row + 1]; ++k) {
          MUA_RETURN_IF_ERROR(ticker.Tick());
          const bool truth = IsTrue(mapped, k);
          if (kind == Mapped::kExists && truth) result = 1;
          if (kind == Mapped::kAll && !truth) result = 0;
          if (kind == Mapped::kCount) result += truth;
          if (kind == Mapped::kFirstIndex && truth && result == 0) result = k - offsets[row] + 1;
          if (kind == Mapped::kLastIndex && truth) result = k - offsets[row] + 1;
        }
        out->ints[row] = result;
      }
      return absl::OkStatus();
    }
    case Mapped::kFirst:
    case Mapped::kLast:
    case Mapped::kFirstOrNull:
    case Mapped::kLastOrNull:
    case Mapped::kMin:
    case Mapped::kMax: {
      const bool extreme = kind == Mapped::kMin || kind == Mapped::kMax;
      std::vector<int64_t> picks(rows, -1);
      for (size_t row = 0; row < rows; ++row) {
        for (uint32_t k = offsets[row]; k < offsets[row + 1]; ++k) {
          MUA_RETURN_IF_ERROR(ticker.Tick());
          int64_t& pick = picks[row];
          const bool first = kind == Mapped::kFirst || kind == Mapped::kFirstOrNull;
          const bool last = kind == Mapped::kLast || kind == Mapped::kLastOrNull;
          if (first && pick < 0 && IsTrue(mapped, k)) pick = k;
          if (last && IsTrue(mapped, k)) pick = k;
          // min: NULL/NaN lose (greater); max: they lose too (smaller).
          if (kind == Mapped::kMin && (pick < 0 || CompareValues(mapped, k, mapped, pick, true) < 0)) pick = k;
          if (kind == Mapped::kMax && (pick < 0 || CompareValues(mapped, k, mapped, pick, false) > 0)) pick = k;
        }
      }
      GatherOrDefault(extreme ? mapped : elements, type, picks, out);
      return absl::OkStatus();
    }
    case Mapped::kSort:
    case Mapped::kReverseSort: {
      MUA_RETURN_IF_ERROR(CheckMemory(static_cast<int64_t>(offsets.back()) * 2 * sizeof(uint32_t)));
      const std::vector<uint32_t> positions = SortedPositions(kind == Mapped::kReverseSort, mapped, offsets);
      Vector sorted;
      Gather(elements, positions, &sorted);
      BuildArray(type.element_type(), offsets, std::move(sorted), out);
      return absl::OkStatus();
    }
    case Mapped::kSum:
    case Mapped::kAvg:
    case Mapped::kProduct: return Aggregate(kind, type, mapped, offsets, out);
    case Mapped::kCumSum: return CumulativeSum(type, mapped, offsets, out);
    case Mapped::kSplit:
    case Mapped::kReverseSplit: {
      // arraySplit cuts before an element whose value is true (not the first);
      // arrayReverseSplit after one (not the last).
      const bool reverse = kind == Mapped::kReverseSplit;
      std::vector<uint32_t> inner{0};
      std::vector<uint32_t> outer{0};
      for (size_t row = 0; row < rows; ++row) {
        const uint32_t begin = offsets[row], end = offsets[row + 1];
        for (uint32_t k = begin; k < end; ++k) {
          MUA_RETURN_IF_ERROR(ticker.Tick());
          const bool cut = reverse ? (k + 1 < end && IsTrue(mapped, k)) : (k > begin && IsTrue(mapped, k));
          if (cut) inner.push_back(reverse ? k + 1 : k);
        }
        if (end > begin) inner.push_back(end);
        outer.push_back(static_cast<uint32_t>(inner.size() - 1));
      }
      Vector chunks;
      BuildArray(elements.type, std::move(inner), elements, &chunks);
      BuildArray(chunks.type, std::move(outer), std::move(chunks), out);
      return absl::OkStatus();
    }
    case Mapped::kFill:
    case Mapped::kReverseFill: {
      // A false element takes the value of the nearest kept one before it (after it
      // for arrayReverseFill); the first (last) element is always kept.
      std::vector<uint32_t> picks(offsets.back());
      for (size_t row = 0; row < rows; ++row) {
        const uint32_t begin = offsets[row], end = offsets[row + 1];
        MUA_RETURN_IF_ERROR(ticker.Tick(end - begin));
        if (kind == Mapped::kFill) {
          uint32_t kept = begin;
          for (uint32_t k = begin; k < end; ++k) {
            if (k == begin || IsTrue(mapped, k)) kept = k;
            picks[k] = kept;
          }
        } else {
          uint32_t kept = end;
          for (uint32_t k = end; k-- > begin;) {
            if (k + 1 == end || IsTrue(mapped, k)) kept = k;
            picks[k] = kept;
          }
        }
      }
      Vector filled;
      Gather(elements, picks, &filled);
      BuildArray(type.element_type(), offsets, std::move(filled), out);
      return absl::OkStatus();
    }
  }
  return absl::InternalError("unknown array function");
}

// Elements per slice when a lambda body runs over more elements than that.
constexpr size_t kBodySliceElements = size_t{1} << 20;

// The body over the flattened elements: one Evaluate, or slice by slice when one batch's
// arrays are huge (arrayMap(x -> ..., range(1e8))), so that KILL and the time limit are
// checked between slices instead of after the whole array.
absl::Status EvaluateBody(const BoundExpr& body, const Batch& batch, Vector* mapped) {
  if (batch.rows <= kBodySliceElements) return Evaluate(body, batch, mapped);
  Vector all;
  std::vector<uint32_t> positions;
  for (size_t begin = 0; begin < batch.rows; begin += kBodySliceElements) {
    MUA_RETURN_IF_ERROR(CheckStatementInterrupted());
    const size_t end = std::min(batch.rows, begin + kBodySliceElements);
    positions.resize(end - begin);
    std::iota(positions.begin(), positions.end(), static_cast<uint32_t>(begin));
    Batch slice;
    slice.rows = end - begin;
    slice.pool = batch.pool;
    for (const Vector& column : batch.columns) Gather(column, positions, &slice.columns.emplace_back());
    Vector part;
    MUA_RETURN_IF_ERROR(Evaluate(body, slice, &part));
    part.size = slice.rows;
    if (begin == 0) all = EmptyVector(part.type);
    AppendValues(part, &all);
  }
  *mapped = std::move(all);
  return absl::OkStatus();
}

// Without a lambda: the array's elements are the mapped values.
absl::StatusOr<ScalarBinding> BindPlain(const MappedSpec& spec, absl::Span<const ScalarArg> args) {
  if (spec.need_expression || args.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("Function ", spec.name, " needs at least ",
                                                   spec.need_expression ? 2 : 1,
                                                   " argument", spec.need_expression ? "s" : "",
                                                   ", passed ", args.size()));
  }
  if (args.size() > 1) {
    return absl::InvalidArgumentError(absl::StrCat("First argument for function ", spec.name,
                                                   " must be a function. Actual ", args[0].type.Name()));
  }
  if (args[0].type.id != TypeId::kArray) {
    return absl::InvalidArgumentError(absl::StrCat("The first and only argument for function ", spec.name,
                                                   " must be array. Found ", args[0].type.Name(), " instead"));
  }
  absl::StatusOr<DataType> type = ResultType(spec, args[0].type.element_type(), args[0].type, false);
  if (!type.ok()) return type.status();
  const Mapped kind = spec.kind;
  return ScalarBinding{*type, [kind, type = *type](absl::Span<Vector> v, size_t rows, StringPool*,
                                                   Vector* out) -> absl::Status {
                         const bool constant = v[0].constant;
                         const size_t physical = constant ? 1 : rows;
                         MUA_RETURN_IF_ERROR(CheckArrayRowElements(v[0], physical));
                         Vector elements = ArrayRowElements(v[0], physical);
                         MUA_RETURN_IF_ERROR(Apply(kind, type, elements, elements,
                                                   ArrayRowOffsets(v[0], physical), out));
                         out->type = type;
                         if (constant) MarkConstant(rows, out);
                         return absl::OkStatus();
                       }};
}

// Whether a single Array(Tuple) argument spreads over `params` parameters.
bool SpreadsTuple(absl::Span<const DataType> arrays, size_t params) {
  if (arrays.size() != 1 || arrays[0].id != TypeId::kArray) return false;
  const DataType element = arrays[0].element_type();
  return element.is_tuple() && element.tuple_size() > 1 && element.tuple_size() == params;
}

}  // namespace

void RegisterArrayMapped(FunctionRegistry* registry) {
  for (const MappedSpec& spec : kSpecs) {
    const MappedSpec* bound = &spec;
    registry->Add(spec.name, [bound](absl::string_view, absl::Span<const ScalarArg> args) {
      return BindPlain(*bound, args);
    });
  }
}

}  // namespace query_internal

bool IsHigherOrderFunction(absl::string_view name) {
  return query_internal::FindSpec(name) != nullptr;
}

absl::StatusOr<std::vector<DataType>> LambdaParameterTypes(absl::string_view name,
                                                           absl::Span<const DataType> arrays,
                                                           size_t params) {
  if (arrays.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("Function ", name, " needs at least 2 arguments, passed 1"));
  }
  std::vector<DataType> types;
  for (size_t i = 0; i < arrays.size(); ++i) {
    if (arrays[i].id != TypeId::kArray) {
      return absl::InvalidArgumentError(absl::StrCat("Argument ", i + 2, " of function ", name,
                                                     " must be Array. Found ", arrays[i].Name(),
                                                     " instead"));
    }
    DataType element = arrays[i].element_type();
    element.low_cardinality = false;
    types.push_back(element);
  }
  if (query_internal::SpreadsTuple(arrays, params)) {
    const DataType tuple = types[0];
    types.clear();
    for (size_t i = 0; i < tuple.tuple_size(); ++i) types.push_back(tuple.tuple_element(i));
  }
  if (types.size() != params) {
    return absl::InvalidArgumentError(absl::StrCat(
        "First argument for this overload of ", name, " must be a function with ", types.size(),
        " arguments, found a lambda with ", params, " instead"));
  }
  return types;
}

absl::StatusOr<ScalarBinding> BindHigherOrderFunction(absl::string_view name, BoundExprPtr body,
                                                      size_t params,
                                                      absl::Span<const DataType> arrays,
                                                      absl::Span<const DataType> captures) {
  using query_internal::ArrayRowElements;
  using query_internal::ArrayRowOffsets;
  const query_internal::MappedSpec* spec = query_internal::FindSpec(name);
  if (spec == nullptr) return absl::NotFoundError(absl::StrCat("Unknown function ", name));
  absl::StatusOr<std::vector<DataType>> param_types = LambdaParameterTypes(name, arrays, params);
  if (!param_types.ok()) return param_types.status();
  absl::StatusOr<DataType> type = query_internal::ResultType(*spec, body->type, arrays[0], true);
  if (!type.ok()) return type.status();
  const bool spread = query_internal::SpreadsTuple(arrays, params);
  const size_t array_count = arrays.size();
  const size_t capture_count = captures.size();
  ScalarKernel kernel = [kind = spec->kind, function = std::string(name), type = *type, body,
                         array_count, capture_count, spread](
                            absl::Span<Vector> v, size_t rows, StringPool* pool,
                            Vector* out) -> absl::Status {
    bool constant = true;
    for (const Vector& arg : v) constant = constant && arg.constant;
    const size_t physical = constant ? 1 : rows;
    for (size_t i = 0; i < array_count; ++i) {
      MUA_RETURN_IF_ERROR(query_internal::CheckArrayRowElements(v[i], physical));
    }
    const std::vector<uint32_t> offsets = ArrayRowOffsets(v[0], physical);
    for (size_t i = 1; i < array_count; ++i) {
      if (ArrayRowOffsets(v[i], physical) != offsets) {
        return absl::InvalidArgumentError(absl::StrCat(
            "Arrays passed to ", function, " must have equal size. Argument ", i + 2,
            " has size ", ArrayRowOffsets(v[i], physical).back(),
            " which differs with the size of another argument, ", offsets.back()));
      }
    }
    Batch batch;
    batch.rows = offsets.back();
    batch.pool = pool;
    Vector first;
    MUA_RETURN_IF_ERROR(CheckStatementInterrupted());
    for (size_t i = 0; i < array_count; ++i) {
      Vector elements = ArrayRowElements(v[i], physical);
      if (i == 0) first = elements;
      if (spread) {
        for (Vector& child : elements.children) {
          child.size = elements.size;
          batch.columns.push_back(std::move(child));
        }
      } else {
        batch.columns.push_back(std::move(elements));
      }
    }
    if (capture_count > 0) {
      // Each element sees the captured values of its row.
      std::vector<uint32_t> element_rows(offsets.back());
      for (size_t row = 0; row < physical; ++row) {
        for (uint32_t k = offsets[row]; k < offsets[row + 1]; ++k) {
          element_rows[k] = static_cast<uint32_t>(row);
        }
      }
      for (size_t c = 0; c < capture_count; ++c) {
        Gather(v[array_count + c], element_rows, &batch.columns.emplace_back());
      }
    }
    MUA_RETURN_IF_ERROR(CheckStatementInterrupted());
    Vector mapped;
    MUA_RETURN_IF_ERROR(query_internal::EvaluateBody(*body, batch, &mapped));
    MUA_RETURN_IF_ERROR(query_internal::Apply(kind, type, first, std::move(mapped), offsets, out));
    MUA_RETURN_IF_ERROR(CheckStatementInterrupted());
    out->type = type;
    if (constant) query_internal::MarkConstant(rows, out);
    return absl::OkStatus();
  };
  return ScalarBinding{*type, std::move(kernel)};
}

}  // namespace mua
