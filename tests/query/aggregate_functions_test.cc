// The aggregates added with the registry, with ClickHouse's expected values:
// varPop/varSamp/stddev*/covar*/corr, quantiles/quantilesExact/quantileTDigest,
// topK/topKWeighted, groupArray/groupUniqArray, groupBitmap, anyHeavy,
// sequenceMatch/sequenceCount. Every case also checks that merged partial
// states and serialized states give the single-state result.
#include <cmath>
#include <random>
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
using test::Strings;
using test::UInts;

const DataType kInt64 = DataType::Of(TypeId::kInt64);
const DataType kUInt8 = DataType::Of(TypeId::kUInt8);
const DataType kUInt64 = DataType::Of(TypeId::kUInt64);
const DataType kFloat64 = DataType::Of(TypeId::kFloat64);
const DataType kString = DataType::Of(TypeId::kString);
const DataType kDateTime = DataType::Of(TypeId::kDateTime);

Vector Param(int64_t value) { return Vector::ConstantInt(kUInt64, value, 1); }
Vector Level(double value) { return Vector::ConstantFloat(value, 1); }

std::vector<uint32_t> AllIn(size_t rows, uint32_t group = 0) { return std::vector<uint32_t>(rows, group); }

TEST(MomentsTest, VarianceStddevCovarianceCorrelation) {
  // The textbook example: mean 5, population variance 4.
  const std::vector<Vector> x = {Floats({2, 4, 4, 4, 5, 5, 7, 9})};
  auto value = [&](const char* name) {
    SCOPED_TRACE(name);
    return CheckAllPaths(*BindOrDie(name, {}, {kFloat64}), x, AllIn(8), 1).floats[0];
  };
  EXPECT_DOUBLE_EQ(value("varPop"), 4);
  EXPECT_DOUBLE_EQ(value("stddevPop"), 2);
  EXPECT_DOUBLE_EQ(value("varSamp"), 32.0 / 7);
  EXPECT_DOUBLE_EQ(value("stddevSamp"), std::sqrt(32.0 / 7));
  EXPECT_DOUBLE_EQ(value("VAR_POP"), 4);
  // Modern ClickHouse: nan over no rows, the sample forms nan over one row.
  const std::vector<Vector> one = {Ints(kInt64, {3})};
  const Vector samp = CheckAllPaths(*BindOrDie("varSamp", {}, {kInt64}), one, {0}, 2);
  EXPECT_TRUE(std::isnan(samp.floats[0]));
  EXPECT_TRUE(std::isnan(samp.floats[1]));
  const Vector pop = CheckAllPaths(*BindOrDie("varPop", {}, {kInt64}), one, {0}, 2);
  EXPECT_DOUBLE_EQ(pop.floats[0], 0);
  EXPECT_TRUE(std::isnan(pop.floats[1]));

  const std::vector<Vector> xy = {Ints(kInt64, {1, 2, 3, 4}), Floats({2, 4, 6, 9})};
  auto pair = [&](const char* name) {
    SCOPED_TRACE(name);
    return CheckAllPaths(*BindOrDie(name, {}, {kInt64, kFloat64}), xy, AllIn(4), 1).floats[0];
  };
  // mean x 2.5, mean y 5.25; sum (dx*dy) = 11.5.
  EXPECT_DOUBLE_EQ(pair("covarPop"), 11.5 / 4);
  EXPECT_DOUBLE_EQ(pair("covarSamp"), 11.5 / 3);
  EXPECT_NEAR(pair("corr"), 11.5 / std::sqrt(5.0 * 26.75), 1e-12);
  const std::vector<Vector> line = {Ints(kInt64, {1, 2, 3}), Floats({10, 20, 30})};
  EXPECT_NEAR(CheckAllPaths(*BindOrDie("corr", {}, {kInt64, kFloat64}), line, AllIn(3), 1).floats[0], 1, 1e-12);
}

TEST(MomentsTest, StableOnLargeOffsets) {
  // sum(x^2) - sum(x)^2/n loses every digit here; Welford does not.
  std::vector<double> values;
  for (int i = 0; i < 1000; ++i) values.push_back(1e9 + (i % 2));
  const Vector v = CheckAllPaths(*BindOrDie("varPop", {}, {kFloat64}), {Floats(values)}, AllIn(1000), 1);
  EXPECT_NEAR(v.floats[0], 0.25, 1e-9);
}

TEST(MomentsTest, MatchNumpy) {
  // SciPy 1.10.1 / NumPy 1.24.2, printed with "%.17g":
  //   gen = lambda n, a, salt, offset, scale: np.array(
  //       [offset + scale * ((i * a + salt) % 1009) / 1009.0 for i in range(n)])
  //   x = gen(50, 7919, 3, 100, 10); y = gen(50, 613, 7, -5, 4)
  //   np.var(x), np.var(x, ddof=1), np.std(x), np.std(x, ddof=1),
  //   np.cov(x, y, bias=True)[0, 1], np.cov(x, y)[0, 1], np.corrcoef(x, y)[0, 1]
  std::vector<double> x, y;
  for (int64_t i = 0; i < 50; ++i) {
    x.push_back(100 + 10 * static_cast<double>((i * 7919 + 3) % 1009) / 1009.0);
    y.push_back(-5 + 4 * static_cast<double>((i * 613 + 7) % 1009) / 1009.0);
  }
  const struct {
    const char* name;
    double expected;
  } kCases[] = {
      {"varPop", 8.5040315652683951},     {"varSamp", 8.677583229865709},
      {"stddevPop", 2.9161672731975434},  {"stddevSamp", 2.9457737913603803},
      {"covarPop", -0.56694396614807663}, {"covarSamp", -0.57851425117150679},
      {"corr", -0.16721027973938149},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    const bool pair = c.name[0] == 'c';
    auto f = pair ? BindOrDie(c.name, {}, {kFloat64, kFloat64}) : BindOrDie(c.name, {}, {kFloat64});
    const std::vector<Vector> args =
        pair ? std::vector<Vector>{Floats(x), Floats(y)} : std::vector<Vector>{Floats(x)};
    const double value = CheckAllPaths(*f, args, AllIn(50), 1).floats[0];
    EXPECT_NEAR(value, c.expected, 1e-12 * std::fabs(c.expected));
  }
}

TEST(QuantilesTest, SeveralLevelsExactAndInterpolated) {
  const std::vector<Vector> x = {Ints(kInt64, {9, 1, 8, 2, 7, 3, 6, 4, 5, 0})};
  const Vector q = CheckAllPaths(*BindOrDie("quantiles", {Level(0.1), Level(0.5), Level(0.9)}, {kInt64}), x,
                                 AllIn(10), 2);
  EXPECT_EQ(q.type.Name(), "Array(Float64)");
  EXPECT_EQ(q.offsets, (std::vector<uint32_t>{0, 3, 6}));
  EXPECT_DOUBLE_EQ(q.floats[0], 0.9);
  EXPECT_DOUBLE_EQ(q.floats[1], 4.5);
  EXPECT_DOUBLE_EQ(q.floats[2], 8.1);
  EXPECT_TRUE(std::isnan(q.floats[3]));
  const Vector exact = CheckAllPaths(*BindOrDie("quantilesExact", {Level(0.5), Level(1)}, {kInt64}), x,
                                     AllIn(10), 1);
  EXPECT_EQ(exact.type.Name(), "Array(Int64)");
  EXPECT_EQ(exact.ints, (std::vector<int64_t>{5, 9}));
  EXPECT_FALSE(BindAggregateFunction("quantiles", {}, std::vector<AggregateArg>{{kInt64}}, false).ok());
  EXPECT_FALSE(BindAggregateFunction("quantiles", std::vector<Vector>{Level(1.5)},
                                     std::vector<AggregateArg>{{kInt64}}, false)
                   .ok());
  // NaN samples are skipped, as ClickHouse does.
  const Vector median = CheckAllPaths(*BindOrDie("median", {}, {kFloat64}), {Floats({1, NAN, 3})}, AllIn(3), 1);
  EXPECT_DOUBLE_EQ(median.floats[0], 2);
}

TEST(QuantilesTest, TDigestSmallInputsAndToleranceOnLargeOnes) {
  auto f = BindOrDie("quantileTDigest", {Level(0.5)}, {kInt64});
  EXPECT_DOUBLE_EQ(CheckAllPaths(*f, {Ints(kInt64, {42})}, {0}, 1).floats[0], 42);
  EXPECT_TRUE(std::isnan(CheckAllPaths(*f, {Ints(kInt64, {})}, {}, 1).floats[0]));
  // Singletons: the quantile is a sample (x = level * n falls on a centroid edge).
  EXPECT_DOUBLE_EQ(CheckAllPaths(*f, {Ints(kInt64, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9})}, AllIn(10), 1).floats[0], 4);
  // 100 000 uniform values: each quantile within 1 % of the range (the
  // digest's error at epsilon 0.01 is far below that).
  std::mt19937_64 random(7);
  std::vector<double> values(100000);
  for (double& v : values) v = std::uniform_real_distribution<double>(0, 1000)(random);
  auto many = BindOrDie("quantilesTDigest", {Level(0.01), Level(0.25), Level(0.5), Level(0.99)}, {kFloat64});
  const std::vector<Vector> args = {Floats(values)};
  const Vector single = test::Single(*many, args, AllIn(values.size()), 1);
  const Vector merged = test::Merged(*many, args, AllIn(values.size()), 1, 4);
  const Vector round = test::RoundTripped(*many, args, AllIn(values.size()), 1);
  const double expected[] = {10, 250, 500, 990};
  for (int i = 0; i < 4; ++i) {
    EXPECT_NEAR(single.floats[i], expected[i], 10) << i;
    EXPECT_NEAR(merged.floats[i], expected[i], 10) << i;
    EXPECT_NEAR(round.floats[i], expected[i], 10) << i;
  }
}

TEST(TopKTest, ExactWhenFewDistinctValues) {
  const std::vector<std::string> text = {"a", "b", "a", "c", "b", "a", "d", "a", "b", "a"};
  const std::vector<Vector> args = {Strings(text)};
  const Vector top = CheckAllPaths(*BindOrDie("topK", {Param(3)}, {kString}), args, AllIn(10), 2);
  EXPECT_EQ(top.type.Name(), "Array(String)");
  EXPECT_EQ(top.strings, (std::vector<absl::string_view>{"a", "b", "c"}));
  EXPECT_EQ(top.offsets, (std::vector<uint32_t>{0, 3, 3}));
  const Vector all = CheckAllPaths(*BindOrDie("topK", {}, {kString}), args, AllIn(10), 1);
  EXPECT_EQ(all.strings, (std::vector<absl::string_view>{"a", "b", "c", "d"}));
  const std::vector<Vector> weighted = {Ints(kInt64, {1, 2, 3}), UInts({1, 5, 2})};
  EXPECT_EQ(CheckAllPaths(*BindOrDie("topKWeighted", {Param(2)}, {kInt64, kUInt64}), weighted, AllIn(3), 1).ints,
            (std::vector<int64_t>{2, 3}));
  EXPECT_FALSE(BindAggregateFunction("topK", std::vector<Vector>{Param(0)},
                                     std::vector<AggregateArg>{{kInt64}}, false)
                   .ok());
  EXPECT_FALSE(BindAggregateFunction("topK", std::vector<Vector>{Param(1 << 25)},
                                     std::vector<AggregateArg>{{kInt64}}, false)
                   .ok());
}

TEST(TopKTest, HeavyHittersFoundInSkewedStream) {
  // Values 0..4 each take 10 % of 20 000 rows; 10 000 other values once each.
  std::vector<int64_t> values;
  for (int i = 0; i < 10000; ++i) {
    values.push_back(i % 5);
    values.push_back(1000 + i);
  }
  const std::vector<Vector> args = {Ints(kInt64, values)};
  auto f = BindOrDie("topK", {Param(5)}, {kInt64});
  for (const Vector& top : {test::Single(*f, args, AllIn(values.size()), 1),
                            test::Merged(*f, args, AllIn(values.size()), 1, 4)}) {
    std::vector<int64_t> sorted = top.ints;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(sorted, (std::vector<int64_t>{0, 1, 2, 3, 4}));
  }
}

TEST(GroupArrayTest, ArraysLimitsAndUniqueValues) {
  const std::vector<Vector> args = {Ints(kInt64, {3, 1, 3, 2, 1, 5})};
  const std::vector<uint32_t> groups = {0, 0, 0, 0, 0, 1};
  const Vector all = CheckAllPaths(*BindOrDie("groupArray", {}, {kInt64}), args, groups, 3);
  EXPECT_EQ(all.ints, (std::vector<int64_t>{3, 1, 3, 2, 1, 5}));
  EXPECT_EQ(all.offsets, (std::vector<uint32_t>{0, 5, 6, 6}));
  const Vector first = CheckAllPaths(*BindOrDie("groupArray", {Param(2)}, {kInt64}), args, groups, 2);
  EXPECT_EQ(first.ints, (std::vector<int64_t>{3, 1, 5}));
  EXPECT_EQ(first.offsets, (std::vector<uint32_t>{0, 2, 3}));
  const Vector unique = CheckAllPaths(*BindOrDie("groupUniqArray", {}, {kInt64}), args, groups, 2);
  EXPECT_EQ(unique.ints, (std::vector<int64_t>{3, 1, 2, 5}));
  const std::vector<std::string> text = {"x", "y", "x"};
  const Vector strings = CheckAllPaths(*BindOrDie("groupUniqArray", {}, {kString}), {Strings(text)}, AllIn(3), 1);
  EXPECT_EQ(strings.strings, (std::vector<absl::string_view>{"x", "y"}));
}

TEST(GroupBitmapTest, CardinalityOfIntegers) {
  const std::vector<Vector> args = {UInts({1, 2, 2, 3, int64_t{1} << 40, int64_t{1} << 40, 7})};
  const Vector v = CheckAllPaths(*BindOrDie("groupBitmap", {}, {kUInt64}), args, {0, 0, 0, 0, 0, 0, 1}, 3);
  EXPECT_EQ(v.ints, (std::vector<int64_t>{4, 1, 0}));
}

TEST(AnyHeavyTest, MajorityValue) {
  const std::vector<Vector> args = {Ints(kInt64, {1, 2, 1, 3, 1, 1, 4})};
  EXPECT_EQ(test::Single(*BindOrDie("anyHeavy", {}, {kInt64}), args, AllIn(7), 1).ints,
            (std::vector<int64_t>{1}));
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

TEST(SumMapTest, SumsByKeyWithKeysAscending) {
  const std::vector<Vector> args = {IntArrays(TypeId::kUInt64, {{3, 1}, {1, 2}, {}, {3}, {7}}),
                                    IntArrays(TypeId::kInt8, {{10, 1}, {-5, 2}, {}, {4}, {1}})};
  auto f = BindOrDie("sumMap", {}, {args[0].type, args[1].type});
  EXPECT_EQ(f->result_type().Name(), "Tuple(Array(UInt64), Array(Int64))");
  const Vector v = CheckAllPaths(*f, args, {0, 0, 0, 0, 1}, 3);
  ASSERT_EQ(v.children.size(), 2u);
  EXPECT_EQ(v.children[0].ints, (std::vector<int64_t>{1, 2, 3, 7}));
  EXPECT_EQ(v.children[1].ints, (std::vector<int64_t>{-4, 2, 14, 1}));
  EXPECT_EQ(v.children[0].offsets, (std::vector<uint32_t>{0, 3, 4, 4}));
  EXPECT_EQ(v.children[1].offsets, (std::vector<uint32_t>{0, 3, 4, 4}));
  const std::vector<Vector> bad = {IntArrays(TypeId::kUInt64, {{1, 2}}), IntArrays(TypeId::kInt8, {{1}})};
  auto state = f->CloneEmpty();
  state->Resize(1);
  EXPECT_THAT(state->Update(bad, std::vector<uint32_t>{0}), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(GroupArrayTest, NullableValuesSkippedAndUniqueAcrossMerges) {
  const std::vector<Vector> args = {test::WithNulls(Ints(kInt64, {1, 0, 1, 2, 2, 1}), {0, 1, 0, 0, 0, 0})};
  DataType type = kInt64;
  type.nullable = true;
  const Vector v = CheckAllPaths(*BindOrDie("groupUniqArray", {}, {type}), args, AllIn(6), 1);
  EXPECT_EQ(v.ints, (std::vector<int64_t>{1, 2}));
  const Vector d = CheckAllPaths(*BindOrDie("sum", {}, {type}, true), args, AllIn(6), 1);
  EXPECT_EQ(d.ints, (std::vector<int64_t>{3}));
}

// spec/clickhouse.md §3, verified on ClickHouse: n = 1,3,2,1,3,2,1,2,2 at t = 1..9.
class SequenceTest : public ::testing::Test {
 protected:
  std::vector<Vector> Args(int conditions) const {
    const std::vector<int64_t> n = {1, 3, 2, 1, 3, 2, 1, 2, 2};
    std::vector<Vector> args = {Ints(kDateTime, {1, 2, 3, 4, 5, 6, 7, 8, 9})};
    for (int k = 1; k <= conditions; ++k) {
      std::vector<int64_t> cond;
      for (int64_t v : n) cond.push_back(v == k);
      args.push_back(Ints(kUInt8, cond));
    }
    return args;
  }
  int64_t Run(const char* name, const char* pattern, int conditions) const {
    SCOPED_TRACE(pattern);
    std::vector<DataType> types = {kDateTime};
    for (int k = 0; k < conditions; ++k) types.push_back(kUInt8);
    auto f = BindOrDie(name, {Vector::ConstantString(pattern, 1)}, types);
    return CheckAllPaths(*f, Args(conditions), AllIn(9), 1).ints[0];
  }
};

TEST_F(SequenceTest, CountsFromTheSpec) {
  EXPECT_EQ(Run("sequenceCount", "(?1).*(?2)", 2), 3);
  EXPECT_EQ(Run("sequenceCount", "(?1)(?2)", 2), 3);
  EXPECT_EQ(Run("sequenceCount", "(?1)(?2)", 3), 1);
  EXPECT_EQ(Run("sequenceCount", "(?2)", 2), 4);
  EXPECT_EQ(Run("sequenceCount", "(?1)(?t>1)(?2)", 2), 3);
  EXPECT_EQ(Run("sequenceCount", "(?1)(?t<=1)(?2)", 2), 1);
}

TEST_F(SequenceTest, Matches) {
  EXPECT_EQ(Run("sequenceMatch", "(?1)(?2)", 2), 1);
  EXPECT_EQ(Run("sequenceMatch", "(?1)(?3)", 3), 1);
  EXPECT_EQ(Run("sequenceMatch", "(?2)(?2)", 2), 1);
  EXPECT_EQ(Run("sequenceMatch", "(?3)(?3)", 3), 0);
  EXPECT_EQ(Run("sequenceMatch", "(?1).(?2)", 3), 1);
  // A lower bound skips the events in between: t9 - t1 = 8.
  EXPECT_EQ(Run("sequenceMatch", "(?1)(?t>=9)(?2)", 2), 0);
  EXPECT_EQ(Run("sequenceMatch", "(?1)(?t>=8)(?2)", 2), 1);
  EXPECT_EQ(Run("sequenceMatch", "(?1)(?t==2)(?2)", 2), 1);
}

TEST_F(SequenceTest, PatternErrors) {
  for (const char* pattern : {"(?1", "(?3)", "(?0)", "x", "(?t<>1)", "(?1)(?tx)", "(?t>1)(?t>1)"}) {
    SCOPED_TRACE(pattern);
    const std::vector<AggregateArg> args = {{kDateTime}, {kUInt8}, {kUInt8}};
    EXPECT_THAT(BindAggregateFunction("sequenceMatch", std::vector<Vector>{Vector::ConstantString(pattern, 1)},
                                      args, false),
                StatusIs(absl::StatusCode::kInvalidArgument));
  }
}

TEST(SequenceMillisecondsTest, SameSecondOrderedByMilliseconds) {
  const DataType ms = DataType::Of(TypeId::kDateTime64);
  // Condition 2 happens 800 ms before condition 1, inside one second.
  const std::vector<Vector> args = {Ints(ms, {1900, 1100}), Ints(kUInt8, {1, 0}), Ints(kUInt8, {0, 1})};
  auto f = BindOrDie("sequenceMatch", {Vector::ConstantString("(?1)(?2)", 1)}, {ms, kUInt8, kUInt8});
  EXPECT_EQ(CheckAllPaths(*f, args, AllIn(2), 1).ints[0], 0);
  auto g = BindOrDie("sequenceMatch", {Vector::ConstantString("(?2)(?t<=0)(?1)", 1)}, {ms, kUInt8, kUInt8});
  EXPECT_EQ(CheckAllPaths(*g, args, AllIn(2), 1).ints[0], 0);  // 800 ms > 0 s
  auto h = BindOrDie("sequenceMatch", {Vector::ConstantString("(?2)(?t<=1)(?1)", 1)}, {ms, kUInt8, kUInt8});
  EXPECT_EQ(CheckAllPaths(*h, args, AllIn(2), 1).ints[0], 1);
}

}  // namespace
}  // namespace mua
