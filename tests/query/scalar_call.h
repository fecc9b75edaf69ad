// Test helper: binds a scalar function on constant arguments and evaluates it
// over one row, as the executor would.
//
//   ASSERT_OK_AND_ASSIGN(Vector v, Call("sqrt", {Int(16)}));
//   EXPECT_EQ(FloatOf(v), 4);
#pragma once

#include <deque>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "query/scalar_functions.h"

namespace mua::test {

struct CallArg {
  Vector value;           // one row
  bool constant = true;   // bound as a constant argument
};

inline CallArg Int(int64_t v, TypeId type = TypeId::kInt64) {
  return {Vector::ConstantInt(DataType::Of(type), v, 1)};
}
inline CallArg UInt(uint64_t v, TypeId type = TypeId::kUInt64) {
  return Int(static_cast<int64_t>(v), type);
}
inline CallArg Float(double v) { return {Vector::ConstantFloat(v, 1)}; }
// REQUIRES: `v` outlives the call (string literals do).
inline CallArg Str(absl::string_view v) { return {Vector::ConstantString(v, 1)}; }
inline CallArg Time(TypeId type, int64_t v) { return Int(v, type); }
// The same value, bound as a column (not a constant).
inline CallArg Column(CallArg arg) {
  arg.constant = false;
  return arg;
}
inline CallArg Interval(int unit, int64_t count) {
  DataType type = DataType::Of(TypeId::kInterval);
  type.interval_unit = static_cast<uint8_t>(unit);
  return {Vector::ConstantInt(type, count, 1)};
}
inline CallArg StrArray(const std::vector<absl::string_view>& values) {
  Vector v;
  v.type = DataType::Array(TypeId::kString);
  v.size = 1;
  v.constant = true;
  v.offsets = {0, static_cast<uint32_t>(values.size())};
  v.strings.assign(values.begin(), values.end());
  return {v};
}

// The result (one row) and the pool its strings live in.
struct CallResult {
  Vector value;
  std::shared_ptr<StringPool> pool;
};

inline absl::StatusOr<CallResult> CallFunction(absl::string_view name, std::vector<CallArg> args) {
  std::vector<ScalarArg> bound;
  for (const CallArg& arg : args) {
    bound.push_back({arg.value.type, arg.constant ? &arg.value : nullptr});
  }
  absl::StatusOr<ScalarBinding> binding = BindScalarFunction(name, bound);
  if (!binding.ok()) return binding.status();
  std::vector<Vector> values;
  for (const CallArg& arg : args) values.push_back(arg.value);
  for (auto& [index, replacement] : binding->converted_constants) values[index] = replacement;
  CallResult result{Vector(), std::make_shared<StringPool>()};
  absl::Status status = binding->kernel(absl::MakeSpan(values), 1, result.pool.get(), &result.value);
  if (!status.ok()) return status;
  result.value.type = binding->type;
  return result;
}

inline int64_t IntOf(const CallResult& r) { return r.value.int_at(0); }
inline double FloatOf(const CallResult& r) { return r.value.float_at(0); }
inline std::string StrOf(const CallResult& r) { return std::string(r.value.string_at(0)); }
inline bool IsNullOf(const CallResult& r) { return r.value.is_null(0); }
inline std::vector<std::string> StrArrayOf(const CallResult& r) {
  const size_t i = r.value.index(0);
  std::vector<std::string> out;
  for (uint32_t k = r.value.offsets[i]; k < r.value.offsets[i + 1]; ++k) {
    out.emplace_back(r.value.strings[k]);
  }
  return out;
}

}  // namespace mua::test
