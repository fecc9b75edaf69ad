// The hash join under the statement's result-row limit (JoinSpec::max_output_rows): it
// fails while pairing rows, before gathering any column, and counts the rows its
// strictness keeps, not the candidate pairs.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "query/operators/hash_join.h"
#include "tests/query/operators/operator_test_util.h"
#include "tests/testutil/status_matchers.h"

namespace mua {
namespace {

using test::Ints;
using test::T;

const DataType kU64 = T(TypeId::kUInt64);

// Every left row matches every right row: ids and keys all 1.
JoinSpec OnOne(JoinKind kind, JoinStrictness strictness, uint64_t max_output_rows) {
  JoinSpec spec;
  spec.kind = kind;
  spec.strictness = strictness;
  spec.left_keys = {MakeColumn(0, kU64, "id")};
  spec.right_keys = {MakeColumn(0, kU64, "key")};
  spec.max_output_rows = max_output_rows;
  spec.max_result_rows = max_output_rows;
  return spec;
}

OperatorPtr Ones(const char* name, size_t rows) {
  return test::Values({{name, Ints(kU64, std::vector<int64_t>(rows, 1))}});
}

TEST(JoinLimitsTest, AllJoinFailsOnceItPairsTooManyRows) {
  // 1000 x 1000 pairs against a limit of 10.
  absl::StatusOr<ResultSet> result =
      test::Run(MakeHashJoin(Ones("id", 1000), Ones("key", 1000), OnOne(JoinKind::kInner, JoinStrictness::kAll, 10)));
  ASSERT_THAT(result, test::StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(std::string(result.status().message()), ::testing::StartsWith("Limit for result exceeded"));
}

TEST(JoinLimitsTest, CrossJoinFailsBeforePairing) {
  JoinSpec spec;
  spec.kind = JoinKind::kCross;
  spec.max_output_rows = 999'999;
  spec.max_result_rows = 999'999;
  EXPECT_THAT(test::Run(MakeHashJoin(Ones("id", 1000), Ones("key", 1000), spec)),
              test::StatusIs(absl::StatusCode::kResourceExhausted));
  spec.max_output_rows = 1'000'000;
  ASSERT_OK_AND_ASSIGN(ResultSet all, test::Run(MakeHashJoin(Ones("id", 1000), Ones("key", 1000), spec)));
  EXPECT_EQ(all.row_count, 1'000'000u);
}

TEST(JoinLimitsTest, AnyJoinCountsTheRowsItKeeps) {
  // LEFT ANY keeps one row per left row though each has 1000 candidates.
  ASSERT_OK_AND_ASSIGN(ResultSet result, test::Run(MakeHashJoin(Ones("id", 100), Ones("key", 1000),
                                                               OnOne(JoinKind::kLeft, JoinStrictness::kAny, 100))));
  EXPECT_EQ(result.row_count, 100u);
  EXPECT_THAT(test::Run(MakeHashJoin(Ones("id", 100), Ones("key", 1000),
                                     OnOne(JoinKind::kLeft, JoinStrictness::kAny, 99))),
              test::StatusIs(absl::StatusCode::kResourceExhausted));
}

TEST(JoinLimitsTest, UnmatchedRightRowsCount) {
  // RIGHT ALL: no left row matches, so every right row is output once.
  JoinSpec spec = OnOne(JoinKind::kRight, JoinStrictness::kAll, 4);
  OperatorPtr left = test::Values({{"id", Ints(kU64, {2})}});
  ASSERT_OK_AND_ASSIGN(ResultSet four, test::Run(MakeHashJoin(left, Ones("key", 4), spec)));
  EXPECT_EQ(four.row_count, 4u);
  EXPECT_THAT(test::Run(MakeHashJoin(left, Ones("key", 5), spec)), test::StatusIs(absl::StatusCode::kResourceExhausted));
}

}  // namespace
}  // namespace mua
