#include "query/vector.h"

#include <cmath>
#include <cstring>

#include "storage/string_dictionary.h"

namespace mua {

double Vector::number_at(size_t row) const {
  if (type.id == TypeId::kFloat64) return floats[index(row)];
  if (type.id == TypeId::kUInt64) return static_cast<double>(static_cast<uint64_t>(ints[index(row)]));
  return static_cast<double>(ints[index(row)]);
}

void Vector::MaterializeStrings() {
  if (dictionary == nullptr) return;
  strings.resize(codes.size());
  for (size_t i = 0; i < codes.size(); ++i) strings[i] = dictionary->Get(codes[i]);
  codes.clear();
  dictionary = nullptr;
}

void Vector::Flatten() {
  if (!constant) return;
  if (type.id == TypeId::kArray) {
    // Replicating the one row is gathering row 0 `size` times.
    const std::vector<uint32_t> zeros(size, 0);
    Vector copy = std::move(*this);
    copy.constant = false;
    copy.size = 1;
    Gather(copy, zeros, this);
    return;
  }
  constant = false;
  if (!ints.empty()) ints.assign(size, ints[0]);
  if (!floats.empty()) floats.assign(size, floats[0]);
  if (!strings.empty()) strings.assign(size, strings[0]);
  if (!codes.empty()) codes.assign(size, codes[0]);
  if (!nulls.empty()) nulls.assign(size, nulls[0]);
  for (Vector& child : children) {
    child.size = size;
    child.Flatten();
  }
}

Vector Vector::ConstantInt(DataType type, int64_t value, size_t rows) {
  Vector vector;
  vector.type = type;
  vector.size = rows;
  vector.constant = true;
  vector.ints.push_back(value);
  return vector;
}

Vector Vector::ConstantFloat(double value, size_t rows) {
  Vector vector;
  vector.type = DataType::Of(TypeId::kFloat64);
  vector.size = rows;
  vector.constant = true;
  vector.floats.push_back(value);
  return vector;
}

Vector Vector::ConstantString(absl::string_view value, size_t rows) {
  Vector vector;
  vector.type = DataType::Of(TypeId::kString);
  vector.size = rows;
  vector.constant = true;
  vector.strings.push_back(value);
  return vector;
}

Vector Vector::ConstantNull(size_t rows) {
  // Every physical form holds a default, so a kernel reading any of them is safe.
  Vector vector;
  vector.type = DataType::Null();
  vector.size = rows;
  vector.constant = true;
  vector.ints.push_back(0);
  vector.floats.push_back(0);
  vector.strings.push_back(absl::string_view());
  vector.nulls.push_back(1);
  return vector;
}

Vector Vector::ConstantNullOf(const DataType& type, size_t rows) {
  if (type.id == TypeId::kNothing) return ConstantNull(rows);
  Vector vector = Defaults(type, rows);
  if (!type.CannotBeNullable()) vector.type.nullable = true;
  vector.nulls.assign(1, 1);
  return vector;
}

Vector Vector::Defaults(const DataType& type, size_t rows) {
  Vector vector;
  vector.type = type;
  vector.size = rows;
  vector.constant = true;
  switch (type.id) {
    case TypeId::kString: vector.strings.push_back(absl::string_view()); break;
    case TypeId::kFloat64: vector.floats.push_back(0); break;
    case TypeId::kArray:
      vector.offsets = {0, 0};
      if (type.nested_elements()) {
        Vector& elements = vector.children.emplace_back(Defaults(type.element_type(), 0));
        elements.constant = false;
        elements.Flatten();
        elements.ints.clear();
        elements.floats.clear();
        elements.strings.clear();
        elements.nulls.clear();
      }
      break;
    case TypeId::kTuple:
      for (size_t i = 0; i < type.tuple_size(); ++i) {
        vector.children.push_back(Defaults(type.tuple_element(i), rows));
      }
      break;
    case TypeId::kNothing:
      vector.ints.push_back(0);
      vector.floats.push_back(0);
      vector.strings.push_back(absl::string_view());
      break;
    default: vector.ints.push_back(0); break;
  }
  return vector;
}

void OwnStrings(StringPool* pool, Vector* vector) {
  vector->MaterializeStrings();
  for (absl::string_view& text : vector->strings) text = pool->Add(std::string(text));
  for (Vector& child : vector->children) OwnStrings(pool, &child);
}

namespace {

// Physical positions `selected` of `from` into `to` (sized to match; empty stays empty).
template <typename T>
void GatherValues(const std::vector<T>& from, absl::Span<const uint32_t> selected,
                  std::vector<T>* to) {
  to->resize(from.empty() ? 0 : selected.size());
  if (from.empty()) return;
  for (size_t i = 0; i < selected.size(); ++i) (*to)[i] = from[selected[i]];
}

// Appends the default value as one more physical row (REQUIRES: not constant).
void AppendDefaultRow(Vector* v) {
  ++v->size;
  switch (v->type.id) {
    case TypeId::kArray: v->offsets.push_back(v->offsets.empty() ? 0 : v->offsets.back()); break;
    case TypeId::kTuple:
      for (Vector& child : v->children) {
        child.Flatten();
        AppendDefaultRow(&child);
      }
      break;
    case TypeId::kString:
      if (v->is_dictionary()) v->MaterializeStrings();
      v->strings.emplace_back();
      break;
    case TypeId::kFloat64: v->floats.push_back(0); break;
    case TypeId::kNothing:
      if (!v->ints.empty()) v->ints.push_back(0);
      if (!v->floats.empty()) v->floats.push_back(0);
      if (!v->strings.empty()) v->strings.emplace_back();
      break;
    default: v->ints.push_back(0); break;
  }
  if (!v->nulls.empty()) v->nulls.push_back(0);
}

}  // namespace

void Gather(const Vector& vector, absl::Span<const uint32_t> selected, Vector* out) {
  out->type = vector.type;
  out->size = selected.size();
  out->dictionary = vector.dictionary;
  out->constant = vector.constant;
  if (vector.constant) {
    out->ints = vector.ints;
    out->floats = vector.floats;
    out->strings = vector.strings;
    out->codes = vector.codes;
    out->offsets = vector.offsets;
    out->nulls = vector.nulls;
    out->children = vector.children;
    if (vector.type.is_tuple()) {
      for (Vector& child : out->children) child.size = selected.size();
    }
    return;
  }
  GatherValues(vector.nulls, selected, &out->nulls);
  if (vector.type.id == TypeId::kArray) {
    // The elements of the selected rows, in order.
    std::vector<uint32_t> elements;
    out->offsets.assign(1, 0);
    for (uint32_t row : selected) {
      for (uint32_t k = vector.offsets[row]; k < vector.offsets[row + 1]; ++k) elements.push_back(k);
      out->offsets.push_back(static_cast<uint32_t>(elements.size()));
    }
    GatherValues(vector.ints, elements, &out->ints);
    GatherValues(vector.floats, elements, &out->floats);
    GatherValues(vector.strings, elements, &out->strings);
    GatherValues(vector.codes, elements, &out->codes);
    out->children.resize(vector.children.size());
    for (size_t c = 0; c < vector.children.size(); ++c) {
      Gather(vector.children[c], elements, &out->children[c]);
    }
    return;
  }
  GatherValues(vector.ints, selected, &out->ints);
  GatherValues(vector.floats, selected, &out->floats);
  GatherValues(vector.strings, selected, &out->strings);
  GatherValues(vector.codes, selected, &out->codes);
  out->offsets.clear();
  out->children.resize(vector.children.size());
  for (size_t c = 0; c < vector.children.size(); ++c) {
    Gather(vector.children[c], selected, &out->children[c]);
  }
}

void ScatterWithNulls(const Vector& compact, absl::Span<const uint32_t> selected, size_t rows,
                      Vector* out) {
  Vector source = compact;
  source.Flatten();
  source.MaterializeStrings();
  const size_t values = source.size;
  if (source.nulls.empty()) source.nulls.assign(values, 0);
  AppendDefaultRow(&source);
  // No value at all (no row selected): the flags were empty and AppendDefaultRow added none.
  source.nulls.resize(values + 1, 0);
  source.nulls.back() = 1;
  // Unselected rows read the default row appended at `values`.
  std::vector<uint32_t> map(rows, static_cast<uint32_t>(values));
  for (size_t i = 0; i < selected.size(); ++i) map[selected[i]] = static_cast<uint32_t>(i);
  Gather(source, map, out);
  if (!out->type.CannotBeNullable()) out->type.nullable = true;
}

namespace {

void AppendBytes(const void* data, size_t size, std::string* key) {
  key->append(static_cast<const char*>(data), size);
}

void AppendStringKey(absl::string_view text, std::string* key) {
  const uint32_t length = static_cast<uint32_t>(text.size());
  AppendBytes(&length, sizeof(length), key);
  key->append(text.data(), text.size());
}

// A plain scalar at physical position `i` of a vector's value arrays, read as type `id`.
void AppendScalarKey(const Vector& v, TypeId id, size_t i, std::string* key) {
  if (id == TypeId::kString) {
    AppendStringKey(v.dictionary != nullptr ? v.dictionary->Get(v.codes[i]) : v.strings[i], key);
  } else if (id == TypeId::kFloat64) {
    double value = v.floats[i];
    if (value == 0) value = 0;  // -0 groups with 0
    AppendBytes(&value, sizeof(value), key);
  } else if (id != TypeId::kNothing) {
    AppendBytes(&v.ints[i], sizeof(int64_t), key);
  }
}

int CompareScalars(const Vector& a, size_t i, const Vector& b, size_t j, TypeId id,
                   bool nulls_greater) {
  if (id == TypeId::kString) {
    const absl::string_view x = a.dictionary != nullptr ? a.dictionary->Get(a.codes[i]) : a.strings[i];
    const absl::string_view y = b.dictionary != nullptr ? b.dictionary->Get(b.codes[j]) : b.strings[j];
    const int cmp = x.compare(y);
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

}  // namespace

void AppendValueKey(const Vector& vector, size_t row, std::string* key) {
  if (vector.type.may_be_null()) {
    const bool null = vector.is_null(row);
    key->push_back(null ? 1 : 0);
    if (null) return;
  }
  const size_t i = vector.index(row);
  switch (vector.type.id) {
    case TypeId::kArray: {
      const uint32_t begin = vector.offsets[i], end = vector.offsets[i + 1];
      const uint32_t count = end - begin;
      AppendBytes(&count, sizeof(count), key);
      for (uint32_t k = begin; k < end; ++k) {
        if (vector.type.nested_elements()) {
          AppendValueKey(vector.children[0], k, key);
        } else {
          AppendScalarKey(vector, vector.type.element, k, key);
        }
      }
      return;
    }
    case TypeId::kTuple:
      for (const Vector& child : vector.children) AppendValueKey(child, row, key);
      return;
    default: AppendScalarKey(vector, vector.type.id, i, key); return;
  }
}

int CompareValues(const Vector& a, size_t row_a, const Vector& b, size_t row_b,
                  bool nulls_greater) {
  const bool null_a = a.is_null(row_a), null_b = b.is_null(row_b);
  if (null_a || null_b) {
    if (null_a && null_b) return 0;
    return (null_a == nulls_greater) ? 1 : -1;
  }
  const size_t i = a.index(row_a), j = b.index(row_b);
  switch (a.type.id) {
    case TypeId::kArray: {
      const uint32_t begin_a = a.offsets[i], end_a = a.offsets[i + 1];
      const uint32_t begin_b = b.offsets[j], end_b = b.offsets[j + 1];
      for (uint32_t k = 0; begin_a + k < end_a && begin_b + k < end_b; ++k) {
        const int cmp = a.type.nested_elements()
                            ? CompareValues(a.children[0], begin_a + k, b.children[0], begin_b + k,
                                            nulls_greater)
                            : CompareScalars(a, begin_a + k, b, begin_b + k, a.type.element,
                                             nulls_greater);
        if (cmp != 0) return cmp;
      }
      const uint32_t length_a = end_a - begin_a, length_b = end_b - begin_b;
      return length_a < length_b ? -1 : length_a > length_b;
    }
    case TypeId::kTuple:
      for (size_t c = 0; c < a.children.size() && c < b.children.size(); ++c) {
        const int cmp = CompareValues(a.children[c], row_a, b.children[c], row_b, nulls_greater);
        if (cmp != 0) return cmp;
      }
      return 0;
    default: return CompareScalars(a, i, b, j, a.type.id, nulls_greater);
  }
}

size_t VectorHeapBytes(const Vector& v) {
  size_t bytes = v.ints.capacity() * 8 + v.floats.capacity() * 8 + v.codes.capacity() * 4 +
                 v.strings.capacity() * sizeof(absl::string_view) + v.offsets.capacity() * 4 + v.nulls.capacity();
  for (absl::string_view s : v.strings) bytes += s.size() + sizeof(std::string);
  for (const Vector& child : v.children) bytes += VectorHeapBytes(child);
  return bytes;
}

}  // namespace mua
