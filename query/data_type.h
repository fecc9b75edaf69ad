// DataType: the logical types of query values, named as ClickHouse names them
// (SPEC §5: the same query text runs on both, and output formats print these
// names). Integers of every width share one int64 representation in Column;
// the type decides how they print and how arithmetic promotes.
// Composite types (Tuple, and Array of a Nullable/Array/Tuple element) keep
// their element types in an immutable shared node, so a DataType stays cheap
// to copy; an Array of a plain scalar needs only `element`.
//
//   DataType t = DataType::Array(TypeId::kUInt8);
//   t.Name();  // "Array(UInt8)"
//   DataType u = DataType::ArrayOf(DataType::Nullable(TypeId::kString));  // Array(Nullable(String))
//   DataType p = DataType::Tuple({DataType::Of(TypeId::kUInt8), DataType::Of(TypeId::kString)});
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

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
  kArray,       // of `element` (the full element type in `children` when not a plain scalar)
  kInterval,    // only as a constant argument (INTERVAL n unit); `interval_unit` says which
  kTuple,       // of `children->types`, optionally named
};

struct DataType;

// The element types of a Tuple (with names when every element has one), or
// the one element type of an Array whose elements are Nullable, Array or Tuple.
struct TypeChildren {
  std::vector<DataType> types;
  std::vector<std::string> names;  // empty, or one per type
};

struct DataType {
  TypeId id = TypeId::kNothing;
  TypeId element = TypeId::kNothing;  // kArray only: the element's id
  bool nullable = false;
  bool low_cardinality = false;  // shown by DESCRIBE; values behave as String
  uint8_t interval_unit = 0;     // kInterval: second, minute, hour, day, week, month, quarter, year
  // kDateTime, kDateTime64, and kArray of either: the zone values compute and print in,
  // an id of query/time_zones.h (0: none named, the server's UTC). Part of the type, as
  // in ClickHouse: DateTime('Asia/Tokyo') != DateTime.
  uint16_t time_zone = 0;
  std::shared_ptr<const TypeChildren> children;  // kTuple; kArray of a composite element

  static DataType Of(TypeId id) { return DataType{id}; }
  static DataType Array(TypeId element) { return DataType{TypeId::kArray, element}; }
  static DataType Nullable(TypeId id) { return DataType{id, TypeId::kNothing, true}; }
  // Array(T) of any T: Array(Nullable(String)), Array(Array(UInt8)), Array(Tuple(...)).
  static DataType ArrayOf(const DataType& element);
  // Tuple(T1, T2, ...); `names` empty or one per element (Tuple(a UInt8, b String)).
  static DataType Tuple(std::vector<DataType> elements, std::vector<std::string> names = {});
  // The type of the NULL literal: Nullable(Nothing).
  static DataType Null() { return DataType{TypeId::kNothing, TypeId::kNothing, true}; }
  // DateTime / DateTime64 in the interned zone `zone` (query/time_zones.h).
  static DataType Time(TypeId id, uint16_t zone) {
    DataType type = Of(id);
    type.time_zone = zone;
    return type;
  }

  // ClickHouse's spelling: "UInt64", "Nullable(Float64)", "Array(UInt8)",
  // "LowCardinality(String)", "DateTime64(3)", "Tuple(UInt8, String)",
  // "DateTime('Asia/Tokyo')", "DateTime64(3, 'Asia/Tokyo')".
  std::string Name() const;

  bool is_integer() const;
  bool is_unsigned() const;  // UInt8..UInt64
  bool is_numeric() const { return is_integer() || id == TypeId::kFloat64; }
  bool is_time() const;  // Date, DateTime, DateTime64
  bool is_string() const { return id == TypeId::kString; }
  bool is_tuple() const { return id == TypeId::kTuple; }
  // NULL itself (Nothing, with or without the Nullable flag).
  bool is_null_type() const { return id == TypeId::kNothing; }
  // Values may be NULL (Nullable(T), and the NULL literal's type).
  bool may_be_null() const { return nullable || id == TypeId::kNothing; }

  // kArray: the full element type (Nullable(String), Array(UInt8), ...).
  DataType element_type() const;
  // kArray: elements live in a child vector/column rather than this one's
  // ints/floats/strings (the element is Nullable, an Array or a Tuple).
  bool nested_elements() const { return id == TypeId::kArray && children != nullptr; }
  // kTuple: the element types and names (names empty when unnamed).
  size_t tuple_size() const { return children == nullptr ? 0 : children->types.size(); }
  const DataType& tuple_element(size_t i) const { return children->types[i]; }
  const std::vector<std::string>& tuple_names() const;

  // This type without the Nullable flag (the type the values have when not NULL).
  DataType WithoutNullable() const {
    DataType type = *this;
    type.nullable = false;
    return type;
  }
  // Nullable(this); Nothing stays Nullable(Nothing). Arrays and tuples cannot
  // be inside Nullable (ClickHouse's rule): REQUIRES: !CannotBeNullable().
  DataType WithNullable() const {
    DataType type = *this;
    type.nullable = true;
    return type;
  }
  bool CannotBeNullable() const { return id == TypeId::kArray || id == TypeId::kTuple; }

  bool operator==(const DataType& other) const;
};

// The name of a scalar type id ("UInt8", "Date", ...).
const char* TypeIdName(TypeId id);

// Parses a ClickHouse type name as CAST and CREATE TABLE spell it, nested to
// any depth the text has (bounded): "Nullable(String)", "Array(Tuple(a UInt8,
// b Nullable(String)))", "LowCardinality(String)", "DateTime64(3, 'UTC')" (the zone
// interned), aliases (Float32 -> Float64, Bool -> UInt8, BIGINT, VARCHAR, ...).
// Errors: InvalidArgument "Unknown data type family: X" (ClickHouse code 50),
// "Nested type Array(UInt8) cannot be inside Nullable type" (code 43), and
// types MUA does not hold (Decimal, Map, ...), "Unknown time zone 'X'".
absl::StatusOr<DataType> ParseDataType(absl::string_view text);

enum class ColumnId : uint8_t;

// The query type of an events column: DateTime64(3) for event_time,
// LowCardinality(String) for dictionary columns, String otherwise.
DataType StorageColumnType(ColumnId id);

}  // namespace mua
