// welchTTest and studentTTest (query/aggregates/t_test.cc) with ClickHouse's semantics:
// documentation examples, SciPy 1.10.1 reference values (printed with "%.17g"; the
// snippets are in tests/query/statistics_test.cc, where the same samples are checked
// against the underlying tests), too few values, GROUP BY, merges in any order,
// serialized states and the combinators. Tolerance 1e-9 relative.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <random>
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

const DataType kFloat64 = DataType::Of(TypeId::kFloat64);
const DataType kUInt8 = DataType::Of(TypeId::kUInt8);
const DataType kInt64 = DataType::Of(TypeId::kInt64);

void ExpectClose(double actual, double expected) {
  EXPECT_NEAR(actual, expected, expected == 0 ? 1e-12 : 1e-9 * std::fabs(expected))
      << "expected " << expected;
}

Vector Level(double value) { return Vector::ConstantFloat(value, 1); }

// Rows (value, sample index) of two samples: `first` with index 0, `second` with 1.
struct Samples {
  std::vector<double> values;
  std::vector<int64_t> indexes;

  Samples(const std::vector<double>& first, const std::vector<double>& second) {
    for (double v : first) Add(v, 0);
    for (double v : second) Add(v, 1);
  }
  void Add(double value, int64_t index) {
    values.push_back(value);
    indexes.push_back(index);
  }
  std::vector<Vector> Args() const { return {Floats(values), Ints(kUInt8, indexes)}; }
  std::vector<uint32_t> OneGroup() const { return std::vector<uint32_t>(values.size(), 0); }
};

// The deterministic samples of statistics_test.cc's Gen().
std::vector<double> Gen(int64_t n, int64_t a, int64_t salt, double offset, double scale) {
  std::vector<double> values;
  for (int64_t i = 0; i < n; ++i) {
    values.push_back(offset + scale * static_cast<double>((i * a + salt) % 1009) / 1009.0);
  }
  return values;
}

// The tuple elements of group `group`.
std::vector<double> Row(const Vector& result, size_t group = 0) {
  std::vector<double> row;
  for (const Vector& child : result.children) row.push_back(child.floats[group]);
  return row;
}

void ExpectRow(const std::vector<double>& actual, const std::vector<double>& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE(i);
    if (std::isnan(expected[i])) {
      EXPECT_TRUE(std::isnan(actual[i])) << actual[i];
    } else {
      ExpectClose(actual[i], expected[i]);
    }
  }
}

// The result of `name` over one group of `samples`, checked on every path.
std::vector<double> TTest(const char* name, const Samples& samples,
                          const std::vector<Vector>& parameters = {}) {
  SCOPED_TRACE(name);
  auto f = BindOrDie(name, parameters, {kFloat64, kUInt8});
  if (f == nullptr) return {};
  return Row(CheckAllPaths(*f, samples.Args(), samples.OneGroup(), 1));
}

const std::vector<double> kNaN2 = {NAN, NAN};
const std::vector<double> kNaN4 = {NAN, NAN, NAN, NAN};

// ClickHouse's welchTTest documentation table.
const Samples kWelchDoc({20.3, 22.1, 21.9}, {18.9, 20.3, 19});
// ClickHouse's studentTTest documentation table.
const Samples kStudentDoc({20.3, 21.1, 21.7}, {21.9, 19.9, 21.8});
const Samples kUnequal({1.2, 3.4, 2.2, 5.1, 4.4, 0.3, 2.9},
                       {6.1, 2.5, 7.7, 4.9, 8.8, 3.3, 5.5, 9.1, 6.6, 2.0, 7.2, 4.0});

TEST(TTestAggregateTest, ResultTypesNameTheElements) {
  EXPECT_EQ(BindOrDie("welchTTest", {}, {kFloat64, kUInt8})->result_type().Name(),
            "Tuple(t_statistic Float64, p_value Float64)");
  EXPECT_EQ(BindOrDie("studentTTest", {Level(0.95)}, {kInt64, kInt64})->result_type().Name(),
            "Tuple(t_statistic Float64, p_value Float64, confidence_interval_low Float64, "
            "confidence_interval_high Float64)");
}

TEST(TTestAggregateTest, ClickHouseDocumentationExamples) {
  // ClickHouse's documentation prints (2.7988719532211235, 0.051807360348581945), with 0.95
  // (..., -0.026294346671631885, 4.092961013338302); SciPy (below) agrees with it to 1e-11.
  // d = mean(a) - mean(b); q = st.t.ppf(0.975, welch_df); d -+ q * welch_se
  ExpectRow(TTest("welchTTest", kWelchDoc), {2.7988719532208552, 0.051807360348599431});
  ExpectRow(TTest("welchTTest", kWelchDoc, {Level(0.95)}),
            {2.7988719532208552, 0.051807360348599431, -0.026294346671845048, 4.092961013338515});
  ExpectRow(TTest("welchTTest", kWelchDoc),
            {2.7988719532211235, 0.051807360348581945});  // ClickHouse's own digits
  // ClickHouse: (-0.21739130434783777, 0.8385421208415731).
  ExpectRow(TTest("studentTTest", kStudentDoc), {-0.21739130434782297, 0.83854212084158419});
  ExpectRow(TTest("studentTTest", kStudentDoc), {-0.21739130434783777, 0.8385421208415731});
}

TEST(TTestAggregateTest, IntervalsAroundTheDifferenceOfMeans) {
  // The second sample's mean is larger: t < 0 and the interval below 0.
  // Welch: d -+ st.t.ppf(0.995, welch_df) * welch_se.
  ExpectRow(
      TTest("welchTTest", kUnequal, {Level(0.99)}),
      {-3.0431594326674447, 0.0077329303102287939, -5.5962280344889646, -0.11567672741580148});
  // Student: as ClickHouse, st.t.ppf(0.995, n - 2) times the unpooled (Welch) standard
  // error, not the pooled one (SciPy's interval would be (-5.8272964930405422,
  // 0.11539173113577617)); the two agree when the samples have equal sizes.
  ExpectRow(TTest("studentTTest", kUnequal, {Level(0.99)}),
            {-2.7856781445898213, 0.012681715085700448, -5.5758914890537117, -0.1360132728510548});
  ExpectRow(TTest("studentTTest", kStudentDoc, {Level(0.95)}),
            {-0.21739130434782297, 0.83854212084158419, -2.2952745806516437, 1.9619412473183151});
}

TEST(TTestAggregateTest, AnyNonZeroIndexIsTheSecondSampleModulo256) {
  // The welch_doc rows with the second sample's indexes spelled 1, 7 and -1.
  Samples samples({20.3, 22.1, 21.9}, {});
  samples.Add(18.9, 1);
  samples.Add(20.3, 7);
  samples.Add(19, -1);
  auto f = BindOrDie("welchTTest", {}, {kFloat64, kInt64});
  const std::vector<Vector> args = {Floats(samples.values), Ints(kInt64, samples.indexes)};
  ExpectRow(Row(CheckAllPaths(*f, args, samples.OneGroup(), 1)),
            {2.7988719532208552, 0.051807360348599431});
  // ClickHouse reads the index as UInt8: 256 and -256 are sample 0, so the second sample
  // keeps one value: too few.
  const std::vector<Vector> wrapped = {Floats(samples.values),
                                       Ints(kInt64, {0, 0, 0, 256, -256, 1})};
  ExpectRow(Row(CheckAllPaths(*f, wrapped, samples.OneGroup(), 1)), kNaN2);
  // A Float64 index is truncated: 0.5 is sample 0, 1.5 sample 1.
  auto by_float = BindOrDie("welchTTest", {}, {kFloat64, kFloat64});
  const std::vector<Vector> fractional = {Floats(samples.values),
                                          Floats({0.5, 0, -0.9, 1.5, 1, 2})};
  ExpectRow(Row(CheckAllPaths(*by_float, fractional, samples.OneGroup(), 1)),
            {2.7988719532208552, 0.051807360348599431});
}

TEST(TTestAggregateTest, TooFewValuesGiveNan) {
  // Welch needs 2 values a side.
  ExpectRow(TTest("welchTTest", Samples({1, 2, 3}, {4})), kNaN2);
  ExpectRow(TTest("welchTTest", Samples({1, 2, 3}, {4}), {Level(0.9)}), kNaN4);
  // Student needs both sides and 3 values in all: one against two has 1 degree of freedom
  // (t = -2 / math.sqrt(3); 2 * st.t.sf(abs(t), 1)). Its interval takes the unpooled
  // standard error, undefined with one value: NaN, as ClickHouse.
  ExpectRow(TTest("studentTTest", Samples({1, 2, 3}, {})), kNaN2);
  ExpectRow(TTest("studentTTest", Samples({1}, {2})), kNaN2);
  ExpectRow(TTest("studentTTest", Samples({1}, {2, 4})),
            {-1.1547005383792517, 0.45437105165700981});
  ExpectRow(TTest("studentTTest", Samples({1}, {2, 4}), {Level(0.9)}),
            {-1.1547005383792517, 0.45437105165700981, NAN, NAN});
  // A group without rows.
  auto f = BindOrDie("welchTTest", {Level(0.9)}, {kFloat64, kUInt8});
  const Vector empty = CheckAllPaths(*f, kWelchDoc.Args(), kWelchDoc.OneGroup(), 2);
  ExpectRow(Row(empty, 1), kNaN4);
}

TEST(TTestAggregateTest, ConstantSamplesGiveNan) {
  // ClickHouse's isEssentiallyConstant: a standard error below 10 ε max(|mean|) is NaN,
  // where SciPy would give (-inf, 0).
  ExpectRow(TTest("welchTTest", Samples({1, 1}, {2, 2})), kNaN2);
  ExpectRow(TTest("studentTTest", Samples({1, 1}, {2, 2}), {Level(0.95)}), kNaN4);
  ExpectRow(TTest("welchTTest", Samples({1e9, 1e9, 1e9}, {1e9 + 1e-6, 1e9 + 1e-6})), kNaN2);
  // Every value 0 or a NaN value: NaN (ClickHouse clamps this p-value to 0).
  ExpectRow(TTest("welchTTest", Samples({0, 0}, {0, 0})), kNaN2);
  ExpectRow(TTest("studentTTest", Samples({0, 0}, {0, 0})), kNaN2);
  ExpectRow(TTest("welchTTest", Samples({1, NAN, 3}, {4, 5})), kNaN2);
  // One constant side is an ordinary case (SciPy: ttest_ind([5, 5, 5], [1, 2, 3, 4], ...)).
  ExpectRow(TTest("welchTTest", Samples({5, 5, 5}, {1, 2, 3, 4})),
            {3.872983346207417, 0.030466291662170977});
  ExpectRow(TTest("studentTTest", Samples({5, 5, 5}, {1, 2, 3, 4})),
            {3.2732683535398861, 0.022118466722329432});
}

TEST(TTestAggregateTest, GroupByKeepsGroupsApart) {
  // Groups 0..2: welch_doc, unequal, student_doc interleaved row by row; group 3 empty.
  const Samples* tables[] = {&kWelchDoc, &kUnequal, &kStudentDoc};
  std::vector<double> values;
  std::vector<int64_t> indexes;
  std::vector<uint32_t> groups;
  for (size_t row = 0; row < kUnequal.values.size(); ++row) {
    for (uint32_t g = 0; g < 3; ++g) {
      if (row >= tables[g]->values.size()) continue;
      values.push_back(tables[g]->values[row]);
      indexes.push_back(tables[g]->indexes[row]);
      groups.push_back(g);
    }
  }
  auto f = BindOrDie("welchTTest", {}, {kFloat64, kUInt8});
  const Vector result = CheckAllPaths(*f, {Floats(values), Ints(kUInt8, indexes)}, groups, 4);
  ExpectRow(Row(result, 0), {2.7988719532208552, 0.051807360348599431});
  ExpectRow(Row(result, 1), {-3.0431594326674447, 0.0077329303102287939});
  ExpectRow(Row(result, 2), {-0.21739130434782294, 0.84048285179483861});
  ExpectRow(Row(result, 3), kNaN2);
}

TEST(TTestAggregateTest, LargeInputMergedInAnyOrder) {
  // a = gen(100000, 7919, 3, 0, 10); b = gen(80000, 104729, 11, -9.97, 30), the rows of b
  // interleaved with a's; 24 partial states (as worker threads make) merged in a shuffled
  // order, then through SerializeState into a fresh state.
  const std::vector<double> a = Gen(100000, 7919, 3, 0, 10), b = Gen(80000, 104729, 11, -9.97, 30);
  Samples samples({}, {});
  for (size_t i = 0; i < a.size(); ++i) {
    samples.Add(a[i], 0);
    if (i < b.size()) samples.Add(b[i], 1);
  }
  const std::vector<Vector> args = samples.Args();
  const size_t rows = samples.values.size();
  for (const char* name : {"welchTTest", "studentTTest"}) {
    SCOPED_TRACE(name);
    auto f = BindOrDie(name, {Level(0.95)}, {kFloat64, kUInt8});
    constexpr size_t kParts = 24;
    std::vector<std::unique_ptr<AggregateFunction>> parts;
    for (size_t p = 0; p < kParts; ++p) {
      const size_t begin = rows * p / kParts, end = rows * (p + 1) / kParts;
      parts.push_back(
          test::Fold(*f, test::Slice(args, begin, end), std::vector<uint32_t>(end - begin, 0), 1));
    }
    std::shuffle(parts.begin(), parts.end(), std::mt19937(42));
    auto total = f->CloneEmpty();
    total->Resize(1);
    for (auto& part : parts) total->Merge(*part, {0});
    std::string state;
    ASSERT_TRUE(total->SerializeState(0, &state).ok());
    auto restored = f->CloneEmpty();
    restored->Resize(1);
    ASSERT_TRUE(restored->DeserializeState(0, state).ok());
    const std::vector<double> merged = Row(test::Result(std::move(restored)));
    const std::vector<double> single = Row(test::Single(*f, args, samples.OneGroup(), 1));
    ExpectRow(merged, single);
    if (std::string(name) == "welchTTest") {
      ExpectRow(merged, {-0.61419713776140272, 0.53908654694261138, -0.08224801033793594,
                         0.042999496958352923});
    } else {
      ExpectRow(merged, {-0.67145091482547414, 0.50193418073688922, -0.08224762728021244,
                         0.042999113900629424});
    }
  }
}

TEST(TTestAggregateTest, CombinatorsAndNulls) {
  // -If: the welch_doc rows plus rows the condition drops.
  Samples with_noise = kWelchDoc;
  with_noise.Add(1000, 0);
  with_noise.Add(-1000, 1);
  std::vector<Vector> args = with_noise.Args();
  args.push_back(Ints(kUInt8, {1, 1, 1, 1, 1, 1, 0, 0}));
  auto if_f = BindOrDie("welchTTestIf", {}, {kFloat64, kUInt8, kUInt8});
  ExpectRow(Row(CheckAllPaths(*if_f, args, with_noise.OneGroup(), 1)),
            {2.7988719532208552, 0.051807360348599431});

  // Nullable arguments: a row with a NULL in either is skipped; the Tuple stays non-Nullable.
  const std::vector<Vector> nullable = {
      test::WithNulls(Floats(with_noise.values), {0, 0, 0, 0, 0, 0, 1, 0}),
      test::WithNulls(Ints(kUInt8, with_noise.indexes), {0, 0, 0, 0, 0, 0, 0, 1})};
  auto null_f = BindOrDie("studentTTest", {Level(0.95)}, {nullable[0].type, nullable[1].type});
  EXPECT_EQ(null_f->result_type().Name(),
            "Tuple(t_statistic Float64, p_value Float64, confidence_interval_low Float64, "
            "confidence_interval_high Float64)");
  const Vector with_nulls = CheckAllPaths(*null_f, nullable, with_noise.OneGroup(), 2);
  ExpectRow(Row(with_nulls, 0),
            {2.7988719532208552, 0.048867713352562001, 0.016292727359108028, 4.050373939307562});
  ExpectRow(Row(with_nulls, 1), kNaN4);

  // -Array: the samples as arrays in one row (two rows here, split anywhere).
  Vector values, indexes;
  values.type = DataType::Array(TypeId::kFloat64);
  indexes.type = DataType::Array(TypeId::kUInt8);
  values.size = indexes.size = 2;
  values.floats = kWelchDoc.values;
  indexes.ints = kWelchDoc.indexes;
  values.offsets = indexes.offsets = {0, 4, 6};
  auto array_f = BindOrDie("welchTTestArray", {}, {values.type, indexes.type});
  ExpectRow(Row(CheckAllPaths(*array_f, {values, indexes}, {0, 0}, 1)),
            {2.7988719532208552, 0.051807360348599431});
}

TEST(TTestAggregateTest, BindErrors) {
  auto error = [](const char* name, std::vector<Vector> parameters,
                  std::vector<DataType> types) -> std::string {
    std::vector<AggregateArg> args;
    for (const DataType& type : types) args.push_back({type});
    auto bound = BindAggregateFunction(name, parameters, args, false);
    EXPECT_FALSE(bound.ok()) << name;
    return bound.ok() ? "" : std::string(bound.status().message());
  };
  EXPECT_EQ(error("welchTTest", {}, {kFloat64}),
            "Number of arguments for function welchTTest doesn't match: passed 1, should be 2");
  EXPECT_EQ(error("studentTTest", {Level(0.9), Level(0.8)}, {kFloat64, kUInt8}),
            "Aggregate function studentTTest requires zero or one parameter.");
  EXPECT_EQ(error("welchTTest", {}, {DataType::Of(TypeId::kString), kUInt8}),
            "Aggregate function welchTTest only supports numerical types");
  for (double level : {0.0, 1.0, 1.5, -0.5}) {
    EXPECT_EQ(error("welchTTest", {Level(level)}, {kFloat64, kUInt8}),
              "Confidence level parameter must be between 0 and 1 in aggregate function "
              "welchTTest.");
  }
  EXPECT_EQ(error("welchTTest", {Level(NAN)}, {kFloat64, kUInt8}),
            "Aggregate function welchTTest requires finite parameter values.");
  EXPECT_FALSE(IsAggregateFunction("WelchTTest"));  // case-sensitive, as ClickHouse
}

}  // namespace
}  // namespace mua
