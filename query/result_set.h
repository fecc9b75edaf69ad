// ResultSet: a query's answer — named, typed columns of equal length — as the
// executor returns it and the output formats print it.
//
//   ResultSet result;
//   Column& c = result.AddColumn("c", DataType::Of(TypeId::kUInt64));
//   c.ints.push_back(2);
//   result.row_count = 1;
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/types/span.h"
#include "query/data_type.h"

namespace mua {

struct Vector;

// One column of values. Which vectors hold data depends on type.id:
// - integers, Date (days), DateTime (s), DateTime64 (ms): `ints` (UInt64 bit-cast);
// - Float64: `floats`;  String: `strings`;
// - Array(T): `array_offsets` (size rows + 1; row i = elements [offsets[i], offsets[i+1]))
//   with elements in `ints`, `floats` or `strings` by T when T is a plain
//   scalar, else (type.nested_elements(): Nullable, Array or Tuple elements)
//   in children[0], a column of all the elements;
// - Tuple: one child column per element, each of the tuple's row count;
// - nullable types: additionally `nulls` (1 = NULL), size rows, or empty when
//   no row is NULL; a NULL slot holds the type's default value.
struct Column {
  DataType type;
  std::vector<int64_t> ints;
  std::vector<double> floats;
  std::vector<std::string> strings;
  std::vector<uint32_t> array_offsets;
  std::vector<uint8_t> nulls;
  std::vector<Column> children;

  bool is_null(size_t row) const {
    return (!nulls.empty() && nulls[row] != 0) || type.id == TypeId::kNothing;
  }
};

// An empty column of `type`, shaped for appending (array offsets, tuple children).
Column EmptyColumn(const DataType& type);

// Appends the vector's rows (every type: constants, dictionary codes, NULL
// flags, arrays, tuples). Strings are copied.
void AppendVectorRows(const Vector& vector, Column* column);

// Rows [begin, end) of `column` as a vector viewing it (strings point into the
// column, which must outlive the vector).
Vector ColumnRows(const Column& column, size_t begin, size_t end);

// Rows `order` of `column` (in that order), as a new column.
Column TakeColumnRows(const Column& column, absl::Span<const uint32_t> order);

// Appends all of `from`'s rows to `into` (same type).
void AppendColumn(Column&& from, Column* into);

// Orders column a's row_a against b's row_b (same type): <0, 0, >0, as
// CompareValues (query/vector.h) does for vectors: NULL and NaN greater than
// every value when `nulls_greater`.
int CompareColumnValues(const Column& a, size_t row_a, const Column& b, size_t row_b,
                        bool nulls_greater);

// Appends the key of row `row` (see AppendValueKey in query/vector.h).
void AppendColumnKey(const Column& column, size_t row, std::string* key);

struct QueryStatistics {
  double elapsed_seconds = 0;
  uint64_t rows_read = 0;
  uint64_t bytes_read = 0;
  int64_t peak_memory_bytes = 0;  // the most the statement held (set by the server's tracker)
};

struct ResultSet {
  std::vector<std::string> names;
  std::vector<Column> columns;
  uint64_t row_count = 0;
  // WITH TOTALS: one row, a column per result column (same types); the formats
  // that show totals print it after the rows.
  std::optional<std::vector<Column>> totals;
  QueryStatistics statistics;

  Column& AddColumn(std::string name, DataType type) {
    names.push_back(std::move(name));
    return columns.emplace_back(EmptyColumn(type));
  }
};

}  // namespace mua
