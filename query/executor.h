// The executor: runs a SelectPlan against a TableSnapshot and returns its
// ResultSet. Scans are split by blocks across worker threads (morsel style:
// each worker takes the next unclaimed block), each with its own group table
// and aggregate states, merged at the end.
//
//   ExecutionContext context{&snapshot};
//   MUA_ASSIGN_OR_RETURN(ResultSet result, ExecuteSelect(plan, context));
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "query/expression.h"
#include "query/plan.h"
#include "query/result_set.h"
#include "storage/table_snapshot.h"

namespace mua {

// Blocks already computed, by plan (ExecutionContext::materialized).
using MaterializedBlocks = absl::flat_hash_map<const SelectPlan*, std::shared_ptr<const ResultSet>>;

struct ExecutionContext {
  const TableSnapshot* snapshot = nullptr;
  int threads = 0;  // 0: one per core
  // Rows and bytes read from storage, over the statement and its subqueries.
  std::atomic<uint64_t>* rows_read = nullptr;
  std::atomic<uint64_t>* bytes_read = nullptr;
  // Checked between blocks of a scan: set by KILL QUERY or a client that went away.
  const std::atomic<bool>* cancelled = nullptr;
  absl::Time deadline = absl::InfiniteFuture();  // max_execution_time
  // The statement's own result (not its subqueries'): a scan that will return more
  // rows stops as soon as it knows, instead of building the whole result. 0: no limit.
  uint64_t max_result_rows = 0;
  // Blocks already computed (a cluster's coordinator ran them on every shard): running
  // one of them answers these rows.
  const MaterializedBlocks* materialized = nullptr;
};

// Cancelled ("Query was cancelled") or DeadlineExceeded when the context says stop; OK else.
absl::Status CheckInterrupted(const ExecutionContext& context);

// Errors: whatever evaluation reports (InvalidArgument for run-time data
// errors such as an unparsable string in toDate), DataLoss from storage.
absl::StatusOr<ResultSet> ExecuteSelect(const SelectPlan& plan, const ExecutionContext& context);

// The partial/final split of an aggregating block on the hash path (not a bitmap
// path): a partial reads the block's source (its scan, morsel-parallel) into
// group tables and aggregate states merged across its workers; the final
// merges any number of partials of the same plan, finalizes the states, then
// applies HAVING, the outputs, DISTINCT, ORDER BY and LIMIT. ExecuteSelect of
// such a block is the final of one partial; a cluster runs partials on shards
// and the final on a coordinator. The partial runs the block's prepared inputs,
// whose values the final's expressions read.
class PartialAggregate;
struct PartialAggregateDeleter {
  void operator()(PartialAggregate* partial) const;
};
using PartialAggregatePtr = std::unique_ptr<PartialAggregate, PartialAggregateDeleter>;

// Errors: FailedPrecondition for a block that does not aggregate or takes a
// bitmap path; else as ExecuteSelect.
absl::StatusOr<PartialAggregatePtr> ExecutePartialAggregate(const SelectPlan& plan,
                                                            const ExecutionContext& context);
// REQUIRES: every partial comes from ExecutePartialAggregate(plan, ...). Errors: as ExecuteSelect.
absl::StatusOr<ResultSet> ExecuteFinalAggregate(const SelectPlan& plan, std::vector<PartialAggregatePtr> partials,
                                                const ExecutionContext& context);

// The gather split of a block whose rows each come whole from one part (a shard):
// a part collects the block's rows — its outputs, then its ORDER BY keys — after
// DISTINCT and ORDER BY, keeping the first offset + limit; the final concatenates
// the parts and applies DISTINCT, ORDER BY, OFFSET and LIMIT over them all.
struct CollectedRows {
  std::vector<Column> columns;  // outputs, then ORDER BY keys
  uint64_t rows = 0;
};
// Errors: as ExecuteSelect.
absl::StatusOr<CollectedRows> ExecuteCollect(const SelectPlan& plan, const ExecutionContext& context);
// REQUIRES: every part from ExecuteCollect(plan, ...) (or its decoded bytes). Errors: as ExecuteSelect.
absl::StatusOr<ResultSet> ExecuteFinalCollect(const SelectPlan& plan, std::vector<CollectedRows> parts,
                                              const ExecutionContext& context);

// A human-readable plan: source and pruning, bitmap or scan path, filter,
// grouping, aggregates, outputs, order and limit (EXPLAIN).
std::string ExplainSelect(const SelectPlan& plan, const TableSnapshot& snapshot, int indent = 0);

// The batch of a storage block: column i is storage column columns[i]; time as
// DateTime64 ms, user ids and low-cardinality columns dictionary-coded,
// strings as views into the block.
void BatchFromBlock(const ScanBlock& block, absl::Span<const ColumnId> columns,
                    const TableSnapshot& snapshot, Batch* batch);

// Appends `vector`'s rows to `column` (copying strings).
void AppendVectorToColumn(const Vector& vector, Column* column);

// A vector viewing `column` (strings view the column's storage).
Vector VectorFromColumn(const Column& column, size_t begin, size_t end);

}  // namespace mua
