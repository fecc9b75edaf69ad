// EventScan: one pass over the events of an analytics scope — the blocks of a
// time range, the scope's `where` applied — handing each block's batch and
// its selected rows to a callback. Operators ask for the columns they read.
//
//   EventScan scan(scope);
//   const int time = scan.Column(ColumnId::kEventTime);
//   MUA_RETURN_IF_ERROR(scan.Run(snapshot, from_ms, to_ms - 1,
//       [&](const Batch& batch, absl::Span<const uint32_t> rows) { ... }));
#pragma once

#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "query/analytics.h"

namespace mua::query_internal {

class EventScan {
 public:
  explicit EventScan(const AnalyticsScope& scope) : scope_(scope), columns_(scope.where_columns) {}

  // The batch index of `id`, adding the column to the scan.
  int Column(ColumnId id);

  // Calls `fn` for every block overlapping [min_ms, max_ms] (inclusive), with
  // the rows that pass the scope's `where` (rows outside the range included:
  // the callback checks times it cares about).
  absl::Status Run(const TableSnapshot& snapshot, int64_t min_ms, int64_t max_ms,
                   absl::FunctionRef<void(const Batch&, absl::Span<const uint32_t>)> fn);

  // Run, split by user: the user codes fall into range_count() ranges, ascending, each
  // read by one thread at a time (threads from the scope's execution) from the blocks
  // whose users overlap it; `fn(range, batch, rows)` gets only the rows of that range's
  // users. A day's rows reach a range in storage order (a segment's sorted by user and
  // time), days in order. Per-user state kept per range needs no lock.
  size_t range_count(const TableSnapshot& snapshot) const;
  // The user codes [first, second) of `range`.
  std::pair<uint32_t, uint32_t> user_range(const TableSnapshot& snapshot, size_t range) const;
  absl::Status RunByUser(const TableSnapshot& snapshot, int64_t min_ms, int64_t max_ms,
                         const std::function<void(size_t range, const Batch&, absl::Span<const uint32_t>)>& fn);

 private:
  const AnalyticsScope& scope_;
  std::vector<ColumnId> columns_;
};

// The threads a scan of the scope runs on: the statement's, else one per core.
int ScanThreads(const AnalyticsScope& scope);

// The scope's range as instants: local-day bounds narrowed by exact from/to.
void ScopeMillis(const AnalyticsScope& scope, int64_t* from_ms, int64_t* to_ms);

}  // namespace mua::query_internal
