#include "query/vector.h"

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
  constant = false;
  if (!ints.empty() && type.id != TypeId::kArray) ints.assign(size, ints[0]);
  if (!floats.empty()) floats.assign(size, floats[0]);
  if (!strings.empty()) strings.assign(size, strings[0]);
  if (!codes.empty()) codes.assign(size, codes[0]);
  if (type.id == TypeId::kArray) {
    const uint32_t length = offsets[1];
    std::vector<int64_t> elements;
    std::vector<absl::string_view> string_elements;
    offsets.assign(1, 0);
    for (size_t row = 0; row < size; ++row) {
      for (uint32_t k = 0; k < length; ++k) {
        if (!ints.empty()) elements.push_back(ints[k]);
        if (!strings.empty()) string_elements.push_back(strings[k]);
      }
      offsets.push_back(offsets.back() + length);
    }
    if (!ints.empty()) ints = std::move(elements);
    if (!strings.empty()) strings = std::move(string_elements);
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

}  // namespace mua
