// KILL QUERY and max_execution_time inside one row's array (query/interrupt.h):
// range() and the higher-order kernels find their statement's context through the
// InterruptScope of the thread's memory tracker and stop inside the array; a lambda
// body over more elements than a slice runs slice by slice with the same result.
#include <atomic>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "query/expression.h"
#include "query/interrupt.h"
#include "query/scalar_functions.h"
#include "storage/base/memory_tracker.h"
#include "storage/base/status_macros.h"
#include "tests/query/scalar_call.h"
#include "tests/testutil/status_matchers.h"

namespace mua::test {
namespace {

const DataType kInt64 = DataType::Of(TypeId::kInt64);

BoundExprPtr Param(int column, DataType type) { return MakeColumn(column, type, "x"); }

BoundExprPtr Fn(const std::string& name, std::vector<BoundExprPtr> args) {
  std::vector<ScalarArg> scalar_args;
  for (const BoundExprPtr& arg : args) {
    scalar_args.push_back({arg->type, arg->is_constant() ? &arg->constant : nullptr});
  }
  absl::StatusOr<ScalarBinding> binding = BindScalarFunction(name, scalar_args);
  EXPECT_TRUE(binding.ok()) << binding.status();
  return MakeCall(name, binding->kernel, binding->type, std::move(args), name);
}

// One row holding [0, n).
Vector Range(int64_t n) {
  Vector v;
  v.type = DataType::Array(TypeId::kInt64);
  v.size = 1;
  v.offsets = {0, static_cast<uint32_t>(n)};
  v.ints.resize(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v.ints[static_cast<size_t>(i)] = i;
  return v;
}

// Strings of results live here, for the test's length.
StringPool* TestPool() {
  static StringPool* pool = new StringPool;
  return pool;
}

// name(x -> body, array) over one row, the body reading the element (column 0) and a
// captured value (column 1).
absl::StatusOr<Vector> Map(const std::string& name, BoundExprPtr body, Vector array, Vector capture) {
  absl::StatusOr<ScalarBinding> binding =
      BindHigherOrderFunction(name, body, 1, {array.type}, {capture.type});
  if (!binding.ok()) return binding.status();
  Batch batch;
  batch.rows = 1;
  batch.pool = TestPool();
  const DataType array_type = array.type, capture_type = capture.type;
  batch.columns.push_back(std::move(array));
  batch.columns.push_back(std::move(capture));
  BoundExprPtr call = MakeCall(name, binding->kernel, binding->type,
                               {MakeColumn(0, array_type, "a"), MakeColumn(1, capture_type, "c")}, name);
  Vector out;
  MUA_RETURN_IF_ERROR(Evaluate(*call, batch, &out));
  return out;
}

Vector OneInt(int64_t value) {
  Vector v;
  v.type = kInt64;
  v.size = 1;
  v.ints = {value};
  return v;
}

TEST(KernelInterruptTest, RangeStopsInsideOneRowWhenKilled) {
  std::atomic<bool> cancelled{true};
  ExecutionContext context;
  context.cancelled = &cancelled;
  const InterruptScope scope(&context);
  EXPECT_THAT(CallFunction("range", {UInt(50'000'000)}), StatusIs(absl::StatusCode::kCancelled));
  cancelled = false;
  ASSERT_OK_AND_ASSIGN(CallResult small, CallFunction("range", {UInt(5)}));
  EXPECT_EQ(small.value.offsets.back(), 5u);
}

TEST(KernelInterruptTest, RangeStopsAtTheDeadline) {
  ExecutionContext context;
  context.deadline = absl::Now() - absl::Seconds(1);
  const InterruptScope scope(&context);
  EXPECT_THAT(CallFunction("range", {UInt(50'000'000)}), StatusIs(absl::StatusCode::kDeadlineExceeded));
}

TEST(KernelInterruptTest, ScopesAreKeyedByTheThreadsTracker) {
  std::atomic<bool> cancelled{true};
  ExecutionContext killed;
  killed.cancelled = &cancelled;
  MemoryTracker other(0, nullptr, "for query");
  {
    const InterruptScope scope(&killed);  // registered for no tracker
    MemoryTrackerScope tracked(&other);   // another statement's thread
    EXPECT_OK(CheckStatementInterrupted());
  }
  EXPECT_OK(CheckStatementInterrupted());  // the scope is gone
}

TEST(KernelInterruptTest, RangeAsksForItsMemoryFirst) {
  MemoryTracker tracker(64 << 20, nullptr, "for query");
  absl::StatusOr<CallResult> result;
  {
    MemoryTrackerScope scope(&tracker);
    result = CallFunction("range", {UInt(50'000'000)});  // 400 MB
  }
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kResourceExhausted));
}

TEST(KernelInterruptTest, LambdaOverAHugeArrayStopsWhenKilled) {
  std::atomic<bool> cancelled{true};
  ExecutionContext context;
  context.cancelled = &cancelled;
  const InterruptScope scope(&context);
  EXPECT_THAT(Map("arrayMap", Fn("plus", {Param(0, kInt64), Param(1, kInt64)}), Range(3'000'000), OneInt(1)),
              StatusIs(absl::StatusCode::kCancelled));
}

TEST(KernelInterruptTest, LambdaBodyInSlicesGivesTheSameValues) {
  // 2^20 elements per slice: 3 M elements make three slices, the last one partial.
  const int64_t n = 3'000'001;
  ASSERT_OK_AND_ASSIGN(Vector mapped,
                       Map("arrayMap", Fn("plus", {Param(0, kInt64), Param(1, kInt64)}), Range(n), OneInt(7)));
  ASSERT_EQ(mapped.offsets.back(), static_cast<uint32_t>(n));
  bool all = true;
  for (int64_t i = 0; i < n; ++i) all = all && mapped.ints[static_cast<size_t>(i)] == i + 7;
  EXPECT_TRUE(all);
  // A string body: its values live in the batch's pool, across slices.
  ASSERT_OK_AND_ASSIGN(Vector text, Map("arrayMap", Fn("toString", {Param(0, kInt64)}), Range(n), OneInt(0)));
  ASSERT_EQ(text.offsets.back(), static_cast<uint32_t>(n));
  EXPECT_EQ(text.strings[0], "0");
  EXPECT_EQ(text.strings[1'048'576], "1048576");
  EXPECT_EQ(text.strings[static_cast<size_t>(n - 1)], std::to_string(n - 1));
  // A constant body, and a filter over the sliced conditions.
  ASSERT_OK_AND_ASSIGN(Vector ones, Map("arrayMap", MakeConstant(Vector::ConstantInt(kInt64, 1, 1), "1"), Range(n),
                                        OneInt(0)));
  ASSERT_EQ(ones.offsets.back(), static_cast<uint32_t>(n));
  EXPECT_EQ(ones.ints[static_cast<size_t>(n - 1)], 1);
  ASSERT_OK_AND_ASSIGN(Vector count,
                       Map("arrayCount", Fn("less", {Param(0, kInt64), Param(1, kInt64)}), Range(n), OneInt(2'000'000)));
  EXPECT_EQ(count.int_at(0), 2'000'000);
}

}  // namespace
}  // namespace mua::test
