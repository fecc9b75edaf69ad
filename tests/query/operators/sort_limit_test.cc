// The sort and limit steps of a block's final stage (query/operators/sort.h, limit.h).
#include <atomic>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "query/operators/limit.h"
#include "query/operators/sort.h"
#include "tests/query/operators/operator_test_util.h"

namespace mua {
namespace {

using test::Floats;
using test::Ints;
using test::NullableT;
using test::Strings;
using test::T;

std::vector<uint32_t> AllRows(size_t rows) {
  std::vector<uint32_t> order(rows);
  std::iota(order.begin(), order.end(), 0);
  return order;
}

SortKey Key(bool descending) {
  SortKey key;
  key.descending = descending;
  return key;
}

TEST(SortTest, TopNIsThePrefixOfTheStableSort) {
  // Many ties: the bounded partial sort must keep the tied rows in input order.
  const std::vector<Column> columns = {Ints(T(TypeId::kInt64), {3, 1, 2, 1, 3, 2, 1, 2, 3, 1})};
  std::vector<uint32_t> full = AllRows(10);
  SortRows(columns, 0, {Key(false)}, /*top_n=*/0, &full);
  EXPECT_EQ(full, (std::vector<uint32_t>{1, 3, 6, 9, 2, 5, 7, 0, 4, 8}));
  for (uint64_t n = 1; n < 10; ++n) {
    std::vector<uint32_t> top = AllRows(10);
    SortRows(columns, 0, {Key(false)}, n, &top);
    EXPECT_EQ(top, std::vector<uint32_t>(full.begin(), full.begin() + n)) << "top " << n;
  }
}

TEST(SortTest, NanLastInBothDirectionsAndNullsLast) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<Column> floats = {Floats({2.5, nan, -1, 7})};
  std::vector<uint32_t> ascending = AllRows(4);
  SortRows(floats, 0, {Key(false)}, 0, &ascending);
  EXPECT_EQ(ascending, (std::vector<uint32_t>{2, 0, 3, 1}));
  std::vector<uint32_t> descending = AllRows(4);
  SortRows(floats, 0, {Key(true)}, 0, &descending);
  EXPECT_EQ(descending, (std::vector<uint32_t>{3, 0, 2, 1}));

  const std::vector<Column> nullable = {Ints(NullableT(TypeId::kInt64), {5, 0, 1}, {0, 1, 0})};
  std::vector<uint32_t> order = AllRows(3);
  SortRows(nullable, 0, {Key(true)}, 0, &order);
  EXPECT_EQ(order, (std::vector<uint32_t>{0, 2, 1}));
}

TEST(SortTest, SecondKeyBreaksTies) {
  // Key columns start at `first_key`: column 0 is an output that is not a key.
  const std::vector<Column> columns = {Strings({"x", "y", "z", "w"}), Strings({"b", "a", "b", "a"}),
                                       Ints(T(TypeId::kUInt64), {1, 2, 3, 4})};
  std::vector<uint32_t> order = AllRows(4);
  SortRows(columns, 1, {Key(false), Key(true)}, 0, &order);
  EXPECT_EQ(order, (std::vector<uint32_t>{3, 1, 2, 0}));
  const Column taken = TakeRows(columns[0], order);
  EXPECT_EQ(taken.strings, (std::vector<std::string>{"w", "y", "z", "x"}));
}

TEST(LimitTest, DistinctKeepsTheFirstOfEachRowAndNullEqualsNull) {
  const std::vector<Column> columns = {Ints(NullableT(TypeId::kInt64), {1, 0, 1, 0, 2}, {0, 1, 0, 1, 0}),
                                       Strings({"a", "b", "a", "b", "c"})};
  std::vector<uint32_t> order = AllRows(5);
  ASSERT_TRUE(DistinctRows(columns, 2, ExecutionContext{}, &order).ok());
  EXPECT_EQ(order, (std::vector<uint32_t>{0, 1, 4}));
  // Only the first `count` columns (the outputs) decide.
  std::vector<uint32_t> by_first = {4, 3, 2, 1, 0};
  ASSERT_TRUE(DistinctRows(columns, 1, ExecutionContext{}, &by_first).ok());
  EXPECT_EQ(by_first, (std::vector<uint32_t>{4, 3, 2}));
}

TEST(LimitTest, DistinctStopsWhenCancelled) {
  const std::vector<Column> columns = {Ints(T(TypeId::kInt64), std::vector<int64_t>(70000, 1))};
  std::vector<uint32_t> order = AllRows(70000);
  std::atomic<bool> cancelled{true};
  ExecutionContext context;
  context.cancelled = &cancelled;
  EXPECT_EQ(DistinctRows(columns, 1, context, &order).code(), absl::StatusCode::kCancelled);
}

TEST(LimitTest, OffsetAndLimit) {
  const std::vector<uint32_t> order = {7, 3, 5, 1};
  EXPECT_EQ(std::vector<uint32_t>(LimitRows(order, 1, 2).begin(), LimitRows(order, 1, 2).end()),
            (std::vector<uint32_t>{3, 5}));
  EXPECT_EQ(LimitRows(order, 0, std::nullopt).size(), 4u);
  EXPECT_EQ(LimitRows(order, 3, 10).size(), 1u);
  EXPECT_TRUE(LimitRows(order, 9, 1).empty());
  EXPECT_TRUE(LimitRows(order, 0, 0).empty());
}

}  // namespace
}  // namespace mua
