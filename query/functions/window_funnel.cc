#include "query/functions/window_funnel.h"

#include <algorithm>
#include <array>
#include <string>
#include <tuple>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace mua::query_internal {
namespace {

constexpr uint32_t Bit(FunnelMode mode) { return static_cast<uint32_t>(mode); }

// ts - first <= window without signed overflow. REQUIRES ts >= first (sorted input).
bool WithinWindow(int64_t first, int64_t ts, uint64_t window) {
  return static_cast<uint64_t>(ts) - static_cast<uint64_t>(first) <= window;
}

// The greedy scan of ClickHouse's getEventLevelNonStrictOnce, fed one sorted
// entry at a time: per step, the chain start and last timestamp of the latest
// chain that reached it. Steps are reached in order, so there are no holes and
// the level is the number of reached steps.
class GreedyScanner {
 public:
  explicit GreedyScanner(const WindowFunnelOptions& options)
      : window_(options.window),
        n_(options.num_conditions),
        dedup_(options.Has(FunnelMode::kStrictDeduplication)),
        strict_order_(options.Has(FunnelMode::kStrictOrder)),
        strict_increase_(options.Has(FunnelMode::kStrictIncrease)),
        allow_reentry_(options.Has(FunnelMode::kAllowReentry)) {}

  // Consumes one entry; returns true once the result is final.
  bool Feed(int64_t ts, int cond, uint32_t /*row*/) {
    if (cond == 0) return first_event_;  // strict_order: an unrelated row ends the chain
    const int idx = cond - 1;
    if (idx == 0) {
      first_[0] = ts;
      last_[0] = ts;
      first_event_ = true;
      level_ = std::max(level_, 1);
      return false;
    }
    if (dedup_ && idx < level_) return true;
    if (strict_order_ && first_event_ && idx - 1 >= level_) return !allow_reentry_;
    if (idx - 1 < level_) {
      const int64_t first = first_[idx - 1];
      bool matched = WithinWindow(first, ts, window_);
      if (strict_increase_) matched = matched && last_[idx - 1] < ts;
      if (matched) {
        first_[idx] = first;
        last_[idx] = ts;
        level_ = std::max(level_, idx + 1);
        return level_ == n_;
      }
    }
    return false;
  }

  uint8_t result() const { return static_cast<uint8_t>(level_); }

 private:
  const uint64_t window_;
  const int n_;
  const bool dedup_, strict_order_, strict_increase_, allow_reentry_;
  bool first_event_ = false;
  int level_ = 0;
  std::array<int64_t, kMaxFunnelConditions> first_{};
  std::array<int64_t, kMaxFunnelConditions> last_{};
};

// ClickHouse's getEventLevelStrictOnce: keeps every candidate chain per step
// with the rows it used, so one row never fills two steps of a chain. Chains
// that fell out of the window are dropped, but each step keeps at least one.
class StrictOnceScanner {
 public:
  explicit StrictOnceScanner(const WindowFunnelOptions& options)
      : window_(options.window),
        n_(options.num_conditions),
        dedup_(options.Has(FunnelMode::kStrictDeduplication)),
        strict_order_(options.Has(FunnelMode::kStrictOrder)),
        strict_increase_(options.Has(FunnelMode::kStrictIncrease)),
        allow_reentry_(options.Has(FunnelMode::kAllowReentry)),
        chains_(options.num_conditions) {}

  bool Feed(int64_t ts, int cond, uint32_t row) {
    if (cond == 0) return has_first_;
    const int idx = cond - 1;
    if (idx == 0) {
      Chain& chain = chains_[0].emplace_back();
      chain.first = ts;
      chain.last = ts;
      chain.rows[0] = row;
      has_first_ = true;
      level_ = std::max(level_, 1);
      return false;
    }
    if (dedup_ && idx < level_) return IsDuplicate(idx, row);
    if (strict_order_ && has_first_ && idx - 1 >= level_) return !allow_reentry_;
    if (idx - 1 < level_) return Extend(idx, ts, row);
    return false;
  }

  uint8_t result() const { return static_cast<uint8_t>(level_); }

 private:
  struct Chain {
    int64_t first = 0;
    int64_t last = 0;
    std::array<uint32_t, kMaxFunnelConditions> rows{};
  };

  static bool Uses(const Chain& chain, int steps, uint32_t row) {
    return std::find(chain.rows.begin(), chain.rows.begin() + steps, row) !=
           chain.rows.begin() + steps;
  }

  // A repeat only counts when some chain at this step did not use this row.
  bool IsDuplicate(int idx, uint32_t row) const {
    for (const Chain& chain : chains_[idx]) {
      if (!Uses(chain, idx + 1, row)) return true;
    }
    return false;
  }

  bool Extend(int idx, int64_t ts, uint32_t row) {
    std::vector<Chain>& prev = chains_[idx - 1];
    for (size_t i = 0; i < prev.size();) {
      bool matched = WithinWindow(prev[i].first, ts, window_);
      if (!matched && prev.size() > 1) {
        prev.erase(prev.begin() + static_cast<std::ptrdiff_t>(i));
        continue;
      }
      matched = matched && !Uses(prev[i], idx, row);
      if (matched && strict_increase_) matched = prev[i].last < ts;
      if (matched) {
        Chain next = prev[i];
        next.rows[idx] = row;
        next.last = ts;
        chains_[idx].push_back(next);
        level_ = std::max(level_, idx + 1);
        if (level_ == n_) return true;
      }
      ++i;
    }
    return false;
  }

  const uint64_t window_;
  const int n_;
  const bool dedup_, strict_order_, strict_increase_, allow_reentry_;
  bool has_first_ = false;
  int level_ = 0;
  std::vector<std::vector<Chain>> chains_;
};

// Feeds rows sorted by timestamp in (timestamp, condition, row) order: within
// a run of equal timestamps, condition by condition.
template <typename Scanner>
uint8_t ScanSorted(absl::Span<const int64_t> ts, absl::Span<const uint32_t> cond_masks,
                   const WindowFunnelOptions& options, Scanner& scanner) {
  const uint32_t valid = ValidMask(options.num_conditions);
  const bool keep_unmatched = options.Has(FunnelMode::kStrictOrder);
  const size_t size = ts.size();
  size_t begin = 0;
  while (begin < size) {
    const int64_t t = ts[begin];
    size_t end = begin + 1;
    while (end < size && ts[end] == t) ++end;
    uint32_t any_mask = 0;
    bool any_unmatched = false;
    for (size_t r = begin; r < end; ++r) {
      const uint32_t mask = cond_masks[r] & valid;
      any_mask |= mask;
      any_unmatched |= mask == 0;
    }
    if (keep_unmatched && any_unmatched) {
      for (size_t r = begin; r < end; ++r) {
        if ((cond_masks[r] & valid) == 0 && scanner.Feed(t, 0, static_cast<uint32_t>(r))) {
          return scanner.result();
        }
      }
    }
    while (any_mask != 0) {
      const int bit = __builtin_ctz(any_mask);
      any_mask &= any_mask - 1;
      for (size_t r = begin; r < end; ++r) {
        if (((cond_masks[r] >> bit) & 1) != 0 &&
            scanner.Feed(t, bit + 1, static_cast<uint32_t>(r))) {
          return scanner.result();
        }
      }
    }
    begin = end;
  }
  return scanner.result();
}

}  // namespace

absl::StatusOr<WindowFunnelOptions> WindowFunnelOptions::Create(
    int64_t window, absl::Span<const absl::string_view> modes, int num_conditions) {
  if (num_conditions < 1) {
    return absl::InvalidArgumentError(
        "Aggregate function windowFunnel requires one timestamp argument and at least one "
        "event condition.");
  }
  if (num_conditions > kMaxFunnelConditions) {
    return absl::InvalidArgumentError(
        "Too many event arguments for aggregate function windowFunnel");
  }
  if (window < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("Aggregate function windowFunnel: the window must be a non-negative "
                     "integer, got ",
                     window));
  }
  WindowFunnelOptions options;
  options.window = static_cast<uint64_t>(window);
  options.num_conditions = num_conditions;
  for (absl::string_view mode : modes) {
    if (mode == "strict_deduplication") {
      options.modes |= Bit(FunnelMode::kStrictDeduplication);
    } else if (mode == "strict_order") {
      options.modes |= Bit(FunnelMode::kStrictOrder);
    } else if (mode == "strict_increase") {
      options.modes |= Bit(FunnelMode::kStrictIncrease);
    } else if (mode == "strict_once") {
      options.modes |= Bit(FunnelMode::kStrictOnce);
    } else if (mode == "allow_reentry") {
      options.modes |= Bit(FunnelMode::kAllowReentry);
    } else if (mode == "strict") {
      return absl::InvalidArgumentError(
          "strict is replaced with strict_deduplication in Aggregate function windowFunnel");
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("Aggregate function windowFunnel doesn't support a parameter: ", mode));
    }
  }
  if (options.Has(FunnelMode::kAllowReentry) && !options.Has(FunnelMode::kStrictOrder)) {
    return absl::InvalidArgumentError(
        "allow_reentry option requires strict_order to be enabled in Aggregate function "
        "windowFunnel");
  }
  return options;
}

void WindowFunnelState::Add(int64_t timestamp, uint32_t cond_mask,
                            const WindowFunnelOptions& options) {
  ForEachFunnelEntry(timestamp, next_row_++, cond_mask, options, [&](const Entry& entry) {
    if (sorted_ && !entries_.empty()) {
      const Entry& back = entries_.back();
      sorted_ = std::tie(back.timestamp, back.cond) <= std::tie(entry.timestamp, entry.cond);
    }
    entries_.push_back(entry);
  });
}

void WindowFunnelState::Merge(const WindowFunnelState& other) {
  if (other.entries_.empty()) {
    next_row_ += other.next_row_;
    return;
  }
  const size_t old_size = entries_.size();
  entries_.reserve(old_size + other.entries_.size());
  for (Entry entry : other.entries_) {
    entry.row += next_row_;
    entries_.push_back(entry);
  }
  next_row_ += other.next_row_;
  const auto less = [](const Entry& a, const Entry& b) {
    return std::tie(a.timestamp, a.cond, a.row) < std::tie(b.timestamp, b.cond, b.row);
  };
  if (sorted_ && other.sorted_) {
    std::inplace_merge(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(old_size),
                       entries_.end(), less);
  } else {
    sorted_ = false;
  }
}

uint8_t WindowFunnelOfEntries(absl::Span<FunnelEntry> entries, bool sorted, const WindowFunnelOptions& options) {
  if (entries.empty()) return 0;
  const auto less = [](const FunnelEntry& a, const FunnelEntry& b) {
    return std::tie(a.timestamp, a.cond, a.row) < std::tie(b.timestamp, b.cond, b.row);
  };
  if (!sorted && !std::is_sorted(entries.begin(), entries.end(), less)) {
    std::sort(entries.begin(), entries.end(), less);
  }
  auto scan = [&](auto& scanner) {
    for (const FunnelEntry& entry : entries) {
      if (scanner.Feed(entry.timestamp, entry.cond, entry.row)) break;
    }
    return scanner.result();
  };
  if (options.Has(FunnelMode::kStrictOnce)) {
    StrictOnceScanner scanner(options);
    return scan(scanner);
  }
  GreedyScanner scanner(options);
  return scan(scanner);
}

uint8_t WindowFunnelState::Result(const WindowFunnelOptions& options) {
  const uint8_t level = WindowFunnelOfEntries(absl::MakeSpan(entries_), sorted_, options);
  sorted_ = true;
  return level;
}

void WindowFunnelState::Clear() {
  entries_.clear();
  next_row_ = 0;
  sorted_ = true;
}

uint8_t WindowFunnelSorted(absl::Span<const int64_t> ts, absl::Span<const uint32_t> cond_masks,
                           const WindowFunnelOptions& options) {
  if (options.Has(FunnelMode::kStrictOnce)) {
    StrictOnceScanner scanner(options);
    return ScanSorted(ts, cond_masks, options, scanner);
  }
  GreedyScanner scanner(options);
  return ScanSorted(ts, cond_masks, options, scanner);
}

}  // namespace mua::query_internal
