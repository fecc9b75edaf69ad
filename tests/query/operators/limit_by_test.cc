#include "query/operators/limit_by.h"

#include <atomic>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/query/operators/operator_test_util.h"
#include "tests/testutil/status_matchers.h"

namespace mua {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using test::Ints;
using test::Rows;
using test::Strings;
using test::T;

const DataType kU64 = T(TypeId::kUInt64);
const DataType kString = T(TypeId::kString);

class LimitByTest : public ::testing::Test {
 protected:
  OperatorPtr input_ = test::Values({{"k", Strings({"a", "b", "a", "a", "b", "c", "a"})},
                                     {"n", Ints(kU64, {1, 2, 3, 4, 5, 6, 7})}});
  BoundExprPtr K() { return MakeColumn(0, kString, "k"); }
};

TEST_F(LimitByTest, KeepsTheFirstRowsOfEachKeyInInputOrder) {
  ASSERT_OK_AND_ASSIGN(ResultSet result, test::Run(MakeLimitBy(input_, {K()}, 2, 0)));
  EXPECT_THAT(Rows(result), ElementsAre("a|1", "b|2", "a|3", "b|5", "c|6"));
}

TEST_F(LimitByTest, OffsetSkipsRowsOfEachKey) {
  ASSERT_OK_AND_ASSIGN(ResultSet result, test::Run(MakeLimitBy(input_, {K()}, 1, 1)));
  EXPECT_THAT(Rows(result), ElementsAre("a|3", "b|5"));
  ASSERT_OK_AND_ASSIGN(ResultSet none, test::Run(MakeLimitBy(input_, {K()}, 0, 0)));
  EXPECT_THAT(Rows(none), IsEmpty());
}

TEST_F(LimitByTest, SeveralKeysAndNullKeys) {
  const DataType nullable = test::NullableT(TypeId::kUInt64);
  OperatorPtr input = test::Values({{"x", Ints(nullable, {0, 0, 1, 0, 1}, {1, 1, 0, 0, 0})},
                                    {"y", Ints(kU64, {1, 1, 1, 1, 2})}});
  ASSERT_OK_AND_ASSIGN(ResultSet result,
                       test::Run(MakeLimitBy(input, {MakeColumn(0, nullable, "x"),
                                                     MakeColumn(1, kU64, "y")},
                                             1, 0)));
  // NULL groups with NULL, apart from 0.
  EXPECT_THAT(Rows(result), ElementsAre("\\N|1", "1|1", "0|1", "1|2"));
}

TEST_F(LimitByTest, MillionRows) {
  const size_t kRows = 1'000'000;
  std::vector<int64_t> keys(kRows);
  for (size_t i = 0; i < kRows; ++i) keys[i] = static_cast<int64_t>(i % 1000);
  OperatorPtr input = test::Values({{"k", Ints(kU64, keys)}});
  ASSERT_OK_AND_ASSIGN(ResultSet result,
                       test::Run(MakeLimitBy(input, {MakeColumn(0, kU64, "k")}, 3, 1)));
  ASSERT_EQ(result.row_count, 3000u);
  for (size_t row = 0; row < result.row_count; ++row) {
    ASSERT_EQ(result.columns[0].ints[row], static_cast<int64_t>(row % 1000));
  }
}

TEST_F(LimitByTest, CancelledContextStops) {
  std::atomic<bool> cancelled{true};
  ExecutionContext context;
  context.cancelled = &cancelled;
  EXPECT_THAT(MakeLimitBy(input_, {K()}, 1, 0)->Execute(context),
              test::StatusIs(absl::StatusCode::kCancelled));
}

TEST_F(LimitByTest, Explain) {
  std::vector<std::string> lines;
  MakeLimitBy(input_, {K()}, 2, 1)->Explain(0, &lines);
  EXPECT_EQ(lines[0], "LimitBy 2 OFFSET 1 BY k");
}

}  // namespace
}  // namespace mua
