// The derived numbers of the analytics functions, shared by the functions and by a
// cluster's merge of their rows (rows_merge.cc): computed one way in both places.
#pragma once

#include <cstdint>

namespace mua::query_internal {

// part / whole; 0 when whole is 0 (active_users' dau_mau).
inline double Ratio(uint64_t part, uint64_t whole) {
  return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}

// 100 * part / whole; 0 when whole is 0.
inline double Percent(uint64_t part, uint64_t whole) {
  return whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

}  // namespace mua::query_internal
