// ResultSet: a query's answer — named, typed columns of equal length — as the
// executor returns it and the output formats print it.
//
//   ResultSet result;
//   Column& c = result.AddColumn("c", DataType::Of(TypeId::kUInt64));
//   c.ints.push_back(2);
//   result.row_count = 1;
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "query/data_type.h"

namespace mua {

// One column of values. Which vectors hold data depends on type.id:
// - integers, Date (days), DateTime (s), DateTime64 (ms): `ints` (UInt64 bit-cast);
// - Float64: `floats`;  String: `strings`;
// - Array(T): `array_offsets` (size rows + 1; row i = elements [offsets[i], offsets[i+1]))
//   with elements in `ints`, `floats` or `strings` by T;
// - nullable types: additionally `nulls` (1 = NULL), size rows.
struct Column {
  DataType type;
  std::vector<int64_t> ints;
  std::vector<double> floats;
  std::vector<std::string> strings;
  std::vector<uint32_t> array_offsets;
  std::vector<uint8_t> nulls;

  bool is_null(size_t row) const { return !nulls.empty() && nulls[row] != 0; }
};

struct QueryStatistics {
  double elapsed_seconds = 0;
  uint64_t rows_read = 0;
  uint64_t bytes_read = 0;
};

struct ResultSet {
  std::vector<std::string> names;
  std::vector<Column> columns;
  uint64_t row_count = 0;
  QueryStatistics statistics;

  Column& AddColumn(std::string name, DataType type) {
    names.push_back(std::move(name));
    Column& column = columns.emplace_back();
    column.type = type;
    if (type.id == TypeId::kArray) column.array_offsets.push_back(0);
    return column;
  }
};

}  // namespace mua
