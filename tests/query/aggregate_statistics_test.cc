// The aggregates added with the combinators: skew/kurt, groupBit*, avgWeighted,
// simpleLinearRegression, deltaSum, uniqUpTo, entropy, groupConcat; each on
// every path (one state, merged partial states, serialized states).
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "query/aggregate_function.h"
#include "query/vector.h"
#include "tests/query/aggregate_test_util.h"

namespace mua {
namespace {

using test::BindOrDie;
using test::CheckAllPaths;
using test::Floats;
using test::Ints;

const DataType kInt64 = DataType::Of(TypeId::kInt64);
const DataType kUInt8 = DataType::Of(TypeId::kUInt8);
const DataType kFloat64 = DataType::Of(TypeId::kFloat64);
const DataType kString = DataType::Of(TypeId::kString);

TEST(SkewKurtTest, AsClickHouseFromPowerSums) {
  // 1, 2, 3, 10: mean 4, central moments m2 = 12.5, m3 = 45, m4 = 348.5 (population).
  const std::vector<Vector> args = {Ints(kInt64, {1, 2, 3, 10})};
  const double skew = CheckAllPaths(*BindOrDie("skewPop", {}, {kInt64}), args, {0, 0, 0, 0}, 1).floats[0];
  EXPECT_NEAR(skew, 45.0 / std::pow(12.5, 1.5), 1e-12);
  const double kurt = CheckAllPaths(*BindOrDie("kurtPop", {}, {kInt64}), args, {0, 0, 0, 0}, 1).floats[0];
  EXPECT_NEAR(kurt, 348.5 / (12.5 * 12.5), 1e-12);
  const double skew_samp =
      CheckAllPaths(*BindOrDie("skewSamp", {}, {kInt64}), args, {0, 0, 0, 0}, 1).floats[0];
  EXPECT_NEAR(skew_samp, 45.0 / std::pow(50.0 / 3, 1.5), 1e-12);
  const double kurt_samp =
      CheckAllPaths(*BindOrDie("kurtSamp", {}, {kInt64}), args, {0, 0, 0, 0}, 1).floats[0];
  EXPECT_NEAR(kurt_samp, 348.5 / (50.0 / 3 * 50.0 / 3), 1e-12);
  // No rows: nan.
  EXPECT_TRUE(std::isnan(CheckAllPaths(*BindOrDie("skewPop", {}, {kInt64}), args, {0, 0, 0, 0}, 2).floats[1]));
}

TEST(GroupBitTest, AndOrXorKeepTheType) {
  const std::vector<Vector> args = {Ints(kUInt8, {0b1110, 0b0111, 0b0110})};
  auto f = BindOrDie("groupBitAnd", {}, {kUInt8});
  EXPECT_EQ(f->result_type().Name(), "UInt8");
  // Group 1 has no rows: all ones, as ClickHouse's initial state.
  EXPECT_EQ(CheckAllPaths(*f, args, {0, 0, 0}, 2).ints, (std::vector<int64_t>{0b0110, 255}));
  EXPECT_EQ(CheckAllPaths(*BindOrDie("groupBitOr", {}, {kUInt8}), args, {0, 0, 0}, 1).ints,
            (std::vector<int64_t>{0b1111}));
  EXPECT_EQ(CheckAllPaths(*BindOrDie("BIT_XOR", {}, {kUInt8}), args, {0, 0, 0}, 1).ints,
            (std::vector<int64_t>{0b1111}));
  const std::vector<AggregateArg> floats = {{kFloat64}};
  EXPECT_FALSE(BindAggregateFunction("groupBitAnd", {}, floats, false).ok());
}

TEST(AvgWeightedTest, WeightedMeanAndNanWithoutWeight) {
  const std::vector<Vector> args = {Ints(kInt64, {4, 1, 7}), Ints(kInt64, {1, 0, 3})};
  const Vector v = CheckAllPaths(*BindOrDie("avgWeighted", {}, {kInt64, kInt64}), args, {0, 0, 0}, 2);
  EXPECT_DOUBLE_EQ(v.floats[0], (4.0 + 21.0) / 4.0);
  EXPECT_TRUE(std::isnan(v.floats[1]));
}

TEST(SimpleLinearRegressionTest, ExactLine) {
  const std::vector<Vector> args = {Ints(kInt64, {0, 1, 2, 3}), Ints(kInt64, {1, 3, 5, 7})};
  auto f = BindOrDie("simpleLinearRegression", {}, {kInt64, kInt64});
  EXPECT_EQ(f->result_type().Name(), "Tuple(k Float64, b Float64)");
  const Vector v = test::Single(*f, args, {0, 0, 0, 0}, 1);
  ASSERT_EQ(v.children.size(), 2u);
  EXPECT_DOUBLE_EQ(v.children[0].floats[0], 2);
  EXPECT_DOUBLE_EQ(v.children[1].floats[0], 1);
}

TEST(DeltaSumTest, RisesOnlyAndMergedStatesJoinAtTheGap) {
  const std::vector<Vector> args = {Ints(kInt64, {1, 2, 3, 0, 4, 5, 6})};
  auto f = BindOrDie("deltaSum", {}, {kInt64});
  EXPECT_EQ(f->result_type().Name(), "Int64");
  // 1->2->3 (+2), reset to 0, 0->4->5->6 (+6).
  EXPECT_EQ(test::Single(*f, args, {0, 0, 0, 0, 0, 0, 0}, 1).ints, (std::vector<int64_t>{8}));
  EXPECT_EQ(test::RoundTripped(*f, args, {0, 0, 0, 0, 0, 0, 0}, 1).ints, (std::vector<int64_t>{8}));
  const std::vector<Vector> floats = {Floats({1.5, 3, 2})};
  EXPECT_EQ(test::Single(*BindOrDie("deltaSum", {}, {kFloat64}), floats, {0, 0, 0}, 1).floats,
            (std::vector<double>{1.5}));
}

TEST(UniqUpToTest, CountsUpToNThenNPlusOne) {
  const std::vector<Vector> params = {Ints(kUInt8, {3})};
  const std::vector<Vector> args = {Ints(kInt64, {1, 2, 2, 3, 1, 9, 9, 8, 7})};
  auto f = BindOrDie("uniqUpTo", params, {kInt64});
  EXPECT_EQ(CheckAllPaths(*f, args, {0, 0, 0, 0, 0, 1, 1, 1, 1}, 3).ints,
            (std::vector<int64_t>{3, 3, 0}));
  EXPECT_EQ(CheckAllPaths(*f, args, {0, 0, 0, 0, 0, 0, 0, 0, 0}, 1).ints,
            (std::vector<int64_t>{4}));
  const std::vector<Vector> too_big = {Ints(kUInt8, {101})};
  const std::vector<AggregateArg> types = {{kInt64}};
  EXPECT_FALSE(BindAggregateFunction("uniqUpTo", too_big, types, false).ok());
}

TEST(EntropyTest, BitsOfTheDistribution) {
  const std::vector<std::string> values = {"a", "b", "a", "b", "x"};
  const std::vector<Vector> args = {test::Strings(values)};
  const Vector v = CheckAllPaths(*BindOrDie("entropy", {}, {kString}), args, {0, 0, 0, 0, 1}, 3);
  EXPECT_DOUBLE_EQ(v.floats[0], 1.0);
  EXPECT_DOUBLE_EQ(v.floats[1], 0.0);
  EXPECT_DOUBLE_EQ(v.floats[2], 0.0);
}

TEST(GroupConcatTest, DelimiterAndLimit) {
  const std::vector<std::string> values = {"a", "b,c", "d", "e"};
  const std::vector<Vector> args = {test::Strings(values)};
  const std::vector<std::string> delimiter = {"-"};
  std::vector<Vector> params = {test::Strings(delimiter)};
  params[0].size = 1;
  EXPECT_EQ(CheckAllPaths(*BindOrDie("groupConcat", params, {kString}), args, {0, 0, 0, 0}, 1).strings,
            (std::vector<absl::string_view>{"a-b,c-d-e"}));
  params.push_back(Ints(kUInt8, {2}));
  EXPECT_EQ(CheckAllPaths(*BindOrDie("groupConcat", params, {kString}), args, {0, 0, 0, 0}, 1).strings,
            (std::vector<absl::string_view>{"a-b,c"}));
  EXPECT_EQ(CheckAllPaths(*BindOrDie("groupConcat", {}, {kInt64}), {Ints(kInt64, {1, -2})}, {0, 0}, 1).strings,
            (std::vector<absl::string_view>{"1-2"}));
}

Vector IntArrays(TypeId element, const std::vector<std::vector<int64_t>>& rows) {
  Vector v;
  v.type = DataType::Array(element);
  v.size = rows.size();
  v.offsets.assign(1, 0);
  for (const auto& row : rows) {
    v.ints.insert(v.ints.end(), row.begin(), row.end());
    v.offsets.push_back(static_cast<uint32_t>(v.ints.size()));
  }
  return v;
}

TEST(MaxMinMapTest, ExtremesByKeyInTheValuesType) {
  const std::vector<Vector> args = {IntArrays(TypeId::kUInt8, {{3, 1}, {1, 2}, {}, {3}}),
                                    IntArrays(TypeId::kInt8, {{10, -1}, {-5, 2}, {}, {4}})};
  auto max = BindOrDie("maxMap", {}, {args[0].type, args[1].type});
  EXPECT_EQ(max->result_type().Name(), "Tuple(Array(UInt8), Array(Int8))");
  const Vector v = CheckAllPaths(*max, args, {0, 0, 0, 0}, 1);
  EXPECT_EQ(v.children[0].ints, (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(v.children[1].ints, (std::vector<int64_t>{-1, 2, 10}));
  const Vector w = CheckAllPaths(*BindOrDie("minMap", {}, {args[0].type, args[1].type}), args,
                                 {0, 0, 0, 0}, 1);
  EXPECT_EQ(w.children[1].ints, (std::vector<int64_t>{-5, 2, 4}));
}

}  // namespace
}  // namespace mua
