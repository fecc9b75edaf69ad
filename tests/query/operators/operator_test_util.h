// Builders and a printer for operator tests: relations from literal columns,
// and each result row as one "a|b|c" string (NULL as \N, arrays as [1,2]).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "query/operators/operator.h"
#include "query/operators/relation.h"
#include "query/operators/values.h"
#include "query/result_set.h"

namespace mua::test {

inline DataType T(TypeId id) { return DataType::Of(id); }
inline DataType NullableT(TypeId id) { return DataType::Nullable(id); }

// Integer-like values (ints, dates, times); `nulls` empty or one flag per value.
inline Column Ints(DataType type, std::vector<int64_t> values, std::vector<uint8_t> nulls = {}) {
  Column column = EmptyColumn(type);
  column.ints = std::move(values);
  column.nulls = std::move(nulls);
  return column;
}

inline Column Floats(std::vector<double> values) {
  Column column = EmptyColumn(T(TypeId::kFloat64));
  column.floats = std::move(values);
  return column;
}

inline Column Strings(std::vector<std::string> values) {
  Column column = EmptyColumn(T(TypeId::kString));
  column.strings = std::move(values);
  return column;
}

// Array(element) of integers.
inline Column IntArrays(TypeId element, const std::vector<std::vector<int64_t>>& rows) {
  Column column = EmptyColumn(DataType::Array(element));
  for (const auto& row : rows) {
    column.ints.insert(column.ints.end(), row.begin(), row.end());
    column.array_offsets.push_back(static_cast<uint32_t>(column.ints.size()));
  }
  return column;
}

inline Column StringArrays(const std::vector<std::vector<std::string>>& rows) {
  Column column = EmptyColumn(DataType::Array(TypeId::kString));
  for (const auto& row : rows) {
    column.strings.insert(column.strings.end(), row.begin(), row.end());
    column.array_offsets.push_back(static_cast<uint32_t>(column.strings.size()));
  }
  return column;
}

inline ResultSet Relation(std::vector<std::pair<std::string, Column>> columns) {
  ResultSet relation;
  for (auto& [name, column] : columns) {
    relation.row_count = ColumnRowCount(column);
    relation.names.push_back(name);
    relation.columns.push_back(std::move(column));
  }
  return relation;
}

inline OperatorPtr Values(std::vector<std::pair<std::string, Column>> columns) {
  return MakeValues(Relation(std::move(columns)));
}

inline std::string ScalarText(const Column& column, TypeId id, size_t i) {
  switch (id) {
    case TypeId::kString: return column.strings[i];
    case TypeId::kFloat64: return absl::StrCat(column.floats[i]);
    case TypeId::kUInt64: return absl::StrCat(static_cast<uint64_t>(column.ints[i]));
    default: return absl::StrCat(column.ints[i]);
  }
}

inline std::string ValueText(const Column& column, size_t row) {
  if (column.is_null(row)) return "\\N";
  if (column.type.id == TypeId::kArray) {
    std::vector<std::string> parts;
    for (uint32_t k = column.array_offsets[row]; k < column.array_offsets[row + 1]; ++k) {
      parts.push_back(ScalarText(column, column.type.element, k));
    }
    return absl::StrCat("[", absl::StrJoin(parts, ","), "]");
  }
  return ScalarText(column, column.type.id, row);
}

inline std::vector<std::string> Rows(const ResultSet& result) {
  std::vector<std::string> rows;
  for (size_t row = 0; row < result.row_count; ++row) {
    std::vector<std::string> values;
    for (const Column& column : result.columns) values.push_back(ValueText(column, row));
    rows.push_back(absl::StrJoin(values, "|"));
  }
  return rows;
}

// Executes `op` with a default context.
inline absl::StatusOr<ResultSet> Run(const OperatorPtr& op) {
  ExecutionContext context;
  return op->Execute(context);
}

inline BoundExprPtr Col(const ResultSet& relation, int index) {
  return MakeColumn(index, relation.columns[index].type, relation.names[index]);
}

}  // namespace mua::test
