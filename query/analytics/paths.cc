#include "query/analytics/paths.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "query/executor.h"
#include "query/functions/time_functions.h"
#include "storage/string_dictionary.h"

namespace mua {

absl::StatusOr<ResultSet> Paths(const TableSnapshot& snapshot, const AnalyticsScope& scope,
                                const std::string& start_event, int steps) {
  const StringDictionary& types = snapshot.dictionary(ColumnId::kEventType);
  const std::optional<uint32_t> start_code = types.Find(start_event);
  const query_internal::TimeZone zone =
      scope.utc ? query_internal::TimeZone() : query_internal::TimeZone(scope.time_zone);
  const int64_t from_ms = std::max(scope.from_ms, query_internal::DayStart(scope.from_day, zone) * 1000);
  const int64_t to_ms = std::min(scope.to_ms, query_internal::DayStart(scope.to_day, zone) * 1000);

  // Users who did the start event in range (from the day bitmaps, in UTC).
  UserBitmap starters;
  const bool prune = scope.utc && scope.where == nullptr && start_code.has_value();
  if (prune) {
    for (size_t p = 0; p < snapshot.partition_count(); ++p) {
      if (snapshot.day(p) >= scope.from_day && snapshot.day(p) < scope.to_day) {
        starters |= snapshot.users_with_event_type(p, *start_code);
      }
    }
  }
  std::vector<ColumnId> columns = scope.where_columns;
  auto index_of = [&](ColumnId id) {
    for (size_t i = 0; i < columns.size(); ++i) {
      if (columns[i] == id) return static_cast<int>(i);
    }
    columns.push_back(id);
    return static_cast<int>(columns.size() - 1);
  };
  const int time = index_of(ColumnId::kEventTime), user = index_of(ColumnId::kUserId);
  const int type = index_of(ColumnId::kEventType);
  ColumnSet column_set;
  for (ColumnId id : columns) column_set.Add(id);
  ScanOptions scan{.columns = column_set, .min_time_ms = from_ms, .max_time_ms = to_ms - 1};

  absl::flat_hash_map<uint32_t, std::vector<std::pair<int64_t, uint32_t>>> by_user;
  if (start_code.has_value()) {
    ScanBuffers buffers;
    Batch batch;
    StringPool pool;
    batch.pool = &pool;
    std::vector<uint32_t> selected;
    for (const BlockRef& ref : snapshot.ListBlocks(scan).blocks) {
      ScanBlock block;
      absl::Status status = snapshot.ReadBlock(ref, column_set, &buffers, &block);
      if (!status.ok()) return status;
      BatchFromBlock(block, columns, snapshot, &batch);
      selected.clear();
      if (scope.where != nullptr) {
        status = EvaluateFilter(*scope.where, batch, &selected);
        if (!status.ok()) return status;
      } else {
        selected.resize(batch.rows);
        for (uint32_t row = 0; row < batch.rows; ++row) selected[row] = row;
      }
      for (uint32_t row : selected) {
        const int64_t t = batch.columns[time].ints[row];
        if (t < from_ms || t >= to_ms) continue;
        const uint32_t u = batch.columns[user].codes[row];
        if (prune && !starters.contains(u)) continue;
        by_user[u].emplace_back(t, batch.columns[type].codes[row]);
      }
      pool.Clear();
    }
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
