// The generic combinators -Array, -ForEach, -OrNull, -OrDefault, -Distinct as
// suffixes of any aggregate, stacked as ClickHouse peels them from the end of
// the name; every path (one state, merged partial states, serialized states).
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
using test::Ints;

const DataType kInt64 = DataType::Of(TypeId::kInt64);
const DataType kUInt8 = DataType::Of(TypeId::kUInt8);

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

TEST(ArrayCombinatorTest, SumAndUniqOverElements) {
  const std::vector<Vector> args = {IntArrays(TypeId::kInt64, {{1, 2}, {}, {3, 3}, {5}})};
  auto sum = BindOrDie("sumArray", {}, {args[0].type});
  ASSERT_NE(sum, nullptr);
  EXPECT_EQ(sum->result_type().Name(), "Int64");
  EXPECT_EQ(CheckAllPaths(*sum, args, {0, 0, 0, 1}, 3).ints, (std::vector<int64_t>{9, 5, 0}));
  auto uniq = BindOrDie("uniqExactArray", {}, {args[0].type});
  EXPECT_EQ(CheckAllPaths(*uniq, args, {0, 0, 0, 0}, 1).ints, (std::vector<int64_t>{4}));
  // groupArray is a name of its own, groupArrayArray its -Array form.
  auto flat = BindOrDie("groupArrayArray", {}, {args[0].type});
  EXPECT_EQ(flat->result_type().Name(), "Array(Int64)");
  EXPECT_EQ(CheckAllPaths(*flat, args, {0, 0, 0, 0}, 1).ints,
            (std::vector<int64_t>{1, 2, 3, 3, 5}));
}

TEST(ArrayCombinatorTest, ArraysOfOneRowMustHaveEqualSizes) {
  const std::vector<Vector> args = {IntArrays(TypeId::kInt64, {{1, 2}}),
                                    IntArrays(TypeId::kInt64, {{1}})};
  auto f = BindOrDie("covarPopArray", {}, {args[0].type, args[1].type});
  auto state = f->CloneEmpty();
  state->Resize(1);
  EXPECT_FALSE(state->Update(args, {0}).ok());
}

TEST(ArrayCombinatorTest, ScalarArgumentIsRefused) {
  const std::vector<AggregateArg> args = {{kInt64}};
  EXPECT_FALSE(BindAggregateFunction("sumArray", {}, args, false).ok());
}

TEST(ArrayCombinatorTest, UniqArrayIfTakesAScalarCondition) {
  const std::vector<Vector> args = {IntArrays(TypeId::kInt64, {{1, 2}, {3}, {4, 1}}),
                                    Ints(kUInt8, {1, 0, 1})};
  auto f = BindOrDie("uniqExactArrayIf", {}, {args[0].type, kUInt8});
  EXPECT_EQ(CheckAllPaths(*f, args, {0, 0, 0}, 1).ints, (std::vector<int64_t>{3}));
}

TEST(ForEachCombinatorTest, ElementWiseSums) {
  const std::vector<Vector> args = {IntArrays(TypeId::kInt64, {{1, 2}, {10, 20, 30}, {}, {7}})};
  auto f = BindOrDie("sumForEach", {}, {args[0].type});
  EXPECT_EQ(f->result_type().Name(), "Array(Int64)");
  const Vector v = CheckAllPaths(*f, args, {0, 0, 1, 2}, 4);
  EXPECT_EQ(v.ints, (std::vector<int64_t>{11, 22, 30, 7}));
  EXPECT_EQ(v.offsets, (std::vector<uint32_t>{0, 3, 3, 4, 4}));
}

TEST(ForEachCombinatorTest, AvgForEachOfFloats) {
  const std::vector<Vector> args = {IntArrays(TypeId::kInt64, {{1, 2}, {3}})};
  auto f = BindOrDie("avgForEach", {}, {args[0].type});
  EXPECT_EQ(f->result_type().Name(), "Array(Float64)");
  const Vector v = CheckAllPaths(*f, args, {0, 0}, 1);
  EXPECT_EQ(v.floats, (std::vector<double>{2, 2}));
}

TEST(OrFillCombinatorTest, OrNullIsNullWithoutRows) {
  const std::vector<Vector> args = {Ints(kInt64, {4, 5})};
  auto f = BindOrDie("sumOrNull", {}, {kInt64});
  EXPECT_EQ(f->result_type().Name(), "Nullable(Int64)");
  const Vector v = CheckAllPaths(*f, args, {0, 0}, 2);
  EXPECT_EQ(v.ints[0], 9);
  EXPECT_EQ(v.nulls, (std::vector<uint8_t>{0, 1}));
}

TEST(OrFillCombinatorTest, IfOrNullCountsOnlyRowsPassingTheCondition) {
  const std::vector<Vector> args = {Ints(kInt64, {4, 5, 6}), Ints(kUInt8, {1, 0, 0})};
  auto f = BindOrDie("sumIfOrNull", {}, {kInt64, kUInt8});
  EXPECT_EQ(f->result_type().Name(), "Nullable(Int64)");
  const Vector v = CheckAllPaths(*f, args, {0, 1, 1}, 2);
  EXPECT_EQ(v.ints[0], 4);
  EXPECT_EQ(v.nulls, (std::vector<uint8_t>{0, 1}));
}

TEST(OrFillCombinatorTest, OrDefaultReplacesNan) {
  const std::vector<Vector> args = {Ints(kInt64, {4, 6})};
  auto f = BindOrDie("avgOrDefault", {}, {kInt64});
  EXPECT_EQ(f->result_type().Name(), "Float64");
  const Vector v = CheckAllPaths(*f, args, {0, 0}, 2);
  EXPECT_EQ(v.floats, (std::vector<double>{5, 0}));
}

TEST(DistinctCombinatorTest, SumDistinctAndCountDistinct) {
  const std::vector<Vector> args = {Ints(kInt64, {3, 3, 4, 4, 5})};
  auto sum = BindOrDie("sumDistinct", {}, {kInt64});
  EXPECT_EQ(CheckAllPaths(*sum, args, {0, 0, 0, 0, 0}, 1).ints, (std::vector<int64_t>{12}));
  auto count = BindOrDie("countDistinct", {}, {kInt64});
  EXPECT_EQ(CheckAllPaths(*count, args, {0, 0, 0, 0, 0}, 1).ints, (std::vector<int64_t>{3}));
  auto sum_if = BindOrDie("sumDistinctIf", {}, {kInt64, kUInt8});
  const std::vector<Vector> with_cond = {args[0], Ints(kUInt8, {1, 1, 1, 0, 1})};
  EXPECT_EQ(CheckAllPaths(*sum_if, with_cond, {0, 0, 0, 0, 0}, 1).ints,
            (std::vector<int64_t>{12}));
}

TEST(CombinatorNamesTest, SuffixesPeelFromTheEnd) {
  EXPECT_TRUE(IsAggregateFunction("sumArrayIfOrNull"));
  EXPECT_TRUE(IsAggregateFunction("uniqArrayIf"));
  EXPECT_TRUE(IsAggregateFunction("argMaxIf"));
  EXPECT_TRUE(IsAggregateFunction("groupArrayForEach"));
  EXPECT_FALSE(IsAggregateFunction("sumNope"));
  EXPECT_FALSE(IsAggregateFunction("Array"));
}

}  // namespace
}  // namespace mua
