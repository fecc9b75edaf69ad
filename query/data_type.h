// DataType: the logical types of query values, named as ClickHouse names them
// (SPEC §5: the same query text runs on both, and output formats print these
// names). Integers of every width share one int64 representation in Column;
// the type decides how they print and how arithmetic promotes.
//
//   DataType t = DataType::Array(TypeId::kUInt8);
//   t.Name();  // "Array(UInt8)"
#pragma once

#include <cstdint>
#include <string>

namespace mua {

enum class TypeId : uint8_t {
  kNothing,  // the type of NULL
  kUInt8,
  kUInt16,
  kUInt32,
  kUInt64,
  kInt8,
  kInt16,
  kInt32,
  kInt64,
  kFloat64,
  kString,
  kDate,        // days since 1970-01-01
  kDateTime,    // seconds since the epoch, UTC
  kDateTime64,  // milliseconds since the epoch, UTC (precision 3)
  kArray,       // of `element`
  kInterval,    // only as a constant argument (INTERVAL n unit); `interval_unit` says which
};

struct DataType {
  TypeId id = TypeId::kNothing;
  TypeId element = TypeId::kNothing;  // kArray only
  bool nullable = false;
  bool low_cardinality = false;  // shown by DESCRIBE; values behave as String
  uint8_t interval_unit = 0;     // kInterval: second, minute, hour, day, week, month, quarter, year

  static DataType Of(TypeId id) { return DataType{id}; }
  static DataType Array(TypeId element) { return DataType{TypeId::kArray, element}; }
  static DataType Nullable(TypeId id) { return DataType{id, TypeId::kNothing, true}; }

  // ClickHouse's spelling: "UInt64", "Nullable(Float64)", "Array(UInt8)",
  // "LowCardinality(String)", "DateTime64(3)".
  std::string Name() const;

  bool is_integer() const;
  bool is_unsigned() const;  // UInt8..UInt64
  bool is_numeric() const { return is_integer() || id == TypeId::kFloat64; }
  bool is_time() const;  // Date, DateTime, DateTime64
  bool is_string() const { return id == TypeId::kString; }

  bool operator==(const DataType& other) const = default;
};

// The name of a scalar type id ("UInt8", "Date", ...).
const char* TypeIdName(TypeId id);

enum class ColumnId : uint8_t;

// The query type of an events column: DateTime64(3) for event_time,
// LowCardinality(String) for dictionary columns, String otherwise.
DataType StorageColumnType(ColumnId id);

}  // namespace mua
