#include "query/operators/relation.h"

#include <cmath>
#include <utility>

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "query/operators/operator.h"
#include "storage/base/status_macros.h"

namespace mua {
namespace {

enum class Storage : uint8_t { kInts, kFloats, kStrings };

Storage StorageOf(TypeId id) {
  if (id == TypeId::kFloat64) return Storage::kFloats;
  if (id == TypeId::kString) return Storage::kStrings;
  return Storage::kInts;
}

size_t StorageSize(const Column& column, Storage storage) {
  switch (storage) {
    case Storage::kFloats: return column.floats.size();
    case Storage::kStrings: return column.strings.size();
    case Storage::kInts: break;
  }
  return column.ints.size();
}

// Copies source's values [begin, end) of `storage` to the end of `out`'s.
void AppendRange(const Column& source, Storage storage, size_t begin, size_t end, Column* out) {
  switch (storage) {
    case Storage::kInts:
      out->ints.insert(out->ints.end(), source.ints.begin() + begin, source.ints.begin() + end);
      return;
    case Storage::kFloats:
      out->floats.insert(out->floats.end(), source.floats.begin() + begin,
                         source.floats.begin() + end);
      return;
    case Storage::kStrings:
      out->strings.insert(out->strings.end(), source.strings.begin() + begin,
                          source.strings.begin() + end);
      return;
  }
}

void AppendDefaultValue(Storage storage, Column* out) {
  switch (storage) {
    case Storage::kInts: out->ints.push_back(0); return;
    case Storage::kFloats: out->floats.push_back(0); return;
    case Storage::kStrings: out->strings.emplace_back(); return;
  }
}

// A Nullable column keeps one flag per row; pads the flags of rows appended before.
void PadNulls(Column* out, size_t rows_before) {
  if (out->type.may_be_null() && out->nulls.size() < rows_before) {
    out->nulls.resize(rows_before, 0);
  }
}

int TimeRank(TypeId id) {
  switch (id) {
    case TypeId::kDate: return 0;
    case TypeId::kDateTime: return 1;
    default: return 2;
  }
}

// The factor from a time unit to a finer one: days -> s -> ms.
int64_t TimeScale(int from_rank, int to_rank) {
  static constexpr int64_t kFactor[3][3] = {{1, 86'400, 86'400'000}, {0, 1, 1000}, {0, 0, 1}};
  return kFactor[from_rank][to_rank];
}

uint64_t Mix(uint64_t seed, uint64_t value) {
  return (seed ^ value) * 0x9E3779B97F4A7C15ULL + (seed >> 29);
}

}  // namespace

Batch BatchFromRelation(const ResultSet& relation, size_t begin, size_t end, StringPool* pool) {
  Batch batch;
  batch.rows = end - begin;
  batch.pool = pool;
  batch.columns.reserve(relation.columns.size());
  for (const Column& column : relation.columns) {
    batch.columns.push_back(ColumnRows(column, begin, end));
  }
  return batch;
}

size_t ColumnRowCount(const Column& column) {
  if (column.type.is_tuple()) {
    return column.children.empty() ? column.nulls.size() : ColumnRowCount(column.children[0]);
  }
  if (column.type.id == TypeId::kArray) {
    return column.array_offsets.empty() ? 0 : column.array_offsets.size() - 1;
  }
  if (!column.nulls.empty()) return column.nulls.size();
  return StorageSize(column, StorageOf(column.type.id));
}

void GatherColumn(const Column& source, absl::Span<const uint32_t> rows, Column* out) {
  const bool nullable = out->type.may_be_null();
  if (nullable) {
    PadNulls(out, ColumnRowCount(*out));
    for (uint32_t row : rows) {
      out->nulls.push_back(row == kNoRow || source.is_null(row) ||
                                   source.type.id == TypeId::kNothing
                               ? 1
                               : 0);
    }
  }
  if (source.type.is_tuple()) {  // depth bounded by the type's nesting
    for (size_t c = 0; c < source.children.size() && c < out->children.size(); ++c) {
      GatherColumn(source.children[c], rows, &out->children[c]);
    }
    return;
  }
  if (source.type.id == TypeId::kArray) {
    if (out->array_offsets.empty()) out->array_offsets.push_back(0);
    if (source.type.nested_elements()) {
      std::vector<uint32_t> elements;
      for (uint32_t row : rows) {
        if (row != kNoRow) {
          for (uint32_t k = source.array_offsets[row]; k < source.array_offsets[row + 1]; ++k) {
            elements.push_back(k);
          }
        }
        out->array_offsets.push_back(out->array_offsets.back() +
                                     (row == kNoRow ? 0
                                                    : source.array_offsets[row + 1] -
                                                          source.array_offsets[row]));
      }
      if (out->children.empty()) out->children.push_back(EmptyColumn(source.type.element_type()));
      GatherColumn(source.children[0], elements, &out->children[0]);
      return;
    }
    const Storage storage = StorageOf(source.type.element);
    for (uint32_t row : rows) {
      if (row != kNoRow) {
        AppendRange(source, storage, source.array_offsets[row], source.array_offsets[row + 1], out);
      }
      out->array_offsets.push_back(static_cast<uint32_t>(StorageSize(*out, storage)));
    }
    return;
  }
  switch (StorageOf(source.type.id)) {
    case Storage::kInts:
      if (source.ints.empty()) {  // Nothing: NULLs only
        out->ints.insert(out->ints.end(), rows.size(), 0);
        return;
      }
      for (uint32_t row : rows) out->ints.push_back(row == kNoRow ? 0 : source.ints[row]);
      return;
    case Storage::kFloats:
      for (uint32_t row : rows) out->floats.push_back(row == kNoRow ? 0 : source.floats[row]);
      return;
    case Storage::kStrings:
      for (uint32_t row : rows) {
        if (row == kNoRow) {
          out->strings.emplace_back();
        } else {
          out->strings.push_back(source.strings[row]);
        }
      }
      return;
  }
}

void AppendDefaults(size_t count, Column* out) {
  if (out->type.may_be_null()) {
    PadNulls(out, ColumnRowCount(*out));
    out->nulls.insert(out->nulls.end(), count, 1);
  }
  if (out->type.id == TypeId::kArray) {
    if (out->array_offsets.empty()) out->array_offsets.push_back(0);
    out->array_offsets.insert(out->array_offsets.end(), count, out->array_offsets.back());
    return;
  }
  if (out->type.is_tuple()) {
    for (Column& child : out->children) AppendDefaults(count, &child);
    return;
  }
  for (size_t i = 0; i < count; ++i) AppendDefaultValue(StorageOf(out->type.id), out);
}

int64_t GatherBytes(const Column& source, size_t rows) {
  const size_t source_rows = std::max<size_t>(1, ColumnRowCount(source));
  int64_t per_row = source.type.may_be_null() ? 9 : 8;
  if (source.type.id == TypeId::kArray) {
    const Storage storage = StorageOf(source.type.element);
    const size_t elements = StorageSize(source, storage);
    per_row = 4 + static_cast<int64_t>((elements * (storage == Storage::kStrings ? 40 : 8)) /
                                       source_rows);
  } else if (source.type.id == TypeId::kString) {
    size_t bytes = 0;
    // A sample is enough for an estimate.
    const size_t sample = std::min<size_t>(source.strings.size(), 1024);
    for (size_t i = 0; i < sample; ++i) bytes += source.strings[i].size();
    per_row = static_cast<int64_t>(sizeof(std::string)) +
              (sample == 0 ? 0 : static_cast<int64_t>(bytes / sample));
  }
  return per_row * static_cast<int64_t>(rows);
}

absl::Status EvaluateColumn(const BoundExpr& expr, const ResultSet& relation,
                            const ExecutionContext& context, EvaluatedColumn* out) {
  if (expr.kind == BoundExpr::Kind::kColumn) {
    out->view_ = &relation.columns[expr.column];
    return absl::OkStatus();
  }
  out->view_ = nullptr;
  out->owned_ = EmptyColumn(expr.type);
  const size_t rows = relation.row_count;
  for (size_t begin = 0; begin < rows; begin += kRelationBatchRows) {
    MUA_RETURN_IF_ERROR(CheckInterrupted(context));
    const size_t end = std::min(rows, begin + kRelationBatchRows);
    StringPool pool;
    const Batch batch = BatchFromRelation(relation, begin, end, &pool);
    Vector value;
    MUA_RETURN_IF_ERROR(Evaluate(expr, batch, &value));
    AppendVectorRows(value, &out->owned_);
  }
  return absl::OkStatus();
}

KeyEncoding KeyEncodingFor(const DataType& type) {
  KeyEncoding encoding;
  if (type.id == TypeId::kNothing) {
    encoding.kind = KeyEncoding::Kind::kNull;
  } else if (type.id == TypeId::kString) {
    encoding.kind = KeyEncoding::Kind::kString;
  } else if (type.id == TypeId::kFloat64) {
    encoding.kind = KeyEncoding::Kind::kFloat;
  } else if (type.id == TypeId::kArray || type.is_tuple()) {
    encoding.kind = KeyEncoding::Kind::kBytes;
  } else {
    encoding.is_unsigned = type.id == TypeId::kUInt64;
  }
  return encoding;
}

absl::Status UnifyKeyEncodings(const DataType& left, const DataType& right,
                               KeyEncoding* left_encoding, KeyEncoding* right_encoding) {
  *left_encoding = KeyEncodingFor(left);
  *right_encoding = KeyEncodingFor(right);
  auto no_supertype = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("There is no supertype for types ",
                                                   left.Name(), ", ", right.Name(), why));
  };
  if (left.id == TypeId::kNothing || right.id == TypeId::kNothing) {
    left_encoding->kind = right_encoding->kind = KeyEncoding::Kind::kNull;
    return absl::OkStatus();
  }
  if (left.id == TypeId::kArray || right.id == TypeId::kArray || left.id == TypeId::kTuple ||
      right.id == TypeId::kTuple) {
    if (left.WithoutNullable() == right.WithoutNullable()) return absl::OkStatus();
    return absl::UnimplementedError(absl::StrCat("JOIN keys of types ", left.Name(), " and ",
                                                 right.Name(), " are not supported"));
  }
  if (left.is_string() != right.is_string()) {
    return no_supertype(" because some of them are String/FixedString and some of them are not");
  }
  if (left.is_string()) return absl::OkStatus();
  if (left.is_time() != right.is_time()) {
    return no_supertype(
        " because some of them are Date/Date32/DateTime/DateTime64 and some of them are not");
  }
  if (left.is_time()) {
    const int common = std::max(TimeRank(left.id), TimeRank(right.id));
    left_encoding->scale = TimeScale(TimeRank(left.id), common);
    right_encoding->scale = TimeScale(TimeRank(right.id), common);
    return absl::OkStatus();
  }
  if (left.id == TypeId::kFloat64 || right.id == TypeId::kFloat64) {
    left_encoding->kind = right_encoding->kind = KeyEncoding::Kind::kFloat;
  }
  return absl::OkStatus();
}

RowKeys::RowKeys(std::vector<const Column*> columns, std::vector<KeyEncoding> encodings,
                 size_t rows)
    : rows_(rows), hashes_(rows, 0x51ED270B27B5A3F1ULL) {
  keys_.resize(columns.size());
  for (size_t k = 0; k < columns.size(); ++k) {
    Key& key = keys_[k];
    key.encoding = encodings[k];
    key.column = columns[k];
    const Column& column = *columns[k];
    if (column.type.id == TypeId::kNothing) key.encoding.kind = KeyEncoding::Kind::kNull;
    if (key.encoding.kind == KeyEncoding::Kind::kNull || !column.nulls.empty()) {
      if (nulls_.empty()) nulls_.assign(rows, 0);
      for (size_t row = 0; row < rows; ++row) {
        if (key.encoding.kind == KeyEncoding::Kind::kNull || column.nulls[row] != 0) nulls_[row] = 1;
      }
    }
    switch (key.encoding.kind) {
      case KeyEncoding::Kind::kInt:
        key.ints.resize(rows);
        for (size_t row = 0; row < rows; ++row) {
          const int64_t value = column.ints[row];
          // A UInt64 above 2^63 keeps its bits (it equals no signed value).
          key.ints[row] = key.encoding.scale == 1 ? value : value * key.encoding.scale;
          const bool big = key.encoding.is_unsigned && value < 0;
          hashes_[row] = Mix(hashes_[row], absl::Hash<int64_t>()(key.ints[row]) + big);
        }
        break;
      case KeyEncoding::Kind::kFloat:
        key.floats.resize(rows);
        for (size_t row = 0; row < rows; ++row) {
          double value;
          if (column.type.id == TypeId::kFloat64) {
            value = column.floats[row];
          } else if (key.encoding.is_unsigned) {
            value = static_cast<double>(static_cast<uint64_t>(column.ints[row]));
          } else {
            value = static_cast<double>(column.ints[row]);
          }
          if (value == 0) value = 0;  // -0.0 equals 0.0
          key.floats[row] = value;
          hashes_[row] = Mix(hashes_[row], absl::Hash<double>()(value));
        }
        break;
      case KeyEncoding::Kind::kString:
        for (size_t row = 0; row < rows; ++row) {
          hashes_[row] =
              Mix(hashes_[row], absl::Hash<absl::string_view>()(column.strings[row]));
        }
        break;
      case KeyEncoding::Kind::kBytes:
        key.bytes.resize(rows);
        for (size_t row = 0; row < rows; ++row) {
          AppendColumnKey(column, row, &key.bytes[row]);
          hashes_[row] = Mix(hashes_[row], absl::Hash<std::string>()(key.bytes[row]));
        }
        break;
      case KeyEncoding::Kind::kNull: break;
    }
  }
  // NULL slots hold type defaults; a NULL key hashes as NULL whatever is stored.
  if (!nulls_.empty()) {
    for (size_t row = 0; row < rows; ++row) {
      if (nulls_[row] == 0) continue;
      uint64_t hash = 0x51ED270B27B5A3F1ULL;
      for (size_t k = 0; k < keys_.size(); ++k) {
        const Key& key = keys_[k];
        if (key.encoding.kind == KeyEncoding::Kind::kNull || key.column->is_null(row)) {
          hash = Mix(hash, 0xA0761D6478BD642FULL);
        } else if (key.encoding.kind == KeyEncoding::Kind::kInt) {
          hash = Mix(hash, absl::Hash<int64_t>()(key.ints[row]) +
                               (key.encoding.is_unsigned && key.column->ints[row] < 0));
        } else if (key.encoding.kind == KeyEncoding::Kind::kFloat) {
          hash = Mix(hash, absl::Hash<double>()(key.floats[row]));
        } else if (key.encoding.kind == KeyEncoding::Kind::kBytes) {
          hash = Mix(hash, absl::Hash<std::string>()(key.bytes[row]));
        } else {
          hash = Mix(hash, absl::Hash<absl::string_view>()(key.column->strings[row]));
        }
      }
      hashes_[row] = hash;
    }
  }
}

bool RowKeys::KeyEqual(const Key& a, size_t row, const Key& b, size_t other_row) const {
  const bool a_null = a.encoding.kind == KeyEncoding::Kind::kNull || a.column->is_null(row);
  const bool b_null = b.encoding.kind == KeyEncoding::Kind::kNull || b.column->is_null(other_row);
  if (a_null || b_null) return a_null == b_null;
  switch (a.encoding.kind) {
    case KeyEncoding::Kind::kInt:
      return a.ints[row] == b.ints[other_row] &&
             (a.encoding.is_unsigned && a.column->ints[row] < 0) ==
                 (b.encoding.is_unsigned && b.column->ints[other_row] < 0);
    case KeyEncoding::Kind::kFloat: return a.floats[row] == b.floats[other_row];
    case KeyEncoding::Kind::kString:
      return a.column->strings[row] == b.column->strings[other_row];
    case KeyEncoding::Kind::kBytes: return a.bytes[row] == b.bytes[other_row];
    case KeyEncoding::Kind::kNull: return true;
  }
  return false;
}

bool RowKeys::Equal(size_t row, const RowKeys& other, size_t other_row) const {
  for (size_t k = 0; k < keys_.size(); ++k) {
    if (!KeyEqual(keys_[k], row, other.keys_[k], other_row)) return false;
  }
  return true;
}

absl::Status GatherRelation(const ResultSet& source, absl::Span<const int> columns,
                            absl::Span<const uint32_t> rows, const std::vector<bool>& nullable,
                            const ExecutionContext& context, ResultSet* out) {
  int64_t bytes = 0;
  for (int column : columns) bytes += GatherBytes(source.columns[column], rows.size());
  MUA_RETURN_IF_ERROR(CheckMemory(bytes));
  for (size_t i = 0; i < columns.size(); ++i) {
    const Column& input = source.columns[columns[i]];
    DataType type = input.type;
    if (i < nullable.size() && nullable[i] && !type.CannotBeNullable()) type.nullable = true;
    Column& column = out->AddColumn(source.names[columns[i]], type);
    if (type.id != TypeId::kArray) {
      switch (StorageOf(type.id)) {
        case Storage::kInts: column.ints.reserve(rows.size()); break;
        case Storage::kFloats: column.floats.reserve(rows.size()); break;
        case Storage::kStrings: column.strings.reserve(rows.size()); break;
      }
    }
    GatherColumn(input, rows, &column);
    MUA_RETURN_IF_ERROR(CheckInterrupted(context));
  }
  out->row_count = rows.size();
  return absl::OkStatus();
}

std::vector<int> AllColumns(const ResultSet& relation) {
  std::vector<int> columns(relation.columns.size());
  for (size_t i = 0; i < columns.size(); ++i) columns[i] = static_cast<int>(i);
  return columns;
}

}  // namespace mua
