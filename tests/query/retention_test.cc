// Golden tests for retention (spec/clickhouse.md §1, modern semantics).
#include "query/functions/retention.h"

#include <vector>

#include "gtest/gtest.h"
#include "tests/testutil/status_matchers.h"

namespace mua::query_internal {
namespace {

using ::mua::test::StatusIs;

// One user's rows as condition masks (bit k-1 = condition k); returns the array.
std::vector<int> Retention(const std::vector<uint32_t>& rows, int n) {
  RetentionState state;
  for (uint32_t row : rows) state.Add(row);
  std::vector<uint8_t> out(n);
  state.Result(n, out.data());
  return std::vector<int>(out.begin(), out.end());
}

TEST(RetentionTest, VerifiedDayExamples) {
  // retention(d = d1, d = d2, d = d3): each row is active on one day.
  const uint32_t d1 = 0b001, d2 = 0b010, d3 = 0b100;
  EXPECT_EQ(Retention({d1, d2, d3}, 3), (std::vector<int>{1, 1, 1}));  // uid1
  EXPECT_EQ(Retention({d2, d3}, 3), (std::vector<int>{0, 0, 0}));      // uid2: no d1
  EXPECT_EQ(Retention({d1, d3}, 3), (std::vector<int>{1, 0, 1}));      // uid3
  EXPECT_EQ(Retention({d3, d1}, 3), (std::vector<int>{1, 0, 1}));      // uid4: order irrelevant
}

TEST(RetentionTest, RowSetsEveryTrueCondition) {
  // retention(d >= d1, d = d2, d = d3): a d2 row also satisfies cond1 (18.16 gave [1,0,0]).
  const uint32_t on_d1 = 0b001, on_d2 = 0b011, on_d3 = 0b101;
  EXPECT_EQ(Retention({on_d1, on_d2, on_d3}, 3), (std::vector<int>{1, 1, 1}));
  EXPECT_EQ(Retention({on_d2, on_d3}, 3), (std::vector<int>{1, 1, 1}));
  EXPECT_EQ(Retention({on_d1, on_d3}, 3), (std::vector<int>{1, 0, 1}));
  EXPECT_EQ(Retention({on_d3, on_d1}, 3), (std::vector<int>{1, 0, 1}));
  // retention(number = 0, number = 0) FROM numbers(1).
  EXPECT_EQ(Retention({0b11}, 2), (std::vector<int>{1, 1}));
}

TEST(RetentionTest, EmptyGroupAndMerge) {
  EXPECT_EQ(Retention({}, 2), (std::vector<int>{0, 0}));
  RetentionState a, b;
  a.Add(0b10);
  b.Add(0b01);
  a.Merge(b);
  uint8_t out[2];
  a.Result(2, out);
  EXPECT_EQ(out[0], 1);
  EXPECT_EQ(out[1], 1);
  RetentionState all;
  all.Add(~0u);
  std::vector<uint8_t> wide(32);
  all.Result(32, wide.data());
  for (uint8_t v : wide) EXPECT_EQ(v, 1);
}

TEST(RetentionTest, ArityFollowsClickHouse) {
  EXPECT_THAT(ValidateRetentionArity(0), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(ValidateRetentionArity(1).message(),
            "Not enough event arguments for aggregate function retention");
  EXPECT_TRUE(ValidateRetentionArity(2).ok());
  EXPECT_TRUE(ValidateRetentionArity(32).ok());
  EXPECT_EQ(ValidateRetentionArity(33).message(),
            "Too many event arguments for aggregate function retention");
}

}  // namespace
}  // namespace mua::query_internal
