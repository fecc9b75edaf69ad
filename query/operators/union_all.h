// UnionAll: the rows of a kUnion source (UNION ALL / UNION DISTINCT): each
// input block runs in turn (ExecuteSelect, with the statement's limits but not
// its max_result_rows) and its rows are appended; the result has input 0's
// names and the inputs' common types (the binder cast every input to them).
// With `distinct`, each row once (NULL equals NULL), the first occurrence kept.
//
// Resource limits: the result is materialized (charged to the statement's
// MemoryTracker, CheckMemory after each input); DISTINCT keeps one serialized
// key per kept row and checks CheckInterrupted every 64 Ki rows; the inputs
// check it as they scan.
//
//   MUA_ASSIGN_OR_RETURN(ResultSet rows, ExecuteUnion(plan.source, context));
#pragma once

#include "absl/status/statusor.h"
#include "query/executor.h"
#include "query/logical_plan.h"
#include "query/result_set.h"

namespace mua {

// REQUIRES: source.kind == kUnion. Errors: the inputs', InvalidArgument when
// their column counts differ, Cancelled / DeadlineExceeded / MemoryLimitExceeded.
absl::StatusOr<ResultSet> ExecuteUnion(const SourcePlan& source, const ExecutionContext& context);

}  // namespace mua
