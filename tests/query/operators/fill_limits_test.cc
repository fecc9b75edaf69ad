// WITH FILL under the statement's limits (query/operators/fill.h): KILL and the time
// limit are checked while rows are generated (a fill between two input rows may be
// billions), max_result_rows fails as soon as the consumer would return too many rows,
// and a LIMIT above the fill stops the generation.
#include <atomic>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "query/operators/fill.h"
#include "storage/base/memory_tracker.h"
#include "tests/query/operators/operator_test_util.h"
#include "tests/testutil/status_matchers.h"

namespace mua {
namespace {

using ::testing::ElementsAre;
using test::Ints;
using test::Rows;
using test::T;

const DataType kU64 = T(TypeId::kUInt64);

// ORDER BY n WITH FILL FROM 0 TO 1e9 over n = 0, 1.
OperatorPtr BillionFill(FillLimit limit = {}) {
  FillSpec spec;
  spec.column = 0;
  spec.from = 0;
  spec.to = 1e9;
  return MakeFill(test::Values({{"n", Ints(kU64, {0, 1})}}), {spec}, limit);
}

TEST(FillLimitsTest, TheTimeLimitStopsTheGeneration) {
  // Both input rows pass before 100 ms are up; a billion rows take far longer. Under a
  // 1 GiB tracker a fill that checked nothing inside would fail with 241 instead.
  ExecutionContext context;
  context.deadline = absl::Now() + absl::Milliseconds(100);
  absl::StatusOr<ResultSet> result;
  {
    MemoryTracker tracker(int64_t{1} << 30, nullptr, "for query");
    MemoryTrackerScope scope(&tracker);
    result = BillionFill()->Execute(context);
  }
  EXPECT_THAT(result, test::StatusIs(absl::StatusCode::kDeadlineExceeded));
}

TEST(FillLimitsTest, KillStops) {
  std::atomic<bool> cancelled{true};
  ExecutionContext context;
  context.cancelled = &cancelled;
  EXPECT_THAT(BillionFill()->Execute(context), test::StatusIs(absl::StatusCode::kCancelled));
}

TEST(FillLimitsTest, MaxResultRowsFailsWhileFilling) {
  ExecutionContext context;
  context.max_result_rows = 1000;
  absl::StatusOr<ResultSet> result = BillionFill()->Execute(context);
  ASSERT_THAT(result, test::StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(std::string(result.status().message()), ::testing::StartsWith("Limit for result exceeded"));
}

TEST(FillLimitsTest, ALimitAboveStopsTheFillAndKeepsMaxResultRows) {
  ExecutionContext context;
  context.max_result_rows = 1000;
  ASSERT_OK_AND_ASSIGN(ResultSet first, BillionFill({/*rows=*/3, /*offset=*/2})->Execute(context));
  EXPECT_THAT(Rows(first), ElementsAre("0", "1", "2", "3", "4"));  // LIMIT 2, 3 reads these
  // A LIMIT above max_result_rows does not make the fill's result legal.
  EXPECT_THAT(BillionFill({/*rows=*/5000, /*offset=*/0})->Execute(context),
              test::StatusIs(absl::StatusCode::kResourceExhausted));
  // LIMIT 0 reads nothing.
  ASSERT_OK_AND_ASSIGN(ResultSet none, BillionFill({/*rows=*/0, /*offset=*/0})->Execute(context));
  EXPECT_EQ(none.row_count, 0u);
}

TEST(FillLimitsTest, OffsetCountsTowardsTheRowsAllowed) {
  ExecutionContext context;
  context.max_result_rows = 3;
  FillSpec spec;
  spec.column = 0;
  spec.to = 5;
  // 5 rows, OFFSET 2 without LIMIT: the consumer returns 3, within the limit.
  ASSERT_OK_AND_ASSIGN(ResultSet rows,
                       MakeFill(test::Values({{"n", Ints(kU64, {0})}}), {spec}, {std::nullopt, 2})->Execute(context));
  EXPECT_EQ(rows.row_count, 5u);
  context.max_result_rows = 2;
  EXPECT_THAT(MakeFill(test::Values({{"n", Ints(kU64, {0})}}), {spec}, {std::nullopt, 2})->Execute(context),
              test::StatusIs(absl::StatusCode::kResourceExhausted));
}

}  // namespace
}  // namespace mua
