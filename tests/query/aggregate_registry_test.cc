// The aggregate registry and its combinators: names (case, suffixes), the -If
// and DISTINCT combinators, NULL handling, and state serialization of the
// basic functions (count, sum, avg, min, max, any, anyLast, argMin, argMax,
// uniqExact, retention).
#include <limits>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "query/aggregate_function.h"
#include "tests/query/aggregate_test_util.h"
#include "tests/testutil/status_matchers.h"

namespace mua {
namespace {

using test::BindOrDie;
using test::CheckAllPaths;
using test::Floats;
using test::Ints;
using test::StatusIs;
using test::Single;
using test::Strings;
using test::UInts;
using test::WithNulls;

const DataType kUInt64 = DataType::Of(TypeId::kUInt64);
const DataType kInt64 = DataType::Of(TypeId::kInt64);
const DataType kUInt8 = DataType::Of(TypeId::kUInt8);
const DataType kFloat64 = DataType::Of(TypeId::kFloat64);
const DataType kString = DataType::Of(TypeId::kString);

DataType Nullable(DataType type) {
  type.nullable = true;
  return type;
}

TEST(AggregateRegistryTest, NamesCaseAndCombinatorSuffixes) {
  for (const char* name : {"count", "COUNT", "Sum", "avg", "MAX", "uniqExact", "countIf", "sumIf",
                           "uniqExactIf", "countDistinct", "sumDistinct", "countDistinctIf",
                           "VAR_POP", "var_samp", "varPop", "corr", "CORR", "topK", "groupArray",
                           "quantiles", "quantileTDigest", "median", "sequenceMatch",
                           "sequenceCount", "groupBitmap", "windowFunnel", "retention"}) {
    EXPECT_TRUE(IsAggregateFunction(name)) << name;
  }
  for (const char* name : {"sumIfIf", "Uniq", "varpop", "nosuch", "If", "countDistinctDistinct"}) {
    EXPECT_FALSE(IsAggregateFunction(name)) << name;
  }
  const AggregateArg arg{kUInt64};
  EXPECT_THAT(BindAggregateFunction("nosuch", {}, absl::MakeConstSpan(&arg, 1), false),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(BindAggregateFunction("sum", {}, {}, false),
              StatusIs(absl::StatusCode::kInvalidArgument));
  const AggregateArg text{kString};
  absl::StatusOr<std::unique_ptr<AggregateFunction>> bad =
      BindAggregateFunction("sum", {}, absl::MakeConstSpan(&text, 1), false);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "Illegal type String of argument 1 of function sum");
}

TEST(AggregateRegistryTest, BasicFunctionsPerGroupWithMergeAndRoundTrip) {
  const std::vector<std::string> names = {"b", "a", "c", "a", "z", "y"};
  const std::vector<Vector> ints = {Ints(kInt64, {5, -3, 7, 2, 10, 1})};
  const std::vector<uint32_t> groups = {0, 0, 0, 1, 1, 1};
  auto run = [&](const char* name, const std::vector<Vector>& args, std::vector<DataType> types) {
    SCOPED_TRACE(name);
    auto f = BindOrDie(name, {}, types);
    return CheckAllPaths(*f, args, groups, 3);
  };
  EXPECT_EQ(run("count", {}, {}).ints, (std::vector<int64_t>{3, 3, 0}));
  EXPECT_EQ(run("sum", ints, {kInt64}).ints, (std::vector<int64_t>{9, 13, 0}));
  EXPECT_EQ(run("min", ints, {kInt64}).ints, (std::vector<int64_t>{-3, 1, 0}));
  EXPECT_EQ(run("max", ints, {kInt64}).ints, (std::vector<int64_t>{7, 10, 0}));
  EXPECT_EQ(run("any", ints, {kInt64}).ints, (std::vector<int64_t>{5, 2, 0}));
  EXPECT_EQ(run("anyLast", ints, {kInt64}).ints, (std::vector<int64_t>{7, 1, 0}));
  const Vector avg = run("avg", ints, {kInt64});
  EXPECT_DOUBLE_EQ(avg.floats[0], 3);
  EXPECT_TRUE(std::isnan(avg.floats[2]));
  const std::vector<Vector> pair = {Strings(names), ints[0]};
  EXPECT_EQ(run("argMax", pair, {kString, kInt64}).strings,
            (std::vector<absl::string_view>{"c", "z", ""}));
  EXPECT_EQ(run("argMin", pair, {kString, kInt64}).strings,
            (std::vector<absl::string_view>{"a", "y", ""}));
  EXPECT_EQ(run("max", {Strings(names)}, {kString}).strings,
            (std::vector<absl::string_view>{"c", "z", ""}));
  EXPECT_EQ(run("uniqExact", {Strings(names)}, {kString}).ints, (std::vector<int64_t>{3, 3, 0}));
  EXPECT_EQ(run("uniq", ints, {kInt64}).ints, (std::vector<int64_t>{3, 3, 0}));
  const std::vector<Vector> conds = {Ints(kUInt8, {1, 0, 0, 0, 1, 1}), Ints(kUInt8, {0, 1, 0, 1, 0, 1})};
  const Vector retention = run("retention", conds, {kUInt8, kUInt8});
  EXPECT_EQ(retention.ints, (std::vector<int64_t>{1, 1, 1, 1, 0, 0}));
  EXPECT_EQ(retention.offsets, (std::vector<uint32_t>{0, 2, 4, 6}));
  // UInt64 sums wrap as ClickHouse's do.
  const std::vector<Vector> big = {UInts({-1, 2})};
  EXPECT_EQ(Single(*BindOrDie("sum", {}, {kUInt64}), big, {0, 0}, 1).ints, (std::vector<int64_t>{1}));
}

TEST(AggregateRegistryTest, IfCombinatorSkipsFalseAndNullConditions) {
  const std::vector<Vector> args = {Ints(kInt64, {1, 2, 3, 4}),
                                    WithNulls(Ints(kUInt8, {1, 0, 1, 1}), {0, 0, 1, 0})};
  const std::vector<uint32_t> groups = {0, 0, 0, 0};
  EXPECT_EQ(CheckAllPaths(*BindOrDie("sumIf", {}, {kInt64, Nullable(kUInt8)}), args, groups, 1).ints,
            (std::vector<int64_t>{5}));
  EXPECT_EQ(CheckAllPaths(*BindOrDie("countIf", {}, {Nullable(kUInt8)}), {args[1]}, groups, 1).ints,
            (std::vector<int64_t>{2}));
  const AggregateArg text{kString};
  EXPECT_FALSE(BindAggregateFunction("countIf", {}, absl::MakeConstSpan(&text, 1), false).ok());
}

TEST(AggregateRegistryTest, NullArgumentsAreSkippedAndResultsNullableAsClickHouse) {
  // Group 0: 1, NULL, 3; group 1: NULL only; group 2: no rows.
  const std::vector<Vector> args = {WithNulls(Ints(kInt64, {1, 0, 3, 0}), {0, 1, 0, 1})};
  const std::vector<uint32_t> groups = {0, 0, 0, 1};
  const DataType type = Nullable(kInt64);
  auto run = [&](const char* name) {
    SCOPED_TRACE(name);
    return CheckAllPaths(*BindOrDie(name, {}, {type}), args, groups, 3);
  };
  const Vector sum = run("sum");
  EXPECT_EQ(sum.type.Name(), "Nullable(Int64)");
  EXPECT_EQ(sum.ints[0], 4);
  EXPECT_EQ(sum.nulls, (std::vector<uint8_t>{0, 1, 1}));
  const Vector max = run("max");
  EXPECT_EQ(max.ints[0], 3);
  EXPECT_EQ(max.nulls, (std::vector<uint8_t>{0, 1, 1}));
  const Vector avg = run("avg");
  EXPECT_EQ(avg.type.Name(), "Nullable(Float64)");
  EXPECT_DOUBLE_EQ(avg.floats[0], 2);
  EXPECT_EQ(avg.nulls, (std::vector<uint8_t>{0, 1, 1}));
  const Vector count = run("count");
  EXPECT_EQ(count.type.Name(), "UInt64");
  EXPECT_EQ(count.ints, (std::vector<int64_t>{2, 0, 0}));
  EXPECT_TRUE(count.nulls.empty());
  const Vector uniq = run("uniqExact");
  EXPECT_EQ(uniq.type.Name(), "UInt64");
  EXPECT_EQ(uniq.ints, (std::vector<int64_t>{2, 0, 0}));
  const Vector array = run("groupArray");
  EXPECT_EQ(array.type.Name(), "Array(Int64)");
  EXPECT_EQ(array.ints, (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(array.offsets, (std::vector<uint32_t>{0, 2, 2, 2}));
  // count() over a Nullable column counts every row.
  EXPECT_EQ(CheckAllPaths(*BindOrDie("count", {}, {}), {}, groups, 3).ints, (std::vector<int64_t>{3, 1, 0}));
}

TEST(AggregateRegistryTest, NullLiteralArgument) {
  Vector null;
  null.type = DataType::Of(TypeId::kNothing);
  null.size = 2;
  null.constant = true;
  null.nulls = {1};
  const std::vector<Vector> args = {null};
  const Vector sum = CheckAllPaths(*BindOrDie("sum", {}, {null.type}), args, {0, 0}, 1);
  EXPECT_EQ(sum.type.Name(), "Nullable(Nothing)");
  EXPECT_EQ(sum.nulls, (std::vector<uint8_t>{1}));
  EXPECT_EQ(CheckAllPaths(*BindOrDie("count", {}, {null.type}), args, {0, 0}, 1).ints,
            (std::vector<int64_t>{0}));
}

TEST(AggregateRegistryTest, DistinctCombinatorFoldsEachValueOnceAcrossPartialStates) {
  // Every value appears in several of the three partial states.
  const std::vector<Vector> args = {Ints(kInt64, {5, 5, 1, 5, 1, 2, 5, 2, 7})};
  const std::vector<uint32_t> groups = {0, 0, 0, 0, 0, 0, 0, 0, 1};
  EXPECT_EQ(CheckAllPaths(*BindOrDie("sum", {}, {kInt64}, /*distinct=*/true), args, groups, 2).ints,
            (std::vector<int64_t>{8, 7}));
  EXPECT_EQ(CheckAllPaths(*BindOrDie("sumDistinct", {}, {kInt64}), args, groups, 2).ints,
            (std::vector<int64_t>{8, 7}));
  EXPECT_EQ(CheckAllPaths(*BindOrDie("count", {}, {kInt64}, true), args, groups, 2).ints,
            (std::vector<int64_t>{3, 1}));
  EXPECT_EQ(CheckAllPaths(*BindOrDie("countDistinct", {}, {kInt64}), args, groups, 2).ints,
            (std::vector<int64_t>{3, 1}));
  const std::vector<std::string> text = {"x", "y", "x", "x", "y", "z", "x", "z", "x"};
  const Vector arrays = CheckAllPaths(*BindOrDie("groupArray", {}, {kString}, true), {Strings(text)}, groups, 2);
  EXPECT_EQ(arrays.strings, (std::vector<absl::string_view>{"x", "y", "z", "x"}));
  const std::vector<Vector> with_cond = {args[0], Ints(kUInt8, {1, 1, 0, 1, 0, 1, 1, 1, 1})};
  EXPECT_EQ(CheckAllPaths(*BindOrDie("sumDistinctIf", {}, {kInt64, kUInt8}), with_cond, groups, 2).ints,
            (std::vector<int64_t>{7, 7}));
}

TEST(AggregateRegistryTest, MalformedStatesAreDataLoss) {
  for (const char* name : {"sum", "uniqExact", "groupArray", "quantile", "topK", "varPop"}) {
    SCOPED_TRACE(name);
    auto f = BindOrDie(name, {}, {kInt64});
    auto state = f->CloneEmpty();
    state->Resize(1);
    ASSERT_OK(state->Update({Ints(kInt64, {1, 2, 3})}, std::vector<uint32_t>{0, 0, 0}));
    std::string bytes;
    ASSERT_OK(state->SerializeState(0, &bytes));
    auto target = f->CloneEmpty();
    target->Resize(1);
    EXPECT_THAT(target->DeserializeState(0, absl::string_view(bytes).substr(0, bytes.size() - 1)),
                StatusIs(absl::StatusCode::kDataLoss));
    EXPECT_THAT(target->DeserializeState(0, bytes + "x"), StatusIs(absl::StatusCode::kDataLoss));
  }
}

}  // namespace
}  // namespace mua
