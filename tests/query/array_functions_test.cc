// Array functions over Array(String) and Array(integer), with ClickHouse's results.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/query/scalar_call.h"
#include "tests/testutil/status_matchers.h"

namespace mua::test {
namespace {

using ::testing::ElementsAre;

#define CALL(result, ...) ASSERT_OK_AND_ASSIGN(CallResult result, CallFunction(__VA_ARGS__))

std::vector<int64_t> Ints(const CallResult& r) {
  const size_t i = r.value.index(0);
  return std::vector<int64_t>(r.value.ints.begin() + r.value.offsets[i],
                              r.value.ints.begin() + r.value.offsets[i + 1]);
}

TEST(ArrayFunctionsTest, SplitAndConcat) {
  CALL(parts, "splitByChar", {Str(","), Str("a,b,,c")});
  EXPECT_THAT(StrArrayOf(parts), ElementsAre("a", "b", "", "c"));
  CALL(limited, "splitByChar", {Str(","), Str("a,b,c"), Int(2)});
  EXPECT_THAT(StrArrayOf(limited), ElementsAre("a", "b"));
  CALL(by_string, "splitByString", {Str(", "), Str("1, 2 3, 4")});
  EXPECT_THAT(StrArrayOf(by_string), ElementsAre("1", "2 3", "4"));
  CALL(bytes, "splitByString", {Str(""), Str("abc")});
  EXPECT_THAT(StrArrayOf(bytes), ElementsAre("a", "b", "c"));
  EXPECT_THAT(CallFunction("splitByChar", {Str(",,"), Str("a")}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  CALL(joined, "arrayStringConcat", {StrArray({"a", "b", "c"}), Str("-")});
  EXPECT_EQ(StrOf(joined), "a-b-c");
  CALL(plain, "arrayStringConcat", {StrArray({"a", "b"})});
  EXPECT_EQ(StrOf(plain), "ab");
}

TEST(ArrayFunctionsTest, HasIndexOfRange) {
  CALL(has, "has", {StrArray({"x", "y"}), Str("y")});
  EXPECT_EQ(IntOf(has), 1);
  CALL(has_not, "has", {StrArray({"x", "y"}), Str("z")});
  EXPECT_EQ(IntOf(has_not), 0);
  CALL(index, "indexOf", {StrArray({"x", "y"}), Str("y")});
  EXPECT_EQ(IntOf(index), 2);
  CALL(range, "range", {Int(5, TypeId::kUInt8)});
  EXPECT_EQ(range.value.type, DataType::Array(TypeId::kUInt64));
  EXPECT_THAT(Ints(range), ElementsAre(0, 1, 2, 3, 4));
  CALL(stepped, "range", {Int(1, TypeId::kUInt8), Int(8, TypeId::kUInt8), Int(3, TypeId::kUInt8)});
  EXPECT_THAT(Ints(stepped), ElementsAre(1, 4, 7));
  CALL(in_range, "has", {CallArg{range.value}, Int(3, TypeId::kUInt8)});
  EXPECT_EQ(IntOf(in_range), 1);
  EXPECT_THAT(CallFunction("has", {StrArray({"x"}), Int(1)}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ArrayFunctionsTest, Reorder) {
  CALL(sorted, "arraySort", {StrArray({"b", "c", "a"})});
  EXPECT_THAT(StrArrayOf(sorted), ElementsAre("a", "b", "c"));
  CALL(reversed, "arrayReverse", {StrArray({"b", "c", "a"})});
  EXPECT_THAT(StrArrayOf(reversed), ElementsAre("a", "c", "b"));
  CALL(distinct, "arrayDistinct", {StrArray({"b", "a", "b"})});
  EXPECT_THAT(StrArrayOf(distinct), ElementsAre("b", "a"));
  CALL(concat, "arrayConcat", {StrArray({"a"}), StrArray({"b", "c"})});
  EXPECT_THAT(StrArrayOf(concat), ElementsAre("a", "b", "c"));
  CALL(slice, "arraySlice", {StrArray({"a", "b", "c", "d"}), Int(2), Int(2)});
  EXPECT_THAT(StrArrayOf(slice), ElementsAre("b", "c"));
  CALL(tail, "arraySlice", {StrArray({"a", "b", "c", "d"}), Int(-2)});
  EXPECT_THAT(StrArrayOf(tail), ElementsAre("c", "d"));
  CALL(drop_last, "arraySlice", {StrArray({"a", "b", "c", "d"}), Int(1), Int(-1)});
  EXPECT_THAT(StrArrayOf(drop_last), ElementsAre("a", "b", "c"));
  CALL(empty, "emptyArrayString", {});
  EXPECT_THAT(StrArrayOf(empty), ElementsAre());
}

}  // namespace
}  // namespace mua::test
