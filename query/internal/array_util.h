// Helpers for kernels over Array vectors of any element type: a plain scalar
// element lives in the array vector's own ints/floats/strings, any other
// (Nullable, Array, Tuple) in children[0]. Kernels read the elements as one
// flat vector (ArrayElements), pick element positions, and build the result
// with BuildArray or Gather.
//
//   Vector elements = ArrayElements(args[0]);
//   // ... positions `picks`, per-row `offsets` ...
//   Vector picked;
//   Gather(elements, picks, &picked);
//   BuildArray(elements.type, std::move(offsets), std::move(picked), out);
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "query/internal/function_registry.h"
#include "query/vector.h"

namespace mua::query_internal {

// Starts an array result of `rows` rows whose elements are flat (a String or
// number element type); each row is closed by EndRow.
inline void StartArray(const DataType& type, size_t rows, Vector* out) {
  *out = Vector();
  out->type = type;
  out->size = rows;
  out->offsets.assign(1, 0);
}
inline void EndRow(Vector* out) {
  out->offsets.push_back(static_cast<uint32_t>(
      out->type.element == TypeId::kString ? out->strings.size() : out->ints.size()));
}

// Elements [begin, end) of row `row` (a constant array: its one value).
inline std::pair<uint32_t, uint32_t> ArrayBounds(const Vector& array, size_t row) {
  const size_t i = array.index(row);
  return {array.offsets[i], array.offsets[i + 1]};
}

// The elements of every physical row of `array` as one non-constant vector of
// its element type, at the positions its offsets give; strings are views
// (dictionary codes materialized).
Vector ArrayElements(const Vector& array);

// Errors (ResourceExhausted) when `rows` rows of `array` hold more elements than
// one block may (positions are 32-bit): a constant array repeated over a block.
absl::Status CheckArrayRowElements(const Vector& array, size_t rows);

// The offsets (from 0) of `rows` rows of `array` (a constant array repeated).
std::vector<uint32_t> ArrayRowOffsets(const Vector& array, size_t rows);
// The elements of `rows` rows of `array` in row order (a constant array repeated),
// at ArrayRowOffsets' positions.
Vector ArrayRowElements(const Vector& array, size_t rows);

// Whether every argument is a constant (the kernel then computes one row).
inline bool AllConstant(absl::Span<const Vector> args) {
  for (const Vector& arg : args) {
    if (!arg.constant) return false;
  }
  return true;
}

// Makes `*out` the Array(element) vector of offsets.size() - 1 rows whose
// elements are `elements` (expanded when constant) at `offsets`.
// REQUIRES: offsets.front() == 0, offsets.back() == elements.size.
void BuildArray(const DataType& element, std::vector<uint32_t> offsets, Vector elements, Vector* out);

// A non-constant vector of no rows of `type` (tuple and array children included).
Vector EmptyVector(const DataType& type);

// Appends the values of `from` to `to` (same type; constants expanded first; `to`
// made by EmptyVector or holding values).
void AppendValues(const Vector& from, Vector* to);

// Marks a result computed over one row (every argument was constant) as a
// constant standing for `rows` rows.
void MarkConstant(size_t rows, Vector* out);

// Whether a value at `row` of a UInt8-like condition vector is true (NULL is false).
inline bool IsTrue(const Vector& condition, size_t row) {
  if (condition.is_null(row)) return false;
  return condition.type.id == TypeId::kFloat64 ? condition.float_at(row) != 0
                                               : condition.int_at(row) != 0;
}

// array(a, b, ...) of arrays or tuples of one type (array_kernels.cc; tuple_functions.cc
// binds array() of scalars). REQUIRES: args not empty.
absl::StatusOr<ScalarBinding> BindArrayOfComposites(absl::string_view name,
                                                    absl::Span<const ScalarArg> args);

// lambda_kernels.cc: the forms without a lambda (arraySum(arr), arrayCount(arr), ...).
void RegisterArrayMapped(FunctionRegistry* registry);
// array_reduce.cc: arrayReduce('agg', arrays...).
void RegisterArrayReduce(FunctionRegistry* registry);

}  // namespace mua::query_internal
