// The derived numbers of the analytics functions, shared by the functions and by a
// cluster's merge of their rows (rows_merge.cc): computed one way in both places.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "absl/types/span.h"
#include "query/functions/quantile.h"

namespace mua::query_internal {

// part / whole; 0 when whole is 0 (active_users' dau_mau).
inline double Ratio(uint64_t part, uint64_t whole) {
  return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}

// 100 * part / whole; 0 when whole is 0.
inline double Percent(uint64_t part, uint64_t whole) {
  return whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

// funnel's median over the converted users' seconds from step k - 1 (reordered); NaN for
// the first step and when no one converted.
inline double MedianSecondsToConvert(int k, std::vector<double>* seconds) {
  if (k == 0 || seconds->empty()) return std::numeric_limits<double>::quiet_NaN();
  return QuantileInterpolated(absl::MakeSpan(*seconds), 0.5);
}

}  // namespace mua::query_internal
