#include "query/analytics/paths.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "storage/base/hash_containers.h"
#include "absl/container/flat_hash_map.h"
#include "query/analytics/event_scan.h"
#include "query/functions/time_functions.h"
#include "storage/string_dictionary.h"

namespace mua {

absl::StatusOr<ResultSet> Paths(const TableSnapshot& snapshot, const AnalyticsScope& scope,
                                const std::string& start_event, int steps) {
  const StringDictionary& types = snapshot.dictionary(ColumnId::kEventType);
  const std::optional<uint32_t> start_code = types.Find(start_event);
  int64_t from_ms, to_ms;
  query_internal::ScopeMillis(scope, &from_ms, &to_ms);

  // Users who did the start event in range (from the day bitmaps, in UTC).
  UserBitmap starters;
  const bool prune = scope.utc && scope.where == nullptr && start_code.has_value();
  if (prune) {
    const auto [first, last] = snapshot.PartitionRange(scope.from_day, scope.to_day - 1);
    for (size_t p = first; p < last; ++p) starters |= snapshot.users_with_event_type(p, *start_code);
  }
  query_internal::EventScan scan(scope);
  const int time = scan.Column(ColumnId::kEventTime), user = scan.Column(ColumnId::kUserId);
  const int type = scan.Column(ColumnId::kEventType);
  HashMap<uint32_t, std::vector<std::pair<int64_t, uint32_t>>> by_user;
  if (start_code.has_value()) {
    absl::Status status = scan.Run(snapshot, from_ms, to_ms - 1,
                                   [&](const Batch& batch, absl::Span<const uint32_t> selected) {
                                     for (uint32_t row : selected) {
                                       const int64_t t = batch.columns[time].ints[row];
                                       if (t < from_ms || t >= to_ms) continue;
                                       const uint32_t u = batch.columns[user].codes[row];
                                       if (prune && !starters.contains(u)) continue;
                                       by_user[u].emplace_back(t, batch.columns[type].codes[row]);
                                     }
                                   });
    if (!status.ok()) return status;
  }

  struct Edge {
    uint64_t transitions = 0;
    UserBitmap users;
  };
  std::map<std::tuple<int, uint32_t, uint32_t>, Edge> edges;
  for (auto& [u, events] : by_user) {
    std::stable_sort(events.begin(), events.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (size_t i = 0; i < events.size(); ++i) {
      if (events[i].second != *start_code) continue;
      for (int k = 1; k <= steps && i + k < events.size(); ++k) {
        Edge& edge = edges[{k, events[i + k - 1].second, events[i + k].second}];
        ++edge.transitions;
        edge.users.add(u);
      }
    }
  }
  // Most common first within a step.
  std::vector<std::pair<std::tuple<int, uint32_t, uint32_t>, const Edge*>> ordered;
  for (const auto& [key, edge] : edges) ordered.emplace_back(key, &edge);
  std::stable_sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) {
    if (std::get<0>(a.first) != std::get<0>(b.first)) return std::get<0>(a.first) < std::get<0>(b.first);
    return a.second->transitions > b.second->transitions;
  });
  ResultSet result;
  result.AddColumn("step", DataType::Of(TypeId::kUInt64));
  result.AddColumn("from_event", DataType::Of(TypeId::kString));
  result.AddColumn("to_event", DataType::Of(TypeId::kString));
  result.AddColumn("transitions", DataType::Of(TypeId::kUInt64));
  result.AddColumn("users", DataType::Of(TypeId::kUInt64));
  for (const auto& [key, edge] : ordered) {
    result.columns[0].ints.push_back(std::get<0>(key));
    result.columns[1].strings.emplace_back(types.Get(std::get<1>(key)));
    result.columns[2].strings.emplace_back(types.Get(std::get<2>(key)));
    result.columns[3].ints.push_back(static_cast<int64_t>(edge->transitions));
    result.columns[4].ints.push_back(static_cast<int64_t>(edge->users.cardinality()));
    ++result.row_count;
  }
  return result;
}

}  // namespace mua
