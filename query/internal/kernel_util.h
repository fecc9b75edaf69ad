// Helpers for writing scalar kernels: argument checks with ClickHouse's error
// texts, result allocation, and the time-unit scale of time types.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "query/functions/time_functions.h"
#include "query/scalar_functions.h"

namespace mua::query_internal {

inline absl::Status ArityError(absl::string_view name, size_t passed, absl::string_view should) {
  return absl::InvalidArgumentError(absl::StrCat("Number of arguments for function ", name,
                                                 " doesn't match: passed ", passed,
                                                 ", should be ", should));
}

inline absl::Status IllegalType(absl::string_view name, const DataType& type, int argument = 0) {
  return absl::InvalidArgumentError(absl::StrCat("Illegal type ", type.Name(), " of argument ",
                                                 argument > 0 ? absl::StrCat(argument, " ") : "",
                                                 "of function ", name));
}

// Milliseconds per unit of a time type (Date: a day; DateTime: a second).
inline int64_t MillisPerUnit(TypeId id) {
  switch (id) {
    case TypeId::kDate: return 86'400'000;
    case TypeId::kDateTime: return 1000;
    default: return 1;
  }
}


// Prepares `out` as a non-constant vector of `rows` integers / floats / strings.
inline void ResizeInts(Vector* out, size_t rows) {
  out->constant = false;
  out->size = rows;
  out->ints.resize(rows);
}
inline void ResizeFloats(Vector* out, size_t rows) {
  out->constant = false;
  out->size = rows;
  out->floats.resize(rows);
}
inline void ResizeStrings(Vector* out, size_t rows) {
  out->constant = false;
  out->size = rows;
  out->strings.resize(rows);
}

inline bool IsNumberType(const DataType& type) { return type.is_numeric(); }

// Prepares `out` as `rows` values of a scalar `type` (its physical vector by type).
inline void ResizeFor(const DataType& type, size_t rows, Vector* out) {
  if (type.is_string()) {
    ResizeStrings(out, rows);
  } else if (type.id == TypeId::kFloat64) {
    ResizeFloats(out, rows);
  } else {
    ResizeInts(out, rows);
  }
}

// The instant day `day` starts in the zone of DateTime/DateTime64 `type`, in its unit
// (time_kernels.cc).
int64_t DayStartIn(int64_t day, const DataType& type);

// Copies value `row` of `from` (converted to the scalar `type`: numbers across
// widths, times across units, a Date to its start in a zoned type's zone) into
// row `row` of `out`, sized by ResizeFor.
// REQUIRES: from is not dictionary-coded or `type` is String.
inline void CopyValue(const Vector& from, size_t row, const DataType& type, Vector* out) {
  if (type.is_string()) {
    out->strings[row] = from.string_at(row);
  } else if (type.id == TypeId::kFloat64) {
    out->floats[row] = from.number_at(row);
  } else if (type.time_zone != 0 && from.type.id == TypeId::kDate && type.id != TypeId::kDate) {
    out->ints[row] = DayStartIn(from.int_at(row), type);
  } else if (type.is_time() && from.type.is_time() && from.type.id != type.id) {
    out->ints[row] = from.int_at(row) * (MillisPerUnit(from.type.id) / MillisPerUnit(type.id));
  } else if (from.type.id == TypeId::kNothing) {
    out->ints[row] = 0;
  } else {
    out->ints[row] = from.int_at(row);
  }
}

// Converts a value of an integer, float or time type to double.
inline double AsDouble(const Vector& v, size_t row) { return v.number_at(row); }

}  // namespace mua::query_internal

namespace mua::query_internal {
// The type both a and b convert to (if/multiIf branches, IN sets, UNION).
// Errors: InvalidArgument "There is no supertype for types A, B".
absl::StatusOr<DataType> CommonSuperType(absl::string_view name, const DataType& a,
                                         const DataType& b);
}  // namespace mua::query_internal
