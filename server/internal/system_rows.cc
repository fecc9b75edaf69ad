#include "server/internal/system_rows.h"

#include "absl/strings/string_view.h"

namespace mua::server_internal {
namespace {

DataType TypeOf(absl::string_view type) {
  struct Named {
    absl::string_view name;
    DataType type;
  };
  static const Named kTypes[] = {
      {"UInt8", DataType::Of(TypeId::kUInt8)},       {"UInt32", DataType::Of(TypeId::kUInt32)},
      {"UInt64", DataType::Of(TypeId::kUInt64)},     {"Int32", DataType::Of(TypeId::kInt32)},
      {"Int64", DataType::Of(TypeId::kInt64)},       {"Float64", DataType::Of(TypeId::kFloat64)},
      {"DateTime64(3)", DataType::Of(TypeId::kDateTime64)}, {"Date", DataType::Of(TypeId::kDate)},
      {"DateTime", DataType::Of(TypeId::kDateTime)},     {"UInt16", DataType::Of(TypeId::kUInt16)},
      {"Array(String)", DataType::Array(TypeId::kString)},
      {"Array(UInt64)", DataType::Array(TypeId::kUInt64)},
  };
  for (const Named& named : kTypes) {
    if (named.name == type) return named.type;
  }
  return DataType::Of(TypeId::kString);
}

}  // namespace

ResultSet EmptyRows(const ColumnList& columns) {
  ResultSet rows;
  for (const auto& [name, type] : columns) rows.AddColumn(name, TypeOf(type));
  return rows;
}

}  // namespace mua::server_internal
