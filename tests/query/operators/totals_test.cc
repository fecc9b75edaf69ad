#include "query/operators/totals.h"

#include <memory>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "query/aggregate_function.h"
#include "query/logical_plan.h"
#include "tests/testutil/status_matchers.h"

namespace mua {
namespace {

using ::testing::ElementsAre;

const DataType kU64 = DataType::Of(TypeId::kUInt64);
const DataType kString = DataType::Of(TypeId::kString);

// count() and sum(x) over 3 groups; rows (group, x): (0, 1) (1, 2) (1, 3) (2, 4) (2, 5) (2, 6).
std::vector<std::unique_ptr<AggregateFunction>> GroupStates() {
  std::vector<std::unique_ptr<AggregateFunction>> states;
  auto count = BindAggregateFunction("count", {}, {}, false);
  auto sum = BindAggregateFunction("sum", {}, {AggregateArg{kU64}}, false);
  EXPECT_TRUE(count.ok() && sum.ok());
  states.push_back(*std::move(count));
  states.push_back(*std::move(sum));
  const std::vector<uint32_t> group_of_row = {0, 1, 1, 2, 2, 2};
  Vector x;
  x.type = kU64;
  x.size = 6;
  x.ints = {1, 2, 3, 4, 5, 6};
  for (auto& state : states) {
    state->Resize(3);
    const bool is_count = state.get() == states[0].get();
    EXPECT_TRUE(state
                    ->Update(is_count ? absl::Span<const Vector>() : absl::MakeConstSpan(&x, 1),
                             group_of_row)
                    .ok());
  }
  return states;
}

SelectPlan PlanWithKey(bool having) {
  SelectPlan plan;
  plan.aggregate = true;
  plan.with_totals = true;
  plan.group_keys.push_back(MakeColumn(0, kString, "platform"));
  if (having)
    plan.having = MakeConstant(Vector::ConstantInt(DataType::Of(TypeId::kUInt8), 1, 1), "1");
  return plan;
}

TEST(TotalsTest, MergesEveryGroupWithTheKeysAtTheirDefault) {
  std::vector<std::unique_ptr<AggregateFunction>> states = GroupStates();
  const SelectPlan plan = PlanWithKey(false);
  ASSERT_OK_AND_ASSIGN(Totals totals, Totals::Capture(plan, states, 3));
  // The groups themselves are untouched.
  Vector counts;
  states[0]->Finalize(&counts);
  EXPECT_THAT(counts.ints, ElementsAre(1, 2, 3));
  ASSERT_OK_AND_ASSIGN(std::vector<Vector> row, totals.PostRow(plan, {}));
  ASSERT_EQ(row.size(), 3u);
  EXPECT_EQ(row[0].size, 1u);
  EXPECT_EQ(row[0].string_at(0), "");
  EXPECT_EQ(row[1].int_at(0), 6);
  EXPECT_EQ(row[2].int_at(0), 21);
}

TEST(TotalsTest, WithHavingMergesOnlyTheKeptGroups) {
  std::vector<std::unique_ptr<AggregateFunction>> states = GroupStates();
  const SelectPlan plan = PlanWithKey(true);
  ASSERT_OK_AND_ASSIGN(Totals totals, Totals::Capture(plan, states, 3));
  Vector sums;
  states[1]->Finalize(&sums);
  EXPECT_THAT(sums.ints, ElementsAre(1, 5, 15));
  ASSERT_OK_AND_ASSIGN(std::vector<Vector> row, totals.PostRow(plan, {0, 2}));
  ASSERT_EQ(row.size(), 3u);
  EXPECT_EQ(row[1].size, 1u);
  EXPECT_EQ(row[1].int_at(0), 4);   // 1 + 3 rows
  EXPECT_EQ(row[2].int_at(0), 16);  // 1 + 15
}

TEST(TotalsTest, NoGroupKeptGivesTheEmptyStates) {
  std::vector<std::unique_ptr<AggregateFunction>> states = GroupStates();
  const SelectPlan plan = PlanWithKey(true);
  ASSERT_OK_AND_ASSIGN(Totals totals, Totals::Capture(plan, states, 3));
  ASSERT_OK_AND_ASSIGN(std::vector<Vector> row, totals.PostRow(plan, {}));
  EXPECT_EQ(row[1].int_at(0), 0);
  EXPECT_EQ(row[2].int_at(0), 0);
}

TEST(TotalsTest, NullableKeyDefaultsToNull) {
  SelectPlan plan;
  DataType nullable = kString;
  nullable.nullable = true;
  plan.group_keys.push_back(MakeColumn(0, nullable, "p"));
  std::vector<std::unique_ptr<AggregateFunction>> none;
  ASSERT_OK_AND_ASSIGN(Totals totals, Totals::Capture(plan, none, 0));
  ASSERT_OK_AND_ASSIGN(std::vector<Vector> row, totals.PostRow(plan, {}));
  ASSERT_EQ(row.size(), 1u);
  EXPECT_TRUE(row[0].is_null(0));
}

}  // namespace
}  // namespace mua
