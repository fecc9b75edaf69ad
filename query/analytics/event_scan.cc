#include "query/analytics/event_scan.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "absl/synchronization/mutex.h"

#include "query/executor.h"
#include "query/functions/time_functions.h"
#include "storage/base/parallel_for.h"
#include "storage/base/status_macros.h"

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

int ScanThreads(const AnalyticsScope& scope) {
  const int threads = scope.execution != nullptr ? scope.execution->threads : 0;
  return threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

size_t EventScan::range_count(const TableSnapshot& snapshot) const {
  const uint32_t users = snapshot.user_index().size();
  return std::min<size_t>(users, static_cast<size_t>(ScanThreads(scope_)) * 4);
}

std::pair<uint32_t, uint32_t> EventScan::user_range(const TableSnapshot& snapshot, size_t range) const {
  const uint64_t users = snapshot.user_index().size(), ranges = range_count(snapshot);
  return {static_cast<uint32_t>(users * range / ranges), static_cast<uint32_t>(users * (range + 1) / ranges)};
}

absl::Status EventScan::RunByUser(
    const TableSnapshot& snapshot, int64_t min_ms, int64_t max_ms,
    const std::function<void(size_t range, const Batch&, absl::Span<const uint32_t>)>& fn) {
  ColumnSet column_set;
  for (ColumnId id : columns_) column_set.Add(id);
  column_set.Add(ColumnId::kUserId);
  const ScanOptions scan{.columns = column_set, .min_time_ms = min_ms, .max_time_ms = max_ms};
  const std::vector<BlockRef> blocks = snapshot.ListBlocks(scan).blocks;
  const size_t ranges = range_count(snapshot);
  const int threads = ScanThreads(scope_);
  std::atomic<size_t> next{0};
  absl::Mutex mu;
  absl::Status first_error;
  auto run_range = [&](size_t range, ScanBuffers* buffers, Batch* batch, std::vector<uint32_t>* selected) {
    const auto [begin, end] = user_range(snapshot, range);
    for (const BlockRef& ref : blocks) {
      const auto [min_user, max_user] = snapshot.user_range(ref);
      if (max_user < begin || min_user >= end) continue;
      if (scope_.execution != nullptr) MUA_RETURN_IF_ERROR(CheckInterrupted(*scope_.execution));
      ScanBlock block;
      MUA_RETURN_IF_ERROR(snapshot.ReadBlock(ref, column_set, buffers, &block));
      BatchFromBlock(block, columns_, snapshot, batch);
      batch->pool->Clear();
      std::vector<uint32_t> passing;
      if (scope_.where != nullptr) MUA_RETURN_IF_ERROR(EvaluateFilter(*scope_.where, *batch, &passing));
      selected->clear();
      auto keep = [&](uint32_t row) {
        if (block.users[row] >= begin && block.users[row] < end) selected->push_back(row);
      };
      if (scope_.where != nullptr) {
        for (uint32_t row : passing) keep(row);
      } else {
        for (uint32_t row = 0; row < block.row_count; ++row) keep(row);
      }
      if (!selected->empty()) fn(range, *batch, *selected);
    }
    return absl::OkStatus();
  };
  ParallelFor(static_cast<size_t>(threads), threads, [&](int, size_t) {
    ScanBuffers buffers;
    StringPool pool;
    Batch batch;
    batch.pool = &pool;
    std::vector<uint32_t> selected;
    while (true) {
      const size_t range = next.fetch_add(1);
      if (range >= ranges) break;
      absl::Status status = run_range(range, &buffers, &batch, &selected);
      if (!status.ok()) {
        absl::MutexLock lock(&mu);
        if (first_error.ok()) first_error = status;
        next.store(ranges);
        break;
      }
    }
  });
  return first_error;
}

void ScopeMillis(const AnalyticsScope& scope, int64_t* from_ms, int64_t* to_ms) {
  const TimeZone zone = scope.utc ? TimeZone() : TimeZone(scope.time_zone);
  *from_ms = std::max(scope.from_ms, DayStart(scope.from_day, zone) * 1000);
  *to_ms = std::min(scope.to_ms, DayStart(scope.to_day, zone) * 1000);
}

}  // namespace mua::query_internal
