#include "query/result_set.h"

#include <cmath>
#include <cstring>

#include "query/vector.h"
#include "storage/string_dictionary.h"

namespace mua {
namespace {

size_t RowCount(const Column& column) {
  switch (column.type.id) {
    case TypeId::kArray: return column.array_offsets.empty() ? 0 : column.array_offsets.size() - 1;
    case TypeId::kTuple: return column.children.empty() ? column.nulls.size() : RowCount(column.children[0]);
    case TypeId::kString: return column.strings.size();
    case TypeId::kFloat64: return column.floats.size();
    default: return column.ints.size();
  }
}

// A flat array element (or scalar) at physical position `i` of a vector, appended as type `id`.
void AppendScalar(const Vector& v, TypeId id, size_t i, Column* column) {
  if (id == TypeId::kString) {
    column->strings.emplace_back(v.dictionary != nullptr ? v.dictionary->Get(v.codes[i]) : v.strings[i]);
  } else if (id == TypeId::kFloat64) {
    column->floats.push_back(v.floats[i]);
  } else {
    column->ints.push_back(v.ints.empty() ? 0 : v.ints[i]);
  }
}

}  // namespace

Column EmptyColumn(const DataType& type) {
  Column column;
  column.type = type;
  if (type.id == TypeId::kArray) {
    column.array_offsets.push_back(0);
    if (type.nested_elements()) column.children.push_back(EmptyColumn(type.element_type()));
  } else if (type.is_tuple()) {
    for (size_t i = 0; i < type.tuple_size(); ++i) {
      column.children.push_back(EmptyColumn(type.tuple_element(i)));
    }
  }
  return column;
}

void AppendVectorRows(const Vector& vector, Column* column) {
  const size_t rows = vector.size;
  if (vector.has_nulls() || !column->nulls.empty()) {
    column->nulls.resize(RowCount(*column), 0);
    for (size_t row = 0; row < rows; ++row) column->nulls.push_back(vector.is_null(row) ? 1 : 0);
  }
  if (vector.type.may_be_null() && !column->type.CannotBeNullable()) column->type.nullable = true;
  switch (vector.type.id) {
    case TypeId::kString:
      for (size_t row = 0; row < rows; ++row) column->strings.emplace_back(vector.string_at(row));
      return;
    case TypeId::kFloat64:
      for (size_t row = 0; row < rows; ++row) column->floats.push_back(vector.float_at(row));
      return;
    case TypeId::kArray: {
      if (column->array_offsets.empty()) column->array_offsets.push_back(0);
      const bool nested = vector.type.nested_elements();
      if (nested && column->children.empty()) {
        column->children.push_back(EmptyColumn(vector.type.element_type()));
      }
      std::vector<uint32_t> elements;
      for (size_t row = 0; row < rows; ++row) {
        const size_t i = vector.index(row);
        for (uint32_t k = vector.offsets[i]; k < vector.offsets[i + 1]; ++k) {
          if (nested) {
            elements.push_back(k);
          } else {
            AppendScalar(vector, vector.type.element, k, column);
          }
        }
        column->array_offsets.push_back(column->array_offsets.back() + vector.offsets[i + 1] -
                                        vector.offsets[i]);
      }
      if (nested) {
        Vector gathered;
        Gather(vector.children[0], elements, &gathered);
        AppendVectorRows(gathered, &column->children[0]);
      }
      return;
    }
    case TypeId::kTuple:
      if (column->children.size() < vector.children.size()) {
        for (size_t c = column->children.size(); c < vector.children.size(); ++c) {
          column->children.push_back(EmptyColumn(vector.children[c].type));
        }
      }
      for (size_t c = 0; c < vector.children.size(); ++c) {
        if (vector.children[c].size == rows) {
          AppendVectorRows(vector.children[c], &column->children[c]);
        } else {
          Vector child = vector.children[c];  // a constant's element stands for every row
          child.size = rows;
          AppendVectorRows(child, &column->children[c]);
        }
      }
      return;
    case TypeId::kNothing: column->ints.insert(column->ints.end(), rows, 0); return;
    default:
      if (vector.constant) {
        column->ints.insert(column->ints.end(), rows, vector.ints[0]);
      } else {
        column->ints.insert(column->ints.end(), vector.ints.begin(), vector.ints.begin() + rows);
      }
      return;
  }
}

Vector ColumnRows(const Column& column, size_t begin, size_t end) {
  Vector v;
  v.type = column.type;
  v.size = end - begin;
  if (column.nulls.size() >= end) v.nulls.assign(column.nulls.begin() + begin, column.nulls.begin() + end);
  if (column.type.is_tuple()) {
    for (const Column& child : column.children) v.children.push_back(ColumnRows(child, begin, end));
    return v;
  }
  // Array(T): the rows' elements, with offsets rebased to them.
  size_t first = begin, last = end;
  // An output a subquery's reader prunes is never filled (query/executor.cc Collect):
  // its offsets stop short, as its values do, and nothing reads the vector.
  if (column.array_offsets.size() > end) {
    first = column.array_offsets[begin];
    last = column.array_offsets[end];
    v.offsets.assign(column.array_offsets.begin() + begin, column.array_offsets.begin() + end + 1);
    for (uint32_t& offset : v.offsets) offset -= static_cast<uint32_t>(first);
    if (column.type.nested_elements() && !column.children.empty()) {
      v.children.push_back(ColumnRows(column.children[0], first, last));
      return v;
    }
  }
  if (column.ints.size() >= last) v.ints.assign(column.ints.begin() + first, column.ints.begin() + last);
  if (column.floats.size() >= last) {
    v.floats.assign(column.floats.begin() + first, column.floats.begin() + last);
  }
  if (column.strings.size() >= last) {
    v.strings.reserve(last - first);
    for (size_t i = first; i < last; ++i) v.strings.push_back(column.strings[i]);
  }
  return v;
}

namespace {

template <typename T>
void TakeValues(const std::vector<T>& from, absl::Span<const uint32_t> order, std::vector<T>* to) {
  if (from.empty()) return;
  to->reserve(order.size());
  for (uint32_t i : order) to->push_back(from[i]);
}

}  // namespace

Column TakeColumnRows(const Column& column, absl::Span<const uint32_t> order) {
  Column out;
  out.type = column.type;
  TakeValues(column.nulls, order, &out.nulls);
  if (column.type.id == TypeId::kArray) {
    std::vector<uint32_t> elements;
    out.array_offsets.push_back(0);
    for (uint32_t row : order) {
      for (uint32_t k = column.array_offsets[row]; k < column.array_offsets[row + 1]; ++k) {
        elements.push_back(k);
      }
      out.array_offsets.push_back(static_cast<uint32_t>(elements.size()));
    }
    TakeValues(column.ints, elements, &out.ints);
    TakeValues(column.floats, elements, &out.floats);
    TakeValues(column.strings, elements, &out.strings);
    for (const Column& child : column.children) out.children.push_back(TakeColumnRows(child, elements));
    return out;
  }
  TakeValues(column.ints, order, &out.ints);
  TakeValues(column.floats, order, &out.floats);
  TakeValues(column.strings, order, &out.strings);
  for (const Column& child : column.children) out.children.push_back(TakeColumnRows(child, order));
  return out;
}

void AppendColumn(Column&& from, Column* into) {
  if (!from.nulls.empty() || !into->nulls.empty()) {
    const size_t from_rows = RowCount(from);
    into->nulls.resize(RowCount(*into), 0);
    from.nulls.resize(from_rows, 0);
    into->nulls.insert(into->nulls.end(), from.nulls.begin(), from.nulls.end());
  }
  if (from.type.nullable) into->type.nullable = true;
  if (into->type.id == TypeId::kArray) {
    if (into->array_offsets.empty()) into->array_offsets.push_back(0);
    const uint32_t base = into->array_offsets.back();
    for (size_t k = 1; k < from.array_offsets.size(); ++k) {
      into->array_offsets.push_back(base + from.array_offsets[k]);
    }
  }
  into->ints.insert(into->ints.end(), from.ints.begin(), from.ints.end());
  into->floats.insert(into->floats.end(), from.floats.begin(), from.floats.end());
  into->strings.insert(into->strings.end(), std::make_move_iterator(from.strings.begin()),
                       std::make_move_iterator(from.strings.end()));
  if (into->children.size() < from.children.size()) into->children.resize(from.children.size());
  for (size_t c = 0; c < from.children.size(); ++c) {
    if (into->children[c].type.id == TypeId::kNothing && into->children[c].ints.empty()) {
      into->children[c].type = from.children[c].type;
    }
    AppendColumn(std::move(from.children[c]), &into->children[c]);
  }
}

namespace {

int CompareColumnScalars(const Column& a, size_t i, const Column& b, size_t j, TypeId id,
                         bool nulls_greater) {
  if (id == TypeId::kString) {
    const int cmp = a.strings[i].compare(b.strings[j]);
    return cmp < 0 ? -1 : cmp > 0;
  }
  if (id == TypeId::kFloat64) {
    const double x = a.floats[i], y = b.floats[j];
    if (std::isnan(x) || std::isnan(y)) {
      if (std::isnan(x) && std::isnan(y)) return 0;
      return (std::isnan(x) == nulls_greater) ? 1 : -1;
    }
    return x < y ? -1 : x > y;
  }
  if (id == TypeId::kNothing) return 0;
  if (id == TypeId::kUInt64) {
    const uint64_t x = static_cast<uint64_t>(a.ints[i]), y = static_cast<uint64_t>(b.ints[j]);
    return x < y ? -1 : x > y;
  }
  const int64_t x = a.ints[i], y = b.ints[j];
  return x < y ? -1 : x > y;
}

void AppendColumnScalarKey(const Column& column, TypeId id, size_t i, std::string* key) {
  if (id == TypeId::kString) {
    const uint32_t length = static_cast<uint32_t>(column.strings[i].size());
    key->append(reinterpret_cast<const char*>(&length), sizeof(length));
    key->append(column.strings[i]);
  } else if (id == TypeId::kFloat64) {
    double value = column.floats[i];
    if (value == 0) value = 0;
    key->append(reinterpret_cast<const char*>(&value), sizeof(value));
  } else if (id != TypeId::kNothing) {
    key->append(reinterpret_cast<const char*>(&column.ints[i]), sizeof(int64_t));
  }
}

}  // namespace

int CompareColumnValues(const Column& a, size_t row_a, const Column& b, size_t row_b,
                        bool nulls_greater) {
  const bool null_a = a.is_null(row_a), null_b = b.is_null(row_b);
  if (null_a || null_b) {
    if (null_a && null_b) return 0;
    return (null_a == nulls_greater) ? 1 : -1;
  }
  switch (a.type.id) {
    case TypeId::kArray: {
      const uint32_t begin_a = a.array_offsets[row_a], end_a = a.array_offsets[row_a + 1];
      const uint32_t begin_b = b.array_offsets[row_b], end_b = b.array_offsets[row_b + 1];
      for (uint32_t k = 0; begin_a + k < end_a && begin_b + k < end_b; ++k) {
        const int cmp = a.type.nested_elements()
                            ? CompareColumnValues(a.children[0], begin_a + k, b.children[0],
                                                  begin_b + k, nulls_greater)
                            : CompareColumnScalars(a, begin_a + k, b, begin_b + k, a.type.element,
                                                   nulls_greater);
        if (cmp != 0) return cmp;
      }
      const uint32_t length_a = end_a - begin_a, length_b = end_b - begin_b;
      return length_a < length_b ? -1 : length_a > length_b;
    }
    case TypeId::kTuple:
      for (size_t c = 0; c < a.children.size() && c < b.children.size(); ++c) {
        const int cmp = CompareColumnValues(a.children[c], row_a, b.children[c], row_b, nulls_greater);
        if (cmp != 0) return cmp;
      }
      return 0;
    default: return CompareColumnScalars(a, row_a, b, row_b, a.type.id, nulls_greater);
  }
}

void AppendColumnKey(const Column& column, size_t row, std::string* key) {
  if (column.type.may_be_null()) {
    const bool null = column.is_null(row);
    key->push_back(null ? 1 : 0);
    if (null) return;
  }
  switch (column.type.id) {
    case TypeId::kArray: {
      const uint32_t begin = column.array_offsets[row], end = column.array_offsets[row + 1];
      const uint32_t count = end - begin;
      key->append(reinterpret_cast<const char*>(&count), sizeof(count));
      for (uint32_t k = begin; k < end; ++k) {
        if (column.type.nested_elements()) {
          AppendColumnKey(column.children[0], k, key);
        } else {
          AppendColumnScalarKey(column, column.type.element, k, key);
        }
      }
      return;
    }
    case TypeId::kTuple:
      for (const Column& child : column.children) AppendColumnKey(child, row, key);
      return;
    default: AppendColumnScalarKey(column, column.type.id, row, key); return;
  }
}

}  // namespace mua
