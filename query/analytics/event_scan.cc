#include "query/analytics/event_scan.h"

#include <algorithm>

#include "query/executor.h"
#include "query/functions/time_functions.h"

namespace mua::query_internal {

int EventScan::Column(ColumnId id) {
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i] == id) return static_cast<int>(i);
  }
  columns_.push_back(id);
  return static_cast<int>(columns_.size() - 1);
}

absl::Status EventScan::Run(const TableSnapshot& snapshot, int64_t min_ms, int64_t max_ms,
                            absl::FunctionRef<void(const Batch&, absl::Span<const uint32_t>)> fn) {
  ColumnSet column_set;
  for (ColumnId id : columns_) column_set.Add(id);
  ScanOptions scan{.columns = column_set, .min_time_ms = min_ms, .max_time_ms = max_ms};
  ScanBuffers buffers;
  Batch batch;
  StringPool pool;
  batch.pool = &pool;
  std::vector<uint32_t> selected;
  for (const BlockRef& ref : snapshot.ListBlocks(scan).blocks) {
    if (scope_.execution != nullptr) {
      if (absl::Status interrupted = CheckInterrupted(*scope_.execution); !interrupted.ok()) return interrupted;
    }
    ScanBlock block;
    absl::Status status = snapshot.ReadBlock(ref, column_set, &buffers, &block);
    if (!status.ok()) return status;
    BatchFromBlock(block, columns_, snapshot, &batch);
    selected.clear();
    if (scope_.where != nullptr) {
      status = EvaluateFilter(*scope_.where, batch, &selected);
      if (!status.ok()) return status;
    } else {
      selected.resize(batch.rows);
      for (uint32_t row = 0; row < batch.rows; ++row) selected[row] = row;
    }
    fn(batch, selected);
    pool.Clear();
  }
  return absl::OkStatus();
}

void ScopeMillis(const AnalyticsScope& scope, int64_t* from_ms, int64_t* to_ms) {
  const TimeZone zone = scope.utc ? TimeZone() : TimeZone(scope.time_zone);
  *from_ms = std::max(scope.from_ms, DayStart(scope.from_day, zone) * 1000);
  *to_ms = std::min(scope.to_ms, DayStart(scope.to_day, zone) * 1000);
}

}  // namespace mua::query_internal
