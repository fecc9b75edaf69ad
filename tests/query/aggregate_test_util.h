// Helpers for aggregate-function tests: column builders, binding, running a
// function over rows in one state or in partial states that merge, and the
// serialize/deserialize round trip of every group.
#pragma once

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "query/aggregate_function.h"
#include "query/expression.h"
#include "query/vector.h"

namespace mua::test {

inline Vector Ints(DataType type, std::vector<int64_t> values) {
  Vector v;
  v.type = type;
  v.size = values.size();
  v.ints = std::move(values);
  return v;
}
inline Vector UInts(std::vector<int64_t> values) { return Ints(DataType::Of(TypeId::kUInt64), std::move(values)); }
inline Vector Floats(std::vector<double> values) {
  Vector v;
  v.type = DataType::Of(TypeId::kFloat64);
  v.size = values.size();
  v.floats = std::move(values);
  return v;
}
// REQUIRES: `values` outlives the vector (it holds views).
inline Vector Strings(const std::vector<std::string>& values) {
  Vector v;
  v.type = DataType::Of(TypeId::kString);
  v.size = values.size();
  for (const std::string& s : values) v.strings.push_back(s);
  return v;
}
// Marks rows as NULL (the type becomes Nullable).
inline Vector WithNulls(Vector v, std::vector<uint8_t> nulls) {
  v.type.nullable = true;
  v.nulls = std::move(nulls);
  return v;
}

inline std::unique_ptr<AggregateFunction> BindOrDie(absl::string_view name,
                                                   const std::vector<Vector>& parameters,
                                                   const std::vector<DataType>& types,
                                                   bool distinct = false) {
  std::vector<AggregateArg> args;
  for (const DataType& type : types) args.push_back({type});
  absl::StatusOr<std::unique_ptr<AggregateFunction>> bound =
      BindAggregateFunction(name, parameters, args, distinct);
  EXPECT_TRUE(bound.ok()) << name << ": " << bound.status();
  return bound.ok() ? *std::move(bound) : nullptr;
}

// Rows [begin, end) of every argument.
inline std::vector<Vector> Slice(const std::vector<Vector>& args, size_t begin, size_t end) {
  std::vector<uint32_t> rows;
  for (size_t r = begin; r < end; ++r) rows.push_back(static_cast<uint32_t>(r));
  std::vector<Vector> out(args.size());
  for (size_t i = 0; i < args.size(); ++i) Gather(args[i], rows, &out[i]);
  return out;
}

// Folds the rows into a fresh clone of `prototype` in one Update.
inline std::unique_ptr<AggregateFunction> Fold(const AggregateFunction& prototype,
                                               const std::vector<Vector>& args,
                                               const std::vector<uint32_t>& groups, size_t num_groups) {
  auto state = prototype.CloneEmpty();
  state->Resize(num_groups);
  const absl::Status status = state->Update(args, groups);
  EXPECT_TRUE(status.ok()) << status;
  return state;
}

// Finalized states stay alive until the test binary exits: result strings
// are views into them.
inline std::vector<std::unique_ptr<AggregateFunction>>& KeptStates() {
  static auto* states = new std::vector<std::unique_ptr<AggregateFunction>>;
  return *states;
}

inline Vector Result(std::unique_ptr<AggregateFunction> state) {
  Vector out;
  state->Finalize(&out);
  KeptStates().push_back(std::move(state));
  return out;
}

// The result of folding all rows at once.
inline Vector Single(const AggregateFunction& prototype, const std::vector<Vector>& args,
                     const std::vector<uint32_t>& groups, size_t num_groups) {
  return Result(Fold(prototype, args, groups, num_groups));
}

// The result of folding the rows in `parts` partial states merged together.
inline Vector Merged(const AggregateFunction& prototype, const std::vector<Vector>& args,
                     const std::vector<uint32_t>& groups, size_t num_groups, size_t parts) {
  const size_t rows = groups.size();
  std::unique_ptr<AggregateFunction> total = prototype.CloneEmpty();
  total->Resize(num_groups);
  std::vector<uint32_t> identity(num_groups);
  for (size_t g = 0; g < num_groups; ++g) identity[g] = static_cast<uint32_t>(g);
  for (size_t p = 0; p < parts; ++p) {
    const size_t begin = rows * p / parts, end = rows * (p + 1) / parts;
    std::vector<uint32_t> part_groups(groups.begin() + begin, groups.begin() + end);
    auto part = Fold(prototype, Slice(args, begin, end), part_groups, num_groups);
    total->Merge(*part, identity);
  }
  return Result(std::move(total));
}

// The result after every group's state travelled through SerializeState and
// DeserializeState into a fresh instance.
inline Vector RoundTripped(const AggregateFunction& prototype, const std::vector<Vector>& args,
                           const std::vector<uint32_t>& groups, size_t num_groups) {
  auto source = Fold(prototype, args, groups, num_groups);
  auto target = prototype.CloneEmpty();
  target->Resize(num_groups);
  for (size_t g = 0; g < num_groups; ++g) {
    std::string state;
    const absl::Status written = source->SerializeState(g, &state);
    EXPECT_TRUE(written.ok()) << written;
    const absl::Status read = target->DeserializeState(g, state);
    EXPECT_TRUE(read.ok()) << read;
  }
  return Result(std::move(target));
}

inline void ExpectSameVector(const Vector& a, const Vector& b) {
  EXPECT_EQ(a.type.Name(), b.type.Name());
  EXPECT_EQ(a.size, b.size);
  EXPECT_EQ(a.ints, b.ints);
  ASSERT_EQ(a.floats.size(), b.floats.size());
  for (size_t i = 0; i < a.floats.size(); ++i) {
    if (std::isnan(a.floats[i])) {
      EXPECT_TRUE(std::isnan(b.floats[i])) << i;
    } else {
      EXPECT_NEAR(a.floats[i], b.floats[i], 1e-9 * std::max(1.0, std::fabs(a.floats[i]))) << i;
    }
  }
  EXPECT_EQ(a.strings, b.strings);
  EXPECT_EQ(a.offsets, b.offsets);
  EXPECT_EQ(a.nulls, b.nulls);
}

// Single state, merged partial states and serialized states agree.
inline Vector CheckAllPaths(const AggregateFunction& prototype, const std::vector<Vector>& args,
                            const std::vector<uint32_t>& groups, size_t num_groups) {
  const Vector single = Single(prototype, args, groups, num_groups);
  {
    SCOPED_TRACE("merged");
    ExpectSameVector(single, Merged(prototype, args, groups, num_groups, 3));
  }
  {
    SCOPED_TRACE("round trip");
    ExpectSameVector(single, RoundTripped(prototype, args, groups, num_groups));
  }
  return single;
}

}  // namespace mua::test
