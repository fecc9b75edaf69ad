#include "query/internal/native_writer.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <vector>

#include "query/internal/row_binary_writer.h"
#include "query/internal/value_writer.h"
#include "storage/base/hash_containers.h"

namespace mua::query_internal {
namespace {

static_assert(std::endian::native == std::endian::little,
              "the binary formats are little-endian; add byte swaps for this target");

void AppendUInt64(uint64_t value, std::string* out) {
  char bytes[8];
  std::memcpy(bytes, &value, 8);
  out->append(bytes, 8);
}

// Values [begin, end) of `holder`'s vectors as the scalar `type`, the default
// under NULLs.
void AppendScalars(const DataType& type, const Column& holder, size_t begin, size_t end,
                   std::string* out) {
  if (type.id == TypeId::kNothing) {
    // ClickHouse's Nothing column writes one '0' per value.
    out->append(end - begin, '0');
    return;
  }
  const bool may_be_null = type.may_be_null() && !holder.nulls.empty();
  for (size_t i = begin; i < end; ++i) {
    AppendBinaryScalar(type.id, holder, i, may_be_null && holder.nulls[i] != 0, out);
  }
}

// SerializationLowCardinality with low_cardinality_max_dictionary_size = 0, as
// Native uses it: per block the keys version (SharedDictionariesWithAdditionalKeys),
// the index type with HasAdditionalKeys | NeedUpdateDictionary, the block's own
// dictionary as "additional keys", then one index per row. The dictionary starts
// with the default value (after a NULL placeholder when Nullable), then values in
// order of first appearance, which is what ClickHouse sends for a column it
// dictionary-encoded in row order.
void AppendLowCardinality(const DataType& type, const Column& column, size_t begin, size_t end,
                          std::string* out) {
  constexpr uint64_t kSharedDictionariesWithAdditionalKeys = 1;
  constexpr uint64_t kHasAdditionalKeys = uint64_t{1} << 9;
  constexpr uint64_t kNeedUpdateDictionary = uint64_t{1} << 10;
  const TypeId id = type.id;
  const bool nullable = type.nullable;

  std::string keys;  // the dictionary, each key in the nested type's binary encoding
  HashMap<std::string, uint64_t> positions_of;
  uint64_t key_count = 0;
  std::string scratch;
  AppendBinaryScalar(id, column, 0, true, &scratch);
  if (nullable) {
    keys.append(scratch);  // index 0: NULL
    ++key_count;
  }
  keys.append(scratch);
  positions_of.emplace(scratch, key_count++);

  std::vector<uint64_t> positions(end - begin);
  for (size_t row = begin; row < end; ++row) {
    if (nullable && IsNullAt(type, column, row)) {
      positions[row - begin] = 0;
      continue;
    }
    scratch.clear();
    AppendBinaryScalar(id, column, row, false, &scratch);
    auto [it, inserted] = positions_of.try_emplace(scratch, key_count);
    if (inserted) {
      keys.append(scratch);
      ++key_count;
    }
    positions[row - begin] = it->second;
  }

  // ClickHouse widens the index when the dictionary outgrows the type's range.
  uint64_t index_type = key_count <= 0xFF       ? 0
                        : key_count <= 0xFFFF     ? 1
                        : key_count <= 0xFFFFFFFF ? 2
                                                  : 3;
  size_t index_width = size_t{1} << index_type;
  AppendUInt64(kSharedDictionariesWithAdditionalKeys, out);
  AppendUInt64(index_type | kHasAdditionalKeys | kNeedUpdateDictionary, out);
  AppendUInt64(key_count, out);
  out->append(keys);
  AppendUInt64(positions.size(), out);
  for (uint64_t position : positions) {
    char bytes[8];
    std::memcpy(bytes, &position, 8);
    out->append(bytes, index_width);
  }
}

// Values [begin, end) of `holder` in the type's bulk (Native) encoding.
void AppendNativeValues(const DataType& type, const Column& holder, size_t begin, size_t end,
                        std::string* out) {
  if (type.low_cardinality && type.id != TypeId::kArray && type.id != TypeId::kTuple) {
    AppendLowCardinality(type, holder, begin, end, out);
    return;
  }
  if (type.may_be_null()) {
    // The null map first, then the nested column.
    for (size_t i = begin; i < end; ++i) out->push_back(IsNullAt(type, holder, i) ? 1 : 0);
  }
  if (type.id == TypeId::kTuple) {
    for (size_t i = 0; i < type.tuple_size(); ++i) {
      AppendNativeValues(type.tuple_element(i), holder.children[i], begin, end, out);
    }
    return;
  }
  if (type.id != TypeId::kArray) {
    AppendScalars(type, holder, begin, end, out);
    return;
  }
  // End offsets relative to the block's first element, then the elements.
  const size_t first = holder.array_offsets[begin];
  const size_t last = holder.array_offsets[end];
  for (size_t i = begin; i < end; ++i) AppendUInt64(holder.array_offsets[i + 1] - first, out);
  if (type.nested_elements()) {
    AppendNativeValues(type.element_type(), holder.children[0], first, last, out);
  } else {
    AppendScalars(DataType::Of(type.element), holder, first, last, out);
  }
}

}  // namespace

void WriteNative(const ResultSet& result, std::string* out) {
  for (uint64_t begin = 0; begin < result.row_count; begin += kNativeBlockRows) {
    uint64_t end = std::min<uint64_t>(result.row_count, begin + kNativeBlockRows);
    AppendVarUInt(result.columns.size(), out);
    AppendVarUInt(end - begin, out);
    for (size_t col = 0; col < result.columns.size(); ++col) {
      AppendBinaryString(result.names[col], out);
      AppendBinaryString(result.columns[col].type.Name(), out);
      const Column& column = result.columns[col];
      AppendNativeValues(column.type, column, begin, end, out);
    }
  }
}

}  // namespace mua::query_internal
