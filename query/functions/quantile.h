// quantileExact(level) and quantile(level) (= quantileInterpolated) kernels with
// ClickHouse's index rules, on a caller-owned buffer of a group's values
// (reordered in place by nth_element / sort). ClickHouse's `quantile` samples
// 8192 values into a reservoir and is inexact beyond that; MUA's is exact
// interpolation over all values, equal to ClickHouse whenever n <= 8192.
//
//   std::vector<int64_t> v = {3, 1, 2, 4};
//   int64_t q = QuantileExact<int64_t>(absl::MakeSpan(v), 0.5);    // 3 (index 2)
//   double m = QuantileInterpolated<int64_t>(absl::MakeSpan(v), 0.5);  // 2.5
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/types/span.h"

namespace mua::query_internal {

// InvalidArgument unless 0 <= level <= 1 (ClickHouse's quantile level).
absl::Status ValidateQuantileLevel(double level);

// quantileExact: element n*level (truncated; level 1 -> the maximum) of the
// sorted values. Empty input: NaN for floating types, 0 otherwise. NaN values
// sort as ClickHouse's (after everything) only if the caller removed them.
template <typename T>
T QuantileExact(absl::Span<T> values, double level) {
  if (values.empty()) {
    if constexpr (std::is_floating_point_v<T>) return std::numeric_limits<T>::quiet_NaN();
    return T{};
  }
  const size_t n = level < 1 ? static_cast<size_t>(level * static_cast<double>(values.size()))
                             : values.size() - 1;
  const size_t index = std::min(n, values.size() - 1);
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(index),
                   values.end());
  return values[index];
}

// quantile / median: linear interpolation at index level*(n-1) of the sorted
// values (ReservoirSampler::quantileInterpolated). NaN inputs are skipped by
// ClickHouse; the caller must drop them. Empty input: NaN.
template <typename T>
double QuantileInterpolated(absl::Span<T> values, double level) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(values.begin(), values.end());
  const double last = static_cast<double>(values.size() - 1);
  const double index = std::max(0.0, std::min(last, level * last));
  const size_t left = static_cast<size_t>(index);
  const size_t right = left + 1;
  if (right == values.size()) return static_cast<double>(values[left]);
  const double left_coef = static_cast<double>(right) - index;
  const double right_coef = index - static_cast<double>(left);
  return static_cast<double>(values[left]) * left_coef +
         static_cast<double>(values[right]) * right_coef;
}

}  // namespace mua::query_internal
