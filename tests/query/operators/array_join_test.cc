#include "query/operators/array_join.h"

#include <atomic>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/query/operators/operator_test_util.h"
#include "tests/testutil/status_matchers.h"

namespace mua {
namespace {

using ::testing::ElementsAre;
using test::Ints;
using test::Rows;
using test::T;

const DataType kU64 = T(TypeId::kUInt64);
const DataType kU8Array = DataType::Array(TypeId::kUInt8);
const DataType kStringArray = DataType::Array(TypeId::kString);

class ArrayJoinTest : public ::testing::Test {
 protected:
  OperatorPtr input_ = test::Values({{"id", Ints(kU64, {1, 2, 3})},
                                     {"a", test::IntArrays(TypeId::kUInt8, {{10, 20}, {}, {30}})},
                                     {"s", test::StringArrays({{"x", "y"}, {}, {"z"}})}});
  BoundExprPtr A() { return MakeColumn(1, kU8Array, "a"); }
  BoundExprPtr S() { return MakeColumn(2, kStringArray, "s"); }
};

TEST_F(ArrayJoinTest, OneRowPerElementDroppingEmptyArrays) {
  ASSERT_OK_AND_ASSIGN(ResultSet result, test::Run(MakeArrayJoin(input_, {{A(), "e"}}, false)));
  EXPECT_THAT(result.names, ElementsAre("id", "a", "s", "e"));
  EXPECT_EQ(result.columns[3].type.Name(), "UInt8");
  EXPECT_THAT(Rows(result), ElementsAre("1|[10,20]|[x,y]|10", "1|[10,20]|[x,y]|20", "3|[30]|[z]|30"));
}

TEST_F(ArrayJoinTest, LeftArrayJoinKeepsEmptyArraysWithADefault) {
  ASSERT_OK_AND_ASSIGN(ResultSet result,
                       test::Run(MakeArrayJoin(input_, {{A(), "e"}, {S(), "t"}}, true)));
  EXPECT_THAT(Rows(result), ElementsAre("1|[10,20]|[x,y]|10|x", "1|[10,20]|[x,y]|20|y",
                                        "2|[]|[]|0|", "3|[30]|[z]|30|z"));
}

TEST_F(ArrayJoinTest, ZippedArraysMustHaveEqualSizes) {
  OperatorPtr input = test::Values({{"a", test::IntArrays(TypeId::kUInt8, {{1, 2}, {3}})},
                                    {"b", test::IntArrays(TypeId::kUInt8, {{4, 5}, {6, 7}})}});
  EXPECT_THAT(test::Run(MakeArrayJoin(input, {{MakeColumn(0, kU8Array, "a"), "x"},
                                              {MakeColumn(1, kU8Array, "b"), "y"}},
                                      false)),
              test::StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(ArrayJoinTest, NonArrayIsAnError) {
  EXPECT_THAT(test::Run(MakeArrayJoin(input_, {{MakeColumn(0, kU64, "id"), "e"}}, false)),
              test::StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(ArrayJoinTest, EmptyInputAndBigInput) {
  OperatorPtr empty = test::Values({{"a", test::IntArrays(TypeId::kUInt8, {})}});
  ASSERT_OK_AND_ASSIGN(ResultSet none,
                       test::Run(MakeArrayJoin(empty, {{MakeColumn(0, kU8Array, "a"), "e"}}, true)));
  EXPECT_EQ(none.row_count, 0u);

  std::vector<std::vector<int64_t>> arrays(300'000);
  for (size_t i = 0; i < arrays.size(); ++i) arrays[i].assign(i % 7, static_cast<int64_t>(i % 5));
  OperatorPtr big = test::Values({{"a", test::IntArrays(TypeId::kUInt8, arrays)}});
  ASSERT_OK_AND_ASSIGN(ResultSet result,
                       test::Run(MakeArrayJoin(big, {{MakeColumn(0, kU8Array, "a"), "e"}}, false)));
  uint64_t expected = 0, sum = 0, expected_sum = 0;
  for (size_t i = 0; i < arrays.size(); ++i) {
    expected += i % 7;
    expected_sum += (i % 7) * (i % 5);
  }
  for (size_t row = 0; row < result.row_count; ++row) sum += result.columns[1].ints[row];
  EXPECT_EQ(result.row_count, expected);
  EXPECT_EQ(sum, expected_sum);
}

TEST_F(ArrayJoinTest, CancelledContextStops) {
  std::atomic<bool> cancelled{true};
  ExecutionContext context;
  context.cancelled = &cancelled;
  EXPECT_THAT(MakeArrayJoin(input_, {{A(), "e"}}, false)->Execute(context),
              test::StatusIs(absl::StatusCode::kCancelled));
}

TEST_F(ArrayJoinTest, Explain) {
  std::vector<std::string> lines;
  MakeArrayJoin(input_, {{A(), "e"}}, true)->Explain(0, &lines);
  EXPECT_EQ(lines[0], "LeftArrayJoin a AS e");
}

}  // namespace
}  // namespace mua
