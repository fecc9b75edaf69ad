#include "query/operators/hash_join.h"

#include <atomic>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "query/scalar_functions.h"
#include "storage/base/memory_tracker.h"
#include "storage/string_dictionary.h"
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

// left: id UInt64, l String
OperatorPtr Left(std::vector<int64_t> ids, std::vector<std::string> names) {
  return test::Values({{"id", Ints(kU64, std::move(ids))}, {"l", Strings(std::move(names))}});
}
// right: key UInt64, r String
OperatorPtr Right(std::vector<int64_t> keys, std::vector<std::string> names) {
  return test::Values({{"key", Ints(kU64, std::move(keys))}, {"r", Strings(std::move(names))}});
}

JoinSpec OnIds(JoinKind kind, JoinStrictness strictness = JoinStrictness::kAll) {
  JoinSpec spec;
  spec.kind = kind;
  spec.strictness = strictness;
  spec.left_keys = {MakeColumn(0, kU64, "id")};
  spec.right_keys = {MakeColumn(0, kU64, "key")};
  return spec;
}

class HashJoinTest : public ::testing::Test {
 protected:
  OperatorPtr left_ = Left({1, 2, 2, 3}, {"a", "b", "c", "d"});
  OperatorPtr right_ = Right({2, 2, 3, 4}, {"x", "y", "z", "w"});
};

TEST_F(HashJoinTest, InnerAllJoinsEveryMatchingPairInProbeOrder) {
  ASSERT_OK_AND_ASSIGN(ResultSet result, test::Run(MakeHashJoin(left_, right_, OnIds(JoinKind::kInner))));
  EXPECT_THAT(result.names, ElementsAre("id", "l", "key", "r"));
  EXPECT_THAT(Rows(result), ElementsAre("2|b|2|x", "2|b|2|y", "2|c|2|x", "2|c|2|y", "3|d|3|z"));
}

TEST_F(HashJoinTest, LeftAllGivesTypeDefaultsWithoutMatch) {
  ASSERT_OK_AND_ASSIGN(ResultSet result, test::Run(MakeHashJoin(left_, right_, OnIds(JoinKind::kLeft))));
  EXPECT_THAT(Rows(result), ElementsAre("1|a|0|", "2|b|2|x", "2|b|2|y", "2|c|2|x", "2|c|2|y",
                                        "3|d|3|z"));
  EXPECT_FALSE(result.columns[2].type.nullable);
}

TEST_F(HashJoinTest, LeftAllWithJoinUseNullsGivesNullableNulls) {
  JoinSpec spec = OnIds(JoinKind::kLeft);
  spec.join_use_nulls = true;
  ASSERT_OK_AND_ASSIGN(ResultSet result, test::Run(MakeHashJoin(left_, right_, spec)));
  EXPECT_THAT(Rows(result), ElementsAre("1|a|\\N|\\N", "2|b|2|x", "2|b|2|y", "2|c|2|x", "2|c|2|y",
                                        "3|d|3|z"));
  EXPECT_EQ(result.columns[2].type.Name(), "Nullable(UInt64)");
  EXPECT_EQ(result.columns[3].type.Name(), "Nullable(String)");
  EXPECT_EQ(result.columns[0].type.Name(), "UInt64");
  EXPECT_EQ(JoinOutputType(spec, /*right_side=*/true, kU64).Name(), "Nullable(UInt64)");
  EXPECT_EQ(JoinOutputType(spec, /*right_side=*/false, kU64).Name(), "UInt64");
}

TEST_F(HashJoinTest, RightAllAppendsUnmatchedRightRowsLast) {
  ASSERT_OK_AND_ASSIGN(ResultSet result, test::Run(MakeHashJoin(left_, right_, OnIds(JoinKind::kRight))));
  EXPECT_THAT(Rows(result), ElementsAre("2|b|2|x", "2|b|2|y", "2|c|2|x", "2|c|2|y", "3|d|3|z",
                                        "0||4|w"));
}

TEST_F(HashJoinTest, FullAllKeepsBothSidesUnmatched) {
  JoinSpec spec = OnIds(JoinKind::kFull);
  spec.join_use_nulls = true;
  ASSERT_OK_AND_ASSIGN(ResultSet result, test::Run(MakeHashJoin(left_, right_, spec)));
  EXPECT_THAT(Rows(result), ElementsAre("1|a|\\N|\\N", "2|b|2|x", "2|b|2|y", "2|c|2|x", "2|c|2|y",
                                        "3|d|3|z", "\\N|\\N|4|w"));
}

TEST_F(HashJoinTest, FullUsingKeyTakesTheRightKeyWhereTheLeftIsMissing) {
  JoinSpec spec = OnIds(JoinKind::kFull);
  spec.using_columns = {{0, 0}};
  ASSERT_OK_AND_ASSIGN(ResultSet result, test::Run(MakeHashJoin(left_, right_, spec)));
  EXPECT_THAT(Rows(result), ElementsAre("1|a|0|", "2|b|2|x", "2|b|2|y", "2|c|2|x", "2|c|2|y",
                                        "3|d|3|z", "4||4|w"));
  spec.join_use_nulls = true;
  ASSERT_OK_AND_ASSIGN(result, test::Run(MakeHashJoin(left_, right_, spec)));
  EXPECT_THAT(Rows(result), ElementsAre("1|a|\\N|\\N", "2|b|2|x", "2|b|2|y", "2|c|2|x", "2|c|2|y",
                                        "3|d|3|z", "4|\\N|4|w"));
}

TEST_F(HashJoinTest, CrossJoinsEveryPairLeftMajor) {
  JoinSpec spec;
  spec.kind = JoinKind::kCross;
  ASSERT_OK_AND_ASSIGN(ResultSet result,
                       test::Run(MakeHashJoin(Left({1, 2}, {"a", "b"}),
                                        Right({7, 8, 9}, {"x", "y", "z"}), spec)));
  EXPECT_THAT(Rows(result), ElementsAre("1|a|7|x", "1|a|8|y", "1|a|9|z", "2|b|7|x", "2|b|8|y",
                                        "2|b|9|z"));
}

TEST_F(HashJoinTest, LeftAnyTakesTheFirstMatch) {
  ASSERT_OK_AND_ASSIGN(ResultSet result,
                       test::Run(MakeHashJoin(left_, right_, OnIds(JoinKind::kLeft, JoinStrictness::kAny))));
  EXPECT_THAT(Rows(result), ElementsAre("1|a|0|", "2|b|2|x", "2|c|2|x", "3|d|3|z"));
}

TEST_F(HashJoinTest, InnerAnyJoinsEachKeyOnce) {
  // ClickHouse >= 20: the first left row of a key with the first right row of it.
  ASSERT_OK_AND_ASSIGN(
      ResultSet result,
      test::Run(MakeHashJoin(Left({1, 1, 2, 5}, {"a", "b", "c", "d"}),
                       Right({1, 1, 2, 2}, {"x", "y", "z", "w"}),
                       OnIds(JoinKind::kInner, JoinStrictness::kAny))));
  EXPECT_THAT(Rows(result), ElementsAre("1|a|1|x", "2|c|2|z"));
}

TEST_F(HashJoinTest, RightAnyJoinsEachRightRowWithItsFirstLeftMatch) {
  ASSERT_OK_AND_ASSIGN(
      ResultSet result,
      test::Run(MakeHashJoin(Left({1, 1, 3}, {"a", "b", "c"}), Right({1, 1, 2}, {"x", "y", "z"}),
                       OnIds(JoinKind::kRight, JoinStrictness::kAny))));
  EXPECT_THAT(Rows(result), ElementsAre("1|a|1|x", "1|a|1|y", "0||2|z"));
}

TEST_F(HashJoinTest, AnyFullIsNotImplemented) {
  EXPECT_THAT(test::Run(MakeHashJoin(left_, right_, OnIds(JoinKind::kFull, JoinStrictness::kAny))),
              test::StatusIs(absl::StatusCode::kUnimplemented));
}

TEST_F(HashJoinTest, SemiAndAntiJoins) {
  ASSERT_OK_AND_ASSIGN(
      ResultSet left_semi,
      test::Run(MakeHashJoin(left_, right_, OnIds(JoinKind::kLeft, JoinStrictness::kSemi))));
  EXPECT_THAT(Rows(left_semi), ElementsAre("2|b|2|x", "2|c|2|x", "3|d|3|z"));
  ASSERT_OK_AND_ASSIGN(
      ResultSet left_anti,
      test::Run(MakeHashJoin(left_, right_, OnIds(JoinKind::kLeft, JoinStrictness::kAnti))));
  EXPECT_THAT(Rows(left_anti), ElementsAre("1|a|0|"));
  ASSERT_OK_AND_ASSIGN(
      ResultSet right_semi,
      test::Run(MakeHashJoin(left_, right_, OnIds(JoinKind::kRight, JoinStrictness::kSemi))));
  EXPECT_THAT(Rows(right_semi), ElementsAre("2|b|2|x", "2|b|2|y", "3|d|3|z"));
  ASSERT_OK_AND_ASSIGN(
      ResultSet right_anti,
      test::Run(MakeHashJoin(left_, right_, OnIds(JoinKind::kRight, JoinStrictness::kAnti))));
  EXPECT_THAT(Rows(right_anti), ElementsAre("0||4|w"));
  EXPECT_THAT(test::Run(MakeHashJoin(left_, right_, OnIds(JoinKind::kInner, JoinStrictness::kSemi))),
              test::StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(HashJoinTest, NullKeysNeverMatch) {
  const DataType nullable = test::NullableT(TypeId::kUInt64);
  OperatorPtr left = test::Values({{"id", Ints(nullable, {0, 1, 0}, {1, 0, 0})}});
  OperatorPtr right = test::Values({{"key", Ints(nullable, {0, 1, 0}, {1, 0, 1})}});
  JoinSpec spec;
  spec.kind = JoinKind::kFull;
  spec.left_keys = {MakeColumn(0, nullable, "id")};
  spec.right_keys = {MakeColumn(0, nullable, "key")};
  ASSERT_OK_AND_ASSIGN(ResultSet result, test::Run(MakeHashJoin(left, right, spec)));
  // Left NULL and left 0 find nothing (right 0 is NULL); right NULLs come out unmatched.
  // The default of a Nullable column is NULL.
  EXPECT_THAT(Rows(result), ElementsAre("\\N|\\N", "1|1", "0|\\N", "\\N|\\N", "\\N|\\N"));
}

TEST_F(HashJoinTest, KeysCompareByValueAcrossTypes) {
  // UInt8 against Int64; UInt64 max never equals Int64 -1.
  OperatorPtr left = test::Values({{"a", Ints(T(TypeId::kUInt8), {1, 200})},
                                   {"b", Ints(kU64, {5, -1})}});
  OperatorPtr right = test::Values({{"c", Ints(T(TypeId::kInt64), {200, 1})},
                                    {"d", Ints(T(TypeId::kInt64), {-1, 5})}});
  JoinSpec spec;
  spec.kind = JoinKind::kLeft;
  spec.left_keys = {MakeColumn(0, T(TypeId::kUInt8), "a"), MakeColumn(1, kU64, "b")};
  spec.right_keys = {MakeColumn(0, T(TypeId::kInt64), "c"),
                     MakeColumn(1, T(TypeId::kInt64), "d")};
  ASSERT_OK_AND_ASSIGN(ResultSet result, test::Run(MakeHashJoin(left, right, spec)));
  EXPECT_THAT(Rows(result), ElementsAre("1|5|1|5", "200|18446744073709551615|0|0"));

  // Date against DateTime: 1970-01-02 equals 86400 s.
  OperatorPtr dates = test::Values({{"d", Ints(T(TypeId::kDate), {1, 2})}});
  OperatorPtr times = test::Values({{"t", Ints(T(TypeId::kDateTime), {86400, 86401})}});
  JoinSpec time_spec;
  time_spec.left_keys = {MakeColumn(0, T(TypeId::kDate), "d")};
  time_spec.right_keys = {MakeColumn(0, T(TypeId::kDateTime), "t")};
  ASSERT_OK_AND_ASSIGN(ResultSet joined, test::Run(MakeHashJoin(dates, times, time_spec)));
  EXPECT_THAT(Rows(joined), ElementsAre("1|86400"));

  // Float64 against an integer compares as Float64.
  OperatorPtr floats = test::Values({{"f", test::Floats({2.0, 2.5})}});
  JoinSpec float_spec;
  float_spec.left_keys = {MakeColumn(0, T(TypeId::kFloat64), "f")};
  float_spec.right_keys = {MakeColumn(0, kU64, "key")};
  ASSERT_OK_AND_ASSIGN(ResultSet by_float,
                       test::Run(MakeHashJoin(floats, Right({2, 3}, {"x", "y"}), float_spec)));
  EXPECT_THAT(Rows(by_float), ElementsAre("2|2|x"));
}

TEST_F(HashJoinTest, KeysWithoutSupertypeAreAnError) {
  JoinSpec spec;
  spec.left_keys = {MakeColumn(1, T(TypeId::kString), "l")};
  spec.right_keys = {MakeColumn(0, kU64, "key")};
  EXPECT_THAT(ValidateJoinSpec(spec), test::StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(test::Run(MakeHashJoin(left_, right_, spec)),
              test::StatusIs(absl::StatusCode::kInvalidArgument));
  spec.left_keys = {MakeColumn(0, T(TypeId::kDate), "d")};
  EXPECT_THAT(ValidateJoinSpec(spec), test::StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(HashJoinTest, StringKeysMatchDictionaryVectors) {
  // The right key is LowCardinality(String): its kernel hands out dictionary codes.
  static StringDictionary* dictionary = [] {
    auto* d = new StringDictionary();
    d->GetOrAdd("ios");
    d->GetOrAdd("android");
    return d;
  }();
  DataType low_cardinality = T(TypeId::kString);
  low_cardinality.low_cardinality = true;
  ScalarKernel to_codes = [](absl::Span<Vector> args, size_t rows, StringPool*, Vector* out) {
    out->type = T(TypeId::kString);
    out->type.low_cardinality = true;
    out->size = rows;
    out->dictionary = dictionary;
    out->codes.clear();
    for (size_t row = 0; row < rows; ++row) {
      out->codes.push_back(static_cast<uint32_t>(args[0].int_at(row)));
    }
    return absl::OkStatus();
  };
  OperatorPtr left = test::Values({{"platform", Strings({"android", "web", "ios"})}});
  OperatorPtr right = test::Values({{"code", Ints(kU64, {0, 1})}});
  JoinSpec spec;
  spec.kind = JoinKind::kLeft;
  spec.left_keys = {MakeColumn(0, T(TypeId::kString), "platform")};
  spec.right_keys = {MakeCall("toPlatform", to_codes, low_cardinality,
                              {MakeColumn(0, kU64, "code")}, "toPlatform(code)")};
  ASSERT_OK_AND_ASSIGN(ResultSet result, test::Run(MakeHashJoin(left, right, spec)));
  EXPECT_THAT(Rows(result), ElementsAre("android|1", "web|0", "ios|0"));
}

TEST_F(HashJoinTest, ResidualConditionFiltersCandidatePairs) {
  // ON id = key AND l < r (over [id, l, key, r]).
  const DataType string = T(TypeId::kString);
  std::vector<ScalarArg> args = {{string, nullptr}, {string, nullptr}};
  ASSERT_OK_AND_ASSIGN(ScalarBinding less, BindScalarFunction("less", args));
  JoinSpec spec = OnIds(JoinKind::kLeft);
  OperatorPtr right = Right({2, 2, 3, 4}, {"b", "d", "a", "z"});
  spec.residual = MakeCall("less", less.kernel, less.type,
                           {MakeColumn(1, string, "l"), MakeColumn(3, string, "r")}, "l < r");
  ASSERT_OK_AND_ASSIGN(ResultSet result, test::Run(MakeHashJoin(left_, right, spec)));
  // b: only d passes (b < b is false); c: d; d: nothing (d < a is false).
  EXPECT_THAT(Rows(result), ElementsAre("1|a|0|", "2|b|2|d", "2|c|2|d", "3|d|0|"));

  spec.strictness = JoinStrictness::kAny;
  spec.kind = JoinKind::kInner;
  ASSERT_OK_AND_ASSIGN(ResultSet any, test::Run(MakeHashJoin(left_, right, spec)));
  EXPECT_THAT(Rows(any), ElementsAre("2|b|2|d"));
}

TEST_F(HashJoinTest, SelectedOutputColumnsOnly) {
  JoinSpec spec = OnIds(JoinKind::kInner);
  spec.left_columns = std::vector<int>{1};
  spec.right_columns = std::vector<int>{1};
  ASSERT_OK_AND_ASSIGN(ResultSet result, test::Run(MakeHashJoin(left_, right_, spec)));
  EXPECT_THAT(result.names, ElementsAre("l", "r"));
  EXPECT_THAT(Rows(result), ElementsAre("b|x", "b|y", "c|x", "c|y", "d|z"));
}

TEST_F(HashJoinTest, EmptyInputs) {
  OperatorPtr empty_left = Left({}, {});
  OperatorPtr empty_right = Right({}, {});
  for (JoinKind kind : {JoinKind::kInner, JoinKind::kLeft, JoinKind::kRight, JoinKind::kFull}) {
    ASSERT_OK_AND_ASSIGN(ResultSet none, test::Run(MakeHashJoin(empty_left, empty_right, OnIds(kind))));
    EXPECT_EQ(none.row_count, 0u);
    EXPECT_EQ(none.columns.size(), 4u);
  }
  ASSERT_OK_AND_ASSIGN(ResultSet left_only,
                       test::Run(MakeHashJoin(left_, empty_right, OnIds(JoinKind::kLeft))));
  EXPECT_THAT(Rows(left_only), ElementsAre("1|a|0|", "2|b|0|", "2|c|0|", "3|d|0|"));
  ASSERT_OK_AND_ASSIGN(ResultSet right_only,
                       test::Run(MakeHashJoin(empty_left, right_, OnIds(JoinKind::kRight))));
  EXPECT_EQ(right_only.row_count, 4u);
  JoinSpec cross;
  cross.kind = JoinKind::kCross;
  ASSERT_OK_AND_ASSIGN(ResultSet crossed, test::Run(MakeHashJoin(left_, empty_right, cross)));
  EXPECT_THAT(Rows(crossed), IsEmpty());
}

TEST_F(HashJoinTest, MillionRowsProbeMatchesExpectedCount) {
  const int64_t kRows = 1'000'000;
  std::vector<int64_t> ids(kRows);
  for (int64_t i = 0; i < kRows; ++i) ids[i] = (i * 7919) % 1'500'000;
  std::vector<int64_t> keys(500'000);
  for (int64_t i = 0; i < 500'000; ++i) keys[i] = i * 2;  // even numbers below 1 M
  OperatorPtr left = test::Values({{"id", Ints(kU64, ids)}});
  OperatorPtr right = test::Values({{"key", Ints(kU64, keys)}});
  ASSERT_OK_AND_ASSIGN(ResultSet result, test::Run(MakeHashJoin(left, right, OnIds(JoinKind::kInner))));
  int64_t expected = 0;
  for (int64_t id : ids) expected += (id % 2 == 0 && id < 1'000'000) ? 1 : 0;
  ASSERT_EQ(result.row_count, static_cast<uint64_t>(expected));
  for (size_t row = 0; row < result.row_count; ++row) {
    ASSERT_EQ(result.columns[0].ints[row], result.columns[1].ints[row]);
  }
}

TEST_F(HashJoinTest, CancelledContextStops) {
  std::atomic<bool> cancelled{true};
  ExecutionContext context;
  context.cancelled = &cancelled;
  EXPECT_THAT(MakeHashJoin(left_, right_, OnIds(JoinKind::kInner))->Execute(context),
              test::StatusIs(absl::StatusCode::kCancelled));
}

TEST_F(HashJoinTest, CrossJoinObeysTheMemoryLimit) {
  std::vector<int64_t> values(20'000);
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<int64_t>(i);
  OperatorPtr left = test::Values({{"a", Ints(kU64, values)}});
  OperatorPtr right = test::Values({{"b", Ints(kU64, values)}});
  JoinSpec spec;
  spec.kind = JoinKind::kCross;
  OperatorPtr join = MakeHashJoin(left, right, spec);
  absl::StatusOr<ResultSet> result;
  {
    MemoryTracker tracker(64 << 20, nullptr, "for query");
    MemoryTrackerScope scope(&tracker);
    result = join->Execute(ExecutionContext{});
  }
  EXPECT_THAT(result, test::StatusIs(absl::StatusCode::kResourceExhausted));
}

TEST_F(HashJoinTest, ExplainNamesKindStrictnessAndKeys) {
  std::vector<std::string> lines;
  MakeHashJoin(left_, right_, OnIds(JoinKind::kLeft, JoinStrictness::kAny))->Explain(0, &lines);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "HashJoin LEFT ANY ON id = key");
  EXPECT_EQ(lines[1], "  Values (4 rows)");
}

}  // namespace
}  // namespace mua
