// Vector: the values of one expression over one batch of rows, as the
// executor's kernels consume and produce them. Physical layout by type:
// integers, dates and times in `ints`; Float64 in `floats`; strings either as
// views in `strings` or dictionary-encoded (`codes` + `dictionary`, the way
// storage hands low-cardinality columns and user ids over, so filters and
// GROUP BY can work on codes); Array(T) as `offsets` + elements.
// A constant vector holds one value that stands for every row.
//
// Strings computed by functions live in the batch's StringPool, which outlives
// the batch; anything kept longer (group keys, aggregate states) copies them.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "query/data_type.h"
#include "storage/string_dictionary.h"

namespace mua {

class StringDictionary;

// Owns strings made while evaluating a batch. Views into it stay valid until Clear.
class StringPool {
 public:
  absl::string_view Add(std::string value) {
    return strings_.emplace_back(std::move(value));
  }
  void Clear() { strings_.clear(); }

 private:
  std::deque<std::string> strings_;
};

struct Vector {
  DataType type;
  size_t size = 0;       // logical rows (a constant stands for `size` equal values)
  bool constant = false;  // physical arrays hold exactly one value
  std::vector<int64_t> ints;
  std::vector<double> floats;
  std::vector<absl::string_view> strings;
  std::vector<uint32_t> codes;                  // dictionary-encoded strings
  const StringDictionary* dictionary = nullptr;  // non-null iff `codes` is used
  std::vector<uint32_t> offsets;                 // Array(T): size + 1 entries
  std::vector<uint8_t> nulls;                    // Nullable types: 1 = NULL; empty = none

  bool is_dictionary() const { return dictionary != nullptr; }
  bool is_null(size_t row) const { return !nulls.empty() && nulls[index(row)] != 0; }
  size_t index(size_t row) const { return constant ? 0 : row; }
  int64_t int_at(size_t row) const { return ints[index(row)]; }
  double float_at(size_t row) const { return floats[index(row)]; }
  // REQUIRES: a string type.
  absl::string_view string_at(size_t row) const {
    const size_t i = index(row);
    return dictionary != nullptr ? dictionary->Get(codes[i]) : strings[i];
  }
  // A numeric value as double (integers converted; UInt64 via its bits).
  double number_at(size_t row) const;

  // Replaces dictionary codes by string views (no-op otherwise).
  void MaterializeStrings();
  // Expands a constant to `size` physical values (no-op otherwise).
  void Flatten();

  static Vector ConstantInt(DataType type, int64_t value, size_t rows);
  static Vector ConstantFloat(double value, size_t rows);
  static Vector ConstantString(absl::string_view value, size_t rows);
};

}  // namespace mua
