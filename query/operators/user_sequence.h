// UserSequence: the per-user sequence path of an aggregating block (UserSequencePlan in
// query/logical_plan.h). Each worker owns a range of user codes and keeps every
// aggregate's state for those users in plain arrays indexed by user code. It reads the
// partitions day by day, and of each only the blocks whose zone maps hold users of its
// range; a day's rows come out of its segments already sorted by (user, time), so a
// merge of those runs (heads sorted first) hands each user's rows over in time order,
// and a windowFunnel is a small state machine per user fed as the rows pass.
// Conditions and filters that read one low-cardinality column are evaluated once per
// dictionary value (a lookup per row); others per block, as the scan path does.
//
//   MUA_ASSIGN_OR_RETURN(Batch post, RunUserSequence(plan, context, &worker->pool));
#pragma once

#include "absl/status/statusor.h"
#include "query/executor.h"
#include "query/logical_plan.h"

namespace mua {

// The post batch of the aggregation — [user_id, aggregate values...], one row per user
// with a row passing the filter, users in code order — exactly as the hash path
// would finalize it. REQUIRES: plan.user_sequence. Errors: storage DataLoss, evaluation,
// interruption (KILL, time limit, memory).
absl::StatusOr<Batch> RunUserSequence(const SelectPlan& plan, const ExecutionContext& context, StringPool* pool);

}  // namespace mua
