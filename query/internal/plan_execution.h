// Steps of running a plan that surround a block's pipeline: its prepared
// inputs (IN sets, scalar subqueries, user-id lists) and the context its
// subqueries run in.
#pragma once

#include "absl/status/statusor.h"
#include "query/executor.h"
#include "query/logical_plan.h"

namespace mua::query_internal {

// Runs each of the block's prepared inputs once and fills the sets and values
// its expressions refer to. Errors: the subqueries', and InvalidArgument for a
// value the set cannot hold (an unparsable time).
absl::Status RunPreparedInputs(const SelectPlan& plan, const ExecutionContext& context);

// The statement's limits apply to subqueries, except max_result_rows (its own result's).
ExecutionContext SubqueryContext(const ExecutionContext& context);

}  // namespace mua::query_internal
