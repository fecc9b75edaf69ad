#include "query/analytics/funnel.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <tuple>

#include "query/analytics/metrics.h"
#include "query/analytics/event_scan.h"
#include "query/functions/quantile.h"
#include "query/functions/time_functions.h"
#include "storage/base/parallel_for.h"
#include "storage/base/time_util.h"
#include "storage/string_dictionary.h"

namespace mua {
namespace {

// One event of a candidate user: its time, which steps it matches (bit k-1 =
// step k), whether it is excluded, and the breakdown value's code.
struct UserEvent {
  int64_t time_ms;
  uint32_t steps;
  bool excluded;
  uint32_t breakdown;
};

// A chain of steps, without an allocation per chain (a user may open thousands).
struct Conversion {
  int level = 0;                                 // steps reached
  std::array<int64_t, kMaxFunnelSteps> step_ms;  // time of each reached step: [0, level)
  uint32_t breakdown = 0;
};

// The best chain of one user's events (sorted by time).
Conversion Evaluate(absl::Span<const UserEvent> events, const FunnelOptions& options) {
  const int n = static_cast<int>(options.steps.size());
  const int64_t window_ms = options.window_seconds * 1000;
  Conversion best;
  for (size_t start = 0; start < events.size(); ++start) {
    const bool anchor = options.order == FunnelOptions::Order::kUnordered ? events[start].steps != 0
                                                                            : (events[start].steps & 1u) != 0;
    if (!anchor) continue;
    Conversion chain;
    chain.breakdown = events[start].breakdown;
    const int64_t deadline = events[start].time_ms + window_ms;
    if (options.order == FunnelOptions::Order::kUnordered) {
      // Distinct steps done within the window, in the order they happened.
      uint32_t done = 0;
      for (size_t i = start; i < events.size() && events[i].time_ms <= deadline; ++i) {
        // One event completes one step: the first not yet done that it matches
        // (so a step listed twice needs two events).
        const uint32_t fresh = events[i].steps & ~done;
        if (fresh == 0) continue;
        done |= fresh & (~fresh + 1);
        chain.step_ms[chain.level++] = events[i].time_ms;
      }
    } else {
      chain.level = 1;
      chain.step_ms[0] = events[start].time_ms;
      for (size_t i = start + 1; i < events.size() && chain.level < n; ++i) {
        if (events[i].time_ms > deadline) break;
        const bool next = (events[i].steps >> chain.level) & 1u;
        if (next) {
          chain.step_ms[chain.level++] = events[i].time_ms;
        } else if (options.order == FunnelOptions::Order::kStrict) {
          break;  // another event between consecutive steps
        }
      }
    }
    // An excluded event between step 1 and the last step reached drops the chain.
    if (chain.level > 1) {
      const int64_t last = chain.step_ms[chain.level - 1];
      bool excluded = false;
      for (size_t i = start; i < events.size() && events[i].time_ms <= last; ++i) {
        if (events[i].excluded && events[i].time_ms >= events[start].time_ms) excluded = true;
      }
      if (excluded) continue;
    }
    if (chain.level > best.level) best = chain;
    if (best.level == n) break;
  }
  return best;
}

}  // namespace

absl::StatusOr<ResultSet> Funnel(const TableSnapshot& snapshot, const AnalyticsScope& scope,
                                 const FunnelOptions& options, bool with_samples) {
  const int n = static_cast<int>(options.steps.size());
  const StringDictionary& types = snapshot.dictionary(ColumnId::kEventType);
  // Step and exclusion masks per event_type code, indexed by the code (a row's lookup is
  // one load; codes past the table, added after these were built, match nothing).
  std::vector<uint32_t> step_mask(types.size(), 0);
  std::vector<uint8_t> excluded(types.size(), 0);
  for (int k = 0; k < n; ++k) {
    if (std::optional<uint32_t> code = types.Find(options.steps[k])) step_mask[*code] |= 1u << k;
  }
  for (const std::string& type : options.exclude) {
    if (std::optional<uint32_t> code = types.Find(type)) excluded[*code] = 1;
  }
  int64_t from_ms, to_ms;
  query_internal::ScopeMillis(scope, &from_ms, &to_ms);

  // Candidates: users with a step-1 event in range (any step for unordered), from the day
  // bitmaps, then as one bit per user code for the rows' tests.
  const bool prune = scope.utc && scope.where == nullptr;
  std::vector<uint64_t> candidates;
  if (prune) {
    UserBitmap bitmap;
    const auto [first, last] = snapshot.PartitionRange(scope.from_day, scope.to_day - 1);
    for (size_t p = first; p < last; ++p) {
      for (uint32_t code = 0; code < step_mask.size(); ++code) {
        const uint32_t mask = step_mask[code];
        const bool opens = options.order == FunnelOptions::Order::kUnordered ? mask != 0 : (mask & 1u) != 0;
        if (opens) bitmap |= snapshot.users_with_event_type(p, code);
      }
    }
    candidates.assign((uint64_t{snapshot.user_index().size()} + 63) / 64, 0);
    for (uint32_t user : bitmap) {
      if (user / 64 < candidates.size()) candidates[user / 64] |= uint64_t{1} << (user % 64);
    }
  }

  query_internal::EventScan scan(scope);
  const int time_column = scan.Column(ColumnId::kEventTime);
  const int user_column = scan.Column(ColumnId::kUserId);
  const int type_column = scan.Column(ColumnId::kEventType);
  const int breakdown_column = scope.breakdown ? scan.Column(*scope.breakdown) : -1;
  const bool strict = options.order == FunnelOptions::Order::kStrict;
  // Per-user chains, split by user ranges over the cores: each range gathers its users'
  // events in one list, then groups them by user (a stable counting sort: each user's
  // events stay in arrival order, already in time order for sealed segments) and
  // evaluates them into its own tallies.
  struct Tally {
    std::vector<uint64_t> users;
    std::vector<std::vector<double>> seconds;  // per step k >= 2: time from step k-1
  };
  struct Range {
    uint32_t first_user = 0, end_user = 0;
    std::vector<uint32_t> event_users;  // per event: its user
    std::vector<UserEvent> events;
    std::map<uint32_t, Tally> tallies;
  };
  std::vector<Range> ranges(scan.range_count(snapshot));
  for (size_t r = 0; r < ranges.size(); ++r) {
    std::tie(ranges[r].first_user, ranges[r].end_user) = scan.user_range(snapshot, r);
  }
  absl::Status status = scan.RunByUser(snapshot, from_ms, to_ms - 1,
                                       [&](size_t range, const Batch& batch, absl::Span<const uint32_t> selected) {
    Range& in = ranges[range];
    const Vector& times = batch.columns[time_column];
    const Vector& users = batch.columns[user_column];
    const Vector& event_types = batch.columns[type_column];
    const uint32_t codes = static_cast<uint32_t>(step_mask.size());
    for (uint32_t row : selected) {
      const int64_t time = times.ints[row];
      if (time < from_ms || time >= to_ms) continue;
      const uint32_t user = users.codes[row];
      if (prune && (user / 64 >= candidates.size() || ((candidates[user / 64] >> (user % 64)) & 1) == 0)) continue;
      const uint32_t code = event_types.codes[row];
      const uint32_t steps = code < codes ? step_mask[code] : 0;
      const bool is_excluded = code < codes && excluded[code] != 0;
      // Other events matter only in strict mode (they break a chain).
      if (steps == 0 && !is_excluded && !strict) continue;
      const uint32_t breakdown = breakdown_column >= 0 ? batch.columns[breakdown_column].codes[row] : 0;
      in.event_users.push_back(user - in.first_user);
      in.events.push_back({time, steps, is_excluded, breakdown});
    }
  });
  if (!status.ok()) return status;

  // Per user: sort by (time, step order), evaluate; tally per breakdown value.
  ParallelFor(ranges.size(), static_cast<int>(std::min<size_t>(ranges.size(), 64)), [&](int, size_t r) {
    Range& in = ranges[r];
    std::vector<uint32_t> starts(in.end_user - in.first_user + 1, 0);
    for (uint32_t user : in.event_users) ++starts[user + 1];
    for (size_t u = 1; u < starts.size(); ++u) starts[u] += starts[u - 1];
    std::vector<UserEvent> by_user(in.events.size());
    {
      std::vector<uint32_t> next(starts.begin(), starts.end() - 1);
      for (size_t i = 0; i < in.events.size(); ++i) by_user[next[in.event_users[i]]++] = in.events[i];
    }
    in.event_users = {};
    in.events = {};
    auto before = [](const UserEvent& a, const UserEvent& b) {
      if (a.time_ms != b.time_ms) return a.time_ms < b.time_ms;
      return __builtin_ctz(a.steps | 0x80000000u) < __builtin_ctz(b.steps | 0x80000000u);
    };
    for (size_t u = 0; u + 1 < starts.size(); ++u) {
      if (starts[u] == starts[u + 1]) continue;
      const absl::Span<UserEvent> events(by_user.data() + starts[u], starts[u + 1] - starts[u]);
      if (!std::is_sorted(events.begin(), events.end(), before)) std::stable_sort(events.begin(), events.end(), before);
      const Conversion conversion = Evaluate(events, options);
      if (conversion.level == 0) continue;
      Tally& tally = in.tallies[scope.breakdown ? conversion.breakdown : 0];
      tally.users.resize(n);
      tally.seconds.resize(n);
      for (int k = 0; k < conversion.level; ++k) {
        ++tally.users[k];
        if (k > 0) {
          tally.seconds[k].push_back((conversion.step_ms[k] - conversion.step_ms[k - 1]) / 1000.0);
        }
      }
    }
  });
  std::map<uint32_t, Tally> tallies;
  for (Range& range : ranges) {
    for (auto& [breakdown, part] : range.tallies) {
      Tally& tally = tallies[breakdown];
      tally.users.resize(n);
      tally.seconds.resize(n);
      for (int k = 0; k < n; ++k) {
        tally.users[k] += part.users[k];
        tally.seconds[k].insert(tally.seconds[k].end(), part.seconds[k].begin(), part.seconds[k].end());
      }
    }
  }
  if (tallies.empty() && !scope.breakdown) tallies[0].users.resize(n), tallies[0].seconds.resize(n);

  ResultSet result;
  result.AddColumn("step", DataType::Of(TypeId::kUInt64));
  if (scope.breakdown) result.AddColumn(std::string(ColumnName(*scope.breakdown)), DataType::Of(TypeId::kString));
  result.AddColumn("event", DataType::Of(TypeId::kString));
  result.AddColumn("users", DataType::Of(TypeId::kUInt64));
  result.AddColumn("pct_of_first", DataType::Of(TypeId::kFloat64));
  result.AddColumn("pct_of_previous", DataType::Of(TypeId::kFloat64));
  result.AddColumn("median_seconds_to_convert", DataType::Of(TypeId::kFloat64));
  if (with_samples) result.AddColumn("seconds_to_convert", DataType::Array(TypeId::kFloat64));
  const size_t c = scope.breakdown ? 2 : 1;
  for (auto& [breakdown, tally] : tallies) {
    for (int k = 0; k < n; ++k) {
      const uint64_t users = tally.users[k];
      const uint64_t first = tally.users[0];
      const uint64_t previous = k == 0 ? users : tally.users[k - 1];
      result.columns[0].ints.push_back(k + 1);
      if (scope.breakdown) {
        result.columns[1].strings.emplace_back(snapshot.dictionary(*scope.breakdown).Get(breakdown));
      }
      result.columns[c].strings.push_back(options.steps[k]);
      result.columns[c + 1].ints.push_back(static_cast<int64_t>(users));
      result.columns[c + 2].floats.push_back(query_internal::Percent(users, first));
      result.columns[c + 3].floats.push_back(query_internal::Percent(users, previous));
      if (with_samples) {
        Column& samples = result.columns[c + 5];
        samples.floats.insert(samples.floats.end(), tally.seconds[k].begin(), tally.seconds[k].end());
        samples.array_offsets.push_back(static_cast<uint32_t>(samples.floats.size()));
      }
      result.columns[c + 4].floats.push_back(query_internal::MedianSecondsToConvert(k, &tally.seconds[k]));
      ++result.row_count;
    }
  }
  return result;
}

}  // namespace mua
