// ClickHouse's binary value encodings, shared by RowBinary and Native: integers
// and floats fixed-width little-endian, String as VarUInt length + bytes, Date as
// UInt16 days, DateTime as UInt32 seconds, DateTime64(3) as Int64 milliseconds,
// Nullable as a UInt8 flag (RowBinary) or null map (Native), Array as a VarUInt
// count (RowBinary) or UInt64 end offsets (Native). Stateless and thread-safe.
//
//   std::string out;
//   WriteRowBinary(result, /*with_names=*/true, /*with_types=*/true, &out);
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "query/result_set.h"

namespace mua::query_internal {

// LEB128, as ClickHouse's writeVarUInt.
void AppendVarUInt(uint64_t value, std::string* out);

// VarUInt length, then the bytes (ClickHouse's writeStringBinary).
void AppendBinaryString(absl::string_view text, std::string* out);

// Bytes one value of the scalar type `id` takes in the binary formats; 0 for
// String (variable) and Nothing.
size_t FixedBinaryWidth(TypeId id);

// The value at `index` of the column's value vectors in the binary encoding of
// the scalar type `id`; `is_default` writes the type's default (0, "") instead,
// as ClickHouse stores under a NULL.
void AppendBinaryScalar(TypeId id, const Column& column, size_t index, bool is_default,
                        std::string* out);

// RowBinary, RowBinaryWithNames (VarUInt column count, then the names) and
// RowBinaryWithNamesAndTypes (then the type names).
void WriteRowBinary(const ResultSet& result, bool with_names, bool with_types, std::string* out);

}  // namespace mua::query_internal
