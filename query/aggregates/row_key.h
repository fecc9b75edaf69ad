// Keys of one row's argument values for the aggregates that tell values apart
// (uniqExact, DISTINCT, groupUniqArray): an int64 for one numeric value (a
// float by its bits) and a 128-bit fingerprint of an unambiguous encoding of
// several values, strings or arrays.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "query/vector.h"
#include "storage/base/fingerprint.h"

namespace mua::query_internal {

inline int64_t FloatBits(double x) {
  int64_t bits;
  std::memcpy(&bits, &x, sizeof(bits));
  return bits;
}

// REQUIRES: a numeric or time type.
inline int64_t IntKey(const Vector& v, size_t row) {
  return v.type.id == TypeId::kFloat64 ? FloatBits(v.float_at(row)) : v.int_at(row);
}

// Appends row `row` of `v` to *key so that different values never give the
// same bytes (strings are length-prefixed).
inline void AppendRowValueKey(const Vector& v, size_t row, std::string* key) {
  if (v.type.id == TypeId::kArray) {
    const size_t i = v.index(row);
    const uint32_t begin = v.offsets[i], end = v.offsets[i + 1];
    absl::StrAppend(key, "[", end - begin, ":");
    for (uint32_t e = begin; e < end; ++e) {
      if (v.type.element == TypeId::kString) {
        const absl::string_view text = v.strings[e];
        absl::StrAppend(key, text.size(), ":", text);
      } else if (v.type.element == TypeId::kFloat64) {
        absl::StrAppend(key, FloatBits(v.floats[e]), ";");
      } else {
        absl::StrAppend(key, v.ints[e], ";");
      }
    }
    return;
  }
  if (v.is_null(row)) {
    key->append("N;");
  } else if (v.type.is_string()) {
    const absl::string_view text = v.string_at(row);
    absl::StrAppend(key, text.size(), ":", text);
  } else if (v.type.id == TypeId::kFloat64) {
    absl::StrAppend(key, FloatBits(v.float_at(row)), ";");
  } else {
    absl::StrAppend(key, v.int_at(row), ";");
  }
}

// The fingerprint of row `row` of all `args`; *scratch is reused storage.
inline Fingerprint128 RowFingerprint(absl::Span<const Vector> args, size_t row,
                                     std::string* scratch) {
  scratch->clear();
  for (const Vector& v : args) AppendRowValueKey(v, row, scratch);
  return Fingerprint(*scratch);
}

}  // namespace mua::query_internal
