// Scan: the sources of a query block's pipeline, each batch handed to the
// block's FilterProject step (filter_project.h) as it is read.
// - ScanEvents reads the events table morsel-parallel: every worker thread
//   claims the next unread storage block (pruned by the plan's time range),
//   decodes only the columns something reads (inside partitions wholly within
//   the time range, without the time bounds and often without event_time),
//   and processes it with its own BlockWorker.
// - ScanRows reads a materialized relation (a subquery's, a table function's,
//   fixed rows) or generates numbers(N) / system.numbers, 64 Ki rows at a time
//   on one worker.
//
// Resource limits: CheckInterrupted (KILL QUERY, max_execution_time, the
// memory limit) before every block or chunk; max_result_rows checked as rows
// are collected; a LIMIT without ORDER BY stops the scan once enough rows are
// collected. Rows and bytes read are added to the context's counters.
//
//   FilterProject step(plan, context);
//   MUA_RETURN_IF_ERROR(ScanEvents(&step, &workers));
#pragma once

#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "query/operators/filter_project.h"
#include "query/result_set.h"

namespace mua {

// Reads the plan's kEvents source with one thread per worker (ParallelFor).
// Errors: the first a worker meets (storage DataLoss, evaluation, interruption);
// the others then stop taking blocks. REQUIRES: !workers->empty().
absl::Status ScanEvents(FilterProject* step, std::vector<std::unique_ptr<BlockWorker>>* workers);

// Reads `rows` (or the plan's numbers(N), with `rows` holding only the schema)
// through the plan's WHERE; an endless system.numbers stops at the block's LIMIT
// (FilterProject::EarlyStop). `rows` must outlive the worker's states.
absl::Status ScanRows(FilterProject* step, const ResultSet& rows, BlockWorker* worker);

// Rows of a materialized or generated source per batch.
inline constexpr uint64_t kRowsChunk = 65536;

}  // namespace mua
