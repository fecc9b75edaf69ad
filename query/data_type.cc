#include "query/data_type.h"

#include "storage/schema.h"

namespace mua {

const char* TypeIdName(TypeId id) {
  switch (id) {
    case TypeId::kNothing: return "Nothing";
    case TypeId::kUInt8: return "UInt8";
    case TypeId::kUInt16: return "UInt16";
    case TypeId::kUInt32: return "UInt32";
    case TypeId::kUInt64: return "UInt64";
    case TypeId::kInt8: return "Int8";
    case TypeId::kInt16: return "Int16";
    case TypeId::kInt32: return "Int32";
    case TypeId::kInt64: return "Int64";
    case TypeId::kFloat64: return "Float64";
    case TypeId::kString: return "String";
    case TypeId::kDate: return "Date";
    case TypeId::kDateTime: return "DateTime";
    case TypeId::kDateTime64: return "DateTime64(3)";
    case TypeId::kArray: return "Array";
    case TypeId::kInterval: return "Interval";
  }
  return "Nothing";
}

std::string DataType::Name() const {
  if (id == TypeId::kInterval) {
    static constexpr const char* kUnits[] = {"Second", "Minute",  "Hour", "Day",
                                             "Week",   "Month", "Quarter", "Year"};
    return std::string("Interval") + kUnits[interval_unit < 8 ? interval_unit : 0];
  }
  std::string name =
      id == TypeId::kArray ? std::string("Array(") + TypeIdName(element) + ")" : TypeIdName(id);
  if (low_cardinality) name = "LowCardinality(" + name + ")";
  if (nullable) name = "Nullable(" + name + ")";
  return name;
}

bool DataType::is_integer() const {
  switch (id) {
    case TypeId::kUInt8:
    case TypeId::kUInt16:
    case TypeId::kUInt32:
    case TypeId::kUInt64:
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64: return true;
    default: return false;
  }
}

bool DataType::is_unsigned() const {
  return id == TypeId::kUInt8 || id == TypeId::kUInt16 || id == TypeId::kUInt32 ||
         id == TypeId::kUInt64;
}

bool DataType::is_time() const {
  return id == TypeId::kDate || id == TypeId::kDateTime || id == TypeId::kDateTime64;
}

DataType StorageColumnType(ColumnId id) {
  switch (KindOf(id)) {
    case ColumnKind::kTime: return DataType::Of(TypeId::kDateTime64);
    case ColumnKind::kLowCardinality: {
      DataType type = DataType::Of(TypeId::kString);
      type.low_cardinality = true;
      return type;
    }
    default: return DataType::Of(TypeId::kString);
  }
}

}  // namespace mua
