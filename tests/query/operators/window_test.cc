#include "query/operators/window.h"

#include <atomic>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/query/operators/operator_test_util.h"
#include "tests/testutil/status_matchers.h"

namespace mua {
namespace {

using ::testing::ElementsAre;
using test::Ints;
using test::Strings;
using test::T;

const DataType kU64 = T(TypeId::kUInt64);
const DataType kI64 = T(TypeId::kInt64);
const DataType kString = T(TypeId::kString);

BoundExprPtr Constant(int64_t value) {
  return MakeConstant(Vector::ConstantInt(kI64, value, 1), absl::StrCat(value));
}

FrameBound Bound(FrameBound::Kind kind, double offset = 0) { return FrameBound{kind, offset}; }

class WindowTest : public ::testing::Test {
 protected:
  // Partitions a: t 1,2,2,3 (v 10,20,25,30) and b: t 1,2 (v 100,200), shuffled.
  OperatorPtr input_ = test::Values({{"p", Strings({"a", "b", "a", "a", "a", "b"})},
                                     {"t", Ints(kU64, {3, 1, 1, 2, 2, 2})},
                                     {"v", Ints(kI64, {30, 100, 10, 20, 25, 200})}});

  WindowCall Call(WindowFunction function, std::vector<BoundExprPtr> args = {}) {
    WindowCall call;
    call.function = function;
    call.args = std::move(args);
    call.partition_by = {MakeColumn(0, kString, "p")};
    call.order_by = {{MakeColumn(1, kU64, "t")}};
    call.name = "w";
    return call;
  }
  BoundExprPtr V() { return MakeColumn(2, kI64, "v"); }

  // The window column of one call, in output order.
  std::vector<std::string> Values(const WindowCall& call) {
    absl::StatusOr<ResultSet> result = test::Run(MakeWindow(input_, {call}));
    EXPECT_TRUE(result.ok()) << result.status();
    if (!result.ok()) return {};
    std::vector<std::string> values;
    for (size_t row = 0; row < result->row_count; ++row) {
      values.push_back(test::ValueText(result->columns.back(), row));
    }
    return values;
  }
};

TEST_F(WindowTest, OutputIsSortedByPartitionAndOrderWithTheCallLast) {
  ASSERT_OK_AND_ASSIGN(ResultSet result,
                       test::Run(MakeWindow(input_, {Call(WindowFunction::kRowNumber)})));
  EXPECT_THAT(result.names, ElementsAre("p", "t", "v", "w"));
  EXPECT_EQ(result.columns[3].type.Name(), "UInt64");
  EXPECT_THAT(test::Rows(result),
              ElementsAre("a|1|10|1", "a|2|20|2", "a|2|25|3", "a|3|30|4", "b|1|100|1", "b|2|200|2"));
}

TEST_F(WindowTest, RankingFunctionsIgnoreTheFrame) {
  EXPECT_THAT(Values(Call(WindowFunction::kRank)), ElementsAre("1", "2", "2", "4", "1", "2"));
  EXPECT_THAT(Values(Call(WindowFunction::kDenseRank)), ElementsAre("1", "2", "2", "3", "1", "2"));
  EXPECT_THAT(Values(Call(WindowFunction::kPercentRank)),
              ElementsAre("0", absl::StrCat(1.0 / 3), absl::StrCat(1.0 / 3), "1", "0", "1"));
}

TEST_F(WindowTest, DefaultFrameIncludesPeers) {
  WindowCall sum = Call(WindowFunction::kSum, {V()});
  ASSERT_OK_AND_ASSIGN(DataType type, WindowResultType(sum));
  EXPECT_EQ(type.Name(), "Int64");
  EXPECT_THAT(Values(sum), ElementsAre("10", "55", "55", "85", "100", "300"));
  EXPECT_THAT(Values(Call(WindowFunction::kCount)), ElementsAre("1", "3", "3", "4", "1", "2"));
  EXPECT_THAT(Values(Call(WindowFunction::kFirstValue, {V()})),
              ElementsAre("10", "10", "10", "10", "100", "100"));
  EXPECT_THAT(Values(Call(WindowFunction::kLastValue, {V()})),
              ElementsAre("10", "25", "25", "30", "100", "200"));
  EXPECT_THAT(Values(Call(WindowFunction::kNthValue, {V(), Constant(2)})),
              ElementsAre("0", "20", "20", "20", "0", "200"));
}

TEST_F(WindowTest, WithoutOrderByTheFrameIsThePartition) {
  WindowCall sum = Call(WindowFunction::kSum, {V()});
  sum.order_by.clear();
  EXPECT_THAT(Values(sum), ElementsAre("85", "85", "85", "85", "300", "300"));
  sum.partition_by.clear();
  ASSERT_OK_AND_ASSIGN(ResultSet result, test::Run(MakeWindow(input_, {sum})));
  // Nothing to sort by: the input order stays.
  EXPECT_THAT(test::Rows(result), ElementsAre("a|3|30|385", "b|1|100|385", "a|1|10|385",
                                              "a|2|20|385", "a|2|25|385", "b|2|200|385"));
}

TEST_F(WindowTest, LagAndLeadRespectTheFrame) {
  EXPECT_THAT(Values(Call(WindowFunction::kLagInFrame, {V()})),
              ElementsAre("0", "10", "20", "25", "0", "100"));
  // The default frame ends with the current row's peers: lead sees only a peer.
  EXPECT_THAT(Values(Call(WindowFunction::kLeadInFrame, {V()})),
              ElementsAre("0", "25", "0", "0", "0", "0"));
  WindowCall lead = Call(WindowFunction::kLeadInFrame, {V()});
  lead.frame = {FrameUnits::kRows, Bound(FrameBound::Kind::kUnboundedPreceding),
                Bound(FrameBound::Kind::kUnboundedFollowing)};
  EXPECT_THAT(Values(lead), ElementsAre("20", "25", "30", "0", "200", "0"));
  EXPECT_THAT(Values(Call(WindowFunction::kLagInFrame, {V(), Constant(2), Constant(-1)})),
              ElementsAre("-1", "-1", "10", "20", "-1", "-1"));
}

TEST_F(WindowTest, RowsFrames) {
  WindowCall sum = Call(WindowFunction::kSum, {V()});
  sum.frame = {FrameUnits::kRows, Bound(FrameBound::Kind::kPreceding, 1),
               Bound(FrameBound::Kind::kCurrentRow)};
  EXPECT_THAT(Values(sum), ElementsAre("10", "30", "45", "55", "100", "300"));

  WindowCall avg = Call(WindowFunction::kAvg, {V()});
  avg.frame = {FrameUnits::kRows, Bound(FrameBound::Kind::kCurrentRow),
               Bound(FrameBound::Kind::kUnboundedFollowing)};
  EXPECT_THAT(Values(avg), ElementsAre("21.25", "25", "27.5", "30", "150", "200"));

  WindowCall min = Call(WindowFunction::kMin, {V()});
  min.frame = {FrameUnits::kRows, Bound(FrameBound::Kind::kPreceding, 1),
               Bound(FrameBound::Kind::kFollowing, 1)};
  EXPECT_THAT(Values(min), ElementsAre("10", "10", "20", "25", "100", "100"));
  WindowCall max = min;
  max.function = WindowFunction::kMax;
  EXPECT_THAT(Values(max), ElementsAre("20", "25", "30", "30", "200", "200"));

  // A frame entirely after the partition's end is empty.
  WindowCall ahead = Call(WindowFunction::kSum, {V()});
  ahead.frame = {FrameUnits::kRows, Bound(FrameBound::Kind::kFollowing, 2),
                 Bound(FrameBound::Kind::kFollowing, 3)};
  EXPECT_THAT(Values(ahead), ElementsAre("55", "30", "0", "0", "0", "0"));
}

TEST_F(WindowTest, RangeOffsetFrames) {
  WindowCall sum = Call(WindowFunction::kSum, {V()});
  sum.frame = {FrameUnits::kRange, Bound(FrameBound::Kind::kPreceding, 1),
               Bound(FrameBound::Kind::kCurrentRow)};
  EXPECT_THAT(Values(sum), ElementsAre("10", "55", "55", "75", "100", "300"));

  // DESC: FOLLOWING means smaller keys.
  WindowCall descending = Call(WindowFunction::kSum, {V()});
  descending.order_by[0].descending = true;
  descending.frame = {FrameUnits::kRange, Bound(FrameBound::Kind::kCurrentRow),
                      Bound(FrameBound::Kind::kFollowing, 1)};
  ASSERT_OK_AND_ASSIGN(ResultSet result, test::Run(MakeWindow(input_, {descending})));
  EXPECT_THAT(test::Rows(result), ElementsAre("a|3|30|75", "a|2|20|55", "a|2|25|55", "a|1|10|10",
                                              "b|2|200|300", "b|1|100|100"));
}

TEST_F(WindowTest, NullsAreSkippedByAggregatesAndValueFunctions) {
  const DataType nullable = test::NullableT(TypeId::kInt64);
  OperatorPtr input = test::Values({{"t", Ints(kU64, {1, 2, 3, 4})},
                                    {"w", Ints(nullable, {0, 5, 0, 7}, {1, 0, 1, 0})}});
  auto run = [&](WindowFunction function) {
    WindowCall call;
    call.function = function;
    call.args = {MakeColumn(1, nullable, "w")};
    call.order_by = {{MakeColumn(0, kU64, "t")}};
    call.name = "x";
    absl::StatusOr<ResultSet> result = test::Run(MakeWindow(input, {call}));
    EXPECT_TRUE(result.ok()) << result.status();
    std::vector<std::string> values;
    for (size_t row = 0; row < result->row_count; ++row) {
      values.push_back(test::ValueText(result->columns.back(), row));
    }
    return values;
  };
  EXPECT_THAT(run(WindowFunction::kSum), ElementsAre("\\N", "5", "5", "12"));
  EXPECT_THAT(run(WindowFunction::kCount), ElementsAre("0", "1", "1", "2"));
  EXPECT_THAT(run(WindowFunction::kFirstValue), ElementsAre("\\N", "5", "5", "5"));
  EXPECT_THAT(run(WindowFunction::kLastValue), ElementsAre("\\N", "5", "5", "7"));
  EXPECT_THAT(run(WindowFunction::kMax), ElementsAre("\\N", "5", "5", "7"));
}

TEST_F(WindowTest, SeveralCallsEachWithItsOwnWindow) {
  WindowCall numbered = Call(WindowFunction::kRowNumber);
  WindowCall total = Call(WindowFunction::kSum, {V()});
  total.partition_by.clear();
  total.order_by = {{V(), /*descending=*/true}};
  total.name = "running";
  ASSERT_OK_AND_ASSIGN(ResultSet result, test::Run(MakeWindow(input_, {numbered, total})));
  // Ordered by the last window (v DESC).
  EXPECT_THAT(test::Rows(result),
              ElementsAre("b|2|200|2|200", "b|1|100|1|300", "a|3|30|4|330", "a|2|25|3|355",
                          "a|2|20|2|375", "a|1|10|1|385"));
}

TEST_F(WindowTest, InvalidCallsAreRefused) {
  WindowCall two_keys = Call(WindowFunction::kSum, {V()});
  two_keys.order_by.push_back({V()});
  two_keys.frame.begin = Bound(FrameBound::Kind::kPreceding, 1);
  EXPECT_THAT(WindowResultType(two_keys), test::StatusIs(absl::StatusCode::kInvalidArgument));
  WindowCall backwards = Call(WindowFunction::kSum, {V()});
  backwards.frame = {FrameUnits::kRows, Bound(FrameBound::Kind::kCurrentRow),
                     Bound(FrameBound::Kind::kPreceding, 1)};
  EXPECT_THAT(WindowResultType(backwards), test::StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(WindowResultType(Call(WindowFunction::kLagInFrame, {V(), V()})),
              test::StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(WindowResultType(Call(WindowFunction::kSum, {MakeColumn(0, kString, "p")})),
              test::StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(test::Run(MakeWindow(input_, {Call(WindowFunction::kRank, {V()})})),
              test::StatusIs(absl::StatusCode::kInvalidArgument));
  ASSERT_OK_AND_ASSIGN(WindowFunction lag, WindowFunctionByName("lagInFrame"));
  EXPECT_EQ(lag, WindowFunction::kLagInFrame);
  ASSERT_OK_AND_ASSIGN(WindowFunction sum, WindowFunctionByName("SUM"));
  EXPECT_EQ(sum, WindowFunction::kSum);
  EXPECT_THAT(WindowFunctionByName("lag"), test::StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(WindowTest, LagDefaultOfStringOverLowCardinality) {
  // ClickHouse accepts a default whose type shares a supertype with the argument.
  DataType dictionary = kString;
  dictionary.low_cardinality = true;
  WindowCall lag = Call(WindowFunction::kLagInFrame,
                        {MakeColumn(0, dictionary, "p"), Constant(1),
                         MakeConstant(Vector::ConstantString("none", 1), "'none'")});
  ASSERT_OK_AND_ASSIGN(DataType type, WindowResultType(lag));
  EXPECT_TRUE(type.low_cardinality);
  EXPECT_THAT(Values(lag), ElementsAre("none", "a", "a", "a", "none", "b"));
}

TEST_F(WindowTest, EmptyInput) {
  OperatorPtr empty = test::Values({{"p", Strings({})}, {"t", Ints(kU64, {})}, {"v", Ints(kI64, {})}});
  ASSERT_OK_AND_ASSIGN(ResultSet result,
                       test::Run(MakeWindow(empty, {Call(WindowFunction::kSum, {V()})})));
  EXPECT_EQ(result.row_count, 0u);
  EXPECT_EQ(result.columns.size(), 4u);
}

TEST_F(WindowTest, MillionRowsSlidingSum) {
  const int64_t kRows = 1'000'000;
  std::vector<int64_t> keys(kRows), values(kRows);
  for (int64_t i = 0; i < kRows; ++i) {
    keys[i] = (kRows - 1 - i) % 1000;  // partition
    values[i] = kRows - 1 - i;         // descending input: the sort has work to do
  }
  OperatorPtr input = test::Values({{"k", Ints(kU64, keys)}, {"v", Ints(kI64, values)}});
  WindowCall call;
  call.function = WindowFunction::kSum;
  call.args = {MakeColumn(1, kI64, "v")};
  call.partition_by = {MakeColumn(0, kU64, "k")};
  call.order_by = {{MakeColumn(1, kI64, "v")}};
  call.frame = {FrameUnits::kRows, Bound(FrameBound::Kind::kPreceding, 2),
                Bound(FrameBound::Kind::kCurrentRow)};
  call.name = "s";
  ASSERT_OK_AND_ASSIGN(ResultSet result, test::Run(MakeWindow(input, {call})));
  ASSERT_EQ(result.row_count, static_cast<uint64_t>(kRows));
  // Partition k holds k, k + 1000, k + 2000, ...; the sum is of up to three of them.
  for (size_t row = 0; row < result.row_count; ++row) {
    const int64_t k = result.columns[0].ints[row], v = result.columns[1].ints[row];
    ASSERT_EQ(row, static_cast<size_t>(k * 1000 + (v - k) / 1000));
    int64_t expected = v;
    if (v - 1000 >= 0) expected += v - 1000;
    if (v - 2000 >= 0) expected += v - 2000;
    ASSERT_EQ(result.columns[2].ints[row], expected) << row;
  }
}

TEST_F(WindowTest, CancelledContextStops) {
  std::atomic<bool> cancelled{true};
  ExecutionContext context;
  context.cancelled = &cancelled;
  EXPECT_THAT(MakeWindow(input_, {Call(WindowFunction::kRowNumber)})->Execute(context),
              test::StatusIs(absl::StatusCode::kCancelled));
}

TEST_F(WindowTest, Explain) {
  std::vector<std::string> lines;
  MakeWindow(input_, {Call(WindowFunction::kSum, {V()})})->Explain(0, &lines);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "Window sum(v) OVER (PARTITION BY p ORDER BY t)");
}

}  // namespace
}  // namespace mua
