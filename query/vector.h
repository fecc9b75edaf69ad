// Vector: the values of one expression over one batch of rows, as the
// executor's kernels consume and produce them. Physical layout by type:
// integers, dates and times in `ints`; Float64 in `floats`; strings either as
// views in `strings` or dictionary-encoded (`codes` + `dictionary`, the way
// storage hands low-cardinality columns and user ids over, so filters and
// GROUP BY can work on codes); Array(T) as `offsets` + elements (in this
// vector's ints/floats/strings when T is a plain scalar, else in children[0]);
// Tuple as one child vector per element. Nullable(T): T's layout plus `nulls`
// (1 = NULL; empty = no NULL in the batch), where a NULL slot holds T's
// default value, never garbage.
// A constant vector holds one value that stands for every row (its children,
// for a tuple, are constant too).
//
// Strings computed by functions live in the batch's StringPool, which outlives
// the batch; anything kept longer (group keys, aggregate states) copies them.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "query/data_type.h"
#include "storage/string_dictionary.h"

namespace mua {

class StringDictionary;

// Owns strings made while evaluating a batch. Views into it stay valid until Clear.
class StringPool {
 public:
  absl::string_view Add(std::string value) {
    return strings_.emplace_back(std::move(value));
  }
  void Clear() { strings_.clear(); }

 private:
  std::deque<std::string> strings_;
};

struct Vector {
  DataType type;
  size_t size = 0;       // logical rows (a constant stands for `size` equal values)
  bool constant = false;  // physical arrays hold exactly one value
  std::vector<int64_t> ints;
  std::vector<double> floats;
  std::vector<absl::string_view> strings;
  std::vector<uint32_t> codes;                  // dictionary-encoded strings
  const StringDictionary* dictionary = nullptr;  // non-null iff `codes` is used
  std::vector<uint32_t> offsets;                 // Array(T): size + 1 entries
  std::vector<uint8_t> nulls;                    // Nullable types: 1 = NULL; empty = none
  // Tuple: one per element, each of this vector's size and constancy. Array
  // with nested elements (type.nested_elements()): children[0] holds the
  // elements of every row, indexed by `offsets`.
  std::vector<Vector> children;

  bool is_dictionary() const { return dictionary != nullptr; }
  // NULL at `row`: a NULL-typed (Nothing) vector is NULL everywhere.
  bool is_null(size_t row) const {
    return (!nulls.empty() && nulls[index(row)] != 0) || type.id == TypeId::kNothing;
  }
  // Whether any row may be NULL (cheap: does not scan the mask).
  bool has_nulls() const { return !nulls.empty() || type.id == TypeId::kNothing; }
  size_t index(size_t row) const { return constant ? 0 : row; }
  int64_t int_at(size_t row) const { return ints[index(row)]; }
  double float_at(size_t row) const { return floats[index(row)]; }
  // REQUIRES: a string type.
  absl::string_view string_at(size_t row) const {
    const size_t i = index(row);
    return dictionary != nullptr ? dictionary->Get(codes[i]) : strings[i];
  }
  // A numeric value as double (integers converted; UInt64 via its bits).
  double number_at(size_t row) const;

  // Replaces dictionary codes by string views (no-op otherwise).
  void MaterializeStrings();
  // Expands a constant to `size` physical values (no-op otherwise).
  void Flatten();

  static Vector ConstantInt(DataType type, int64_t value, size_t rows);
  static Vector ConstantFloat(double value, size_t rows);
  static Vector ConstantString(absl::string_view value, size_t rows);
  // NULL of type Nullable(Nothing), or of `type` made Nullable (defaults in the slots).
  static Vector ConstantNull(size_t rows);
  static Vector ConstantNullOf(const DataType& type, size_t rows);
  // `rows` copies of the type's default value (0, '', 1970-01-01, [], a tuple
  // of defaults), as a constant.
  static Vector Defaults(const DataType& type, size_t rows);
};

// Replaces every string the vector views (dictionary codes too, array and
// tuple elements too) by a copy in `pool`: for values kept after their batch
// and its arguments are gone (folded constants).
void OwnStrings(StringPool* pool, Vector* vector);

// The heap bytes `vector` holds, counting each viewed string as a pooled copy (for values
// kept beyond their batch: property columns, filtered blocks).
size_t VectorHeapBytes(const Vector& vector);
// Keeps rows `selected` of `vector` (in that order), with their NULL flags,
// array elements and tuple elements.
void Gather(const Vector& vector, absl::Span<const uint32_t> selected, Vector* out);

// The inverse of Gather for `rows` rows: row selected[i] takes row i of
// `compact`, every other row is NULL (type default in the slot). The result
// type is compact's made Nullable (arrays and tuples keep their type).
void ScatterWithNulls(const Vector& compact, absl::Span<const uint32_t> selected, size_t rows,
                      Vector* out);

// Appends a self-delimiting binary key of the value at `row` (with its NULL
// flag): equal values give equal keys for vectors of the same type, whatever
// their physical form (dictionary codes, constants). For hashing rows
// (GROUP BY keys, IN sets of tuples, DISTINCT).
void AppendValueKey(const Vector& vector, size_t row, std::string* key);

// Orders value a[row_a] against b[row_b] (same type): <0, 0, >0. NULL and NaN
// are greater than every value when `nulls_greater`, smaller otherwise
// (ClickHouse's ORDER BY: NULLS LAST for ASC means nulls_greater, for DESC
// not, then the caller negates). Strings bytewise; arrays and tuples
// lexicographically.
int CompareValues(const Vector& a, size_t row_a, const Vector& b, size_t row_b,
                  bool nulls_greater);

}  // namespace mua
