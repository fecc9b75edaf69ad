#include "query/internal/array_util.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace mua::query_internal {

Vector ArrayElements(const Vector& array) {
  const uint32_t count = array.offsets.empty() ? 0 : array.offsets.back();
  if (array.type.nested_elements()) {
    Vector elements = array.children[0];
    elements.size = count;
    elements.Flatten();
    elements.MaterializeStrings();
    return elements;
  }
  Vector elements;
  elements.type = array.type.element_type();
  elements.size = count;
  elements.ints = array.ints;
  elements.floats = array.floats;
  elements.strings = array.strings;
  elements.codes = array.codes;
  elements.dictionary = array.dictionary;
  elements.MaterializeStrings();
  return elements;
}

absl::Status CheckArrayRowElements(const Vector& array, size_t rows) {
  constexpr uint64_t kMaxElements = 1'000'000'000;
  uint64_t total = 0;
  for (size_t row = 0; row < rows; ++row) {
    const auto [begin, end] = ArrayBounds(array, row);
    total += end - begin;
  }
  if (total > kMaxElements) {
    return absl::ResourceExhaustedError(absl::StrCat("Too many array elements in a block: ", total,
                                                     " (at most ", kMaxElements, ")"));
  }
  return absl::OkStatus();
}

std::vector<uint32_t> ArrayRowOffsets(const Vector& array, size_t rows) {
  std::vector<uint32_t> offsets(rows + 1, 0);
  for (size_t row = 0; row < rows; ++row) {
    const auto [begin, end] = ArrayBounds(array, row);
    offsets[row + 1] = offsets[row] + (end - begin);
  }
  return offsets;
}

Vector ArrayRowElements(const Vector& array, size_t rows) {
  Vector elements = ArrayElements(array);
  if (!array.constant && (array.offsets.empty() || array.offsets[0] == 0)) return elements;
  std::vector<uint32_t> positions;
  for (size_t row = 0; row < rows; ++row) {
    const auto [begin, end] = ArrayBounds(array, row);
    for (uint32_t k = begin; k < end; ++k) positions.push_back(k);
  }
  Vector picked;
  Gather(elements, positions, &picked);
  return picked;
}

void BuildArray(const DataType& element, std::vector<uint32_t> offsets, Vector elements, Vector* out) {
  DataType element_type = element;
  element_type.low_cardinality = false;
  const size_t rows = offsets.size() - 1;
  elements.size = offsets.back();
  elements.Flatten();
  elements.MaterializeStrings();
  elements.type = element_type;
  *out = Vector();
  out->type = DataType::ArrayOf(element_type);
  out->size = rows;
  out->offsets = std::move(offsets);
  if (out->type.nested_elements()) {
    out->children.push_back(std::move(elements));
    return;
  }
  out->ints = std::move(elements.ints);
  out->floats = std::move(elements.floats);
  out->strings = std::move(elements.strings);
}

namespace {

template <typename T>
void AppendAll(const std::vector<T>& from, std::vector<T>* to) {
  to->insert(to->end(), from.begin(), from.end());
}

}  // namespace

Vector EmptyVector(const DataType& type) {
  Vector vector;
  vector.type = type;
  if (type.id == TypeId::kArray) {
    vector.offsets.push_back(0);
    if (type.nested_elements()) vector.children.push_back(EmptyVector(type.element_type()));
  } else if (type.is_tuple()) {
    for (size_t i = 0; i < type.tuple_size(); ++i) {
      vector.children.push_back(EmptyVector(type.tuple_element(i)));
    }
  }
  return vector;
}

void AppendValues(const Vector& from_value, Vector* to) {
  Vector from = from_value;
  from.Flatten();
  from.MaterializeStrings();
  to->Flatten();
  to->MaterializeStrings();
  if (!from.nulls.empty() || !to->nulls.empty()) {
    to->nulls.resize(to->size, 0);
    if (from.nulls.empty()) {
      to->nulls.insert(to->nulls.end(), from.size, 0);
    } else {
      AppendAll(from.nulls, &to->nulls);
    }
  }
  if (from.type.id == TypeId::kArray) {
    if (to->offsets.empty()) to->offsets.push_back(0);
    const uint32_t base = to->offsets.back();
    for (size_t i = 1; i < from.offsets.size(); ++i) to->offsets.push_back(base + from.offsets[i]);
    if (from.type.nested_elements()) {
      if (to->children.empty()) to->children.push_back(EmptyVector(from.children[0].type));
      AppendValues(from.children[0], &to->children[0]);
      to->children[0].size = to->offsets.back();
    }
  } else if (from.type.is_tuple()) {
    for (size_t c = 0; c < from.children.size() && c < to->children.size(); ++c) {
      AppendValues(from.children[c], &to->children[c]);
    }
  }
  if (!from.type.nested_elements() && !from.type.is_tuple()) {
    AppendAll(from.ints, &to->ints);
    AppendAll(from.floats, &to->floats);
    AppendAll(from.strings, &to->strings);
  }
  to->size += from.size;
}

void MarkConstant(size_t rows, Vector* out) {
  out->constant = true;
  out->size = rows;
  if (out->type.is_tuple()) {
    for (Vector& child : out->children) MarkConstant(rows, &child);
  }
}

}  // namespace mua::query_internal
