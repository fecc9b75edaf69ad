// ValueColumn: one value per group in the physical layout of a type (int64
// for integers, dates and times; double for Float64; owned strings), for the
// aggregates that keep a single value (min, max, any, argMin, argMax).
// Not thread-safe; one per aggregate instance.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "query/aggregates/state_io.h"
#include "query/vector.h"

namespace mua::query_internal {

enum class Physical { kInt, kFloat, kString };

inline Physical PhysicalOf(const DataType& type) {
  if (type.is_string()) return Physical::kString;
  if (type.id == TypeId::kFloat64) return Physical::kFloat;
  return Physical::kInt;
}

struct ValueColumn {
  Physical physical = Physical::kInt;
  std::vector<int64_t> ints;
  std::vector<double> floats;
  std::vector<std::string> strings;

  void Resize(size_t n) {
    switch (physical) {
      case Physical::kInt: ints.resize(n); break;
      case Physical::kFloat: floats.resize(n); break;
      case Physical::kString: strings.resize(n); break;
    }
  }
  void Set(size_t group, const Vector& v, size_t row) {
    switch (physical) {
      case Physical::kInt: ints[group] = v.int_at(row); break;
      case Physical::kFloat: floats[group] = v.number_at(row); break;
      case Physical::kString: {
        const absl::string_view text = v.string_at(row);
        strings[group].assign(text.data(), text.size());
        break;
      }
    }
  }
  void CopyFrom(size_t group, const ValueColumn& other, size_t other_group) {
    switch (physical) {
      case Physical::kInt: ints[group] = other.ints[other_group]; break;
      case Physical::kFloat: floats[group] = other.floats[other_group]; break;
      case Physical::kString: strings[group] = other.strings[other_group]; break;
    }
  }
  // <0, 0, >0 comparing the stored value with row `row` of `v`.
  int Compare(size_t group, const Vector& v, size_t row, bool is_unsigned) const {
    switch (physical) {
      case Physical::kInt: return CompareInts(ints[group], v.int_at(row), is_unsigned);
      case Physical::kFloat: return CompareFloats(floats[group], v.number_at(row));
      case Physical::kString: return absl::string_view(strings[group]).compare(v.string_at(row));
    }
    return 0;
  }
  int CompareStored(size_t group, const ValueColumn& other, size_t other_group,
                    bool is_unsigned) const {
    switch (physical) {
      case Physical::kInt: return CompareInts(ints[group], other.ints[other_group], is_unsigned);
      case Physical::kFloat: return CompareFloats(floats[group], other.floats[other_group]);
      case Physical::kString: return strings[group].compare(other.strings[other_group]);
    }
    return 0;
  }
  void Write(size_t group, StateWriter& out) const {
    switch (physical) {
      case Physical::kInt: out.Int(ints[group]); break;
      case Physical::kFloat: out.Float(floats[group]); break;
      case Physical::kString: out.Str(strings[group]); break;
    }
  }
  void Read(size_t group, StateReader& in) {
    switch (physical) {
      case Physical::kInt: ints[group] = in.Int(); break;
      case Physical::kFloat: floats[group] = in.Float(); break;
      case Physical::kString: {
        const absl::string_view text = in.Str();
        strings[group].assign(text.data(), text.size());
        break;
      }
    }
  }
  // The values as a column of `type`; string views point into this object.
  void Finalize(const DataType& type, Vector* out) const {
    out->type = type;
    out->constant = false;
    switch (physical) {
      case Physical::kInt: out->ints = ints; out->size = ints.size(); break;
      case Physical::kFloat: out->floats = floats; out->size = floats.size(); break;
      case Physical::kString:
        out->strings.assign(strings.begin(), strings.end());
        out->size = strings.size();
        break;
    }
  }

 private:
  static int CompareInts(int64_t a, int64_t b, bool is_unsigned) {
    if (is_unsigned) {
      const uint64_t ua = static_cast<uint64_t>(a), ub = static_cast<uint64_t>(b);
      return ua < ub ? -1 : ua > ub;
    }
    return a < b ? -1 : a > b;
  }
  static int CompareFloats(double a, double b) { return a < b ? -1 : a > b; }
};

}  // namespace mua::query_internal
