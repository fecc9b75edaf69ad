// FilterProject: the per-batch step of a query block's pipeline. Each batch a
// scan produces (scan.h) is filtered by WHERE (only the columns read after the
// filter are gathered), then either folded into the worker's group table and
// aggregate states (hash_aggregate.h) or projected: the outputs and ORDER BY
// keys are evaluated and appended to the worker's collected columns.
//
// Thread safety: scan workers call ProcessBatch concurrently, each with its own
// BlockWorker; the only state they share is the atomic count of collected rows
// (the early stop of a LIMIT without ORDER BY, and max_result_rows).
// Resource limits: collected columns and group tables grow through the global
// allocator (charged to the statement's MemoryTracker); the group table asks
// CheckMemory before it doubles; callers check CheckInterrupted between batches.
//
//   FilterProject step(plan, context);
//   std::unique_ptr<BlockWorker> worker = step.NewWorker();
//   MUA_RETURN_IF_ERROR(step.ProcessBatch(worker.get(), &batch, plan.where.get()));
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "query/aggregate_function.h"
#include "query/executor.h"
#include "query/internal/group_table.h"
#include "query/logical_plan.h"

namespace mua {

// One worker thread's state of a block: its groups and aggregate states
// (aggregating blocks) or its collected rows (the others).
struct BlockWorker {
  query_internal::GroupTable groups;
  std::vector<std::unique_ptr<AggregateFunction>> aggregates;
  std::vector<Column> collected;  // outputs, then order keys (non-aggregating plans)
  uint64_t collected_rows = 0;
  StringPool pool;
  std::vector<uint32_t> selected;
  std::vector<uint32_t> group_of_row;
  // WITH TOTALS on a cluster (query/distributed.h): per aggregate, the totals row's value as
  // the sum of the shards' own totals, for the slots whose groups add counts (a user counted
  // in two groups of one shard is one user of the totals).
  std::vector<std::optional<int64_t>> shard_totals;
};

class FilterProject {
 public:
  // REQUIRES: `plan` and `context` outlive this object.
  FilterProject(const SelectPlan& plan, const ExecutionContext& context);
  FilterProject(const FilterProject&) = delete;
  FilterProject& operator=(const FilterProject&) = delete;

  const SelectPlan& plan() const { return plan_; }
  const ExecutionContext& context() const { return context_; }
  // Batch columns read after the filter (a scan decodes these and the filter's).
  const std::vector<bool>& read_after_filter() const { return read_after_filter_; }
  // Whether any expression of the plan reads batch column `c` (a rows scan passes the
  // others as constant defaults instead of copying them).
  bool ReadsColumn(size_t c) const { return c < read_at_all_.size() && read_at_all_[c]; }

  // A worker with empty aggregate states and collected columns of the outputs' types
  // (an output the consumer does not read: UInt8 zeros, which nothing reads).
  std::unique_ptr<BlockWorker> NewWorker() const;

  // Keeps the rows of `batch` where `where` holds (null: all), then aggregates or
  // projects them. Errors: evaluation's, MemoryLimitExceeded before a group table grows.
  absl::Status ProcessBatch(BlockWorker* worker, Batch* batch, const BoundExpr* where);
  // ProcessBatch in two steps, for a scan that adds columns between them: keeps the rows
  // where `where` holds (their indices in worker->selected when some are dropped; returns
  // whether any were), then aggregates or projects the batch.
  absl::StatusOr<bool> FilterBatch(BlockWorker* worker, Batch* batch, const BoundExpr* where);
  absl::Status ConsumeBatch(BlockWorker* worker, Batch* batch);

  // Evaluates the outputs the consumer reads and the ORDER BY keys over `batch` and
  // appends them to worker->collected (counted in worker->collected_rows only).
  absl::Status Project(BlockWorker* worker, const Batch& batch) const;

  // Rows a non-aggregating plan may stop after (LIMIT + OFFSET without ORDER BY or
  // DISTINCT); nullopt: every row is needed.
  std::optional<uint64_t> EarlyStop() const;
  // Whether the workers together have collected EarlyStop() rows.
  bool Stopped() const {
    return early_stop_ && total_collected_.load(std::memory_order_relaxed) >= *early_stop_;
  }
  // ResourceExhausted once the rows collected so far prove the result will exceed
  // max_result_rows (every collected row past OFFSET is a result row up to LIMIT).
  absl::Status CheckResultRows() const;

 private:
  bool OutputUnused(size_t i) const;

  const SelectPlan& plan_;
  const ExecutionContext& context_;
  std::vector<bool> read_after_filter_;
  std::vector<bool> read_at_all_;
  std::optional<uint64_t> early_stop_;
  std::atomic<uint64_t> total_collected_{0};
};

// Marks the batch columns `expr` reads (growing `used` as needed).
void MarkColumns(const BoundExpr* expr, std::vector<bool>* used);

// The columns of its source a block reads (indexes past the end: not read): group keys,
// aggregate arguments, and without aggregation the outputs and ORDER BY — an
// aggregate's HAVING, outputs and ORDER BY read its groups — and unless `after_filter`,
// WHERE (both forms) and a non-aggregate's HAVING. The scan views these of a deferred
// source and nothing else, and the optimizer tells the source the same
// (DeferredRows::columns_read): it may leave the others empty.
std::vector<bool> SourceColumnsRead(const SelectPlan& plan, bool after_filter);

// The per-worker collected columns of a non-aggregating block, concatenated in
// worker order (NULL flags, arrays and tuples included). Returns the row count.
uint64_t ConcatCollected(std::vector<std::unique_ptr<BlockWorker>>* workers, std::vector<Column>* collected);

}  // namespace mua
