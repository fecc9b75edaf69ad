// Keys of one row's argument values for the aggregates that tell values apart
// (uniqExact, DISTINCT, groupUniqArray): an int64 for one numeric value (a
// float by its bits) and a 128-bit fingerprint of the values' binary keys
// (AppendValueKey: equal values, equal keys, whatever the physical form).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

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

// The fingerprint of row `row` of all `args`; *scratch is reused storage. A
// non-NULL value of a Nullable type keys as the plain type's value: states
// fed through the NULL handling and states read back compare equal.
inline Fingerprint128 RowFingerprint(absl::Span<const Vector> args, size_t row,
                                     std::string* scratch) {
  scratch->clear();
  for (const Vector& v : args) {
    const size_t at = scratch->size();
    AppendValueKey(v, row, scratch);
    if (v.type.may_be_null() && (*scratch)[at] == 0) scratch->erase(at, 1);
  }
  return Fingerprint(*scratch);
}

}  // namespace mua::query_internal
