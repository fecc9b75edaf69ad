// TableFunction: the rows of a kDeferred source, produced when the plan runs on
// the execution's snapshot: a table function (funnel, sessions, active_users,
// ...), a system or created table, or an operator over the block below (JOIN,
// window functions, ARRAY JOIN, LIMIT BY, WITH FILL), each bound by sql/ into a
// DeferredRows producer. The block then scans the rows (scan.h: ScanRows).
//
// Resource limits: CheckInterrupted before producing; the producers charge the
// statement's MemoryTracker and check CheckInterrupted themselves (the query
// operators of operator.h, the analytics scans between blocks).
//
//   MUA_ASSIGN_OR_RETURN(std::shared_ptr<const ResultSet> rows, ProduceDeferredRows(plan.source, context));
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "query/executor.h"
#include "query/logical_plan.h"
#include "query/result_set.h"

namespace mua {

// REQUIRES: source.kind == kDeferred. Errors: the producer's, Cancelled /
// DeadlineExceeded / MemoryLimitExceeded.
absl::StatusOr<std::shared_ptr<const ResultSet>> ProduceDeferredRows(const SourcePlan& source,
                                                                     const ExecutionContext& context);

}  // namespace mua
