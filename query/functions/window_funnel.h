// windowFunnel(window[, mode...])(timestamp, cond1, ..., condN) with current
// ClickHouse semantics (spec/clickhouse.md §2): the longest prefix of the
// condition chain reached inside `window` (inclusive, measured from the step-1
// event) over the group's rows, sorted by (timestamp, condition index).
// Pure kernels: a mergeable per-group state for unsorted input and an
// allocation-free pass for rows already ordered by time. Not thread-safe;
// one state per group and thread.
//
//   MUA_ASSIGN_OR_RETURN(WindowFunnelOptions options,
//                        WindowFunnelOptions::Create(86400, {"strict_order"}, 3));
//   WindowFunnelState state;
//   state.Add(ts, /*cond_mask=*/0b001, options);  // bit k-1 = condition k
//   uint8_t level = state.Result(options);
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace mua::query_internal {

inline constexpr int kMaxFunnelConditions = 32;

// Mode flags; ClickHouse lets them combine, except allow_reentry needs strict_order.
enum class FunnelMode : uint32_t {
  kNone = 0,
  kStrictDeduplication = 1u << 0,  // a repeat of an already reached step ends the scan
  kStrictOrder = 1u << 1,          // another event (or a skipped step) ends the scan
  kStrictIncrease = 1u << 2,       // step k needs a timestamp > step k-1's
  kStrictOnce = 1u << 3,           // one row fills at most one step of a chain
  kAllowReentry = 1u << 4,         // with strict_order: skip out-of-order steps instead
};

// Validated parameters of one windowFunnel call (bind time).
struct WindowFunnelOptions {
  uint64_t window = 0;  // in the timestamp's unit (seconds for DateTime, days for Date)
  uint32_t modes = 0;   // FunnelMode bits
  int num_conditions = 1;

  bool Has(FunnelMode mode) const { return (modes & static_cast<uint32_t>(mode)) != 0; }

  // Parses ClickHouse's parameter list. Errors (InvalidArgument, ClickHouse's texts):
  // negative window, unknown mode, the removed 'strict', allow_reentry without
  // strict_order, num_conditions outside 1..32.
  static absl::StatusOr<WindowFunnelOptions> Create(int64_t window,
                                                    absl::Span<const absl::string_view> modes,
                                                    int num_conditions);
};

// One (timestamp, condition) of a row; `row` is the row's insertion order
// (strict_once tells rows apart by it), `cond` 1..N, or 0 for a row matching
// nothing (kept in strict_order only).
struct FunnelEntry {
  int64_t timestamp;
  uint32_t row;
  uint8_t cond;
};

// Bits 0..num_conditions-1.
inline uint32_t ValidMask(int num_conditions) {
  return num_conditions >= 32 ? ~uint32_t{0} : (uint32_t{1} << num_conditions) - 1;
}

// Calls push(entry) for each entry of one row: one per true condition (bit k-1
// of `cond_mask` is condition k; bits >= N are ignored), or one of condition 0
// for a row matching nothing in strict_order (none otherwise).
template <typename Push>
void ForEachFunnelEntry(int64_t timestamp, uint32_t row, uint32_t cond_mask, const WindowFunnelOptions& options,
                        Push push) {
  uint32_t mask = cond_mask & ValidMask(options.num_conditions);
  if (mask == 0) {
    if (options.Has(FunnelMode::kStrictOrder)) push(FunnelEntry{timestamp, row, 0});
    return;
  }
  while (mask != 0) {
    const int bit = __builtin_ctz(mask);
    mask &= mask - 1;
    push(FunnelEntry{timestamp, row, static_cast<uint8_t>(bit + 1)});
  }
}

// The funnel level 0..N of one group's entries (any order; sorted in place).
uint8_t WindowFunnelOfEntries(absl::Span<FunnelEntry> entries, bool sorted, const WindowFunnelOptions& options);

// Per-group state: one (timestamp, condition) entry per true condition of a
// row; rows with no true condition are kept (as condition 0) only in
// strict_order, where they end a chain. Merge() combines partial states.
class WindowFunnelState {
 public:
  WindowFunnelState() = default;
  WindowFunnelState(const WindowFunnelState&) = default;
  WindowFunnelState& operator=(const WindowFunnelState&) = default;
  WindowFunnelState(WindowFunnelState&&) = default;
  WindowFunnelState& operator=(WindowFunnelState&&) = default;

  // Adds one row; bit k-1 of `cond_mask` is condition k (bits >= N are ignored).
  void Add(int64_t timestamp, uint32_t cond_mask, const WindowFunnelOptions& options);
  // Appends `other`'s rows after this state's rows.
  void Merge(const WindowFunnelState& other);
  // The funnel level 0..N. Sorts the entries in place (hence non-const).
  uint8_t Result(const WindowFunnelOptions& options);

  size_t entry_count() const { return entries_.size(); }
  void Clear();

 private:
  using Entry = FunnelEntry;
  std::vector<Entry> entries_;
  uint32_t next_row_ = 0;
  bool sorted_ = true;
};

// The same result for one group whose rows are sorted by timestamp (ties in any
// order): no allocation except with strict_once. REQUIRES: ts.size() ==
// cond_masks.size(), ts non-decreasing.
uint8_t WindowFunnelSorted(absl::Span<const int64_t> ts, absl::Span<const uint32_t> cond_masks,
                           const WindowFunnelOptions& options);

}  // namespace mua::query_internal
