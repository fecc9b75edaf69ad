#include "query/internal/row_binary_writer.h"

#include <bit>
#include <cstring>

#include "query/internal/value_width.h"
#include "query/internal/value_writer.h"

namespace mua::query_internal {
namespace {

static_assert(std::endian::native == std::endian::little,
              "the binary formats are little-endian; add byte swaps for this target");

template <typename T>
void AppendFixed(T value, std::string* out) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out->append(bytes, sizeof(T));
}

// One value in RowBinary (ClickHouse's serializeBinary of the type).
void AppendRowBinaryValue(const DataType& type, const Column& holder, size_t index,
                          std::string* out) {
  if (type.may_be_null()) {
    bool is_null = IsNullAt(type, holder, index);
    out->push_back(is_null ? 1 : 0);
    if (is_null) return;
  }
  if (type.id == TypeId::kArray) {
    ArrayElements elements = ElementsOf(type, holder, index);
    AppendVarUInt(elements.end - elements.begin, out);
    for (size_t i = elements.begin; i < elements.end; ++i) {
      AppendRowBinaryValue(elements.type, *elements.holder, i, out);
    }
    return;
  }
  if (type.id == TypeId::kTuple) {
    for (size_t i = 0; i < type.tuple_size(); ++i) {
      AppendRowBinaryValue(type.tuple_element(i), holder.children[i], index, out);
    }
    return;
  }
  AppendBinaryScalar(type.id, holder, index, false, out);
}

}  // namespace

void AppendVarUInt(uint64_t value, std::string* out) {
  char bytes[10];
  size_t size = 0;
  while (value >= 0x80) {
    bytes[size++] = static_cast<char>((value & 0x7F) | 0x80);
    value >>= 7;
  }
  bytes[size++] = static_cast<char>(value);
  out->append(bytes, size);
}

void AppendBinaryString(absl::string_view text, std::string* out) {
  AppendVarUInt(text.size(), out);
  out->append(text.data(), text.size());
}

size_t FixedBinaryWidth(TypeId id) { return static_cast<size_t>(FixedByteWidth(id)); }

void AppendBinaryScalar(TypeId id, const Column& column, size_t index, bool is_default,
                        std::string* out) {
  if (id == TypeId::kString) {
    AppendBinaryString(is_default ? absl::string_view() : absl::string_view(column.strings[index]),
                       out);
    return;
  }
  if (id == TypeId::kFloat64) {
    AppendFixed<double>(is_default ? 0.0 : column.floats[index], out);
    return;
  }
  size_t width = FixedBinaryWidth(id);
  if (width == 0) return;
  // Integers of every width live in int64 (UInt64 bit-cast): the low bytes are
  // the little-endian value of the narrower type.
  int64_t value = is_default ? 0 : column.ints[index];
  char bytes[8];
  std::memcpy(bytes, &value, 8);
  out->append(bytes, width);
}

void WriteRowBinary(const ResultSet& result, bool with_names, bool with_types, std::string* out) {
  size_t columns = result.columns.size();
  if (with_names || with_types) AppendVarUInt(columns, out);
  if (with_names) {
    for (const std::string& name : result.names) AppendBinaryString(name, out);
  }
  if (with_types) {
    for (const Column& column : result.columns) AppendBinaryString(column.type.Name(), out);
  }
  for (uint64_t row = 0; row < result.row_count; ++row) {
    for (const Column& column : result.columns) {
      AppendRowBinaryValue(column.type, column, row, out);
    }
  }
}

}  // namespace mua::query_internal
