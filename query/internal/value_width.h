// The bytes a value of a fixed-width type takes in memory, which is also its
// width in ClickHouse's binary formats and what the hash and hex functions read
// (Date 2, DateTime 4, DateTime64 and Interval 8).
#pragma once

#include "query/data_type.h"

namespace mua::query_internal {

// 0 for the types without a fixed width (String, Array, Tuple, Nothing).
inline int FixedByteWidth(TypeId id) {
  switch (id) {
    case TypeId::kUInt8:
    case TypeId::kInt8:
      return 1;
    case TypeId::kUInt16:
    case TypeId::kInt16:
    case TypeId::kDate:
      return 2;
    case TypeId::kUInt32:
    case TypeId::kInt32:
    case TypeId::kDateTime:
      return 4;
    case TypeId::kUInt64:
    case TypeId::kInt64:
    case TypeId::kFloat64:
    case TypeId::kDateTime64:
    case TypeId::kInterval:
      return 8;
    case TypeId::kNothing:
    case TypeId::kString:
    case TypeId::kArray:
    case TypeId::kTuple:
      return 0;
  }
  return 0;
}

}  // namespace mua::query_internal
