// Higher-order array functions (query/internal/lambda_kernels.cc): a lambda
// body bound over [parameters..., captured...] evaluated once per batch over
// every row's elements, with ClickHouse's results.
#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "query/expression.h"
#include "query/scalar_functions.h"
#include "storage/base/status_macros.h"
#include "tests/testutil/status_matchers.h"

namespace mua::test {
namespace {

using ::testing::ElementsAre;
using Rows = std::vector<std::vector<int64_t>>;

MATCHER_P2(StatusHas, code, text, "") {
  const absl::Status status = GetStatus(arg);
  return status.code() == code && absl::StrContains(status.message(), text);
}

const DataType kInt64 = DataType::Of(TypeId::kInt64);
const DataType kUInt8 = DataType::Of(TypeId::kUInt8);

Vector IntArrays(const Rows& rows, TypeId element = TypeId::kInt64) {
  Vector v;
  v.type = DataType::Array(element);
  v.size = rows.size();
  v.offsets = {0};
  for (const auto& row : rows) {
    v.ints.insert(v.ints.end(), row.begin(), row.end());
    v.offsets.push_back(static_cast<uint32_t>(v.ints.size()));
  }
  return v;
}

Vector Ints(const std::vector<int64_t>& values, DataType type = kInt64) {
  Vector v;
  v.type = type;
  v.size = values.size();
  v.ints = values;
  return v;
}

// The rows of an array of integers (or of the flat elements' ints).
Rows RowsOf(const Vector& v) {
  Rows rows;
  const std::vector<int64_t>& ints = v.type.nested_elements() ? v.children[0].ints : v.ints;
  for (size_t row = 0; row < v.size; ++row) {
    const size_t i = v.index(row);
    rows.emplace_back(ints.begin() + v.offsets[i], ints.begin() + v.offsets[i + 1]);
  }
  return rows;
}

std::vector<int64_t> ValuesOf(const Vector& v) {
  std::vector<int64_t> values;
  for (size_t row = 0; row < v.size; ++row) values.push_back(v.int_at(row));
  return values;
}

BoundExprPtr Param(int column, DataType type) { return MakeColumn(column, type, "x"); }
BoundExprPtr Const(int64_t value, DataType type = DataType::Of(TypeId::kUInt8)) {
  return MakeConstant(Vector::ConstantInt(type, value, 1), std::to_string(value));
}

BoundExprPtr Fn(const std::string& name, std::vector<BoundExprPtr> args) {
  std::vector<ScalarArg> scalar_args;
  for (const BoundExprPtr& arg : args) {
    scalar_args.push_back({arg->type, arg->is_constant() ? &arg->constant : nullptr});
  }
  absl::StatusOr<ScalarBinding> binding = BindScalarFunction(name, scalar_args);
  EXPECT_TRUE(binding.ok()) << binding.status();
  return MakeCall(name, binding->kernel, binding->type, std::move(args), name);
}

// Evaluates name(body over `params` parameters, arrays..., captured...) over the arrays' rows.
absl::StatusOr<Vector> RunLambda(const std::string& name, BoundExprPtr body, size_t params,
                           std::vector<Vector> arrays, std::vector<Vector> captures = {}) {
  std::vector<DataType> array_types, capture_types;
  for (const Vector& v : arrays) array_types.push_back(v.type);
  for (const Vector& v : captures) capture_types.push_back(v.type);
  absl::StatusOr<ScalarBinding> binding =
      BindHigherOrderFunction(name, body, params, array_types, capture_types);
  if (!binding.ok()) return binding.status();
  StringPool pool;
  Batch batch;
  batch.rows = arrays[0].size;
  batch.pool = &pool;
  std::vector<BoundExprPtr> args;
  for (Vector& v : arrays) {
    args.push_back(MakeColumn(static_cast<int>(batch.columns.size()), v.type, "a"));
    batch.columns.push_back(std::move(v));
  }
  for (Vector& v : captures) {
    args.push_back(MakeColumn(static_cast<int>(batch.columns.size()), v.type, "c"));
    batch.columns.push_back(std::move(v));
  }
  BoundExprPtr call = MakeCall(name, binding->kernel, binding->type, std::move(args), name);
  Vector out;
  MUA_RETURN_IF_ERROR(Evaluate(*call, batch, &out));
  return out;
}

absl::StatusOr<Vector> RunPlain(const std::string& name, Vector array) {
  absl::StatusOr<ScalarBinding> binding = BindScalarFunction(name, {{array.type, nullptr}});
  if (!binding.ok()) return binding.status();
  StringPool pool;
  Batch batch;
  batch.rows = array.size;
  batch.pool = &pool;
  const DataType type = array.type;
  batch.columns.push_back(std::move(array));
  BoundExprPtr call = MakeCall(name, binding->kernel, binding->type, {MakeColumn(0, type, "a")}, name);
  Vector out;
  MUA_RETURN_IF_ERROR(Evaluate(*call, batch, &out));
  return out;
}

TEST(LambdaTest, MapOverEveryRowAtOnce) {
  ASSERT_OK_AND_ASSIGN(Vector doubled, RunLambda("arrayMap", Fn("multiply", {Param(0, kInt64), Const(2)}), 1,
                                           {IntArrays({{1, 2}, {}, {3}})}));
  EXPECT_EQ(doubled.type.Name(), "Array(Int64)");
  EXPECT_THAT(RowsOf(doubled), ElementsAre(ElementsAre(2, 4), ElementsAre(), ElementsAre(6)));
}

TEST(LambdaTest, CapturedColumnIsReplicatedPerElement) {
  // arrayMap(x -> x + k, arr) with k = 10, 20, 30 per row.
  ASSERT_OK_AND_ASSIGN(Vector out, RunLambda("arrayMap", Fn("plus", {Param(0, kInt64), Param(1, kInt64)}), 1,
                                       {IntArrays({{1, 2}, {}, {3, 4, 5}})}, {Ints({10, 20, 30})}));
  EXPECT_THAT(RowsOf(out), ElementsAre(ElementsAre(11, 12), ElementsAre(), ElementsAre(33, 34, 35)));
}

TEST(LambdaTest, FilterExistsAllCount) {
  const Rows rows = {{1, 2, 3}, {0}, {}};
  BoundExprPtr above_one = Fn("greater", {Param(0, kInt64), Const(1)});
  ASSERT_OK_AND_ASSIGN(Vector filtered, RunLambda("arrayFilter", above_one, 1, {IntArrays(rows)}));
  EXPECT_THAT(RowsOf(filtered), ElementsAre(ElementsAre(2, 3), ElementsAre(), ElementsAre()));
  ASSERT_OK_AND_ASSIGN(Vector exists, RunLambda("arrayExists", above_one, 1, {IntArrays(rows)}));
  EXPECT_THAT(ValuesOf(exists), ElementsAre(1, 0, 0));
  ASSERT_OK_AND_ASSIGN(Vector all, RunLambda("arrayAll", above_one, 1, {IntArrays(rows)}));
  EXPECT_THAT(ValuesOf(all), ElementsAre(0, 0, 1));  // all of nothing is true
  ASSERT_OK_AND_ASSIGN(Vector count, RunLambda("arrayCount", above_one, 1, {IntArrays(rows)}));
  EXPECT_EQ(count.type.Name(), "UInt32");
  EXPECT_THAT(ValuesOf(count), ElementsAre(2, 0, 0));
  // A lambda of arrayFilter must give a condition.
  EXPECT_THAT(RunLambda("arrayFilter", Fn("toString", {Param(0, kInt64)}), 1, {IntArrays(rows)}),
              StatusHas(absl::StatusCode::kInvalidArgument, ("must return UInt8")));
}

TEST(LambdaTest, FirstLastAndIndexes) {
  const Rows rows = {{1, 5, 7, 2}, {0}};
  BoundExprPtr above_four = Fn("greater", {Param(0, kInt64), Const(4)});
  ASSERT_OK_AND_ASSIGN(Vector first, RunLambda("arrayFirst", above_four, 1, {IntArrays(rows)}));
  EXPECT_THAT(ValuesOf(first), ElementsAre(5, 0));  // none: the default
  ASSERT_OK_AND_ASSIGN(Vector last, RunLambda("arrayLast", above_four, 1, {IntArrays(rows)}));
  EXPECT_THAT(ValuesOf(last), ElementsAre(7, 0));
  ASSERT_OK_AND_ASSIGN(Vector first_index, RunLambda("arrayFirstIndex", above_four, 1, {IntArrays(rows)}));
  EXPECT_THAT(ValuesOf(first_index), ElementsAre(2, 0));
  ASSERT_OK_AND_ASSIGN(Vector last_index, RunLambda("arrayLastIndex", above_four, 1, {IntArrays(rows)}));
  EXPECT_THAT(ValuesOf(last_index), ElementsAre(3, 0));
}

TEST(LambdaTest, TwoArraysMustHaveEqualSizes) {
  ASSERT_OK_AND_ASSIGN(Vector sums, RunLambda("arrayMap", Fn("plus", {Param(0, kInt64), Param(1, kInt64)}), 2,
                                        {IntArrays({{1, 2}, {3}}), IntArrays({{10, 20}, {30}})}));
  EXPECT_THAT(RowsOf(sums), ElementsAre(ElementsAre(11, 22), ElementsAre(33)));
  EXPECT_THAT(RunLambda("arrayMap", Fn("plus", {Param(0, kInt64), Param(1, kInt64)}), 2,
                  {IntArrays({{1, 2}, {3}}), IntArrays({{10}, {30, 40}})}),
              StatusHas(absl::StatusCode::kInvalidArgument,
                       ("Arrays passed to arrayMap must have equal size")));
  // The parameter count must fit the arrays.
  EXPECT_THAT(RunLambda("arrayMap", Param(0, kInt64), 2, {IntArrays({{1}})}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(LambdaParameterTypes("arrayMap", {kInt64}, 1),
              StatusHas(absl::StatusCode::kInvalidArgument, ("must be Array")));
}

TEST(LambdaTest, SortByKeyAndReverse) {
  // arraySort(x -> -x, [3, 1, 2]) = [3, 2, 1]; arrayReverseSort((x, y) -> y, [4, 3, 5], [1, 3, 2]) = [3, 5, 4].
  ASSERT_OK_AND_ASSIGN(Vector by_negated, RunLambda("arraySort", Fn("negate", {Param(0, kInt64)}), 1,
                                              {IntArrays({{3, 1, 2}})}));
  EXPECT_THAT(RowsOf(by_negated), ElementsAre(ElementsAre(3, 2, 1)));
  ASSERT_OK_AND_ASSIGN(Vector by_second, RunLambda("arrayReverseSort", Param(1, kInt64), 2,
                                             {IntArrays({{4, 3, 5}}), IntArrays({{1, 3, 2}})}));
  EXPECT_THAT(RowsOf(by_second), ElementsAre(ElementsAre(3, 5, 4)));
}

TEST(LambdaTest, AggregatesWithAndWithoutLambda) {
  const Rows rows = {{1, 2, 3}, {}, {-4}};
  ASSERT_OK_AND_ASSIGN(Vector sum, RunPlain("arraySum", IntArrays(rows)));
  EXPECT_EQ(sum.type.Name(), "Int64");
  EXPECT_THAT(ValuesOf(sum), ElementsAre(6, 0, -4));
  ASSERT_OK_AND_ASSIGN(Vector unsigned_sum, RunPlain("arraySum", IntArrays({{200, 100}}, TypeId::kUInt8)));
  EXPECT_EQ(unsigned_sum.type.Name(), "UInt64");
  EXPECT_THAT(ValuesOf(unsigned_sum), ElementsAre(300));
  ASSERT_OK_AND_ASSIGN(Vector avg, RunPlain("arrayAvg", IntArrays(rows)));
  EXPECT_EQ(avg.floats[0], 2);
  EXPECT_EQ(avg.floats[1], 0);  // ClickHouse: an empty array averages to 0
  ASSERT_OK_AND_ASSIGN(Vector min, RunPlain("arrayMin", IntArrays(rows)));
  EXPECT_THAT(ValuesOf(min), ElementsAre(1, 0, -4));
  ASSERT_OK_AND_ASSIGN(Vector max, RunPlain("arrayMax", IntArrays(rows)));
  EXPECT_THAT(ValuesOf(max), ElementsAre(3, 0, -4));
  ASSERT_OK_AND_ASSIGN(Vector product, RunPlain("arrayProduct", IntArrays(rows)));
  EXPECT_EQ(product.type.Name(), "Float64");
  EXPECT_EQ(product.floats[0], 6);
  ASSERT_OK_AND_ASSIGN(Vector cumsum, RunPlain("arrayCumSum", IntArrays(rows)));
  EXPECT_THAT(RowsOf(cumsum), ElementsAre(ElementsAre(1, 3, 6), ElementsAre(), ElementsAre(-4)));
  ASSERT_OK_AND_ASSIGN(Vector count, RunPlain("arrayCount", IntArrays({{1, 0, 1}}, TypeId::kUInt8)));
  EXPECT_THAT(ValuesOf(count), ElementsAre(2));
  // arraySum(x -> x * 2, arr) sums the mapped values.
  ASSERT_OK_AND_ASSIGN(Vector mapped_sum, RunLambda("arraySum", Fn("multiply", {Param(0, kInt64), Const(2)}), 1,
                                              {IntArrays(rows)}));
  EXPECT_THAT(ValuesOf(mapped_sum), ElementsAre(12, 0, -8));
  EXPECT_THAT(RunPlain("arrayMap", IntArrays(rows)), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(LambdaTest, SplitAndFill) {
  // arraySplit((x, y) -> y, [1, 2, 3, 4, 5], [1, 0, 0, 1, 0]) = [[1, 2, 3], [4, 5]].
  const Rows values = {{1, 2, 3, 4, 5}, {}};
  const Rows cuts = {{1, 0, 0, 1, 0}, {}};
  ASSERT_OK_AND_ASSIGN(Vector split, RunLambda("arraySplit", Param(1, kUInt8), 2,
                                         {IntArrays(values), IntArrays(cuts, TypeId::kUInt8)}));
  EXPECT_EQ(split.type.Name(), "Array(Array(Int64))");
  ASSERT_EQ(split.size, 2u);
  EXPECT_THAT(split.offsets, ElementsAre(0, 2, 2));
  EXPECT_THAT(RowsOf(split.children[0]), ElementsAre(ElementsAre(1, 2, 3), ElementsAre(4, 5)));
  // arrayReverseSplit: [[1], [2, 3, 4], [5]].
  ASSERT_OK_AND_ASSIGN(Vector reverse_split, RunLambda("arrayReverseSplit", Param(1, kUInt8), 2,
                                                 {IntArrays(values), IntArrays(cuts, TypeId::kUInt8)}));
  EXPECT_THAT(RowsOf(reverse_split.children[0]),
              ElementsAre(ElementsAre(1), ElementsAre(2, 3, 4), ElementsAre(5)));
  // arrayFill(x -> x != 0, [1, 0, 0, 2, 0]) = [1, 1, 1, 2, 2]; arrayReverseFill: [1, 2, 2, 2, 0].
  BoundExprPtr nonzero = Fn("notEquals", {Param(0, kInt64), Const(0)});
  ASSERT_OK_AND_ASSIGN(Vector fill, RunLambda("arrayFill", nonzero, 1, {IntArrays({{1, 0, 0, 2, 0}})}));
  EXPECT_THAT(RowsOf(fill), ElementsAre(ElementsAre(1, 1, 1, 2, 2)));
  ASSERT_OK_AND_ASSIGN(Vector reverse_fill, RunLambda("arrayReverseFill", nonzero, 1, {IntArrays({{1, 0, 0, 2, 0}})}));
  EXPECT_THAT(RowsOf(reverse_fill), ElementsAre(ElementsAre(1, 2, 2, 2, 0)));
}

TEST(LambdaTest, NullableBodyGivesArrayOfNullable) {
  // arrayMap(x -> nullIf(x, 2), [1, 2, 3]) = [1, NULL, 3].
  ASSERT_OK_AND_ASSIGN(Vector out, RunLambda("arrayMap", Fn("nullIf", {Param(0, kInt64), Const(2, kInt64)}), 1,
                                       {IntArrays({{1, 2, 3}})}));
  EXPECT_EQ(out.type.Name(), "Array(Nullable(Int64))");
  ASSERT_TRUE(out.type.nested_elements());
  const Vector& elements = out.children[0];
  EXPECT_FALSE(elements.is_null(0));
  EXPECT_TRUE(elements.is_null(1));
  EXPECT_EQ(elements.int_at(2), 3);
  // arrayFilter over them: NULL conditions are false.
  ASSERT_OK_AND_ASSIGN(Vector kept, RunLambda("arrayFilter", Fn("greater", {Param(0, DataType::Nullable(TypeId::kInt64)),
                                                                      Const(0)}),
                                        1, {out}));
  EXPECT_EQ(kept.type.Name(), "Array(Nullable(Int64))");
  EXPECT_THAT(kept.offsets, ElementsAre(0, 2));
}

TEST(LambdaTest, FloatElementsSortWithNanLast) {
  Vector floats;
  floats.type = DataType::Array(TypeId::kFloat64);
  floats.size = 1;
  floats.offsets = {0, 4};
  floats.floats = {2.5, std::nan(""), -1, 0.5};
  ASSERT_OK_AND_ASSIGN(Vector sorted, RunPlain("arraySort", floats));
  ASSERT_EQ(sorted.floats.size(), 4u);
  EXPECT_EQ(sorted.floats[0], -1);
  EXPECT_EQ(sorted.floats[2], 2.5);
  EXPECT_TRUE(std::isnan(sorted.floats[3]));
  ASSERT_OK_AND_ASSIGN(Vector reversed, RunPlain("arrayReverseSort", floats));
  EXPECT_EQ(reversed.floats[0], 2.5);
  EXPECT_TRUE(std::isnan(reversed.floats[3]));
  ASSERT_OK_AND_ASSIGN(Vector sum, RunPlain("arraySum", floats));
  EXPECT_TRUE(std::isnan(sum.floats[0]));
}

TEST(LambdaTest, TupleElementsSpreadOverParameters) {
  // arrayMap((a, b) -> a * b, [(2, 3), (4, 5)]) = [6, 20].
  Vector pairs;
  pairs.type = DataType::ArrayOf(DataType::Tuple({kInt64, kInt64}));
  pairs.size = 1;
  pairs.offsets = {0, 2};
  Vector& tuple = pairs.children.emplace_back();
  tuple.type = pairs.type.element_type();
  tuple.size = 2;
  tuple.children = {Ints({2, 4}), Ints({3, 5})};
  ASSERT_OK_AND_ASSIGN(Vector out, RunLambda("arrayMap", Fn("multiply", {Param(0, kInt64), Param(1, kInt64)}), 2,
                                       {pairs}));
  EXPECT_THAT(RowsOf(out), ElementsAre(ElementsAre(6, 20)));
}

TEST(LambdaTest, NestedArraysAsElements) {
  // arrayMap(x -> length(x), [[1, 2], [3]]) = [2, 1]; arraySort(x -> length(x), ...) orders by length.
  Vector inner = IntArrays({{1, 2}, {3}, {}});
  Vector nested;
  nested.type = DataType::ArrayOf(inner.type);
  nested.size = 1;
  nested.offsets = {0, 3};
  nested.children.push_back(inner);
  ASSERT_OK_AND_ASSIGN(Vector lengths, RunLambda("arrayMap", Fn("length", {Param(0, inner.type)}), 1, {nested}));
  EXPECT_THAT(RowsOf(lengths), ElementsAre(ElementsAre(2, 1, 0)));
  ASSERT_OK_AND_ASSIGN(Vector sorted, RunLambda("arraySort", Fn("length", {Param(0, inner.type)}), 1, {nested}));
  EXPECT_EQ(sorted.type.Name(), "Array(Array(Int64))");
  EXPECT_THAT(RowsOf(sorted.children[0]), ElementsAre(ElementsAre(), ElementsAre(3), ElementsAre(1, 2)));
}

TEST(LambdaTest, ConstantArgumentsGiveAConstant) {
  Vector array = IntArrays({{1, 2, 3}});
  array.constant = true;
  array.size = 4;  // stands for 4 rows
  ASSERT_OK_AND_ASSIGN(Vector out, RunLambda("arrayMap", Fn("multiply", {Param(0, kInt64), Const(3)}), 1, {array}));
  EXPECT_TRUE(out.constant);
  EXPECT_EQ(out.size, 4u);
  EXPECT_THAT(RowsOf(out), ElementsAre(ElementsAre(3, 6, 9), ElementsAre(3, 6, 9), ElementsAre(3, 6, 9),
                                       ElementsAre(3, 6, 9)));
  // A constant array with a captured column: each row sees its own value.
  ASSERT_OK_AND_ASSIGN(Vector captured, RunLambda("arrayMap", Fn("plus", {Param(0, kInt64), Param(1, kInt64)}), 1,
                                            {array}, {Ints({0, 10, 20, 30})}));
  EXPECT_FALSE(captured.constant);
  EXPECT_THAT(RowsOf(captured), ElementsAre(ElementsAre(1, 2, 3), ElementsAre(11, 12, 13),
                                            ElementsAre(21, 22, 23), ElementsAre(31, 32, 33)));
}


TEST(LambdaTest, FirstOrNullGivesNullWhenNoneMatches) {
  BoundExprPtr above_four = Fn("greater", {Param(0, kInt64), Const(4)});
  ASSERT_OK_AND_ASSIGN(Vector first, RunLambda("arrayFirstOrNull", above_four, 1, {IntArrays({{1, 5}, {0}})}));
  EXPECT_EQ(first.type.Name(), "Nullable(Int64)");
  EXPECT_EQ(first.int_at(0), 5);
  EXPECT_FALSE(first.is_null(0));
  EXPECT_TRUE(first.is_null(1));
}

TEST(LambdaTest, ArrayReduceFoldsEachRowsElements) {
  auto reduce = [](absl::string_view aggregate, Vector array) -> absl::StatusOr<Vector> {
    const Vector name = Vector::ConstantString(aggregate, 1);
    absl::StatusOr<ScalarBinding> binding =
        BindScalarFunction("arrayReduce", {{name.type, &name}, {array.type, nullptr}});
    if (!binding.ok()) return binding.status();
    StringPool pool;
    std::vector<Vector> args = {name, array};
    args[0].size = array.size;
    Vector out;
    MUA_RETURN_IF_ERROR(binding->kernel(absl::MakeSpan(args), array.size, &pool, &out));
    out.type = binding->type;
    return out;
  };
  ASSERT_OK_AND_ASSIGN(Vector sums, reduce("sum", IntArrays({{1, 2, 3}, {}, {10}})));
  EXPECT_THAT(ValuesOf(sums), ElementsAre(6, 0, 10));
  ASSERT_OK_AND_ASSIGN(Vector uniq, reduce("uniqExact", IntArrays({{1, 2, 1}, {5}})));
  EXPECT_THAT(ValuesOf(uniq), ElementsAre(2, 1));
  ASSERT_OK_AND_ASSIGN(Vector median, reduce("quantileExact(0.5)", IntArrays({{1, 9, 5}})));
  EXPECT_EQ(median.number_at(0), 5);
  EXPECT_THAT(reduce("noSuchAggregate", IntArrays({{1}})), StatusIs(absl::StatusCode::kNotFound));
}


TEST(LambdaTest, ConstantArrayOverHugeBlockIsRefused) {
  // 1000 elements repeated over 2M rows: more elements than a block may hold.
  Vector array = IntArrays({std::vector<int64_t>(1000, 1)});
  array.constant = true;
  array.size = 2'000'000;
  EXPECT_THAT(RunLambda("arrayMap", Fn("plus", {Param(0, kInt64), Param(1, kInt64)}), 1, {array},
                        {Ints(std::vector<int64_t>(2'000'000, 1))}),
              StatusIs(absl::StatusCode::kResourceExhausted));
}

}  // namespace
}  // namespace mua::test
