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


// Vectors of one row for the element types beyond plain integers and strings.
CallArg FloatArray(const std::vector<double>& values) {
  Vector v;
  v.type = DataType::Array(TypeId::kFloat64);
  v.size = 1;
  v.constant = true;
  v.offsets = {0, static_cast<uint32_t>(values.size())};
  v.floats = values;
  return {v};
}

// Array(Nullable(Int64)) of `values`, where `nulls[i]` marks NULL.
CallArg NullableArray(const std::vector<int64_t>& values, const std::vector<uint8_t>& nulls) {
  Vector v;
  v.type = DataType::ArrayOf(DataType::Nullable(TypeId::kInt64));
  v.size = 1;
  v.constant = true;
  v.offsets = {0, static_cast<uint32_t>(values.size())};
  Vector& elements = v.children.emplace_back();
  elements.type = DataType::Nullable(TypeId::kInt64);
  elements.size = values.size();
  elements.ints = values;
  elements.nulls = nulls;
  return {v};
}

// Array(Array(Int64)) of `rows`.
CallArg NestedArray(const std::vector<std::vector<int64_t>>& rows) {
  Vector inner;
  inner.type = DataType::Array(TypeId::kInt64);
  inner.size = rows.size();
  inner.offsets = {0};
  for (const auto& row : rows) {
    inner.ints.insert(inner.ints.end(), row.begin(), row.end());
    inner.offsets.push_back(static_cast<uint32_t>(inner.ints.size()));
  }
  Vector v;
  v.type = DataType::ArrayOf(inner.type);
  v.size = 1;
  v.constant = true;
  v.offsets = {0, static_cast<uint32_t>(rows.size())};
  v.children.push_back(std::move(inner));
  return {v};
}

std::vector<double> Floats(const CallResult& r) {
  const size_t i = r.value.index(0);
  return std::vector<double>(r.value.floats.begin() + r.value.offsets[i],
                             r.value.floats.begin() + r.value.offsets[i + 1]);
}

TEST(ArrayFunctionsTest, FloatElements) {
  CALL(has, "has", {FloatArray({0.5, 1.5}), Float(1.5)});
  EXPECT_EQ(IntOf(has), 1);
  CALL(has_int, "has", {FloatArray({1, 2}), Int(2)});
  EXPECT_EQ(IntOf(has_int), 1);
  CALL(index, "indexOf", {FloatArray({0.5, 1.5}), Float(1.5)});
  EXPECT_EQ(IntOf(index), 2);
  CALL(reversed, "arrayReverse", {FloatArray({0.5, 1.5, 2.5})});
  EXPECT_THAT(Floats(reversed), ElementsAre(2.5, 1.5, 0.5));
  CALL(distinct, "arrayDistinct", {FloatArray({1.5, 1.5, 2})});
  EXPECT_THAT(Floats(distinct), ElementsAre(1.5, 2));
  CALL(slice, "arraySlice", {FloatArray({1, 2, 3}), Int(2)});
  EXPECT_THAT(Floats(slice), ElementsAre(2, 3));
  CALL(concat, "arrayConcat", {FloatArray({1}), FloatArray({2, 3})});
  EXPECT_THAT(Floats(concat), ElementsAre(1, 2, 3));
  CALL(pushed, "arrayPushBack", {FloatArray({1}), Int(2)});
  EXPECT_THAT(Floats(pushed), ElementsAre(1, 2));
}

TEST(ArrayFunctionsTest, NullableElements) {
  // [1, NULL, 3, NULL]
  const CallArg array = NullableArray({1, 0, 3, 0}, {0, 1, 0, 1});
  CALL(has, "has", {array, Int(3)});
  EXPECT_EQ(IntOf(has), 1);
  CALL(has_not, "has", {array, Int(0)});  // a NULL slot's 0 is no 0
  EXPECT_EQ(IntOf(has_not), 0);
  CALL(count, "countEqual", {array, Int(1)});
  EXPECT_EQ(IntOf(count), 1);
  CALL(distinct, "arrayDistinct", {array});  // NULLs dropped
  EXPECT_EQ(distinct.value.type.Name(), "Array(Nullable(Int64))");
  EXPECT_THAT(distinct.value.offsets, ElementsAre(0, 2));
  CALL(uniq, "arrayUniq", {array});  // NULL counts once
  EXPECT_EQ(IntOf(uniq), 3);
  CALL(reversed, "arrayReverse", {array});
  ASSERT_EQ(reversed.value.children.size(), 1u);
  EXPECT_TRUE(reversed.value.children[0].is_null(0));
  EXPECT_EQ(reversed.value.children[0].int_at(1), 3);
}

TEST(ArrayFunctionsTest, NestedAndTupleElements) {
  const CallArg nested = NestedArray({{1, 2}, {3}, {1, 2}});
  Vector three;
  three.type = DataType::Array(TypeId::kInt64);
  three.size = 1;
  three.constant = true;
  three.offsets = {0, 1};
  three.ints = {3};
  CALL(has, "has", {nested, CallArg{three}});
  EXPECT_EQ(IntOf(has), 1);
  CALL(distinct, "arrayDistinct", {nested});
  EXPECT_EQ(distinct.value.type.Name(), "Array(Array(Int64))");
  EXPECT_THAT(distinct.value.offsets, ElementsAre(0, 2));
  CALL(flat, "arrayFlatten", {nested});
  EXPECT_EQ(flat.value.type.Name(), "Array(Int64)");
  EXPECT_THAT(Ints(flat), ElementsAre(1, 2, 3, 1, 2));
  CALL(enumerated, "arrayEnumerate", {nested});
  EXPECT_THAT(Ints(enumerated), ElementsAre(1, 2, 3));
  CALL(compact, "arrayCompact", {NestedArray({{1}, {1}, {2}, {1}})});
  EXPECT_THAT(compact.value.offsets, ElementsAre(0, 3));
  CALL(zipped, "arrayZip", {StrArray({"a", "b"}), FloatArray({1, 2})});
  EXPECT_EQ(zipped.value.type.Name(), "Array(Tuple(String, Float64))");
  ASSERT_EQ(zipped.value.children.size(), 1u);
  EXPECT_EQ(zipped.value.children[0].children[0].strings[1], "b");
  EXPECT_THAT(CallFunction("arrayZip", {StrArray({"a"}), FloatArray({1, 2})}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  CALL(popped, "arrayPopBack", {StrArray({"a", "b"})});
  EXPECT_THAT(StrArrayOf(popped), ElementsAre("a"));
  CALL(front, "arrayPushFront", {StrArray({"b"}), Str("a")});
  EXPECT_THAT(StrArrayOf(front), ElementsAre("a", "b"));
}


TEST(ArrayFunctionsTest, HasAllHasAny) {
  CALL(all, "hasAll", {StrArray({"a", "b", "c"}), StrArray({"c", "a"})});
  EXPECT_EQ(IntOf(all), 1);
  CALL(not_all, "hasAll", {StrArray({"a"}), StrArray({"a", "z"})});
  EXPECT_EQ(IntOf(not_all), 0);
  CALL(all_of_none, "hasAll", {StrArray({"a"}), StrArray({})});
  EXPECT_EQ(IntOf(all_of_none), 1);
  CALL(any, "hasAny", {FloatArray({1, 2}), FloatArray({5, 2})});
  EXPECT_EQ(IntOf(any), 1);
  CALL(any_of_none, "hasAny", {FloatArray({1}), FloatArray({})});
  EXPECT_EQ(IntOf(any_of_none), 0);
  CALL(nulls, "hasAll", {NullableArray({1, 0}, {0, 1}), NullableArray({0}, {1})});
  EXPECT_EQ(IntOf(nulls), 1);  // NULL matches NULL
  EXPECT_THAT(CallFunction("hasAny", {StrArray({"a"}), FloatArray({1})}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace mua::test
