// retention(cond1, ..., condN) with current ClickHouse semantics
// (spec/clickhouse.md §1): the state is the OR over the group's rows of a
// bitmask (bit k-1 = condk was true on some row; a row sets every true
// condition); result[0] = any(cond1), result[k] = any(cond1) && any(condk+1).
// No time relation between rows. Trivially copyable; merge = OR.
//
//   MUA_RETURN_IF_ERROR(ValidateRetentionArity(3));
//   RetentionState state;
//   state.Add(0b101);                        // a row where cond1 and cond3 hold
//   uint8_t out[3];
//   state.Result(3, out);                    // {1, 0, 1}
#pragma once

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"

namespace mua::query_internal {

inline constexpr int kMaxRetentionConditions = 32;

// InvalidArgument with ClickHouse's NUMBER_OF_ARGUMENTS_DOESNT_MATCH text unless
// 2 <= num_conditions <= 32.
absl::Status ValidateRetentionArity(size_t num_conditions);

struct RetentionState {
  uint32_t conditions = 0;  // bit k-1: condition k held on at least one row

  void Add(uint32_t row_mask) { conditions |= row_mask; }
  void Merge(const RetentionState& other) { conditions |= other.conditions; }

  // Writes the Array(UInt8) result. REQUIRES: out has num_conditions slots.
  void Result(int num_conditions, uint8_t* out) const {
    const uint8_t first = conditions & 1u;
    out[0] = first;
    for (int k = 1; k < num_conditions; ++k) {
      out[k] = static_cast<uint8_t>(first & ((conditions >> k) & 1u));
    }
  }
};

}  // namespace mua::query_internal
