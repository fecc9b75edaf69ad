#include "query/analytics/funnel.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "storage/base/hash_containers.h"
#include "absl/container/flat_hash_map.h"
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

struct Conversion {
  int level = 0;                  // steps reached
  std::vector<int64_t> step_ms;   // time of each reached step
  uint32_t breakdown = 0;
};

// The best chain of one user's events (sorted by time).
Conversion Evaluate(const std::vector<UserEvent>& events, const FunnelOptions& options) {
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
        chain.step_ms.push_back(events[i].time_ms);
      }
      chain.level = static_cast<int>(chain.step_ms.size());
    } else {
      chain.level = 1;
      chain.step_ms.push_back(events[start].time_ms);
      for (size_t i = start + 1; i < events.size() && chain.level < n; ++i) {
        if (events[i].time_ms > deadline) break;
        const bool next = (events[i].steps >> chain.level) & 1u;
        if (next) {
          chain.step_ms.push_back(events[i].time_ms);
          ++chain.level;
        } else if (options.order == FunnelOptions::Order::kStrict) {
          break;  // another event between consecutive steps
        }
      }
    }
    // An excluded event between step 1 and the last step reached drops the chain.
    if (chain.level > 1) {
      const int64_t last = chain.step_ms.back();
      bool excluded = false;
      for (size_t i = start; i < events.size() && events[i].time_ms <= last; ++i) {
        if (events[i].excluded && events[i].time_ms >= events[start].time_ms) excluded = true;
      }
      if (excluded) continue;
    }
    if (chain.level > best.level) best = std::move(chain);
    if (best.level == n) break;
  }
  return best;
}

}  // namespace

absl::StatusOr<ResultSet> Funnel(const TableSnapshot& snapshot, const AnalyticsScope& scope,
                                 const FunnelOptions& options, bool with_samples) {
  const int n = static_cast<int>(options.steps.size());
  const StringDictionary& types = snapshot.dictionary(ColumnId::kEventType);
  // Step and exclusion masks per event_type code.
  HashMap<uint32_t, uint32_t> step_mask;
  HashMap<uint32_t, bool> excluded;
  for (int k = 0; k < n; ++k) {
    if (std::optional<uint32_t> code = types.Find(options.steps[k])) step_mask[*code] |= 1u << k;
  }
  for (const std::string& type : options.exclude) {
    if (std::optional<uint32_t> code = types.Find(type)) excluded[*code] = true;
  }
  int64_t from_ms, to_ms;
  query_internal::ScopeMillis(scope, &from_ms, &to_ms);

  // Candidates: users with a step-1 event in range (any step for unordered), from the day bitmaps.
  UserBitmap candidates;
  if (scope.utc && scope.where == nullptr) {
    const auto [first, last] = snapshot.PartitionRange(scope.from_day, scope.to_day - 1);
    for (size_t p = first; p < last; ++p) {
      for (const auto& [code, mask] : step_mask) {
        const bool opens = options.order == FunnelOptions::Order::kUnordered ? mask != 0 : (mask & 1u) != 0;
        if (opens) candidates |= snapshot.users_with_event_type(p, code);
      }
    }
  }
  const bool prune = scope.utc && scope.where == nullptr;

  query_internal::EventScan scan(scope);
  const int time_column = scan.Column(ColumnId::kEventTime);
  const int user_column = scan.Column(ColumnId::kUserId);
  const int type_column = scan.Column(ColumnId::kEventType);
  const int breakdown_column = scope.breakdown ? scan.Column(*scope.breakdown) : -1;
  const bool strict = options.order == FunnelOptions::Order::kStrict;
  // Per-user chains, split by user ranges over the cores: each range gathers its users'
  // events, then evaluates them into its own tallies.
  struct Tally {
    std::vector<uint64_t> users;
    std::vector<std::vector<double>> seconds;  // per step k >= 2: time from step k-1
  };
  struct Range {
    HashMap<uint32_t, std::vector<UserEvent>> by_user;
    std::map<uint32_t, Tally> tallies;
  };
  std::vector<Range> ranges(scan.range_count(snapshot));
  absl::Status status = scan.RunByUser(snapshot, from_ms, to_ms - 1,
                                       [&](size_t range, const Batch& batch, absl::Span<const uint32_t> selected) {
    auto& by_user = ranges[range].by_user;
    const Vector& times = batch.columns[time_column];
    const Vector& users = batch.columns[user_column];
    const Vector& event_types = batch.columns[type_column];
    for (uint32_t row : selected) {
      const int64_t time = times.ints[row];
      if (time < from_ms || time >= to_ms) continue;
      const uint32_t user = users.codes[row];
      if (prune && !candidates.contains(user)) continue;
      const uint32_t code = event_types.codes[row];
      auto mask = step_mask.find(code);
      const uint32_t steps = mask == step_mask.end() ? 0 : mask->second;
      const bool is_excluded = excluded.contains(code);
      // Other events matter only in strict mode (they break a chain).
      if (steps == 0 && !is_excluded && !strict) continue;
      const uint32_t breakdown = breakdown_column >= 0 ? batch.columns[breakdown_column].codes[row] : 0;
      by_user[user].push_back({time, steps, is_excluded, breakdown});
    }
  });
  if (!status.ok()) return status;

  // Per user: sort by (time, step order), evaluate; tally per breakdown value.
  ParallelFor(ranges.size(), static_cast<int>(std::min<size_t>(ranges.size(), 64)), [&](int, size_t r) {
    for (auto& [user, events] : ranges[r].by_user) {
      std::stable_sort(events.begin(), events.end(), [](const UserEvent& a, const UserEvent& b) {
        if (a.time_ms != b.time_ms) return a.time_ms < b.time_ms;
        return __builtin_ctz(a.steps | 0x80000000u) < __builtin_ctz(b.steps | 0x80000000u);
      });
      const Conversion conversion = Evaluate(events, options);
      if (conversion.level == 0) continue;
      Tally& tally = ranges[r].tallies[scope.breakdown ? conversion.breakdown : 0];
      tally.users.resize(n);
      tally.seconds.resize(n);
      for (int k = 0; k < conversion.level; ++k) {
        ++tally.users[k];
        if (k > 0) {
          tally.seconds[k].push_back((conversion.step_ms[k] - conversion.step_ms[k - 1]) / 1000.0);
        }
      }
    }
    ranges[r].by_user = {};
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
