// Golden tests for quantileExact and quantile (interpolated) on small inputs.
#include "query/functions/quantile.h"

#include <cmath>
#include <vector>

#include "gtest/gtest.h"
#include "tests/testutil/status_matchers.h"

namespace mua::query_internal {
namespace {

using ::mua::test::StatusIs;

std::vector<int64_t> Numbers(int n) {  // ClickHouse's numbers(n), shuffled
  std::vector<int64_t> v;
  for (int i = 0; i < n; ++i) v.push_back((i * 7) % n);
  return v;
}

TEST(QuantileTest, ExactUsesIndexNTimesLevel) {
  std::vector<int64_t> v = Numbers(10);
  EXPECT_EQ(QuantileExact<int64_t>(absl::MakeSpan(v), 0.5), 5);  // the ClickHouse doc example
  EXPECT_EQ(QuantileExact<int64_t>(absl::MakeSpan(v), 0.0), 0);
  EXPECT_EQ(QuantileExact<int64_t>(absl::MakeSpan(v), 0.1), 1);
  EXPECT_EQ(QuantileExact<int64_t>(absl::MakeSpan(v), 0.99), 9);
  EXPECT_EQ(QuantileExact<int64_t>(absl::MakeSpan(v), 1.0), 9);
  std::vector<double> even = {4, 1, 3, 2};
  EXPECT_EQ(QuantileExact<double>(absl::MakeSpan(even), 0.5), 3);  // upper median
  std::vector<int64_t> one = {42};
  EXPECT_EQ(QuantileExact<int64_t>(absl::MakeSpan(one), 0.9), 42);
  std::vector<int64_t> none;
  EXPECT_EQ(QuantileExact<int64_t>(absl::MakeSpan(none), 0.5), 0);
  std::vector<double> no_doubles;
  EXPECT_TRUE(std::isnan(QuantileExact<double>(absl::MakeSpan(no_doubles), 0.5)));
}

TEST(QuantileTest, InterpolatedMatchesReservoirSamplerBelow8192) {
  std::vector<int64_t> v = Numbers(10);
  EXPECT_DOUBLE_EQ(QuantileInterpolated<int64_t>(absl::MakeSpan(v), 0.5), 4.5);  // median
  EXPECT_DOUBLE_EQ(QuantileInterpolated<int64_t>(absl::MakeSpan(v), 0.9), 8.1);
  EXPECT_DOUBLE_EQ(QuantileInterpolated<int64_t>(absl::MakeSpan(v), 1.0), 9);
  EXPECT_DOUBLE_EQ(QuantileInterpolated<int64_t>(absl::MakeSpan(v), 0.0), 0);
  std::vector<double> four = {4, 1, 3, 2};
  EXPECT_DOUBLE_EQ(QuantileInterpolated<double>(absl::MakeSpan(four), 0.25), 1.75);
  EXPECT_DOUBLE_EQ(QuantileInterpolated<double>(absl::MakeSpan(four), 0.5), 2.5);
  std::vector<double> one = {7.5};
  EXPECT_DOUBLE_EQ(QuantileInterpolated<double>(absl::MakeSpan(one), 0.3), 7.5);
  std::vector<double> none;
  EXPECT_TRUE(std::isnan(QuantileInterpolated<double>(absl::MakeSpan(none), 0.5)));
}

TEST(QuantileTest, LevelValidation) {
  EXPECT_TRUE(ValidateQuantileLevel(0).ok());
  EXPECT_TRUE(ValidateQuantileLevel(1).ok());
  EXPECT_THAT(ValidateQuantileLevel(1.5), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidateQuantileLevel(-0.1), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidateQuantileLevel(std::nan("")), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace mua::query_internal
