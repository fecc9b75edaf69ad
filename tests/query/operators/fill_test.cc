#include "query/operators/fill.h"

#include <atomic>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/base/calendar.h"
#include "tests/query/operators/operator_test_util.h"
#include "tests/testutil/status_matchers.h"

namespace mua {
namespace {

using ::testing::ElementsAre;
using test::Ints;
using test::Rows;
using test::Strings;
using test::T;

const DataType kU64 = T(TypeId::kUInt64);

FillSpec Fill(int column) {
  FillSpec spec;
  spec.column = column;
  return spec;
}

TEST(FillTest, InsertsMissingValuesWithDefaultsElsewhere) {
  OperatorPtr input = test::Values({{"n", Ints(kU64, {1, 4, 7})}, {"s", Strings({"a", "b", "c"})}});
  ASSERT_OK_AND_ASSIGN(ResultSet result, test::Run(MakeFill(input, {Fill(0)})));
  EXPECT_THAT(Rows(result), ElementsAre("1|a", "2|", "3|", "4|b", "5|", "6|", "7|c"));
}

TEST(FillTest, FromToAndStepAsInTheClickHouseDocs) {
  // ORDER BY n WITH FILL FROM 0 TO 5.51 STEP 0.5 over n = 1, 4, 7.
  OperatorPtr input = test::Values({{"n", test::Floats({1, 4, 7})}});
  FillSpec spec = Fill(0);
  spec.from = 0;
  spec.to = 5.51;
  spec.step = 0.5;
  ASSERT_OK_AND_ASSIGN(ResultSet result, test::Run(MakeFill(input, {spec})));
  EXPECT_THAT(Rows(result), ElementsAre("0", "0.5", "1", "1.5", "2", "2.5", "3", "3.5", "4", "4.5",
                                        "5", "5.5", "7"));
}

TEST(FillTest, RowsOffTheGridRestartTheSequence) {
  OperatorPtr input = test::Values({{"n", test::Floats({1, 4, 5.5})}});
  ASSERT_OK_AND_ASSIGN(ResultSet result, test::Run(MakeFill(input, {Fill(0)})));
  EXPECT_THAT(Rows(result), ElementsAre("1", "2", "3", "4", "5", "5.5"));
}

TEST(FillTest, DescendingFillsDownwards) {
  OperatorPtr input = test::Values({{"n", Ints(kU64, {7, 4, 1})}});
  FillSpec spec = Fill(0);
  spec.descending = true;
  spec.to = -1;  // exclusive: down to 0
  spec.step = 2;
  ASSERT_OK_AND_ASSIGN(ResultSet result, test::Run(MakeFill(input, {spec})));
  EXPECT_THAT(Rows(result), ElementsAre("7", "5", "4", "2", "1"));
}

TEST(FillTest, TimeColumnsStepByDaySecondAndInterval) {
  OperatorPtr dates = test::Values({{"d", Ints(T(TypeId::kDate), {0, 3})}});
  ASSERT_OK_AND_ASSIGN(ResultSet by_day, test::Run(MakeFill(dates, {Fill(0)})));
  EXPECT_THAT(Rows(by_day), ElementsAre("0", "1", "2", "3"));

  OperatorPtr times = test::Values({{"t", Ints(T(TypeId::kDateTime), {100, 103})}});
  ASSERT_OK_AND_ASSIGN(ResultSet by_second, test::Run(MakeFill(times, {Fill(0)})));
  EXPECT_THAT(Rows(by_second), ElementsAre("100", "101", "102", "103"));

  // DateTime64(3): a plain step counts seconds.
  OperatorPtr millis = test::Values({{"t", Ints(T(TypeId::kDateTime64), {1000, 3500})}});
  ASSERT_OK_AND_ASSIGN(ResultSet by_millis, test::Run(MakeFill(millis, {Fill(0)})));
  EXPECT_THAT(Rows(by_millis), ElementsAre("1000", "2000", "3000", "3500"));

  // INTERVAL 1 MONTH from 2026-01-31 clamps to the month's end and goes on from there.
  const int32_t start = DaysFromCivil(2026, 1, 31);
  OperatorPtr month_end = test::Values({{"d", Ints(T(TypeId::kDate), {start})}});
  FillSpec monthly = Fill(0);
  monthly.step = 1;
  monthly.interval_unit = 5;  // month
  monthly.to = DaysFromCivil(2026, 5, 1);
  ASSERT_OK_AND_ASSIGN(ResultSet by_month, test::Run(MakeFill(month_end, {monthly})));
  EXPECT_THAT(Rows(by_month),
              ElementsAre(absl::StrCat(start), absl::StrCat(DaysFromCivil(2026, 2, 28)),
                          absl::StrCat(DaysFromCivil(2026, 3, 28)),
                          absl::StrCat(DaysFromCivil(2026, 4, 28))));
}

TEST(FillTest, SortingPrefixFillsWithinEachGroup) {
  // ORDER BY g, n WITH FILL: inserted rows copy g.
  OperatorPtr input = test::Values({{"g", Strings({"a", "a", "b", "b"})},
                                    {"n", Ints(kU64, {1, 3, 2, 4})},
                                    {"x", Ints(kU64, {9, 9, 9, 9})}});
  FillSpec prefix;
  prefix.column = 0;
  prefix.with_fill = false;
  ASSERT_OK_AND_ASSIGN(ResultSet result, test::Run(MakeFill(input, {prefix, Fill(1)})));
  EXPECT_THAT(Rows(result), ElementsAre("a|1|9", "a|2|0", "a|3|9", "b|2|9", "b|3|0", "b|4|9"));
}

TEST(FillTest, SecondFillKeyAsInTheClickHouseDocs) {
  // d1 = number * 10 days, d2 = number days for number 1, 4, 7.
  OperatorPtr input = test::Values({{"d1", Ints(T(TypeId::kDate), {10, 40, 70})},
                                    {"d2", Ints(T(TypeId::kDate), {1, 4, 7})}});
  // ORDER BY d2 WITH FILL, d1 WITH FILL STEP 5.
  FillSpec d1 = Fill(0);
  d1.step = 5;
  ASSERT_OK_AND_ASSIGN(ResultSet by_d2, test::Run(MakeFill(input, {Fill(1), d1})));
  EXPECT_THAT(Rows(by_d2), ElementsAre("10|1", "0|2", "0|3", "40|4", "0|5", "0|6", "70|7"));
  // ORDER BY d1 WITH FILL STEP 5, d2 WITH FILL.
  ASSERT_OK_AND_ASSIGN(ResultSet by_d1, test::Run(MakeFill(input, {d1, Fill(1)})));
  EXPECT_THAT(Rows(by_d1), ElementsAre("10|1", "15|0", "20|0", "25|0", "30|0", "35|0", "40|4",
                                       "45|0", "50|0", "55|0", "60|0", "65|0", "70|7"));
}

TEST(FillTest, EmptyInputFillsFromTo) {
  OperatorPtr input = test::Values({{"n", Ints(kU64, {})}, {"s", Strings({})}});
  FillSpec spec = Fill(0);
  spec.from = 1;
  spec.to = 4;
  ASSERT_OK_AND_ASSIGN(ResultSet result, test::Run(MakeFill(input, {spec})));
  EXPECT_THAT(Rows(result), ElementsAre("1|", "2|", "3|"));
  ASSERT_OK_AND_ASSIGN(ResultSet none, test::Run(MakeFill(input, {Fill(0)})));
  EXPECT_EQ(none.row_count, 0u);
}

TEST(FillTest, InvalidSpecsAreRefused) {
  const std::vector<DataType> types = {T(TypeId::kString), kU64};
  EXPECT_THAT(ValidateFill(types, {Fill(0)}), test::StatusIs(absl::StatusCode::kInvalidArgument));
  FillSpec zero = Fill(1);
  zero.step = 0;
  EXPECT_THAT(ValidateFill(types, {zero}), test::StatusIs(absl::StatusCode::kInvalidArgument));
  FillSpec interval = Fill(1);
  interval.interval_unit = 3;
  EXPECT_THAT(ValidateFill(types, {interval}), test::StatusIs(absl::StatusCode::kInvalidArgument));
  FillSpec backwards = Fill(1);
  backwards.from = 5;
  backwards.to = 1;
  EXPECT_THAT(ValidateFill(types, {backwards}), test::StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_OK(ValidateFill(types, {Fill(1)}));
}

TEST(FillTest, HugeRangeObeysTheMemoryLimit) {
  OperatorPtr input = test::Values({{"n", Ints(kU64, {0, 4'000'000'000})}});
  absl::StatusOr<ResultSet> result;
  {
    MemoryTracker tracker(32 << 20, nullptr, "for query");
    MemoryTrackerScope scope(&tracker);
    result = MakeFill(input, {Fill(0)})->Execute(ExecutionContext{});
  }
  EXPECT_THAT(result, test::StatusIs(absl::StatusCode::kResourceExhausted));
}

TEST(FillTest, CancelledContextStops) {
  std::atomic<bool> cancelled{true};
  ExecutionContext context;
  context.cancelled = &cancelled;
  OperatorPtr input = test::Values({{"n", Ints(kU64, {1, 4})}});
  EXPECT_THAT(MakeFill(input, {Fill(0)})->Execute(context),
              test::StatusIs(absl::StatusCode::kCancelled));
}

}  // namespace
}  // namespace mua
